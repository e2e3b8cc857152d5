//! The web dashboard (issue 5): server-rendered pages over the same ledger, roles and store
//! notifications as the JSON API. Templates (minijinja) and assets are embedded in the binary,
//! so `concord serve` needs no files beside it and fetches nothing from other hosts.
//!
//! An adapter, like the API: every page and form calls the application layer (`crate::app`)
//! for what it reads and writes, so a form passes the same checks (the domain's guard) as the
//! API and the CLI, and a page the same bounds (`as_of` within the contest's life) and caches.
//! Every page reads with the caller's view (`View::Public` for everyone but the chair), so a
//! `chair_only` stance cannot reach an observer's page by construction.

mod board;
mod feed;
mod forecast;
mod forms;
mod live;
mod review;
mod silence;
mod text;
mod timeline;

use std::sync::OnceLock;

use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION, SET_COOKIE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use minijinja::Environment;
use serde::{Deserialize, Serialize};

use crate::auth::{Role, TOKEN_COOKIE};
use crate::{ApiError, AppState, Principal};

/// The dashboard's routes, merged into [`crate::router`].
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(board::home))
        .route("/contests", get(board::contest_list))
        .route("/contests/{id}", get(board::board))
        .route("/contests/{id}/cell/{member}/{candidate}", get(board::cell))
        .route("/contests/{id}/timeline", get(timeline::timeline))
        .route("/contests/{id}/timeline.svg", get(timeline::chart))
        .route("/contests/{id}/forecast", get(forecast::forecast_page))
        .route("/contests/{id}/forecast.svg", get(forecast::chart))
        .route("/contests/{id}/whatif", get(forecast::whatif_page))
        .route(
            "/contests/{id}/silence",
            get(silence::page).post(silence::open),
        )
        .route(
            "/contests/{id}/silence/{procedure}/break",
            axum::routing::post(silence::break_silence),
        )
        .route(
            "/contests/{id}/silence/{procedure}/withdraw",
            axum::routing::post(silence::withdraw),
        )
        .route(
            "/contests/{id}/review",
            get(review::page)
                .post(review::ingest)
                .layer(axum::extract::DefaultBodyLimit::max(
                    crate::api::review::ARTICLE_LIMIT * 2,
                )),
        )
        .route(
            "/contests/{id}/review/accept-all",
            axum::routing::post(review::accept_all),
        )
        .route(
            "/contests/{id}/review/{pid}/accept",
            axum::routing::post(review::accept),
        )
        .route(
            "/contests/{id}/review/{pid}/reject",
            axum::routing::post(review::reject),
        )
        .route(
            "/contests/{id}/record",
            get(forms::report_page).post(forms::report),
        )
        .route(
            "/contests/{id}/record/condition",
            get(forms::condition_page).post(forms::condition),
        )
        .route(
            "/contests/{id}/record/commitment",
            get(forms::commitment_page).post(forms::commitment),
        )
        .route(
            "/contests/{id}/position",
            get(forms::position_page).post(forms::position),
        )
        .route(
            "/contests/{id}/import",
            get(forms::import_reports_page)
                .post(forms::import_reports)
                .layer(axum::extract::DefaultBodyLimit::max(
                    forms::IMPORT_FORM_LIMIT,
                )),
        )
        .route(
            "/import",
            get(forms::import_scenario_page)
                .post(forms::import_scenario)
                .layer(axum::extract::DefaultBodyLimit::max(
                    forms::IMPORT_FORM_LIMIT,
                )),
        )
        .route("/contests/{id}/live", get(live::stream))
        .route("/sign-in", get(sign_in_page).post(sign_in))
        .route("/sign-out", axum::routing::post(sign_out))
        .route("/assets/dashboard.css", get(css))
        .route("/assets/dashboard.js", get(js))
        // Pages are mostly repeated markup: gzip keeps the board near a tenth of its size
        // (the default predicate leaves the SSE stream and images alone).
        .layer(tower_http::compression::CompressionLayer::new())
}

/// The templates, parsed once. Names end in `.html`, so minijinja escapes every value.
fn templates() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        for (name, text) in [
            ("base.html", include_str!("../../templates/base.html")),
            (
                "contests.html",
                include_str!("../../templates/contests.html"),
            ),
            ("board.html", include_str!("../../templates/board.html")),
            ("rounds.html", include_str!("../../templates/rounds.html")),
            ("cell.html", include_str!("../../templates/cell.html")),
            ("trail.html", include_str!("../../templates/trail.html")),
            (
                "timeline.html",
                include_str!("../../templates/timeline.html"),
            ),
            (
                "forecast.html",
                include_str!("../../templates/forecast.html"),
            ),
            (
                "forecast_body.html",
                include_str!("../../templates/forecast_body.html"),
            ),
            ("whatif.html", include_str!("../../templates/whatif.html")),
            ("another.html", include_str!("../../templates/another.html")),
            ("silence.html", include_str!("../../templates/silence.html")),
            ("record.html", include_str!("../../templates/record.html")),
            ("import.html", include_str!("../../templates/import.html")),
            ("review.html", include_str!("../../templates/review.html")),
            ("sign_in.html", include_str!("../../templates/sign_in.html")),
            ("error.html", include_str!("../../templates/error.html")),
        ] {
            // A template that does not parse is a build defect, caught by every page test.
            env.add_template(name, text)
                .expect("dashboard template parses");
        }
        env.add_filter("pct", |p: f64| format!("{:.0}%", p * 100.0));
        env.add_filter("pct1", |p: f64| format!("{:.1}", p * 100.0));
        env.add_filter("label", |s: String| s.replace('_', " "));
        // Sources as links, citation keys in words, plurals, days: see `text`.
        env.add_filter("source", |s: String| {
            minijinja::Value::from_safe_string(text::source_html(&s))
        });
        env.add_filter("clean", |s: String| text::clean(&s));
        env.add_filter("plural", |n: i64, one: String, many: String| {
            text::plural(n, &one, &many)
        });
        env.add_filter("days", text::days_from_now);
        env
    })
}

/// Who is looking, as the layout shows it.
#[derive(Serialize)]
struct Viewer {
    role: String,
    /// The role as a reader says it: "Hungary's delegation", not `delegation:HUN`.
    role_words: String,
    label: String,
    /// Whether the token's label adds something to the role (not a role's code again).
    show_label: bool,
    anonymous: bool,
    chair: bool,
    delegation: Option<String>,
    view: &'static str,
    /// The session's anti-forgery token, echoed by every form (empty when there is none).
    csrf: String,
}

impl Viewer {
    fn of(who: &Principal) -> Viewer {
        let role_words = match &who.role {
            Role::Delegation(code) => format!(
                "{}'s delegation",
                concord_domain::countries::name_of(code).unwrap_or(code)
            ),
            other => {
                let r = other.to_string().replace('_', " ");
                let mut c = r.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect())
                    .unwrap_or(r)
            }
        };
        Viewer {
            role: who.role.to_string(),
            show_label: !who.label.is_empty()
                && !who.label.contains(':')
                && who.label != who.role.to_string(),
            role_words,
            label: who.label.clone(),
            anonymous: who.is_anonymous(),
            chair: who.is_chair(),
            delegation: match &who.role {
                Role::Delegation(code) => Some(code.clone()),
                _ => None,
            },
            view: if who.is_chair() { "chair" } else { "public" },
            csrf: who.csrf.clone().unwrap_or_default(),
        }
    }
}

/// Renders `template` with `ctx` plus the viewer; errors become an error page.
fn render(template: &str, who: Option<&Principal>, ctx: minijinja::Value) -> Response {
    let viewer = who.map(Viewer::of);
    let ctx = minijinja::context! { viewer => minijinja::value::Serde(viewer), ..ctx };
    match templates()
        .get_template(template)
        .and_then(|t| t.render(ctx))
    {
        Ok(html) => ([(CACHE_CONTROL, "no-store")], Html(html)).into_response(),
        Err(e) => {
            tracing::error!("template {template}: {e:#}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page could not be drawn",
            )
                .into_response()
        }
    }
}

/// A failed page: sign-in when the caller has no (valid) token, else an error page.
pub(crate) struct PageError(ApiError);

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        PageError(e)
    }
}

impl From<concord_ledger::LedgerError> for PageError {
    fn from(e: concord_ledger::LedgerError) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if let ApiError::Unauthorized(_) = self.0 {
            return redirect("/sign-in");
        }
        let status = self.0.status();
        // Internal errors are logged and shown as a generic line with the request id.
        let problems: Vec<String> = match &self.0 {
            ApiError::BadInput { problems, .. } => problems
                .iter()
                .map(|p| {
                    let mut line = format!("{}: {}", p.path, p.message);
                    if let Some(e) = &p.expected {
                        line.push_str(&format!(" (expected {e})"));
                    }
                    if let Some(d) = &p.did_you_mean {
                        line.push_str(&format!(" — did you mean '{d}'?"));
                    }
                    line
                })
                .collect(),
            _ => Vec::new(),
        };
        let ctx = minijinja::context! {
            status => status.as_u16(), message => self.0.public_message(), problems => problems,
        };
        let mut r = render("error.html", None, ctx);
        *r.status_mut() = status;
        r
    }
}

/// The caller, or a redirect to the sign-in page.
type Who = Result<Principal, ApiError>;

fn who(w: Who) -> Result<Principal, PageError> {
    w.map_err(PageError)
}

fn redirect(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(LOCATION, to.to_owned())]).into_response()
}

/// A form with nothing but its anti-forgery token (a button that posts).
#[derive(Deserialize)]
pub(crate) struct CsrfOnly {
    #[serde(default)]
    pub csrf: Option<String>,
}

#[derive(Deserialize)]
struct Next {
    next: Option<String>,
}

async fn sign_in_page(State(state): State<AppState>, Query(q): Query<Next>) -> Response {
    let ctx = minijinja::context! { public_read => state.settings.public_read, next => q.next, error => None::<String> };
    render("sign_in.html", None, ctx)
}

#[derive(Deserialize)]
struct SignIn {
    token: String,
    next: Option<String>,
}

/// Only paths on this site: a sign-in form must not become an open redirect. Browsers read a
/// backslash as a slash and drop tabs and newlines, so `/\evil.example` or `/\t/evil.example`
/// would leave the site as surely as `//evil.example`: a path must start with one `/` followed
/// by something other than `/` or `\`, and hold no backslash or control character at all.
fn local(next: Option<&str>) -> &str {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n[1..].starts_with(['/', '\\'])
                && !n.contains('\\')
                && !n.chars().any(char::is_control) =>
        {
            n
        }
        _ => "/",
    }
}

async fn sign_in(
    State(state): State<AppState>,
    Form(f): Form<SignIn>,
) -> Result<Response, PageError> {
    let token = f.token.trim();
    let valid = !token.is_empty()
        && token.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && state.principal_for(token).await?.is_some();
    if !valid {
        let ctx = minijinja::context! {
            public_read => state.settings.public_read, next => f.next,
            error => "That token is unknown or revoked."
        };
        let mut r = render("sign_in.html", None, ctx);
        *r.status_mut() = StatusCode::UNAUTHORIZED;
        return Ok(r);
    }
    // HttpOnly: page scripts never need the token; Strict: no cross-site form can use it.
    let cookie = format!("{TOKEN_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict");
    let mut r = redirect(local(f.next.as_deref()));
    r.headers_mut().insert(
        SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(ApiError::internal)?,
    );
    Ok(r)
}

async fn sign_out() -> Response {
    let mut r = redirect("/");
    let cookie = format!("{TOKEN_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    r.headers_mut().insert(
        SET_COOKIE,
        HeaderValue::from_str(&cookie).expect("ascii cookie"),
    );
    r
}

async fn css() -> Response {
    asset(
        "text/css; charset=utf-8",
        include_str!("../../assets/dashboard.css"),
    )
}

async fn js() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("../../assets/dashboard.js"),
    )
}

fn asset(kind: &'static str, body: &'static str) -> Response {
    (
        [(CONTENT_TYPE, kind), (CACHE_CONTROL, "public, max-age=300")],
        body,
    )
        .into_response()
}

/// The `as_of` of a page: the query's date, within the contest's life (else 422); else the
/// contest's featured date (the day a newcomer should see first, e.g. the defining article's
/// for a bundled scenario); else today on the server's clock.
#[derive(Deserialize, Default)]
pub(crate) struct AsOfQuery {
    pub as_of: Option<String>,
}

impl AsOfQuery {
    async fn date(&self, state: &AppState, contest: &str) -> Result<jiff::civil::Date, ApiError> {
        state
            .as_of(
                contest,
                self.as_of.as_deref(),
                "as_of",
                crate::app::reads::DefaultDate::Featured,
            )
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::local;

    #[test]
    fn sign_in_redirects_stay_on_the_site() {
        for ok in ["/", "/contests/nato-sg-2024", "/contests?as_of=2024-04-02"] {
            assert_eq!(local(Some(ok)), ok);
        }
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "/\\/evil.example",
            "\\\\evil.example",
            "https://evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "evil.example",
            "/contests\\..\\\\evil.example",
        ] {
            assert_eq!(local(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(local(None), "/");
    }
}
