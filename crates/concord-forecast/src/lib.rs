//! The forecast: holdout release as competing risks, by Monte Carlo.
