//! Fuzz target: a KTAB scenario in CSV.

fn main() {
    afl::fuzz!(|data: &[u8]| {
        if let Ok(text) = std::str::from_utf8(data) {
            let _ = concord_smp::input::parse_csv(text, "f.csv");
        }
    });
}
