//! Fuzz target: a scenario TOML, parsed and checked; an accepted one is folded and its board
//! and verdict built, as `concord status` would after importing it.

fn main() {
    afl::fuzz!(|data: &[u8]| {
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        if let Ok(s) =
            concord_domain::scenario::parse_at("f.toml", text, "fuzz", concord_fuzz::now())
        {
            let events =
                concord_domain::event::seal_all(s.into_events("fuzz"), None, concord_fuzz::now());
            if let Ok(state) = concord_domain::ContestState::fold(&events, jiff::civil::Date::MAX) {
                let _ = concord_domain::StatusView::build(&state);
            }
        }
    });
}
