//! The forecast: holdout release as competing risks, by Monte Carlo (model v1 of
//! `design/forecast.md`).
//!
//! A contest at a date becomes a [`ForecastInput`]: declared candidates, the holds that block
//! them (explicit, implicit, own-national, pending conditions), and dated milestones. Each
//! trial draws when every hold releases — hazards by kind, scaled by deadline pressure,
//! isolation and conditions — and what candidates do (withdraw, a fresh one enters), until a
//! decision or the horizon. The outputs are in [`Forecast`].
//!
//! What this crate does not know: storage, the clock, files (parameters arrive as a string),
//! threads beyond rayon's pool (the caller chooses it with `ThreadPool::install`).

pub mod backtest;
pub mod ballot;
#[cfg(feature = "chart")]
pub mod chart;
pub mod fit;
pub mod input;
pub mod joint;
mod model;
pub mod params;
pub mod render;
pub mod rng;
mod run;
mod sim;
mod state;

pub use input::{
    Candidacy, CandidateInput, ConditionProgress, Edit, EditError, ForecastInput, Hold, HoldKind,
    InputError, MilestoneInput, MilestoneKind, RuleFamily,
};
pub use params::{Params, ParamsError};
pub use run::{
    BindingHold, CandidateForecast, CurvePoint, Estimate, Forecast, MilestoneForecast, RunConfig,
    Sensitivity, Simulator, WhatIf, WhatIfError, forecast, forecast_with_progress, whatif,
};
pub use state::CONSULTATION_MEMBER;
