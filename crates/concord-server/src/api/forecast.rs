//! The forecast and what-ifs of a contest (the bundled model of `design/forecast.md`):
//! `GET /api/contests/{id}/forecast` answers what `concord forecast --format json` prints, and
//! `POST /api/contests/{id}/whatif` what `concord whatif --format json` prints.
//!
//! An adapter: the application layer (`crate::app::reads`) computes the forecast from what the
//! caller may see, caches it (bounded in bytes), bounds its cost (`as_of` within the contest's
//! life, at most ten years of curve, at most a million trials, two runs at a time).

use axum::extract::{Path, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use concord_domain::ContestState;
use concord_domain::diagnostic::{Diagnostic, Diagnostics, Location, did_you_mean};
use concord_forecast::{Edit, MilestoneKind, Params, RunConfig, WhatIf};
use jiff::civil::Date;
use serde::Deserialize;
use serde_json::Value;

use super::body::JsonBody;
use crate::app::reads::{DefaultDate, MAX_TRIALS};
use crate::{ApiError, AppState, Principal};

/// Trials when the request names none: a standard error of at most 0.35 percentage points on
/// any probability, within about a second on two cores. (The CLI's default is the parameter
/// file's 200,000; ask for `trials=200000` to get its numbers exactly.)
pub const DEFAULT_TRIALS: u64 = 20_000;

fn at(path: &str) -> Location {
    Location::Json {
        file: "body".to_owned(),
        path: path.to_owned(),
    }
}

/// The run settings of a request: trials and seed (default the parameter file's); with the
/// hold sensitivities (the forecast) or without (a what-if's runs, as the CLI makes them).
fn config(trials: u64, seed: u64, sensitivities: bool) -> RunConfig {
    let params = Params::bundled();
    RunConfig {
        trials,
        seed,
        // As the CLI: the parameter file's count, which the engine caps at `trials`.
        sensitivity_trials: if sensitivities {
            params.run.sensitivity_trials
        } else {
            0
        },
    }
}

fn trials_of(given: Option<u64>, path: &str, problems: &mut Diagnostics) -> u64 {
    match given {
        None => DEFAULT_TRIALS,
        Some(t) if (1..=MAX_TRIALS).contains(&t) => t,
        Some(t) => {
            problems.push(
                Diagnostic::new(at(path), format!("{t} trials is out of range"))
                    .expected(format!("a whole number from 1 to {MAX_TRIALS}")),
            );
            DEFAULT_TRIALS
        }
    }
}

fn bad_input(problems: &Diagnostics) -> ApiError {
    let n = problems.0.len();
    ApiError::BadInput {
        message: format!("{n} problem{} found", if n == 1 { "" } else { "s" }),
        problems: problems.0.iter().map(crate::error::Problem::from).collect(),
    }
}

fn check_member(s: &ContestState, problems: &mut Diagnostics, path: &str, code: &str) {
    if s.member(code).is_none() {
        problems.push(
            Diagnostic::new(at(path), format!("unknown member '{code}'"))
                .expected(format!("a member of {}", s.definition.id))
                .suggest(did_you_mean(
                    code,
                    s.members.iter().map(|m| m.code.as_str()),
                )),
        );
    }
}

/// The query of `GET /api/contests/{id}/forecast`. Numbers arrive as text so that a bad one
/// is answered in the one error shape, at its name.
#[derive(Debug, Deserialize)]
pub struct ForecastQuery {
    pub as_of: Option<String>,
    pub trials: Option<String>,
    pub seed: Option<String>,
}

fn number(given: Option<&str>, name: &str, problems: &mut Diagnostics) -> Option<u64> {
    let s = given?;
    match s.parse::<u64>() {
        Ok(n) => Some(n),
        Err(_) => {
            problems.push(
                Diagnostic::new(at(name), format!("'{s}' is not a whole number"))
                    .expected("a non-negative integer"),
            );
            None
        }
    }
}

/// `GET /api/contests/{id}/forecast?as_of=YYYY-MM-DD&trials=N&seed=S`: P(decision by date),
/// each candidate's chance, the binding holds and their sensitivities, each with its standard
/// error — the JSON of `concord forecast --format json`, from what the caller may see.
pub async fn forecast(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    Query(q): Query<ForecastQuery>,
) -> Result<Response, ApiError> {
    let mut problems = Diagnostics::default();
    let trials = number(q.trials.as_deref(), "trials", &mut problems);
    let trials = trials_of(trials, "trials", &mut problems);
    let seed =
        number(q.seed.as_deref(), "seed", &mut problems).unwrap_or(Params::bundled().run.seed);
    if !problems.is_empty() {
        return Err(bad_input(&problems));
    }
    let as_of = state
        .as_of(&id, q.as_of.as_deref(), "as_of", DefaultDate::Today)
        .await?;
    let base = state
        .forecast(&id, as_of, &who, config(trials, seed, true))
        .await?;
    Ok(([(CONTENT_TYPE, "application/json")], base.json.clone()).into_response())
}

/// The body of `POST /api/contests/{id}/whatif`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WhatIfIn {
    /// Forecast with what was known on this date (default today).
    pub as_of: Option<String>,
    /// One or more edits, applied in order; see [`parse_edit`] for their shape.
    pub edits: Vec<Value>,
    pub trials: Option<u64>,
    pub seed: Option<u64>,
}

const EDITS: [&str; 4] = ["lift", "withdraw", "commit", "move_deadline"];
const KINDS: [&str; 4] = ["target", "meeting", "hard_deadline", "term_end"];

/// One edit of a what-if, in the shape the answer's `edits` echo (the forecast crate's):
/// `{"edit": "lift", "member": "HUN", "candidate": "rutte"}` (candidate optional: every hold),
/// `{"edit": "withdraw", "candidate": "iohannis"}`,
/// `{"edit": "commit", "candidate": "rutte", "member": "TUR", "count": 1}` (count default 1),
/// `{"edit": "move_deadline", "kind": "hard_deadline", "to": "2024-09-01"}`.
/// The form keyed by the edit's name is accepted too: `{"lift": {"member": "HUN"}}`.
/// Candidates are named by id or by name; members by code.
fn parse_edit(s: &ContestState, v: &Value, path: &str, problems: &mut Diagnostics) -> Option<Edit> {
    let Some(obj) = v.as_object() else {
        problems.push(
            Diagnostic::new(at(path), "an edit is an object")
                .expected(r#"{"edit": "lift", "member": "HUN"}"#),
        );
        return None;
    };
    let (kind, mut fields, fpath) = if let Some(kind) = obj.get("edit") {
        let Some(kind) = kind.as_str() else {
            problems.push(
                Diagnostic::new(at(&format!("{path}.edit")), "the edit's name is text")
                    .expected(EDITS.join(", ")),
            );
            return None;
        };
        let mut rest = obj.clone();
        rest.remove("edit");
        (kind.to_owned(), rest, path.to_owned())
    } else if let [(kind, inner)] = obj.iter().collect::<Vec<_>>().as_slice() {
        let fpath = format!("{path}.{kind}");
        let Some(inner) = inner.as_object() else {
            problems.push(
                Diagnostic::new(at(&fpath), "expected an object of the edit's fields")
                    .expected(r#"{"member": "HUN"}"#),
            );
            return None;
        };
        ((*kind).clone(), inner.clone(), fpath)
    } else {
        problems.push(
            Diagnostic::new(at(&format!("{path}.edit")), "which edit? no 'edit' field")
                .expected(EDITS.join(", ")),
        );
        return None;
    };
    let allowed: &[&str] = match kind.as_str() {
        "lift" => &["member", "candidate"],
        "withdraw" => &["candidate"],
        "commit" => &["candidate", "member", "count"],
        "move_deadline" => &["kind", "to"],
        other => {
            problems.push(
                Diagnostic::new(
                    at(&format!("{path}.edit")),
                    format!("unknown edit '{other}'"),
                )
                .expected(EDITS.join(", "))
                .suggest(did_you_mean(other, EDITS)),
            );
            return None;
        }
    };
    let before = problems.0.len();
    for name in fields.keys() {
        if !allowed.contains(&name.as_str()) {
            problems.push(
                Diagnostic::new(
                    at(&format!("{fpath}.{name}")),
                    format!("unknown field '{name}' for {kind}"),
                )
                .expected(allowed.join(", "))
                .suggest(did_you_mean(name, allowed.iter().copied())),
            );
        }
    }
    let mut text = |name: &str, required: bool| -> Option<String> {
        let p = format!("{fpath}.{name}");
        match fields.remove(name) {
            None | Some(Value::Null) if !required => None,
            None | Some(Value::Null) => {
                problems.push(Diagnostic::new(at(&p), format!("{kind} needs a {name}")));
                None
            }
            Some(Value::String(t)) => Some(t),
            Some(_) => {
                problems.push(Diagnostic::new(at(&p), format!("the {name} is text")));
                None
            }
        }
    };
    let edit = match kind.as_str() {
        "lift" => {
            let member = text("member", true);
            let candidate = text("candidate", false);
            Edit::Lift {
                member: member?,
                candidate,
            }
        }
        "withdraw" => Edit::Withdraw {
            candidate: text("candidate", true)?,
        },
        "commit" => {
            let candidate = text("candidate", true);
            let member = text("member", true);
            let count = match fields.remove("count") {
                None | Some(Value::Null) => Some(1),
                Some(n) => match n.as_u64().and_then(|n| u32::try_from(n).ok()) {
                    Some(n) if n >= 1 => Some(n),
                    _ => {
                        problems.push(
                            Diagnostic::new(
                                at(&format!("{fpath}.count")),
                                format!("{n} is not a count"),
                            )
                            .expected("a whole number of conditions, at least 1"),
                        );
                        None
                    }
                },
            };
            Edit::Commit {
                candidate: candidate?,
                member: member?,
                count: count?,
            }
        }
        _ => {
            let kind = text("kind", true);
            let to = text("to", true);
            let kind = kind.and_then(|k| match k.as_str() {
                "target" => Some(MilestoneKind::Target),
                "meeting" => Some(MilestoneKind::Meeting),
                "hard_deadline" => Some(MilestoneKind::HardDeadline),
                "term_end" => Some(MilestoneKind::TermEnd),
                other => {
                    problems.push(
                        Diagnostic::new(
                            at(&format!("{fpath}.kind")),
                            format!("unknown milestone kind '{other}'"),
                        )
                        .expected(KINDS.join(", "))
                        .suggest(did_you_mean(other, KINDS)),
                    );
                    None
                }
            });
            let to = to.and_then(|t| match t.parse::<Date>() {
                Ok(d) => Some(d),
                Err(_) => {
                    problems.push(
                        Diagnostic::new(at(&format!("{fpath}.to")), format!("'{t}' is not a date"))
                            .expected("YYYY-MM-DD"),
                    );
                    None
                }
            });
            Edit::MoveDeadline {
                kind: kind?,
                to: to?,
            }
        }
    };
    // Names are checked against the contest, and candidates turned into the names the forecast
    // input uses.
    let edit = match edit {
        Edit::Lift { member, candidate } => {
            check_member(s, problems, &format!("{fpath}.member"), &member);
            let candidate = candidate
                .and_then(|c| candidate_name(s, problems, &format!("{fpath}.candidate"), &c));
            Edit::Lift { member, candidate }
        }
        Edit::Withdraw { candidate } => Edit::Withdraw {
            candidate: candidate_name(s, problems, &format!("{fpath}.candidate"), &candidate)
                .unwrap_or(candidate),
        },
        Edit::Commit {
            candidate,
            member,
            count,
        } => {
            check_member(s, problems, &format!("{fpath}.member"), &member);
            Edit::Commit {
                candidate: candidate_name(s, problems, &format!("{fpath}.candidate"), &candidate)
                    .unwrap_or(candidate),
                member,
                count,
            }
        }
        e @ Edit::MoveDeadline { .. } => e,
    };
    (problems.0.len() == before).then_some(edit)
}

/// The name the forecast input knows a candidate by, from its id or its name.
fn candidate_name(
    s: &ContestState,
    problems: &mut Diagnostics,
    path: &str,
    given: &str,
) -> Option<String> {
    let found = s
        .candidates
        .iter()
        .find(|c| c.profile.id == given || c.profile.name.eq_ignore_ascii_case(given));
    match found {
        Some(c) => Some(c.profile.name.clone()),
        None => {
            let known: Vec<&str> = s.candidates.iter().map(|c| c.profile.id.as_str()).collect();
            problems.push(
                Diagnostic::new(at(path), format!("unknown candidate '{given}'"))
                    .expected(format!("one of {}", known.join(", ")))
                    .suggest(did_you_mean(given, known.iter().copied())),
            );
            None
        }
    }
}

/// `POST /api/contests/{id}/whatif`: the forecast with the edits applied beside the baseline,
/// both on the same random numbers (the difference is the edits', not noise) —
/// `{"baseline": Forecast, "scenario": Forecast, "edits": [Edit]}`, as `concord whatif
/// --format json` prints it. Reads only: anyone who may read may ask.
pub async fn whatif(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    body: JsonBody<WhatIfIn>,
) -> Result<Response, ApiError> {
    let w = body.parse()?;
    // Members and candidates from the structural fold: it holds no stances at all, so checking
    // names against it reveals nothing confidential.
    let s = state.structure(&id).await?;
    let mut problems = Diagnostics::default();
    let trials = trials_of(w.trials, "$.trials", &mut problems);
    let seed = w.seed.unwrap_or(Params::bundled().run.seed);
    if w.edits.is_empty() {
        problems.push(
            Diagnostic::new(at("$.edits"), "name at least one edit")
                .expected("lift, withdraw, commit or move_deadline"),
        );
    }
    let edits: Vec<Option<Edit>> = w
        .edits
        .iter()
        .enumerate()
        .map(|(i, e)| parse_edit(&s, e, &format!("$.edits[{i}]"), &mut problems))
        .collect();
    if !problems.is_empty() {
        return Err(bad_input(&problems));
    }
    let edits: Vec<Edit> = edits.into_iter().flatten().collect();
    let as_of = state
        .as_of(&id, w.as_of.as_deref(), "$.as_of", DefaultDate::Today)
        .await?;
    let base = state
        .forecast(&id, as_of, &who, config(trials, seed, false))
        .await?;
    // Each edit must apply to what the contest is on `as_of` (a hold that exists, a candidate
    // still declared); the first that does not is named at its path.
    let mut edited = base.input.clone();
    for (i, edit) in edits.iter().enumerate() {
        match edited.apply(edit) {
            Ok(next) => edited = next,
            Err(e) => {
                problems.push(Diagnostic::new(
                    at(&format!("$.edits[{i}]")),
                    format!("{e} as of {as_of}"),
                ));
                return Err(bad_input(&problems));
            }
        }
    }
    let scenario = state
        .forecast_edited(edited, config(trials, seed, false))
        .await?;
    let out = WhatIf {
        edits,
        baseline: base.forecast.clone(),
        scenario,
    };
    let json = serde_json::to_vec(&out).map_err(ApiError::internal)?;
    Ok(([(CONTENT_TYPE, "application/json")], json).into_response())
}
