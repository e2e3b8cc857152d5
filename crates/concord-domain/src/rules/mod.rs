//! Decision rules: pure functions from the ballots of a board at a date to an evaluation.
//!
//! The caller (the fold, a straw poll, a test) turns the board into one [`Ballot`] per current
//! member on ONE candidate, with the member's *effective* [`Position`] already derived
//! (a conditional stance whose conditions are all met arrives as [`Position::Supports`]; a member
//! backing another candidate arrives as [`Position::PrefersRival`]). [`evaluate`] then applies a
//! [`DecisionRule`] and returns an [`Evaluation`]: status, tally, margins, blockers, pending
//! members and what would flip the outcome.
//!
//! This module knows nothing of organisations, stances or events: member codes and candidate
//! names are plain strings, so the rules can be tested (and reused) on any board.
//!
//! Vote classes used by the counted rules (majority, qualified majority, veto majority,
//! weighted): only `Supports` is a *yes*; `Withholds`, `Objects` and `PrefersRival` are a *no*;
//! `Leans`, `Pending`, `Undeclared`, `Abstains` and `Absent` are neither. A leaning member has
//! not voted yet, which is why it is not counted as a yes.

mod consent;
mod count;
mod evaluation;
mod share;

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

pub use evaluation::{Blocker, Criterion, Evaluation, Flip, Hold, Margin, Status, Tally, Unit};

/// A member's effective position on the candidate being evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Position {
    /// In favour (encourage, in a UN straw poll).
    Supports,
    /// Inclined to support, not yet committed.
    Leans,
    /// Conditional, with some conditions not yet met (all met arrives as `Supports`).
    Pending { conditions_unmet: usize },
    /// Nothing known: under consensus, silence is consent.
    Undeclared,
    /// Abstains (no opinion, in a UN straw poll).
    Abstains,
    /// Not present for the vote.
    Absent,
    /// Declines to join consensus for now.
    Withholds,
    /// Implicit hold: backs another candidate for the same office.
    PrefersRival { rival: String },
    /// Formal opposition (discourage, in a UN straw poll; a veto from a veto holder).
    Objects,
}

impl Position {
    /// The tally class: a yes, a no, or neither.
    pub fn class(&self) -> VoteClass {
        match self {
            Position::Supports => VoteClass::Yes,
            Position::Withholds | Position::Objects | Position::PrefersRival { .. } => {
                VoteClass::No
            }
            Position::Leans
            | Position::Pending { .. }
            | Position::Undeclared
            | Position::Abstains
            | Position::Absent => VoteClass::Neither,
        }
    }

    /// How far the member is from supporting: lower is closer. Used to pick, among equals,
    /// the members most likely to come over when a rule asks "who would have to join".
    fn distance(&self) -> u8 {
        match self {
            Position::Supports => 0,
            Position::Leans => 1,
            Position::Pending { .. } => 2,
            Position::Undeclared => 3,
            Position::Abstains => 4,
            Position::Absent => 5,
            Position::Withholds => 6,
            Position::PrefersRival { .. } => 7,
            Position::Objects => 8,
        }
    }
}

/// The class of a position in a counted vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoteClass {
    Yes,
    No,
    Neither,
}

/// One current member's ballot on the candidate being evaluated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ballot {
    /// Member code, e.g. `HUN`.
    pub member: String,
    pub position: Position,
    /// Needed by `qualified_majority`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub population: Option<u64>,
    /// Needed by `weighted`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
}

impl Ballot {
    pub fn new(member: impl Into<String>, position: Position) -> Self {
        Ballot {
            member: member.into(),
            position,
            population: None,
            weight: None,
        }
    }

    pub fn with_population(mut self, population: u64) -> Self {
        self.population = Some(population);
        self
    }

    pub fn with_weight(mut self, weight: f64) -> Self {
        self.weight = Some(weight);
        self
    }
}

/// What a majority is counted against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MajorityBase {
    /// Every current member, whether voting or not.
    AllMembers,
    /// Yes plus no; abstaining, absent and undeclared members are left out (UN General Assembly).
    PresentAndVoting,
}

/// Whether the threshold must be exceeded ("more than half") or reached ("two-thirds").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    #[default]
    MoreThan,
    AtLeast,
}

/// A decision rule with its parameters; stored in scenario files, hence serde.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DecisionRule {
    /// Adopted when no member withholds or objects, explicitly or by backing a rival (NATO).
    Consensus,
    /// Every member in favour; abstention (and absence) blocks only if configured.
    Unanimity {
        #[serde(default)]
        abstention_blocks: bool,
    },
    /// yes compared with `threshold` × base.
    Majority {
        /// A fraction, e.g. 0.5 or 2/3.
        threshold: f64,
        base: MajorityBase,
        #[serde(default)]
        comparison: Comparison,
    },
    /// EU double majority.
    QualifiedMajority {
        /// 0.55, or 0.72 when not acting on a Commission proposal.
        member_share: f64,
        /// 0.65.
        population_share: f64,
        /// 4: with fewer members not in favour, the population criterion is deemed met.
        /// 0 disables the clause (TFEU 238(2) states none for the 72 % variant).
        min_blocking_members: usize,
    },
    /// UN Security Council: enough yes and no objection from a veto holder.
    VetoMajority {
        yes_needed: usize,
        veto_holders: Vec<String>,
    },
    /// Weighted yes reaching `threshold` of the total weight (IMF-style).
    Weighted { threshold: f64 },
}

impl DecisionRule {
    /// A simple majority of all members.
    pub fn simple_majority() -> Self {
        DecisionRule::Majority {
            threshold: 0.5,
            base: MajorityBase::AllMembers,
            comparison: Comparison::MoreThan,
        }
    }

    /// Two-thirds of those present and voting (UN General Assembly, important questions).
    pub fn two_thirds_present_and_voting() -> Self {
        DecisionRule::Majority {
            threshold: 2.0 / 3.0,
            base: MajorityBase::PresentAndVoting,
            comparison: Comparison::AtLeast,
        }
    }

    /// Council of the EU on a Commission proposal: 55 % of members, 65 % of population,
    /// blocking minority of at least 4 members (TEU 16(4)).
    pub fn eu_qualified_majority() -> Self {
        DecisionRule::QualifiedMajority {
            member_share: 0.55,
            population_share: 0.65,
            min_blocking_members: 4,
        }
    }

    /// Council of the EU not on a Commission proposal: 72 % of members, 65 % of population
    /// (TFEU 238(2), which has no blocking-minority clause).
    pub fn eu_reinforced_qualified_majority() -> Self {
        DecisionRule::QualifiedMajority {
            member_share: 0.72,
            population_share: 0.65,
            min_blocking_members: 0,
        }
    }

    /// UN Security Council: 9 of 15, no veto from the five permanent members.
    pub fn un_security_council() -> Self {
        DecisionRule::VetoMajority {
            yes_needed: 9,
            veto_holders: ["CHN", "FRA", "GBR", "RUS", "USA"]
                .into_iter()
                .map(String::from)
                .collect(),
        }
    }

    /// The rule's name as written in scenario files.
    pub fn name(&self) -> &'static str {
        match self {
            DecisionRule::Consensus => "consensus",
            DecisionRule::Unanimity { .. } => "unanimity",
            DecisionRule::Majority { .. } => "majority",
            DecisionRule::QualifiedMajority { .. } => "qualified_majority",
            DecisionRule::VetoMajority { .. } => "veto_majority",
            DecisionRule::Weighted { .. } => "weighted",
        }
    }
}

/// One reason a board cannot be evaluated under a rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Problem {
    NoBallots,
    DuplicateMember {
        member: String,
    },
    MissingPopulation {
        member: String,
    },
    MissingWeight {
        member: String,
    },
    InvalidWeight {
        member: String,
        weight: f64,
    },
    ThresholdOutOfRange {
        parameter: &'static str,
        value: f64,
    },
    /// A veto majority asking for no yes at all, or for more yes than there are members.
    YesNeededOutOfRange {
        yes_needed: usize,
        members: usize,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::NoBallots => write!(f, "no ballots: the board has no current members"),
            Problem::DuplicateMember { member } => write!(f, "member '{member}' has two ballots"),
            Problem::MissingPopulation { member } => write!(
                f,
                "member '{member}' has no population (qualified majority needs one for every member)"
            ),
            Problem::MissingWeight { member } => write!(
                f,
                "member '{member}' has no weight (weighted voting needs one for every member)"
            ),
            Problem::InvalidWeight { member, weight } => write!(
                f,
                "member '{member}' has weight {weight}; expected a finite number ≥ 0"
            ),
            Problem::YesNeededOutOfRange {
                yes_needed,
                members,
            } => write!(
                f,
                "yes_needed is {yes_needed}; expected between 1 and the {members} members"
            ),
            Problem::ThresholdOutOfRange { parameter, value } => {
                write!(f, "{parameter} is {value}; expected a fraction in (0, 1]")
            }
        }
    }
}

/// Every problem found with the board and rule, reported at once.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct RuleError {
    pub problems: Vec<Problem>,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

/// Applies `rule` to the ballots of the current members on one candidate.
pub fn evaluate(rule: &DecisionRule, ballots: &[Ballot]) -> Result<Evaluation, RuleError> {
    validate(rule, ballots)?;
    Ok(match rule {
        DecisionRule::Consensus => consent::consensus(rule, ballots),
        DecisionRule::Unanimity { abstention_blocks } => {
            consent::unanimity(rule, ballots, *abstention_blocks)
        }
        DecisionRule::Majority {
            threshold,
            base,
            comparison,
        } => count::majority(rule, ballots, *threshold, *base, *comparison),
        DecisionRule::VetoMajority {
            yes_needed,
            veto_holders,
        } => count::veto_majority(rule, ballots, *yes_needed, veto_holders),
        DecisionRule::QualifiedMajority {
            member_share,
            population_share,
            min_blocking_members,
        } => share::qualified_majority(
            rule,
            ballots,
            *member_share,
            *population_share,
            *min_blocking_members,
        ),
        DecisionRule::Weighted { threshold } => share::weighted(rule, ballots, *threshold),
    })
}

fn validate(rule: &DecisionRule, ballots: &[Ballot]) -> Result<(), RuleError> {
    let mut problems = Vec::new();
    if ballots.is_empty() {
        problems.push(Problem::NoBallots);
    }
    let mut seen = BTreeSet::new();
    for ballot in ballots {
        if !seen.insert(ballot.member.as_str()) {
            problems.push(Problem::DuplicateMember {
                member: ballot.member.clone(),
            });
        }
    }
    let mut fraction = |parameter: &'static str, value: f64, allow_one: bool| {
        let ok = value.is_finite() && value > 0.0 && (value < 1.0 || (allow_one && value == 1.0));
        if !ok {
            problems.push(Problem::ThresholdOutOfRange { parameter, value });
        }
    };
    match rule {
        DecisionRule::Majority {
            threshold,
            comparison,
            ..
        } => {
            // "More than 100 %" can never be met, so it is refused rather than always short.
            fraction("threshold", *threshold, *comparison == Comparison::AtLeast);
        }
        DecisionRule::QualifiedMajority {
            member_share,
            population_share,
            ..
        } => {
            fraction("member_share", *member_share, true);
            fraction("population_share", *population_share, true);
            for ballot in ballots.iter().filter(|b| b.population.is_none()) {
                problems.push(Problem::MissingPopulation {
                    member: ballot.member.clone(),
                });
            }
        }
        DecisionRule::Weighted { threshold } => {
            fraction("threshold", *threshold, true);
            for ballot in ballots {
                match ballot.weight {
                    None => problems.push(Problem::MissingWeight {
                        member: ballot.member.clone(),
                    }),
                    Some(w) if !w.is_finite() || w < 0.0 => problems.push(Problem::InvalidWeight {
                        member: ballot.member.clone(),
                        weight: w,
                    }),
                    Some(_) => {}
                }
            }
        }
        DecisionRule::VetoMajority { yes_needed, .. } => {
            if *yes_needed == 0 || *yes_needed > ballots.len() {
                problems.push(Problem::YesNeededOutOfRange {
                    yes_needed: *yes_needed,
                    members: ballots.len(),
                });
            }
        }
        DecisionRule::Consensus | DecisionRule::Unanimity { .. } => {}
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(RuleError { problems })
    }
}

/// `value ≥ fraction × total`, tolerant of the rounding in `fraction × total` so that
/// 2 of 3 meets two-thirds; the tolerance stays below half a unit, so integers are exact.
pub(crate) fn reaches(value: f64, fraction: f64, total: f64) -> bool {
    value >= fraction * total - tolerance(total)
}

/// `value > fraction × total`, with the same tolerance as [`reaches`].
pub(crate) fn exceeds(value: f64, fraction: f64, total: f64) -> bool {
    value > fraction * total + tolerance(total)
}

fn tolerance(total: f64) -> f64 {
    (total.abs() * 1e-12).clamp(1e-9, 0.25)
}

/// Blockers in ballot order: members holding the candidate by their position.
fn holds(ballots: &[Ballot], abstention_blocks: bool) -> Vec<Blocker> {
    ballots
        .iter()
        .filter_map(|b| {
            let hold = match &b.position {
                Position::Objects => Hold::Objects,
                Position::Withholds => Hold::Withholds,
                Position::PrefersRival { rival } => Hold::PrefersRival {
                    rival: rival.clone(),
                },
                Position::Abstains if abstention_blocks => Hold::Abstains,
                Position::Absent if abstention_blocks => Hold::Absent,
                _ => return None,
            };
            Some(Blocker {
                member: b.member.clone(),
                hold,
            })
        })
        .collect()
}

fn pending(ballots: &[Ballot]) -> Vec<String> {
    ballots
        .iter()
        .filter(|b| matches!(b.position, Position::Pending { .. }))
        .map(|b| b.member.clone())
        .collect()
}

/// Non-supporters, closest to supporting first (ties in ballot order).
fn persuadable(ballots: &[Ballot]) -> Vec<&Ballot> {
    let mut out: Vec<&Ballot> = ballots
        .iter()
        .filter(|b| b.position.class() != VoteClass::Yes)
        .collect();
    out.sort_by_key(|b| b.position.distance());
    out
}

/// Checks a rule's parameters against the organisation, before any board exists: what a
/// scenario import refuses (located at the parameter) rather than a contest that can never be
/// counted. Each problem is (parameter, message, what was expected).
pub fn check_parameters(
    rule: &DecisionRule,
    members: &[crate::model::Member],
) -> Vec<(&'static str, String, String)> {
    let mut out = Vec::new();
    let mut fraction = |parameter: &'static str, value: f64, allow_one: bool| {
        let ok = value.is_finite() && value > 0.0 && (value < 1.0 || (allow_one && value == 1.0));
        if !ok {
            out.push((
                parameter,
                format!("{parameter} is {value}, not a fraction a vote can reach"),
                if allow_one {
                    "a fraction above 0 and at most 1, e.g. 0.5 or 0.6667".to_owned()
                } else {
                    "a fraction above 0 and below 1 (more than the whole can never be met)"
                        .to_owned()
                },
            ));
        }
    };
    match rule {
        DecisionRule::Majority {
            threshold,
            comparison,
            ..
        } => fraction("threshold", *threshold, *comparison == Comparison::AtLeast),
        DecisionRule::QualifiedMajority {
            member_share,
            population_share,
            ..
        } => {
            fraction("member_share", *member_share, true);
            fraction("population_share", *population_share, true);
            let missing: Vec<&str> = members
                .iter()
                .filter(|m| !m.attributes.contains_key("population"))
                .map(|m| m.code.as_str())
                .collect();
            if !missing.is_empty() {
                out.push((
                    "population",
                    format!(
                        "a qualified majority counts population, and {} of the members have none: {}",
                        missing.len(),
                        shorten(&missing)
                    ),
                    "`population = NUMBER` in every member's attributes".to_owned(),
                ));
            }
        }
        DecisionRule::Weighted { threshold } => {
            fraction("threshold", *threshold, true);
            let missing: Vec<&str> = members
                .iter()
                .filter(|m| {
                    !m.attributes
                        .get("votes")
                        .is_some_and(|w| w.is_finite() && *w >= 0.0)
                })
                .map(|m| m.code.as_str())
                .collect();
            if !missing.is_empty() {
                out.push((
                    "votes",
                    format!(
                        "a weighted vote counts votes, and {} of the members have no valid number: {}",
                        missing.len(),
                        shorten(&missing)
                    ),
                    "`votes = NUMBER ≥ 0` in every member's attributes".to_owned(),
                ));
            }
        }
        // A veto holder absent from the member list simply never vetoes (a historical case
        // lists only the members its events name), so only the count is checked.
        DecisionRule::VetoMajority { yes_needed, .. } => {
            if *yes_needed == 0 || *yes_needed > members.len() {
                out.push((
                    "yes_needed",
                    format!("yes_needed is {yes_needed}"),
                    format!("between 1 and the {} members", members.len()),
                ));
            }
        }
        DecisionRule::Consensus | DecisionRule::Unanimity { .. } => {}
    }
    out
}

/// The first few codes of a long list, and how many more.
fn shorten(codes: &[&str]) -> String {
    const SHOWN: usize = 8;
    if codes.len() <= SHOWN {
        codes.join(", ")
    } else {
        format!(
            "{} and {} more",
            codes[..SHOWN].join(", "),
            codes.len() - SHOWN
        )
    }
}
