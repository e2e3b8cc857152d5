//! The contest list, the board (every member against every candidate) and a cell's trail of
//! reports. The board is folded with the caller's view and drawn on the server.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use concord_domain::board::Cell;
use concord_domain::model::Stance;
use concord_domain::{ContestState, StatusView};
use concord_ledger::View;
use jiff::civil::Date;
use serde::Serialize;

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

/// The first and last valid dates this view can replay: the slider's ends.
pub(super) async fn date_range(
    state: &AppState,
    id: &str,
    view: View,
) -> Result<(Date, Date), PageError> {
    let events = state.ledger.visible_events(id, view).await?;
    let first = events
        .first()
        .map(|e| e.valid)
        .ok_or_else(|| ApiError::NotFound(format!("no contest '{id}'")))?;
    // Within the contest's life, whatever a store written before the guard may hold: a date
    // far ahead must not stretch the slider or the timeline's sampling.
    let (_, end) = state.life(id).await?;
    let last = events
        .iter()
        .map(|e| e.valid)
        .max()
        .unwrap_or(first)
        .max(state.today())
        .min(end);
    Ok((first, last))
}

/// A short text and symbol for a cell, so no meaning rides on colour alone.
fn cell_label(cell: &Cell, name_of: &dyn Fn(&str) -> String) -> (String, &'static str) {
    if let Some(rival) = &cell.prefers
        && !cell.effective.blocks()
    {
        return (format!("backs {}", name_of(rival)), "◐");
    }
    let symbol = match cell.effective {
        Stance::Supports => "✓",
        Stance::Leans => "↗",
        Stance::Conditional => "?",
        Stance::Undeclared => "·",
        Stance::Withholds => "✕",
        Stance::Objects => "⊘",
    };
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
    // The superseded support is the standing report of a cell whose basis is `Superseded`.
    let superseded = cell.superseded_by.as_ref().map(|s| {
        let when = s.date.map(|d| format!(" on {d}")).unwrap_or_default();
        format!(
            "superseded: {member} backed {}{when}, and a member supports one candidate at a time",
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
            reasons: e.stance.reasons.clone(),
            conditions: e.stance.conditions.clone(),
            follows: e.stance.follows.clone(),
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
    disagreements: usize,
    trail: Vec<TrailEntry>,
}

fn cell_view(folded: &ContestState, cell: &Cell, name_of: &dyn Fn(&str) -> String) -> CellView {
    let (text, symbol) = cell_label(cell, name_of);
    CellView {
        member: cell.member.clone(),
        candidate: cell.candidate.clone(),
        effective: cell.effective.as_str(),
        stated: cell.stated.as_str(),
        text,
        symbol,
        blocks: cell.effective.blocks(),
        implicit: cell.prefers.is_some() && !cell.effective.blocks(),
        basis: format!("{:?}", cell.basis),
        reasons: cell.reasons.clone(),
        conditions: cell.conditions.clone(),
        source: cell.source.clone(),
        attribution: cell.attribution.map(|a| a.as_str().replace('_', " ")),
        date: cell.date,
        disagreements: cell.disagreements.len(),
        trail: trail(folded, cell, name_of),
    }
}

/// `/contests/{id}?as_of=`: the board.
pub(super) async fn board(
    State(state): State<AppState>,
    w: Who,
    Path(id): Path<String>,
    Query(q): Query<AsOfQuery>,
) -> Result<Response, PageError> {
    let who = who(w)?;
    let as_of = q.date(&state, &id).await?;
    let (first, last) = date_range(&state, &id, who.view()).await?;
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
    let rows: Vec<_> = view
        .board
        .members
        .iter()
        .map(|code| {
            let name = folded.member(code).map_or_else(|| code.clone(), |m| m.name.clone());
            let cells: Vec<CellView> = view
                .board
                .candidates
                .iter()
                .filter_map(|c| view.board.cell(code, c))
                .map(|cell| cell_view(&folded, cell, &name_of))
                .collect();
            let blocks = cells.iter().any(|c| c.blocks);
            minijinja::context! { code => code, name => name, cells => minijinja::value::Serde(&cells), blocks => blocks }
        })
        .collect();
    let members_named: std::collections::BTreeMap<String, String> = folded
        .members
        .iter()
        .map(|m| (m.code.clone(), m.name.clone()))
        .collect();
    let outlook = outlook(&state, &id, as_of, &who, &folded, &view).await?;
    let ctx = minijinja::context! {
        id => id,
        outlook => outlook,
        view => minijinja::value::Serde(&view),
        rows => rows,
        names => minijinja::value::Serde(&members_named),
        as_of => as_of.to_string(),
        first => first.to_string(),
        last => last.to_string(),
        days => (last - first).get_days(),
        day => (as_of - first).get_days().clamp(0, (last - first).get_days()),
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
        cell => minijinja::value::Serde(cell_view(&folded, cell, &name_of)),
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
        .map_or_else(|| d.hard_deadline.to_string(), |m| m.label.clone());
    Ok(Some(minijinja::context! {
        label => label,
        date => d.hard_deadline.to_string(),
        p => format!("{:.0} %", d.decided_by_hard_deadline.p * 100.0),
        se => format!("{:.1}", d.decided_by_hard_deadline.se * 100.0),
    }))
}
