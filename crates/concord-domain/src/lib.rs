//! The domain of concord: organisations, members, candidates, stances, events, the fold and the decision rules. No IO.

pub mod rules;
