//! The one error shape every endpoint answers with:
//! `{"error":{"code":"bad_input","message":"…","problems":[{"path":"$.member",…}]}}`.
//!
//! Client errors say what is wrong; internal errors are logged with their detail and answered
//! with a generic message, so nothing about the store leaks.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use concord_domain::diagnostic::{Diagnostic, Diagnostics, Location};
use concord_ledger::LedgerError;
use serde::Serialize;

/// One problem with a request body, located by a JSON path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub path: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub did_you_mean: Option<String>,
}

impl From<&Diagnostic> for Problem {
    fn from(d: &Diagnostic) -> Problem {
        let path = match &d.location {
            Location::Json { path, .. } => path.clone(),
            Location::Argument { name } => name.clone(),
            Location::Text { line, column, .. } => format!("line {line}, column {column}"),
        };
        Problem {
            path,
            message: d.message.clone(),
            expected: d.expected.clone(),
            did_you_mean: d.did_you_mean.clone(),
        }
    }
}

/// An error answered to the client.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body is well-formed but wrong: every problem, each at its JSON path.
    #[error("{message}")]
    BadInput {
        message: String,
        problems: Vec<Problem>,
    },
    /// The body or query cannot be parsed at all.
    #[error("{0}")]
    Malformed(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// The request contradicts the current state (a closed procedure, a duplicate id).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// Unexpected: logged, not leaked.
    #[error("internal error: {0}")]
    Internal(String),
    #[error("{0}")]
    Unavailable(String),
    #[error("{0}")]
    TooLarge(String),
    /// The contest's stored log fails its integrity check: logged with the cause, answered
    /// with what the client needs to know (nothing was read or written).
    #[error("{0}")]
    Broken(String),
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadInput { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Malformed(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Broken(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadInput { .. } => "bad_input",
            ApiError::Malformed(_) => "malformed",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::Conflict { code, .. } => code,
            ApiError::Internal(_) => "internal",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::TooLarge(_) => "too_large",
            ApiError::Broken(_) => "log_broken",
        }
    }

    pub fn internal(e: impl std::fmt::Display) -> ApiError {
        ApiError::Internal(e.to_string())
    }

    /// Every diagnostic as a problem; `message` summarises.
    pub fn bad_input(problems: &Diagnostics) -> ApiError {
        let n = problems.0.len();
        ApiError::BadInput {
            message: format!(
                "{n} problem{} found; nothing was written",
                if n == 1 { "" } else { "s" }
            ),
            problems: problems.0.iter().map(Problem::from).collect(),
        }
    }

    /// The domain's refusal of a command, each problem at `locate(field)` (a JSON path for the
    /// API, a form field for the dashboard). When every problem is the contest having moved on
    /// (a procedure closed, an id taken), it is a conflict (409 with that code), else bad input.
    pub fn refused(r: &concord_domain::Refusals, locate: impl Fn(&str) -> String) -> ApiError {
        let conflict =
            r.0.first()
                .map(|x| x.code)
                .filter(|code| *code != "bad_input" && r.0.iter().all(|x| x.code == *code));
        if let Some(code) = conflict {
            if code == "not_found" {
                let message = r.0.iter().map(|x| x.message.clone()).collect::<Vec<_>>();
                return ApiError::NotFound(message.join("; "));
            }
            let message =
                r.0.iter()
                    .map(|x| x.message.clone())
                    .collect::<Vec<_>>()
                    .join("; ");
            return ApiError::Conflict {
                code,
                message: format!("{message}; nothing was written"),
            };
        }
        let n = r.0.len();
        ApiError::BadInput {
            message: format!(
                "{n} problem{} found; nothing was written",
                if n == 1 { "" } else { "s" }
            ),
            problems: r
                .0
                .iter()
                .map(|x| Problem {
                    path: locate(&x.field),
                    message: x.message.clone(),
                    expected: x.expected.clone(),
                    did_you_mean: x.did_you_mean.clone(),
                })
                .collect(),
        }
    }

    /// One problem at one path.
    pub fn at(path: &str, message: impl Into<String>) -> ApiError {
        let message = message.into();
        ApiError::BadInput {
            message: format!("{path}: {message}"),
            problems: vec![Problem {
                path: path.to_owned(),
                message,
                expected: None,
                did_you_mean: None,
            }],
        }
    }
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: &'a str,
    message: String,
    #[serde(skip_serializing_if = "<[Problem]>::is_empty")]
    problems: &'a [Problem],
    /// For an internal error: the id the server log files its detail under.
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<String>,
}

tokio::task_local! {
    /// The request id (`x-request-id`) of the request being answered.
    static REQUEST_ID: String;
}

/// Middleware: makes the request's id known to the error answered for it, so an internal
/// error's answer can name the log line that holds its detail.
pub async fn with_request_id(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_owned();
    REQUEST_ID.scope(id, next.run(req)).await
}

/// The id of the request being answered ("-" outside one).
pub fn request_id() -> String {
    REQUEST_ID
        .try_with(Clone::clone)
        .unwrap_or_else(|_| "-".to_owned())
}

impl ApiError {
    /// What the user is told: the error itself for a client error; for an internal one a
    /// generic sentence with the request id, the detail going to the log under that id only.
    pub fn public_message(&self) -> String {
        match self {
            ApiError::Internal(detail) => {
                let id = request_id();
                tracing::error!(request_id = %id, %detail, "internal error");
                format!("internal error; the server log has the details (request id {id})")
            }
            other => other.to_string(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let message = self.public_message();
        let problems: &[Problem] = match &self {
            ApiError::BadInput { problems, .. } => problems,
            _ => &[],
        };
        let body = Body {
            error: Inner {
                code: self.code(),
                message,
                problems,
                request_id: matches!(self, ApiError::Internal(_)).then(request_id),
            },
        };
        (self.status(), Json(body)).into_response()
    }
}

impl From<LedgerError> for ApiError {
    fn from(e: LedgerError) -> ApiError {
        match e {
            LedgerError::UnknownContest(c) => ApiError::NotFound(format!("no contest '{c}'")),
            LedgerError::ContestExists(c) => ApiError::Conflict {
                code: "exists",
                message: format!("contest '{c}' already exists"),
            },
            e @ LedgerError::Conflict { .. } => ApiError::Conflict {
                code: "write_conflict",
                message: e.to_string(),
            },
            LedgerError::Closed => ApiError::Unavailable("the server is shutting down".to_owned()),
            LedgerError::Refused(r) => ApiError::refused(&r, |field| format!("$.{field}")),
            LedgerError::NoSigningKey => ApiError::Unavailable(
                "this server has no signing key, so it cannot write: its operator must give it the store's key file (CONCORD_KEY_FILE)".to_owned(),
            ),
            LedgerError::Broken { contest, breach } => {
                tracing::error!(%contest, %breach, "refused a contest whose log fails its integrity check");
                ApiError::Broken(format!(
                    "the log of contest '{contest}' fails its integrity check{}; nothing was read or written — the operator must restore it (`concord verify` names the cause)",
                    breach
                        .first_bad()
                        .map(|seq| format!(" at event {seq}"))
                        .unwrap_or_default()
                ))
            }
            other => ApiError::internal(other),
        }
    }
}

/// Middleware for the API: an error answered by the framework rather than a handler (a query
/// string or path that does not parse, a method the route does not have) is rewritten into the
/// one error shape, so every API answer is JSON as the OpenAPI document says.
pub async fn api_errors_as_json(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let resp = next.run(req).await;
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return resp;
    }
    let text = axum::body::to_bytes(resp.into_body(), 4096)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let message = if text.is_empty() {
        status.canonical_reason().unwrap_or("error").to_owned()
    } else {
        text
    };
    let code = match status {
        StatusCode::BAD_REQUEST => "malformed",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        s if s.is_server_error() => "internal",
        _ => "error",
    };
    let message = if status.is_server_error() {
        tracing::error!(request_id = %request_id(), %message, "internal error");
        format!(
            "internal error; the server log has the details (request id {})",
            request_id()
        )
    } else {
        message
    };
    (
        status,
        Json(serde_json::json!({"error": {"code": code, "message": message}})),
    )
        .into_response()
}
