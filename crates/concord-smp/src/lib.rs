//! The spatial model of politics (KTAB's SMP), restated and made fast.
