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

use axum::Router;

/// The whole application: the JSON API under `/api`, and the dashboard.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(api::routes())
        .merge(crate::dashboard::routes())
        .with_state(state)
}
