//! The model's parameters: one versioned TOML file, every value documented there.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The bundled parameter file of model v1 (`params/v1.toml`).
pub const V1_TOML: &str = include_str!("../params/v1.toml");
/// The bundled parameter file of model v2 (`params/v2.toml`), written by
/// `concord backtest cases --write-params`.
pub const V2_TOML: &str = include_str!("../params/v2.toml");

/// Base release rates per day, by kind of hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HazardParams {
    pub objects: f64,
    pub withholds: f64,
    pub own_national: f64,
    pub pending_conditions: f64,
    pub implicit: f64,
    pub consultation: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionParams {
    pub met_boost: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IsolationParams {
    pub factor: f64,
}

/// The deadline effect and the early bump.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PressureParams {
    pub tau_days: f64,
    pub target: f64,
    pub meeting: f64,
    pub hard_deadline: f64,
    pub term_end: f64,
    pub early: f64,
    pub early_tau_days: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowParams {
    pub p: f64,
    pub lag_mean_days: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WithdrawalParams {
    pub share_threshold: f64,
    pub rate: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FreshParams {
    pub p: f64,
    pub delay_mean_days: f64,
    pub entry_delay_mean_days: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionParams {
    pub lag_min_days: f64,
    pub lag_mean_days: f64,
}

/// How a board is turned into holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FromStateParams {
    pub consultation_share: f64,
}

/// Run defaults: horizon, trials, seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunParams {
    pub horizon_days_after_term_end: u32,
    pub trials: u64,
    pub sensitivity_trials: u64,
    pub seed: u64,
}

/// Model v1's parameters: hazards set by judgement (see `params/v1.toml`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct V1Params {
    pub hazard: HazardParams,
    pub conditions: ConditionParams,
    pub isolation: IsolationParams,
    pub pressure: PressureParams,
    pub withdrawal: WithdrawalParams,
    pub fresh: FreshParams,
    pub decision: DecisionParams,
    pub from_state: FromStateParams,
}

/// Which model, with its own parameters.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelParams {
    V1(V1Params),
    V2(V2Params),
}

/// Every parameter of the model, as read from a parameter file.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    pub version: String,
    pub follow: FollowParams,
    pub run: RunParams,
    pub model: ModelParams,
}

/// A v1 parameter file, as written.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct V1File {
    version: String,
    hazard: HazardParams,
    conditions: ConditionParams,
    isolation: IsolationParams,
    pressure: PressureParams,
    follow: FollowParams,
    withdrawal: WithdrawalParams,
    fresh: FreshParams,
    decision: DecisionParams,
    from_state: FromStateParams,
    run: RunParams,
}

/// A v2 parameter file, as written.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct V2File {
    version: String,
    follow: FollowParams,
    run: RunParams,
    structure: StructureParams,
    fit: FitInfo,
    coef: BTreeMap<String, BTreeMap<String, Coefficient>>,
}

/// One estimated coefficient and its standard error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Coefficient {
    pub value: f64,
    pub se: f64,
}

/// The fixed choices of model v2's structure: windows, lists, horizons. Not estimated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StructureParams {
    /// Days before a meeting during which the meeting presses (`pressure.meeting_week`; the
    /// meeting's own day is `pressure.meeting_day`).
    pub meeting_window_days: u32,
    /// Days before a hard deadline or a known term end during which it presses.
    pub deadline_window_days: u32,
    /// Days simulated after `as_of` when the term end is not known.
    pub horizon_days_unknown_term_end: u32,
    /// Members whose hold is a great power's (`hold.great_power`).
    pub great_powers: Vec<String>,
    /// The prior on every coefficient is normal with this standard deviation (a ridge penalty
    /// that keeps weakly identified coefficients finite)…
    pub prior_sd: f64,
    /// …centred on 0, except the intercepts: centred on this log-rate per day.
    pub prior_intercept_mean: f64,
}

/// Where the estimates come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FitInfo {
    /// The contests the coefficients were estimated on.
    pub contests: Vec<String>,
    /// Spell rows (clock × interval × pressure state) and events in the fit.
    pub rows: u64,
    pub events: u64,
    pub exposure_days: f64,
    pub log_likelihood: f64,
    pub iterations: u32,
}

/// Model v2's parameters: coefficients estimated from the corpus by maximum likelihood.
#[derive(Debug, Clone, PartialEq)]
pub struct V2Params {
    pub structure: StructureParams,
    pub fit: FitInfo,
    /// In the order of [`V2_COEFFICIENTS`].
    pub beta: Vec<f64>,
    pub se: Vec<f64>,
}

/// Model v2's coefficients, by group and name, in the order of the design: log-rates per day
/// for the clocks (`hold`, `decide`, `withdraw`, `pressure`), log-odds for the choice of the
/// winner (`choose`).
pub const V2_COEFFICIENTS: [(&str, &str); 38] = [
    ("hold", "withholds"),
    ("hold", "objects"),
    ("hold", "own_national"),
    ("hold", "pending_conditions"),
    ("hold", "great_power"),
    ("hold", "conditions_met"),
    ("hold", "last_hold"),
    ("decide", "consensus"),
    ("decide", "vote"),
    ("decide", "leader_support"),
    ("decide", "leader_held"),
    ("decide", "leader_released"),
    ("decide", "undeclared_share"),
    ("decide", "no_declared"),
    ("decide", "declared_count"),
    ("decide", "recent_events"),
    ("decide", "meeting_day"),
    ("decide", "vote_meeting_day"),
    ("choose", "support_share"),
    ("choose", "leader"),
    ("choose", "held"),
    ("choose", "vetoed"),
    ("choose", "potential"),
    ("choose", "fresh"),
    ("choose", "fresh_leader_held"),
    ("withdraw", "intercept"),
    ("withdraw", "support_share"),
    ("withdraw", "leader"),
    ("pressure", "meeting_day"),
    ("pressure", "meeting_week"),
    ("pressure", "deadline_month"),
    ("pressure", "overdue"),
    ("pressure", "deadline_day"),
    ("pressure", "target_week"),
    ("pressure", "days_1_2"),
    ("pressure", "days_3_7"),
    ("pressure", "days_8_30"),
    ("pressure", "days_31_90"),
];

/// Indices into [`V2_COEFFICIENTS`].
pub mod coef {
    pub const HOLD_WITHHOLDS: usize = 0;
    pub const HOLD_OBJECTS: usize = 1;
    pub const HOLD_OWN_NATIONAL: usize = 2;
    pub const HOLD_PENDING: usize = 3;
    pub const HOLD_GREAT_POWER: usize = 4;
    pub const HOLD_CONDITIONS_MET: usize = 5;
    pub const HOLD_LAST: usize = 6;
    pub const DECIDE_CONSENSUS: usize = 7;
    pub const DECIDE_VOTE: usize = 8;
    pub const DECIDE_LEADER_SUPPORT: usize = 9;
    pub const DECIDE_LEADER_HELD: usize = 10;
    pub const DECIDE_LEADER_RELEASED: usize = 11;
    pub const DECIDE_UNDECLARED: usize = 12;
    pub const DECIDE_NO_DECLARED: usize = 13;
    pub const DECIDE_DECLARED_COUNT: usize = 14;
    pub const DECIDE_RECENT: usize = 15;
    pub const DECIDE_MEETING_DAY: usize = 16;
    pub const DECIDE_VOTE_MEETING_DAY: usize = 17;
    pub const CHOOSE_SUPPORT: usize = 18;
    pub const CHOOSE_LEADER: usize = 19;
    pub const CHOOSE_HELD: usize = 20;
    pub const CHOOSE_VETOED: usize = 21;
    pub const CHOOSE_POTENTIAL: usize = 22;
    pub const CHOOSE_FRESH: usize = 23;
    pub const CHOOSE_FRESH_LEADER_HELD: usize = 24;
    pub const WITHDRAW_INTERCEPT: usize = 25;
    pub const WITHDRAW_SUPPORT: usize = 26;
    pub const WITHDRAW_LEADER: usize = 27;
    pub const PRESSURE_MEETING_DAY: usize = 28;
    pub const PRESSURE_MEETING: usize = 29;
    pub const PRESSURE_DEADLINE: usize = 30;
    pub const PRESSURE_OVERDUE: usize = 31;
    pub const PRESSURE_DEADLINE_DAY: usize = 32;
    pub const PRESSURE_TARGET_WEEK: usize = 33;
    pub const PRESSURE_DAYS_1_2: usize = 34;
    pub const PRESSURE_DAYS_3_7: usize = 35;
    pub const PRESSURE_DAYS_8_30: usize = 36;
    pub const PRESSURE_DAYS_31_90: usize = 37;
    /// How many coefficients.
    pub const COUNT: usize = 38;
    /// The pressure indicators common to every clock, in the order `Pressing::flags`
    /// returns them.
    pub const PRESSURE: [usize; 10] = [
        PRESSURE_MEETING_DAY,
        PRESSURE_MEETING,
        PRESSURE_DEADLINE,
        PRESSURE_OVERDUE,
        PRESSURE_DEADLINE_DAY,
        PRESSURE_TARGET_WEEK,
        PRESSURE_DAYS_1_2,
        PRESSURE_DAYS_3_7,
        PRESSURE_DAYS_8_30,
        PRESSURE_DAYS_31_90,
    ];
    /// The decision clock's own indicators of the day, in the order
    /// `Pressing::decision_flags` returns them.
    pub const DECIDE_DAY: [usize; 2] = [DECIDE_MEETING_DAY, DECIDE_VOTE_MEETING_DAY];
    /// The intercepts of the clocks (their prior is centred on a rate of about once a year).
    pub const INTERCEPTS: [usize; 7] = [
        HOLD_WITHHOLDS,
        HOLD_OBJECTS,
        HOLD_OWN_NATIONAL,
        HOLD_PENDING,
        DECIDE_CONSENSUS,
        DECIDE_VOTE,
        WITHDRAW_INTERCEPT,
    ];
}

impl V2Params {
    /// The value of coefficient `i` (an index from [`coef`]).
    pub fn beta(&self, i: usize) -> f64 {
        self.beta[i]
    }
}

/// A parameter file that could not be used.
#[derive(Debug, Error)]
pub enum ParamsError {
    #[error("parameter file is not a valid model parameter file: {0}")]
    Parse(#[from] toml::de::Error),
    #[error("parameter coef.{group}.{name} is missing")]
    Missing {
        group: &'static str,
        name: &'static str,
    },
    #[error("parameter {0}")]
    Unknown(String),
    #[error("parameter `{name}` = {value} is out of range: {expected}")]
    OutOfRange {
        name: &'static str,
        value: f64,
        expected: &'static str,
    },
}

impl Params {
    /// The bundled v1 parameters.
    pub fn v1() -> Params {
        // The bundled file is checked by a test; failing here is a build defect, not input.
        Params::from_toml_str(V1_TOML).expect("bundled params/v1.toml is valid")
    }

    /// The bundled v2 parameters (parsed once).
    pub fn v2() -> Params {
        static V2: std::sync::LazyLock<Params> = std::sync::LazyLock::new(|| {
            Params::from_toml_str(V2_TOML).expect("bundled params/v2.toml is valid")
        });
        V2.clone()
    }

    /// The model concord forecasts with unless told otherwise: the one that scores better in
    /// the back-test (see the crate's README).
    pub fn bundled() -> Params {
        Params::v2()
    }

    /// Parses and validates a parameter file's text: model v1 or v2, by its `version`.
    pub fn from_toml_str(text: &str) -> Result<Params, ParamsError> {
        let table: toml::Table = toml::from_str(text)?;
        let version = table
            .get("version")
            .and_then(toml::Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let params = if version.starts_with("v2") {
            let file: V2File = toml::from_str(text)?;
            let mut beta = Vec::with_capacity(coef::COUNT);
            let mut se = Vec::with_capacity(coef::COUNT);
            for (group, name) in V2_COEFFICIENTS {
                let c = file
                    .coef
                    .get(group)
                    .and_then(|g| g.get(name))
                    .ok_or(ParamsError::Missing { group, name })?;
                beta.push(c.value);
                se.push(c.se);
            }
            for (group, names) in &file.coef {
                for name in names.keys() {
                    if !V2_COEFFICIENTS.contains(&(group.as_str(), name.as_str())) {
                        return Err(ParamsError::Unknown(format!("coef.{group}.{name}")));
                    }
                }
            }
            Params {
                version: file.version,
                follow: file.follow,
                run: file.run,
                model: ModelParams::V2(V2Params {
                    structure: file.structure,
                    fit: file.fit,
                    beta,
                    se,
                }),
            }
        } else {
            let f: V1File = toml::from_str(text)?;
            Params {
                version: f.version,
                follow: f.follow,
                run: f.run,
                model: ModelParams::V1(V1Params {
                    hazard: f.hazard,
                    conditions: f.conditions,
                    isolation: f.isolation,
                    pressure: f.pressure,
                    withdrawal: f.withdrawal,
                    fresh: f.fresh,
                    decision: f.decision,
                    from_state: f.from_state,
                }),
            }
        };
        params.validate()?;
        Ok(params)
    }

    /// A v2 parameter file's text: `header` (comment lines) then every value.
    pub fn to_toml_string(&self, header: &str) -> String {
        let body = match &self.model {
            ModelParams::V1(v1) => toml::to_string(&V1File {
                version: self.version.clone(),
                hazard: v1.hazard.clone(),
                conditions: v1.conditions.clone(),
                isolation: v1.isolation.clone(),
                pressure: v1.pressure.clone(),
                follow: self.follow.clone(),
                withdrawal: v1.withdrawal.clone(),
                fresh: v1.fresh.clone(),
                decision: v1.decision.clone(),
                from_state: v1.from_state.clone(),
                run: self.run.clone(),
            }),
            ModelParams::V2(v2) => {
                // Every section but the coefficients as TOML writes them; the coefficients as
                // one inline table each, grouped, so the file reads as a table of estimates.
                let mut text = toml::to_string(&V2File {
                    version: self.version.clone(),
                    follow: self.follow.clone(),
                    run: self.run.clone(),
                    structure: v2.structure.clone(),
                    fit: v2.fit.clone(),
                    coef: BTreeMap::new(),
                })
                .expect("parameters always serialise")
                .replace("\n[coef]\n", "\n");
                let mut group = "";
                for (i, (g, name)) in V2_COEFFICIENTS.iter().enumerate() {
                    if *g != group {
                        text.push_str(&format!("\n[coef.{g}]\n"));
                        group = g;
                    }
                    text.push_str(&format!(
                        "{name} = {{ value = {:.4}, se = {:.4} }}\n",
                        v2.beta[i], v2.se[i]
                    ));
                }
                Ok::<String, toml::ser::Error>(text)
            }
        }
        .expect("parameters always serialise");
        format!("{header}{body}")
    }

    /// The v1 parameters to edit, if this is model v1.
    pub fn as_v1_mut(&mut self) -> Option<&mut V1Params> {
        match &mut self.model {
            ModelParams::V1(v1) => Some(v1),
            ModelParams::V2(_) => None,
        }
    }

    /// The v1 parameters, if this is model v1.
    pub fn as_v1(&self) -> Option<&V1Params> {
        match &self.model {
            ModelParams::V1(v1) => Some(v1),
            ModelParams::V2(_) => None,
        }
    }

    /// Checks every value's range; reports the first value out of range.
    pub fn validate(&self) -> Result<(), ParamsError> {
        let common: [(&'static str, f64); 2] = [
            ("follow.lag_mean_days", self.follow.lag_mean_days),
            ("follow.p", self.follow.p),
        ];
        for (name, value) in common {
            if !(value.is_finite() && value >= 0.0) {
                return Err(ParamsError::OutOfRange {
                    name,
                    value,
                    expected: "a finite number >= 0",
                });
            }
        }
        if self.follow.p > 1.0 {
            return Err(ParamsError::OutOfRange {
                name: "follow.p",
                value: self.follow.p,
                expected: "a probability in [0, 1]",
            });
        }
        match &self.model {
            ModelParams::V1(v1) => v1.validate(),
            ModelParams::V2(v2) => {
                for (i, (b, s)) in v2.beta.iter().zip(&v2.se).enumerate() {
                    // Log-rates per day: e^±30 is far beyond any meaningful rate.
                    if !(b.is_finite() && b.abs() <= 30.0 && s.is_finite() && *s >= 0.0) {
                        let (group, name) = V2_COEFFICIENTS[i];
                        return Err(ParamsError::Unknown(format!(
                            "coef.{group}.{name} = {b} ± {s}: a log-rate needs |value| <= 30 and se >= 0"
                        )));
                    }
                }
                if !(v2.structure.prior_sd.is_finite() && v2.structure.prior_sd > 0.0) {
                    return Err(ParamsError::OutOfRange {
                        name: "structure.prior_sd",
                        value: v2.structure.prior_sd,
                        expected: "a finite number > 0",
                    });
                }
                Ok(())
            }
        }
    }
}

impl V1Params {
    fn validate(&self) -> Result<(), ParamsError> {
        let h = &self.hazard;
        let p = &self.pressure;
        let non_negative: [(&'static str, f64); 15] = [
            ("hazard.objects", h.objects),
            ("hazard.withholds", h.withholds),
            ("hazard.own_national", h.own_national),
            ("hazard.pending_conditions", h.pending_conditions),
            ("hazard.implicit", h.implicit),
            ("hazard.consultation", h.consultation),
            ("conditions.met_boost", self.conditions.met_boost),
            ("pressure.target", p.target),
            ("pressure.meeting", p.meeting),
            ("pressure.hard_deadline", p.hard_deadline),
            ("pressure.term_end", p.term_end),
            ("pressure.early", p.early),
            ("withdrawal.rate", self.withdrawal.rate),
            ("fresh.delay_mean_days", self.fresh.delay_mean_days),
            ("decision.lag_min_days", self.decision.lag_min_days),
        ];
        for (name, value) in non_negative
            .into_iter()
            .chain([("decision.lag_mean_days", self.decision.lag_mean_days)])
        {
            if !(value.is_finite() && value >= 0.0) {
                return Err(ParamsError::OutOfRange {
                    name,
                    value,
                    expected: "a finite number >= 0",
                });
            }
        }
        let positive: [(&'static str, f64); 4] = [
            ("pressure.tau_days", p.tau_days),
            ("pressure.early_tau_days", p.early_tau_days),
            ("isolation.factor", self.isolation.factor),
            (
                "fresh.entry_delay_mean_days",
                self.fresh.entry_delay_mean_days,
            ),
        ];
        for (name, value) in positive {
            if !(value.is_finite() && value > 0.0) {
                return Err(ParamsError::OutOfRange {
                    name,
                    value,
                    expected: "a finite number > 0",
                });
            }
        }
        let probabilities: [(&'static str, f64); 3] = [
            ("fresh.p", self.fresh.p),
            (
                "withdrawal.share_threshold",
                self.withdrawal.share_threshold,
            ),
            (
                "from_state.consultation_share",
                self.from_state.consultation_share,
            ),
        ];
        for (name, value) in probabilities {
            if !(0.0..=1.0).contains(&value) {
                return Err(ParamsError::OutOfRange {
                    name,
                    value,
                    expected: "a probability in [0, 1]",
                });
            }
        }
        Ok(())
    }
}
