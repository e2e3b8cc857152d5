//! The dashboard's review page through the router: who may see it, reading a pasted article,
//! the evidence with its cue marked, accepting with another stance, rejecting, accepting all.

mod common;

use axum::http::StatusCode;
use common::{App, CONTEST};
use serde_json::Value;

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            let enc: String = v
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                        (b as char).to_string()
                    }
                    b' ' => "+".to_owned(),
                    _ => format!("%{b:02X}"),
                })
                .collect();
            format!("{k}={enc}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn text(v: &Value) -> &str {
    v.as_str().expect("an HTML page")
}

#[tokio::test]
async fn an_analyst_reads_an_article_and_decides_on_its_proposals_from_the_page() {
    let app = App::new().await;
    let page = format!("/contests/{CONTEST}/review");
    for role in ["observer", "delegation:HUN"] {
        let (s, _) = app.call("GET", &page, Some(role), None).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{role}");
    }
    let (s, v) = app.call("GET", &page, Some("analyst"), None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(text(&v).contains("No proposals are pending."));

    let article = "NATO allies met on Thursday. Germany backs Mark Rutte. \
        Hungary will not support Rutte, its foreign minister Péter Szijjártó said.";
    let body = form(&[
        ("text", article),
        ("published", "2024-06-20"),
        ("url", "https://example.org/p"),
        ("outlet", "Example"),
    ]);
    let (s, _) = app
        .call_text(
            &page,
            Some("analyst"),
            "application/x-www-form-urlencoded",
            &body,
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, v) = app.call("GET", &page, Some("chair"), None).await;
    let html = text(&v);
    assert!(html.contains("DEU supports Mark Rutte"), "{html}");
    assert!(html.contains("<mark>backs</mark>"), "{html}");
    assert!(html.contains("HUN objects Mark Rutte"), "{html}");

    // Proposal ids: from the API's list.
    let (_, list) = app
        .call(
            "GET",
            &format!("/api/contests/{CONTEST}/proposals"),
            Some("chair"),
            None,
        )
        .await;
    let id_of = |m: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|p| p["proposal"]["member"] == m)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let before = app.events().await;
    let (s, _) = app
        .call_text(
            &format!("{page}/{}/accept", id_of("HUN")),
            Some("analyst"),
            "application/x-www-form-urlencoded",
            &form(&[("stance", "withholds"), ("attribution", "on_record")]),
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(app.events().await, before + 1);
    let (_, h) = app
        .call(
            "GET",
            &format!("/api/contests/{CONTEST}/members/HUN/history"),
            Some("chair"),
            None,
        )
        .await;
    assert!(h.to_string().contains("withholds"), "{h}");
    let (s, _) = app
        .call_text(
            &format!("{page}/{}/reject", id_of("DEU")),
            Some("analyst"),
            "application/x-www-form-urlencoded",
            "",
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, v) = app.call("GET", &page, Some("analyst"), None).await;
    assert!(text(&v).contains("No proposals are pending."));
    assert_eq!(app.events().await, before + 1, "a rejection writes nothing");

    // A bad article is refused with the reason; nothing is stored.
    let (s, v) = app
        .call_text(
            &page,
            Some("analyst"),
            "application/x-www-form-urlencoded",
            &form(&[
                ("text", "The WTO picked Roberto Azevedo."),
                ("published", "2024-06-20"),
            ]),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&v).contains("does not mention"), "{v}");

    // Accept all: a second article's proposals in one go.
    let body = form(&[
        ("text", "NATO news: Poland backs Mark Rutte."),
        ("published", "2024-06-21"),
    ]);
    app.call_text(
        &page,
        Some("analyst"),
        "application/x-www-form-urlencoded",
        &body,
    )
    .await;
    let (s, _) = app
        .call_text(
            &format!("{page}/accept-all"),
            Some("chair"),
            "application/x-www-form-urlencoded",
            "",
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(app.events().await, before + 2);
}
