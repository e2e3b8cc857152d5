//! The `concord` command line: a thin layer of clap, settings and wiring over the library crates.

fn main() {}
