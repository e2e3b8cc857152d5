//! Fuzz target: every write body of the API. The first byte picks the endpoint; the rest is
//! the body, read as the server reads one (exactly one JSON value) into the domain's command,
//! then checked by the NATO 2024 contest's guard as the application layer does.

use concord_domain::command::{
    BreakSilence, MakeCommitment, OpenSilence, ReportStance, SetCondition, WithdrawSilence,
};
use concord_fuzz::{json_body, nato, now};

fn main() {
    let guard = nato();
    afl::fuzz!(|data: &[u8]| {
        let Some((&which, body)) = data.split_first() else {
            return;
        };
        match which % 6 {
            0 => {
                if let Ok(c) = json_body::<ReportStance>(body) {
                    let _ = guard.report_stance(&c, "fuzz", now());
                }
            }
            1 => {
                if let Ok(c) = json_body::<SetCondition>(body) {
                    let _ = guard.set_condition(&c, "fuzz", now());
                }
            }
            2 => {
                if let Ok(c) = json_body::<MakeCommitment>(body) {
                    let _ = guard.make_commitment(&c, "fuzz", now());
                }
            }
            3 => {
                if let Ok(c) = json_body::<OpenSilence>(body) {
                    let _ = guard.open_silence(&c, "fuzz", now());
                }
            }
            4 => {
                if let Ok(c) = json_body::<BreakSilence>(body) {
                    let member = c.member.clone().unwrap_or_default();
                    let _ = guard.break_silence("sp-1", &member, &c, "fuzz", now());
                }
            }
            _ => {
                if let Ok(c) = json_body::<WithdrawSilence>(body) {
                    let _ = guard.withdraw_silence("sp-1", &c, "fuzz", now());
                }
            }
        }
    });
}
