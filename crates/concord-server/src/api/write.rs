//! Recording: stance reports, conditions and commitments. Each is checked against who may
//! record it (403, nothing written), then validated whole (422 with every problem at its JSON
//! path and the near miss), then appended — durable before the 201 goes out.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use concord_domain::diagnostic::{Diagnostic, Diagnostics, Location, did_you_mean};
use concord_domain::event::{ConditionRef, Event, EventKind, NewEvent, StanceReport};
use concord_domain::model::{Attribution, Report, Stance, Visibility};
use concord_domain::{ContestState, scenario};
use jiff::civil::Date;
use serde::Deserialize;

use super::body::JsonBody;
use crate::{ApiError, AppState, Principal, Role};

pub(crate) fn at(path: &str) -> Location {
    Location::Json {
        file: "body".to_owned(),
        path: path.to_owned(),
    }
}

/// A stance report as posted.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportIn {
    pub member: String,
    pub candidate: String,
    pub stance: String,
    pub source: String,
    /// When it happened (default today).
    pub date: Option<String>,
    pub attribution: Option<String>,
    pub confidence: Option<f64>,
    pub speaker: Option<String>,
    #[serde(default)]
    pub reasons: Vec<String>,
    #[serde(default)]
    pub conditions: Vec<String>,
    pub follows: Option<String>,
    /// `public` (default) or `chair_only`.
    pub visibility: Option<String>,
}

/// Everything ever known about a contest except stances — members, candidates, conditions,
/// procedures — which is all validation needs. Stance reports are most of the log and most of
/// the writes, so leaving them out lets the fold be cached across writes: it is redone only
/// when a structural event arrives.
pub(crate) async fn everything(state: &AppState, id: &str) -> Result<Arc<ContestState>, ApiError> {
    // The head known from the store's notifications: when the cached fold has seen it, no
    // store read is needed at all.
    let head = state.head(id).await?;
    if let Some((_, checked, s)) = state
        .caches
        .structure
        .lock()
        .expect("structure lock")
        .get(id)
        && *checked == head
    {
        return Ok(Arc::clone(s));
    }
    let events = state.ledger.events(id).await?;
    let is_structural = |e: &&Event| !matches!(e.kind, EventKind::StanceReported(_));
    let last = events.iter().rev().find(is_structural).map_or(0, |e| e.seq);
    let seen = events.last().map_or(0, |e| e.seq);
    let mut cache = state.caches.structure.lock().expect("structure lock");
    if let Some((structural, checked, s)) = cache.get_mut(id)
        && *structural == last
    {
        *checked = (*checked).max(seen);
        return Ok(Arc::clone(s));
    }
    drop(cache);
    let structural: Vec<Event> = events.iter().filter(is_structural).cloned().collect();
    let folded = Arc::new(ContestState::fold(&structural, Date::MAX).map_err(ApiError::internal)?);
    state
        .caches
        .structure
        .lock()
        .expect("structure lock")
        .insert(id.to_owned(), (last, seen, Arc::clone(&folded)));
    Ok(folded)
}

/// May this principal record something on behalf of `member`?
fn may_speak_for(who: &Principal, member: &str, what: &str) -> Result<(), ApiError> {
    match &who.role {
        Role::Delegation(own) if own != member => Err(ApiError::Forbidden(format!(
            "the delegation of {own} may {what} for {own} only, not for '{member}'"
        ))),
        _ => Ok(()),
    }
}

pub(crate) fn check_member(
    s: &ContestState,
    problems: &mut Diagnostics,
    path: &str,
    code: &str,
    date: Option<Date>,
) {
    match s.member(code) {
        None => problems.push(
            Diagnostic::new(at(path), format!("unknown member '{code}'"))
                .expected(format!("a member of {}", s.definition.id))
                .suggest(did_you_mean(
                    code,
                    s.members.iter().map(|m| m.code.as_str()),
                )),
        ),
        Some(m) => {
            if let Some(d) = date
                && !m.is_member_on(d)
            {
                problems.push(Diagnostic::new(
                    at(path),
                    format!("{} was not a member on {d} (joined {})", m.code, m.joined),
                ));
            }
        }
    }
}

pub(crate) fn check_candidate(s: &ContestState, problems: &mut Diagnostics, path: &str, id: &str) {
    if s.candidate(id).is_none() {
        let known: Vec<&str> = s.candidates.iter().map(|c| c.profile.id.as_str()).collect();
        problems.push(
            Diagnostic::new(at(path), format!("unknown candidate '{id}'"))
                .expected(format!("one of {}", known.join(", ")))
                .suggest(did_you_mean(id, known.iter().copied())),
        );
    }
}

fn parse_date(
    state: &AppState,
    problems: &mut Diagnostics,
    given: &Option<String>,
) -> Option<Date> {
    match given {
        None => Some(state.today()),
        Some(d) => match d.parse::<Date>() {
            Ok(d) => Some(d),
            Err(_) => {
                problems.push(
                    Diagnostic::new(at("$.date"), format!("'{d}' is not a date"))
                        .expected("YYYY-MM-DD"),
                );
                None
            }
        },
    }
}

/// Parses the attribution, confidence, speaker and source of a claim.
fn parse_report(
    problems: &mut Diagnostics,
    source: &str,
    attribution: &Option<String>,
    confidence: Option<f64>,
    speaker: &Option<String>,
) -> Option<Report> {
    let attribution = match attribution.as_deref() {
        None => Some(Attribution::Inferred),
        Some(a) => {
            let parsed = Attribution::parse(a);
            if parsed.is_none() {
                problems.push(
                    Diagnostic::new(at("$.attribution"), format!("unknown attribution '{a}'"))
                        .expected("official, on_record, anonymous or inferred")
                        .suggest(did_you_mean(a, Attribution::ALL.map(Attribution::as_str))),
                );
            }
            parsed
        }
    };
    if source.trim().is_empty() {
        problems
            .push(Diagnostic::new(at("$.source"), "empty source").expected("a URL or a citation"));
    }
    if let Some(c) = confidence
        && !(0.0..=1.0).contains(&c)
    {
        problems.push(
            Diagnostic::new(at("$.confidence"), format!("{c} is out of range"))
                .expected("a number from 0 to 1"),
        );
    }
    let attribution = attribution?;
    Some(Report {
        source: source.to_owned(),
        attribution,
        confidence: confidence.unwrap_or_else(|| scenario::default_confidence(attribution)),
        speaker: speaker.clone(),
        published: None,
    })
}

/// Appends and answers 201 with the sealed events; durable when this returns.
pub(crate) async fn append(
    state: &AppState,
    id: &str,
    news: Vec<NewEvent>,
) -> Result<(StatusCode, Json<Vec<Event>>), ApiError> {
    let sealed = state.ledger.append(id, news, state.now()).await?;
    if let Some(last) = sealed.last() {
        state.note_head(id, last.seq);
    }
    Ok((StatusCode::CREATED, Json(sealed)))
}

/// `POST /api/contests/{id}/reports`: chair (any member, any visibility), a delegation (its own
/// member), an analyst (public sources only).
pub async fn post_report(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    body: JsonBody<ReportIn>,
) -> Result<(StatusCode, Json<Vec<Event>>), ApiError> {
    who.require(&["chair", "delegation", "analyst"], "record reports")?;
    let r = body.parse()?;
    may_speak_for(&who, &r.member, "report")?;
    let mut problems = Diagnostics::default();
    let visibility = match r.visibility.as_deref() {
        None | Some("public") => Some(Visibility::Public),
        Some("chair_only") => Some(Visibility::ChairOnly),
        Some(v) => {
            problems.push(
                Diagnostic::new(at("$.visibility"), format!("unknown visibility '{v}'"))
                    .expected("public or chair_only")
                    .suggest(did_you_mean(v, ["public", "chair_only"])),
            );
            None
        }
    };
    if who.role == Role::Analyst && visibility == Some(Visibility::ChairOnly) {
        return Err(ApiError::Forbidden(
            "an analyst records reports from public sources only, not chair_only".to_owned(),
        ));
    }
    let s = everything(&state, &id).await?;
    let date = parse_date(&state, &mut problems, &r.date);
    check_member(&s, &mut problems, "$.member", &r.member, date);
    check_candidate(&s, &mut problems, "$.candidate", &r.candidate);
    let stance = Stance::parse(&r.stance);
    if stance.is_none() {
        problems.push(
            Diagnostic::new(at("$.stance"), format!("unknown stance '{}'", r.stance))
                .expected("supports, leans, conditional, undeclared, withholds or objects")
                .suggest(did_you_mean(&r.stance, Stance::ALL.map(Stance::as_str))),
        );
    }
    let report = parse_report(
        &mut problems,
        &r.source,
        &r.attribution,
        r.confidence,
        &r.speaker,
    );
    if let Some(f) = &r.follows {
        check_member(&s, &mut problems, "$.follows", f, None);
    }
    for (i, c) in r.conditions.iter().enumerate() {
        if !s
            .conditions
            .iter()
            .any(|k| k.member == r.member && k.id == *c)
        {
            let known = s
                .conditions
                .iter()
                .filter(|k| k.member == r.member)
                .map(|k| k.id.as_str());
            problems.push(
                Diagnostic::new(
                    at(&format!("$.conditions[{i}]")),
                    format!("{} has set no condition '{c}'", r.member),
                )
                .suggest(did_you_mean(c, known)),
            );
        }
    }
    let (Some(date), Some(stance), Some(report), Some(visibility)) =
        (date, stance, report, visibility)
    else {
        return Err(ApiError::bad_input(&problems));
    };
    if !problems.is_empty() {
        return Err(ApiError::bad_input(&problems));
    }
    let news = vec![NewEvent {
        valid: date,
        author: who.author(),
        kind: EventKind::StanceReported(StanceReport {
            member: r.member,
            candidate: r.candidate,
            stance,
            reasons: r.reasons,
            conditions: r.conditions,
            follows: r.follows,
            linked_to: None,
            visibility,
            report,
        }),
    }];
    append(&state, &id, news).await
}

/// A condition as posted.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionIn {
    pub member: String,
    /// The candidate asked; absent when asked of every candidate.
    pub candidate: Option<String>,
    /// A short id, unique per member (`russia-focus`).
    pub condition: String,
    pub text: String,
    pub source: String,
    pub date: Option<String>,
    pub attribution: Option<String>,
    pub confidence: Option<f64>,
    pub speaker: Option<String>,
}

/// `POST /api/contests/{id}/conditions`: chair, analyst, or a delegation for its own member.
pub async fn post_condition(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    body: JsonBody<ConditionIn>,
) -> Result<(StatusCode, Json<Vec<Event>>), ApiError> {
    who.require(&["chair", "delegation", "analyst"], "record conditions")?;
    let c = body.parse()?;
    may_speak_for(&who, &c.member, "set conditions")?;
    let s = everything(&state, &id).await?;
    let mut problems = Diagnostics::default();
    let date = parse_date(&state, &mut problems, &c.date);
    check_member(&s, &mut problems, "$.member", &c.member, date);
    if let Some(cand) = &c.candidate {
        check_candidate(&s, &mut problems, "$.candidate", cand);
    }
    let valid_id = !c.condition.is_empty()
        && c.condition
            .chars()
            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-');
    if !valid_id {
        problems.push(
            Diagnostic::new(
                at("$.condition"),
                format!("'{}' is not a condition id", c.condition),
            )
            .expected("lower-case letters, digits and dashes, e.g. russia-focus"),
        );
    }
    if c.text.trim().is_empty() {
        problems.push(Diagnostic::new(at("$.text"), "empty text"));
    }
    let report = parse_report(
        &mut problems,
        &c.source,
        &c.attribution,
        c.confidence,
        &c.speaker,
    );
    let (Some(date), Some(report)) = (date, report) else {
        return Err(ApiError::bad_input(&problems));
    };
    if !problems.is_empty() {
        return Err(ApiError::bad_input(&problems));
    }
    let news = vec![NewEvent {
        valid: date,
        author: who.author(),
        kind: EventKind::ConditionSet {
            member: c.member,
            candidate: c.candidate,
            condition: c.condition,
            text: c.text,
            report,
        },
    }];
    append(&state, &id, news).await
}

/// A commitment as posted.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitmentIn {
    pub candidate: String,
    pub text: String,
    #[serde(default)]
    pub meets: Vec<ConditionRef>,
    pub source: String,
    pub date: Option<String>,
    pub attribution: Option<String>,
    pub confidence: Option<f64>,
    pub speaker: Option<String>,
}

/// `POST /api/contests/{id}/commitments`: chair or analyst (a candidate's public promise).
pub async fn post_commitment(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    body: JsonBody<CommitmentIn>,
) -> Result<(StatusCode, Json<Vec<Event>>), ApiError> {
    who.require(&["chair", "analyst"], "record commitments")?;
    let c = body.parse()?;
    let s = everything(&state, &id).await?;
    let mut problems = Diagnostics::default();
    let date = parse_date(&state, &mut problems, &c.date);
    check_candidate(&s, &mut problems, "$.candidate", &c.candidate);
    if c.text.trim().is_empty() {
        problems.push(Diagnostic::new(at("$.text"), "empty text"));
    }
    for (i, m) in c.meets.iter().enumerate() {
        if !s
            .conditions
            .iter()
            .any(|k| k.member == m.member && k.id == m.condition)
        {
            let known = s
                .conditions
                .iter()
                .filter(|k| k.member == m.member)
                .map(|k| k.id.as_str());
            problems.push(
                Diagnostic::new(
                    at(&format!("$.meets[{i}].condition")),
                    format!("{} has set no condition '{}'", m.member, m.condition),
                )
                .suggest(did_you_mean(&m.condition, known)),
            );
        }
    }
    let report = parse_report(
        &mut problems,
        &c.source,
        &c.attribution,
        c.confidence,
        &c.speaker,
    );
    let (Some(date), Some(report)) = (date, report) else {
        return Err(ApiError::bad_input(&problems));
    };
    if !problems.is_empty() {
        return Err(ApiError::bad_input(&problems));
    }
    let news = vec![NewEvent {
        valid: date,
        author: who.author(),
        kind: EventKind::CommitmentMade {
            candidate: c.candidate,
            text: c.text,
            meets: c.meets,
            report,
        },
    }];
    append(&state, &id, news).await
}
