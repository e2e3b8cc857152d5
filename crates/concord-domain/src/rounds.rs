//! The rounds of a contest decided in rounds, as a reader follows them: straw polls (UN
//! Security Council practice: encourage / discourage / no opinion per candidate, the permanent
//! members' ballots coloured in later polls), consultation rounds (WTO practice: facilitators
//! cut the field), and ballot rounds (an executive board's votes). For each round: the tally
//! beside the rule's threshold, who went through or out; for each candidate, the trend; and who
//! could veto.

use jiff::civil::Date;
use serde::Serialize;

use crate::model::{CandidateId, CandidateStatus, MemberCode};
use crate::rules::DecisionRule;
use crate::state::ContestState;

/// What a straw poll's tally says about a candidate under the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PollReading {
    /// Enough encouragements and, colour-coded, no permanent member discouraging.
    Meets,
    /// Enough encouragements, but discouragements that could be (uncoloured) a permanent
    /// member's: a possible veto.
    MeetsUnlessVetoed,
    /// A permanent member discouraged (colour-coded): a veto in a formal vote.
    Vetoed,
    /// Too few encouragements.
    Short,
}

impl PollReading {
    pub fn as_str(self) -> &'static str {
        match self {
            PollReading::Meets => "passes",
            PollReading::MeetsUnlessVetoed => "passes unless a P5 discouraged",
            PollReading::Vetoed => "vetoed (a red discouragement)",
            PollReading::Short => "short",
        }
    }
}

/// One candidate's line in a straw poll.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PollLine {
    pub candidate: CandidateId,
    pub name: String,
    pub encourage: u32,
    pub discourage: u32,
    pub no_opinion: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p5_discourage: Option<u32>,
    /// Encouragements above (+) or below (−) the threshold.
    pub margin: i64,
    /// `None` when the rule sets no threshold for straw polls.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reading: Option<PollReading>,
    /// The reading in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reading_text: Option<&'static str>,
    /// The change in encouragements since the candidate's previous poll.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<i64>,
}

/// One straw poll.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PollView {
    pub round: u32,
    pub date: Date,
    pub colour_coded: bool,
    /// Best first.
    pub lines: Vec<PollLine>,
    /// Candidates who entered since the previous poll.
    pub entered_since: Vec<String>,
    /// Candidates who withdrew since the previous poll (after this one's predecessor).
    pub withdrew_since: Vec<String>,
    pub source: String,
}

/// One round of consultations (or a ballot round with eliminations).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CutView {
    pub round: u32,
    pub date: Date,
    /// Candidates in the field before the cut.
    pub field: usize,
    pub advanced: Vec<String>,
    pub eliminated: Vec<String>,
    pub source: String,
}

/// One ballot round: votes per candidate against the votes needed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BallotView {
    pub round: u32,
    pub date: Date,
    /// (name, votes), most votes first.
    pub votes: Vec<(String, u32)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needed: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voters: Option<u32>,
    pub eliminated: Vec<String>,
    pub source: String,
}

/// A candidate across the polls: encouragements round by round (`None`: not polled or not
/// known).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    pub candidate: CandidateId,
    pub name: String,
    pub encourage: Vec<Option<u32>>,
    pub status: CandidateStatus,
    /// "rising", "falling", "steady" over the last two known polls.
    pub direction: &'static str,
}

/// The straw polls' threshold under the rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Threshold {
    pub encourage_needed: u32,
    /// Members whose discouragement is a veto.
    pub veto_holders: Vec<MemberCode>,
    pub text: String,
}

/// The verdict of the latest straw poll under the rule: what the Council's last round says about
/// the race, the candidates who have since left it aside.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PollVerdict {
    pub round: u32,
    pub date: Date,
    /// The best reading any candidate still in the race has.
    pub reading: PollReading,
    /// Candidates with that reading, best first.
    pub candidates: Vec<String>,
    /// In words: "Antonio Guterres passes: 13 encouragements (9 needed), no permanent member's
    /// discouragement".
    pub text: String,
}

/// Every round of a contest up to its date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundsView {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<Threshold>,
    /// The latest straw poll read against the rule (under a rule with a straw-poll threshold).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest: Option<PollVerdict>,
    pub polls: Vec<PollView>,
    pub trends: Vec<Trend>,
    pub consultations: Vec<CutView>,
    pub ballots: Vec<BallotView>,
}

impl RoundsView {
    /// `None` for a contest with no rounds (yet).
    pub fn build(state: &ContestState) -> Option<RoundsView> {
        if state.straw_polls.is_empty()
            && state.consultations.is_empty()
            && state.ballots.is_empty()
        {
            return None;
        }
        let name = |id: &str| {
            state
                .candidate(id)
                .map_or(id.to_owned(), |c| c.profile.name.clone())
        };
        let threshold = match &state.definition.rule {
            DecisionRule::VetoMajority {
                yes_needed,
                veto_holders,
            } => Some(Threshold {
                encourage_needed: *yes_needed as u32,
                veto_holders: veto_holders.clone(),
                text: format!(
                    "{yes_needed} encouragements and no discouragement from a permanent member ({})",
                    veto_holders.join(", ")
                ),
            }),
            _ => None,
        };

        let mut polls: Vec<PollView> = Vec::new();
        let mut previous: Option<Date> = None;
        let mut last_seen: std::collections::BTreeMap<&str, u32> = Default::default();
        let mut ordered: Vec<&crate::state::StrawPoll> = state.straw_polls.iter().collect();
        ordered.sort_by_key(|p| (p.date, p.round));
        for poll in &ordered {
            let mut lines: Vec<PollLine> = poll
                .results
                .iter()
                .map(|r| {
                    let (margin, reading) = match &threshold {
                        Some(t) => {
                            let margin = i64::from(r.encourage) - i64::from(t.encourage_needed);
                            let reading = if poll.colour_coded && r.p5_discourage.unwrap_or(0) > 0 {
                                PollReading::Vetoed
                            } else if margin < 0 {
                                PollReading::Short
                            } else if !poll.colour_coded && r.discourage > 0 {
                                PollReading::MeetsUnlessVetoed
                            } else {
                                PollReading::Meets
                            };
                            (margin, Some(reading))
                        }
                        None => (0, None),
                    };
                    let change = last_seen
                        .get(r.candidate.as_str())
                        .map(|&before| i64::from(r.encourage) - i64::from(before));
                    PollLine {
                        candidate: r.candidate.clone(),
                        name: name(&r.candidate),
                        encourage: r.encourage,
                        discourage: r.discourage,
                        no_opinion: r.no_opinion,
                        p5_discourage: r.p5_discourage,
                        margin,
                        reading,
                        reading_text: reading.map(PollReading::as_str),
                        change,
                    }
                })
                .collect();
            for r in &poll.results {
                last_seen.insert(r.candidate.as_str(), r.encourage);
            }
            lines.sort_by(|a, b| {
                b.encourage
                    .cmp(&a.encourage)
                    .then(a.discourage.cmp(&b.discourage))
            });
            let between = |d: Date| previous.is_some_and(|p| p < d) && d <= poll.date;
            let entered_since = state
                .candidates
                .iter()
                .filter(|c| between(c.since) && c.out_since.is_none_or(|out| out > poll.date))
                .map(|c| c.profile.name.clone())
                .collect();
            let withdrew_since = state
                .candidates
                .iter()
                .filter(|c| c.eliminated_after.is_none() && c.out_since.is_some_and(between))
                .map(|c| c.profile.name.clone())
                .collect();
            polls.push(PollView {
                round: poll.round,
                date: poll.date,
                colour_coded: poll.colour_coded,
                lines,
                entered_since,
                withdrew_since,
                source: poll.source.clone(),
            });
            previous = Some(poll.date);
        }

        let mut trends: Vec<Trend> = Vec::new();
        for c in &state.candidates {
            let encourage: Vec<Option<u32>> = ordered
                .iter()
                .map(|p| {
                    p.results
                        .iter()
                        .find(|r| r.candidate == c.profile.id)
                        .map(|r| r.encourage)
                })
                .collect();
            if encourage.iter().all(Option::is_none) {
                continue;
            }
            let known: Vec<u32> = encourage.iter().flatten().copied().collect();
            let direction = match known.as_slice() {
                [.., a, b] if b > a => "rising",
                [.., a, b] if b < a => "falling",
                [_, ..] => "steady",
                [] => "steady",
            };
            trends.push(Trend {
                candidate: c.profile.id.clone(),
                name: c.profile.name.clone(),
                encourage,
                status: c.status,
                direction,
            });
        }
        trends.sort_by_key(|t| {
            std::cmp::Reverse(
                t.encourage
                    .iter()
                    .rev()
                    .flatten()
                    .next()
                    .copied()
                    .unwrap_or(0),
            )
        });

        let mut in_field: Vec<&str> = Vec::new();
        let mut consultations: Vec<CutView> = Vec::new();
        let mut cuts: Vec<&crate::state::Consultation> = state.consultations.iter().collect();
        cuts.sort_by_key(|c| (c.date, c.round));
        for cut in cuts {
            // The field before the cut: those still in the race before its date.
            in_field.clear();
            in_field.extend(
                state
                    .candidates
                    .iter()
                    .filter(|c| {
                        c.since <= cut.date
                            && c.status != CandidateStatus::Potential
                            && c.out_since.is_none_or(|out| out >= cut.date)
                    })
                    .map(|c| c.profile.id.as_str()),
            );
            consultations.push(CutView {
                round: cut.round,
                date: cut.date,
                field: in_field
                    .len()
                    .max(cut.advanced.len() + cut.eliminated.len()),
                advanced: cut.advanced.iter().map(|id| name(id)).collect(),
                eliminated: cut.eliminated.iter().map(|id| name(id)).collect(),
                source: cut.source.clone(),
            });
        }

        let mut ballots: Vec<BallotView> = state
            .ballots
            .iter()
            .map(|b| {
                let mut votes: Vec<(String, u32)> = b
                    .votes
                    .iter()
                    .map(|v| (name(&v.candidate), v.votes))
                    .collect();
                votes.sort_by_key(|v| std::cmp::Reverse(v.1));
                BallotView {
                    round: b.round,
                    date: b.date,
                    votes,
                    needed: b.needed,
                    voters: b.voters,
                    eliminated: b.eliminated.iter().map(|id| name(id)).collect(),
                    source: b.source.clone(),
                }
            })
            .collect();
        ballots.sort_by_key(|b| (b.date, b.round));
        let latest = threshold
            .as_ref()
            .and_then(|t| poll_verdict(state, polls.last()?, t));
        Some(RoundsView {
            threshold,
            latest,
            polls,
            trends,
            consultations,
            ballots,
        })
    }
}

/// The latest poll's verdict over the candidates still in the race on the state's date.
fn poll_verdict(state: &ContestState, poll: &PollView, t: &Threshold) -> Option<PollVerdict> {
    let in_race = |id: &str| {
        state
            .candidate(id)
            .is_none_or(|c| c.out_since.is_none_or(|out| out > state.as_of))
    };
    let lines: Vec<&PollLine> = poll
        .lines
        .iter()
        .filter(|l| in_race(&l.candidate))
        .collect();
    let rank = |r: PollReading| match r {
        PollReading::Meets => 0,
        PollReading::MeetsUnlessVetoed => 1,
        PollReading::Vetoed => 2,
        PollReading::Short => 3,
    };
    let best = lines
        .iter()
        .filter_map(|l| l.reading)
        .min_by_key(|r| rank(*r))?;
    let with: Vec<&&PollLine> = lines.iter().filter(|l| l.reading == Some(best)).collect();
    let names: Vec<String> = with.iter().map(|l| l.name.clone()).collect();
    let need = t.encourage_needed;
    let first = with.first()?;
    let text = match best {
        PollReading::Meets => format!(
            "{} {}: {} encouragements ({need} needed){}",
            names.join(" and "),
            if names.len() == 1 { "passes" } else { "pass" },
            first.encourage,
            if poll.colour_coded {
                ", no permanent member's discouragement"
            } else {
                ", no discouragement at all"
            }
        ),
        PollReading::MeetsUnlessVetoed if with.len() == 1 => format!(
            "{} has {} encouragements ({need} needed), but {} uncoloured discouragement{} may hide a permanent member's veto",
            first.name,
            first.encourage,
            first.discourage,
            if first.discourage == 1 { "" } else { "s" }
        ),
        PollReading::MeetsUnlessVetoed => format!(
            "{} have {need} encouragements or more, but their uncoloured discouragements may hide a permanent member's veto",
            with.iter()
                .map(|l| format!(
                    "{} ({}-{}-{})",
                    l.name, l.encourage, l.discourage, l.no_opinion
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        PollReading::Vetoed => format!(
            "nobody passes: {} {} enough encouragements but a permanent member's discouragement (a veto in a formal vote)",
            names.join(", "),
            if names.len() == 1 { "has" } else { "have" },
        ),
        PollReading::Short => format!(
            "nobody has the {need} encouragements needed (the most: {}, {})",
            first.name, first.encourage
        ),
    };
    Some(PollVerdict {
        round: poll.round,
        date: poll.date,
        reading: best,
        candidates: names,
        text,
    })
}
