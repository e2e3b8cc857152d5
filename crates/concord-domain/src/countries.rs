//! Country names to ISO 3166-1 alpha-3 codes, and the European Union's members by date: what a
//! reader of historical cases needs to turn "United States, Germany (reported)" or "the European
//! Union" into members. The names are data (`data/countries.tsv`, with its source), not code.

use std::collections::HashMap;
use std::sync::LazyLock;

use jiff::civil::{Date, date};

static COUNTRIES_TSV: &str = include_str!("../data/countries.tsv");

/// Normalised name → code.
static BY_NAME: LazyLock<HashMap<String, &'static str>> = LazyLock::new(|| {
    let mut map = HashMap::new();
    for line in COUNTRIES_TSV.lines().filter(|l| !l.starts_with('#')) {
        let mut fields = line.split('\t');
        let Some(code) = fields.next() else { continue };
        map.insert(normalise(code), code);
        for name in fields {
            map.entry(normalise(name)).or_insert(code);
        }
    }
    map
});

/// Lower case, letters and digits only, words joined by one space, a leading "the" dropped.
fn normalise(name: &str) -> String {
    let mut out = String::new();
    for word in name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if out.is_empty() && word.eq_ignore_ascii_case("the") {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

/// The ISO 3166-1 alpha-3 code of a country name or alias (`United Kingdom`, `UK`, `Türkiye`).
pub fn code_of(name: &str) -> Option<&'static str> {
    BY_NAME.get(&normalise(name)).copied()
}

/// The English name of a country code (`HUN` → Hungary).
pub fn name_of(code: &str) -> Option<&'static str> {
    COUNTRIES_TSV
        .lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|line| {
            let mut fields = line.split('\t');
            (fields.next() == Some(code))
                .then(|| fields.next())
                .flatten()
        })
}

/// Whether `code` is a known ISO 3166-1 alpha-3 code.
pub fn is_code(code: &str) -> bool {
    code.len() == 3
        && BY_NAME
            .get(&code.to_lowercase())
            .is_some_and(|c| *c == code)
}

/// The European Communities' and Union's members: (code, joined, left).
const EU: [(&str, Date, Option<Date>); 28] = [
    ("BEL", date(1958, 1, 1), None),
    ("DEU", date(1958, 1, 1), None),
    ("FRA", date(1958, 1, 1), None),
    ("ITA", date(1958, 1, 1), None),
    ("LUX", date(1958, 1, 1), None),
    ("NLD", date(1958, 1, 1), None),
    ("DNK", date(1973, 1, 1), None),
    ("IRL", date(1973, 1, 1), None),
    ("GBR", date(1973, 1, 1), Some(date(2020, 1, 31))),
    ("GRC", date(1981, 1, 1), None),
    ("ESP", date(1986, 1, 1), None),
    ("PRT", date(1986, 1, 1), None),
    ("AUT", date(1995, 1, 1), None),
    ("FIN", date(1995, 1, 1), None),
    ("SWE", date(1995, 1, 1), None),
    ("CYP", date(2004, 5, 1), None),
    ("CZE", date(2004, 5, 1), None),
    ("EST", date(2004, 5, 1), None),
    ("HUN", date(2004, 5, 1), None),
    ("LTU", date(2004, 5, 1), None),
    ("LVA", date(2004, 5, 1), None),
    ("MLT", date(2004, 5, 1), None),
    ("POL", date(2004, 5, 1), None),
    ("SVK", date(2004, 5, 1), None),
    ("SVN", date(2004, 5, 1), None),
    ("BGR", date(2007, 1, 1), None),
    ("ROU", date(2007, 1, 1), None),
    ("HRV", date(2013, 7, 1), None),
];

/// The EU's member states on `on` (the European Communities' before 1993).
pub fn eu_members_on(on: Date) -> Vec<&'static str> {
    EU.iter()
        .filter(|(_, joined, left)| *joined <= on && left.is_none_or(|l| on < l))
        .map(|(code, ..)| *code)
        .collect()
}

/// The countries named in a list such as "United States, Germany (reported)" or "Poland,
/// Hungary and Slovakia": `Some` only when every listed name is a known country.
pub fn codes_in_list(text: &str) -> Option<Vec<&'static str>> {
    // Drop parenthesised remarks, then split on commas, "and", "&" and "/".
    let mut plain = String::new();
    let mut depth = 0usize;
    for ch in text.chars() {
        match ch {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => plain.push(ch),
            _ => {}
        }
    }
    let mut codes = Vec::new();
    for part in plain
        .split([',', ';', '&', '/'])
        .flat_map(|p| p.split(" and "))
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        codes.push(code_of(part)?);
    }
    (!codes.is_empty()).then_some(codes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aliases_resolve() {
        assert_eq!(code_of("United Kingdom"), Some("GBR"));
        assert_eq!(code_of("the Netherlands"), Some("NLD"));
        assert_eq!(code_of("Türkiye"), Some("TUR"));
        assert_eq!(code_of("Narnia"), None);
        assert!(is_code("HUN"));
        assert!(!is_code("HUNG"));
    }

    #[test]
    fn lists_resolve_only_when_every_name_does() {
        assert_eq!(
            codes_in_list("United States, Germany (reported)"),
            Some(vec!["USA", "DEU"])
        );
        assert_eq!(
            codes_in_list("Poland, Hungary and Slovakia"),
            Some(vec!["POL", "HUN", "SVK"])
        );
        assert_eq!(codes_in_list("EPP heads of government"), None);
    }

    #[test]
    fn eu_membership_is_by_date() {
        assert_eq!(eu_members_on(date(2019, 6, 30)).len(), 28);
        assert_eq!(eu_members_on(date(2024, 6, 30)).len(), 27);
        assert_eq!(eu_members_on(date(1994, 6, 30)).len(), 12);
    }
}
