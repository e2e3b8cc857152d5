//! One module per group of subcommands.

pub mod bargain;
pub mod board;
pub mod forecast;
pub mod ingest;
pub mod ledger;
pub mod power;
pub mod readme;
pub mod review;
pub mod serve;
pub mod silence;
pub mod token;
