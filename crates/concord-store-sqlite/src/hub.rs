//! One notification channel per database file in this process, shared by every store opened on it.
//!
//! Without this, two `SqliteStore`s on one file (the CLI and the server in one process, or two
//! tests) would not hear each other's appends. Entries are weak so a file's channel goes away
//! with its last store.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};

use concord_store::Appended;
use tokio::sync::broadcast;

/// Notifications a slow subscriber may fall behind by before it sees `Lagged`.
const CAPACITY: usize = 1024;

/// The shared sender for `file` (a canonical path).
pub(crate) fn for_file(file: &Path) -> Hub {
    static HUBS: Mutex<Option<HashMap<PathBuf, Weak<broadcast::Sender<Appended>>>>> =
        Mutex::new(None);
    // A panic elsewhere while holding the lock leaves the map consistent, so recover it.
    let mut guard = HUBS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let hubs = guard.get_or_insert_with(HashMap::new);
    hubs.retain(|_, hub| hub.strong_count() > 0);
    if let Some(hub) = hubs.get(file).and_then(Weak::upgrade) {
        return Hub(hub);
    }
    let hub = Arc::new(broadcast::channel(CAPACITY).0);
    hubs.insert(file.to_owned(), Arc::downgrade(&hub));
    Hub(hub)
}

/// A file's notification channel.
#[derive(Clone)]
pub(crate) struct Hub(Arc<broadcast::Sender<Appended>>);

impl Hub {
    pub(crate) fn subscribe(&self) -> broadcast::Receiver<Appended> {
        self.0.subscribe()
    }

    pub(crate) fn announce(&self, appended: Appended) {
        // No subscribers is not an error: nobody is listening yet.
        let _ = self.0.send(appended);
    }
}
