//! Speed of the reader (filled in below).
fn main() {}
