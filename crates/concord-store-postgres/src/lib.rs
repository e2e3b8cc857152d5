//! PostgreSQL backend of the Store trait: the shared deployment.
