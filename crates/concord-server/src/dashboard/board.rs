//! The contest list, the board (every member against every candidate) and a cell's trail of
//! reports. The board is folded with the caller's view and drawn on the server.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use concord_domain::board::Cell;
use concord_domain::model::Stance;
use concord_domain::{ContestState, StatusView};
use concord_ledger::View;
use jiff::civil::Date;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{AsOfQuery, PageError, Who, redirect, render, who};
use crate::{ApiError, AppState, Principal};

/// `/`: the only contest's board when there is one, else the list.
pub(super) async fn home(State(state): State<AppState>, w: Who) -> Result<Response, PageError> {
    let _ = who(w)?;
    let list = state.ledger.contests().await?;
    match list.as_slice() {
        [one] => Ok(redirect(&format!("/contests/{}", one.id))),
        _ => Ok(redirect("/contests")),
    }
}

pub(super) async fn contest_list(
    State(state): State<AppState>,
    w: Who,
) -> Result<Response, PageError> {
    let who = who(w)?;
    let mut items = Vec::new();
    for c in state.ledger.contests().await? {
        let folded = state.ledger.state(&c.id, state.today(), who.view()).await?;
        items.push(minijinja::context! {
            id => c.id,
            title => folded.definition.title,
            organisation => folded.definition.organisation.name,
            events => folded.events_seen,
        });
    }
    Ok(render(
        "contests.html",
        Some(&who),
        minijinja::context! { contests => items },
    ))
}

/// A contest's state on a date as `who` may see it, with adopted silence procedures applied.
pub(super) async fn folded(
    state: &AppState,
    id: &str,
    as_of: Date,
    who: &Principal,
) -> Result<ContestState, PageError> {
    Ok(state.folded(id, as_of, who).await?)
}

/// The dates a contest's pages span: from its opening to its decision, or to its hard
/// deadline while undecided (else the term end) — not to today, which may lie years later.
/// `last` is the slider's and the charts' end; `life_end` the latest date a page accepts.
pub(super) struct Span {
    pub first: Date,
    pub last: Date,
    pub life_end: Date,
    pub decided: Option<Date>,
}

/// The span of a contest as `view` sees it.
pub(super) async fn span(state: &AppState, id: &str, view: View) -> Result<Span, PageError> {
    let events = state.ledger.visible_events(id, view).await?;
    let first = events
        .first()
        .map(|e| e.valid)
        .ok_or_else(|| ApiError::NotFound(format!("no contest '{id}'")))?;
    let (_, life_end) = state.life(id).await?;
    let s = state.structure(id).await?;
    let hard = s
        .milestones
        .iter()
        .filter(|m| m.kind == concord_domain::model::MilestoneKind::HardDeadline)
        .map(|m| m.date)
        .max();
    let decided = s.decision.as_ref().map(|d| d.date);
    let last = match (decided, hard) {
        // A decision shortly before the hard deadline: keep the deadline it beat in view.
        (Some(d), Some(h)) if h > d && (h - d).get_days() <= 45 => h,
        (Some(d), _) => d,
        (None, Some(h)) => h,
        (None, None) => s.term_end,
    };
    Ok(Span {
        first,
        last: last.clamp(first, life_end),
        life_end,
        decided,
    })
}

/// The symbol of a stance, the same in the legend, the cells and the blockers' list.
pub(super) fn symbol(stance: Stance) -> &'static str {
    match stance {
        Stance::Supports => "✓",
        Stance::Leans => "↗",
        Stance::Conditional => "?",
        Stance::Undeclared => "·",
        Stance::Withholds => "✕",
        Stance::Objects => "⊘",
    }
}

/// A short text and symbol for a cell, so no meaning rides on colour alone.
fn cell_label(cell: &Cell, name_of: &dyn Fn(&str) -> String) -> (String, &'static str) {
    if let Some(rival) = &cell.prefers
        && !cell.effective.blocks()
    {
        return (format!("backs {}", name_of(rival)), "◐");
    }
    let symbol = symbol(cell.effective);
    let text = if cell.effective != cell.stated {
        format!("{} (conditions met)", cell.effective.as_str())
    } else {
        cell.effective.as_str().to_owned()
    };
    (text, symbol)
}

/// One report in a cell's trail.
#[derive(Serialize)]
struct TrailEntry {
    seq: u64,
    date: Date,
    stance: &'static str,
    reasons: Vec<String>,
    conditions: Vec<String>,
    follows: Option<String>,
    source: String,
    attribution: String,
    speaker: Option<String>,
    confidence: f64,
    chair_only: bool,
    /// For the standing support of a superseded cell: the later support that replaced it.
    superseded_by: Option<String>,
}

fn trail(folded: &ContestState, cell: &Cell, name_of: &dyn Fn(&str) -> String) -> Vec<TrailEntry> {
    let (member, candidate) = (cell.member.as_str(), cell.candidate.as_str());
    let member_name = folded
        .member(member)
        .map_or_else(|| member.to_owned(), |m| m.name.clone());
    // The superseded support is the standing report of a cell whose basis is `Superseded`.
    let superseded = cell.superseded_by.as_ref().map(|s| {
        let when = s.date.map(|d| format!(" on {d}")).unwrap_or_default();
        format!(
            "superseded: {member_name} backed {}{when}, and a member supports one candidate at a time",
            name_of(&s.candidate)
        )
    });
    let mut out: Vec<TrailEntry> = folded
        .reports_on(member, candidate)
        .iter()
        .map(|e| TrailEntry {
            seq: e.seq,
            date: e.valid,
            stance: e.stance.stance.as_str(),
            reasons: e
                .stance
                .reasons
                .iter()
                .map(|r| super::text::clean(r))
                .collect(),
            // A condition's text where the fold knows it: `russia-focus` is an identifier.
            conditions: e
                .stance
                .conditions
                .iter()
                .map(|c| {
                    folded
                        .conditions
                        .iter()
                        .find(|k| &k.id == c && k.member == member)
                        .map_or_else(|| super::text::words(c), |k| k.text.clone())
                })
                .collect(),
            follows: e.stance.follows.as_deref().map(|f| {
                folded
                    .member(f)
                    .map_or_else(|| f.to_owned(), |m| m.name.clone())
            }),
            source: e.stance.report.source.clone(),
            attribution: e.stance.report.attribution.as_str().replace('_', " "),
            speaker: e.stance.report.speaker.clone(),
            confidence: e.stance.report.confidence,
            chair_only: !e.stance.visibility.is_public(),
            superseded_by: superseded.clone().filter(|_| Some(e.seq) == cell.seq),
        })
        .collect();
    // Newest first: the reader asks "what is the latest" before "how did it start".
    out.reverse();
    out
}

#[derive(Serialize)]
struct CellView {
    member: String,
    candidate: String,
    candidate_name: String,
    effective: &'static str,
    stated: &'static str,
    text: String,
    symbol: &'static str,
    blocks: bool,
    implicit: bool,
    basis: String,
    reasons: Vec<String>,
    conditions: Vec<concord_domain::board::ConditionStatus>,
    source: Option<String>,
    attribution: Option<String>,
    date: Option<Date>,
    /// "22 Feb · official": when and how we know, for the cell's face.
    known: String,
    /// The standing report was told to the chair in confidence (only the chair's view has it).
    confidential: bool,
    disagreements: usize,
    trail: Vec<TrailEntry>,
}

/// How a cell with no standing report is known, in words.
fn basis_words(cell: &Cell) -> &'static str {
    match cell.basis {
        concord_domain::board::Basis::Reported => "reported",
        concord_domain::board::Basis::OwnNational => "own national",
        concord_domain::board::Basis::ConditionsMet => "conditions met",
        concord_domain::board::Basis::Default => "no report",
        concord_domain::board::Basis::Superseded => "backs another",
    }
}

fn cell_view(
    folded: &ContestState,
    cell: &Cell,
    name_of: &dyn Fn(&str) -> String,
    as_of: Date,
) -> CellView {
    let (text, symbol) = cell_label(cell, name_of);
    let attribution = cell.attribution.map(|a| a.as_str().replace('_', " "));
    let known = match (cell.date, &attribution) {
        (Some(d), Some(a)) => format!("{} · {a}", super::text::short_date(d, as_of)),
        (Some(d), None) => super::text::short_date(d, as_of),
        _ => basis_words(cell).to_owned(),
    };
    let confidential = cell.seq.is_some_and(|seq| {
        folded
            .reports_on(&cell.member, &cell.candidate)
            .iter()
            .any(|e| e.seq == seq && !e.stance.visibility.is_public())
    });
    CellView {
        member: cell.member.clone(),
        candidate: cell.candidate.clone(),
        candidate_name: name_of(&cell.candidate),
        effective: cell.effective.as_str(),
        stated: cell.stated.as_str(),
        text,
        symbol,
        blocks: cell.effective.blocks(),
        implicit: cell.prefers.is_some() && !cell.effective.blocks(),
        basis: basis_words(cell).to_owned(),
        reasons: cell.reasons.iter().map(|r| super::text::clean(r)).collect(),
        conditions: cell.conditions.clone(),
        source: cell.source.clone(),
        attribution,
        date: cell.date,
        known,
        confidential,
        disagreements: cell.disagreements.len(),
        trail: trail(folded, cell, name_of),
    }
}

/// The board's query: the date, the filters, and the feed's start.
#[derive(Deserialize, Default)]
pub(super) struct BoardQuery {
    as_of: Option<String>,
    /// supports, conditional, blocks, rival, leans, undeclared.
    stance: Option<String>,
    /// official, on_record, anonymous, inferred, none.
    known: Option<String>,
    /// The feed from this date on.
    since: Option<String>,
}

fn stance_matches(cell: &Cell, want: &str) -> bool {
    match want {
        "blocks" => cell.effective.blocks(),
        "rival" => cell.prefers.is_some() && !cell.effective.blocks(),
        "supports" => cell.effective == Stance::Supports,
        "conditional" => cell.effective == Stance::Conditional,
        "leans" => cell.effective == Stance::Leans && cell.prefers.is_none(),
        "undeclared" => cell.effective == Stance::Undeclared && cell.prefers.is_none(),
        _ => true,
    }
}

fn known_matches(cell: &Cell, want: &str) -> bool {
    match want {
        "none" => cell.attribution.is_none(),
        "" => true,
        a => cell.attribution.is_some_and(|x| x.as_str() == a),
    }
}

/// The whip count of one candidate: how many the rule needs, and where every member stands.
#[derive(Serialize)]
struct Whip {
    candidate: String,
    name: String,
    rule: String,
    needed: Option<usize>,
    members: usize,
    supports: Vec<(String, String)>,
    conditional: Vec<(String, String)>,
    leans: Vec<(String, String)>,
    undeclared: Vec<(String, String)>,
    blocks: Vec<(String, String)>,
    rival: Vec<(String, String)>,
}

fn whip(
    view: &StatusView,
    candidate: &concord_domain::view::CandidateColumn,
    member_name: &dyn Fn(&str) -> String,
) -> Whip {
    use concord_domain::rules::DecisionRule;
    let mut w = Whip {
        candidate: candidate.id.clone(),
        name: candidate.name.clone(),
        rule: String::new(),
        needed: None,
        members: view.board.members.len(),
        supports: Vec::new(),
        conditional: Vec::new(),
        leans: Vec::new(),
        undeclared: Vec::new(),
        blocks: Vec::new(),
        rival: Vec::new(),
    };
    for cell in view.board.column(&candidate.id) {
        let entry = (cell.member.clone(), member_name(&cell.member));
        let slot = if cell.effective.blocks() {
            &mut w.blocks
        } else if cell.prefers.is_some() {
            &mut w.rival
        } else {
            match cell.effective {
                Stance::Supports => &mut w.supports,
                Stance::Conditional => &mut w.conditional,
                Stance::Leans => &mut w.leans,
                _ => &mut w.undeclared,
            }
        };
        slot.push(entry);
    }
    let evaluation = view
        .verdict
        .candidates
        .iter()
        .find(|v| v.candidate == candidate.id)
        .map(|v| &v.evaluation);
    (w.rule, w.needed) = match &view.contest.rule {
        DecisionRule::Consensus => ("consensus".into(), Some(w.members)),
        DecisionRule::Unanimity { .. } => ("unanimity".into(), Some(w.members)),
        _ => (
            "the rule".into(),
            evaluation.and_then(|e| {
                e.margins
                    .iter()
                    .find(|m| {
                        matches!(
                            m.criterion,
                            concord_domain::rules::Criterion::Members
                                | concord_domain::rules::Criterion::Votes
                        )
                    })
                    .map(|m| m.required.ceil() as usize)
            }),
        ),
    };
    w
}

/// The date a candidate entered the race (declared), else first floated: "in the race
/// since" means the declaration.
fn entered(events: &[concord_domain::event::Event], as_of: Date) -> HashMap<String, Date> {
    let mut out = HashMap::new();
    for e in events.iter().filter(|e| e.valid <= as_of) {
        if let concord_domain::event::EventKind::CandidateEntered {
            candidate,
            declared: true,
            ..
        } = &e.kind
        {
            out.entry(candidate.id.clone()).or_insert(e.valid);
        }
    }
    out
}

/// `/contests/{id}?as_of=&stance=&known=&since=`: the board.
pub(super) async fn board(
    State(state): State<AppState>,
    w: Who,
    Path(id): Path<String>,
    Query(q): Query<BoardQuery>,
) -> Result<Response, PageError> {
    let who = who(w)?;
    let as_of = AsOfQuery {
        as_of: q.as_of.clone(),
    }
    .date(&state, &id)
    .await?;
    let span = span(&state, &id, who.view()).await?;
    let folded = folded(&state, &id, as_of, &who).await?;
    // Links both ways: the other contests, folded with the same view on the same date (at
    // most MAX_LINKED_CONTESTS, so the page's cost is bounded).
    let mut others = Vec::new();
    for c in state
        .ledger
        .contests()
        .await?
        .iter()
        .filter(|c| c.id != id)
        .take(concord_domain::links::MAX_LINKED_CONTESTS)
    {
        if let Ok(other) = state.ledger.state(&c.id, as_of, who.view()).await {
            others.push(other);
        }
    }
    let view = StatusView::build(&folded)
        .map_err(ApiError::internal)?
        .with_links(&folded, &others);
    let power = power_rows(&folded);
    let name_of = |cid: &str| {
        folded
            .candidate(cid)
            .map_or_else(|| cid.to_owned(), |c| c.profile.name.clone())
    };
    let member_name = |code: &str| {
        folded
            .member(code)
            .map_or_else(|| code.to_owned(), |m| m.name.clone())
    };
    let events = state.ledger.visible_events(&id, who.view()).await?;
    let entered = entered(&events, as_of);
    // The front-runner: the decided candidate, else the one with the most support.
    let front = view
        .verdict
        .decided
        .as_ref()
        .and_then(|d| view.candidates.iter().find(|c| &c.id == d))
        .or_else(|| {
            view.candidates
                .iter()
                .rev()
                .max_by_key(|c| c.supporters.len())
        });
    let whip = front.map(|c| whip(&view, c, &member_name));
    let stance = q.stance.as_deref().unwrap_or("");
    let known = q.known.as_deref().unwrap_or("");
    let mut rows: Vec<(u8, minijinja::Value)> = Vec::new();
    for (order, code) in view.board.members.iter().enumerate() {
        let cells: Vec<&Cell> = view
            .board
            .candidates
            .iter()
            .filter_map(|c| view.board.cell(code, c))
            .collect();
        if !cells
            .iter()
            .any(|c| stance_matches(c, stance) && known_matches(c, known))
        {
            continue;
        }
        // Holdouts first: those blocking the front-runner, then those with conditions pending,
        // then the rest in the board's order.
        let on_front = front.and_then(|f| view.board.cell(code, &f.id));
        let rank = match on_front {
            Some(c) if c.effective.blocks() => 0,
            Some(c) if c.prefers.is_some() => 1,
            Some(c) if c.effective == Stance::Conditional => 2,
            _ => 3,
        };
        let views: Vec<CellView> = cells
            .iter()
            .map(|cell| cell_view(&folded, cell, &name_of, as_of))
            .collect();
        let blocks = views.iter().any(|c| c.blocks);
        let _ = order;
        rows.push((
            rank,
            minijinja::context! {
                code => code, name => member_name(code), cells => minijinja::value::Serde(&views),
                blocks => blocks, holdout => rank < 3,
            },
        ));
    }
    rows.sort_by_key(|(rank, _)| *rank);
    let rows: Vec<minijinja::Value> = rows.into_iter().map(|(_, r)| r).collect();
    let candidates: Vec<minijinja::Value> = view
        .candidates
        .iter()
        .map(|c| {
            let blockers: Vec<minijinja::Value> = c
                .blockers
                .iter()
                .map(|b| {
                    minijinja::context! {
                        member => b.member.clone(), name => member_name(&b.member),
                        effective => b.effective.as_str(), symbol => symbol(b.effective),
                        reasons => b.reasons.iter().map(|r| super::text::clean(r)).collect::<Vec<_>>(),
                        follows => b.follows.as_deref().map(member_name),
                        attribution => b.attribution.map(|a| a.as_str().replace('_', " ")),
                        date => b.date.map(|d| super::text::short_date(d, as_of)),
                        source => b.source.clone(),
                    }
                })
                .collect();
            let pending: Vec<_> = c.pending.iter().map(|p| (p.member.clone(), member_name(&p.member))).collect();
            let rival: Vec<_> = c.implicit_holds.iter().map(|m| member_name(m)).collect();
            minijinja::context! {
                id => c.id.clone(), name => c.name.clone(), nationality => c.nationality.clone(),
                status => c.status.as_str(), since => entered.get(&c.id).copied().unwrap_or(c.since).to_string(),
                supporters => c.supporters.len(), blocks => c.blockers.len(),
                rival => rival, pending => pending, undeclared => c.undeclared.len(),
                blockers => blockers,
            }
        })
        .collect();
    let feed_all = super::feed::feed(&events, as_of, &member_name, &name_of);
    let since: Option<Date> = q.since.as_deref().and_then(|s| s.parse().ok());
    let feed: Vec<&super::feed::FeedItem> = feed_all
        .iter()
        .filter(|i| since.is_none_or(|s| i.day >= s))
        .take(if since.is_some() { 200 } else { 12 })
        .collect();
    let confidential = events
        .iter()
        .filter(|e| e.valid <= as_of)
        .filter(|e| {
            matches!(&e.kind, concord_domain::event::EventKind::StanceReported(r) if !r.visibility.is_public())
        })
        .count();
    let milestones: Vec<minijinja::Value> = view
        .milestones
        .iter()
        .map(|m| {
            minijinja::context! {
                label => m.label.clone(), date => super::text::short_date(m.date, as_of),
                short => m.label.split([':', '(']).next().unwrap_or(&m.label).trim().to_owned(),
                iso => m.date.to_string(), kind => m.kind.as_str(), days_left => m.days_left,
                when => super::text::days_from_now(i64::from(m.days_left)),
            }
        })
        .collect();
    let decided = view.verdict.decided.as_ref().map(|d| name_of(d));
    let outlook = outlook(&state, &id, as_of, &who, &folded, &view).await?;
    let ctx = minijinja::context! {
        id => id,
        outlook => outlook,
        view => minijinja::value::Serde(&view),
        candidates => candidates,
        whip => minijinja::value::Serde(&whip),
        rows => rows,
        feed => minijinja::value::Serde(&feed),
        feed_total => feed_all.len(),
        head => events.last().map_or(0, |e| e.seq),
        since => since.map(|d| d.to_string()),
        filter => minijinja::context! { stance => stance, known => known },
        confidential => confidential,
        names => folded.members.iter().map(|m| (m.code.clone(), m.name.clone())).collect::<std::collections::BTreeMap<_, _>>(),
        cnames => folded.candidates.iter().map(|c| (c.profile.id.clone(), c.profile.name.clone())).collect::<std::collections::BTreeMap<_, _>>(),
        milestones => milestones,
        decided => decided,
        decided_on => folded.decision.as_ref().map(|d| super::text::short_date(d.date, as_of)),
        as_of => as_of.to_string(),
        as_of_short => super::text::short_date(as_of, as_of),
        first => span.first.to_string(),
        last => span.last.to_string(),
        life_end => span.life_end.to_string(),
        days => (span.last - span.first).get_days(),
        day => (as_of - span.first).get_days().clamp(0, (span.last - span.first).get_days()),
        procedures => folded.procedures.len(),
        power => power,
        tab => "board",
    };
    Ok(render("board.html", Some(&who), ctx))
}

/// The board's voting-power section: the rule in words and the five most powerful members,
/// for rules that weigh members differently (under consensus or unanimity everyone can block
/// alone, which the verdict already says). `None` when it does not apply or cannot be counted.
fn power_rows(folded: &ContestState) -> Option<minijinja::Value> {
    let view = concord_domain::power::of_state(folded).ok()?;
    if view.equal_share.is_some() {
        return None;
    }
    let top: Vec<minijinja::Value> = view
        .ranked()
        .into_iter()
        .take(5)
        .map(|m| {
            minijinja::context! {
                member => m.member.clone(),
                banzhaf => format!("{:.4}", m.banzhaf),
                share => format!("{:.1} %", 100.0 * m.banzhaf_share),
                shapley => m.shapley_shubik.map(|s| format!("{:.1} %", 100.0 * s)),
                words => m.explain(),
            }
        })
        .collect();
    Some(minijinja::context! {
        rule => view.winning_rule,
        members => view.game.len(),
        top => top,
    })
}

/// `/contests/{id}/cell/{member}/{candidate}`: one cell's trail on its own page (linkable,
/// and what the board's cells open without JavaScript).
pub(super) async fn cell(
    State(state): State<AppState>,
    w: Who,
    Path((id, member, candidate)): Path<(String, String, String)>,
    Query(q): Query<AsOfQuery>,
) -> Result<Response, PageError> {
    let who = who(w)?;
    let as_of = q.date(&state, &id).await?;
    let folded = folded(&state, &id, as_of, &who).await?;
    let view = StatusView::build(&folded).map_err(ApiError::internal)?;
    let name_of = |cid: &str| {
        folded
            .candidate(cid)
            .map_or_else(|| cid.to_owned(), |c| c.profile.name.clone())
    };
    let Some(cell) = view.board.cell(&member, &candidate) else {
        return Err(
            ApiError::NotFound(format!("no cell {member} × {candidate} on {as_of}")).into(),
        );
    };
    let ctx = minijinja::context! {
        id => id,
        view => minijinja::value::Serde(&view),
        cell => minijinja::value::Serde(cell_view(&folded, cell, &name_of, as_of)),
        member_name => folded.member(&member).map(|m| m.name.clone()),
        candidate_name => name_of(&candidate),
        disagreements => minijinja::value::Serde(&cell.disagreements),
        as_of => as_of.to_string(),
        tab => "board",
    };
    Ok(render("cell.html", Some(&who), ctx).into_response())
}

/// The forecast's headline for the board itself, so the page answers "how likely before the
/// hard deadline" too; the Forecast tab has the rest. Only while undecided.
async fn outlook(
    state: &AppState,
    id: &str,
    as_of: Date,
    who: &Principal,
    folded: &ContestState,
    view: &StatusView,
) -> Result<Option<minijinja::Value>, PageError> {
    if folded.decision.is_some() || view.candidates.is_empty() {
        return Ok(None);
    }
    let f = super::forecast::baseline(state, id, as_of, who).await?;
    let d = &f.forecast;
    let label = folded
        .milestones
        .iter()
        .find(|m| m.date == d.hard_deadline)
        .map_or_else(
            || d.hard_deadline.to_string(),
            |m| {
                format!(
                    "the {}",
                    m.label.split([':', '(']).next().unwrap_or(&m.label).trim()
                )
            },
        );
    Ok(Some(minijinja::context! {
        label => label,
        date => super::text::short_date(d.hard_deadline, as_of),
        p => format!("{:.0} %", d.decided_by_hard_deadline.p * 100.0),
        se => format!("{:.1}", d.decided_by_hard_deadline.se * 100.0),
    }))
}
