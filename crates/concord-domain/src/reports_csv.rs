//! CSV import of stance reports, as analysts keep them in spreadsheets. Every row is read into
//! the same [`ReportStance`] command the API and `concord record` fill, and checked by the
//! contest's [`Guard`]; one bad row rejects the file whole, with every problem listed at its
//! line and column (the column named by the refusal's field).
//!
//! Columns (header required, any order): `date, member, candidate, stance, source` and
//! optionally `attribution, confidence, speaker, published, reasons, conditions, follows,
//! linked_to, visibility`. `reasons` and `conditions` hold several values separated by `;`.

use jiff::Timestamp;

use crate::command::ReportStance;
use crate::diagnostic::{Diagnostic, Diagnostics, Location, did_you_mean};
use crate::event::NewEvent;
use crate::guard::Guard;

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

/// Parses a CSV of reports and checks every row against the contest (its guard) as of `now`.
pub fn parse(
    file: &str,
    text: &str,
    guard: &Guard,
    author: &str,
    now: Timestamp,
) -> Result<Vec<NewEvent>, Diagnostics> {
    // Line endings as one `\n`: the csv reader numbers the lines of a CRLF file (a browser's
    // form, a Windows spreadsheet) one short after its first record, so every problem would
    // point at the line above its own.
    let text: std::borrow::Cow<'_, str> = if text.contains('\r') {
        text.replace("\r\n", "\n").into()
    } else {
        text.into()
    };
    let text = text.as_ref();
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
        let optional = |name: &str| Some(get(name).to_owned()).filter(|s| !s.is_empty());
        let mut confidence_problem = None;
        let confidence = match get("confidence") {
            "" => None,
            c => match c.parse::<f64>() {
                Ok(v) => Some(v),
                Err(_) => {
                    confidence_problem = Some(
                        Diagnostic::new(
                            at(line, col("confidence").map_or(1, |i| i + 1)),
                            format!("'{c}' is not a confidence"),
                        )
                        .expected("a number from 0 to 1"),
                    );
                    None
                }
            },
        };
        let command = ReportStance {
            member: get("member").to_owned(),
            candidate: get("candidate").to_owned(),
            stance: get("stance").to_owned(),
            source: get("source").to_owned(),
            // The date is required in a file: an empty cell is a problem, not "today".
            date: Some(get("date").to_owned()).map(|d| {
                if d.is_empty() {
                    "(empty)".to_owned()
                } else {
                    d
                }
            }),
            attribution: optional("attribution"),
            confidence,
            speaker: optional("speaker"),
            published: optional("published"),
            reasons: split_list(get("reasons")),
            conditions: split_list(get("conditions")),
            follows: optional("follows"),
            linked_to: optional("linked_to"),
            visibility: optional("visibility"),
        };
        if let Some(d) = confidence_problem {
            problems.push(d);
        }
        match guard.report_stance(&command, author, now) {
            Ok(event) => events.push(event),
            Err(refusals) => {
                for r in &refusals.0 {
                    let name = r.field.split(['[', '.']).next().unwrap_or(&r.field);
                    problems.push(r.locate(at(line, col(name).map_or(1, |i| i + 1))));
                }
            }
        }
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
