//! Who is asking: bearer tokens (or the `concord_token` cookie the dashboard sets), their
//! roles, and the [`Principal`] extractor every handler takes.
//!
//! A token is 32 random bytes shown once, hex-encoded; the store keeps only its SHA-256, so a
//! leaked database does not leak working tokens.

use std::fmt;
use std::time::Instant;

use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use concord_ledger::View;
use sha2::{Digest, Sha256};

use crate::{ApiError, AppState};

/// The cookie the dashboard keeps a signed-in token in.
pub const TOKEN_COOKIE: &str = "concord_token";

/// What a token lets its holder do.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Role {
    /// Runs the process: everything, including stances told in confidence.
    Chair,
    /// A member's delegation: reports and breaks silence for its own member only.
    Delegation(String),
    /// Records reports from public sources.
    Analyst,
    /// Reads public data.
    Observer,
}

impl Role {
    /// Parses `chair`, `delegation:HUN`, `analyst` or `observer`.
    pub fn parse(s: &str) -> Result<Role, String> {
        match s {
            "chair" => Ok(Role::Chair),
            "analyst" => Ok(Role::Analyst),
            "observer" => Ok(Role::Observer),
            other => match other.strip_prefix("delegation:") {
                Some(code)
                    if (2..=8).contains(&code.len())
                        && code
                            .chars()
                            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) =>
                {
                    Ok(Role::Delegation(code.to_owned()))
                }
                Some(code) => Err(format!(
                    "'{code}' is not a member code: expected upper-case letters such as delegation:HUN"
                )),
                None => Err(format!(
                    "unknown role '{other}': expected chair, delegation:XXX, analyst or observer"
                )),
            },
        }
    }

    /// Which events this role may see.
    pub fn view(&self) -> View {
        match self {
            Role::Chair => View::Chair,
            _ => View::Public,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Role::Chair => f.write_str("chair"),
            Role::Delegation(code) => write!(f, "delegation:{code}"),
            Role::Analyst => f.write_str("analyst"),
            Role::Observer => f.write_str("observer"),
        }
    }
}

/// The caller of a request: a token's holder, or an anonymous reader when the server allows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub role: Role,
    /// The token's id; `None` for an anonymous reader.
    pub token_id: Option<i64>,
    pub label: String,
}

impl Principal {
    pub fn anonymous() -> Principal {
        Principal {
            role: Role::Observer,
            token_id: None,
            label: "anonymous".to_owned(),
        }
    }

    pub fn is_anonymous(&self) -> bool {
        self.token_id.is_none()
    }

    pub fn view(&self) -> View {
        self.role.view()
    }

    pub fn is_chair(&self) -> bool {
        self.role == Role::Chair
    }

    /// The author written into events this principal records.
    pub fn author(&self) -> String {
        match self.token_id {
            Some(id) => format!("api:{}#{id}", self.role),
            None => "api:anonymous".to_owned(),
        }
    }

    /// Refuses unless the role is one of `allowed`.
    pub fn require(&self, allowed: &[&str], what: &str) -> Result<(), ApiError> {
        let kind = match &self.role {
            Role::Chair => "chair",
            Role::Delegation(_) => "delegation",
            Role::Analyst => "analyst",
            Role::Observer => "observer",
        };
        if allowed.contains(&kind) {
            Ok(())
        } else if self.is_anonymous() {
            Err(ApiError::Unauthorized(format!(
                "{what} needs a token: send `Authorization: Bearer TOKEN`"
            )))
        } else {
            Err(ApiError::Forbidden(format!(
                "the role {} may not {what}",
                self.role
            )))
        }
    }
}

/// A fresh token: (the secret to show once, the hash to store).
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the OS random source works");
    let token = format!("cc_{}", hex::encode(bytes));
    let hash = hash_token(&token);
    (token, hash)
}

/// The SHA-256 of a token, lower-case hex: what the store keeps.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The token a request carries: `Authorization: Bearer …`, else the dashboard's cookie.
fn presented_token(parts: &Parts) -> Result<Option<String>, ApiError> {
    if let Some(value) = parts.headers.get(AUTHORIZATION) {
        let value = value.to_str().map_err(|_| {
            ApiError::Unauthorized("the Authorization header is not text".to_owned())
        })?;
        return match value.strip_prefix("Bearer ") {
            Some(token) if !token.trim().is_empty() => Ok(Some(token.trim().to_owned())),
            _ => Err(ApiError::Unauthorized(
                "expected `Authorization: Bearer TOKEN`".to_owned(),
            )),
        };
    }
    for header in parts.headers.get_all(COOKIE) {
        let Ok(text) = header.to_str() else { continue };
        for pair in text.split(';') {
            if let Some((name, value)) = pair.trim().split_once('=')
                && name == TOKEN_COOKIE
                && !value.is_empty()
            {
                return Ok(Some(value.to_owned()));
            }
        }
    }
    Ok(None)
}

impl AppState {
    /// Looks a token up, trusting a recent answer for `token_ttl` (a store query per request
    /// would cap reads far below what the board must serve).
    pub async fn principal_for(&self, token: &str) -> Result<Option<Principal>, ApiError> {
        let hash = hash_token(token);
        {
            let cache = self.tokens.lock().expect("token cache lock");
            if let Some((principal, at)) = cache.get(&hash)
                && at.elapsed() < self.settings.token_ttl
            {
                return Ok(principal.clone());
            }
        }
        let record = self
            .ledger
            .store()
            .find_token(&hash)
            .await
            .map_err(ApiError::internal)?;
        let principal = match record {
            Some(r) if r.revoked_at.is_none() => Some(Principal {
                role: Role::parse(&r.role).map_err(ApiError::internal)?,
                token_id: Some(r.id),
                label: r.label,
            }),
            _ => None,
        };
        let mut cache = self.tokens.lock().expect("token cache lock");
        if cache.len() > 10_000 {
            // Bounded: guessed tokens must not grow memory without limit.
            cache.clear();
        }
        cache.insert(hash, (principal.clone(), Instant::now()));
        Ok(principal)
    }

    /// Forgets cached token answers (after a revocation through this process).
    pub fn forget_tokens(&self) {
        self.tokens.lock().expect("token cache lock").clear();
    }
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match presented_token(parts)? {
            Some(token) => state.principal_for(&token).await?.ok_or_else(|| {
                ApiError::Unauthorized("unknown or revoked token".to_owned())
            }),
            None if state.settings.public_read => Ok(Principal::anonymous()),
            None => Err(ApiError::Unauthorized(
                "this server needs a token: send `Authorization: Bearer TOKEN` (create one with `concord token create`)"
                    .to_owned(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_bad_ones_are_explained() {
        for s in ["chair", "delegation:HUN", "analyst", "observer"] {
            assert_eq!(Role::parse(s).unwrap().to_string(), s);
        }
        assert!(
            Role::parse("delegation:hun")
                .unwrap_err()
                .contains("upper-case")
        );
        assert!(Role::parse("admin").unwrap_err().contains("unknown role"));
    }

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let (a, ha) = new_token();
        let (b, _) = new_token();
        assert_ne!(a, b);
        assert_eq!(ha, hash_token(&a));
        assert_eq!(ha.len(), 64);
        assert!(!ha.contains(&a[3..]));
    }
}
