//! Terminal rendering: the board, the verdict, the milestones and a member's history, as text
//! that reads in an 80-column terminal, or as stable JSON.

use std::fmt::Write as _;

use concord_domain::board::{Basis, Cell, ContestStatus};
use concord_domain::event::EventKind;
use concord_domain::links::LinkView;
use concord_domain::rounds::{PollReading, RoundsView};
use concord_domain::rules::Evaluation;
use concord_domain::view::{CandidateColumn, StatusView};
use concord_domain::{ContestState, Event};

/// Output format of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
}

/// Wraps a list of words to `width` columns with an indent.
fn wrap(words: &[String], indent: usize, width: usize) -> String {
    let mut out = String::new();
    let mut col = indent;
    out.push_str(&" ".repeat(indent));
    for (i, w) in words.iter().enumerate() {
        if i > 0 && col + 1 + w.len() > width {
            out.push('\n');
            out.push_str(&" ".repeat(indent));
            col = indent;
        } else if i > 0 {
            out.push(' ');
            col += 1;
        }
        out.push_str(w);
        col += w.len();
    }
    out
}

/// Wraps running text to `width` columns with an indent (for other commands' tables).
pub fn wrap_text_pub(text: &str, indent: usize, width: usize) -> String {
    wrap_text(text, indent, width)
}

/// Wraps running text to `width` columns with an indent.
fn wrap_text(text: &str, indent: usize, width: usize) -> String {
    let words: Vec<String> = text.split_whitespace().map(str::to_owned).collect();
    wrap(&words, indent, width)
}

fn explain(cell: &Cell) -> String {
    let mut parts = Vec::new();
    if !cell.reasons.is_empty() {
        parts.push(cell.reasons.join("; "));
    }
    if let Some(f) = &cell.follows {
        parts.push(format!("follows {f}"));
    }
    if let Some(l) = &cell.linked_to {
        parts.push(format!("linked to {l}"));
    }
    if let Some(p) = &cell.prefers {
        parts.push(format!("also backs {p}"));
    }
    parts.join(" · ")
}

fn provenance(cell: &Cell) -> String {
    match (&cell.date, &cell.attribution, &cell.source) {
        (Some(d), Some(a), Some(s)) => format!("{d}, {}: {s}", a.as_str()),
        _ => match cell.basis {
            Basis::OwnNational => "derived: own national is a declared candidate".to_owned(),
            _ => "no report".to_owned(),
        },
    }
}

fn column(out: &mut String, c: &CandidateColumn, verdict_line: &str, width: usize) {
    let nat = c
        .nationality
        .as_deref()
        .map(|n| format!("{n}, "))
        .unwrap_or_default();
    let _ = writeln!(out, "{} ({nat}{})", c.name, c.status.as_str());
    let _ = writeln!(out, "  verdict: {verdict_line}");
    // Each supporter says what its support rests on: its own report (unmarked), an analyst's
    // inference (*), or conditions the candidate met (+).
    let marked: Vec<String> = c
        .supporters
        .iter()
        .map(|m| {
            if c.supporters_inferred.contains(m) {
                format!("{m}*")
            } else if c.supporters_on_conditions.iter().any(|x| &x.member == m) {
                format!("{m}+")
            } else {
                m.clone()
            }
        })
        .collect();
    let _ = writeln!(out, "  supporters ({}):", c.supporters.len());
    let _ = writeln!(out, "{}", wrap(&marked, 4, width));
    if !c.supporters_inferred.is_empty() {
        let line = format!(
            "* {} of them inferred: an analyst's reading, no report of the member's own",
            c.supporters_inferred.len()
        );
        let _ = writeln!(out, "{}", wrap_text(&line, 4, width));
    }
    for s in &c.supporters_on_conditions {
        let line = format!(
            "+ {} supports on conditions {} committed to ({}, {}):",
            s.member,
            c.name,
            s.date.map(|d| d.to_string()).unwrap_or_default(),
            s.attribution.map_or("derived", |a| a.as_str())
        );
        let _ = writeln!(out, "{}", wrap_text(&line, 4, width));
        for line in condition_lines(&s.conditions) {
            let _ = writeln!(out, "{}", wrap_text(&line, 6, width));
        }
    }
    if !c.leaning.is_empty() {
        let _ = writeln!(
            out,
            "  leaning ({}): {}",
            c.leaning.len(),
            c.leaning.join(" ")
        );
    }
    if !c.blockers.is_empty() {
        let _ = writeln!(out, "  blockers ({}):", c.blockers.len());
        for b in &c.blockers {
            let _ = writeln!(out, "    {} {}", b.member, b.effective);
            let _ = writeln!(
                out,
                "{}",
                wrap_text(&format!("why: {}", explain(b)), 6, width)
            );
            let _ = writeln!(
                out,
                "{}",
                wrap_text(&format!("source: {}", provenance(b)), 6, width)
            );
            if !b.asked.is_empty() {
                let open = b.asked.iter().filter(|k| !k.met).count();
                let head = format!(
                    "would unblock: {} condition{} set, {open} still open:",
                    b.asked.len(),
                    if b.asked.len() == 1 { "" } else { "s" }
                );
                let _ = writeln!(out, "{}", wrap_text(&head, 6, width));
                for line in condition_lines(&b.asked) {
                    let _ = writeln!(out, "{}", wrap_text(&line, 8, width));
                }
            }
            for d in &b.disagreements {
                let line = format!(
                    "earlier report: {} {} ({}, {})",
                    d.date,
                    d.stance,
                    d.attribution.as_str(),
                    d.source
                );
                let _ = writeln!(out, "{}", wrap_text(&line, 6, width));
            }
        }
    }
    if !c.implicit_holds.is_empty() {
        let _ = writeln!(
            out,
            "  holding because they back a rival ({}):",
            c.implicit_holds.len()
        );
        let _ = writeln!(out, "{}", wrap(&c.implicit_holds, 4, width));
        for x in &c.superseded {
            let Some(by) = &x.superseded_by else { continue };
            let line = format!(
                "{}'s support of {} is superseded by its later support for {}{} (one candidate at a time)",
                x.member,
                x.date.map(|d| d.to_string()).unwrap_or_default(),
                by.candidate,
                by.date.map(|d| format!(", {d}")).unwrap_or_default()
            );
            let _ = writeln!(out, "{}", wrap_text(&line, 4, width));
        }
    }
    if !c.pending.is_empty() {
        let _ = writeln!(out, "  pending conditions ({}):", c.pending.len());
        for p in &c.pending {
            let unmet: Vec<&str> = p
                .conditions
                .iter()
                .filter(|c| !c.met)
                .map(|c| c.text.as_str())
                .collect();
            let _ = writeln!(out, "    {} conditional", p.member);
            let _ = writeln!(
                out,
                "{}",
                wrap_text(&format!("unmet: {}", unmet.join("; ")), 6, width)
            );
            let _ = writeln!(
                out,
                "{}",
                wrap_text(&format!("source: {}", provenance(p)), 6, width)
            );
        }
    }
    let _ = writeln!(out, "  undeclared ({}):", c.undeclared.len());
    if !c.undeclared.is_empty() {
        let _ = writeln!(out, "{}", wrap(&c.undeclared, 4, width));
    }
}

/// Conditions in a few lines: the open ones, then those met, grouped by the commitment that
/// met them (one commitment often meets several).
fn condition_lines(conditions: &[concord_domain::board::ConditionStatus]) -> Vec<String> {
    let mut out = Vec::new();
    let open: Vec<&str> = conditions
        .iter()
        .filter(|k| !k.met)
        .map(|k| k.text.as_str())
        .collect();
    if !open.is_empty() {
        out.push(format!("open: {}", open.join("; ")));
    }
    let mut groups: Vec<(Option<&concord_domain::board::MetBy>, Vec<&str>)> = Vec::new();
    for k in conditions.iter().filter(|k| k.met) {
        match groups.iter_mut().find(|(by, _)| *by == k.met_by.as_ref()) {
            Some((_, texts)) => texts.push(&k.text),
            None => groups.push((k.met_by.as_ref(), vec![&k.text])),
        }
    }
    for (by, texts) in groups {
        out.push(match by {
            Some(by) => format!(
                "met by the commitment of {} (\"{}\"): {}",
                by.date,
                by.text,
                texts.join("; ")
            ),
            None => format!("met: {}", texts.join("; ")),
        });
    }
    out
}

/// The evaluation in one line; many implicit holds are counted rather than listed.
fn verdict_line(evaluation: &Evaluation) -> String {
    let full = evaluation.to_string();
    let implicit: Vec<&str> = evaluation
        .blockers
        .iter()
        .filter(|b| b.hold.is_implicit())
        .map(|b| b.member.as_str())
        .collect();
    if full.len() <= 120 || implicit.len() < 4 {
        return full;
    }
    let explicit: Vec<String> = evaluation
        .blockers
        .iter()
        .filter(|b| !b.hold.is_implicit())
        .map(ToString::to_string)
        .collect();
    let mut line = format!("blocked by {} members backing a rival", implicit.len());
    if !explicit.is_empty() {
        let _ = write!(line, " and by {}", explicit.join(", "));
    }
    line
}

/// The board as text.
pub fn status_table(view: &StatusView, state: &ContestState) -> String {
    let width = 80;
    let mut out = String::new();
    let h = &view.contest;
    let title = format!("{} — {} ({})", h.organisation, h.title, h.id);
    let _ = writeln!(out, "{}", wrap_text(&title, 0, width));
    // Once decided, the office passes to the successor, not to the reversion.
    let then = match &h.successor {
        Some(s) => format!("then {}, appointed {}", s.name, s.appointed),
        None => format!("then {}", h.reversion),
    };
    let facts = format!(
        "as of {} · rule: {} · {} members · {} until {} ({then})",
        view.as_of,
        h.rule.name(),
        h.members,
        h.incumbent.as_deref().unwrap_or("vacant"),
        h.term_end,
    );
    let _ = writeln!(out, "{}", wrap_text(&facts, 0, width));
    let _ = writeln!(out);
    let status = match view.verdict.status {
        ContestStatus::Decided => format!(
            "DECIDED — {} appointed",
            view.verdict
                .decided
                .as_deref()
                .and_then(|id| state.candidate(id))
                .map_or("?", |c| c.profile.name.as_str())
        ),
        ContestStatus::Clear => "CLEAR — a candidate can be adopted now".to_owned(),
        ContestStatus::Blocked => "BLOCKED — no candidate can be adopted today".to_owned(),
        ContestStatus::NoCandidates => "NO CANDIDATES declared yet".to_owned(),
    };
    // Under a straw-poll rule the latest round is the verdict that matters: stances are rarely on
    // record (the tallies are anonymous), so the stance count alone would always say blocked.
    let poll = view
        .rounds
        .as_ref()
        .and_then(|r| r.latest.as_ref())
        .filter(|_| view.verdict.status != ContestStatus::Decided);
    match poll {
        Some(p) => {
            let word = match p.reading {
                PollReading::Meets => "CLEAR",
                PollReading::MeetsUnlessVetoed => "OPEN",
                PollReading::Vetoed => "BLOCKED",
                PollReading::Short => "SHORT",
            };
            let line = format!(
                "Verdict: {word} by the latest straw poll (round {}, {}) — {}",
                p.round, p.date, p.text
            );
            let _ = writeln!(out, "{}", wrap_text(&line, 0, width));
        }
        None => {
            let _ = writeln!(out, "Verdict: {status}");
        }
    }
    if !view.verdict.posts.is_empty() {
        let _ = writeln!(out);
        out.push_str(&package_section(view, state, width));
    }
    if let Some(rounds) = &view.rounds {
        let _ = writeln!(out);
        out.push_str(&rounds_section(rounds, width));
    }
    // Anonymous tallies and no stance on record: one line per candidate says all there is.
    let anonymous = view.rounds.is_some() && view.board.cells.iter().all(|c| c.reports == 0);
    if anonymous && !view.candidates.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "No member's stance is on record (the tallies are anonymous); counting stances only:"
        );
        for c in &view.candidates {
            let line = view
                .verdict
                .candidates
                .iter()
                .find(|v| v.candidate == c.id)
                .map(|v| verdict_line(&v.evaluation))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "{}",
                wrap_text(
                    &format!("{} ({}): {line}", c.name, c.status.as_str()),
                    2,
                    width
                )
            );
        }
    }
    for c in view.candidates.iter().filter(|_| !anonymous) {
        let _ = writeln!(out);
        let line = view
            .verdict
            .candidates
            .iter()
            .find(|v| v.candidate == c.id)
            .map(|v| verdict_line(&v.evaluation))
            .unwrap_or_default();
        column(&mut out, c, &line, width);
    }
    if let Some(links) = &view.links {
        let _ = writeln!(out);
        out.push_str(&links_section(links, state, width));
    }
    if !view.potential_candidates.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "Potential candidates (floated, not in the race):");
        for p in &view.potential_candidates {
            let nat = p.nationality.as_deref().unwrap_or("-");
            let _ = writeln!(out, "  {} ({nat}), since {}", p.name, p.since);
            let _ = writeln!(
                out,
                "{}",
                wrap_text(&format!("source: {}", p.source), 6, width)
            );
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "Milestones:");
    for m in &view.milestones {
        let when = match m.days_left {
            d if d > 1 => format!("in {d} days"),
            1 => "tomorrow".to_owned(),
            0 => "today".to_owned(),
            -1 => "yesterday".to_owned(),
            d => format!("{} days ago", -d),
        };
        let fixed = format!(
            "  {}  {:<13}  {:<14}  ",
            m.date,
            m.kind.as_str().replace('_', " "),
            when
        );
        // The label wraps under itself, after the fixed columns.
        let label = wrap_text(&m.label, fixed.chars().count(), width);
        let _ = writeln!(out, "{fixed}{}", label.trim_start());
    }
    out
}

fn contest_status(
    status: Option<ContestStatus>,
    decided: &Option<(String, jiff::civil::Date)>,
) -> String {
    if let Some((name, date)) = decided {
        return format!("decided: {name}, {date}");
    }
    match status {
        Some(ContestStatus::Decided) => "decided".to_owned(),
        Some(ContestStatus::Clear) => "clear: a candidate can be adopted".to_owned(),
        Some(ContestStatus::Blocked) => "blocked".to_owned(),
        Some(ContestStatus::NoCandidates) => "no candidates yet".to_owned(),
        None => "cannot be evaluated".to_owned(),
    }
}

/// A package's posts: nothing is agreed until every post is.
fn package_section(view: &StatusView, state: &ContestState, width: usize) -> String {
    let mut out = String::new();
    let head = format!(
        "Package of {} posts: each needs its own agreement, and nothing is agreed until all are.",
        view.verdict.posts.len()
    );
    let _ = writeln!(out, "{}", wrap_text(&head, 0, width));
    let name = |id: &str| {
        state
            .candidate(id)
            .map_or(id.to_owned(), |c| c.profile.name.clone())
    };
    for p in &view.verdict.posts {
        let line = match p.status {
            ContestStatus::Decided => format!(
                "{}: decided — {}",
                p.title,
                p.decided.as_deref().map(name).unwrap_or_default()
            ),
            ContestStatus::NoCandidates => format!("{}: no candidate on record", p.title),
            ContestStatus::Clear => format!(
                "{}: clear — {}",
                p.title,
                p.clear
                    .iter()
                    .map(|c| name(c))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            ContestStatus::Blocked => format!(
                "{}: blocked — {} in the race, none clear: this holds the whole package",
                p.title,
                p.candidates.len()
            ),
        };
        let _ = writeln!(out, "{}", wrap_text(&line, 2, width));
    }
    out
}

/// Stances linked to other contests, both ways.
fn links_section(links: &LinkView, state: &ContestState, width: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Linked contests:");
    let name = |id: &str| {
        state
            .candidate(id)
            .map_or(id.to_owned(), |c| c.profile.name.clone())
    };
    for l in &links.outgoing {
        let status = match &l.linked {
            Some(c) => format!("{}: {}", c.title, contest_status(c.status, &c.decided)),
            None if concord_domain::links::BUNDLED_CONTESTS.contains(&l.contest.as_str()) => {
                format!(
                    "bundled, not imported: `concord import {}` to follow it",
                    l.contest
                )
            }
            None => "not in this store".to_owned(),
        };
        let line = format!(
            "{} {} {} — linked to {} ({status}){}",
            l.member,
            l.stance,
            name(&l.candidate),
            l.contest,
            if l.holds {
                "; the hold is bargained against it"
            } else {
                ""
            }
        );
        let _ = writeln!(out, "{}", wrap_text(&line, 2, width));
    }
    for l in &links.incoming {
        let line = format!(
            "from {} ({}): {} {} {} since {}, linked to this contest",
            l.from.id,
            contest_status(l.from.status, &l.from.decided),
            l.member,
            l.stance,
            l.candidate_name,
            l.date
        );
        let _ = writeln!(out, "{}", wrap_text(&line, 2, width));
    }
    out
}

fn signed(x: i64) -> String {
    if x > 0 {
        format!("+{x}")
    } else {
        x.to_string()
    }
}

/// Straw polls, consultation rounds and ballot rounds, round by round.
pub fn rounds_section(rounds: &RoundsView, width: usize) -> String {
    let mut out = String::new();
    if !rounds.polls.is_empty() {
        let _ = writeln!(out, "Straw polls (encourage-discourage-no opinion):");
        if let Some(t) = &rounds.threshold {
            let _ = writeln!(
                out,
                "{}",
                wrap_text(
                    &format!(
                        "to pass: {}. Δ: change since the candidate's last poll; ±: encouragements above or below {}.",
                        t.text, t.encourage_needed
                    ),
                    2,
                    width
                )
            );
        }
        for poll in &rounds.polls {
            let coloured = if poll.colour_coded {
                " (colour-coded: red ballots for permanent members)"
            } else {
                " (uncoloured ballots)"
            };
            let _ = writeln!(out, "  Round {} — {}{coloured}", poll.round, poll.date);
            if !poll.entered_since.is_empty() {
                let _ = writeln!(
                    out,
                    "{}",
                    wrap_text(
                        &format!(
                            "entered since the last poll: {}",
                            poll.entered_since.join(", ")
                        ),
                        4,
                        width
                    )
                );
            }
            if !poll.withdrew_since.is_empty() {
                let _ = writeln!(
                    out,
                    "{}",
                    wrap_text(
                        &format!(
                            "withdrew since the last poll: {}",
                            poll.withdrew_since.join(", ")
                        ),
                        4,
                        width
                    )
                );
            }
            let _ = writeln!(
                out,
                "    {:<22} {:>8} {:>5} {:>3} {:>3}",
                "", "E-D-N", "", "Δ", "±"
            );
            for l in &poll.lines {
                let tally = format!("{}-{}-{}", l.encourage, l.discourage, l.no_opinion);
                let red = l
                    .p5_discourage
                    .map(|p| format!("{p} red"))
                    .unwrap_or_default();
                let change = l.change.map(signed).unwrap_or_default();
                let (margin, reading) = match l.reading {
                    Some(r) => (signed(l.margin), r.as_str()),
                    None => (String::new(), ""),
                };
                let line = format!(
                    "    {:<22} {tally:>8} {red:>5} {change:>3} {margin:>3}  {reading}",
                    truncate(&l.name, 22)
                );
                let _ = writeln!(out, "{}", line.trim_end());
            }
        }
        let _ = writeln!(out, "  Trend (encouragements, round by round):");
        for t in &rounds.trends {
            let series: Vec<String> = t
                .encourage
                .iter()
                .map(|e| e.map_or(" ·".to_owned(), |v| format!("{v:>2}")))
                .collect();
            let status = match t.status {
                concord_domain::CandidateStatus::Withdrawn => " (out)",
                concord_domain::CandidateStatus::Appointed => " (appointed)",
                _ => "",
            };
            let _ = writeln!(
                out,
                "    {:<22} {:<20} {}{status}",
                truncate(&t.name, 22),
                series.join(" "),
                t.direction
            );
        }
        if let Some(t) = &rounds.threshold {
            let mut line = format!("Who could veto: {}", t.veto_holders.join(", "));
            if let Some(last) = rounds.polls.iter().rev().find(|p| p.colour_coded) {
                let red: Vec<String> = last
                    .lines
                    .iter()
                    .filter(|l| l.p5_discourage.unwrap_or(0) > 0)
                    .map(|l| format!("{} {}", l.name, l.p5_discourage.unwrap_or(0)))
                    .collect();
                if red.is_empty() {
                    let _ = write!(line, "; none discouraged anyone in round {}", last.round);
                } else {
                    let _ = write!(
                        line,
                        "; red discouragements in round {}: {}",
                        last.round,
                        red.join(", ")
                    );
                }
            } else {
                line.push_str(
                    "; no colour-coded poll yet, so no discouragement is known to be a veto",
                );
            }
            let _ = writeln!(out, "{}", wrap_text(&line, 2, width));
        }
    }
    if !rounds.consultations.is_empty() {
        let _ = writeln!(
            out,
            "Consultation rounds (members' preferences, the field cut each round):"
        );
        for c in &rounds.consultations {
            let _ = writeln!(
                out,
                "  Round {} — {}: {} → {}",
                c.round,
                c.date,
                c.field,
                c.advanced.len()
            );
            if !c.advanced.is_empty() {
                let _ = writeln!(
                    out,
                    "{}",
                    wrap_text(&format!("through: {}", c.advanced.join(", ")), 4, width)
                );
            }
            if !c.eliminated.is_empty() {
                let _ = writeln!(
                    out,
                    "{}",
                    wrap_text(&format!("out: {}", c.eliminated.join(", ")), 4, width)
                );
            }
        }
    }
    if !rounds.ballots.is_empty() {
        let _ = writeln!(out, "Ballot rounds:");
        for b in &rounds.ballots {
            let mut head = format!("  Round {} — {}", b.round, b.date);
            if let Some(n) = b.needed {
                let _ = write!(head, ": {n} needed");
                if let Some(v) = b.voters {
                    let _ = write!(head, " of {v} voting");
                }
            }
            let _ = writeln!(out, "{head}");
            let votes: Vec<String> = b.votes.iter().map(|(n, v)| format!("{n} {v}")).collect();
            let _ = writeln!(out, "{}", wrap_text(&votes.join(", "), 4, width));
            if !b.eliminated.is_empty() {
                let _ = writeln!(
                    out,
                    "{}",
                    wrap_text(&format!("out: {}", b.eliminated.join(", ")), 4, width)
                );
            }
        }
    }
    out
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

/// A member's history as text or JSON.
pub fn history(
    state: &ContestState,
    member: &str,
    events: &[&Event],
    format: Format,
) -> anyhow::Result<()> {
    if format == Format::Json {
        outln!("{}", serde_json::to_string_pretty(events)?);
        return Ok(());
    }
    let name = state.member(member).map_or(member, |m| m.name.as_str());
    outln!("{name} ({member}) — {} entries", events.len());
    for e in events {
        let line = match &e.kind {
            EventKind::StanceReported(s) => {
                let mut l = format!("{} on {}", s.stance, s.candidate);
                if !s.reasons.is_empty() {
                    let _ = write!(l, " — {}", s.reasons.join("; "));
                }
                if !s.visibility.is_public() {
                    l.push_str(" [chair only]");
                }
                l
            }
            EventKind::ConditionSet {
                condition,
                text,
                candidate,
                ..
            } => format!(
                "condition {condition} on {}: {text}",
                candidate.as_deref().unwrap_or("any candidate")
            ),
            EventKind::CommitmentMade {
                candidate, text, ..
            } => {
                format!("commitment by {candidate}: {text}")
            }
            EventKind::SilenceBroken {
                procedure,
                statement,
                ..
            } => {
                format!("broke silence on {procedure}: {statement}")
            }
            other => other.name().to_owned(),
        };
        outln!("  {}  #{:<4} {line}", e.valid, e.seq);
        if let Some(r) = e.kind.report() {
            outln!(
                "                    {}: {}",
                r.attribution.as_str(),
                r.source
            );
        }
    }
    Ok(())
}
