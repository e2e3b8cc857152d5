//! The web dashboard (issue 5): server-rendered pages over the same state, auth and SSE stream
//! as the API. A placeholder until the dashboard lands.

use axum::Router;

use crate::AppState;

/// The dashboard's routes, merged into [`crate::router`].
pub fn routes() -> Router<AppState> {
    Router::new()
}
