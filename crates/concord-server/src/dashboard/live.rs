//! `/contests/{id}/live`: a Server-Sent Events stream that says "changed" whenever an event is
//! appended to the contest, from the store's notifications. The pages' script then reloads
//! their main fragment, which is folded again with the reader's own view; the stream itself
//! carries no event data, so it cannot leak a `chair_only` stance to anyone. It ends when the
//! server begins a graceful shutdown.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;

use super::{PageError, Who, who};
use crate::AppState;

pub(super) async fn stream(
    State(state): State<AppState>,
    w: Who,
    Path(id): Path<String>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, PageError> {
    let _ = who(w)?;
    let mut notes = state.ledger.store().subscribe();
    let mut shutdown = state.shutdown_signal();
    let events = async_stream(move |tx| async move {
        // A silence deadline changes the outcome with no event appended: the stream says
        // "changed" once the server's clock passes it (looked at each second, so a test's
        // clock moved by hand is seen as soon as the wall clock's).
        let mut due = super::silence::next_deadline(&state, &id).await;
        loop {
            // A graceful shutdown ends the stream at once: the server then finishes without
            // waiting for live clients that never hang up.
            if *shutdown.borrow() {
                return;
            }
            let note = tokio::select! {
                note = notes.recv() => note,
                _ = shutdown.changed() => return,
                _ = tokio::time::sleep(Duration::from_secs(1)), if due.is_some() => {
                    if due.is_some_and(|d| state.now() >= d) {
                        if tx.send(Event::default().event("changed").data("deadline")).await.is_err() {
                            return;
                        }
                        due = super::silence::next_deadline(&state, &id).await;
                    }
                    continue;
                }
            };
            if matches!(&note, Ok(n) if n.stream == id) {
                due = super::silence::next_deadline(&state, &id).await;
            }
            match note {
                Ok(n) if n.stream == id => {
                    if tx
                        .send(Event::default().event("changed").data(n.seq.to_string()))
                        .await
                        .is_err()
                    {
                        return;
                    }
                }
                Ok(_) => {}
                // Missed some: a reload is right whatever they were.
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                    if tx
                        .send(Event::default().event("changed").data("?"))
                        .await
                        .is_err()
                    {
                        return;
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            }
        }
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// A stream fed by a spawned task through a small channel (no extra crate for generators).
fn async_stream<F, Fut>(f: F) -> impl Stream<Item = Result<Event, Infallible>>
where
    F: FnOnce(tokio::sync::mpsc::Sender<Event>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel(16);
    tokio::spawn(f(tx));
    futures::stream::unfold(
        rx,
        |mut rx| async move { rx.recv().await.map(|e| (Ok(e), rx)) },
    )
}
