//! CSV import of stance reports, as analysts keep them in spreadsheets. Every row is checked
//! against the contest; one bad row rejects the file whole, with every problem listed.
//!
//! Columns (header required, any order): `date, member, candidate, stance, source` and
//! optionally `attribution, confidence, speaker, published, reasons, conditions, follows,
//! linked_to, visibility`. `reasons` and `conditions` hold several values separated by `;`.

use jiff::civil::Date;

use crate::diagnostic::{Diagnostic, Diagnostics, Location, did_you_mean};
use crate::event::{EventKind, NewEvent, StanceReport};
use crate::model::{Attribution, Report, Stance, Visibility};
use crate::scenario::default_confidence;
use crate::state::ContestState;

const REQUIRED: [&str; 5] = ["date", "member", "candidate", "stance", "source"];
const OPTIONAL: [&str; 9] = [
    "attribution",
    "confidence",
    "speaker",
    "published",
    "reasons",
    "conditions",
    "follows",
    "linked_to",
    "visibility",
];

/// Parses a CSV of reports against the contest's state (members, candidates, conditions).
pub fn parse(
    file: &str,
    text: &str,
    state: &ContestState,
    author: &str,
) -> Result<Vec<NewEvent>, Diagnostics> {
    let mut problems = Diagnostics::default();
    let at = |line: usize, column: usize| Location::Text {
        file: file.to_owned(),
        line,
        column,
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            problems.push(Diagnostic::new(at(1, 1), format!("unreadable header: {e}")));
            return Err(problems);
        }
    };
    let known: Vec<&str> = REQUIRED.iter().chain(OPTIONAL.iter()).copied().collect();
    for (i, h) in headers.iter().enumerate() {
        if !known.contains(&h) {
            problems.push(
                Diagnostic::new(at(1, i + 1), format!("unknown column '{h}'"))
                    .expected(format!("one of {}", known.join(", ")))
                    .suggest(did_you_mean(h, known.iter().copied())),
            );
        }
    }
    for r in REQUIRED {
        if !headers.iter().any(|h| h == r) {
            problems.push(
                Diagnostic::new(at(1, 1), format!("missing column '{r}'"))
                    .expected(format!("the columns {}", REQUIRED.join(", "))),
            );
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let col = |name: &str| headers.iter().position(|h| h == name);

    let members: Vec<&str> = state.members.iter().map(|m| m.code.as_str()).collect();
    let candidates: Vec<&str> = state
        .candidates
        .iter()
        .map(|c| c.profile.id.as_str())
        .collect();
    let mut events = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                problems.push(Diagnostic::new(at(line, 1), e.to_string()));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line() as usize);
        let get = |name: &str| col(name).and_then(|i| record.get(i)).unwrap_or("");
        let loc = |name: &str| at(line, col(name).map_or(1, |i| i + 1));
        let mut bad = false;
        let mut fail = |d: Diagnostic| {
            problems.push(d);
            bad = true;
        };

        let date = get("date").parse::<Date>().ok();
        if date.is_none() {
            fail(
                Diagnostic::new(loc("date"), format!("'{}' is not a date", get("date")))
                    .expected("YYYY-MM-DD"),
            );
        }
        let member = get("member");
        match state.member(member) {
            None => fail(
                Diagnostic::new(loc("member"), format!("unknown member '{member}'"))
                    .expected("a member code of this contest")
                    .suggest(did_you_mean(member, members.iter().copied())),
            ),
            Some(m) => {
                if let Some(d) = date
                    && !m.is_member_on(d)
                {
                    fail(Diagnostic::new(
                        loc("member"),
                        format!("{member} was not a member on {d} (joined {})", m.joined),
                    ));
                }
            }
        }
        let candidate = get("candidate");
        if state.candidate(candidate).is_none() {
            fail(
                Diagnostic::new(loc("candidate"), format!("unknown candidate '{candidate}'"))
                    .expected("a candidate id of this contest")
                    .suggest(did_you_mean(candidate, candidates.iter().copied())),
            );
        }
        let stance = Stance::parse(get("stance"));
        if stance.is_none() {
            fail(
                Diagnostic::new(loc("stance"), format!("unknown stance '{}'", get("stance")))
                    .expected("supports, leans, conditional, undeclared, withholds or objects")
                    .suggest(did_you_mean(get("stance"), Stance::ALL.map(Stance::as_str))),
            );
        }
        if get("source").is_empty() {
            fail(
                Diagnostic::new(loc("source"), "empty source")
                    .expected("a URL or a citation: every claim needs a source"),
            );
        }
        let attribution = match get("attribution") {
            "" => Some(Attribution::Inferred),
            a => Attribution::parse(a),
        };
        if attribution.is_none() {
            fail(
                Diagnostic::new(
                    loc("attribution"),
                    format!("unknown attribution '{}'", get("attribution")),
                )
                .expected("official, on_record, anonymous or inferred")
                .suggest(did_you_mean(
                    get("attribution"),
                    Attribution::ALL.map(Attribution::as_str),
                )),
            );
        }
        let confidence = match get("confidence") {
            "" => attribution.map(default_confidence),
            c => c.parse::<f64>().ok().filter(|c| (0.0..=1.0).contains(c)),
        };
        if confidence.is_none() && attribution.is_some() {
            fail(
                Diagnostic::new(
                    loc("confidence"),
                    format!("'{}' is not a confidence", get("confidence")),
                )
                .expected("a number from 0 to 1"),
            );
        }
        let published = match get("published") {
            "" => None,
            p => {
                let parsed = p.parse::<Date>().ok();
                if parsed.is_none() {
                    fail(
                        Diagnostic::new(loc("published"), format!("'{p}' is not a date"))
                            .expected("YYYY-MM-DD"),
                    );
                }
                parsed
            }
        };
        let follows = match get("follows") {
            "" => None,
            f => {
                if state.member(f).is_none() {
                    fail(
                        Diagnostic::new(loc("follows"), format!("unknown member '{f}'"))
                            .suggest(did_you_mean(f, members.iter().copied())),
                    );
                }
                Some(f.to_owned())
            }
        };
        let conditions: Vec<String> = split_list(get("conditions"));
        for c in &conditions {
            if !state
                .conditions
                .iter()
                .any(|k| k.member == member && k.id == *c)
            {
                let known: Vec<&str> = state
                    .conditions
                    .iter()
                    .filter(|k| k.member == member)
                    .map(|k| k.id.as_str())
                    .collect();
                fail(
                    Diagnostic::new(
                        loc("conditions"),
                        format!("{member} has set no condition '{c}'"),
                    )
                    .suggest(did_you_mean(c, known)),
                );
            }
        }
        let visibility = match get("visibility") {
            "" | "public" => Some(Visibility::Public),
            "chair_only" => Some(Visibility::ChairOnly),
            v => {
                fail(
                    Diagnostic::new(loc("visibility"), format!("unknown visibility '{v}'"))
                        .expected("public or chair_only")
                        .suggest(did_you_mean(v, ["public", "chair_only"])),
                );
                None
            }
        };
        if bad {
            continue;
        }
        let (Some(date), Some(stance), Some(attribution), Some(confidence), Some(visibility)) =
            (date, stance, attribution, confidence, visibility)
        else {
            continue;
        };
        events.push(NewEvent {
            valid: date,
            author: author.to_owned(),
            kind: EventKind::StanceReported(StanceReport {
                member: member.to_owned(),
                candidate: candidate.to_owned(),
                stance,
                reasons: split_list(get("reasons")),
                conditions,
                follows,
                linked_to: Some(get("linked_to").to_owned()).filter(|s| !s.is_empty()),
                visibility,
                report: Report {
                    source: get("source").to_owned(),
                    attribution,
                    confidence,
                    speaker: Some(get("speaker").to_owned()).filter(|s| !s.is_empty()),
                    published,
                },
            }),
        });
    }
    problems.into_result(events)
}

fn split_list(cell: &str) -> Vec<String> {
    cell.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}
