//! Scoring proposals against gold annotations, as the annotation guide's "Scoring" section
//! says: match on (member, candidate); a stance is correct when it equals the gold stance
//! (strict) or is among `also_acceptable` (lenient, full credit); attribution is scored on the
//! pairs whose stance is correct; every figure micro-averaged over the articles and per
//! article; group reports counted expanded and collapsed to one item per group.

use std::collections::{BTreeMap, BTreeSet};

use concord_domain::model::{Attribution, Stance};
use serde::{Deserialize, Serialize};

use crate::proposal::{Reading, StanceProposal};
use crate::text::fold;

/// One gold report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoldReport {
    pub member: String,
    pub candidate: String,
    pub stance: Stance,
    pub attribution: Attribution,
    #[serde(default)]
    pub speaker: Option<String>,
    #[serde(default)]
    pub conditions: Vec<String>,
    pub evidence: String,
    #[serde(default)]
    pub also_acceptable: Vec<Stance>,
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// One annotated article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gold {
    pub article: String,
    #[serde(default)]
    pub organisation: Option<String>,
    pub contest: String,
    pub published: jiff::civil::Date,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub outlet: Option<String>,
    pub reports: Vec<GoldReport>,
}

/// A gold file that does not parse.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{file}: {message}")]
pub struct GoldError {
    pub file: String,
    pub message: String,
}

impl Gold {
    pub fn parse(file: &str, json: &str) -> Result<Gold, GoldError> {
        serde_json::from_str(json).map_err(|e| GoldError {
            file: file.to_owned(),
            message: format!("line {} column {}: {e}", e.line(), e.column()),
        })
    }
}

/// True positives, proposals and gold items: precision, recall, F1.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Counts {
    pub correct: f64,
    pub proposed: usize,
    pub gold: usize,
}

impl Counts {
    pub fn precision(&self) -> f64 {
        if self.proposed == 0 {
            if self.gold == 0 { 1.0 } else { 0.0 }
        } else {
            self.correct / self.proposed as f64
        }
    }
    pub fn recall(&self) -> f64 {
        if self.gold == 0 {
            if self.proposed == 0 { 1.0 } else { 0.0 }
        } else {
            self.correct / self.gold as f64
        }
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    fn add(&mut self, other: &Counts) {
        self.correct += other.correct;
        self.proposed += other.proposed;
        self.gold += other.gold;
    }
}

/// Every figure for one article (or summed over many).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Scores {
    /// (member, candidate) only: did the reader find the pair at all.
    pub pairs: Counts,
    pub strict: Counts,
    pub lenient: Counts,
    /// Stance (strict) and attribution both right.
    pub strict_attribution: Counts,
    /// Stance (lenient) and attribution both right.
    pub lenient_attribution: Counts,
    /// Groups collapsed to one item each.
    pub collapsed_strict: Counts,
    pub collapsed_lenient: Counts,
    /// Matched pairs with at least one evidence span inside the gold evidence.
    pub evidence_found: usize,
    /// Matched pairs whose every evidence span lies inside the gold evidence.
    pub evidence_all_in_gold: usize,
    /// Matched pairs (denominator of the two above).
    pub matched: usize,
}

impl Scores {
    pub fn add(&mut self, other: &Scores) {
        self.pairs.add(&other.pairs);
        self.strict.add(&other.strict);
        self.lenient.add(&other.lenient);
        self.strict_attribution.add(&other.strict_attribution);
        self.lenient_attribution.add(&other.lenient_attribution);
        self.collapsed_strict.add(&other.collapsed_strict);
        self.collapsed_lenient.add(&other.collapsed_lenient);
        self.evidence_found += other.evidence_found;
        self.evidence_all_in_gold += other.evidence_all_in_gold;
        self.matched += other.matched;
    }
}

/// A difference between the proposals and the gold, for the reader's developer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    pub member: String,
    pub candidate: String,
    /// "missed", "spurious", "stance", "attribution", "evidence".
    pub what: String,
    pub detail: String,
}

/// One article's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticleScore {
    pub article: String,
    pub contest: String,
    pub scores: Scores,
    pub differences: Vec<Difference>,
}

fn candidate_key(name: &str) -> String {
    fold(name).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The byte ranges of the gold evidence pieces found in `text`.
fn gold_ranges(text: &str, evidence: &str) -> Vec<(usize, usize)> {
    evidence
        .split(" … ")
        .filter_map(|piece| {
            let piece = piece.trim();
            text.find(piece).map(|s| (s, s + piece.len()))
        })
        .collect()
}

fn overlaps(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// Scores one article's proposals against its gold.
pub fn score_article(gold: &Gold, text: &str, reading: &Reading) -> ArticleScore {
    let key = |member: &str, candidate: &str| (member.to_owned(), candidate_key(candidate));
    let golds: BTreeMap<(String, String), &GoldReport> = gold
        .reports
        .iter()
        .map(|g| (key(&g.member, &g.candidate), g))
        .collect();
    let proposals: BTreeMap<(String, String), &StanceProposal> = reading
        .stances
        .iter()
        .map(|p| (key(&p.member, &p.candidate_name), p))
        .collect();
    let mut s = Scores::default();
    let mut differences = Vec::new();
    let n_gold = golds.len();
    let n_proposed = proposals.len();
    for c in [
        &mut s.pairs,
        &mut s.strict,
        &mut s.lenient,
        &mut s.strict_attribution,
        &mut s.lenient_attribution,
    ] {
        c.gold = n_gold;
        c.proposed = n_proposed;
    }
    for (k, g) in &golds {
        let Some(p) = proposals.get(k) else {
            differences.push(Difference {
                member: g.member.clone(),
                candidate: g.candidate.clone(),
                what: "missed".into(),
                detail: format!("{} ({})", g.stance, g.attribution.as_str()),
            });
            continue;
        };
        s.pairs.correct += 1.0;
        s.matched += 1;
        let strict = p.stance == g.stance;
        let lenient = strict || g.also_acceptable.contains(&p.stance);
        let attribution = p.attribution == g.attribution;
        if strict {
            s.strict.correct += 1.0;
        }
        if lenient {
            s.lenient.correct += 1.0;
        }
        if strict && attribution {
            s.strict_attribution.correct += 1.0;
        }
        if lenient && attribution {
            s.lenient_attribution.correct += 1.0;
        }
        if !strict {
            differences.push(Difference {
                member: g.member.clone(),
                candidate: g.candidate.clone(),
                what: "stance".into(),
                detail: format!(
                    "proposed {}, gold {}{}",
                    p.stance,
                    g.stance,
                    if lenient { " (acceptable)" } else { "" }
                ),
            });
        }
        if !attribution {
            differences.push(Difference {
                member: g.member.clone(),
                candidate: g.candidate.clone(),
                what: "attribution".into(),
                detail: format!(
                    "proposed {}, gold {}",
                    p.attribution.as_str(),
                    g.attribution.as_str()
                ),
            });
        }
        let ranges = gold_ranges(text, &g.evidence);
        let spans: Vec<(usize, usize)> = p.evidence.iter().map(|e| (e.start, e.end)).collect();
        let inside = spans
            .iter()
            .filter(|sp| ranges.iter().any(|r| overlaps(**sp, *r)))
            .count();
        if inside > 0 {
            s.evidence_found += 1;
        }
        if inside == spans.len() && !spans.is_empty() {
            s.evidence_all_in_gold += 1;
        } else {
            differences.push(Difference {
                member: g.member.clone(),
                candidate: g.candidate.clone(),
                what: "evidence".into(),
                detail: format!(
                    "{} of {} proposed spans inside the gold evidence",
                    inside,
                    spans.len()
                ),
            });
        }
    }
    for (k, p) in &proposals {
        if !golds.contains_key(k) {
            differences.push(Difference {
                member: p.member.clone(),
                candidate: p.candidate_name.clone(),
                what: "spurious".into(),
                detail: format!(
                    "{} ({}) from \"{}\"",
                    p.stance,
                    p.attribution.as_str(),
                    p.cues.join("; ")
                ),
            });
        }
    }
    // Groups collapsed: a gold group is one item; proposals for its members are one item,
    // whose stance is the most common among them.
    let mut gold_items: BTreeMap<(String, String), Vec<&GoldReport>> = BTreeMap::new();
    let mut member_group: BTreeMap<(String, String), String> = BTreeMap::new();
    for g in &gold.reports {
        let item = match &g.group {
            Some(label) => format!("group:{label}"),
            None => g.member.clone(),
        };
        member_group.insert(key(&g.member, &g.candidate), item.clone());
        gold_items
            .entry((item, candidate_key(&g.candidate)))
            .or_default()
            .push(g);
    }
    let mut proposed_items: BTreeMap<(String, String), Vec<&StanceProposal>> = BTreeMap::new();
    for p in &reading.stances {
        let k = key(&p.member, &p.candidate_name);
        let item = member_group
            .get(&k)
            .cloned()
            .unwrap_or_else(|| match &p.group {
                Some(label) => format!("group:{label}"),
                None => p.member.clone(),
            });
        proposed_items.entry((item, k.1)).or_default().push(p);
    }
    s.collapsed_strict.gold = gold_items.len();
    s.collapsed_lenient.gold = gold_items.len();
    s.collapsed_strict.proposed = proposed_items.len();
    s.collapsed_lenient.proposed = proposed_items.len();
    for (k, gs) in &gold_items {
        let Some(ps) = proposed_items.get(k) else {
            continue;
        };
        let mut votes: BTreeMap<Stance, usize> = BTreeMap::new();
        for p in ps {
            *votes.entry(p.stance).or_default() += 1;
        }
        let stance = votes
            .into_iter()
            .max_by_key(|(_, n)| *n)
            .map(|(s, _)| s)
            .expect("non-empty");
        let g = gs[0];
        if stance == g.stance {
            s.collapsed_strict.correct += 1.0;
        }
        if stance == g.stance || g.also_acceptable.contains(&stance) {
            s.collapsed_lenient.correct += 1.0;
        }
    }
    ArticleScore {
        article: gold.article.clone(),
        contest: gold.contest.clone(),
        scores: s,
        differences,
    }
}

/// The sum over articles (micro) and the mean of per-article F1 (macro).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    pub articles: usize,
    pub micro: Scores,
    /// Mean per-article F1: (strict, lenient, strict with attribution, lenient with attribution).
    pub macro_f1: [f64; 4],
}

pub fn summarise(scores: &[ArticleScore]) -> Summary {
    let mut micro = Scores::default();
    let mut sums = [0.0; 4];
    for a in scores {
        micro.add(&a.scores);
        sums[0] += a.scores.strict.f1();
        sums[1] += a.scores.lenient.f1();
        sums[2] += a.scores.strict_attribution.f1();
        sums[3] += a.scores.lenient_attribution.f1();
    }
    let n = scores.len().max(1) as f64;
    Summary {
        articles: scores.len(),
        micro,
        macro_f1: sums.map(|x| x / n),
    }
}

/// Members named in a gold file that no proposal could name (not a member of the contest):
/// reported so an annotation error is not mistaken for a reader's miss.
pub fn unknown_members(gold: &Gold, known: &BTreeSet<String>) -> Vec<String> {
    gold.reports
        .iter()
        .filter(|r| !known.contains(&r.member))
        .map(|r| r.member.clone())
        .collect()
}
