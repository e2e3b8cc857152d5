//! Finding who an article names: members (by name, adjective, people, capital), the people who
//! speak for them, groups, the contest's candidates and its organisation — and telling a
//! member that acts from one that only describes someone ("Dutch prime minister Mark Rutte",
//! "Norway's Jens Stoltenberg") or is set aside ("beyond Hungary, Romania and Slovakia…").

use jiff::civil::Date;

use crate::facts::ContestFacts;
use crate::knowledge::{Entity, Knowledge, PhraseIndex};
use crate::lexicon::Lexicon;
use crate::text::Doc;

/// How a state was named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    Name,
    Adjective,
    People,
    Capital,
}

/// What a mention refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A member of the contest's organisation on the article's date.
    Member { code: String, how: How },
    /// A state that is not a member: never an actor, and it ends a search for one.
    NonMember,
    /// A person in the people gazetteer; `member` when they speak for a member on the date.
    Person {
        person: usize,
        member: Option<String>,
    },
    /// A group naming its members (already restricted to the contest's members).
    Group { group: usize, codes: Vec<String> },
    /// One of the contest's (declared) candidates, by name or by a description.
    Candidate { candidate: usize },
    /// The organisation itself.
    Organisation,
    /// A seat of the organisation ("Brussels"), a place.
    Seat,
}

/// A mention: tokens `start..end`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    /// Describes someone else ("Dutch" in "Dutch prime minister Mark Rutte"): not an actor.
    pub descriptor: bool,
    /// A point of comparison ("beyond Hungary"): not an actor.
    pub set_aside: bool,
}

impl Mention {
    /// The member codes this mention can act as, if it is an actor at all.
    pub fn actor_codes(&self) -> Option<Vec<String>> {
        if self.descriptor || self.set_aside {
            return None;
        }
        match &self.kind {
            Kind::Member { code, .. } => Some(vec![code.clone()]),
            Kind::Person {
                member: Some(code), ..
            } => Some(vec![code.clone()]),
            Kind::Group { codes, .. } if !codes.is_empty() => Some(codes.clone()),
            _ => None,
        }
    }

    pub fn is_candidate(&self) -> Option<usize> {
        match self.kind {
            Kind::Candidate { candidate } => Some(candidate),
            _ => None,
        }
    }
}

/// The candidates' names as phrases: full name, surname, aliases.
pub fn candidate_index(facts: &ContestFacts) -> PhraseIndex<usize> {
    let mut index = PhraseIndex::default();
    for (i, c) in facts.candidates.iter().enumerate() {
        if c.potential {
            continue;
        }
        for name in std::iter::once(&c.name).chain(&c.aliases) {
            index.insert(name, true, i);
            for s in surnames(name) {
                index.insert(&s, true, i);
            }
        }
    }
    index
}

const PARTICLES: &[&str] = &[
    "de", "da", "van", "von", "der", "del", "di", "dos", "du", "bin", "al", "la", "le", "ter",
];

/// What the press calls a person on second mention: the last word, the family name from its
/// particle ("de Hoop Scheffer"), and a last word without its article ("Al-Kawari" → "Kawari").
pub fn surnames(name: &str) -> Vec<String> {
    let words: Vec<&str> = name
        .split_whitespace()
        .filter(|w| !(w.len() <= 2 && w.ends_with('.')))
        .collect();
    let mut out = Vec::new();
    if words.len() < 2 {
        return out;
    }
    let last = words[words.len() - 1];
    out.push(last.to_owned());
    if let Some(p) = words[1..]
        .iter()
        .position(|w| PARTICLES.contains(&w.to_lowercase().as_str()))
    {
        let family = words[1 + p..].join(" ");
        out.push(family.clone());
        if words.len() - (1 + p) > 2 {
            out.push(words[2 + p..].join(" "));
        }
        // "De Hoop Scheffer" at the start of a sentence.
        let mut capital = family.clone();
        if let Some(first) = capital.get(..1) {
            let upper = first.to_uppercase();
            capital.replace_range(..1, &upper);
            out.push(capital);
        }
    }
    for prefix in ["Al-", "al-", "El-", "el-"] {
        if let Some(rest) = last.strip_prefix(prefix) {
            out.push(rest.to_owned());
        }
    }
    // Hyphenated family names are also shortened to their first part ("Okonjo-Iweala": "Okonjo").
    if let Some((first, _)) = last.split_once('-')
        && first.len() > 3
        && !["Al", "El"].contains(&first)
    {
        out.push(first.to_owned());
    }
    out.sort();
    out.dedup();
    out
}

/// Words that may stand between a state and the person it describes ("the Estonian prime
/// minister, Kaja Kallas"; "Norway's Jens Stoltenberg").
const DESCRIPTOR_WORDS: &[&str] = &[
    "the",
    "a",
    "an",
    ",",
    "caretaker",
    "outgoing",
    "incoming",
    "former",
    "acting",
    "interim",
    "current",
    "veteran",
    "then",
    "prime",
    "minister",
    "foreign",
    "defence",
    "defense",
    "finance",
    "trade",
    "economy",
    "president",
    "premier",
    "chancellor",
    "ambassador",
    "envoy",
    "representative",
    "permanent",
    "leader",
    "head",
    "state",
    "secretary",
    "general",
    "deputy",
    "spokesperson",
    "spokesman",
    "spokeswoman",
    "diplomat",
    "official",
    "counterpart",
    "top",
    "chief",
    "king",
    "queen",
    "nato",
    "un",
    "eu",
    "to",
    "candidate",
    "nominee",
    "economist",
    "lawyer",
    "politician",
    "negotiator",
    "centre-right",
    "centre-left",
    "conservative",
    "liberal",
    "socialist",
    "populist",
    "long-serving",
    "longtime",
    "former",
];

/// Words after a capital that make it a place, not a government ("the Washington summit").
const PLACE_AFTER: &[&str] = &[
    "summit",
    "meeting",
    "meetings",
    "talks",
    "conference",
    "declaration",
    "treaty",
    "-",
    "based",
    "headquarters",
    "office",
    "correspondent",
    "bureau",
    "forum",
    "agreement",
    "process",
];
/// Words before a capital that make it a place ("in Washington").
const PLACE_BEFORE: &[&str] = &[
    "in", "at", "to", "from", "near", "into", "outside", "across", "around", "towards", "toward",
    "via", "visit", "visited", "visiting", "visits", "through", "of",
];

/// Finds every mention in the document, longest match first.
pub fn find(
    doc: &Doc<'_>,
    knowledge: &Knowledge,
    lexicon: &Lexicon,
    facts: &ContestFacts,
    candidates: &PhraseIndex<usize>,
    date: Date,
) -> Vec<Mention> {
    let org = knowledge.organisation(&facts.organisation);
    let tokens = &doc.tokens;
    let mut mentions = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if !tokens[i].is_word {
            i += 1;
            continue;
        }
        // Candidates first: on a tie, a candidate's name beats the same person's office.
        let mut best: Option<(usize, Kind)> = None;
        for (len, &c) in candidates.matches_at(tokens, i) {
            if best.as_ref().is_none_or(|(l, _)| len > *l) {
                best = Some((len, Kind::Candidate { candidate: c }));
            }
        }
        for (len, entity) in knowledge.index.matches_at(tokens, i) {
            // Two people of the same name (or one person in two offices): the one in office.
            let in_office =
                matches!(entity, Entity::Person(p) if knowledge.people[*p].in_office_on(date));
            let replaces_out_of_office = in_office
                && matches!(&best, Some((l, Kind::Person { member: None, .. })) if *l == len);
            if !replaces_out_of_office && best.as_ref().is_some_and(|(l, _)| len <= *l) {
                // A seat of this contest's organisation beats a capital of the same length.
                let seat_here = matches!(entity, Entity::Seat(o) if Some(*o) == org);
                if !(seat_here && best.as_ref().is_some_and(|(l, _)| len == *l)) {
                    continue;
                }
            }
            let kind = match *entity {
                Entity::StateName(s)
                | Entity::StateAdjective(s)
                | Entity::StatePeople(s)
                | Entity::StateCapital(s) => {
                    let code = &knowledge.states[s].code;
                    if facts.is_member(code) {
                        let how = match entity {
                            Entity::StateName(_) => How::Name,
                            Entity::StateAdjective(_) => How::Adjective,
                            Entity::StatePeople(_) => How::People,
                            _ => How::Capital,
                        };
                        Kind::Member {
                            code: code.clone(),
                            how,
                        }
                    } else {
                        Kind::NonMember
                    }
                }
                Entity::Person(p) => {
                    let person = &knowledge.people[p];
                    let member = person
                        .member
                        .as_ref()
                        .filter(|m| person.in_office_on(date) && facts.is_member(m))
                        .cloned();
                    Kind::Person { person: p, member }
                }
                Entity::Group(g) => {
                    let group = &knowledge.groups[g];
                    if !group.holds_on(date) {
                        continue;
                    }
                    Kind::Group {
                        group: g,
                        codes: group
                            .members
                            .iter()
                            .filter(|m| facts.is_member(m))
                            .cloned()
                            .collect(),
                    }
                }
                Entity::Organisation(o) => {
                    if Some(o) == org {
                        Kind::Organisation
                    } else {
                        continue;
                    }
                }
                Entity::Seat(o) => {
                    if Some(o) == org {
                        Kind::Seat
                    } else {
                        continue;
                    }
                }
            };
            best = Some((len, kind));
        }
        match best {
            Some((len, kind)) => {
                mentions.push(Mention {
                    start: i,
                    end: i + len,
                    kind,
                    descriptor: false,
                    set_aside: false,
                });
                i += len;
            }
            None => i += 1,
        }
    }
    refine(doc, lexicon, facts, &mut mentions);
    mentions
}

fn refine(doc: &Doc<'_>, lexicon: &Lexicon, facts: &ContestFacts, mentions: &mut [Mention]) {
    let tokens = &doc.tokens;
    for k in 0..mentions.len() {
        let m = mentions[k].clone();
        let Kind::Member { code, how } = &m.kind else {
            if matches!(m.kind, Kind::Person { .. } | Kind::Group { .. }) {
                mentions[k].set_aside = set_aside_before(doc, lexicon, m.start);
            }
            continue;
        };
        let sentence = tokens[m.start].sentence;
        // A capital used as a place.
        if *how == How::Capital {
            let before = m.start.checked_sub(1).map(|b| tokens[b].norm.as_str());
            let after = tokens.get(m.end).map(|t| t.norm.as_str());
            if before.is_some_and(|b| PLACE_BEFORE.contains(&b))
                || after.is_some_and(|a| PLACE_AFTER.contains(&a))
            {
                mentions[k].descriptor = true;
                continue;
            }
        }
        // "Herminio Blanco of Mexico", "Rutte of the Netherlands": describes who precedes.
        if m.start >= 2
            && matches!(tokens[m.start - 1].norm.as_str(), "of" | "from")
            && k > 0
            && mentions[k - 1].end + 1 == m.start
            && matches!(
                mentions[k - 1].kind,
                Kind::Person { .. } | Kind::Candidate { .. }
            )
        {
            mentions[k].descriptor = true;
            continue;
        }
        // A state describing the person or candidate that follows.
        let mut j = m.end;
        let mut described: Option<usize> = None;
        while j < tokens.len() && j < m.end + 6 && tokens[j].sentence == sentence {
            // Mentions are in text order: the one starting at `j`, if any, by binary search.
            let next = k + 1 + mentions[k + 1..].partition_point(|n| n.start < j);
            if mentions.get(next).is_some_and(|n| n.start == j) {
                let n = &mentions[next];
                if matches!(n.kind, Kind::Person { .. } | Kind::Candidate { .. }) {
                    described = Some(next);
                }
                break;
            }
            if !DESCRIPTOR_WORDS.contains(&tokens[j].norm.as_str()) {
                break;
            }
            j += 1;
        }
        if described.is_some() {
            mentions[k].descriptor = true;
            continue;
        }
        // "the Dutch nominee": the candidate of that nationality.
        if matches!(how, How::Adjective | How::People) {
            let mut j = m.end;
            while j < tokens.len() && j < m.end + 3 && lexicon.is_filler(&tokens[j].norm) {
                j += 1;
            }
            if j < tokens.len() && lexicon.candidacy_nouns.contains(&tokens[j].norm) {
                let of_nationality: Vec<usize> = facts
                    .candidates
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| !c.potential && c.nationality.as_deref() == Some(code))
                    .map(|(i, _)| i)
                    .collect();
                if let [only] = of_nationality[..] {
                    mentions[k].kind = Kind::Candidate { candidate: only };
                    mentions[k].end = j + 1;
                    continue;
                }
                // Some other national's candidacy: describes a person, not an actor.
                mentions[k].descriptor = true;
                continue;
            }
        }
        mentions[k].set_aside = set_aside_before(doc, lexicon, m.start);
    }
}

/// Whether a set-aside phrase ("beyond", "apart from") stands just before token `start`.
fn set_aside_before(doc: &Doc<'_>, lexicon: &Lexicon, start: usize) -> bool {
    let tokens = &doc.tokens;
    let sentence = tokens[start].sentence;
    for back in 1..=3 {
        let Some(b) = start.checked_sub(back) else {
            break;
        };
        if tokens[b].sentence != sentence {
            break;
        }
        if lexicon
            .set_aside
            .match_at(tokens, b)
            .is_some_and(|len| b + len + 1 >= start)
        {
            return true;
        }
        if !matches!(tokens[b].norm.as_str(), "the" | "from" | "for") {
            // Only "the" (and the second word of a phrase) may stand between.
            if back > 1 {
                break;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surnames_cover_particles_articles_and_hyphens() {
        assert_eq!(surnames("Mark Rutte"), ["Rutte"]);
        let s = surnames("Jaap de Hoop Scheffer");
        assert!(s.contains(&"de Hoop Scheffer".to_owned()));
        assert!(s.contains(&"De Hoop Scheffer".to_owned()));
        assert!(s.contains(&"Hoop Scheffer".to_owned()));
        assert!(surnames("Hamad bin Abdulaziz Al-Kawari").contains(&"Kawari".to_owned()));
        assert!(surnames("Ngozi Okonjo-Iweala").contains(&"Okonjo".to_owned()));
        assert_eq!(surnames("Amina C. Mohamed"), ["Mohamed"]);
    }
}
