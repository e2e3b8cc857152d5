//! Importing whole files, as `concord import` does: a scenario TOML creates a contest, a CSV of
//! reports is appended to one. Both are all-or-nothing — every problem is answered at once,
//! located by line and column of the posted text, and nothing is written unless the file is
//! clean.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use concord_domain::diagnostic::{Diagnostics, Location};
use serde::Serialize;
use serde_json::{Value, json};

use crate::error::Problem;
use crate::{ApiError, AppState, Principal};

/// A text request body, read (within the size limit) with its media type, but not yet checked:
/// as with [`super::body::JsonBody`], the role is checked first, so a caller who may not import
/// hears 401/403 rather than what is wrong with the file.
pub struct TextBody {
    media_type: Option<String>,
    bytes: Bytes,
}

impl TextBody {
    /// The body as text, if its media type is one of `accepted` and it is UTF-8.
    fn text(&self, accepted: &[&str]) -> Result<&str, ImportError> {
        let given = self.media_type.as_deref().unwrap_or("none");
        if !accepted.contains(&given) {
            return Err(ImportError::MediaType(format!(
                "the body's Content-Type is {given}: expected {}",
                accepted.join(" or ")
            )));
        }
        std::str::from_utf8(&self.bytes)
            .map_err(|e| ApiError::Malformed(format!("the body is not UTF-8 text: {e}")).into())
    }
}

impl FromRequest<AppState> for TextBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        // Only the essence counts: `text/csv; charset=utf-8` is text/csv.
        let media_type = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase());
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::TooLarge(format!(
                    "the request body is larger than {} bytes",
                    state.settings.body_limit
                ))
            } else {
                ApiError::Malformed(e.body_text())
            }
        })?;
        Ok(TextBody { media_type, bytes })
    }
}

/// One problem in the posted text: the API's [`Problem`] with the line and column the text
/// parsers give (`path` stays empty: there is no JSON path into a TOML or CSV file).
#[derive(Debug, Serialize)]
struct LocatedProblem {
    #[serde(flatten)]
    problem: Problem,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<usize>,
}

/// What an import answers when it fails: an ordinary API error, the file's problems, or a body
/// of the wrong media type. All of them in the one error shape.
#[derive(Debug)]
pub enum ImportError {
    Api(ApiError),
    /// The file was read and checked whole; each problem at its line and column. 422.
    Located(Diagnostics),
    /// 415: the body is not the text this endpoint reads.
    MediaType(String),
}

impl From<ApiError> for ImportError {
    fn from(e: ApiError) -> ImportError {
        ImportError::Api(e)
    }
}

impl IntoResponse for ImportError {
    fn into_response(self) -> Response {
        match self {
            ImportError::Api(e) => e.into_response(),
            ImportError::MediaType(message) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                Json(json!({"error": {"code": "unsupported_media_type", "message": message}})),
            )
                .into_response(),
            ImportError::Located(diagnostics) => {
                // The summary and code come from ApiError::bad_input, so the two cannot drift;
                // only the problems gain their line and column.
                let ApiError::BadInput { message, .. } = ApiError::bad_input(&diagnostics) else {
                    unreachable!("bad_input builds BadInput")
                };
                let problems: Vec<LocatedProblem> = diagnostics
                    .0
                    .iter()
                    .map(|d| {
                        let mut problem = Problem::from(d);
                        let (line, column) = match d.location {
                            Location::Text { line, column, .. } => {
                                problem.path = String::new();
                                (Some(line), Some(column))
                            }
                            _ => (None, None),
                        };
                        LocatedProblem {
                            problem,
                            line,
                            column,
                        }
                    })
                    .collect();
                (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Json(json!({"error": {"code": "bad_input", "message": message, "problems": problems}})),
                )
                    .into_response()
            }
        }
    }
}

/// `POST /api/contests`: the chair creates a contest from a scenario TOML. 409 `contest_exists`
/// when the id is taken.
pub async fn create_contest(
    State(state): State<AppState>,
    who: Principal,
    body: TextBody,
) -> Result<(StatusCode, Json<Value>), ImportError> {
    who.require(&["chair"], "import contests")?;
    let text = body.text(&["application/toml", "text/plain"])?;
    let (id, n) = state
        .import_scenario(&who, text)
        .await
        .map_err(ImportError::from)?;
    Ok((StatusCode::CREATED, Json(json!({"id": id, "events": n}))))
}

/// `POST /api/contests/{id}/reports.csv`: a CSV of stance reports, appended whole or not at
/// all. Chair: any row. Analyst: public rows only. Delegation: rows for its own member only.
pub async fn import_reports(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    body: TextBody,
) -> Result<(StatusCode, Json<Value>), ImportError> {
    who.require(&["chair", "delegation", "analyst"], "import reports")?;
    let text = body.text(&["text/csv", "text/plain"])?;
    let n = state
        .import_reports(&who, &id, text)
        .await
        .map_err(ImportError::from)?;
    Ok((StatusCode::CREATED, Json(json!({"imported": n}))))
}

impl From<crate::app::writes::WriteError> for ImportError {
    fn from(e: crate::app::writes::WriteError) -> ImportError {
        match e {
            crate::app::writes::WriteError::Located(d) => ImportError::Located(d),
            other => ImportError::Api(super::write_error(other)),
        }
    }
}
