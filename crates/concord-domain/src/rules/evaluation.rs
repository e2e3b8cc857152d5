//! The outcome of a rule: status, tally, margins, blockers, pending members and the flip,
//! with stable serde names and a one-line `Display` for tables and logs.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{Ballot, Comparison, DecisionRule, MajorityBase, Position};

/// Where the candidate stands under the rule.
///
/// Ordered from worst to best for the candidate, so monotonicity can be stated as
/// "adding a supporter never lowers the status".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Someone stands in the way: a hold, an objection, a veto.
    Blocked,
    /// Not enough in favour, and nobody specifically blocks.
    Short,
    /// Consensus: nothing blocks yet (silence is consent until it is formalised).
    Clear,
    /// The rule's thresholds are met.
    Adopted,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Blocked => "blocked",
            Status::Short => "short",
            Status::Clear => "clear",
            Status::Adopted => "adopted",
        }
    }
}

/// Counts of ballots per position class.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub supports: usize,
    pub leans: usize,
    pub pending: usize,
    pub undeclared: usize,
    pub abstains: usize,
    pub absent: usize,
    pub withholds: usize,
    pub prefers_rival: usize,
    pub objects: usize,
}

impl Tally {
    pub fn of(ballots: &[Ballot]) -> Self {
        let mut t = Tally::default();
        for b in ballots {
            let slot = match b.position {
                Position::Supports => &mut t.supports,
                Position::Leans => &mut t.leans,
                Position::Pending { .. } => &mut t.pending,
                Position::Undeclared => &mut t.undeclared,
                Position::Abstains => &mut t.abstains,
                Position::Absent => &mut t.absent,
                Position::Withholds => &mut t.withholds,
                Position::PrefersRival { .. } => &mut t.prefers_rival,
                Position::Objects => &mut t.objects,
            };
            *slot += 1;
        }
        t
    }

    /// Every ballot.
    pub fn total(&self) -> usize {
        self.yes() + self.no() + self.neither()
    }

    pub fn yes(&self) -> usize {
        self.supports
    }

    /// Withholds, objects and prefers a rival.
    pub fn no(&self) -> usize {
        self.withholds + self.prefers_rival + self.objects
    }

    /// Leans, pending, undeclared, abstains and absent.
    pub fn neither(&self) -> usize {
        self.leans + self.pending + self.undeclared + self.abstains + self.absent
    }
}

/// What a margin measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Criterion {
    /// Consensus / unanimity blockers (an upper bound: at most `required`).
    Holds,
    /// Members in favour.
    Members,
    /// Population of the members in favour.
    Population,
    /// Yes votes.
    Votes,
    /// Yes votes as a share of the majority's base.
    Share,
    /// Weighted votes in favour.
    Weight,
    /// Vetoes cast (an upper bound: at most `required`).
    Vetoes,
}

/// The unit of a margin's numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Count,
    Percent,
}

/// How far above or below one threshold the candidate stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Margin {
    pub criterion: Criterion,
    pub unit: Unit,
    /// Where the candidate stands.
    pub value: f64,
    /// The threshold (a floor, or a ceiling for holds and vetoes).
    pub required: f64,
    /// Signed room: positive is spare, negative is the shortfall.
    pub margin: f64,
    pub met: bool,
}

impl Margin {
    pub(super) fn floor(
        criterion: Criterion,
        unit: Unit,
        value: f64,
        required: f64,
        met: bool,
    ) -> Self {
        Margin {
            criterion,
            unit,
            value,
            required,
            margin: value - required,
            met,
        }
    }

    pub(super) fn ceiling(criterion: Criterion, value: usize, allowed: usize) -> Self {
        Margin {
            criterion,
            unit: Unit::Count,
            value: value as f64,
            required: allowed as f64,
            margin: allowed as f64 - value as f64,
            met: value <= allowed,
        }
    }
}

/// Why a member stands in the way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Hold {
    Objects,
    Withholds,
    /// Implicit: the member backs another candidate for the same office.
    PrefersRival {
        rival: String,
    },
    /// A veto holder objecting.
    Veto,
    /// Only under unanimity with `abstention_blocks`.
    Abstains,
    /// Only under unanimity with `abstention_blocks`.
    Absent,
}

impl Hold {
    /// An implicit hold comes from backing a rival, not from a stated position on this candidate.
    pub fn is_implicit(&self) -> bool {
        matches!(self, Hold::PrefersRival { .. })
    }
}

impl fmt::Display for Hold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Hold::Objects => f.write_str("objects"),
            Hold::Withholds => f.write_str("withholds"),
            Hold::PrefersRival { rival } => write!(f, "prefers {rival}"),
            Hold::Veto => f.write_str("veto"),
            Hold::Abstains => f.write_str("abstains"),
            Hold::Absent => f.write_str("absent"),
        }
    }
}

/// A member standing in the way, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blocker {
    pub member: String,
    pub hold: Hold,
}

impl fmt::Display for Blocker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.member, self.hold)
    }
}

/// What would change the outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Flip {
    /// Every listed member must lift its hold or veto; after that, `then_join` more members
    /// must still come to support (veto majority short of votes, unanimity with undecided members).
    Release {
        members: Vec<String>,
        then_join: usize,
    },
    /// `count` more members must come to support; `members` is one smallest such set, the
    /// likeliest first. `exact` says the count is proven minimal.
    Join {
        count: usize,
        members: Vec<String>,
        exact: bool,
    },
    /// `count` members turning against it would undo it; `members` is one smallest such
    /// coalition, or empty when any `count` of them would do: any member breaking silence
    /// (consensus, unanimity), any `count` supporters (majority, veto majority without a veto
    /// holder on the board).
    Block {
        count: usize,
        members: Vec<String>,
        exact: bool,
    },
}

/// The evaluation of one candidate under one rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// The rule applied, with its parameters.
    pub rule: DecisionRule,
    pub status: Status,
    pub tally: Tally,
    pub margins: Vec<Margin>,
    /// In ballot order.
    pub blockers: Vec<Blocker>,
    /// Members whose conditions are not yet met, in ballot order.
    pub pending: Vec<String>,
    pub flip: Flip,
}

impl Evaluation {
    pub fn margin(&self, criterion: Criterion) -> Option<&Margin> {
        self.margins.iter().find(|m| m.criterion == criterion)
    }

    /// Member codes of the blockers.
    pub fn blocker_codes(&self) -> Vec<&str> {
        self.blockers.iter().map(|b| b.member.as_str()).collect()
    }
}

/// "12.3 %", or "55 %" for a whole number.
fn pct(x: f64) -> String {
    let rounded = (x * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0} %")
    } else {
        format!("{rounded:.1} %")
    }
}

fn list(items: &[String]) -> String {
    items.join(", ")
}

fn write_blockers(f: &mut fmt::Formatter<'_>, blockers: &[Blocker]) -> fmt::Result {
    f.write_str("blocked by ")?;
    for (i, b) in blockers.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{b}")?;
    }
    Ok(())
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

impl fmt::Display for Evaluation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total = self.tally.total();
        let yes = self.tally.yes();
        let join_count = match &self.flip {
            Flip::Join { count, .. } => *count,
            Flip::Release { then_join, .. } => *then_join,
            Flip::Block { .. } => 0,
        };
        match &self.rule {
            DecisionRule::Consensus => {
                if self.status == Status::Blocked {
                    write_blockers(f, &self.blockers)
                } else {
                    f.write_str("clear")?;
                    match self.pending.as_slice() {
                        [] => Ok(()),
                        [one] => write!(f, ", pending {one}'s conditions"),
                        many => write!(f, ", pending the conditions of {}", list(many)),
                    }
                }
            }
            DecisionRule::Unanimity { .. } => match self.status {
                Status::Blocked => {
                    write_blockers(f, &self.blockers)?;
                    if join_count > 0 {
                        write!(f, "; {} not yet in favour", join_count)?;
                    }
                    Ok(())
                }
                Status::Short => {
                    let members = match &self.flip {
                        Flip::Join { members, .. } => list(members),
                        _ => String::new(),
                    };
                    write!(
                        f,
                        "short: {yes} of {total} members in favour; not yet: {members}"
                    )
                }
                _ => {
                    write!(f, "adopted: {yes} of {total} members in favour")?;
                    let away = self.tally.abstains + self.tally.absent;
                    if away > 0 {
                        write!(f, ", {} abstaining or absent", away)?;
                    }
                    Ok(())
                }
            },
            DecisionRule::Majority {
                threshold,
                base,
                comparison,
            } => {
                let counted = match base {
                    MajorityBase::AllMembers => total,
                    MajorityBase::PresentAndVoting => yes + self.tally.no(),
                };
                let base_name = match base {
                    MajorityBase::AllMembers => "members",
                    MajorityBase::PresentAndVoting => "present and voting",
                };
                let share = self
                    .margin(super::Criterion::Share)
                    .map_or(0.0, |m| m.value);
                let needs = match comparison {
                    Comparison::MoreThan => "more than",
                    Comparison::AtLeast => "at least",
                };
                if self.status == Status::Adopted {
                    f.write_str("adopted: ")?;
                } else {
                    write!(f, "short by {}: ", plural(join_count, "vote", "votes"))?;
                }
                write!(
                    f,
                    "{yes} of {counted} {base_name} in favour ({}, needs {needs} {})",
                    pct(share),
                    pct(threshold * 100.0)
                )
            }
            DecisionRule::QualifiedMajority {
                min_blocking_members,
                ..
            } => {
                f.write_str(self.status.as_str())?;
                f.write_str(": ")?;
                let members = self.margin(Criterion::Members);
                let population = self.margin(Criterion::Population);
                write!(f, "{yes} of {total} members")?;
                if let Some(m) = members {
                    write!(f, " ({})", pct(m.value))?;
                    if !m.met {
                        write!(f, " (needs {})", pct(m.required))?;
                    }
                }
                if let Some(p) = population {
                    write!(f, ", {} of population", pct(p.value))?;
                    if !p.met {
                        write!(f, " (needs {})", pct(p.required))?;
                    } else if p.value < p.required {
                        write!(
                            f,
                            " (population criterion deemed met: fewer than {min_blocking_members} members against)"
                        )?;
                    }
                }
                Ok(())
            }
            DecisionRule::VetoMajority { yes_needed, .. } => match self.status {
                Status::Blocked => {
                    write_blockers(f, &self.blockers)?;
                    if join_count > 0 {
                        write!(
                            f,
                            "; also short by {} ({yes} of {total} in favour, needs {yes_needed})",
                            plural(join_count, "vote", "votes")
                        )?;
                    }
                    Ok(())
                }
                Status::Short => write!(
                    f,
                    "short by {}: {yes} of {total} in favour (needs {yes_needed})",
                    plural(join_count, "vote", "votes")
                ),
                _ => write!(f, "adopted: {yes} of {total} in favour, no veto"),
            },
            DecisionRule::Weighted { threshold } => {
                let weight = self.margin(Criterion::Weight).map_or(0.0, |m| m.value);
                write!(
                    f,
                    "{}: {} of weight in favour (needs {}), {yes} of {total} members",
                    self.status.as_str(),
                    pct(weight),
                    pct(threshold * 100.0)
                )
            }
        }
    }
}
