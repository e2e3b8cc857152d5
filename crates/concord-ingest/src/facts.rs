//! What the reader needs to know about a contest: its organisation, its members at the
//! article's date, and its candidates. Built from the folded state of a contest, or given
//! directly (the development set's contests).

use concord_domain::ContestState;
use concord_domain::model::{CandidateStatus, MilestoneKind};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// A candidate as the reader knows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidateFacts {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    /// Other names the press uses ("Ngozi", "Lamy").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Only floated (never declared): stances on them are not proposed.
    #[serde(default)]
    pub potential: bool,
}

/// Who the members are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Membership {
    /// These codes and no others (NATO's 32 allies at the date).
    Listed(Vec<String>),
    /// Every state in the world gazetteer (the UN, the WTO, the IMF): the contest's record
    /// names only some of them.
    World,
}

/// A contest, as the reader needs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContestFacts {
    pub id: String,
    /// The organisation's id or name ("nato", "NATO", "World Trade Organization").
    pub organisation: String,
    /// The office ("Secretary General"), to recognise articles about the contest.
    #[serde(default)]
    pub office: String,
    pub members: Membership,
    pub candidates: Vec<CandidateFacts>,
    /// Milestones the contest already has (date, kind): not proposed again.
    #[serde(default)]
    pub milestones: Vec<(Date, MilestoneKind)>,
}

impl ContestFacts {
    /// From a folded contest: members on `date`, every candidate ever entered (a candidate only
    /// ever floated is `potential`).
    pub fn from_state(state: &ContestState, date: Date) -> ContestFacts {
        let def = &state.definition;
        let real: Vec<String> = state
            .members
            .iter()
            .filter(|m| m.is_member_on(date) && !is_placeholder(&m.code))
            .map(|m| m.code.clone())
            .collect();
        let placeholders = state.members.iter().any(|m| is_placeholder(&m.code));
        ContestFacts {
            id: def.id.clone(),
            organisation: def.organisation.id.clone(),
            office: def.office.title.clone(),
            members: if placeholders {
                Membership::World
            } else {
                Membership::Listed(real)
            },
            candidates: state
                .candidates
                .iter()
                .map(|c| CandidateFacts {
                    id: c.profile.id.clone(),
                    name: c.profile.name.clone(),
                    nationality: c.profile.nationality.clone(),
                    aliases: Vec::new(),
                    potential: c.status == CandidateStatus::Potential,
                })
                .collect(),
            milestones: state.milestones.iter().map(|m| (m.date, m.kind)).collect(),
        }
    }

    pub fn is_member(&self, code: &str) -> bool {
        match &self.members {
            Membership::Listed(list) => list.iter().any(|m| m == code),
            Membership::World => true,
        }
    }
}

/// Placeholder members of historical cases ("M017") are not states.
fn is_placeholder(code: &str) -> bool {
    code.len() != 3 || !code.chars().all(|c| c.is_ascii_uppercase())
}
