//! The model's parameters: one versioned TOML file, every value documented there.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The bundled parameter file of model v1 (`params/v1.toml`).
pub const V1_TOML: &str = include_str!("../params/v1.toml");

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

/// Every parameter of the model, as read from a parameter file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub version: String,
    pub hazard: HazardParams,
    pub conditions: ConditionParams,
    pub isolation: IsolationParams,
    pub pressure: PressureParams,
    pub follow: FollowParams,
    pub withdrawal: WithdrawalParams,
    pub fresh: FreshParams,
    pub decision: DecisionParams,
    pub from_state: FromStateParams,
    pub run: RunParams,
}

/// A parameter file that could not be used.
#[derive(Debug, Error)]
pub enum ParamsError {
    #[error("parameter file is not valid TOML for model v1: {0}")]
    Parse(#[from] toml::de::Error),
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

    /// Parses and validates a parameter file's text.
    pub fn from_toml_str(text: &str) -> Result<Params, ParamsError> {
        let params: Params = toml::from_str(text)?;
        params.validate()?;
        Ok(params)
    }

    /// Checks every value's range; reports the first value out of range.
    pub fn validate(&self) -> Result<(), ParamsError> {
        let h = &self.hazard;
        let p = &self.pressure;
        let non_negative: [(&'static str, f64); 17] = [
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
            ("follow.lag_mean_days", self.follow.lag_mean_days),
            ("fresh.delay_mean_days", self.fresh.delay_mean_days),
            ("decision.lag_min_days", self.decision.lag_min_days),
            ("decision.lag_mean_days", self.decision.lag_mean_days),
        ];
        for (name, value) in non_negative {
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
        let probabilities: [(&'static str, f64); 4] = [
            ("follow.p", self.follow.p),
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
