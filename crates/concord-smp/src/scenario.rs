//! A bargaining scenario: actors with capability, positions and saliences, plus parameters.

use crate::params::Params;

/// One actor, on KTAB's input scale: positions and saliences in [0, 100].
#[derive(Clone, Debug, PartialEq)]
pub struct Actor {
    pub name: String,
    pub description: String,
    /// Capability (KTAB's "Power" or "Influence"), > 0.
    pub capability: f64,
    /// One position per dimension, in [0, 100].
    pub position: Vec<f64>,
    /// One salience per dimension, in [0, 100], summing to at most 100.
    pub salience: Vec<f64>,
}

/// Everything the model needs for one run.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    /// Names of the issue dimensions.
    pub dimensions: Vec<String>,
    pub actors: Vec<Actor>,
    pub params: Params,
    /// Seed for `StateTransitions = Stochastic`; unused otherwise.
    pub seed: u64,
    /// Ideal accommodation matrix A (row i says how far i's ideal moves towards each actor's new
    /// position each turn); `None` is the identity, i.e. ideals follow positions (CSV input).
    pub accommodation: Option<Vec<Vec<f64>>>,
}

/// Smallest and largest number of actors KTAB accepts.
pub const MIN_ACTORS: usize = 3;
pub const MAX_ACTORS: usize = 250;
/// The most issue dimensions a scenario may declare: far beyond any KTAB scenario, and a
/// bound on what a file's header can make the reader allocate.
pub const MAX_DIMENSIONS: usize = 100;

impl Scenario {
    /// A scenario with default parameters, seed 0 and ideals that follow positions.
    pub fn new(name: impl Into<String>, dimensions: Vec<String>, actors: Vec<Actor>) -> Self {
        Scenario {
            name: name.into(),
            description: String::new(),
            dimensions,
            actors,
            params: Params::default(),
            seed: 0,
            accommodation: None,
        }
    }

    /// Every problem that would stop the model from running, each naming the actor and field.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let n = self.actors.len();
        let nd = self.dimensions.len();
        if !(MIN_ACTORS..=MAX_ACTORS).contains(&n) {
            out.push(format!(
                "expected {MIN_ACTORS} to {MAX_ACTORS} actors, found {n}"
            ));
        }
        if nd == 0 {
            out.push("expected at least one dimension".to_string());
        }
        for (i, a) in self.actors.iter().enumerate() {
            let who = format!("actor {} ('{}')", i + 1, a.name);
            if !(a.capability.is_finite() && a.capability > 0.0) {
                out.push(format!(
                    "{who}: expected a positive capability, found {}",
                    a.capability
                ));
            }
            if a.position.len() != nd {
                out.push(format!(
                    "{who}: expected {nd} positions, found {}",
                    a.position.len()
                ));
            }
            if a.salience.len() != nd {
                out.push(format!(
                    "{who}: expected {nd} saliences, found {}",
                    a.salience.len()
                ));
            }
            for (d, x) in a.position.iter().enumerate() {
                if !(0.0..=100.0).contains(x) {
                    out.push(format!(
                        "{who}: expected a position in [0, 100] on dimension {}, found {x}",
                        d + 1
                    ));
                }
            }
            let mut total = 0.0;
            for (d, s) in a.salience.iter().enumerate() {
                if !(0.0..=100.0).contains(s) {
                    out.push(format!(
                        "{who}: expected a salience in [0, 100] on dimension {}, found {s}",
                        d + 1
                    ));
                }
                total += s;
            }
            if total > 100.0 {
                out.push(format!(
                    "{who}: expected saliences summing to at most 100, found {total}"
                ));
            }
            if total.is_finite() && total <= 0.0 {
                // the salience-weighted distance would be 0/0
                out.push(format!(
                    "{who}: expected a positive salience on some dimension"
                ));
            }
        }
        if let Some(a) = &self.accommodation {
            if a.len() != n || a.iter().any(|r| r.len() != n) {
                out.push(format!("expected a {n} x {n} accommodation matrix"));
            } else {
                for (i, row) in a.iter().enumerate() {
                    if row.iter().any(|x| !(0.0..=1.0).contains(x)) {
                        out.push(format!(
                            "actor {} ('{}'): expected ideal adjustments in [0, 1]",
                            i + 1,
                            self.actors[i].name
                        ));
                    }
                    let s: f64 = row.iter().sum();
                    if s > 1.0 + 1e-10 {
                        out.push(format!(
                            "actor {} ('{}'): expected ideal adjustments summing to at most 1, found {s}",
                            i + 1,
                            self.actors[i].name
                        ));
                    }
                }
            }
        }
        out
    }
}
