//! Shared by the fuzz targets: an allocator that aborts (a crash AFL records) on any allocation
//! above [`LIMIT`] or when live memory passes it, the contest the targets check input against
//! (the bundled NATO 2024 scenario), and the instant they take as now.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use concord_domain::Guard;

/// No parser may hold more than this, in one allocation or in all at once: 256 MiB.
pub const LIMIT: usize = 256 << 20;

/// The system allocator, counting live bytes and aborting past [`LIMIT`].
pub struct Capped;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call forwards to `System` with the caller's layout; the counting around it
// touches only an atomic and never allocates.
unsafe impl GlobalAlloc for Capped {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        if layout.size() > LIMIT || live > LIMIT {
            std::process::abort();
        }
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let live = LIVE.fetch_add(new_size, Ordering::Relaxed) + new_size;
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        if new_size > LIMIT || live - layout.size() > LIMIT {
            std::process::abort();
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Capped = Capped;

/// The instant the targets take as now (the day after the NATO decision, so its whole log
/// is in the past).
pub fn now() -> jiff::Timestamp {
    "2024-07-01T10:00:00Z".parse().expect("instant")
}

/// The bundled NATO 2024 contest's guard: what report rows and API bodies are checked against.
pub fn nato() -> &'static Guard {
    static GUARD: OnceLock<Guard> = OnceLock::new();
    GUARD.get_or_init(|| {
        let text = include_str!("../../scenarios/nato-sg-2024.toml");
        let s = concord_domain::scenario::parse("nato.toml", text, "fuzz").expect("bundled");
        let events = concord_domain::event::seal_all(s.into_events("fuzz"), None, now());
        Guard::of(&events).expect("opening")
    })
}

/// A JSON body read as the server reads one: exactly one value of type `T`, with the path of
/// the first bad field.
pub fn json_body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut *de).map_err(|e| e.to_string())?;
    de.end().map_err(|e| e.to_string())?;
    Ok(value)
}
