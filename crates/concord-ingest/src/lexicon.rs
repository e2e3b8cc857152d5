//! The lexicon of stance cues and of the words that modify them (negation, hedges, conditions,
//! reported speech), read from `data/lexicon.toml` and compiled into patterns matched over the
//! folded words of a text.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;

use crate::knowledge::DataError;
use crate::text::{Token, fold, phrase_pieces};

/// What a cue says about the member's stance before modifiers apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CueClass {
    Support,
    Lean,
    Oppose,
    Withhold,
    Undeclared,
    /// Dropping a hold ("lifted its veto"): backing.
    Release,
}

/// Where a cue's member or candidate stands relative to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    #[default]
    Before,
    After,
    Either,
}

#[derive(Debug, Deserialize)]
struct RawCue {
    pattern: String,
    class: CueClass,
    #[serde(default)]
    actor: Side,
    #[serde(default = "after")]
    object: Side,
    #[serde(default)]
    negated_only: bool,
    #[serde(default)]
    declarative: bool,
    #[serde(default)]
    nomination: bool,
}

fn after() -> Side {
    Side::After
}

#[derive(Debug, Deserialize)]
struct RawModifiers {
    window: usize,
    negators: Vec<String>,
    perfect_negation: Vec<String>,
    soft_negators: Vec<String>,
    no_longer: Vec<String>,
    hedges: Vec<String>,
    assertives: Vec<String>,
    conditional_markers: Vec<String>,
    condition_words: Vec<String>,
    set_aside: Vec<String>,
    superseded_markers: Vec<String>,
    superseded_after_had: Vec<String>,
    open_question: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct RawWithdrawal {
    cues: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct RawAttribution {
    speech_verbs: Vec<String>,
    anonymous_nouns: Vec<String>,
    institution_nouns: Vec<String>,
    role_nouns: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct RawReferences {
    candidate_pronouns: Vec<String>,
    candidacy_nouns: Vec<String>,
    member_pronouns: Vec<String>,
    member_nouns: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct RawLexicon {
    fillers: Vec<String>,
    verbs: HashMap<String, Vec<String>>,
    cue: Vec<RawCue>,
    modifiers: RawModifiers,
    attribution: RawAttribution,
    withdrawal: RawWithdrawal,
    references: RawReferences,
}

/// One position of a pattern: the words it accepts and whether it may be absent.
#[derive(Debug, Clone)]
struct Slot {
    words: HashSet<String>,
    optional: bool,
}

/// A compiled cue.
#[derive(Debug, Clone)]
pub struct Cue {
    pub pattern: String,
    slots: Vec<Slot>,
    pub class: CueClass,
    pub actor: Side,
    pub object: Side,
    pub negated_only: bool,
    pub declarative: bool,
    pub nomination: bool,
}

/// A cue found in a text: tokens `start..end`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CueMatch {
    pub cue: usize,
    pub start: usize,
    pub end: usize,
}

/// A set of phrases (one or more words), matched at a token.
#[derive(Debug, Clone, Default)]
pub struct WordSet {
    phrases: Vec<Vec<String>>,
    single: HashSet<String>,
}

impl WordSet {
    fn new(list: &[String]) -> WordSet {
        let mut set = WordSet::default();
        for p in list {
            let words: Vec<String> = phrase_pieces(p).into_iter().map(|(n, _)| n).collect();
            if words.len() == 1 {
                set.single.insert(words[0].clone());
            } else if !words.is_empty() {
                set.phrases.push(words);
            }
        }
        set
    }

    /// The length of the phrase of this set starting at token `i`, if any.
    pub fn match_at(&self, tokens: &[Token], i: usize) -> Option<usize> {
        let mut best = None;
        for p in &self.phrases {
            if i + p.len() <= tokens.len() && p.iter().zip(&tokens[i..]).all(|(w, t)| *w == t.norm)
            {
                best = best.max(Some(p.len()));
            }
        }
        if best.is_none() && self.single.contains(&tokens[i].norm) {
            best = Some(1);
        }
        best
    }

    pub fn contains(&self, word: &str) -> bool {
        self.single.contains(word)
    }
}

/// The compiled lexicon.
#[derive(Debug, Clone)]
pub struct Lexicon {
    pub cues: Vec<Cue>,
    by_first: HashMap<String, Vec<usize>>,
    fillers: HashSet<String>,
    pub window: usize,
    pub negators: WordSet,
    pub perfect_negation: WordSet,
    pub soft_negators: WordSet,
    pub no_longer: WordSet,
    pub hedges: WordSet,
    pub assertives: WordSet,
    pub conditional_markers: WordSet,
    pub condition_words: WordSet,
    pub set_aside: WordSet,
    pub superseded_markers: WordSet,
    pub superseded_after_had: WordSet,
    pub open_question: WordSet,
    pub withdrawal: WordSet,
    pub speech_verbs: WordSet,
    pub anonymous_nouns: WordSet,
    pub institution_nouns: WordSet,
    pub role_nouns: WordSet,
    pub candidate_pronouns: WordSet,
    pub candidacy_nouns: WordSet,
    pub member_pronouns: WordSet,
    pub member_nouns: WordSet,
}

/// The regular forms of an English verb.
fn inflect(lemma: &str) -> Vec<String> {
    let mut forms = vec![lemma.to_owned()];
    let bytes = lemma.as_bytes();
    let last = bytes.last().copied().unwrap_or(b' ');
    let before_last = if bytes.len() >= 2 {
        bytes[bytes.len() - 2]
    } else {
        b' '
    };
    let vowel = |c: u8| b"aeiou".contains(&c);
    if last == b'e' {
        let stem = &lemma[..lemma.len() - 1];
        forms.push(format!("{lemma}s"));
        forms.push(format!("{lemma}d"));
        forms.push(format!("{stem}ing"));
    } else if last == b'y' && !vowel(before_last) {
        let stem = &lemma[..lemma.len() - 1];
        forms.push(format!("{stem}ies"));
        forms.push(format!("{stem}ied"));
        forms.push(format!("{lemma}ing"));
    } else if lemma.ends_with('s')
        || lemma.ends_with('x')
        || lemma.ends_with("ch")
        || lemma.ends_with("sh")
        || lemma.ends_with('z')
    {
        forms.push(format!("{lemma}es"));
        forms.push(format!("{lemma}ed"));
        forms.push(format!("{lemma}ing"));
    } else {
        forms.push(format!("{lemma}s"));
        forms.push(format!("{lemma}ed"));
        forms.push(format!("{lemma}ing"));
    }
    forms
}

impl Lexicon {
    pub fn bundled() -> Result<Lexicon, DataError> {
        Lexicon::from_toml(include_str!("../data/lexicon.toml"))
    }

    pub fn from_toml(text: &str) -> Result<Lexicon, DataError> {
        let raw: RawLexicon = toml::from_str(text).map_err(|e| DataError {
            file: "lexicon.toml".into(),
            message: e.to_string(),
        })?;
        let verbs = &raw.verbs;
        let mut cues = Vec::new();
        for c in &raw.cue {
            let mut slots = Vec::new();
            for part in c.pattern.split_whitespace() {
                let (optional, part) = match part.strip_prefix('?') {
                    Some(rest) => (true, rest),
                    None => (false, part),
                };
                let mut words = HashSet::new();
                for alt in part.split('|') {
                    if let Some(lemma) = alt.strip_prefix('~') {
                        let forms = verbs.get(lemma).cloned().unwrap_or_else(|| inflect(lemma));
                        words.extend(forms.iter().map(|f| fold(f)));
                    } else {
                        words.insert(fold(alt));
                    }
                }
                slots.push(Slot { words, optional });
            }
            if slots.first().is_none_or(|s| s.optional) {
                return Err(DataError {
                    file: "lexicon.toml".into(),
                    message: format!("cue '{}' must start with a required word", c.pattern),
                });
            }
            cues.push(Cue {
                pattern: c.pattern.clone(),
                slots,
                class: c.class,
                actor: c.actor,
                object: c.object,
                negated_only: c.negated_only,
                declarative: c.declarative,
                nomination: c.nomination,
            });
        }
        let mut by_first: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, c) in cues.iter().enumerate() {
            for w in &c.slots[0].words {
                by_first.entry(w.clone()).or_default().push(i);
            }
        }
        let m = &raw.modifiers;
        let a = &raw.attribution;
        let r = &raw.references;
        Ok(Lexicon {
            cues,
            by_first,
            fillers: raw.fillers.iter().map(|f| fold(f)).collect(),
            window: m.window,
            negators: WordSet::new(&m.negators),
            perfect_negation: WordSet::new(&m.perfect_negation),
            soft_negators: WordSet::new(&m.soft_negators),
            no_longer: WordSet::new(&m.no_longer),
            hedges: WordSet::new(&m.hedges),
            assertives: WordSet::new(&m.assertives),
            conditional_markers: WordSet::new(&m.conditional_markers),
            condition_words: WordSet::new(&m.condition_words),
            set_aside: WordSet::new(&m.set_aside),
            superseded_markers: WordSet::new(&m.superseded_markers),
            superseded_after_had: WordSet::new(&m.superseded_after_had),
            open_question: WordSet::new(&m.open_question),
            withdrawal: WordSet::new(&raw.withdrawal.cues),
            speech_verbs: WordSet::new(&a.speech_verbs),
            anonymous_nouns: WordSet::new(&a.anonymous_nouns),
            institution_nouns: WordSet::new(&a.institution_nouns),
            role_nouns: WordSet::new(&a.role_nouns),
            candidate_pronouns: WordSet::new(&r.candidate_pronouns),
            candidacy_nouns: WordSet::new(&r.candidacy_nouns),
            member_pronouns: WordSet::new(&r.member_pronouns),
            member_nouns: WordSet::new(&r.member_nouns),
        })
    }

    pub fn is_filler(&self, word: &str) -> bool {
        self.fillers.contains(word)
    }

    /// Every cue in the tokens `range`, the longest where two overlap.
    pub fn find_cues(&self, tokens: &[Token], range: std::ops::Range<usize>) -> Vec<CueMatch> {
        let mut found: Vec<CueMatch> = Vec::new();
        for i in range.clone() {
            let Some(list) = self.by_first.get(&tokens[i].norm) else {
                continue;
            };
            for &ci in list {
                if let Some(end) = self.match_cue(&self.cues[ci], tokens, i, range.end) {
                    found.push(CueMatch {
                        cue: ci,
                        start: i,
                        end,
                    });
                }
            }
        }
        // Longest first; drop any match overlapping a longer one.
        found.sort_by(|a, b| {
            (b.end - b.start)
                .cmp(&(a.end - a.start))
                .then(a.start.cmp(&b.start))
        });
        let mut kept: Vec<CueMatch> = Vec::new();
        for m in found {
            if kept.iter().all(|k| m.end <= k.start || k.end <= m.start) {
                kept.push(m);
            }
        }
        kept.sort_by_key(|m| m.start);
        kept
    }

    /// Matches `cue` at token `i`; returns one past its last token.
    fn match_cue(&self, cue: &Cue, tokens: &[Token], i: usize, limit: usize) -> Option<usize> {
        if !tokens[i].is_word || !cue.slots[0].words.contains(&tokens[i].norm) {
            return None;
        }
        let mut pos = i + 1;
        for slot in &cue.slots[1..] {
            // Up to two fillers may stand before the next word.
            let mut found = None;
            for skip in 0..=2 {
                let at = pos + skip;
                if at >= limit {
                    break;
                }
                if slot.words.contains(&tokens[at].norm) && tokens[at].is_word {
                    found = Some(at);
                    break;
                }
                if !self.is_filler(&tokens[at].norm) {
                    break;
                }
            }
            match found {
                Some(at) => pos = at + 1,
                None if slot.optional => {}
                None => return None,
            }
        }
        Some(pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::analyse;

    fn cues_in(lex: &Lexicon, text: &str) -> Vec<String> {
        let doc = analyse(text);
        lex.find_cues(&doc.tokens, 0..doc.tokens.len())
            .into_iter()
            .map(|m| {
                doc.slice(doc.tokens[m.start].start, doc.tokens[m.end - 1].end)
                    .to_owned()
            })
            .collect()
    }

    #[test]
    fn patterns_allow_fillers_inflections_and_prefer_the_longest_cue() {
        let lex = Lexicon::bundled().expect("lexicon parses");
        assert_eq!(
            cues_in(&lex, "Three countries have withheld their authorization."),
            ["withheld their authorization"]
        );
        assert_eq!(
            cues_in(&lex, "Rutte enjoys the backing of a broad majority."),
            ["enjoys the backing of"]
        );
        assert_eq!(
            cues_in(&lex, "Ankara lifted its veto on Tuesday."),
            ["lifted its veto"]
        );
        assert_eq!(
            cues_in(&lex, "Paris threw its weight behind him."),
            ["threw its weight behind"]
        );
    }

    #[test]
    fn regular_verbs_inflect() {
        assert_eq!(
            inflect("oppose"),
            ["oppose", "opposes", "opposed", "opposing"]
        );
        assert_eq!(
            inflect("rally"),
            ["rally", "rallies", "rallied", "rallying"]
        );
        assert_eq!(inflect("back"), ["back", "backs", "backed", "backing"]);
    }
}
