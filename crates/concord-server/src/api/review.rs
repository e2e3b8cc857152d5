//! The review queue over HTTP: `POST /api/contests/{id}/ingest` reads an article and stores what
//! it proposes as pending; `GET …/proposals` lists them with their evidence; `POST
//! …/proposals/{pid}/accept` (optionally edited) and `…/reject` decide one, `POST
//! …/proposals/accept|reject` several. Analysts and the chair only. The same
//! `concord_ledger::review` functions as `concord ingest` and `concord review`: an accepted
//! proposal is appended through the ledger like any other write.

use std::sync::OnceLock;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use concord_ingest::review::{ArticleSource, Edit};
use concord_ingest::{ReadError, Reader};
use concord_ledger::review::{self, QueueItem, ReviewError};
use concord_store::ProposalStatus;
use jiff::civil::Date;
use serde::Deserialize;
use serde_json::{Value, json};

use super::body::JsonBody;
use crate::{ApiError, AppState, Principal};

/// The largest article the API reads: about a second of reading (the bench reads 1 MB in less).
pub const ARTICLE_LIMIT: usize = 1024 * 1024;

const ROLES: &[&str] = &["chair", "analyst"];

/// The reader, built once per process from the bundled gazetteers and lexicon.
pub(crate) fn reader() -> Result<&'static Reader, ApiError> {
    static READER: OnceLock<Result<Reader, String>> = OnceLock::new();
    READER
        .get_or_init(|| Reader::bundled().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| ApiError::Internal(e.clone()))
}

/// An article to read.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IngestIn {
    /// The article: plain text or HTML.
    pub text: String,
    /// The date the article speaks for (YYYY-MM-DD).
    pub published: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub outlet: Option<String>,
}

impl From<ReviewError> for ApiError {
    fn from(e: ReviewError) -> ApiError {
        match e {
            ReviewError::Read(ReadError::Input(i)) => ApiError::at("$.text", i.to_string()),
            ReviewError::Read(r @ ReadError::NotAboutContest { .. }) => {
                ApiError::at("$.text", r.to_string())
            }
            ReviewError::Ledger(l) => l.into(),
            e @ ReviewError::UnknownProposal { .. } => ApiError::NotFound(e.to_string()),
            e @ ReviewError::AlreadyDecided { .. } => ApiError::Conflict {
                code: "decided",
                message: e.to_string(),
            },
            e @ ReviewError::Edit { .. } => ApiError::at("$", e.to_string()),
            e @ ReviewError::Corrupt { .. } => ApiError::internal(e),
        }
    }
}

fn item_json(item: &QueueItem) -> Value {
    item.to_json()
}

/// `POST /api/contests/{id}/ingest`: 201 with the proposals newly pending.
pub async fn ingest(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    body: JsonBody<IngestIn>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    who.require(ROLES, "read articles into the review queue")?;
    let a = body.parse()?;
    let published: Date = a.published.parse().map_err(|_| {
        ApiError::at(
            "$.published",
            format!("'{}' is not a date (expected YYYY-MM-DD)", a.published),
        )
    })?;
    let source = ArticleSource {
        url: a.url.filter(|u| !u.trim().is_empty()),
        outlet: a.outlet.filter(|o| !o.trim().is_empty()),
        file: None,
        published,
    };
    let ingested = review::ingest(
        &state.ledger,
        reader()?,
        &id,
        a.text.as_bytes(),
        source,
        state.clock.now(),
        &who.author(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "article": ingested.article,
            "proposed": ingested.proposed,
            "stored": ingested.stored.iter().map(item_json).collect::<Vec<_>>(),
            "notes": ingested.notes,
        })),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusQuery {
    /// pending (default), accepted, rejected or all.
    pub status: Option<String>,
}

/// `GET /api/contests/{id}/proposals?status=…`.
pub async fn list(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    Query(q): Query<StatusQuery>,
) -> Result<Json<Vec<Value>>, ApiError> {
    who.require(ROLES, "see the review queue")?;
    let status = match q.status.as_deref() {
        None | Some("pending") => Some(ProposalStatus::Pending),
        Some("all") => None,
        Some(s) => Some(ProposalStatus::parse(s).ok_or_else(|| {
            ApiError::at(
                "$.status",
                format!("unknown status '{s}' (expected pending, accepted, rejected or all)"),
            )
        })?),
    };
    let items = review::list(&state.ledger, &id, status).await?;
    Ok(Json(items.iter().map(item_json).collect()))
}

/// `POST /api/contests/{id}/proposals/{pid}/accept`, with an optional edit as the body.
pub async fn accept(
    State(state): State<AppState>,
    who: Principal,
    Path((id, pid)): Path<(String, i64)>,
    body: JsonBody<Edit>,
) -> Result<Json<Value>, ApiError> {
    who.require(ROLES, "accept proposals")?;
    let edit = body.parse_or_default()?;
    let (item, events) = review::accept(
        &state.ledger,
        &id,
        pid,
        &edit,
        state.clock.now(),
        &who.author(),
    )
    .await?;
    if let Some(last) = events.last() {
        state.note_head(&id, last.seq);
    }
    Ok(Json(
        json!({"proposal": item_json(&item), "events": events}),
    ))
}

/// `POST /api/contests/{id}/proposals/{pid}/reject`.
pub async fn reject(
    State(state): State<AppState>,
    who: Principal,
    Path((id, pid)): Path<(String, i64)>,
) -> Result<Json<Value>, ApiError> {
    who.require(ROLES, "reject proposals")?;
    let item = review::reject(&state.ledger, &id, pid, state.clock.now(), &who.author()).await?;
    Ok(Json(item_json(&item)))
}

/// Several proposals at once.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bulk {
    /// These ids, in this order…
    #[serde(default)]
    pub ids: Vec<i64>,
    /// …or every pending proposal (accepted in an order that keeps references valid).
    #[serde(default)]
    pub all: bool,
}

async fn bulk(
    state: &AppState,
    who: &Principal,
    id: &str,
    b: Bulk,
    accepting: bool,
) -> Result<Json<Value>, ApiError> {
    // Exactly one of the two: ids, or all.
    if b.all != b.ids.is_empty() {
        return Err(ApiError::at("$", "give either ids or all: true"));
    }
    if b.ids.len() > 10_000 {
        return Err(ApiError::at("$.ids", "at most 10000 ids at once"));
    }
    let ids: Vec<i64> = if b.all {
        review::pending_in_accepting_order(&state.ledger, id)
            .await?
            .into_iter()
            .map(|i| i.record.id)
            .collect()
    } else {
        b.ids
    };
    let mut decided = Vec::new();
    let mut refused = Vec::new();
    for pid in ids {
        let result = if accepting {
            review::accept(
                &state.ledger,
                id,
                pid,
                &Edit::default(),
                state.clock.now(),
                &who.author(),
            )
            .await
            .map(|(item, events)| {
                if let Some(last) = events.last() {
                    state.note_head(id, last.seq);
                }
                item
            })
        } else {
            review::reject(&state.ledger, id, pid, state.clock.now(), &who.author()).await
        };
        match result {
            Ok(item) => decided.push(item_json(&item)),
            Err(e) => refused.push(json!({"id": pid, "message": e.to_string()})),
        }
    }
    Ok(Json(json!({"decided": decided, "refused": refused})))
}

/// `POST /api/contests/{id}/proposals/accept`: `{"ids": [..]}` or `{"all": true}`.
pub async fn accept_many(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    body: JsonBody<Bulk>,
) -> Result<Json<Value>, ApiError> {
    who.require(ROLES, "accept proposals")?;
    let b = body.parse()?;
    bulk(&state, &who, &id, b, true).await
}

/// `POST /api/contests/{id}/proposals/reject`: `{"ids": [..]}` or `{"all": true}`.
pub async fn reject_many(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    body: JsonBody<Bulk>,
) -> Result<Json<Value>, ApiError> {
    who.require(ROLES, "reject proposals")?;
    let b = body.parse()?;
    bulk(&state, &who, &id, b, false).await
}
