//! Signed checkpoints: a contest's log size and head hash at one commit, signed with the
//! store's Ed25519 key, so that nobody without the key can make a rewritten log verify, and a
//! checkpoint published earlier proves what the log held then.
//!
//! Modelled on Certificate Transparency's signed tree heads and the transparency-log
//! checkpoints of Sigstore's Rekor (a signed note). The head is the hash of the last event: the
//! events form a hash chain, so a later log *extends* an earlier checkpoint exactly when its
//! event at the checkpoint's size has the checkpoint's head hash.
//!
//! # Text form
//!
//! ```text
//! concord/nato-sg-2024                  origin: the contest
//! 42                                    size: events covered
//! 3f1c…(64 hex)                         head: the hash of event 42
//! time 2024-06-20T10:00:00Z             when the covering append was recorded
//!
//! — 9a0b1c2d3e4f5061 5d3e…(128 hex)     key id, Ed25519 signature
//! ```
//!
//! The signature covers the four body lines, each ending in `\n`. The key id is the first 16
//! hex digits of SHA-256 over `concord-key\0` and the 32-byte public key.

use ed25519_dalek::{Signer as _, Verifier as _};
use jiff::Timestamp;
use sha2::{Digest, Sha256};

/// What can be wrong with a key or a checkpoint as text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("line {line}: {message}")]
    Malformed { line: usize, message: String },
    #[error("no randomness for a new key: {0}")]
    Random(String),
}

fn malformed(line: usize, message: impl Into<String>) -> KeyError {
    KeyError::Malformed {
        line,
        message: message.into(),
    }
}

fn hex_bytes<const N: usize>(line: usize, what: &str, text: &str) -> Result<[u8; N], KeyError> {
    let bytes = hex::decode(text).map_err(|e| malformed(line, format!("{what}: {e}")))?;
    bytes
        .try_into()
        .map_err(|_| malformed(line, format!("{what}: expected {} hex digits", 2 * N)))
}

/// The private key that signs checkpoints. Its text form is what the key file holds.
pub struct SigningKey(ed25519_dalek::SigningKey);

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", self.public().id())
    }
}

const SECRET_HEADER: &str = "concord signing key (Ed25519): keep it secret";

impl SigningKey {
    /// A fresh key from the operating system's randomness.
    pub fn generate() -> Result<SigningKey, KeyError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| KeyError::Random(e.to_string()))?;
        Ok(SigningKey(ed25519_dalek::SigningKey::from_bytes(&seed)))
    }

    /// The key whose 32-byte secret is `seed` (tests use a fixed one; real keys come from
    /// [`SigningKey::generate`]).
    pub fn from_seed(seed: [u8; 32]) -> SigningKey {
        SigningKey(ed25519_dalek::SigningKey::from_bytes(&seed))
    }

    /// The key file's text: a header, the key id and the 32-byte secret in hex.
    pub fn to_text(&self) -> String {
        format!(
            "{SECRET_HEADER}\nkey {}\nsecret {}\n",
            self.public().id(),
            hex::encode(self.0.to_bytes())
        )
    }

    /// Reads the key file's text.
    pub fn from_text(text: &str) -> Result<SigningKey, KeyError> {
        let lines: Vec<&str> = text.lines().collect();
        if lines.first() != Some(&SECRET_HEADER) {
            return Err(malformed(1, format!("expected '{SECRET_HEADER}'")));
        }
        let secret = lines
            .get(2)
            .and_then(|l| l.strip_prefix("secret "))
            .ok_or_else(|| malformed(3, "expected 'secret <64 hex digits>'"))?;
        let key = SigningKey(ed25519_dalek::SigningKey::from_bytes(&hex_bytes::<32>(
            3, "secret", secret,
        )?));
        let id = lines
            .get(1)
            .and_then(|l| l.strip_prefix("key "))
            .ok_or_else(|| malformed(2, "expected 'key <id>'"))?;
        if id != key.public().id() {
            return Err(malformed(
                2,
                format!(
                    "key id {id} does not belong to this secret (its id is {})",
                    key.public().id()
                ),
            ));
        }
        Ok(key)
    }

    pub fn public(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }
}

/// The public half: what verifies checkpoints. Registered in the store and exportable.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(ed25519_dalek::VerifyingKey);

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({})", self.id())
    }
}

const PUBLIC_HEADER: &str = "concord public key (Ed25519)";

impl PublicKey {
    /// The short name a checkpoint's signature line carries.
    pub fn id(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(b"concord-key\0");
        hasher.update(self.0.as_bytes());
        hex::encode(&hasher.finalize()[..8])
    }

    /// The 32 bytes in hex, as the store records them.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0.as_bytes())
    }

    pub fn from_hex(text: &str) -> Result<PublicKey, KeyError> {
        let bytes = hex_bytes::<32>(1, "public key", text.trim())?;
        ed25519_dalek::VerifyingKey::from_bytes(&bytes)
            .map(PublicKey)
            .map_err(|e| malformed(1, format!("not an Ed25519 public key: {e}")))
    }

    /// The exported text (`concord key export`): a header, the key id, the key in hex.
    pub fn to_text(&self) -> String {
        format!(
            "{PUBLIC_HEADER}\nkey {}\ned25519 {}\n",
            self.id(),
            self.to_hex()
        )
    }

    /// Reads an exported public key, or a bare 64-hex-digit key.
    pub fn from_text(text: &str) -> Result<PublicKey, KeyError> {
        let lines: Vec<&str> = text.lines().collect();
        if lines.first() != Some(&PUBLIC_HEADER) {
            return PublicKey::from_hex(text);
        }
        let hex = lines
            .get(2)
            .and_then(|l| l.strip_prefix("ed25519 "))
            .ok_or_else(|| malformed(3, "expected 'ed25519 <64 hex digits>'"))?;
        let key = PublicKey::from_hex(hex).map_err(|_| malformed(3, "not an Ed25519 key"))?;
        match lines.get(1).and_then(|l| l.strip_prefix("key ")) {
            Some(id) if id == key.id() => Ok(key),
            _ => Err(malformed(
                2,
                format!("expected 'key {}' (the id of this key)", key.id()),
            )),
        }
    }
}

/// One signed checkpoint of one contest's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub contest: String,
    /// How many events it covers.
    pub size: u64,
    /// The hash of event `size`.
    pub head: String,
    /// When the append it seals was recorded.
    pub time: Timestamp,
    /// The id of the key that signed it.
    pub key_id: String,
    signature: [u8; 64],
}

/// The prefix of the origin line.
const ORIGIN: &str = "concord/";
/// The signature line's mark (an em dash and a space, as in a signed note).
const SIGNATURE_MARK: &str = "\u{2014} ";

impl Checkpoint {
    /// Signs (contest, size, head, time) with `key`.
    pub fn sign(
        key: &SigningKey,
        contest: &str,
        size: u64,
        head: &str,
        time: Timestamp,
    ) -> Checkpoint {
        let body = body(contest, size, head, time);
        Checkpoint {
            contest: contest.to_owned(),
            size,
            head: head.to_owned(),
            time,
            key_id: key.public().id(),
            signature: key.0.sign(body.as_bytes()).to_bytes(),
        }
    }

    /// The signed body lines.
    pub fn body(&self) -> String {
        body(&self.contest, self.size, &self.head, self.time)
    }

    /// The whole text: body, a blank line, the signature line.
    pub fn to_text(&self) -> String {
        format!(
            "{}\n{SIGNATURE_MARK}{} {}\n",
            self.body(),
            self.key_id,
            hex::encode(self.signature)
        )
    }

    /// Reads a checkpoint's text (strictly: any other text is refused, with its line).
    pub fn parse(text: &str) -> Result<Checkpoint, KeyError> {
        let lines: Vec<&str> = text.trim_end_matches('\n').split('\n').collect();
        if lines.len() != 6 {
            return Err(malformed(
                lines.len().min(6),
                format!(
                    "a checkpoint has 6 lines (origin, size, head, time, blank, signature); this text has {}",
                    lines.len()
                ),
            ));
        }
        let contest = lines[0]
            .strip_prefix(ORIGIN)
            .filter(|c| !c.is_empty())
            .ok_or_else(|| malformed(1, format!("expected '{ORIGIN}<contest>'")))?;
        let size: u64 = lines[1]
            .parse()
            .map_err(|_| malformed(2, format!("'{}' is not an event count", lines[1])))?;
        let head = lines[2];
        if head.len() != 64 || !head.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(malformed(3, "expected the head hash (64 hex digits)"));
        }
        let time: Timestamp = lines[3]
            .strip_prefix("time ")
            .and_then(|t| t.parse().ok())
            .ok_or_else(|| malformed(4, "expected 'time <RFC 3339 timestamp>'"))?;
        if !lines[4].is_empty() {
            return Err(malformed(5, "expected a blank line before the signature"));
        }
        let (key_id, signature) = lines[5]
            .strip_prefix(SIGNATURE_MARK)
            .and_then(|s| s.split_once(' '))
            .ok_or_else(|| malformed(6, "expected '\u{2014} <key id> <signature>'"))?;
        let checkpoint = Checkpoint {
            contest: contest.to_owned(),
            size,
            head: head.to_owned(),
            time,
            key_id: key_id.to_owned(),
            signature: hex_bytes::<64>(6, "signature", signature)?,
        };
        // Only the canonical text is accepted, so a checkpoint has one text.
        if checkpoint.to_text().trim_end() != text.trim_end() {
            return Err(malformed(1, "not in the canonical form concord writes"));
        }
        Ok(checkpoint)
    }

    /// The signature checks out under `key` (and names it).
    pub fn is_signed_by(&self, key: &PublicKey) -> bool {
        self.key_id == key.id()
            && key
                .0
                .verify(
                    self.body().as_bytes(),
                    &ed25519_dalek::Signature::from_bytes(&self.signature),
                )
                .is_ok()
    }
}

fn body(contest: &str, size: u64, head: &str, time: Timestamp) -> String {
    format!("{ORIGIN}{contest}\n{size}\n{head}\ntime {time}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkpoint_round_trips_and_verifies_only_under_its_key() {
        let key = SigningKey::generate().unwrap();
        let other = SigningKey::generate().unwrap();
        let head = "ab".repeat(32);
        let time: Timestamp = "2024-06-20T10:00:00Z".parse().unwrap();
        let cp = Checkpoint::sign(&key, "nato-sg-2024", 42, &head, time);
        let text = cp.to_text();
        assert!(text.starts_with("concord/nato-sg-2024\n42\n"), "{text}");
        let parsed = Checkpoint::parse(&text).unwrap();
        assert_eq!(parsed, cp);
        assert!(parsed.is_signed_by(&key.public()));
        assert!(!parsed.is_signed_by(&other.public()));
        // Change the size and keep the signature: it no longer verifies.
        let forged = Checkpoint::parse(&text.replace("\n42\n", "\n43\n")).unwrap();
        assert!(!forged.is_signed_by(&key.public()));
    }

    #[test]
    fn keys_round_trip_through_their_text() {
        let key = SigningKey::generate().unwrap();
        let again = SigningKey::from_text(&key.to_text()).unwrap();
        assert_eq!(again.public(), key.public());
        let public = PublicKey::from_text(&key.public().to_text()).unwrap();
        assert_eq!(public, key.public());
        assert_eq!(
            PublicKey::from_text(&key.public().to_hex()).unwrap(),
            public
        );
        let wrong_id = key
            .to_text()
            .replace(&key.public().id(), "0000000000000000");
        assert!(SigningKey::from_text(&wrong_id).is_err());
    }

    #[test]
    fn malformed_checkpoints_say_which_line() {
        let key = SigningKey::generate().unwrap();
        let cp = Checkpoint::sign(&key, "c", 1, &"0".repeat(64), Timestamp::UNIX_EPOCH);
        let text = cp.to_text();
        let bad = text.replace("\n1\n", "\none\n");
        assert!(matches!(
            Checkpoint::parse(&bad),
            Err(KeyError::Malformed { line: 2, .. })
        ));
        assert!(Checkpoint::parse("hello").is_err());
    }
}
