//! The review page: paste an article to read it for the contest, then accept (optionally with
//! another stance or attribution), reject, or accept everything pending — each proposal shown
//! with its evidence and the cue words marked. Analysts and the chair only; the same
//! `concord_ledger::review` functions as the API and the CLI.

use axum::extract::{Form, Path, State};
use axum::response::Response;
use concord_domain::model::{Attribution, Stance};
use concord_ingest::review::{ArticleSource, Edit, Proposal};
use concord_ledger::review::{self, QueueItem};
use concord_store::ProposalStatus;
use serde::Deserialize;

use super::{CsrfOnly, PageError, Who, redirect, render, who};
use crate::api::review::ARTICLE_LIMIT;
use crate::{ApiError, AppState};

const ROLES: &[&str] = &["chair", "analyst"];

/// Pieces of an evidence sentence, the cue words marked.
fn marked(text: &str, cues: &[String]) -> Vec<minijinja::Value> {
    let lower = text.to_lowercase();
    let mut marks: Vec<(usize, usize)> = cues
        .iter()
        .map(|c| c.trim_start_matches("(negated) ").to_lowercase())
        .filter(|c| !c.is_empty())
        .filter_map(|c| lower.find(&c).map(|at| (at, at + c.len())))
        .filter(|(a, b)| text.is_char_boundary(*a) && text.is_char_boundary(*b))
        .collect();
    marks.sort_unstable();
    let mut out = Vec::new();
    let mut at = 0;
    for (a, b) in marks {
        if a < at {
            continue;
        }
        out.push(minijinja::context! { text => &text[at..a], mark => false });
        out.push(minijinja::context! { text => &text[a..b], mark => true });
        at = b;
    }
    out.push(minijinja::context! { text => &text[at..], mark => false });
    out
}

fn item_context(item: &QueueItem) -> minijinja::Value {
    let p = &item.pending.proposal;
    let cues: Vec<String> = match p {
        Proposal::Stance(s) => s.cues.clone(),
        _ => Vec::new(),
    };
    let (stance, attribution, conditions) = match p {
        Proposal::Stance(s) => (
            Some(s.stance.as_str()),
            Some(s.attribution.as_str()),
            s.conditions.clone(),
        ),
        _ => (None, None, Vec::new()),
    };
    minijinja::context! {
        id => item.record.id,
        kind => p.kind(),
        summary => p.summary(),
        stance => stance,
        attribution => attribution,
        conditions => conditions,
        source => item.pending.source.citation(),
        evidence => p.evidence().iter().map(|e| marked(&e.text, &cues)).collect::<Vec<_>>(),
    }
}

/// `/contests/{id}/review`.
pub(super) async fn page(
    State(state): State<AppState>,
    w: Who,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let who = who(w)?;
    who.require(ROLES, "review proposals")?;
    let items = review::list(&state.ledger, &id, Some(ProposalStatus::Pending))
        .await
        .map_err(ApiError::from)?;
    let title = super::board::folded(&state, &id, state.today(), &who)
        .await?
        .definition
        .title;
    let ctx = minijinja::context! {
        id => id, title => title, tab => "review",
        items => items.iter().map(item_context).collect::<Vec<_>>(),
        stances => Stance::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        attributions => Attribution::ALL.iter().map(|a| a.as_str()).collect::<Vec<_>>(),
        today => state.today().to_string(),
    };
    Ok(render("review.html", Some(&who), ctx))
}

#[derive(Deserialize)]
pub(super) struct ArticleForm {
    text: String,
    published: String,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    outlet: Option<String>,
    #[serde(default)]
    csrf: Option<String>,
}

/// `POST /contests/{id}/review`: read a pasted article into the queue.
pub(super) async fn ingest(
    State(state): State<AppState>,
    w: Who,
    Path(id): Path<String>,
    Form(f): Form<ArticleForm>,
) -> Result<Response, PageError> {
    let who = who(w)?;
    who.require(ROLES, "read articles into the review queue")?;
    who.check_csrf(f.csrf.as_deref())?;
    if f.text.len() > ARTICLE_LIMIT {
        return Err(ApiError::at(
            "text",
            format!("the article is larger than {ARTICLE_LIMIT} bytes"),
        )
        .into());
    }
    let published = f.published.parse().map_err(|_| {
        ApiError::at(
            "published",
            format!("'{}' is not a date (expected YYYY-MM-DD)", f.published),
        )
    })?;
    let source = ArticleSource {
        url: f.url.filter(|u| !u.trim().is_empty()),
        outlet: f.outlet.filter(|o| !o.trim().is_empty()),
        file: None,
        published,
    };
    let reader = crate::api::review::reader()?;
    review::ingest(
        &state.ledger,
        reader,
        &id,
        f.text.as_bytes(),
        source,
        state.now(),
        &who.author(),
    )
    .await
    .map_err(ApiError::from)?;
    Ok(redirect(&format!("/contests/{id}/review")))
}

#[derive(Deserialize)]
pub(super) struct AcceptForm {
    #[serde(default)]
    stance: Option<String>,
    #[serde(default)]
    attribution: Option<String>,
    #[serde(default)]
    csrf: Option<String>,
}

/// `POST /contests/{id}/review/{pid}/accept`, with the stance and attribution as chosen.
pub(super) async fn accept(
    State(state): State<AppState>,
    w: Who,
    Path((id, pid)): Path<(String, i64)>,
    Form(f): Form<AcceptForm>,
) -> Result<Response, PageError> {
    let who = who(w)?;
    who.require(ROLES, "accept proposals")?;
    who.check_csrf(f.csrf.as_deref())?;
    let stance = match f.stance.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(
            Stance::parse(s)
                .ok_or_else(|| ApiError::at("stance", format!("unknown stance '{s}'")))?,
        ),
        None => None,
    };
    let attribution = match f.attribution.as_deref().filter(|s| !s.is_empty()) {
        Some(a) => Some(
            Attribution::parse(a)
                .ok_or_else(|| ApiError::at("attribution", format!("unknown attribution '{a}'")))?,
        ),
        None => None,
    };
    // The form shows the proposed values: only a change is an edit.
    let items = review::list(&state.ledger, &id, Some(ProposalStatus::Pending))
        .await
        .map_err(ApiError::from)?;
    let mut edit = Edit::default();
    if let Some(Proposal::Stance(s)) = items
        .iter()
        .find(|i| i.record.id == pid)
        .map(|i| &i.pending.proposal)
    {
        edit.stance = stance.filter(|x| *x != s.stance);
        edit.attribution = attribution.filter(|x| *x != s.attribution);
    }
    let (_, events) = review::accept(&state.ledger, &id, pid, &edit, state.now(), &who.author())
        .await
        .map_err(ApiError::from)?;
    if let Some(last) = events.last() {
        state.note_head(&id, last.seq);
    }
    Ok(redirect(&format!("/contests/{id}/review")))
}

/// `POST /contests/{id}/review/{pid}/reject`.
pub(super) async fn reject(
    State(state): State<AppState>,
    w: Who,
    Path((id, pid)): Path<(String, i64)>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    let who = who(w)?;
    who.require(ROLES, "reject proposals")?;
    who.check_csrf(f.csrf.as_deref())?;
    review::reject(&state.ledger, &id, pid, state.now(), &who.author())
        .await
        .map_err(ApiError::from)?;
    Ok(redirect(&format!("/contests/{id}/review")))
}

/// `POST /contests/{id}/review/accept-all`: everything pending, in an order that keeps
/// references valid; stops at the first refusal, which stays pending with the rest.
pub(super) async fn accept_all(
    State(state): State<AppState>,
    w: Who,
    Path(id): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    let who = who(w)?;
    who.require(ROLES, "accept proposals")?;
    who.check_csrf(f.csrf.as_deref())?;
    let items = review::pending_in_accepting_order(&state.ledger, &id)
        .await
        .map_err(ApiError::from)?;
    for item in items {
        let (_, events) = review::accept(
            &state.ledger,
            &id,
            item.record.id,
            &Edit::default(),
            state.now(),
            &who.author(),
        )
        .await
        .map_err(ApiError::from)?;
        if let Some(last) = events.last() {
            state.note_head(&id, last.seq);
        }
    }
    Ok(redirect(&format!("/contests/{id}/review")))
}
