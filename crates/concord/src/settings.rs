//! Settings and wiring: which store to open (and whether a command may create it), the signing
//! key and where it is kept, the clock, the bundled scenarios, logging.
//!
//! The signing key seals every append with a signed checkpoint. It lives in a file: by default
//! next to the SQLite store (`concord.sqlite.key`), or wherever `--key-file` /
//! `CONCORD_KEY_FILE` says (what a PostgreSQL deployment sets: every server instance needs the
//! same key). It is made, mode 0600, when a command that may create things finds a store that
//! has no key registered yet; a store whose key is registered but whose key file is missing can
//! be read and verified, not written.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context as _, bail};
use concord_ledger::{Ledger, SigningKey};
use concord_store::{Store, StoreError};

/// The bundled scenarios, by id.
pub const BUNDLED: &[(&str, &str)] = &[
    (
        "nato-sg-2024",
        include_str!("../../../scenarios/nato-sg-2024.toml"),
    ),
    (
        "unsg-2016",
        include_str!("../../../scenarios/unsg-2016.toml"),
    ),
    (
        "eu-top-jobs-2024",
        include_str!("../../../scenarios/eu-top-jobs-2024.toml"),
    ),
];

/// What a command may do to the store it opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Only read: the store must exist, and nothing is created (not even a key).
    Read,
    /// Write to an existing store (a key file is made only for a store that has no key yet).
    Write,
    /// May create the store and its key (`init`, `demo`, `import`, `serve`, `token create`).
    Create,
}

/// Where the store is and where its signing key is kept.
#[derive(Debug, Clone, Default)]
pub struct StoreSettings {
    /// `--database` / `CONCORD_DATABASE`.
    pub database: Option<String>,
    /// `--key-file` / `CONCORD_KEY_FILE`.
    pub key_file: Option<PathBuf>,
}

/// What every command needs: the ledger over the chosen store, and where that store is.
pub struct Context {
    pub ledger: Ledger,
    pub location: String,
    /// Where the signing key is kept (`None`: no file named, as on PostgreSQL without one).
    pub key_file: Option<PathBuf>,
}

impl Context {
    pub async fn open(settings: &StoreSettings, access: Access) -> anyhow::Result<Context> {
        let (store, location, sqlite) = open_store(settings.database.as_deref(), access).await?;
        let key_file = settings
            .key_file
            .clone()
            .or_else(|| sqlite.map(|path| key_file_beside(&path)));
        let signer = match &key_file {
            Some(path) if path.exists() => Some(read_key(path)?),
            Some(path) if access != Access::Read => {
                // A key is made only for a store that has none: a store whose key file went
                // missing must not silently get a second key.
                match Ledger::new(store.clone()).store_key().await? {
                    None => Some(make_key(path)?),
                    Some(registered) => bail!(
                        "this store's checkpoints are signed with key {}, but its key file {} is missing: restore it (or name it with --key-file / CONCORD_KEY_FILE) to write",
                        registered.id(),
                        path.display()
                    ),
                }
            }
            _ => None,
        };
        let ledger = match signer {
            Some(key) => Ledger::with_signer(store, key),
            None => Ledger::new(store),
        };
        Ok(Context {
            ledger,
            location,
            key_file,
        })
    }

    /// The wall clock, read here and passed down as a parameter — or the instant in
    /// `CONCORD_NOW` (RFC 3339), to replay a contest as it stood then (a rehearsal of a silence
    /// deadline, a test).
    pub fn now(&self) -> jiff::Timestamp {
        std::env::var("CONCORD_NOW")
            .ok()
            .and_then(|t| t.parse().ok())
            .unwrap_or_else(jiff::Timestamp::now)
    }

    /// Today's date in UTC, the default `--as-of`.
    pub fn today(&self) -> jiff::civil::Date {
        self.now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date()
    }

    /// Who is recording: the OS user, for the log's author field.
    pub fn author(&self) -> String {
        std::env::var("CONCORD_AUTHOR")
            .or_else(|_| std::env::var("USER"))
            .map(|u| format!("cli:{u}"))
            .unwrap_or_else(|_| "cli".to_owned())
    }

    /// Resolves an optional contest argument: given, or the only contest in the store.
    pub async fn contest(&self, given: Option<&str>) -> anyhow::Result<String> {
        if let Some(id) = given {
            return Ok(id.to_owned());
        }
        let contests = self.ledger.contests().await?;
        match contests.as_slice() {
            [only] => Ok(only.id.clone()),
            [] => {
                bail!("the store holds no contest yet: run `concord demo` or `concord import FILE`")
            }
            many => bail!(
                "name a contest: {}",
                many.iter()
                    .map(|c| c.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// The default store: `concord.sqlite` in the user's data directory.
pub fn default_sqlite_path() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("concord")
        .join("concord.sqlite")
}

/// A command that only reads (or writes to an existing store) found no store: none is created.
#[derive(Debug, thiserror::Error)]
#[error(
    "no store at {0}: `concord init` (or `concord demo`, `concord import FILE`) creates one; --database or CONCORD_DATABASE names another"
)]
pub struct NoStore(pub String);

/// The default key file of a SQLite store: beside it, named after it.
fn key_file_beside(db: &Path) -> PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_os_string();
    name.push(".key");
    db.with_file_name(name)
}

/// Reads a key file, warning if others may read it.
fn read_key(path: &Path) -> anyhow::Result<SigningKey> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the signing key {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        if let Ok(meta) = std::fs::metadata(path)
            && meta.permissions().mode() & 0o077 != 0
        {
            tracing::warn!(
                path = %path.display(),
                "the signing key file is readable by others; `chmod 600` it"
            );
        }
    }
    SigningKey::from_text(&text)
        .with_context(|| format!("{} is not a concord signing key", path.display()))
}

/// Makes a new key file (mode 0600, never overwriting one) and says so on stderr.
fn make_key(path: &Path) -> anyhow::Result<SigningKey> {
    use std::io::Write as _;
    let key = SigningKey::generate()?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create the signing key {}", path.display()))?;
    file.write_all(key.to_text().as_bytes())?;
    file.sync_all()?;
    eprintln!(
        "made a signing key: {} (key {}; keep it secret, back it up)",
        path.display(),
        key.public().id()
    );
    Ok(key)
}

/// Opens the store a URL names (SQLite by default, PostgreSQL for `postgres://`); the SQLite
/// file's path, if it is one. With [`Access::Read`] or [`Access::Write`] the store must exist.
pub async fn open_store(
    database: Option<&str>,
    access: Access,
) -> anyhow::Result<(Arc<dyn Store>, String, Option<PathBuf>)> {
    let missing = |location: &str| anyhow::Error::new(NoStore(location.to_owned()));
    match database {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            let opened = if access == Access::Create {
                concord_store_postgres::PostgresStore::connect(url).await
            } else {
                concord_store_postgres::PostgresStore::connect_existing(url).await
            };
            let store = match opened {
                Err(StoreError::Missing { .. }) => return Err(missing(&redact(url))),
                other => other
                    .with_context(|| format!("cannot open PostgreSQL store {}", redact(url)))?,
            };
            Ok((Arc::new(store), redact(url), None))
        }
        other => {
            let path = match other {
                Some(url) => PathBuf::from(url.strip_prefix("sqlite://").unwrap_or(url)),
                None => default_sqlite_path(),
            };
            let opened = if access == Access::Create {
                concord_store_sqlite::SqliteStore::open(&path).await
            } else {
                concord_store_sqlite::SqliteStore::open_existing(&path).await
            };
            let store = match opened {
                Err(StoreError::Missing { .. }) => {
                    return Err(missing(&path.display().to_string()));
                }
                other => {
                    other.with_context(|| format!("cannot open SQLite store {}", path.display()))?
                }
            };
            Ok((Arc::new(store), path.display().to_string(), Some(path)))
        }
    }
}

/// A database URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Logs go to stderr, filtered by `RUST_LOG` (default: warnings only).
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

#[cfg(test)]
mod tests {
    /// Links may name a bundled scenario before it is imported: the domain's list of them must
    /// be this bundle.
    #[test]
    fn the_domain_knows_the_bundle() {
        let ids: Vec<&str> = super::BUNDLED.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids, concord_domain::links::BUNDLED_CONTESTS);
    }
}
