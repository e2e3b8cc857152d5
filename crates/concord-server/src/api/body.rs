//! The JSON body extractor: a body that does not parse is answered in the one error shape, with
//! the JSON path of the first bad field, instead of axum's plain-text rejection. A body is
//! exactly one JSON value: trailing text after it is refused (422 at `$`), never ignored. Parsing waits
//! for [`JsonBody::parse`], so a handler checks the caller's role first: a caller who may not
//! write hears 401/403, not what is wrong with a body it may not send.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use crate::{ApiError, AppState};

/// A JSON request body of type `T`, read (within the size limit) but not yet parsed.
pub struct JsonBody<T>(Bytes, std::marker::PhantomData<T>);

impl<T: DeserializeOwned + Default> JsonBody<T> {
    /// An empty body is the default value (an optional body, such as an edit).
    pub fn parse_or_default(&self) -> Result<T, ApiError> {
        if self.0.iter().all(u8::is_ascii_whitespace) {
            Ok(T::default())
        } else {
            self.parse()
        }
    }
}

impl<T: DeserializeOwned> JsonBody<T> {
    pub fn parse(&self) -> Result<T, ApiError> {
        let de = &mut serde_json::Deserializer::from_slice(&self.0);
        match serde_path_to_error::deserialize(&mut *de) {
            // Exactly one value: anything but whitespace after it is refused, never ignored.
            Ok(v) => match de.end() {
                Ok(()) => Ok(v),
                Err(e) => Err(ApiError::at(
                    "$",
                    format!("the body holds more than one JSON value: {e}"),
                )),
            },
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
        Ok(JsonBody(bytes, std::marker::PhantomData))
    }
}
