//! The gazetteers: states (names, adjectives, capitals), people by date, group expressions and
//! organisations, read from the data files in `data/` and compiled into one phrase index that
//! finds them in a text, longest match first.

use std::collections::HashMap;

use jiff::civil::Date;
use serde::Deserialize;

use crate::text::{Token, phrase_pieces};

/// A sovereign state.
#[derive(Debug, Clone, Deserialize)]
pub struct State {
    pub code: String,
    pub names: Vec<String>,
    #[serde(default)]
    pub adjectives: Vec<String>,
    #[serde(default)]
    pub people: Vec<String>,
    #[serde(default)]
    pub capitals: Vec<String>,
    #[serde(default)]
    pub source: Option<String>,
}

impl State {
    pub fn name(&self) -> &str {
        &self.names[0]
    }
}

/// A person whose words are a state's (or an organisation official's, whose are no state's).
#[derive(Debug, Clone, Deserialize)]
pub struct Person {
    pub names: Vec<String>,
    pub surname: String,
    #[serde(default = "yes")]
    pub surname_alone: bool,
    #[serde(default)]
    pub member: Option<String>,
    #[serde(default)]
    pub organisation: Option<String>,
    pub role: String,
    #[serde(default)]
    pub from: Option<Date>,
    #[serde(default)]
    pub to: Option<Date>,
    pub source: String,
}

fn yes() -> bool {
    true
}

impl Person {
    pub fn name(&self) -> &str {
        &self.names[0]
    }

    /// Whether the person held the role on `date`.
    pub fn in_office_on(&self, date: Date) -> bool {
        self.from.is_none_or(|f| f <= date) && self.to.is_none_or(|t| date <= t)
    }
}

/// A group expression naming its members.
#[derive(Debug, Clone, Deserialize)]
pub struct Group {
    pub label: String,
    pub phrases: Vec<String>,
    pub members: Vec<String>,
    #[serde(default)]
    pub from: Option<Date>,
    #[serde(default)]
    pub to: Option<Date>,
    pub source: String,
}

impl Group {
    pub fn holds_on(&self, date: Date) -> bool {
        self.from.is_none_or(|f| f <= date) && self.to.is_none_or(|t| date <= t)
    }
}

/// An organisation's names, words for its members and seats.
#[derive(Debug, Clone, Deserialize)]
pub struct Organisation {
    pub id: String,
    pub names: Vec<String>,
    #[serde(default)]
    pub members_words: Vec<String>,
    #[serde(default)]
    pub seats: Vec<String>,
    pub source: String,
}

/// What a phrase in the index stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    StateName(usize),
    StateAdjective(usize),
    /// "the Hungarians".
    StatePeople(usize),
    StateCapital(usize),
    Person(usize),
    Group(usize),
    Organisation(usize),
    Seat(usize),
}

/// How a word of a phrase must look in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Case {
    Any,
    /// A proper name: the word must start with a capital.
    Capitalised,
    /// An acronym: the word, dots removed, exactly ("US").
    Exact(String),
}

#[derive(Debug, Clone)]
struct PhraseWord {
    norm: String,
    case: Case,
}

/// Phrases indexed by their first folded word.
#[derive(Debug, Clone)]
pub struct PhraseIndex<T> {
    by_first: HashMap<String, Vec<(Vec<PhraseWord>, T)>>,
}

impl<T> Default for PhraseIndex<T> {
    fn default() -> Self {
        PhraseIndex {
            by_first: HashMap::new(),
        }
    }
}

/// Lower-case words inside proper names ("Bosnia and Herzegovina", "Jaap de Hoop Scheffer").
const NAME_PARTICLES: &[&str] = &[
    "the", "of", "and", "de", "la", "le", "du", "van", "von", "der", "den", "al", "bin", "da",
    "dos", "del", "di", "el", "ter", "ten", "y", "e",
];

impl<T: Clone> PhraseIndex<T> {
    /// Adds a phrase. A `proper` phrase's capitalised words must be capitalised in the text and
    /// its acronyms written exactly.
    pub fn insert(&mut self, phrase: &str, proper: bool, value: T) {
        let words: Vec<PhraseWord> = phrase_pieces(phrase)
            .into_iter()
            .map(|(norm, raw)| {
                let letters: String = raw.chars().filter(|c| *c != '.').collect();
                let case = if !proper || NAME_PARTICLES.contains(&norm.as_str()) {
                    Case::Any
                } else if letters.chars().count() >= 2
                    && letters
                        .chars()
                        .all(|c| c.is_uppercase() || c.is_ascii_digit())
                {
                    Case::Exact(letters)
                } else if raw.chars().next().is_some_and(char::is_uppercase) {
                    Case::Capitalised
                } else {
                    Case::Any
                };
                PhraseWord { norm, case }
            })
            .collect();
        let Some(first) = words.first() else {
            return;
        };
        self.by_first
            .entry(first.norm.clone())
            .or_default()
            .push((words, value));
    }

    /// Every phrase matching at token `i`, as (number of tokens, value).
    pub fn matches_at<'s>(&'s self, tokens: &[Token], i: usize) -> Vec<(usize, &'s T)> {
        let mut out = Vec::new();
        let Some(candidates) = self.by_first.get(&tokens[i].norm) else {
            return out;
        };
        'phrases: for (words, value) in candidates {
            if i + words.len() > tokens.len() {
                continue;
            }
            for (k, w) in words.iter().enumerate() {
                let t = &tokens[i + k];
                if t.norm != w.norm || t.sentence != tokens[i].sentence {
                    continue 'phrases;
                }
                let ok = match &w.case {
                    Case::Any => true,
                    Case::Capitalised => t.capitalised,
                    Case::Exact(s) => &t.bare == s,
                };
                if !ok {
                    continue 'phrases;
                }
            }
            out.push((words.len(), value));
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.by_first.is_empty()
    }
}

/// Everything the reader knows about the world, independent of any contest.
#[derive(Debug, Clone)]
pub struct Knowledge {
    pub states: Vec<State>,
    pub people: Vec<Person>,
    pub groups: Vec<Group>,
    pub organisations: Vec<Organisation>,
    pub index: PhraseIndex<Entity>,
    by_code: HashMap<String, usize>,
}

/// A data file that does not parse (a bug in the bundled data, caught by the tests).
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct DataError {
    pub file: String,
    pub message: String,
}

#[derive(Deserialize)]
struct WorldFile {
    states: Vec<State>,
}
#[derive(Deserialize)]
struct PeopleFile {
    person: Vec<Person>,
}
#[derive(Deserialize)]
struct GroupsFile {
    group: Vec<Group>,
}
#[derive(Deserialize)]
struct OrganisationsFile {
    organisation: Vec<Organisation>,
}

fn parse<T: for<'de> Deserialize<'de>>(file: &str, text: &str) -> Result<T, DataError> {
    toml::from_str(text).map_err(|e| DataError {
        file: file.to_owned(),
        message: e.to_string(),
    })
}

impl Knowledge {
    /// The gazetteers bundled in the crate.
    pub fn bundled() -> Result<Knowledge, DataError> {
        Knowledge::from_files(
            include_str!("../data/world.toml"),
            include_str!("../data/people.toml"),
            include_str!("../data/groups.toml"),
            include_str!("../data/organisations.toml"),
        )
    }

    pub fn from_files(
        world: &str,
        people: &str,
        groups: &str,
        organisations: &str,
    ) -> Result<Knowledge, DataError> {
        let world: WorldFile = parse("world.toml", world)?;
        let people: PeopleFile = parse("people.toml", people)?;
        let groups: GroupsFile = parse("groups.toml", groups)?;
        let organisations: OrganisationsFile = parse("organisations.toml", organisations)?;
        let mut k = Knowledge {
            states: world.states,
            people: people.person,
            groups: groups.group,
            organisations: organisations.organisation,
            index: PhraseIndex::default(),
            by_code: HashMap::new(),
        };
        for (i, s) in k.states.iter().enumerate() {
            if k.by_code.insert(s.code.clone(), i).is_some() {
                return Err(DataError {
                    file: "world.toml".into(),
                    message: format!("state {} listed twice", s.code),
                });
            }
        }
        for p in &k.people {
            if let Some(m) = &p.member
                && !k.by_code.contains_key(m)
            {
                return Err(DataError {
                    file: "people.toml".into(),
                    message: format!("{}: unknown member {m}", p.name()),
                });
            }
        }
        for g in &k.groups {
            if let Some(m) = g.members.iter().find(|m| !k.by_code.contains_key(*m)) {
                return Err(DataError {
                    file: "groups.toml".into(),
                    message: format!("{}: unknown member {m}", g.label),
                });
            }
        }
        k.build_index();
        Ok(k)
    }

    fn build_index(&mut self) {
        let mut index = PhraseIndex::default();
        for (i, s) in self.states.iter().enumerate() {
            for n in &s.names {
                index.insert(n, true, Entity::StateName(i));
                if !n.starts_with("The ") && !n.starts_with("the ") {
                    index.insert(&format!("the {n}"), true, Entity::StateName(i));
                }
            }
            for a in &s.adjectives {
                index.insert(a, true, Entity::StateAdjective(i));
            }
            let mut people = s.people.clone();
            if people.is_empty() {
                people.extend(
                    s.adjectives
                        .iter()
                        .filter(|a| a.ends_with("an"))
                        .map(|a| format!("{a}s")),
                );
            }
            for p in &people {
                index.insert(&format!("the {p}"), true, Entity::StatePeople(i));
            }
            for c in &s.capitals {
                index.insert(c, true, Entity::StateCapital(i));
            }
        }
        for (i, p) in self.people.iter().enumerate() {
            for n in &p.names {
                index.insert(n, true, Entity::Person(i));
            }
            if p.surname_alone {
                index.insert(&p.surname, true, Entity::Person(i));
            }
        }
        for (i, g) in self.groups.iter().enumerate() {
            for ph in &g.phrases {
                index.insert(ph, true, Entity::Group(i));
                if !ph.starts_with("the ") {
                    index.insert(&format!("the {ph}"), true, Entity::Group(i));
                }
            }
        }
        for (i, o) in self.organisations.iter().enumerate() {
            for n in &o.names {
                index.insert(n, true, Entity::Organisation(i));
            }
            for s in &o.seats {
                index.insert(s, true, Entity::Seat(i));
            }
        }
        self.index = index;
    }

    pub fn state(&self, code: &str) -> Option<&State> {
        self.by_code.get(code).map(|&i| &self.states[i])
    }

    /// The organisation entry for a contest's organisation (by id or any of its names).
    pub fn organisation(&self, id_or_name: &str) -> Option<usize> {
        let key = crate::text::fold(id_or_name);
        self.organisations.iter().position(|o| {
            crate::text::fold(&o.id) == key || o.names.iter().any(|n| crate::text::fold(n) == key)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::analyse;

    #[test]
    fn bundled_data_loads_and_finds_names_adjectives_capitals_and_people() {
        let k = Knowledge::bundled().expect("bundled data parses");
        assert!(k.states.len() >= 195);
        let doc = analyse("Berlin and the Hungarian minister Szijjártó met US and us.");
        let found: Vec<Entity> = (0..doc.tokens.len())
            .flat_map(|i| {
                k.index
                    .matches_at(&doc.tokens, i)
                    .into_iter()
                    .map(|(_, e)| *e)
            })
            .collect();
        let deu = k.by_code["DEU"];
        let hun = k.by_code["HUN"];
        let usa = k.by_code["USA"];
        assert!(found.contains(&Entity::StateCapital(deu)));
        assert!(found.contains(&Entity::StateAdjective(hun)));
        assert!(found.contains(&Entity::StateName(usa)));
        assert_eq!(
            found
                .iter()
                .filter(|e| matches!(e, Entity::StateName(i) if *i == usa))
                .count(),
            1,
            "the pronoun 'us' is not the United States"
        );
        assert!(
            found
                .iter()
                .any(|e| matches!(e, Entity::Person(p) if k.people[*p].surname == "Szijjártó"))
        );
    }
}
