//! From the bytes of a file to the plain text the reader works on: refuses what is not an
//! article (empty, binary, too large) with a clear reason, and strips HTML to text.

/// The largest article accepted. A long feature is ~100 KB; a whole newspaper page as HTML is
/// a few MB. Anything bigger is not one article, and reading it would cost seconds.
pub const MAX_BYTES: usize = 8 * 1024 * 1024;

/// Why a file is not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("the file is empty: there is no article to read")]
    Empty,
    #[error(
        "the file is {size} bytes; an article is at most {max} bytes (8 MiB) — split it, or give the article alone"
    )]
    TooLarge { size: usize, max: usize },
    #[error(
        "the file is not text: {reason} at byte {offset} — expected an article as UTF-8 plain text or HTML"
    )]
    Binary { reason: String, offset: usize },
    #[error("the file holds no words (only {what})")]
    NoWords { what: String },
}

/// The plain text of an article and how it was obtained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlainText {
    pub text: String,
    /// The input was HTML and was converted.
    pub from_html: bool,
}

/// Checks `bytes` and returns the article's plain text.
pub fn to_plain_text(bytes: &[u8]) -> Result<PlainText, InputError> {
    if bytes.len() > MAX_BYTES {
        return Err(InputError::TooLarge {
            size: bytes.len(),
            max: MAX_BYTES,
        });
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(InputError::Empty);
    }
    if let Some(offset) = bytes.iter().position(|&b| b == 0) {
        return Err(InputError::Binary {
            reason: "a NUL byte".into(),
            offset,
        });
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            return Err(InputError::Binary {
                reason: "invalid UTF-8".into(),
                offset: e.valid_up_to(),
            });
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Control characters other than tab, line feed, carriage return and form feed mean a
    // binary format that happens to be valid UTF-8.
    let controls = text
        .char_indices()
        .filter(|(_, c)| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c'))
        .collect::<Vec<_>>();
    if controls.len() * 100 > text.chars().count().max(1) {
        return Err(InputError::Binary {
            reason: format!("{} control characters", controls.len()),
            offset: controls[0].0,
        });
    }
    let (text, from_html) = if looks_like_html(text) {
        (html_to_text(text), true)
    } else {
        (text.replace("\r\n", "\n"), false)
    };
    if !text.chars().any(char::is_alphabetic) {
        return Err(InputError::NoWords {
            what: if from_html {
                "markup".into()
            } else {
                "digits, punctuation or spaces".into()
            },
        });
    }
    Ok(PlainText { text, from_html })
}

fn looks_like_html(text: &str) -> bool {
    let head: String = text
        .chars()
        .take(2048)
        .collect::<String>()
        .to_ascii_lowercase();
    let trimmed = head.trim_start();
    trimmed.starts_with("<!doctype html")
        || trimmed.starts_with("<html")
        || head.contains("<body")
        || head.contains("<p>")
        || head.contains("<p ")
        || head.contains("<article")
        || head.contains("<div")
}

/// HTML to plain text: paragraphs become lines, no wrapping, no link markers, scripts and
/// styles dropped (html2text, a well-kept converter built on html5ever).
fn html_to_text(html: &str) -> String {
    // The trivial decorator adds nothing: no "[link]" brackets, no "*emphasis*" marks.
    let text = html2text::config::with_decorator(html2text::render::TrivialDecorator::new())
        .no_table_borders()
        .link_footnotes(false)
        .string_from_read(html.as_bytes(), usize::MAX / 2)
        .unwrap_or_default();
    // Paragraph separation as single blank lines; trailing spaces off.
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_empty_binary_and_huge_input() {
        assert_eq!(to_plain_text(b"  \n\t "), Err(InputError::Empty));
        assert!(matches!(
            to_plain_text(b"PK\x03\x04\x00\x00"),
            Err(InputError::Binary { offset: 4, .. })
        ));
        assert!(matches!(
            to_plain_text(&[0xff, 0xfe, 0x41]),
            Err(InputError::Binary { .. })
        ));
        let big = vec![b'a'; MAX_BYTES + 1];
        assert!(matches!(
            to_plain_text(&big),
            Err(InputError::TooLarge { .. })
        ));
        assert!(matches!(
            to_plain_text(b"1234 -- 5678"),
            Err(InputError::NoWords { .. })
        ));
    }

    #[test]
    fn strips_html_to_paragraphs() {
        let html = "<html><head><style>p{color:red}</style><script>var x=1;</script></head>\
            <body><p>Germany backs <a href=\"/x\">Rutte</a>.</p><p>Hungary does not.</p></body></html>";
        let plain = to_plain_text(html.as_bytes()).expect("html reads");
        assert!(plain.from_html);
        assert!(
            plain.text.contains("Germany backs Rutte."),
            "{}",
            plain.text
        );
        assert!(plain.text.contains("Hungary does not."));
        assert!(!plain.text.contains("color"));
        assert!(!plain.text.contains("var x"));
    }
}
