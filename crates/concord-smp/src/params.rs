//! The nine model parameters of KTAB's SMP, with KTAB's names and its CSV defaults.
//!
//! Names are the ones KTAB's code (not its XSD) accepts, e.g. `Prop` and `None`. The XSD's
//! spellings (`Proportional`, `No`, …) are accepted as aliases, because a file written against
//! the XSD should not fail for a cosmetic reason; KTAB itself rejects them (trap 3 of `smp.md`).

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// Defines a parameter enum with its KTAB names, aliases and default.
macro_rules! param_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $key:literal, default $default:ident,
        { $( $(#[$vmeta:meta])* $variant:ident = $text:literal $(| $alias:literal)* ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
        pub enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// The parameter's name in KTAB's XML `<ModelParameters>`.
            pub const KEY: &'static str = $key;
            /// Every value, in KTAB's enumeration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// KTAB's name for this value.
            pub fn name(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl Default for $name {
            fn default() -> Self { $name::$default }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.name()) }
        }

        impl FromStr for $name {
            type Err = UnknownValue;
            fn from_str(s: &str) -> Result<Self, UnknownValue> {
                let t = s.trim();
                $(
                    if t == $text $(|| t == $alias)* { return Ok($name::$variant); }
                )+
                Err(UnknownValue {
                    parameter: $key,
                    found: t.to_string(),
                    expected: $name::ALL.iter().map(|v| v.name()).collect(),
                })
            }
        }
    };
}

/// A parameter value that is not one of the names KTAB knows.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown {parameter} '{found}', expected one of {}", expected.join(", "))]
pub struct UnknownValue {
    pub parameter: &'static str,
    pub found: String,
    pub expected: Vec<&'static str>,
}

param_enum! {
    /// How a coalition's strength becomes a probability of victory (step 3).
    VictoryProbModel, "VictoryProbModel", default Linear,
    { Linear = "Linear", Square = "Square", Quartic = "Quartic", Octic = "Octic", Binary = "Binary" }
}

param_enum! {
    /// How pairwise victory probabilities become a distribution over options (step 4).
    PceModel, "PCEModel", default Conditional,
    {
        Conditional = "Conditional" | "ConditionalPCM",
        MarkovIncentive = "MarkovIncentive" | "MarkovIPCM",
        MarkovUniform = "MarkovUniform" | "MarkovUPCM",
    }
}

param_enum! {
    /// Whether each actor takes its most probable bargain or draws one (step 8).
    StateTransitions, "StateTransitions", default Deterministic,
    { Deterministic = "Deterministic", Stochastic = "Stochastic" }
}

param_enum! {
    /// The influence an actor puts behind one option over another (step 2).
    VotingRule, "VotingRule", default Prop,
    {
        Binary = "Binary",
        PropBin = "PropBin",
        Prop = "Prop" | "Proportional",
        PropCbc = "PropCbc",
        Cubic = "Cubic",
        ASymProsp = "ASymProsp",
    }
}

param_enum! {
    /// How h estimates i's risk attitude from both of theirs (step 5.4).
    BigRAdjust, "BigRAdjust", default OneThird,
    {
        None = "None" | "No" | "NoRA",
        OneThird = "OneThird",
        Half = "Half",
        TwoThirds = "TwoThirds",
        Full = "Full",
    }
}

param_enum! {
    /// The range risk attitudes are mapped onto from position probabilities (step 5.3).
    BigRRange, "BigRRange", default Mid,
    { Min = "Min", Mid = "Mid", Max = "Max" }
}

param_enum! {
    /// What a third party expects to hold after joining a side (step 6.4).
    ThirdPartyCommit, "ThirdPartyCommit", default SemiCommit,
    { NoCommit = "NoCommit", SemiCommit = "SemiCommit", FullCommit = "FullCommit" }
}

param_enum! {
    /// How two positions are interpolated into a bargain (step 7.2).
    InterVecBrgn, "InterVecBrgn", default S2P2,
    { S1P1 = "S1P1", S2P2 = "S2P2", S2PMax = "S2PMax" }
}

param_enum! {
    /// Which interpolated bargains enter the queues (step 7.3).
    BargnModel, "BargnModel", default InitOnlyInterp,
    {
        InitOnlyInterp = "InitOnlyInterp",
        InitRcvrInterp = "InitRcvrInterp",
        PWCompInterp = "PWCompInterp",
    }
}

/// All nine parameters. `Params::default()` is what KTAB uses for CSV input.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Params {
    pub victory_prob_model: VictoryProbModel,
    pub pce_model: PceModel,
    pub state_transitions: StateTransitions,
    pub voting_rule: VotingRule,
    pub big_r_adjust: BigRAdjust,
    pub big_r_range: BigRRange,
    pub third_party_commit: ThirdPartyCommit,
    pub inter_vec_brgn: InterVecBrgn,
    pub bargn_model: BargnModel,
}

/// The parameter names, in the order KTAB lists them in `<ModelParameters>`.
pub const PARAM_NAMES: [&str; 9] = [
    VictoryProbModel::KEY,
    PceModel::KEY,
    StateTransitions::KEY,
    VotingRule::KEY,
    BigRAdjust::KEY,
    BigRRange::KEY,
    ThirdPartyCommit::KEY,
    InterVecBrgn::KEY,
    BargnModel::KEY,
];

/// Why `Params::set` refused a name or a value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParamError {
    #[error("unknown parameter '{found}', expected one of {}", PARAM_NAMES.join(", "))]
    UnknownName { found: String },
    #[error(transparent)]
    UnknownValue(#[from] UnknownValue),
}

impl Params {
    /// Sets one parameter by its KTAB name (case-insensitive), e.g. `("PCEModel", "MarkovIncentive")`.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), ParamError> {
        let key = name.trim();
        let is = |k: &str| key.eq_ignore_ascii_case(k);
        if is(VictoryProbModel::KEY) {
            self.victory_prob_model = value.parse()?;
        } else if is(PceModel::KEY) {
            self.pce_model = value.parse()?;
        } else if is(StateTransitions::KEY) {
            self.state_transitions = value.parse()?;
        } else if is(VotingRule::KEY) {
            self.voting_rule = value.parse()?;
        } else if is(BigRAdjust::KEY) {
            self.big_r_adjust = value.parse()?;
        } else if is(BigRRange::KEY) {
            self.big_r_range = value.parse()?;
        } else if is(ThirdPartyCommit::KEY) {
            self.third_party_commit = value.parse()?;
        } else if is(InterVecBrgn::KEY) {
            self.inter_vec_brgn = value.parse()?;
        } else if is(BargnModel::KEY) {
            self.bargn_model = value.parse()?;
        } else {
            return Err(ParamError::UnknownName {
                found: key.to_string(),
            });
        }
        Ok(())
    }

    /// `(name, value)` pairs in KTAB's order, for reports.
    pub fn pairs(&self) -> [(&'static str, &'static str); 9] {
        [
            (VictoryProbModel::KEY, self.victory_prob_model.name()),
            (PceModel::KEY, self.pce_model.name()),
            (StateTransitions::KEY, self.state_transitions.name()),
            (VotingRule::KEY, self.voting_rule.name()),
            (BigRAdjust::KEY, self.big_r_adjust.name()),
            (BigRRange::KEY, self.big_r_range.name()),
            (ThirdPartyCommit::KEY, self.third_party_commit.name()),
            (InterVecBrgn::KEY, self.inter_vec_brgn.name()),
            (BargnModel::KEY, self.bargn_model.name()),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_aliases_parse() {
        for v in VotingRule::ALL {
            assert_eq!(v.name().parse::<VotingRule>().unwrap(), *v);
        }
        assert_eq!(
            "Proportional".parse::<VotingRule>().unwrap(),
            VotingRule::Prop
        );
        assert_eq!("No".parse::<BigRAdjust>().unwrap(), BigRAdjust::None);
        let e = "Quadratic".parse::<VictoryProbModel>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown VictoryProbModel 'Quadratic', expected one of Linear, Square, Quartic, Octic, Binary"
        );
    }

    #[test]
    fn set_by_name() {
        let mut p = Params::default();
        p.set("pcemodel", "MarkovIncentive").unwrap();
        assert_eq!(p.pce_model, PceModel::MarkovIncentive);
        assert!(matches!(
            p.set("Colour", "red"),
            Err(ParamError::UnknownName { .. })
        ));
    }
}
