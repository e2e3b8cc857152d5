//! The reading engine: for every stance cue in a sentence, who acts (the member or members
//! before or after the cue, a list or a group, a pronoun, the speaker's own "we"), on whom (the
//! candidate in the object slot, a pronoun or "the nominee" resolved to the candidate in
//! focus), how the cue is modified (negation, "not yet", hedges, conditions, the past perfect
//! of a superseded stance) and who says so (a quotation's speaker, a reporting verb's subject).
//! Hits on the same (member, candidate) are merged into one proposal as the annotation guide
//! merges sentences: the most specific statement's stance, the strongest attribution, every
//! sentence as evidence.

use std::collections::BTreeMap;

use concord_domain::model::{Attribution, Stance};

use crate::facts::ContestFacts;
use crate::knowledge::Knowledge;
use crate::lexicon::{CueClass, CueMatch, Lexicon, Side};
use crate::mentions::{Kind, Mention};
use crate::proposal::{Span, StanceProposal};
use crate::text::Doc;

/// One reading of one cue for one member.
#[derive(Debug, Clone)]
pub struct Hit {
    pub member: String,
    pub candidate: usize,
    pub stance: Stance,
    pub attribution: Attribution,
    pub speaker: Option<String>,
    pub conditions: Vec<String>,
    /// Sentences (indices) that support it.
    pub sentences: Vec<usize>,
    /// 2: the member alone; 1: in a list; 0: through a group.
    pub specificity: u8,
    pub group: Option<String>,
    pub cue: String,
    /// The cue names a candidate ("nominated"): not a stance on one's own national.
    pub nomination: bool,
}

/// Who said something, as far as the text tells.
#[derive(Debug, Clone, PartialEq)]
pub struct Speaker {
    pub attribution: Attribution,
    pub label: Option<String>,
    /// The member the speaker speaks for, if known ("we" in their quotation).
    pub member: Option<String>,
}

impl Speaker {
    fn inferred() -> Speaker {
        Speaker {
            attribution: Attribution::Inferred,
            label: None,
            member: None,
        }
    }
}

/// The state the engine works over for one article.
pub struct Engine<'a> {
    pub doc: &'a Doc<'a>,
    pub knowledge: &'a Knowledge,
    pub lexicon: &'a Lexicon,
    pub facts: &'a ContestFacts,
    pub mentions: &'a [Mention],
    /// For each token, the mention covering it.
    mention_at: Vec<Option<usize>>,
    quote_speakers: Vec<Option<Speaker>>,
    /// Candidates the article reports as withdrawn (index, sentence): never the candidate in
    /// focus for a cue that names none.
    pub withdrawn: Vec<usize>,
    pub withdrawals: Vec<(usize, usize)>,
    /// For each candidate, the first tokens of its mentions, in order.
    candidate_positions: Vec<Vec<usize>>,
    pub notes: Vec<String>,
}

/// Words that close a clause before an object ("…withheld their authorization, complicating").
const CLAUSE_WORDS: &[&str] = &[
    "and",
    "but",
    "while",
    "as",
    "because",
    "in",
    "on",
    "at",
    "until",
    "ahead",
    "so",
    "after",
    "before",
    "since",
    "over",
    "amid",
    "despite",
    "when",
    "this",
    "last",
    "next",
    "yet",
    "either",
    "too",
    "for",
    "now",
    "today",
    "again",
    "though",
    "although",
    "whereas",
    "unless",
    "if",
    "with",
    "without",
    "following",
    "during",
    "by",
    "from",
];

const FIRST_PERSON: &[&str] = &["we", "i", "our", "my", "us"];

impl<'a> Engine<'a> {
    pub fn new(
        doc: &'a Doc<'a>,
        knowledge: &'a Knowledge,
        lexicon: &'a Lexicon,
        facts: &'a ContestFacts,
        mentions: &'a [Mention],
    ) -> Engine<'a> {
        let mut mention_at = vec![None; doc.tokens.len()];
        for (k, m) in mentions.iter().enumerate() {
            for slot in &mut mention_at[m.start..m.end] {
                *slot = Some(k);
            }
        }
        let mut engine = Engine {
            doc,
            knowledge,
            lexicon,
            facts,
            mentions,
            mention_at,
            quote_speakers: Vec::new(),
            withdrawn: Vec::new(),
            withdrawals: Vec::new(),
            candidate_positions: vec![Vec::new(); facts.candidates.len()],
            notes: Vec::new(),
        };
        for m in mentions {
            if let Some(c) = m.is_candidate() {
                engine.candidate_positions[c].push(m.start);
            }
        }
        engine.withdrawals = engine.find_withdrawals();
        engine.withdrawn = engine.withdrawals.iter().map(|(c, _)| *c).collect();
        engine.quote_speakers = (0..doc.quotes.len())
            .map(|q| engine.quote_speaker(q))
            .collect();
        engine
    }

    /// "Iohannis withdraws candidacy": (candidate, sentence) for each withdrawal stated.
    fn find_withdrawals(&self) -> Vec<(usize, usize)> {
        let tokens = &self.doc.tokens;
        let mut out = Vec::new();
        for s in 0..self.doc.sentences.len() {
            let range = self.doc.sentence_tokens(s);
            for i in range.clone() {
                if self.mention_at[i].is_some()
                    || self.lexicon.withdrawal.match_at(tokens, i).is_none()
                {
                    continue;
                }
                // The candidate just before the cue (its subject), within the clause.
                let from = self.clause_start(i).max(i.saturating_sub(8));
                let subject = (from..i)
                    .rev()
                    .find_map(|t| self.mention_at[t].and_then(|k| self.mentions[k].is_candidate()));
                let negated = (i.saturating_sub(3).max(range.start)..i)
                    .any(|t| self.lexicon.negators.contains(&tokens[t].norm));
                if let Some(c) = subject
                    && !negated
                    && !out.iter().any(|(x, _)| *x == c)
                {
                    out.push((c, s));
                }
            }
        }
        out
    }

    fn norm(&self, t: usize) -> &str {
        &self.doc.tokens[t].norm
    }

    fn sentence_of(&self, t: usize) -> usize {
        self.doc.tokens[t].sentence
    }

    /// All hits in the document.
    pub fn hits(&mut self) -> Vec<Hit> {
        let mut hits = Vec::new();
        for s in 0..self.doc.sentences.len() {
            let range = self.doc.sentence_tokens(s);
            let cues = self.lexicon.find_cues(&self.doc.tokens, range);
            for cue in &cues {
                hits.extend(self.read_cue(s, cue, &cues));
            }
        }
        hits
    }

    /// The first token of the clause holding token `t` (for the actor search).
    fn clause_start(&self, t: usize) -> usize {
        let s = self.sentence_of(t);
        let mut start = self.doc.sentences[s].first_token;
        let offset = self.doc.tokens[t].start;
        // Inside a quotation, the clause starts at its opening; after one closed earlier in the
        // sentence, at its end.
        let before = self.doc.quotes.partition_point(|q| q.open < offset);
        if let Some(i) = before.checked_sub(1) {
            let q = &self.doc.quotes[i];
            if offset < q.close {
                start = start.max(q.first_token);
            } else if q.end_token <= t {
                start = start.max(q.end_token);
            }
        }
        for b in (start..t).rev() {
            if matches!(self.norm(b), ";" | ":") {
                return b + 1;
            }
        }
        start
    }

    /// One past the last token of the clause holding token `t` (for objects and conditions).
    fn clause_end(&self, t: usize) -> usize {
        let s = self.sentence_of(t);
        let mut end = self.doc.sentences[s].end_token;
        if let Some(q) = self.doc.quote_of(t) {
            end = end.min(self.doc.quotes[q].end_token);
        }
        (t..end)
            .find(|&i| matches!(self.norm(i), ";"))
            .unwrap_or(end)
    }

    fn read_cue(&mut self, s: usize, cue: &CueMatch, all: &[CueMatch]) -> Vec<Hit> {
        let lex = self.lexicon;
        let def = &lex.cues[cue.cue];
        let cue_text = self
            .doc
            .slice(
                self.doc.tokens[cue.start].start,
                self.doc.tokens[cue.end - 1].end,
            )
            .to_owned();
        let mods = self.modifiers(cue);
        if mods.superseded {
            self.notes.push(format!(
                "superseded, not proposed: \"{}\"",
                self.sentence_text(s)
            ));
            return Vec::new();
        }
        let Some(stance) = stance_of(def.class, def.negated_only, &mods) else {
            return Vec::new();
        };
        let Some(actors) = self.actors(cue, def.actor, all) else {
            return Vec::new();
        };
        let Some(candidate) = self.object(cue, def.object, def.actor) else {
            return Vec::new();
        };
        let speaker = self.speaker_of(cue.start, cue.end);
        let mut stance = stance;
        let mut conditions = Vec::new();
        let mut sentences = vec![s];
        if matches!(stance, Stance::Supports | Stance::Leans)
            && let Some((conds, from)) = self.conditions(cue, &mods)
        {
            stance = Stance::Conditional;
            conditions = conds;
            sentences.extend(from);
        }
        let mut cue_label = cue_text;
        if mods.negated {
            cue_label = format!("(negated) {cue_label}");
        }
        actors
            .into_iter()
            .map(|a| Hit {
                member: a.code,
                candidate,
                stance,
                speaker: speaker.label.clone(),
                conditions: conditions.clone(),
                sentences: sentences.clone(),
                specificity: a.specificity,
                // A government or bloc that itself declares its stance ("announced their
                // support") speaks officially; a stance not (yet) declared is no declaration.
                attribution: if def.declarative
                    && !mods.negated
                    && !mods.not_yet
                    && !mods.hedged
                    && speaker.attribution == Attribution::Inferred
                {
                    Attribution::Official
                } else {
                    speaker.attribution
                },
                group: a.group,
                cue: cue_label.clone(),
                nomination: def.nomination,
            })
            .collect()
    }

    fn sentence_text(&self, s: usize) -> &str {
        let sentence = &self.doc.sentences[s];
        self.doc.slice(sentence.start, sentence.end)
    }

    fn modifiers(&self, cue: &CueMatch) -> Modifiers {
        let lex = self.lexicon;
        let tokens = &self.doc.tokens;
        let s = self.sentence_of(cue.start);
        let sentence = &self.doc.sentences[s];
        // The window: up to `window` words before the cue, not across ; : or a contrast.
        let mut from = cue.start;
        let mut words = 0;
        while from > sentence.first_token && words < lex.window {
            let prev = from - 1;
            let n = tokens[prev].norm.as_str();
            if matches!(n, ";" | ":" | "“" | "”" | "\"" | "(" | ")")
                || matches!(n, "but" | "while" | "whereas" | "although" | "though")
            {
                break;
            }
            // A member named in between starts a new subject: its modifiers are not ours
            // ("Hungary will not back Rutte and Germany backs him").
            if self.mention_at[prev].is_some_and(|k| self.mentions[k].actor_codes().is_some())
                && words > 0
                && tokens[prev + 1..cue.start].iter().any(|t| t.norm == "and")
            {
                break;
            }
            from = prev;
            if tokens[prev].is_word {
                words += 1;
            }
        }
        let mut m = Modifiers::default();
        let mut perfect = false;
        let mut hedge_at = None;
        let mut assertive_at = None;
        for i in from..cue.start {
            let n = tokens[i].norm.as_str();
            if lex.no_longer.match_at(tokens, i).is_some() {
                m.no_longer = true;
            } else if lex.negators.contains(n) || n.ends_with("n't") {
                m.negated = true;
            }
            if n == "yet" {
                m.not_yet = true;
            }
            if lex.perfect_negation.contains(n) {
                perfect = true;
            }
            if lex.soft_negators.contains(n) && n != "yet" {
                m.soft = true;
            }
            // "said that he would back": reported speech, not a hedge.
            let reported = n == "would"
                && (sentence.first_token..i)
                    .any(|j| lex.speech_verbs.match_at(tokens, j).is_some());
            // "21 May": a month, not a modal.
            let name = tokens[i].capitalised && i > sentence.first_token;
            if lex.hedges.contains(n) && !reported && !name {
                hedge_at = Some(i);
            }
            if lex.assertives.contains(n) {
                assertive_at = Some(i);
            }
            if lex.superseded_markers.match_at(tokens, i).is_some() {
                m.superseded = true;
            }
            if lex.open_question.contains(n) {
                m.open_question = true;
            }
        }
        m.hedged = match (hedge_at, assertive_at) {
            (Some(h), Some(a)) => h > a,
            (Some(_), None) => true,
            _ => false,
        };
        if m.no_longer {
            m.negated = false;
        }
        m.perfect = m.negated && perfect;
        // "backs neither".
        if tokens
            .get(cue.end)
            .is_some_and(|t| t.norm == "neither" && t.sentence == s)
        {
            m.neither = true;
        }
        // "had opposed … until this week".
        // "had opposed … until", "Until last week, Hungary had indicated it would prefer …".
        let had_before = (from..cue.start).any(|i| tokens[i].norm == "had");
        if had_before
            && (sentence.first_token..sentence.end_token)
                .any(|i| lex.superseded_after_had.match_at(tokens, i).is_some())
        {
            m.superseded = true;
        }
        m
    }

    /// The members acting in a cue.
    fn actors(&self, cue: &CueMatch, side: Side, all: &[CueMatch]) -> Option<Vec<Actor>> {
        let before = || self.actors_before(cue);
        let after = || self.actors_after(cue, all);
        match side {
            Side::Before => before().or_else(|| {
                // "… backing him, including Germany and France".
                let end = self.clause_end(cue.start);
                let intro = (cue.end..end).any(|i| {
                    matches!(
                        self.norm(i),
                        "including" | "include" | "includes" | "namely" | "notably"
                    ) || (self.norm(i) == "such" && self.norm(i + 1) == "as")
                });
                if intro { after() } else { None }
            }),
            Side::After => after(),
            Side::Either => before().or_else(after),
        }
    }

    fn actors_before(&self, cue: &CueMatch) -> Option<Vec<Actor>> {
        let start = self.clause_start(cue.start);
        let mut t = cue.start;
        while t > start {
            t -= 1;
            let Some(k) = self.mention_at[t] else {
                continue;
            };
            let m = &self.mentions[k];
            t = m.start;
            if m.descriptor || m.set_aside {
                continue;
            }
            match &m.kind {
                // A non-member right before the cue is its subject: nobody here acts.
                Kind::NonMember | Kind::Person { member: None, .. } if cue.start - m.end <= 3 => {
                    return None;
                }
                Kind::Person { .. }
                    if self.doc.tokens[m.end - 1].possessive
                        && !self.doc.tokens.get(m.end).is_some_and(|n| {
                            matches!(
                                n.norm.as_str(),
                                "government" | "administration" | "cabinet" | "office" | "country"
                            )
                        }) =>
                {
                    // "Merkel's coalition partners refused…": not Merkel.
                    return None;
                }
                Kind::Member { .. } | Kind::Person { .. } | Kind::Group { .. } => {
                    return Some(self.expand_list(k, false));
                }
                _ => {}
            }
        }
        // A pronoun or "we" just before the cue.
        let near = cue.start.saturating_sub(4).max(start);
        for t in (near..cue.start).rev() {
            let n = self.norm(t);
            if FIRST_PERSON.contains(&n) {
                if let Some(q) = self.doc.quote_of(t)
                    && let Some(Some(sp)) = self.quote_speakers.get(q)
                    && let Some(member) = &sp.member
                {
                    return Some(vec![Actor::alone(member.clone())]);
                }
                return None;
            }
            if matches!(n, "he" | "she") {
                return self
                    .person_member_before(t)
                    .map(|code| vec![Actor::alone(code)]);
            }
            if self.lexicon.member_pronouns.contains(n)
                || self
                    .lexicon
                    .member_nouns
                    .match_at(&self.doc.tokens, t)
                    .is_some()
            {
                return self.member_in_focus(t).map(|code| vec![Actor::alone(code)]);
            }
        }
        None
    }

    /// The member of the person last named before token `t` ("Cameron said that he would…").
    fn person_member_before(&self, t: usize) -> Option<String> {
        let earliest = self.doc.sentences[self.sentence_of(t).saturating_sub(1)].first_token;
        (earliest..t).rev().find_map(|u| {
            match self.mention_at[u].map(|k| &self.mentions[k].kind) {
                Some(Kind::Person { member, .. }) => Some(member.clone()),
                _ => None,
            }
        })?
    }

    /// The member last named as an actor before token `t` (for "it", "the government").
    fn member_in_focus(&self, t: usize) -> Option<String> {
        let s = self.sentence_of(t);
        let earliest = self.doc.sentences[s.saturating_sub(2)].first_token;
        let mut u = t;
        while u > earliest {
            u -= 1;
            if let Some(k) = self.mention_at[u] {
                let m = &self.mentions[k];
                if let Some(codes) = m.actor_codes()
                    && let [one] = &codes[..]
                {
                    return Some(one.clone());
                }
                u = m.start;
            }
        }
        None
    }

    fn actors_after(&self, cue: &CueMatch, all: &[CueMatch]) -> Option<Vec<Actor>> {
        let end = self.doc.sentences[self.sentence_of(cue.start)].end_token;
        let next_cue = all
            .iter()
            .find(|c| c.start >= cue.end)
            .map_or(end, |c| c.start);
        let limit = end.min(next_cue).min(cue.end + 30);
        let mut t = cue.end;
        while t < limit {
            let Some(k) = self.mention_at[t] else {
                t += 1;
                continue;
            };
            let m = &self.mentions[k];
            if m.descriptor || m.set_aside {
                t = m.end;
                continue;
            }
            match &m.kind {
                Kind::NonMember => return None,
                Kind::Member { .. }
                | Kind::Person {
                    member: Some(_), ..
                }
                | Kind::Group { .. } => {
                    return Some(self.expand_list(k, true));
                }
                _ => t = m.end,
            }
        }
        None
    }

    /// The coordinated list holding mention `k` ("Germany, France and Spain"), walking
    /// backwards (the mention ends the list) or forwards (it starts it).
    fn expand_list(&self, k: usize, forwards: bool) -> Vec<Actor> {
        let mut members = vec![k];
        let mut cur = k;
        loop {
            let next = if forwards {
                cur + 1
            } else {
                match cur.checked_sub(1) {
                    Some(p) => p,
                    None => break,
                }
            };
            let Some(n) = self.mentions.get(next) else {
                break;
            };
            let (a, b) = if forwards {
                (&self.mentions[cur], n)
            } else {
                (n, &self.mentions[cur])
            };
            if self.sentence_of(a.start) != self.sentence_of(b.start)
                || n.actor_codes().is_none()
                || !self.only_separators(a.end, b.start)
            {
                break;
            }
            members.push(next);
            cur = next;
        }
        let alone = members.len() == 1;
        let led_by = !forwards && {
            let m = &self.mentions[k];
            m.start >= 2 && self.norm(m.start - 1) == "by" && self.norm(m.start - 2) == "led"
        };
        let mut out = Vec::new();
        for k in members {
            let m = &self.mentions[k];
            let codes = m.actor_codes().unwrap_or_default();
            let group = match &m.kind {
                Kind::Group { group, .. } => Some(self.knowledge.groups[*group].label.clone()),
                _ => None,
            };
            for code in codes {
                out.push(Actor {
                    code,
                    specificity: if group.is_some() {
                        0
                    } else if alone && !led_by {
                        2
                    } else {
                        1
                    },
                    group: group.clone(),
                });
            }
        }
        out
    }

    fn only_separators(&self, from: usize, to: usize) -> bool {
        // "France, Germany, Italy and the increasingly important Visegrád Group": after "and",
        // up to three lower-case words may describe the next item.
        if from < to
            && to - from <= 5
            && matches!(self.norm(from), "and" | ",")
            && (from..to).all(|i| {
                let t = &self.doc.tokens[i];
                self.mention_at[i].is_none()
                    && (matches!(t.norm.as_str(), "," | "and")
                        || t.is_word
                            && !t.capitalised
                            && !self.lexicon.speech_verbs.contains(&t.norm)
                            && !matches!(
                                t.norm.as_str(),
                                "but"
                                    | "while"
                                    | "whereas"
                                    | "although"
                                    | "though"
                                    | "yet"
                                    | "which"
                                    | "who"
                                    | "that"
                                    | "or"
                                    | "nor"
                                    | "not"
                                    | "unlike"
                                    | "except"
                            ))
            })
            && (from..to)
                .filter(|&i| !matches!(self.norm(i), "," | "and" | "the"))
                .count()
                <= 3
        {
            return true;
        }
        from <= to
            && (from..to).all(|i| {
                matches!(
                    self.norm(i),
                    "," | "and"
                        | "or"
                        | "&"
                        | "plus"
                        | "as"
                        | "well"
                        | "also"
                        | "the"
                        | "both"
                        | "."
                )
            })
    }

    /// The candidate a cue is about.
    fn object(&self, cue: &CueMatch, side: Side, actor_side: Side) -> Option<usize> {
        let s = self.sentence_of(cue.start);
        let sentence = &self.doc.sentences[s];
        if side == Side::Before {
            for t in (sentence.first_token..cue.start).rev() {
                let Some(k) = self.mention_at[t] else {
                    continue;
                };
                let m = &self.mentions[k];
                if let Some(c) = m.is_candidate() {
                    return Some(c);
                }
                // "Mexican officials claimed the backing of …": the Mexican candidate's camp.
                if let Kind::Member { code, how } = &m.kind
                    && matches!(how, crate::mentions::How::Adjective)
                    && let Some(c) = self.candidate_of_nationality(code)
                {
                    return Some(c);
                }
            }
            return self.candidate_in_focus(cue.start);
        }
        let end = self.clause_end(cue.start);
        let mut t = cue.end;
        while t < end {
            let n = self.norm(t);
            let descriptor = self.mention_at[t].is_some_and(|k| self.mentions[k].descriptor);
            if descriptor
                || self.mention_at[t].is_none()
                    && (self.lexicon.is_filler(n)
                        || matches!(n, "for" | "of" | "behind" | "to" | "-" | "—" | "–")
                        || self.lexicon.role_nouns.contains(n)
                        || matches!(n, "former" | "ex" | "outgoing" | "caretaker" | "incumbent"))
                    && !self.lexicon.candidate_pronouns.contains(n)
            {
                t += 1;
                continue;
            }
            break;
        }
        // The slot held only a description ("the ex-foreign minister"): the candidate in focus.
        let described = t > cue.end
            && (cue.end..t).any(|u| {
                self.lexicon.role_nouns.contains(self.norm(u))
                    || matches!(self.norm(u), "former" | "ex" | "outgoing" | "caretaker")
            });
        if t >= end || !self.doc.tokens[t].is_word {
            if described {
                return self.candidate_in_focus(cue.start);
            }
            return self.candidate_later(t, sentence.end_token, cue.start);
        }
        if let Some(k) = self.mention_at[t] {
            let m = &self.mentions[k];
            if let Some(c) = m.is_candidate() {
                return Some(c);
            }
            // "the Bulgarian", "the Frenchman": the candidate of that nationality.
            if let Kind::Member { code, how } = &m.kind
                && matches!(
                    how,
                    crate::mentions::How::Adjective | crate::mentions::How::People
                )
                && let Some(c) = self.candidate_of_nationality(code)
            {
                return Some(c);
            }
            // "the backing of Germany for X": the actors first, then the candidate.
            if actor_side == Side::After && m.actor_codes().is_some() {
                return (m.end..sentence.end_token).find_map(|u| {
                    self.mention_at[u].and_then(|k| self.mentions[k].is_candidate())
                });
            }
            return None;
        }
        let n = self.norm(t);
        if self.lexicon.candidate_pronouns.contains(n) {
            // "his bid" is the candidate's; "his country" is not.
            if matches!(n, "his" | "her") {
                let next = self
                    .doc
                    .tokens
                    .get(t + 1)
                    .map(|x| x.norm.as_str())
                    .unwrap_or("");
                if !self.lexicon.candidacy_nouns.contains(next) {
                    return None;
                }
            }
            return self.candidate_in_focus(cue.start);
        }
        // "the remaining candidate", "a new nominee": up to two words before the noun.
        let noun_soon =
            (t..(t + 3).min(end)).find(|&u| self.lexicon.candidacy_nouns.contains(self.norm(u)));
        if let Some(u) = noun_soon
            && (t..u).all(|v| {
                self.doc.tokens[v].is_word
                    && !self.doc.tokens[v].capitalised
                    && self.mention_at[v].is_none()
            })
        {
            return self.candidate_later(u, sentence.end_token, cue.start);
        }
        if described {
            return self.candidate_in_focus(cue.start);
        }
        if CLAUSE_WORDS.contains(&n) {
            return self.candidate_later(t, sentence.end_token, cue.start);
        }
        None
    }

    /// The candidate last named before token `t`, else the contest's only declared candidate.
    fn candidate_in_focus(&self, t: usize) -> Option<usize> {
        let last = self
            .candidate_positions
            .iter()
            .enumerate()
            .filter(|(c, _)| !self.withdrawn.contains(c))
            .filter_map(|(c, at)| {
                let n = at.partition_point(|&p| p < t);
                n.checked_sub(1).map(|i| (at[i], c))
            })
            .max();
        if let Some((_, c)) = last {
            return Some(c);
        }
        let declared: Vec<usize> = self
            .facts
            .candidates
            .iter()
            .enumerate()
            .filter(|(i, c)| !c.potential && !self.withdrawn.contains(i))
            .map(|(i, _)| i)
            .collect();
        match declared[..] {
            [only] => Some(only),
            _ => None,
        }
    }

    fn candidate_of_nationality(&self, code: &str) -> Option<usize> {
        let of: Vec<usize> = self
            .facts
            .candidates
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.potential && c.nationality.as_deref() == Some(code))
            .map(|(i, _)| i)
            .collect();
        match of[..] {
            [only] => Some(only),
            _ => None,
        }
    }

    /// The first candidate named in `from..to`, else the most talked-about one (a cue with no
    /// object: "have withheld their authorization").
    fn candidate_later(&self, from: usize, to: usize, at: usize) -> Option<usize> {
        (from..to)
            .find_map(|t| self.mention_at[t].and_then(|k| self.mentions[k].is_candidate()))
            .or_else(|| self.salient_candidate(at))
    }

    /// The candidate named most often up to token `t` (ties: the latest), else the focus.
    fn salient_candidate(&self, t: usize) -> Option<usize> {
        self.candidate_positions
            .iter()
            .enumerate()
            .filter(|(c, _)| !self.withdrawn.contains(c))
            .filter_map(|(c, at)| {
                let n = at.partition_point(|&p| p < t);
                (n > 0).then(|| ((n, at[n - 1]), c))
            })
            .max()
            .map(|(_, c)| c)
            .or_else(|| self.candidate_in_focus(t))
    }

    /// Conditions a supporting cue depends on: after a conditional marker in its clause, or
    /// listed in its quotation or paragraph when those speak of priorities or demands.
    fn conditions(&self, cue: &CueMatch, _mods: &Modifiers) -> Option<(Vec<String>, Vec<usize>)> {
        let lex = self.lexicon;
        let tokens = &self.doc.tokens;
        let s = self.sentence_of(cue.start);
        let sentence = &self.doc.sentences[s];
        for i in sentence.first_token..sentence.end_token {
            if let Some(len) = lex.conditional_markers.match_at(tokens, i) {
                let from = i + len;
                let mut to = from;
                while to < sentence.end_token
                    && !matches!(tokens[to].norm.as_str(), "," | ";" | "." | "”" | "\"")
                {
                    to += 1;
                }
                if to > from {
                    let text = self
                        .doc
                        .slice(tokens[from].start, tokens[to - 1].end)
                        .to_owned();
                    return Some((vec![text], Vec::new()));
                }
            }
        }
        // The quotation or the paragraph around the cue.
        let (first, last) = match self.doc.quote_of(cue.start) {
            Some(q) => {
                let q = &self.doc.quotes[q];
                (
                    self.sentence_of(q.first_token.min(tokens.len() - 1)),
                    self.sentence_of(q.end_token.saturating_sub(1)),
                )
            }
            None => {
                let p = sentence.paragraph;
                let first = (0..=s)
                    .rev()
                    .take_while(|&x| self.doc.sentences[x].paragraph == p)
                    .last()
                    .unwrap_or(s);
                (first.max(s.saturating_sub(2)), s)
            }
        };
        let speaks_of_conditions = (first..=last).any(|x| {
            self.doc
                .sentence_tokens(x)
                .any(|i| lex.condition_words.match_at(tokens, i).is_some())
        });
        if !speaks_of_conditions {
            return None;
        }
        for x in first..=last {
            if let Some(list) = self.listed_demands(x) {
                return Some((list, vec![x]));
            }
        }
        None
    }

    /// "we must keep our focus on Russia, increase defence spending, and …": the items.
    fn listed_demands(&self, s: usize) -> Option<Vec<String>> {
        let tokens = &self.doc.tokens;
        let range = self.doc.sentence_tokens(s);
        let trigger = range.clone().find(|&i| {
            matches!(
                tokens[i].norm.as_str(),
                "must"
                    | "should"
                    | "wants"
                    | "demands"
                    | "demanded"
                    | "asks"
                    | "asked"
                    | "expects"
                    | "priorities"
                    | "conditions"
                    | "requires"
                    | "insists"
            )
        })?;
        let mut from = trigger + 1;
        while from < range.end
            && matches!(
                tokens[from].norm.as_str(),
                "to" | ":" | "that" | "on" | "be"
            )
        {
            from += 1;
        }
        let mut to = range.end;
        while to > from && !tokens[to - 1].is_word {
            to -= 1;
        }
        if to <= from {
            return None;
        }
        let text = self.doc.slice(tokens[from].start, tokens[to - 1].end);
        let items: Vec<String> = text
            .split(',')
            .flat_map(|part| part.split(" and "))
            .map(|p| p.trim().trim_start_matches("and ").trim().to_owned())
            .filter(|p| p.split_whitespace().count() >= 2)
            .collect();
        (items.len() >= 2).then_some(items)
    }

    /// Who is responsible for the statement holding token `t`.
    pub fn speaker_of(&self, t: usize, cue_end: usize) -> Speaker {
        if let Some(q) = self.doc.quote_of(t)
            && self.doc.quotes[q].words >= 4
        {
            return self.quote_speakers[q]
                .clone()
                .unwrap_or_else(Speaker::inferred);
        }
        self.frame_speaker(t, cue_end)
            .unwrap_or_else(Speaker::inferred)
    }

    /// The speaker of a quotation: the reporting verb after it ("…,” said X; X said) or
    /// before it (X said: “…”).
    fn quote_speaker(&self, q: usize) -> Option<Speaker> {
        let quote = &self.doc.quotes[q];
        let tokens = &self.doc.tokens;
        if quote.words < 4 {
            return None;
        }
        let after = quote.end_token;
        if after < tokens.len() {
            let s = self.sentence_of(after.saturating_sub(1));
            let end = self.doc.sentences[s].end_token.min(after + 12);
            for v in after..end {
                if self.mention_at[v].is_some() {
                    continue;
                }
                if let Some(len) = self.lexicon.speech_verbs.match_at(tokens, v) {
                    // "…,” X said" or "…,” said X".
                    return self.speaker_near(after, v).or_else(|| {
                        self.speaker_near(
                            v + len,
                            (v + len + 14).min(self.doc.sentences[s].end_token),
                        )
                    });
                }
            }
        }
        if quote.first_token > 0 {
            let s = self.sentence_of(quote.first_token);
            let start = self.doc.sentences[s].first_token;
            for v in (start.max(quote.first_token.saturating_sub(10))..quote.first_token).rev() {
                if self.mention_at[v].is_none()
                    && self.lexicon.speech_verbs.match_at(tokens, v).is_some()
                {
                    return self.speaker_near(start.max(v.saturating_sub(12)), v);
                }
            }
        }
        None
    }

    /// The reporting frame of a statement outside quotation marks: the reporting verb of its
    /// sentence nearest to it, and that verb's subject.
    fn frame_speaker(&self, t: usize, cue_end: usize) -> Option<Speaker> {
        let tokens = &self.doc.tokens;
        let s = self.sentence_of(t);
        let range = self.doc.sentence_tokens(s);
        let mut verbs: Vec<(usize, usize)> = Vec::new();
        for v in range.clone() {
            if self
                .doc
                .quote_of(v)
                .is_some_and(|q| self.doc.quotes[q].words >= 4)
            {
                continue;
            }
            // A reporting verb inside the cue itself ("declared its backing") is the act, not
            // a frame around it.
            if (t..cue_end).contains(&v) {
                continue;
            }
            if self.mention_at[v].is_none()
                && !after_determiner(tokens, v)
                && let Some(len) = self.lexicon.speech_verbs.match_at(tokens, v)
            {
                verbs.push((v, len));
            }
        }
        verbs.sort_by_key(|(v, _)| v.abs_diff(t));
        for (v, len) in verbs {
            let according = tokens[v].norm == "according";
            let inverted = v > 0 && matches!(tokens[v - 1].norm.as_str(), "," | "”" | "\"");
            let left = || {
                let from = self.clause_start(v).max(v.saturating_sub(12));
                self.speaker_near(from, v)
            };
            let right = || self.speaker_near(v + len, (v + len + 12).min(range.end));
            // "X stated that …": what follows is the content, the speaker is before.
            let content_follows = tokens
                .get(v + len)
                .is_some_and(|n| matches!(n.norm.as_str(), "that" | ":"));
            let found = if content_follows {
                left()
            } else if according || inverted {
                right().or_else(left)
            } else {
                left().or_else(right)
            };
            if found.is_some() {
                return found;
            }
        }
        None
    }

    /// Classifies the speaker named in tokens `from..to`.
    fn speaker_near(&self, from: usize, to: usize) -> Option<Speaker> {
        let tokens = &self.doc.tokens;
        let lex = self.lexicon;
        if from >= to {
            return None;
        }
        let mut person = None;
        let mut state = None;
        let mut state_name = false;
        let mut institution = None;
        let mut anonymous = None;
        let mut pronoun = None;
        for i in from..to {
            if let Some(k) = self.mention_at[i] {
                let m = &self.mentions[k];
                match &m.kind {
                    Kind::Person { person: p, member } if person.is_none() => {
                        person = Some((*p, member.clone()));
                    }
                    Kind::Member { code, how } if state.is_none() => {
                        state = Some(code.clone());
                        state_name = matches!(
                            how,
                            crate::mentions::How::Name | crate::mentions::How::Capital
                        );
                    }
                    _ => {}
                }
                continue;
            }
            let n = tokens[i].norm.as_str();
            if lex.institution_nouns.match_at(tokens, i).is_some() && institution.is_none() {
                institution = Some(i);
            }
            if lex.anonymous_nouns.contains(n) && anonymous.is_none() {
                anonymous = Some(i);
            }
            if matches!(n, "he" | "she") && pronoun.is_none() {
                pronoun = Some(i);
            }
        }
        let span_text = |a: usize, b: usize| -> String {
            let a = (a..b)
                .find(|&i| tokens[i].is_word && tokens[i].norm != "the")
                .unwrap_or(a);
            let mut b = b;
            while b > a + 1 && !tokens[b - 1].is_word {
                b -= 1;
            }
            self.doc
                .slice(tokens[a].start, tokens[b - 1].end)
                .to_owned()
        };
        if let Some((p, member)) = person {
            let who = &self.knowledge.people[p];
            // "White House spokesman John Kirby": the institution speaks through him.
            return Some(Speaker {
                attribution: if institution.is_some() {
                    Attribution::Official
                } else {
                    Attribution::OnRecord
                },
                label: Some(format!("{}, {}", who.name(), who.role)),
                member: member.or(state),
            });
        }
        if let Some(i) = pronoun {
            // "she added": the last person named before.
            let mut u = i;
            while u > 0 {
                u -= 1;
                if let Some(k) = self.mention_at[u]
                    && let Kind::Person { person: p, member } = &self.mentions[k].kind
                {
                    let who = &self.knowledge.people[*p];
                    return Some(Speaker {
                        attribution: Attribution::OnRecord,
                        label: Some(format!("{}, {}", who.name(), who.role)),
                        member: member.clone(),
                    });
                }
            }
        }
        // A role and a capitalised name not in the gazetteer: a named speaker.
        if let Some(name) = self.unknown_name(from, to) {
            return Some(Speaker {
                attribution: Attribution::OnRecord,
                label: Some(name),
                member: state,
            });
        }
        // "its foreign minister", "the Hungarian prime minister": one identified office-holder,
        // speaking on the record though the article gives no name.
        if institution.is_none()
            && anonymous.is_none()
            && let Some(role) = self.office_holder(from, to)
        {
            return Some(Speaker {
                attribution: Attribution::OnRecord,
                label: Some(role),
                member: state,
            });
        }
        if let Some(i) = institution {
            return Some(Speaker {
                attribution: Attribution::Official,
                label: Some(span_text(from.max(i.saturating_sub(4)), (i + 1).min(to))),
                member: state,
            });
        }
        if let Some(i) = anonymous {
            return Some(Speaker {
                attribution: Attribution::Anonymous,
                label: Some(span_text(from.max(i.saturating_sub(3)), (i + 1).min(to))),
                member: state,
            });
        }
        let _ = state_name;
        None
    }

    /// A single office-holder named by office and state: "its foreign minister", "Portugal's
    /// prime minister", "the Estonian president".
    fn office_holder(&self, from: usize, to: usize) -> Option<String> {
        let tokens = &self.doc.tokens;
        const OFFICES: &[&str] = &[
            "minister",
            "president",
            "premier",
            "chancellor",
            "ambassador",
            "secretary",
        ];
        for i in from..to {
            if !OFFICES.contains(&tokens[i].norm.as_str())
                || tokens[i].norm.ends_with('s') && tokens[i].norm != "ambassador"
            {
                continue;
            }
            // Within three words before: "its"/"their", or a state (adjective or possessive name).
            let lo = i.saturating_sub(3).max(from);
            let owner = (lo..i).find(|&j| {
                matches!(tokens[j].norm.as_str(), "its" | "their")
                    || self.mention_at[j].is_some_and(|k| {
                        let m = &self.mentions[k];
                        matches!(m.kind, Kind::Member { .. }) && !m.descriptor
                    })
            })?;
            // "Dutch Prime Minister Mark Rutte": a named person, not an unnamed office-holder.
            let named = tokens
                .get(i + 1)
                .is_some_and(|n| n.capitalised && n.is_word || self.mention_at[i + 1].is_some());
            if named {
                continue;
            }
            return Some(
                self.doc
                    .slice(tokens[owner].start, tokens[i].end)
                    .to_owned(),
            );
        }
        None
    }

    /// "foreign minister Juraj Blanár" where the name is not in the gazetteer: the role word
    /// followed by two capitalised words.
    fn unknown_name(&self, from: usize, to: usize) -> Option<String> {
        let tokens = &self.doc.tokens;
        for i in from..to {
            if self.lexicon.role_nouns.match_at(tokens, i).is_none() {
                continue;
            }
            let mut j = i + 1;
            while j < to && matches!(tokens[j].norm.as_str(), "," | "minister" | "of" | "state") {
                j += 1;
            }
            let caps = (j..to)
                .take_while(|&k| {
                    tokens[k].is_word && tokens[k].capitalised && self.mention_at[k].is_none()
                })
                .count();
            if caps >= 2 {
                return Some(
                    self.doc
                        .slice(tokens[i].start, tokens[j + caps - 1].end)
                        .to_owned(),
                );
            }
        }
        None
    }
}

/// Whether the word at `v` follows a determiner, which makes it a noun ("the states", "the
/// post", "these reports"), not a reporting verb.
fn after_determiner(tokens: &[crate::text::Token], v: usize) -> bool {
    v.checked_sub(1).is_some_and(|p| {
        matches!(
            tokens[p].norm.as_str(),
            "the"
                | "a"
                | "an"
                | "these"
                | "those"
                | "this"
                | "that"
                | "their"
                | "its"
                | "his"
                | "her"
                | "our"
                | "member"
                | "all"
                | "other"
                | "some"
                | "several"
                | "both"
                | "many"
                | "top"
                | "two"
                | "three"
                | "four"
                | "five"
                | "baltic"
                | "nordic"
                | "gulf"
                | "african"
                | "arab"
        )
    })
}

/// One actor of a cue.
#[derive(Debug, Clone)]
struct Actor {
    code: String,
    specificity: u8,
    group: Option<String>,
}

impl Actor {
    fn alone(code: String) -> Actor {
        Actor {
            code,
            specificity: 2,
            group: None,
        }
    }
}

/// What stands before a cue and changes its meaning.
#[derive(Debug, Clone, Default)]
pub struct Modifiers {
    pub negated: bool,
    pub not_yet: bool,
    pub soft: bool,
    pub no_longer: bool,
    pub hedged: bool,
    pub neither: bool,
    pub superseded: bool,
    /// The negation is in the perfect or the past ("has not backed"): not given, not refused.
    pub perfect: bool,
    /// "whether it will back": a question, not a position.
    pub open_question: bool,
}

/// The stance a cue of `class` states under `m`, if any.
pub fn stance_of(class: CueClass, negated_only: bool, m: &Modifiers) -> Option<Stance> {
    use Stance::*;
    if m.open_question {
        return None;
    }
    Some(match class {
        CueClass::Support => {
            if m.neither {
                Undeclared
            } else if m.no_longer || m.negated && (m.not_yet || m.perfect) {
                // Backing withdrawn, or not (yet) given: a hold, not a refusal.
                Withholds
            } else if m.negated {
                Objects
            } else if m.soft || m.not_yet {
                Withholds
            } else if m.hedged {
                Leans
            } else {
                Supports
            }
        }
        CueClass::Lean => {
            if m.negated || m.no_longer {
                return None;
            }
            Leans
        }
        CueClass::Oppose => {
            if m.no_longer {
                Supports
            } else if m.negated {
                // "not opposed to X" is none of the six stances.
                return None;
            } else if m.soft || m.hedged {
                Withholds
            } else {
                Objects
            }
        }
        CueClass::Withhold => {
            if m.no_longer {
                Supports
            } else if m.negated {
                return None;
            } else {
                Withholds
            }
        }
        CueClass::Undeclared => {
            if negated_only != m.negated {
                return None;
            }
            Undeclared
        }
        CueClass::Release => {
            if m.negated {
                Objects
            } else if m.hedged {
                Leans
            } else {
                Supports
            }
        }
    })
}

/// Merges hits into one proposal per (member, candidate).
pub fn merge(
    hits: Vec<Hit>,
    doc: &Doc<'_>,
    knowledge: &Knowledge,
    facts: &ContestFacts,
) -> Vec<StanceProposal> {
    let mut by_pair: BTreeMap<(String, usize), Vec<Hit>> = BTreeMap::new();
    for h in hits {
        by_pair
            .entry((h.member.clone(), h.candidate))
            .or_default()
            .push(h);
    }
    let mut out = Vec::new();
    for ((member, candidate), hits) in by_pair {
        let candidate_facts = &facts.candidates[candidate];
        // Own national: concord derives it; a nomination or a group statement does not single
        // the state out (guide §6), a sentence naming it does.
        let hits: Vec<Hit> = if candidate_facts.nationality.as_deref() == Some(member.as_str()) {
            hits.into_iter()
                .filter(|h| !(h.stance == Stance::Supports && (h.nomination || h.specificity == 0)))
                .collect()
        } else {
            hits
        };
        if hits.is_empty() {
            continue;
        }
        let best_specificity = hits.iter().map(|h| h.specificity).max().unwrap_or(0);
        let stance = if let Some(h) = hits.iter().find(|h| h.stance == Stance::Conditional) {
            h.stance
        } else {
            hits.iter()
                .filter(|h| h.specificity == best_specificity)
                .map(|h| h.stance)
                .max_by_key(|s| stance_weight(*s))
                .unwrap_or(Stance::Undeclared)
        };
        let best = hits
            .iter()
            .max_by_key(|h| (h.attribution, h.specificity))
            .expect("at least one hit");
        let conditions = hits
            .iter()
            .find(|h| !h.conditions.is_empty())
            .map(|h| h.conditions.clone())
            .unwrap_or_default();
        let mut sentences: Vec<usize> = hits.iter().flat_map(|h| h.sentences.clone()).collect();
        sentences.sort_unstable();
        sentences.dedup();
        let group = if hits.iter().all(|h| h.group.is_some()) {
            hits[0].group.clone()
        } else {
            None
        };
        let mut cues: Vec<String> = hits.iter().map(|h| h.cue.clone()).collect();
        cues.dedup();
        out.push(StanceProposal {
            member_name: knowledge
                .state(&member)
                .map_or_else(|| member.clone(), |s| s.name().to_owned()),
            member,
            candidate: candidate_facts.id.clone(),
            candidate_name: candidate_facts.name.clone(),
            stance,
            attribution: best.attribution,
            speaker: best.speaker.clone(),
            conditions,
            group,
            evidence: sentences
                .into_iter()
                .map(|s| {
                    let sentence = &doc.sentences[s];
                    Span {
                        start: sentence.start,
                        end: sentence.end,
                        text: doc.slice(sentence.start, sentence.end).to_owned(),
                    }
                })
                .collect(),
            cues,
        });
    }
    out
}

/// Which stance wins when equally specific statements disagree: a stated refusal over a
/// hold, a hold over backing (the article reports the obstacle), backing over an inclination.
fn stance_weight(s: Stance) -> u8 {
    match s {
        Stance::Objects => 6,
        Stance::Withholds => 5,
        Stance::Conditional => 4,
        Stance::Supports => 3,
        Stance::Leans => 2,
        Stance::Undeclared => 1,
    }
}
