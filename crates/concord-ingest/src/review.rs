//! The review queue's items: what is stored pending for each thing an article proposes (the
//! proposal with its article's source), the key that makes an article propose a thing once,
//! the edits a reviewer may make, and the events an accepted proposal becomes — with the
//! article as their source. Pure: the stores keep the JSON, the ledger appends the events.

use concord_domain::event::{ConditionRef, EventKind, NewEvent, StanceReport};
use concord_domain::model::{Attribution, CandidateProfile, Milestone, Report, Stance, Visibility};
use concord_domain::scenario::default_confidence;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::events::slug;
use crate::proposal::{
    CandidacyProposal, CommitmentProposal, MilestoneProposal, Reading, StanceProposal,
    WithdrawalProposal,
};

/// Where an article came from: what every accepted proposal cites.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleSource {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outlet: Option<String>,
    /// The file or upload name, when there is no URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    pub published: Date,
}

impl ArticleSource {
    /// "URL (Outlet, 2024-04-02)", or the outlet and file when there is no URL.
    pub fn citation(&self) -> String {
        let place = self
            .url
            .clone()
            .or_else(|| self.file.clone())
            .unwrap_or_else(|| "article".to_owned());
        match &self.outlet {
            Some(o) => format!("{place} ({o}, {})", self.published),
            None => format!("{place} ({})", self.published),
        }
    }
}

/// The identifier of an article's text: the same text read twice is the same article.
pub fn article_id(text: &str) -> String {
    hex::encode(&Sha256::digest(text.as_bytes())[..16])
}

/// One item of the review queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Proposal {
    Candidacy(CandidacyProposal),
    Withdrawal(WithdrawalProposal),
    Milestone(MilestoneProposal),
    /// A stance report; its conditions are set with it.
    Stance(StanceProposal),
    Commitment(CommitmentProposal),
}

/// What the store keeps for a pending proposal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    pub source: ArticleSource,
    #[serde(flatten)]
    pub proposal: Proposal,
}

impl Proposal {
    /// The kind, as the store files it.
    pub fn kind(&self) -> &'static str {
        match self {
            Proposal::Candidacy(_) => "candidacy",
            Proposal::Withdrawal(_) => "withdrawal",
            Proposal::Milestone(_) => "milestone",
            Proposal::Stance(_) => "stance",
            Proposal::Commitment(_) => "commitment",
        }
    }

    /// What the proposal is about within its article: a rejected key is not proposed again by
    /// the same article, whatever the stance it would now carry.
    pub fn key(&self) -> String {
        match self {
            Proposal::Candidacy(c) => format!("candidacy:{}", c.candidate),
            Proposal::Withdrawal(w) => format!("withdrawal:{}", w.candidate),
            Proposal::Milestone(m) => format!("milestone:{}:{}", m.kind.as_str(), m.date),
            Proposal::Stance(s) => format!("stance:{}:{}", s.member, s.candidate),
            Proposal::Commitment(c) => format!("commitment:{}", c.candidate),
        }
    }

    /// The order in which accepting all keeps references valid: candidates before stances on
    /// them, conditions (set with stances) before the commitments that meet them.
    pub fn order(&self) -> u8 {
        match self {
            Proposal::Candidacy(_) => 0,
            Proposal::Milestone(_) => 1,
            Proposal::Stance(_) => 2,
            Proposal::Commitment(_) => 3,
            Proposal::Withdrawal(_) => 4,
        }
    }

    /// One line for a list.
    pub fn summary(&self) -> String {
        match self {
            Proposal::Candidacy(c) => format!(
                "{} enters the race ({})",
                c.name,
                if c.declared { "declared" } else { "potential" }
            ),
            Proposal::Withdrawal(w) => format!("{} withdraws", w.name),
            Proposal::Milestone(m) => format!("{} {} — {}", m.date, m.kind.as_str(), m.label),
            Proposal::Stance(s) => format!(
                "{} {} {} — {}{}",
                s.member,
                s.stance,
                s.candidate_name,
                s.attribution.as_str(),
                s.speaker
                    .as_ref()
                    .map(|x| format!(" ({x})"))
                    .unwrap_or_default()
            ),
            Proposal::Commitment(c) => format!("{} commits: {}", c.candidate, c.text),
        }
    }

    pub fn evidence(&self) -> &[crate::Span] {
        match self {
            Proposal::Candidacy(c) => &c.evidence,
            Proposal::Withdrawal(w) => &w.evidence,
            Proposal::Milestone(m) => &m.evidence,
            Proposal::Stance(s) => &s.evidence,
            Proposal::Commitment(c) => &c.evidence,
        }
    }
}

/// Everything an article proposes, as queue items in accepting order. Conditions travel with
/// their stance.
pub fn queue_items(reading: &Reading) -> Vec<Proposal> {
    let mut items: Vec<Proposal> = Vec::new();
    items.extend(reading.candidacies.iter().cloned().map(Proposal::Candidacy));
    items.extend(reading.milestones.iter().cloned().map(Proposal::Milestone));
    items.extend(reading.stances.iter().cloned().map(Proposal::Stance));
    items.extend(
        reading
            .commitments
            .iter()
            .cloned()
            .map(Proposal::Commitment),
    );
    items.extend(
        reading
            .withdrawals
            .iter()
            .cloned()
            .map(Proposal::Withdrawal),
    );
    items
}

/// A reviewer's changes to a stance proposal before accepting it. Member and candidate are not
/// editable: a proposal about the wrong pair is rejected and the right one recorded.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Edit {
    #[serde(default)]
    pub stance: Option<Stance>,
    #[serde(default)]
    pub attribution: Option<Attribution>,
    #[serde(default)]
    pub speaker: Option<String>,
    #[serde(default)]
    pub conditions: Option<Vec<String>>,
}

/// Why an edit does not apply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("only a stance proposal can be edited (this one proposes a {kind})")]
    NotAStance { kind: String },
    #[error("a conditional stance needs at least one condition")]
    ConditionalWithoutConditions,
}

impl Edit {
    pub fn is_empty(&self) -> bool {
        *self == Edit::default()
    }

    /// Applies the edit to a stance proposal.
    pub fn apply(&self, proposal: &mut Proposal) -> Result<(), EditError> {
        if self.is_empty() {
            return Ok(());
        }
        let Proposal::Stance(s) = proposal else {
            return Err(EditError::NotAStance {
                kind: proposal.kind().to_owned(),
            });
        };
        if let Some(stance) = self.stance {
            s.stance = stance;
        }
        if let Some(a) = self.attribution {
            s.attribution = a;
        }
        if let Some(sp) = &self.speaker {
            s.speaker = (!sp.trim().is_empty()).then(|| sp.trim().to_owned());
        }
        if let Some(c) = &self.conditions {
            s.conditions = c.clone();
        }
        if s.stance != Stance::Conditional {
            s.conditions.clear();
        } else if s.conditions.is_empty() {
            return Err(EditError::ConditionalWithoutConditions);
        }
        Ok(())
    }
}

fn report(
    source: &ArticleSource,
    attribution: Attribution,
    speaker: Option<String>,
    evidence: &[crate::Span],
) -> Report {
    let quote: String = evidence
        .iter()
        .map(|e| e.text.as_str())
        .collect::<Vec<_>>()
        .join(" … ");
    let quote: String = if quote.chars().count() > 400 {
        format!("{}…", quote.chars().take(400).collect::<String>())
    } else {
        quote
    };
    Report {
        source: format!("{}: “{}”", source.citation(), quote),
        attribution,
        confidence: default_confidence(attribution),
        speaker,
        published: Some(source.published),
    }
}

/// The condition ids a stance proposal's conditions get (unique per member).
pub fn condition_ids(s: &StanceProposal) -> Vec<String> {
    s.conditions
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let id = slug(c);
            if id.is_empty() {
                format!("condition-{}", i + 1)
            } else {
                id
            }
        })
        .collect()
}

/// The events an accepted proposal becomes, dated on the article's publication date.
pub fn to_events(item: &Pending, author: &str) -> Vec<NewEvent> {
    let src = &item.source;
    let valid = src.published;
    let event = |kind: EventKind| NewEvent {
        valid,
        author: author.to_owned(),
        kind,
    };
    match &item.proposal {
        Proposal::Candidacy(c) => vec![event(EventKind::CandidateEntered {
            candidate: CandidateProfile {
                id: c.candidate.clone(),
                name: c.name.clone(),
                nationality: c.nationality.clone(),
                profile: Default::default(),
                // Articles propose candidates for single offices; a package's post is set by hand.
                post: None,
            },
            declared: c.declared,
            report: report(src, Attribution::Inferred, None, &c.evidence),
        })],
        Proposal::Withdrawal(w) => vec![event(EventKind::CandidateWithdrew {
            candidate: w.candidate.clone(),
            report: report(src, Attribution::Inferred, None, &w.evidence),
        })],
        Proposal::Milestone(m) => vec![event(EventKind::MilestoneSet {
            milestone: Milestone {
                id: m.id.clone(),
                label: m.label.clone(),
                date: m.date,
                kind: m.kind,
            },
            report: report(src, Attribution::Inferred, None, &m.evidence),
        })],
        Proposal::Stance(s) => {
            let ids = condition_ids(s);
            let r = report(src, s.attribution, s.speaker.clone(), &s.evidence);
            let mut out: Vec<NewEvent> = s
                .conditions
                .iter()
                .zip(&ids)
                .map(|(text, id)| {
                    event(EventKind::ConditionSet {
                        member: s.member.clone(),
                        candidate: Some(s.candidate.clone()),
                        condition: id.clone(),
                        text: text.clone(),
                        report: r.clone(),
                    })
                })
                .collect();
            out.push(event(EventKind::StanceReported(StanceReport {
                member: s.member.clone(),
                candidate: s.candidate.clone(),
                stance: s.stance,
                reasons: Vec::new(),
                conditions: ids,
                follows: None,
                linked_to: None,
                visibility: Visibility::Public,
                report: r,
            })));
            out
        }
        Proposal::Commitment(c) => vec![event(EventKind::CommitmentMade {
            candidate: c.candidate.clone(),
            text: c.text.clone(),
            meets: c
                .meets
                .iter()
                .map(|(member, condition)| ConditionRef {
                    member: member.clone(),
                    condition: condition.clone(),
                })
                .collect(),
            report: report(src, Attribution::Inferred, None, &c.evidence),
        })],
    }
}
