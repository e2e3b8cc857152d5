//! The store contract suite on PostgreSQL: each test gets a fresh, uniquely named database on
//! the server named by `CONCORD_TEST_POSTGRES_URL`, dropped afterwards; without it, each test
//! says it skipped and passes.

use std::panic::AssertUnwindSafe;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use concord_store::Store;
use concord_store::contract::{BoxFuture, TestFn};
use concord_store_postgres::{PgConnectOptions, PostgresStore};
use futures::FutureExt;
use sqlx::{AssertSqlSafe, Connection, PgConnection};

const URL: &str = "CONCORD_TEST_POSTGRES_URL";

/// A database name no other test, run or concurrent process will pick.
fn unique_name() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_nanos();
    format!(
        "concord_test_{}_{}_{}",
        std::process::id(),
        nanos,
        N.fetch_add(1, Ordering::Relaxed)
    )
}

async fn with_fresh_database(test: TestFn) {
    let Ok(url) = std::env::var(URL) else {
        println!("skipped: {URL} not set (PostgreSQL contract suite needs a server)");
        return;
    };
    let admin = PgConnectOptions::from_str(&url).expect("CONCORD_TEST_POSTGRES_URL parses");
    let name = unique_name();
    let mut conn = PgConnection::connect_with(&admin)
        .await
        .expect("connect to the test server");
    // The name is generated above from digits and underscores, so it needs no quoting.
    sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .expect("create test database");

    let options = admin.clone().database(&name);
    let open = move || -> BoxFuture<'static, Arc<dyn Store>> {
        let options = options.clone();
        Box::pin(async move {
            Arc::new(
                PostgresStore::connect_with(options)
                    .await
                    .expect("connect store"),
            ) as Arc<dyn Store>
        })
    };
    // Drop the database whether the test passes or panics, then report the panic.
    let outcome = AssertUnwindSafe(test(&open)).catch_unwind().await;
    sqlx::query(AssertSqlSafe(format!("DROP DATABASE {name} WITH (FORCE)")))
        .execute(&mut conn)
        .await
        .expect("drop test database");
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

concord_store::contract_tests!(with_fresh_database);
