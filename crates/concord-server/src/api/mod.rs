//! The JSON API under `/api`: an adapter over the application layer (`crate::app`). Each
//! handler reads a request (path, query, JSON body) into a command or a query, calls the
//! application, and renders its answer or error as JSON; what is allowed, valid and computed
//! lives beneath, shared with the dashboard.

mod board;
pub mod body;
pub mod forecast;
pub mod import;
pub mod openapi;
pub mod procedures;
mod read;
pub mod review;
mod stream;
pub mod write;

use axum::Router;
use axum::handler::Handler;
use axum::routing::{get, post};

use crate::AppState;

/// Every API route. The OpenAPI document lists exactly these (a test holds them in step).
pub fn routes() -> Router<AppState> {
    table().router
}

/// Every API route as (method, path), in the order they are declared.
pub fn route_list() -> Vec<(&'static str, &'static str)> {
    table().list
}

/// The router and the list of its routes, built by the same calls so they cannot drift.
struct Table {
    router: Router<AppState>,
    list: Vec<(&'static str, &'static str)>,
}

impl Table {
    fn get<H: Handler<T, AppState>, T: 'static>(mut self, path: &'static str, h: H) -> Table {
        self.list.push(("get", path));
        self.router = self.router.route(path, get(h));
        self
    }

    fn post<H: Handler<T, AppState>, T: 'static>(mut self, path: &'static str, h: H) -> Table {
        self.list.push(("post", path));
        self.router = self.router.route(path, post(h));
        self
    }

    /// A POST whose body may be larger than the server's default limit (an article).
    fn post_up_to<H: Handler<T, AppState>, T: 'static>(
        mut self,
        path: &'static str,
        limit: usize,
        h: H,
    ) -> Table {
        self.list.push(("post", path));
        self.router = self.router.route(
            path,
            post(h).layer(axum::extract::DefaultBodyLimit::max(limit)),
        );
        self
    }
}

fn table() -> Table {
    let t = Table {
        router: Router::new(),
        list: Vec::new(),
    };
    t.get("/api/openapi.json", openapi::document)
        .get("/api/me", read::me)
        .get("/api/contests", board::contests)
        .post("/api/contests", import::create_contest)
        .get("/api/contests/{id}/status", board::status)
        .get("/api/contests/{id}/members", read::members)
        .get("/api/contests/{id}/members/{code}/history", read::history)
        .get("/api/contests/{id}/candidates", read::candidates)
        .get("/api/contests/{id}/reports", read::reports)
        .post("/api/contests/{id}/reports", write::post_report)
        .post("/api/contests/{id}/reports.csv", import::import_reports)
        .get("/api/contests/{id}/conditions", read::conditions)
        .post("/api/contests/{id}/conditions", write::post_condition)
        .get("/api/contests/{id}/commitments", read::commitments)
        .post("/api/contests/{id}/commitments", write::post_commitment)
        .get("/api/contests/{id}/export", read::export)
        .get("/api/contests/{id}/verify", read::verify)
        .get("/api/contests/{id}/procedures", procedures::list)
        .post("/api/contests/{id}/procedures", procedures::open)
        .get("/api/contests/{id}/procedures/{pid}", procedures::get_one)
        .post(
            "/api/contests/{id}/procedures/{pid}/break",
            procedures::break_silence,
        )
        .post(
            "/api/contests/{id}/procedures/{pid}/withdraw",
            procedures::withdraw,
        )
        .get("/api/contests/{id}/events/stream", stream::stream)
        .post_up_to(
            "/api/contests/{id}/ingest",
            review::ARTICLE_LIMIT * 2,
            review::ingest,
        )
        .get("/api/contests/{id}/proposals", review::list)
        .post("/api/contests/{id}/proposals/accept", review::accept_many)
        .post("/api/contests/{id}/proposals/reject", review::reject_many)
        .post("/api/contests/{id}/proposals/{pid}/accept", review::accept)
        .post("/api/contests/{id}/proposals/{pid}/reject", review::reject)
        .get("/api/contests/{id}/forecast", forecast::forecast)
        .post("/api/contests/{id}/whatif", forecast::whatif)
}

/// A write's refusal or failure as the API answers it: the command's fields become JSON paths.
pub(crate) fn write_error(e: crate::app::writes::WriteError) -> crate::ApiError {
    use crate::app::writes::WriteError;
    match e {
        WriteError::Refused(r) => crate::ApiError::refused(&r, |field| format!("$.{field}")),
        WriteError::Located(d) => crate::ApiError::bad_input(&d),
        WriteError::Other(e) => e,
    }
}
