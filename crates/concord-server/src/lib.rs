//! The HTTP API and the dashboard of concord.
