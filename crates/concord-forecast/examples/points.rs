//! Prints the back-test points of one case (debugging aid).
fn main() {
    let path = std::env::args().nth(1).expect("a case file");
    let text = std::fs::read_to_string(&path).expect("readable");
    let case = concord_domain::interchange::parse(&path, &text).expect("parses");
    let c = concord_forecast::backtest::prepare("case", &case, &concord_forecast::Params::v1());
    for p in &c.points {
        println!(
            "{} next={:?} hard={:?} decided_by_next={} winner={:?} term_end={} milestones={:?} holds={}",
            p.input.as_of,
            p.next_milestone,
            p.hard_deadline,
            p.decided_by_next,
            p.winner,
            p.input.term_end,
            p.input
                .milestones
                .iter()
                .map(|m| (m.date.to_string(), m.kind.as_str()))
                .collect::<Vec<_>>(),
            p.input.holds.len()
        );
    }
}
