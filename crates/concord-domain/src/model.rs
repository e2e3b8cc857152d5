//! The things a contest is made of: organisations, members, offices, candidates, milestones,
//! stances and the reports that back them.

use std::collections::BTreeMap;
use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::rules::DecisionRule;

/// A member state's code: ISO 3166-1 alpha-3, upper case (`HUN`, `NLD`).
pub type MemberCode = String;
/// A candidate's identifier inside one contest: a short slug (`rutte`, `iohannis`).
pub type CandidateId = String;

/// An organisation whose members fill an office.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organisation {
    pub id: String,
    pub name: String,
    pub members: Vec<Member>,
}

/// A member of an organisation, with the date it joined: membership is evaluated at a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub code: MemberCode,
    pub name: String,
    pub joined: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left: Option<Date>,
    /// Figures used by rules and forecasts: `population`, `defence_pct_gdp`, `votes`…
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, f64>,
    /// Labels such as `eu`, `p5`, `region:central-europe`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

impl Member {
    /// Whether the member belongs to the organisation on `date`.
    pub fn is_member_on(&self, date: Date) -> bool {
        self.joined <= date && self.left.is_none_or(|left| date < left)
    }

    pub fn has_tag(&self, tag: &str) -> bool {
        self.tags.iter().any(|t| t == tag)
    }
}

/// What happens when the term ends with no one agreed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reversion {
    /// The incumbent's term is extended.
    Extension,
    /// An interim office holder is named.
    Interim,
    /// The post stays vacant.
    Vacant,
}

impl fmt::Display for Reversion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Reversion::Extension => "extension of the incumbent",
            Reversion::Interim => "an interim",
            Reversion::Vacant => "vacancy",
        })
    }
}

/// The office being filled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Office {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incumbent: Option<String>,
    pub term_end: Date,
    /// The term end was not known when the contest opened: `term_end` is a stand-in (a year
    /// after the opening) until a `term_end` milestone says otherwise. A forecast does not
    /// press towards an assumed date.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub term_end_assumed: bool,
    pub reversion: Reversion,
}

/// The static definition of a contest: what the `contest_opened` event carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContestDefinition {
    pub id: String,
    pub title: String,
    pub organisation: Organisation,
    pub office: Office,
    pub rule: DecisionRule,
    /// The date a newcomer is shown first (`concord demo`), e.g. the date of the defining article.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub featured_date: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Issue dimensions the members bargain over (`concord bargain CONTEST --issue ID`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub issues: Vec<IssueDimension>,
    /// A package: several posts decided together. Every post needs its own agreement and
    /// nothing is agreed until every post is; each candidate stands for one post.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub posts: Vec<Post>,
}

/// One post of a package (`european-council-president`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Post {
    pub id: String,
    pub title: String,
}

impl ContestDefinition {
    /// Whether several posts are decided together.
    pub fn is_package(&self) -> bool {
        !self.posts.is_empty()
    }
}

/// One issue dimension for the spatial model of politics: each member's position on a 0–100
/// scale, how much the issue matters to it, and its capability to push it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IssueDimension {
    pub id: String,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// What position 0 means.
    pub scale_low: String,
    /// What position 100 means.
    pub scale_high: String,
    pub capability: Capability,
    pub positions: Vec<IssuePosition>,
}

impl IssueDimension {
    /// The capability of the member holding `position`: from its attribute or as given.
    /// Validation guarantees it exists for a parsed scenario.
    pub fn capability_of(&self, position: &IssuePosition, members: &[Member]) -> Option<f64> {
        match &self.capability {
            Capability::Given => position.capability,
            Capability::Attribute(name) => members
                .iter()
                .find(|m| m.code == position.member)
                .and_then(|m| m.attributes.get(name).copied()),
        }
    }
}

/// Where a member's capability on an issue comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    /// A member attribute, e.g. `capability = { attribute = "gdp_usd_bn" }`.
    Attribute(String),
    /// Given with each position (`capability = "given"`).
    Given,
}

/// A member's position on an issue, with its provenance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IssuePosition {
    pub member: MemberCode,
    /// 0–100, on the issue's scale.
    pub position: f64,
    /// 0–100: how much the issue matters to the member.
    pub salience: f64,
    /// Only when the issue's capability is `given`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capability: Option<f64>,
    /// A URL or a citation; for an `inferred` position, what the estimate rests on.
    pub source: String,
    pub attribution: Attribution,
}

/// Where a candidacy stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CandidateStatus {
    /// Floated, not (yet) in the race.
    Potential,
    Declared,
    Withdrawn,
    Appointed,
}

impl CandidateStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CandidateStatus::Potential => "potential",
            CandidateStatus::Declared => "declared",
            CandidateStatus::Withdrawn => "withdrawn",
            CandidateStatus::Appointed => "appointed",
        }
    }
}

/// A person who may fill the office.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidateProfile {
    pub id: CandidateId,
    pub name: String,
    /// The member whose national the candidate is, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nationality: Option<MemberCode>,
    /// Current role, experience, region…
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub profile: BTreeMap<String, String>,
    /// In a package, the post the candidate stands for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post: Option<String>,
}

/// The kind of a dated point in a contest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneKind {
    /// A soft target ("by the end of April").
    Target,
    /// A meeting where a decision could be taken.
    Meeting,
    /// The date by which it must be settled.
    HardDeadline,
    /// The incumbent's term ends: the reversion applies.
    TermEnd,
}

impl MilestoneKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MilestoneKind::Target => "target",
            MilestoneKind::Meeting => "meeting",
            MilestoneKind::HardDeadline => "hard_deadline",
            MilestoneKind::TermEnd => "term_end",
        }
    }
}

/// A dated point with a kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Milestone {
    pub id: String,
    pub label: String,
    pub date: Date,
    pub kind: MilestoneKind,
}

/// Where a member stands on a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stance {
    Supports,
    Leans,
    /// Support subject to conditions; with every condition met it counts as support.
    Conditional,
    Undeclared,
    /// Declines to join consensus for now ("withheld authorization").
    Withholds,
    /// Formal opposition, a veto.
    Objects,
}

impl Stance {
    pub const ALL: [Stance; 6] = [
        Stance::Supports,
        Stance::Leans,
        Stance::Conditional,
        Stance::Undeclared,
        Stance::Withholds,
        Stance::Objects,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stance::Supports => "supports",
            Stance::Leans => "leans",
            Stance::Conditional => "conditional",
            Stance::Undeclared => "undeclared",
            Stance::Withholds => "withholds",
            Stance::Objects => "objects",
        }
    }

    pub fn parse(s: &str) -> Option<Stance> {
        Stance::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether this stance, stated explicitly, blocks consensus.
    pub fn blocks(self) -> bool {
        matches!(self, Stance::Withholds | Stance::Objects)
    }
}

impl fmt::Display for Stance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a claim is attributed; on the same day a better attribution outranks a worse one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attribution {
    /// Analyst judgement.
    Inferred,
    /// "Allied diplomatic sources".
    Anonymous,
    /// A named speaker, on the record.
    OnRecord,
    /// A communiqué or a vote record.
    Official,
}

impl Attribution {
    pub const ALL: [Attribution; 4] = [
        Attribution::Official,
        Attribution::OnRecord,
        Attribution::Anonymous,
        Attribution::Inferred,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Attribution::Official => "official",
            Attribution::OnRecord => "on_record",
            Attribution::Anonymous => "anonymous",
            Attribution::Inferred => "inferred",
        }
    }

    pub fn parse(s: &str) -> Option<Attribution> {
        Attribution::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Who may see a recorded stance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    #[default]
    Public,
    /// Told to the chair in confidential consultations: nobody else sees it.
    ChairOnly,
}

impl Visibility {
    pub fn is_public(&self) -> bool {
        *self == Visibility::Public
    }
}

/// The provenance of a claim.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// A URL or a citation.
    pub source: String,
    pub attribution: Attribution,
    /// The analyst's confidence in the claim, from 0 to 1.
    pub confidence: f64,
    /// The named speaker and role, for `on_record` claims.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<String>,
    /// When the source was published, if later than the event it reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<Date>,
}
