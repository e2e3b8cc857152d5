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
    /// For a request signed in by the dashboard's cookie: the token its forms must echo back
    /// (see [`csrf_token`]). `None` for a bearer token or an anonymous reader, whose requests a
    /// browser never sends on another site's behalf.
    pub csrf: Option<String>,
}

impl Principal {
    pub fn anonymous() -> Principal {
        Principal {
            role: Role::Observer,
            token_id: None,
            label: "anonymous".to_owned(),
            csrf: None,
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

/// The anti-forgery token of a cookie session: derived from the session's secret token, so it
/// needs no server-side state, and unguessable by another site, which can neither read the
/// `HttpOnly` cookie nor this page. Every dashboard form carries it in a hidden `csrf` field and
/// every dashboard POST checks it ([`Principal::check_csrf`]), beneath the `SameSite=Strict`
/// cookie: a sibling subdomain is "same-site" and would get past that alone.
pub fn csrf_token(token: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"concord dashboard form v1\n");
    h.update(token.as_bytes());
    hex::encode(&h.finalize()[..16])
}

impl Principal {
    /// Refuses a form whose `csrf` field is not this cookie session's token (403, nothing
    /// written). Bearer and anonymous requests have none to check.
    pub fn check_csrf(&self, given: Option<&str>) -> Result<(), ApiError> {
        let Some(expected) = &self.csrf else {
            return Ok(());
        };
        let given = given.unwrap_or_default().as_bytes();
        // Compared in full whatever the first difference, so timing says nothing about it.
        let same = given.len() == expected.len()
            && given
                .iter()
                .zip(expected.as_bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        if same {
            Ok(())
        } else {
            Err(ApiError::Forbidden(
                "this form is stale or came from another site (its anti-forgery token does not match your session): reload the page and send it again; nothing was written"
                    .to_owned(),
            ))
        }
    }
}

/// Where a request's token came from.
enum Presented {
    Bearer(String),
    Cookie(String),
}

/// The token a request carries: `Authorization: Bearer …`, else the dashboard's cookie.
fn presented_token(parts: &Parts) -> Result<Option<Presented>, ApiError> {
    if let Some(value) = parts.headers.get(AUTHORIZATION) {
        let value = value.to_str().map_err(|_| {
            ApiError::Unauthorized("the Authorization header is not text".to_owned())
        })?;
        return match value.strip_prefix("Bearer ") {
            Some(token) if !token.trim().is_empty() => {
                Ok(Some(Presented::Bearer(token.trim().to_owned())))
            }
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
                return Ok(Some(Presented::Cookie(value.to_owned())));
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
                csrf: None,
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
            Some(Presented::Bearer(token)) => state.principal_for(&token).await?.ok_or_else(|| {
                ApiError::Unauthorized("unknown or revoked token".to_owned())
            }),
            Some(Presented::Cookie(token)) => {
                let mut who = state.principal_for(&token).await?.ok_or_else(|| {
                    ApiError::Unauthorized("unknown or revoked token".to_owned())
                })?;
                who.csrf = Some(csrf_token(&token));
                Ok(who)
            }
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
