//! Beyond stances: the candidacies, withdrawals, conditions, commitments and milestones an
//! article states. Each is a proposal with its evidence, for the analyst to confirm.

use concord_domain::model::MilestoneKind;
use jiff::ToSpan;
use jiff::civil::{Date, Weekday};

use crate::mentions::Kind;
use crate::proposal::{
    CandidacyProposal, CommitmentProposal, ConditionProposal, MilestoneProposal, Reading, Span,
    WithdrawalProposal,
};
use crate::reader::Engine;
use crate::text::fold;

/// Words saying a candidate is in the race.
const DECLARED: &[&[&str]] = &[
    &["candidacy"],
    &["candidature"],
    &["entered", "the", "race"],
    &["enters", "the", "race"],
    &["running", "for"],
    &["competing", "for"],
    &["launched", "his", "bid"],
    &["launched", "her", "bid"],
    &["launches", "bid"],
    &["nominated"],
    &["nominating"],
    &["announced", "his", "candidacy"],
];
/// Words saying a person is floated, not declared.
const FLOATED: &[&[&str]] = &[
    &["floated"],
    &["touted"],
    &["tipped"],
    &["possible", "candidate"],
    &["potential", "candidate"],
    &["in", "the", "running"],
];

fn span(engine: &Engine<'_>, s: usize) -> Span {
    let sentence = &engine.doc.sentences[s];
    Span {
        start: sentence.start,
        end: sentence.end,
        text: engine.doc.slice(sentence.start, sentence.end).to_owned(),
    }
}

fn has_phrase(engine: &Engine<'_>, s: usize, phrases: &[&[&str]]) -> bool {
    let tokens = &engine.doc.tokens;
    let range = engine.doc.sentence_tokens(s);
    range.clone().any(|i| {
        phrases.iter().any(|p| {
            i + p.len() <= range.end && p.iter().enumerate().all(|(k, w)| tokens[i + k].norm == *w)
        })
    })
}

/// A short identifier from a text: folded words joined by '-', at most six.
pub fn slug(text: &str) -> String {
    fold(text)
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(6)
        .collect::<Vec<_>>()
        .join("-")
}

/// Adds the article's other proposals to `reading`.
pub fn propose(engine: &Engine<'_>, published: Date, reading: &mut Reading) {
    let facts = engine.facts;
    // Withdrawals, found while reading stances.
    for &(c, s) in &engine.withdrawals {
        let cand = &facts.candidates[c];
        reading.withdrawals.push(WithdrawalProposal {
            candidate: cand.id.clone(),
            name: cand.name.clone(),
            evidence: vec![span(engine, s)],
        });
    }
    // Candidacies: a candidate of the contest said to be in the race; a person floated.
    for s in 0..engine.doc.sentences.len() {
        let range = engine.doc.sentence_tokens(s);
        let declared = has_phrase(engine, s, DECLARED);
        let floated = has_phrase(engine, s, FLOATED);
        if !declared && !floated {
            continue;
        }
        for m in engine.mentions.iter().filter(|m| range.contains(&m.start)) {
            match &m.kind {
                Kind::Candidate { candidate } if declared => {
                    let cand = &facts.candidates[*candidate];
                    // Already declared in the contest: nothing new to propose.
                    if !cand.potential
                        || engine.withdrawn.contains(candidate)
                        || reading.candidacies.iter().any(|c| c.candidate == cand.id)
                    {
                        continue;
                    }
                    reading.candidacies.push(CandidacyProposal {
                        candidate: cand.id.clone(),
                        name: cand.name.clone(),
                        nationality: cand.nationality.clone(),
                        declared: true,
                        evidence: vec![span(engine, s)],
                    });
                }
                Kind::Person { person, .. } if floated => {
                    let p = &engine.knowledge.people[*person];
                    if p.organisation.is_some() {
                        continue;
                    }
                    // Already known to the contest (as potential or declared): nothing new.
                    if facts
                        .candidates
                        .iter()
                        .any(|c| fold(&c.name) == fold(p.name()))
                    {
                        continue;
                    }
                    let id = slug(&p.surname);
                    if reading.candidacies.iter().any(|c| c.candidate == id) {
                        continue;
                    }
                    reading.candidacies.push(CandidacyProposal {
                        candidate: id,
                        name: p.name().to_owned(),
                        nationality: p.member.clone(),
                        declared: false,
                        evidence: vec![span(engine, s)],
                    });
                }
                _ => {}
            }
        }
    }
    // Conditions: those of the conditional stances.
    for st in &reading.stances {
        for (i, text) in st.conditions.iter().enumerate() {
            let mut id = slug(text);
            if id.is_empty() {
                id = format!("condition-{}", i + 1);
            }
            reading.conditions.push(ConditionProposal {
                member: st.member.clone(),
                candidate: st.candidate.clone(),
                id,
                text: text.clone(),
                evidence: st.evidence.clone(),
            });
        }
    }
    // Commitments: "he commits to them", in the quotation or paragraph of a condition.
    for s in 0..engine.doc.sentences.len() {
        let tokens = &engine.doc.tokens;
        let range = engine.doc.sentence_tokens(s);
        let Some(at) = range.clone().find(|&i| {
            matches!(
                tokens[i].norm.as_str(),
                "commits" | "committed" | "pledged" | "promised" | "undertook" | "agreed"
            )
        }) else {
            continue;
        };
        let sentence_text = span(engine, s);
        let met: Vec<&ConditionProposal> = reading
            .conditions
            .iter()
            .filter(|c| {
                c.evidence.iter().any(|e| {
                    e.start <= sentence_text.start + 400 && sentence_text.start <= e.end + 400
                })
            })
            .collect();
        let Some(first) = met.first() else {
            continue;
        };
        // The committing candidate: named in the sentence, or the conditions' candidate.
        let candidate = engine
            .mentions
            .iter()
            .filter(|m| range.contains(&m.start) && m.start < at + 3)
            .find_map(|m| m.is_candidate())
            .map_or_else(
                || first.candidate.clone(),
                |c| facts.candidates[c].id.clone(),
            );
        if reading.commitments.iter().any(|c| c.candidate == candidate) {
            continue;
        }
        let text = engine
            .doc
            .slice(tokens[at].start, tokens[range.end - 1].end)
            .trim_end_matches(['.', '”', '"'])
            .to_owned();
        reading.commitments.push(CommitmentProposal {
            candidate,
            text,
            meets: met
                .iter()
                .map(|c| (c.member.clone(), c.id.clone()))
                .collect(),
            evidence: vec![sentence_text],
        });
    }
    milestones(engine, published, reading);
}

const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

fn month_of(word: &str) -> Option<i8> {
    MONTHS
        .iter()
        .position(|m| *m == word || (word.len() >= 3 && m.starts_with(word) && word.len() == 3))
        .map(|i| i as i8 + 1)
}

fn weekday_of(word: &str) -> Option<Weekday> {
    Some(match word {
        "monday" => Weekday::Monday,
        "tuesday" => Weekday::Tuesday,
        "wednesday" => Weekday::Wednesday,
        "thursday" => Weekday::Thursday,
        "friday" => Weekday::Friday,
        "saturday" => Weekday::Saturday,
        "sunday" => Weekday::Sunday,
        _ => return None,
    })
}

fn day_number(word: &str) -> Option<i8> {
    let digits: String = word.chars().take_while(char::is_ascii_digit).collect();
    let rest = &word[digits.len()..];
    if digits.is_empty() || !matches!(rest, "" | "st" | "nd" | "rd" | "th") {
        return None;
    }
    digits.parse().ok().filter(|d| (1..=31).contains(d))
}

/// Dated points: "by the end of April", "the July summit … from the 9th to the 11th",
/// "on Wednesday" (the next one after publication), "9 July", "July 9".
fn milestones(engine: &Engine<'_>, published: Date, reading: &mut Reading) {
    let tokens = &engine.doc.tokens;
    let mut found: Vec<MilestoneProposal> = Vec::new();
    for s in 0..engine.doc.sentences.len() {
        let range = engine.doc.sentence_tokens(s);
        let words: Vec<&str> = range.clone().map(|i| tokens[i].norm.as_str()).collect();
        let has = |w: &[&str]| words.iter().any(|x| w.contains(x));
        let kind = if words.windows(3).any(|w| w == ["at", "the", "latest"]) || has(&["deadline"]) {
            MilestoneKind::HardDeadline
        } else if has(&[
            "summit",
            "meeting",
            "ministers",
            "conference",
            "ministerial",
            "vote",
            "session",
        ]) {
            MilestoneKind::Meeting
        } else if has(&[
            "aim", "aimed", "aims", "target", "goal", "hope", "hoped", "hopes", "approve",
        ]) {
            MilestoneKind::Target
        } else if has(&["term", "mandate"]) && has(&["ends", "expires", "end"]) {
            MilestoneKind::TermEnd
        } else {
            continue;
        };
        let mut date: Option<(Date, usize)> = None;
        for (k, w) in words.iter().enumerate() {
            let i = range.start + k;
            // "May" the modal is not the month: a month is capitalised.
            if let Some(month) = month_of(w).filter(|_| tokens[i].capitalised) {
                let year = year_for(published, month);
                let prev = |n: usize| k.checked_sub(n).map(|j| words[j]);
                let next = |n: usize| words.get(k + n).copied();
                let day = next(1)
                    .and_then(day_number)
                    .or_else(|| prev(1).and_then(day_number))
                    .or_else(|| {
                        // "the July summit … from the 9th to the 11th".
                        words[k + 1..].iter().find_map(|x| {
                            (x.ends_with("th")
                                || x.ends_with("st")
                                || x.ends_with("nd")
                                || x.ends_with("rd"))
                            .then(|| day_number(x))
                            .flatten()
                        })
                    });
                let end_of = matches!(prev(1), Some("late") | Some("end"))
                    || (prev(1) == Some("of") && prev(2) == Some("end"));
                let d = match day {
                    Some(d) if !end_of => Date::new(year, month, d).ok(),
                    _ if end_of => Date::new(year, month, 1).ok().map(|d| d.last_of_month()),
                    _ => None,
                };
                if let Some(d) = d {
                    date = Some((d, i));
                    break;
                }
            }
            if let Some(wd) = weekday_of(w).filter(|_| tokens[i].capitalised) {
                let mut d = published;
                for _ in 0..7 {
                    d = d.checked_add(1.day()).unwrap_or(d);
                    if d.weekday() == wd {
                        break;
                    }
                }
                date = Some((d, i));
                break;
            }
        }
        let Some((date, at)) = date else {
            continue;
        };
        // A label: the words around the date, up to a clause break.
        let label_from = (range.start..at)
            .rev()
            .take(8)
            .take_while(|&i| !matches!(tokens[i].norm.as_str(), "," | ";" | "“" | "”"))
            .last()
            .unwrap_or(at);
        let label_to = (at..range.end)
            .take(10)
            .take_while(|&i| !matches!(tokens[i].norm.as_str(), "," | ";" | "." | "“" | "”"))
            .last()
            .unwrap_or(at);
        let label = engine
            .doc
            .slice(tokens[label_from].start, tokens[label_to].end)
            .to_owned();
        if let Some(existing) = found.iter_mut().find(|m| m.date == date) {
            if kind == MilestoneKind::HardDeadline {
                existing.kind = kind;
            }
            existing.evidence.push(span(engine, s));
            continue;
        }
        found.push(MilestoneProposal {
            id: format!("{}-{}", kind.as_str().replace('_', "-"), date),
            label,
            date,
            kind,
            evidence: vec![span(engine, s)],
        });
    }
    // What the contest already knows is not proposed again.
    found.retain(|m| !engine.facts.milestones.contains(&(m.date, m.kind)));
    reading.milestones = found;
}

/// The year of a month named in an article: this year, or the next when the month is well
/// past ("in January" in a November article).
fn year_for(published: Date, month: i8) -> i16 {
    if month + 3 < published.month() {
        published.year() + 1
    } else {
        published.year()
    }
}
