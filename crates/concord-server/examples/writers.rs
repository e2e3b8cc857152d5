//! Concurrent writers against a running `concord serve`, for the crash script
//! (`scripts/kill9.sh`): each writer posts stance reports one after another, each with its own
//! source URL, and every report the server acknowledged (201) is printed on stdout the moment
//! it is, so that a server killed mid-run leaves a list of exactly what it promised to keep.
//! A writer stops at its first failed connection (the server is gone) or when time is up.
//!
//! `cargo run --release -p concord-server --example writers -- BASE TOKEN CONTEST WRITERS SECONDS TAG`

use std::io::Write as _;
use std::time::{Duration, Instant};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [base, token, contest, writers, seconds, tag] = args.as_slice() else {
        eprintln!("usage: writers BASE TOKEN CONTEST WRITERS SECONDS TAG");
        std::process::exit(2);
    };
    let writers: usize = writers.parse().expect("WRITERS is a number");
    let run = Duration::from_secs(seconds.parse().expect("SECONDS is a number"));
    let url = format!("{base}/api/contests/{contest}/reports");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    let members = ["USA", "DEU", "FRA", "ITA", "ESP", "POL", "TUR", "GBR"];
    let start = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..writers {
        let (client, url, token, tag) = (client.clone(), url.clone(), token.clone(), tag.clone());
        tasks.push(tokio::spawn(async move {
            let (mut acked, mut refused) = (0u64, 0u64);
            let mut i = 0u64;
            while start.elapsed() < run {
                let source = format!("https://example.org/kill9/{tag}/{w}/{i}");
                i += 1;
                let body = serde_json::json!({"member": members[w % members.len()],
                    "candidate": "rutte", "stance": "supports", "date": "2024-06-20",
                    "attribution": "anonymous", "source": source});
                match client
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await
                {
                    Ok(r) if r.status() == 201 => {
                        acked += 1;
                        let mut out = std::io::stdout().lock();
                        let _ = writeln!(out, "{source}");
                        let _ = out.flush();
                    }
                    Ok(r) => {
                        refused += 1;
                        eprintln!("writer {w}: {} for {source}", r.status());
                    }
                    // The server is gone: this writer is done.
                    Err(_) => break,
                }
            }
            (acked, refused)
        }));
    }
    let (mut acked, mut refused) = (0, 0);
    for t in tasks {
        let (a, r) = t.await.expect("writer");
        acked += a;
        refused += r;
    }
    eprintln!("writers: {acked} acknowledged, {refused} refused");
}
