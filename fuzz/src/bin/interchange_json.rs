//! Fuzz target: a historical case in the interchange JSON, through its public `parse`; an
//! accepted one goes through the guard and is folded, as `concord import case.json` would.

fn main() {
    afl::fuzz!(|data: &[u8]| {
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        if let Ok(case) = concord_domain::interchange::parse("f.json", text) {
            let events = case.scenario.into_events("fuzz");
            if concord_domain::Guard::create(&events, concord_fuzz::now()).is_ok() {
                let sealed = concord_domain::event::seal_all(events, None, concord_fuzz::now());
                if let Ok(state) =
                    concord_domain::ContestState::fold(&sealed, jiff::civil::Date::MAX)
                {
                    let _ = concord_domain::StatusView::build(&state);
                }
            }
        }
    });
}
