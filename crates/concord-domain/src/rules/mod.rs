//! Decision rules: pure functions from the ballots of a board at a date to an evaluation.
