//! The domain of concord: organisations, members, candidates, stances, events, the fold and the
//! decision rules. No IO, no async, no clock: time is always a parameter.

pub mod board;
pub mod chain;
pub mod command;
pub mod countries;
pub mod diagnostic;
pub mod event;
pub mod guard;
pub mod interchange;
pub mod links;
pub mod model;
pub mod power;
pub mod procedure;
pub mod reports_csv;
pub mod rounds;
pub mod rules;
pub mod scenario;
pub mod state;
pub mod view;

pub use board::{Board, Cell, ContestStatus, Verdict};
pub use diagnostic::{Diagnostic, Diagnostics};
pub use event::{Event, EventKind, NewEvent};
pub use guard::{Guard, Refusal, Refusals};
pub use model::*;
pub use state::ContestState;
pub use view::StatusView;
