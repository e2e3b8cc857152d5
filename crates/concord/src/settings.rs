//! Settings and wiring: which store to open, the clock, the bundled scenarios, logging.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context as _, bail};
use concord_ledger::Ledger;
use concord_store::Store;

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

/// What every command needs: the ledger over the chosen store, and where that store is.
pub struct Context {
    pub ledger: Ledger,
    pub location: String,
}

impl Context {
    pub async fn open(database: Option<&str>) -> anyhow::Result<Context> {
        let (store, location) = open_store(database).await?;
        Ok(Context {
            ledger: Ledger::new(store),
            location,
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

/// Opens the store a URL names (SQLite by default, PostgreSQL for `postgres://`).
pub async fn open_store(database: Option<&str>) -> anyhow::Result<(Arc<dyn Store>, String)> {
    match database {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            let store = concord_store_postgres::PostgresStore::connect(url)
                .await
                .with_context(|| format!("cannot open PostgreSQL store {}", redact(url)))?;
            Ok((Arc::new(store), redact(url)))
        }
        other => {
            let path = match other {
                Some(url) => PathBuf::from(url.strip_prefix("sqlite://").unwrap_or(url)),
                None => default_sqlite_path(),
            };
            let store = concord_store_sqlite::SqliteStore::open(&path)
                .await
                .with_context(|| format!("cannot open SQLite store {}", path.display()))?;
            Ok((Arc::new(store), path.display().to_string()))
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
