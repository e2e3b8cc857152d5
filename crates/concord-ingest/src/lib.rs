//! concord-ingest: from a news article to proposed, sourced stance reports.
//!
//! Dictionary-based event coding in the manner of TABARI and PETRARCH, narrowed to one task:
//! gazetteers of states, people (by date), groups and organisations (`data/*.toml`, each fact
//! sourced), a lexicon of stance cues with negation, hedges, conditions and tense
//! (`data/lexicon.toml`), sentence and quotation structure for attribution, and the contest's
//! own candidates. Pure: text and facts in, proposals out; no IO, no clock.
//!
//! ```text
//! bytes ─ input::to_plain_text ─► text ─ text::analyse ─► Doc (tokens, sentences, quotes)
//!   ─ mentions::find ─► members, people, groups, candidates
//!   ─ reader::Engine (cues → actor, object, modifiers, speaker) ─► hits ─ merge ─► Reading
//! ```

pub mod events;
pub mod facts;
pub mod input;
pub mod knowledge;
pub mod lexicon;
pub mod mentions;
pub mod proposal;
pub mod reader;
pub mod review;
pub mod score;
pub mod text;

use jiff::civil::Date;

pub use facts::{CandidateFacts, ContestFacts, Membership};
pub use input::{InputError, MAX_BYTES};
pub use knowledge::{DataError, Knowledge};
pub use lexicon::Lexicon;
pub use proposal::{Reading, Span, StanceProposal};

/// Why an article yields nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(
        "the article does not mention {organisation} or any of the contest's candidates ({candidates}): it does not look like an article about {contest}"
    )]
    NotAboutContest {
        contest: String,
        organisation: String,
        candidates: String,
    },
}

/// The reader: gazetteers and lexicon, compiled once, used for any number of articles.
#[derive(Debug, Clone)]
pub struct Reader {
    pub knowledge: Knowledge,
    pub lexicon: Lexicon,
}

impl Reader {
    /// The reader with the bundled data.
    pub fn bundled() -> Result<Reader, DataError> {
        Ok(Reader {
            knowledge: Knowledge::bundled()?,
            lexicon: Lexicon::bundled()?,
        })
    }

    /// Reads an article given as the bytes of a file (plain text or HTML). Returns the plain
    /// text (evidence offsets point into it) and what was read.
    pub fn read_bytes(
        &self,
        bytes: &[u8],
        facts: &ContestFacts,
        published: Date,
    ) -> Result<(String, Reading), ReadError> {
        let plain = input::to_plain_text(bytes)?;
        let reading = self.read_text(&plain.text, facts, published)?;
        Ok((plain.text, reading))
    }

    /// Reads an article's plain text, as of its publication date.
    pub fn read_text(
        &self,
        text: &str,
        facts: &ContestFacts,
        published: Date,
    ) -> Result<Reading, ReadError> {
        let doc = text::analyse(text);
        let candidates = mentions::candidate_index(facts);
        let mentions = mentions::find(
            &doc,
            &self.knowledge,
            &self.lexicon,
            facts,
            &candidates,
            published,
        );
        let about = mentions.iter().any(|m| {
            matches!(
                m.kind,
                mentions::Kind::Organisation | mentions::Kind::Candidate { .. }
            )
        });
        if !about {
            let organisation = self
                .knowledge
                .organisation(&facts.organisation)
                .map_or_else(
                    || facts.organisation.clone(),
                    |o| self.knowledge.organisations[o].names[0].clone(),
                );
            return Err(ReadError::NotAboutContest {
                contest: facts.id.clone(),
                organisation,
                candidates: facts
                    .candidates
                    .iter()
                    .filter(|c| !c.potential)
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        let mut engine =
            reader::Engine::new(&doc, &self.knowledge, &self.lexicon, facts, &mentions);
        let hits = engine.hits();
        let stances = reader::merge(hits, &doc, &self.knowledge, facts);
        let mut reading = Reading {
            contest: facts.id.clone(),
            published,
            stances,
            candidacies: Vec::new(),
            withdrawals: Vec::new(),
            conditions: Vec::new(),
            commitments: Vec::new(),
            milestones: Vec::new(),
            notes: std::mem::take(&mut engine.notes),
        };
        events::propose(&engine, published, &mut reading);
        Ok(reading)
    }
}
