//! The board page's sections for rules beyond consensus, through the router: a package's
//! posts, links followed both ways, voting power, the straw polls; and a scenario whose link
//! names no contest refused by the API at its line, nothing written.

mod common;

use axum::http::StatusCode;
use common::{App, CONTEST};

#[tokio::test]
async fn the_board_shows_the_package_the_links_both_ways_and_the_power() {
    let app = App::new().await;
    let (s, page) = app
        .call(
            "GET",
            "/contests/eu-top-jobs-2024?as_of=2024-06-17",
            Some("observer"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let page = page.as_str().unwrap();
    assert!(
        page.contains("A package of 3 posts: nothing is agreed until all are"),
        "{page}"
    );
    assert!(
        page.contains(
            "From <a href=\"/contests/nato-sg-2024?as_of=2024-06-17\">nato-sg-2024</a>: Hungary objects"
        ),
        "{page}"
    );
    assert!(page.contains("<h2>Voting power</h2>"));
    assert!(
        page.contains("<strong>DEU</strong>: pivotal in 756,035 of the 900,902 winning coalitions"),
        "{page}"
    );
    let (_, nato) = app
        .call(
            "GET",
            &format!("/contests/{CONTEST}?as_of=2024-04-02"),
            Some("observer"),
            None,
        )
        .await;
    let nato = nato.as_str().unwrap();
    assert!(
        nato.contains(
            "linked to <a href=\"/contests/eu-top-jobs-2024?as_of=2024-04-02\">eu-top-jobs-2024</a>"
        ),
        "{nato}"
    );
    // Consensus: no power section (every ally can block alone; the verdict says so).
    assert!(!nato.contains("<h2>Voting power</h2>"));
}

#[tokio::test]
async fn the_straw_polls_are_on_the_board_page() {
    let app = App::new().await;
    let (s, body) = app
        .call_text(
            "/api/contests",
            Some("chair"),
            "application/toml",
            include_str!("../../../scenarios/unsg-2016.toml"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let (_, page) = app
        .call(
            "GET",
            "/contests/unsg-2016?as_of=2016-10-05",
            Some("observer"),
            None,
        )
        .await;
    let page = page.as_str().unwrap();
    assert!(page.contains("<h2>Straw polls</h2>"), "{page}");
    assert!(page.contains("Round 6, 2016-10-05 (colour-coded: red ballots for permanent members)"));
    assert!(page.contains("Who could veto: CHN, FRA, GBR, RUS, USA."));
    assert!(page.contains("vetoed (a red discouragement)"));
}

#[tokio::test]
async fn the_api_refuses_a_link_to_a_contest_it_does_not_hold() {
    let app = App::new().await;
    // After the scenario's last event: an import refuses events dated beyond tomorrow.
    app.clock.set("2024-07-01T00:00:00Z".parse().unwrap());
    let before = app.contests().await;
    let text = common::SCENARIO
        .replace("id = \"nato-sg-2024\"", "id = \"nato-copy\"")
        .replacen(
            "linked_to = \"eu-top-jobs-2024\"",
            "linked_to = \"eu-top-jobs-2025\"",
            1,
        );
    let line = text
        .lines()
        .position(|l| l.contains("eu-top-jobs-2025"))
        .unwrap() as u64
        + 1;
    let (s, body) = app
        .call_text("/api/contests", Some("chair"), "application/toml", &text)
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let problem = &body["error"]["problems"][0];
    assert_eq!(problem["line"], line, "{body}");
    assert!(
        problem["message"]
            .as_str()
            .unwrap()
            .contains("no contest 'eu-top-jobs-2025'"),
        "{body}"
    );
    assert_eq!(problem["did_you_mean"], "eu-top-jobs-2024", "{body}");
    assert_eq!(app.contests().await, before);
}

/// The three bad inputs of issue 13, through the API's import: each a 422 at its line and
/// column, saying what was expected, and nothing written.
#[tokio::test]
async fn the_api_refuses_bad_rounds_and_packages_where_they_are() {
    let app = App::new().await;
    app.clock.set("2024-07-01T00:00:00Z".parse().unwrap());
    let unsg = include_str!("../../../scenarios/unsg-2016.toml");
    let too_many = unsg.replace(
        "encourage = 13, discourage = 0, no_opinion = 2",
        "encourage = 13, discourage = 1, no_opinion = 2",
    );
    let before_entry = unsg.replace(
        "  { candidate = \"natalia-gherman\", encourage = 3, discourage = 11, no_opinion = 1 },\n]\n\n[[event]]\ndate = \"2016-09-28\"",
        "  { candidate = \"natalia-gherman\", encourage = 3, discourage = 11, no_opinion = 1 },\n  { candidate = \"kristalina-georgieva\", encourage = 1, discourage = 1, no_opinion = 1 },\n]\n\n[[event]]\ndate = \"2016-09-28\"",
    );
    let post_twice = include_str!("../../../scenarios/eu-top-jobs-2024.toml").replace(
        "id = \"high-representative\"",
        "id = \"commission-president\"",
    );
    let cases = [
        (
            too_many,
            "encourage = 13, discourage = 1",
            "13 encourage + 1 discourage + 2 no opinion = 16 ballots, more than the 15 members",
            "at most one ballot per member",
        ),
        (
            before_entry,
            "kristalina-georgieva\", encourage = 1",
            "round 5 on 2016-09-26 counts 'kristalina-georgieva', who entered only on 2016-09-28",
            "a round dated on or after 2016-09-28",
        ),
        (
            post_twice,
            "",
            "the package names post 'commission-president' twice",
            "each post once",
        ),
    ];
    let before = app.contests().await;
    for (text, marker, message, expected) in cases {
        assert_ne!(text.len(), 0);
        let (s, body) = app
            .call_text("/api/contests", Some("chair"), "application/toml", &text)
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let problem = &body["error"]["problems"][0];
        let line = if marker.is_empty() {
            text.lines()
                .enumerate()
                .filter(|(_, l)| l.contains("id = \"commission-president\""))
                .nth(1)
                .unwrap()
                .0
        } else {
            text.lines().position(|l| l.contains(marker)).unwrap()
        } as u64
            + 1;
        assert_eq!(problem["line"], line, "{body}");
        assert!(problem["column"].as_u64().unwrap() >= 1, "{body}");
        assert!(
            problem["message"].as_str().unwrap().contains(message),
            "{body}"
        );
        assert!(
            problem["expected"].as_str().unwrap().contains(expected),
            "{body}"
        );
        assert_eq!(app.contests().await, before, "nothing written");
    }
}
