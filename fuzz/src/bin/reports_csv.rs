//! Fuzz target: a CSV of stance reports, read and checked against the NATO 2024 contest.

fn main() {
    let guard = concord_fuzz::nato();
    afl::fuzz!(|data: &[u8]| {
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        let _ =
            concord_domain::reports_csv::parse("f.csv", text, guard, "fuzz", concord_fuzz::now());
    });
}
