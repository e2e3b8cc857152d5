//! Words for the dashboard's readers: sources as links, plurals, short dates, and no
//! internal notation (`[A]`, `delegation:HUN`, `sp-1`, `russia-focus`) on a page.

use jiff::civil::Date;

/// Escapes text for HTML (element content and quoted attributes).
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The scenario files' citation keys, said in words (see the header of a bundled scenario):
/// a reader never meets `[A]`.
fn citation_words(key: &str) -> Option<&'static str> {
    match key {
        "A" => Some("the defining article"),
        "C" => Some("the compiled public record"),
        "M" => Some("the members' table"),
        _ => None,
    }
}

/// A reason or source with the scenario's citation keys spelt out: "([A])" goes (the
/// citation is the source line's job), a bare "[A]" becomes "the defining article".
pub(crate) fn clean(s: &str) -> String {
    let mut out = s.to_owned();
    for key in ["A", "C", "M"] {
        let words = citation_words(key).unwrap_or_default();
        out = out
            .replace(&format!(" ([{key}])"), "")
            .replace(&format!("([{key}])"), "")
            .replace(&format!("per [{key}]"), &format!("per {words}"))
            .replace(&format!("[{key}]"), words);
    }
    out
}

/// Where a URL in a source ends: at white space, and without the punctuation that closes
/// the sentence around it.
fn url_end(s: &str) -> usize {
    let end = s.find(char::is_whitespace).unwrap_or(s.len());
    let mut url = &s[..end];
    while let Some(last) = url.chars().last() {
        // A closing parenthesis belongs to the URL only when the URL opened one.
        let keep_paren = last == ')' && url.matches('(').count() >= url.matches(')').count();
        if matches!(last, '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '"')
            || (last == ')' && !keep_paren)
        {
            url = &url[..url.len() - last.len_utf8()];
        } else {
            break;
        }
    }
    url.len()
}

/// The host of an absolute URL, without `www.`: the link's text when the source names no
/// outlet.
fn host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    host.strip_prefix("www.").unwrap_or(host)
}

/// A source citation as HTML: every URL in it (absolute `http(s)://`, or a path on this site
/// such as `/contests/…`) becomes a link whose address is the URL alone and whose text is the
/// outlet and date that follow it in parentheses ("Stiripesurse, 2024-03-15"), else the
/// host; the rest stays text. Everything is escaped.
pub(crate) fn source_html(source: &str) -> String {
    let source = clean(source);
    let mut out = String::new();
    let mut rest = source.as_str();
    loop {
        let next = find_url(rest);
        let Some(start) = next else {
            out.push_str(&escape(rest));
            break;
        };
        out.push_str(&escape(&rest[..start]));
        let tail = &rest[start..];
        let len = url_end(tail);
        let url = &tail[..len];
        let mut after = &tail[len..];
        // "URL (Outlet, date)": the parenthesis is the link's text.
        let label = after
            .strip_prefix(" (")
            .and_then(|a| a.find(')').map(|close| (a, close)))
            .filter(|(a, close)| !a[..*close].contains('(') && *close <= 120)
            .map(|(a, close)| {
                let label = a[..close].to_owned();
                after = &a[close + 1..];
                label
            });
        let text = label.unwrap_or_else(|| {
            if url.starts_with('/') {
                url.to_owned()
            } else {
                host(url).to_owned()
            }
        });
        let external = !url.starts_with('/');
        out.push_str(&format!(
            "<a href=\"{}\"{}>{}</a>",
            escape(url),
            if external {
                " rel=\"noreferrer\" class=\"ext\""
            } else {
                ""
            },
            escape(&text)
        ));
        rest = after;
    }
    out
}

/// Where the next URL starts: `http://`, `https://`, or a `/` that begins a word and is
/// followed by a path segment (`/contests/x`), not a lone slash ("2024/25", "and/or").
fn find_url(s: &str) -> Option<usize> {
    let mut best: Option<usize> = None;
    for scheme in ["https://", "http://"] {
        if let Some(i) = s.find(scheme) {
            best = Some(best.map_or(i, |b| b.min(i)));
        }
    }
    let bytes = s.as_bytes();
    for (i, _) in s.match_indices('/') {
        if best.is_some_and(|b| i >= b) {
            break;
        }
        let starts_word = i == 0 || bytes[i - 1].is_ascii_whitespace() || bytes[i - 1] == b'(';
        let next = bytes.get(i + 1).copied();
        if starts_word && next.is_some_and(|c| c.is_ascii_alphanumeric()) {
            let word = &s[i..i + url_end(&s[i..])];
            // A site path has a second segment: "/contests/…", not "/s".
            if word[1..].contains('/') {
                best = Some(i);
                break;
            }
        }
    }
    best
}

/// "1 day", "3 days": the count and the word, singular for one.
pub(crate) fn plural(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n.abs() == 1 { one } else { many })
}

/// "in 1 day", "today", "3 days ago".
pub(crate) fn days_from_now(days: i64) -> String {
    match days {
        0 => "today".into(),
        d if d > 0 => format!("in {}", plural(d, "day", "days")),
        d => format!("{} ago", plural(-d, "day", "days")),
    }
}

/// "22 Feb" within the year of `near`, else "28 Oct 2023".
pub(crate) fn short_date(d: Date, near: Date) -> String {
    if d.year() == near.year() {
        d.strftime("%-d %b").to_string()
    } else {
        d.strftime("%-d %b %Y").to_string()
    }
}

/// An identifier shown as words: `russia-focus` becomes "russia focus".
pub(crate) fn words(id: &str) -> String {
    id.replace(['_', '-'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_links_its_urls_with_the_outlet_as_text() {
        let s = "https://www.stiripesurse.ro/a_1.html (Stiripesurse, 2024-03-15): Hungary 'will not support' Rutte. Second reason per [A] (allied officials).";
        let html = source_html(s);
        assert!(
            html.starts_with(
                "<a href=\"https://www.stiripesurse.ro/a_1.html\" rel=\"noreferrer\" class=\"ext\">Stiripesurse, 2024-03-15</a>: Hungary"
            ),
            "{html}"
        );
        assert!(html.contains("per the defining article"), "{html}");
        assert!(!html.contains("[A]"));
    }

    #[test]
    fn every_url_becomes_a_link_relative_ones_too() {
        let s = "https://a.example/x ; see /contests/nato-sg-2024/cell/HUN/rutte?as_of=2024-04-02, and 2024/25";
        let html = source_html(s);
        assert!(
            html.contains(
                "<a href=\"https://a.example/x\" rel=\"noreferrer\" class=\"ext\">a.example</a>"
            ),
            "{html}"
        );
        assert!(
            html.contains("<a href=\"/contests/nato-sg-2024/cell/HUN/rutte?as_of=2024-04-02\">/contests/nato-sg-2024/cell/HUN/rutte?as_of=2024-04-02</a>,"),
            "{html}"
        );
        assert!(html.ends_with("and 2024/25"), "{html}");
    }

    #[test]
    fn a_source_is_escaped() {
        let html = source_html("<b>x</b> https://e.example/?a=1&b=<2> y");
        assert!(html.starts_with("&lt;b&gt;"), "{html}");
        assert!(
            html.contains("href=\"https://e.example/?a=1&amp;b=&lt;2&gt;\""),
            "{html}"
        );
    }

    #[test]
    fn plurals_and_days() {
        assert_eq!(days_from_now(1), "in 1 day");
        assert_eq!(days_from_now(3), "in 3 days");
        assert_eq!(days_from_now(-1), "1 day ago");
        assert_eq!(days_from_now(0), "today");
        assert_eq!(plural(1, "candidate", "candidates"), "1 candidate");
        assert_eq!(
            clean("withheld authorization ([A]); more"),
            "withheld authorization; more"
        );
    }
}
