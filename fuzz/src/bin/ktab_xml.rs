//! Fuzz target: a KTAB scenario in XML.

fn main() {
    afl::fuzz!(|data: &[u8]| {
        if let Ok(text) = std::str::from_utf8(data) {
            let _ = concord_smp::input::parse_xml(text, "f.xml");
        }
    });
}
