//! Publishing a round from the server, for the administrator's page (`POST
//! /admin/rounds/{point}/publish`) and the API (`POST /api/rounds/{point}/publish`): the library's
//! [`crate::publish::round`], as `hyoka round publish` does it. The batch (closing the round if it is
//! open, then the publication with its table's SHA-256) is checked against the ledger's rules as the
//! signed-in person, recorded signed by them and durable; then the ledger's checkpoint is signed with
//! the log key the server holds and kept (`CHECKPOINT`), so that the citizens' page of the round
//! (`GET /rounds/{point}`) and the publication pack are bound to it.
//!
//! The server holds the log key when it was started holding it, as any writer does: `--log-key FILE`,
//! or `DIR.log-key` beside the ledger directory. Without it nothing is recorded, and the refusal
//! says so.

use crate::domain::event::Change;
use crate::domain::period::Period;
use crate::domain::state::Refused;
use crate::error::Error;
use crate::ledger::Receipt;
use crate::publish::round::{self, NotPublishable};

use super::app::App;
use super::sessions::Session;

/// A round published from the server.
#[derive(Debug)]
pub struct Published {
    /// The batch recorded.
    pub receipt: Receipt,
    /// The SHA-256 of the table as published.
    pub table_sha256: [u8; 32],
    /// The size of the checkpoint signed after it.
    pub checkpoint_size: u64,
}

/// Why a round was not published.
#[derive(Debug)]
pub enum Failure {
    /// No round, no log key held, or another log key (nothing recorded).
    Not(NotPublishable),
    /// The table is no longer the one confirmed (nothing recorded).
    Changed,
    /// Refused by the ledger's rules (`authorizing`: the person may not publish); nothing recorded.
    Refused {
        /// The refusal.
        refused: Refused,
        /// Refused by `State::authorize`.
        authorizing: bool,
    },
    /// The ledger failed (nothing recorded).
    Ledger(Error),
    /// The publication is recorded (as event `seq`), but its checkpoint could not be signed.
    NotSigned {
        /// The `round.published` event.
        seq: u64,
        /// What failed.
        error: Error,
    },
}

/// Publishes the round of `period` as the person of `s`, for `reason`; `confirmed`, the table's
/// SHA-256 the person confirmed (refused if the table has changed since). Runs on a blocking thread.
pub fn publish(
    app: &App,
    s: &Session,
    period: Period,
    reason: &str,
    confirmed: Option<[u8; 32]>,
) -> Result<Published, Failure> {
    let l = &app.ledger;
    let held = l
        .read(|l| l.held_log_key().cloned())
        .map_err(Failure::Ledger)?;
    let (changes, digest, key) = l
        .current(|st| -> Result<_, Failure> {
            let (changes, _, digest) = round::batch(st, period).map_err(Failure::Not)?;
            if confirmed.is_some_and(|c| c != digest) {
                return Err(Failure::Changed);
            }
            let mut admitted: Vec<Change> = Vec::with_capacity(changes.len());
            for c in changes {
                let c = st.admit(c).map_err(|refused| Failure::Refused {
                    refused,
                    authorizing: false,
                })?;
                st.authorize(&s.person, &c)
                    .map_err(|refused| Failure::Refused {
                        refused,
                        authorizing: true,
                    })?;
                admitted.push(c);
            }
            // The person may publish: whether the server can sign for it comes next.
            let key = round::signing_key(st, held.as_ref()).map_err(Failure::Not)?;
            Ok((admitted, digest, key))
        })
        .map_err(Failure::Ledger)??;
    let receipt = l
        .append_signed(&s.person, reason, Some(s.signer.clone()), &changes)
        .map_err(|e| match e {
            Error::Refused(refused) | Error::RefusedAt { refused, .. } => Failure::Refused {
                refused,
                authorizing: false,
            },
            e => Failure::Ledger(e),
        })?;
    let seq = receipt.first_seq + receipt.count - 1;
    let signed = l
        .read(|ledger| round::sign(ledger, &key, (app.clock)(), &mut |_, _| {}))
        .and_then(|r| r)
        .map_err(|error| Failure::NotSigned { seq, error })?;
    Ok(Published {
        receipt,
        table_sha256: digest,
        checkpoint_size: signed.checkpoint.size,
    })
}
