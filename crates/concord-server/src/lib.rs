//! The HTTP face of concord: an axum router over the ledger with per-role access, the live
//! silence procedure, a Server-Sent Events stream of new events, and the web dashboard.
//!
//! [`router`] builds everything from an [`AppState`]; the binary (`concord serve`) only wires a
//! store, a clock and settings into it and serves it with [`serve`].

pub mod api;
pub mod app;
pub mod auth;
pub mod dashboard;
pub mod error;

pub use app::{AppState, Clock, ManualClock, ServerSettings, SystemClock};
pub use auth::{Principal, Role};
pub use error::ApiError;

use std::future::Future;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// The whole application: the JSON API under `/api`, and the dashboard, behind the layers every
/// request goes through (request ids, tracing, a timeout, a body limit).
pub fn router(state: AppState) -> Router {
    let settings = state.settings.clone();
    Router::new()
        .merge(api::routes().layer(axum::middleware::from_fn(error::api_errors_as_json)))
        .merge(crate::dashboard::routes())
        .fallback(|| async { ApiError::NotFound("no such route".to_owned()) })
        .with_state(state)
        .layer(DefaultBodyLimit::max(settings.body_limit))
        // The timeout covers producing the response head; an SSE body streams on past it.
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            settings.request_timeout,
        ))
        // Inside the request-id layers: an error answered below can name its request.
        .layer(axum::middleware::from_fn(error::with_request_id))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

/// Serves the application on `listener` until `shutdown` completes, then stops accepting,
/// ends SSE streams and finishes the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state.clone());
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            tracing::info!("shutting down: finishing requests in flight");
            state.begin_shutdown();
        })
        .await
}
