//! SQLite backend of the Store trait: the embedded default.
