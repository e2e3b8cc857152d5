//! The store contract suite on SQLite: each test gets a fresh database file in a temp dir.

use std::sync::Arc;

use concord_store::Store;
use concord_store::contract::{BoxFuture, TestFn};
use concord_store_sqlite::SqliteStore;

/// Runs `test` against a new database file, in a directory that does not exist yet (so `open`
/// has to create it), removed afterwards.
async fn with_fresh_file(test: TestFn) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("nested").join("concord.db");
    let open = move || -> BoxFuture<'static, Arc<dyn Store>> {
        let path = path.clone();
        Box::pin(async move {
            Arc::new(SqliteStore::open(&path).await.expect("open store")) as Arc<dyn Store>
        })
    };
    test(&open).await;
}

concord_store::contract_tests!(with_fresh_file);
