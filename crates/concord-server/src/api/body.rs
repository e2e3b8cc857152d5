//! The JSON body extractor: a body that does not parse is answered in the one error shape, with
//! the JSON path of the first bad field, instead of axum's plain-text rejection.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use crate::{ApiError, AppState};

/// A JSON request body of type `T`.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::TooLarge(format!(
                    "the request body is larger than {} bytes",
                    state.settings.body_limit
                ))
            } else {
                ApiError::Malformed(e.body_text())
            }
        })?;
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        match serde_path_to_error::deserialize(de) {
            Ok(v) => Ok(JsonBody(v)),
            Err(e) => {
                let path = e.path().to_string();
                let path = if path == "." {
                    "$".to_owned()
                } else {
                    format!("$.{path}")
                };
                let inner = e.into_inner();
                if inner.is_syntax() || inner.is_eof() {
                    Err(ApiError::Malformed(format!(
                        "the body is not JSON: {inner}"
                    )))
                } else {
                    Err(ApiError::at(&path, inner.to_string()))
                }
            }
        }
    }
}
