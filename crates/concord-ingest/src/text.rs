//! The text as the reader sees it: words and punctuation with their byte offsets, folded for
//! matching (lower case, no diacritics, typographic apostrophes made plain), sentences (Unicode
//! sentence boundaries, mended where an abbreviation ends a "sentence"), paragraphs and
//! quotations.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;
use unicode_segmentation::UnicodeSegmentation;

/// One word or punctuation mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    /// Folded form: lower case, diacritics removed, `’` as `'`, a possessive `'s` and inner dots
    /// removed ("Hungary’s" → "hungary", "U.S" → "us").
    pub norm: String,
    pub is_word: bool,
    /// The word carried a possessive ending.
    pub possessive: bool,
    /// The word's first letter is upper case (proper names are matched only so).
    pub capitalised: bool,
    /// The original word without dots, for acronyms matched exactly ("US", not "us").
    pub bare: String,
    /// Index of the sentence holding the token.
    pub sentence: usize,
}

/// A sentence: byte range (trimmed) and token range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    pub start: usize,
    pub end: usize,
    pub first_token: usize,
    /// One past the last token.
    pub end_token: usize,
    pub paragraph: usize,
}

/// A quotation: the byte range between its marks and the tokens inside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// Byte offset of the opening mark.
    pub open: usize,
    /// Byte offset just past the closing mark (or the paragraph's end when unclosed).
    pub close: usize,
    pub first_token: usize,
    pub end_token: usize,
    /// Words inside: short quotes ("delayed") are scare quotes, not speech.
    pub words: usize,
}

/// The analysed text.
#[derive(Debug, Clone)]
pub struct Doc<'a> {
    pub text: &'a str,
    pub tokens: Vec<Token>,
    pub sentences: Vec<Sentence>,
    pub quotes: Vec<Quote>,
}

/// Folds a word for matching: NFD, combining marks dropped, lower case, typographic apostrophes
/// and hyphens made plain.
pub fn fold(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        match c {
            '’' | '‘' | 'ʼ' | '`' | '´' => out.push('\''),
            '‐' | '‑' | '–' => out.push('-'),
            'ı' => out.push('i'),
            'ł' => out.push('l'),
            'Ł' => out.push('l'),
            'ø' | 'Ø' => out.push('o'),
            'æ' | 'Æ' => out.push_str("ae"),
            'ß' => out.push_str("ss"),
            'đ' | 'Đ' => out.push('d'),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// The folded form of one piece of text and whether it carried a possessive ending.
pub fn word_norm(piece: &str, is_word: bool) -> (String, bool) {
    let mut norm = fold(piece);
    let mut possessive = false;
    if is_word {
        if let Some(stem) = norm.strip_suffix("'s") {
            if stem.len() > 1 && !matches!(stem, "it" | "that" | "there" | "he" | "she" | "what") {
                norm = stem.to_owned();
                possessive = true;
            }
        } else if norm.ends_with("s'") && norm.len() > 2 {
            norm.pop();
            possessive = true;
        }
        if norm.contains('.') {
            norm.retain(|c| c != '.');
        }
    }
    (norm, possessive)
}

/// Splits a phrase from a data file into the folded words and marks the reader matches.
pub fn phrase_pieces(phrase: &str) -> Vec<(String, String)> {
    phrase
        .split_word_bound_indices()
        .filter(|(_, p)| !p.chars().all(char::is_whitespace))
        .map(|(_, p)| {
            let is_word = p.chars().any(char::is_alphanumeric);
            (word_norm(p, is_word).0, p.to_owned())
        })
        .collect()
}

/// Abbreviations after which a full stop does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "gen", "sen", "rep", "gov", "lt", "col", "st", "sgt", "capt",
    "maj", "adm", "amb", "pres", "jan", "feb", "mar", "apr", "aug", "sept", "sep", "oct", "nov",
    "dec", "no", "vs", "approx", "e.g", "i.e", "u.s", "u.k", "u.n", "e.u", "jr", "sr", "inc",
    "corp", "co", "ltd", "dept", "est", "fig", "mt", "ft",
];

/// Splits `text` into tokens, sentences and quotations.
pub fn analyse(text: &str) -> Doc<'_> {
    let sentences_raw = sentence_ranges(text);
    let mut tokens = Vec::new();
    let mut sentences = Vec::with_capacity(sentences_raw.len());
    for (idx, &(start, end, paragraph)) in sentences_raw.iter().enumerate() {
        let first_token = tokens.len();
        for (offset, piece) in text[start..end].split_word_bound_indices() {
            if piece.chars().all(char::is_whitespace) {
                continue;
            }
            let is_word = piece.chars().any(char::is_alphanumeric);
            let (norm, possessive) = word_norm(piece, is_word);
            let stem = piece
                .strip_suffix("’s")
                .or_else(|| piece.strip_suffix("'s"))
                .filter(|_| possessive)
                .unwrap_or(piece);
            let bare: String = stem.chars().filter(|c| *c != '.').collect();
            let capitalised = piece.chars().next().is_some_and(char::is_uppercase);
            tokens.push(Token {
                start: start + offset,
                end: start + offset + piece.len(),
                norm,
                is_word,
                possessive,
                capitalised,
                bare,
                sentence: idx,
            });
        }
        sentences.push(Sentence {
            start,
            end,
            first_token,
            end_token: tokens.len(),
            paragraph,
        });
    }
    let quotes = find_quotes(text, &tokens, &sentences);
    Doc {
        text,
        tokens,
        sentences,
        quotes,
    }
}

/// Sentence byte ranges (trimmed, non-empty) with their paragraph index.
fn sentence_ranges(text: &str) -> Vec<(usize, usize, usize)> {
    let mut out: Vec<(usize, usize, usize)> = Vec::new();
    let mut paragraph = 0;
    let mut last_end = 0;
    let mut merge_next = false;
    for (offset, piece) in text.split_sentence_bound_indices() {
        let lead = piece.len() - piece.trim_start().len();
        let trimmed = piece.trim();
        if trimmed.is_empty() {
            continue;
        }
        let start = offset + lead;
        let end = start + trimmed.len();
        // A line break between two sentences starts a new paragraph.
        let new_paragraph = text[last_end..start].contains('\n');
        if new_paragraph && !out.is_empty() {
            paragraph += 1;
        }
        if merge_next
            && !new_paragraph
            && let Some(last) = out.last_mut()
        {
            last.1 = end;
        } else {
            out.push((start, end, paragraph));
        }
        merge_next = ends_with_abbreviation(trimmed);
        last_end = end;
    }
    out
}

fn ends_with_abbreviation(sentence: &str) -> bool {
    let Some(body) = sentence.strip_suffix('.') else {
        return false;
    };
    let last = body
        .rsplit(|c: char| c.is_whitespace() || c == '(' || c == '[')
        .next()
        .unwrap_or("");
    if last.is_empty() {
        return false;
    }
    // A single initial ("J. Smith").
    let mut chars = last.chars();
    if let (Some(c), None) = (chars.next(), chars.next())
        && c.is_uppercase()
    {
        return true;
    }
    let folded = fold(last);
    ABBREVIATIONS.contains(&folded.as_str())
}

fn find_quotes(text: &str, tokens: &[Token], sentences: &[Sentence]) -> Vec<Quote> {
    let mut quotes = Vec::new();
    let mut open: Option<(usize, usize)> = None; // (byte offset, paragraph)
    let paragraph_end = |p: usize| -> usize {
        sentences
            .iter()
            .rev()
            .find(|s| s.paragraph == p)
            .map_or(text.len(), |s| s.end)
    };
    let paragraph_of = |offset: usize| -> usize {
        match sentences.binary_search_by(|s| s.start.cmp(&offset)) {
            Ok(i) => sentences[i].paragraph,
            Err(0) => 0,
            Err(i) => sentences[i - 1].paragraph,
        }
    };
    let push = |from: usize, to: usize, quotes: &mut Vec<Quote>| {
        let first_token = tokens.partition_point(|t| t.start < from);
        let end_token = tokens.partition_point(|t| t.start < to);
        let words = tokens[first_token..end_token]
            .iter()
            .filter(|t| t.is_word)
            .count();
        quotes.push(Quote {
            open: from,
            close: to,
            first_token,
            end_token,
            words,
        });
    };
    for (i, c) in text.char_indices() {
        let opening = matches!(c, '“' | '„' | '«');
        let closing = matches!(c, '”' | '»');
        let straight = c == '"';
        if let Some((from, p)) = open
            && paragraph_of(i) != p
        {
            push(from, paragraph_end(p), &mut quotes);
            open = None;
        }
        match open {
            None if opening || straight => open = Some((i, paragraph_of(i))),
            Some((from, _)) if closing || straight => {
                push(from, i + c.len_utf8(), &mut quotes);
                open = None;
            }
            _ => {}
        }
    }
    if let Some((from, p)) = open {
        push(from, paragraph_end(p), &mut quotes);
    }
    quotes
}

impl Doc<'_> {
    /// The quotation holding token `t`, if any.
    pub fn quote_of(&self, t: usize) -> Option<usize> {
        let offset = self.tokens[t].start;
        // Quotes are in text order and do not overlap: the last one opening before `offset`.
        let i = self
            .quotes
            .partition_point(|q| q.open < offset)
            .checked_sub(1)?;
        let q = &self.quotes[i];
        (offset < q.close).then_some(i)
    }

    /// The text of a byte range.
    pub fn slice(&self, start: usize, end: usize) -> &str {
        &self.text[start..end]
    }

    /// The tokens of sentence `s`.
    pub fn sentence_tokens(&self, s: usize) -> std::ops::Range<usize> {
        self.sentences[s].first_token..self.sentences[s].end_token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_diacritics_apostrophes_and_possessives() {
        let doc = analyse("Orbán’s government and Szijjártó met the U.S. envoy.");
        let norms: Vec<&str> = doc.tokens.iter().map(|t| t.norm.as_str()).collect();
        assert_eq!(
            norms,
            [
                "orban",
                "government",
                "and",
                "szijjarto",
                "met",
                "the",
                "us",
                ".",
                "envoy",
                "."
            ]
        );
        assert!(doc.tokens[0].possessive);
        assert_eq!(doc.tokens[6].bare, "US");
    }

    #[test]
    fn abbreviations_do_not_end_sentences_but_paragraphs_do() {
        let doc = analyse("Mr. Rutte met Dr. Smith. Then he left\nA new paragraph starts here.");
        assert_eq!(doc.sentences.len(), 3);
        assert_eq!(
            doc.slice(doc.sentences[0].start, doc.sentences[0].end),
            "Mr. Rutte met Dr. Smith."
        );
        assert_eq!(doc.sentences[2].paragraph, 1);
    }

    #[test]
    fn quotations_span_sentences_and_close_at_the_paragraph_end() {
        let doc = analyse("“We back him. He is good,” she said. “Unclosed quote\nNext.");
        assert_eq!(doc.quotes.len(), 2);
        assert!(doc.quotes[0].words >= 5);
        let q = &doc.quotes[1];
        assert_eq!(doc.slice(q.open, q.close), "“Unclosed quote");
    }
}
