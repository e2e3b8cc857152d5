//! Beyond stances: candidacies, withdrawals, conditions, commitments and milestones an article
//! states. (Filled in below.)

use jiff::civil::Date;

use crate::proposal::Reading;
use crate::reader::Engine;

/// Adds the article's other proposals to `reading`.
pub fn propose(_engine: &Engine<'_>, _published: Date, _reading: &mut Reading) {}
