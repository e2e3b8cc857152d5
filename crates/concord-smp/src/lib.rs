//! The spatial model of politics (KTAB's SMP), restated, reproduced exactly and made fast.
//!
//! Actors with a capability and, on one or more issue dimensions, a position and a salience
//! bargain in turns until their positions settle. Each turn yields every actor's position and
//! the probability that each distinct position is the outcome.
//!
//! ```
//! use concord_smp::{run, Actor, Scenario};
//! let actor = |name: &str, cap: f64, pos: f64, sal: f64| Actor {
//!     name: name.into(), description: String::new(), capability: cap,
//!     position: vec![pos], salience: vec![sal],
//! };
//! let scenario = Scenario::new(
//!     "demo",
//!     vec!["Issue".into()],
//!     vec![actor("A", 100.0, 10.0, 80.0), actor("B", 60.0, 55.0, 50.0),
//!          actor("C", 40.0, 90.0, 90.0), actor("D", 30.0, 70.0, 30.0)],
//! );
//! let result = run(&scenario).unwrap();
//! let last = result.last();
//! let expected = last.expected_outcome()[0] * 100.0; // back to the 0–100 scale
//! assert!((0.0..=100.0).contains(&expected));
//! ```
//!
//! The crate does no IO: [`input`] parses KTAB's CSV and XML formats from strings. See the
//! crate's README for where KTAB behaves oddly and what concord does about it.

pub mod engine;
pub mod input;
pub mod kernel;
pub mod params;
pub mod scenario;

pub use engine::{Bargain, PositionClass, Run, RunOptions, SmpError, Turn, run, run_with};
pub use params::Params;
pub use scenario::{Actor, Scenario};
