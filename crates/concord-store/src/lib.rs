//! The storage contract: the Store trait, its errors, and the contract test suite every backend passes.
