//! Sign-in and enrolment, shared by the pages and the API.
//!
//! Enrolment: an administrator issues a one-time link (`WebDir::issue`); the person opens it, gives
//! their private key file's text and chooses a password; the server checks the key is the person's
//! current key in the ledger, wraps it with the password (`keywrap`) and stores only the wrapped key.
//! Sign-in: the password unwraps the key, which must still be the person's current key; the session
//! holds it in memory until it ends. A forgotten password is a new key through rotation and a new
//! enrolment, never a recovery: nothing stored opens without the password.
//!
//! Invariants: attempts are limited per account and per client address before any password is tried;
//! every failure of a sign-in (no such person, no wrapped key, a wrong password, a key no longer
//! current) reads the same to the client.

use std::net::IpAddr;
use std::time::Instant;

use axum::http::StatusCode;
use zeroize::Zeroizing;

use super::app::{App, Refusal};
use super::keywrap;
use super::sessions::{Session, SessionError};
use crate::ledger::signing::Signer;
use crate::tlog::note::SignerKey;

/// The fewest characters of a password.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// The most bytes of a password or a key's text taken.
pub const MAX_SECRET_BYTES: usize = 1024;

fn failed() -> Refusal {
    Refusal::new(
        StatusCode::UNAUTHORIZED,
        "sign_in_failed",
        "the person or the password is wrong",
    )
}

/// Too many sign-ins at once (503, with `Retry-After`).
fn busy() -> Refusal {
    Refusal::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "busy",
        "too many sign-ins at once; try again in a few seconds",
    )
}

/// Signs `person` in with `password` from `client`: the new session's id and the session.
pub fn sign_in(
    app: &App,
    person: &str,
    password: &str,
    client: IpAddr,
) -> Result<(String, Session), Refusal> {
    let now = Instant::now();
    let client = client.to_string();
    if !app.per_account.allowed(person, now) || !app.per_client.allowed(&client, now) {
        return Err(Refusal::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many failed sign-ins: wait 15 minutes, or ask an administrator",
        ));
    }
    let fail = || {
        app.per_account.failed(person, now);
        app.per_client.failed(&client, now);
        failed()
    };
    if password.len() > MAX_SECRET_BYTES || person.len() > 200 {
        return Err(fail());
    }
    let wrapped = match app.web.read_key(person) {
        Ok(Some(w)) if w.person == person => w,
        Ok(_) => return Err(fail()),
        Err(e) => {
            tracing::error!("reading the wrapped key of a person: {e}");
            return Err(fail());
        }
    };
    let key = match keywrap::unwrap_with(&app.derivations, &wrapped, password) {
        Ok(key) => key,
        // Not a failure of this person's: nothing is counted against them.
        Err(keywrap::UnwrapError::Busy) => return Err(busy()),
        Err(_) => return Err(fail()),
    };
    let current = current_key(app, person)?;
    if current.as_deref() != Some(key.verifier().to_text().as_str()) {
        return Err(fail());
    }
    app.per_account.succeeded(person);
    let signer = Signer::new(key);
    app.sessions
        .create(person, signer, now)
        .map_err(|e| match e {
            SessionError::Full => Refusal::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "too many people are signed in; try again later",
            ),
            SessionError::Random(e) => {
                tracing::error!("{e}");
                Refusal::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "no randomness",
                )
            }
        })
}

/// The current verifier key of `person` in the ledger (`None`: not a person, or revoked).
fn current_key(app: &App, person: &str) -> Result<Option<String>, Refusal> {
    app.ledger
        .current(|s| {
            s.people
                .as_ref()
                .and_then(|p| p.get(person))
                .and_then(|p| p.vkey.clone())
        })
        .map_err(|e| Refusal::from_error(&e))
}

/// Enrols the person of `token` with the private key `key_text` and `password`: the person's id.
pub fn enrol(
    app: &App,
    token: &str,
    key_text: &str,
    password: &str,
    again: &str,
) -> Result<String, Refusal> {
    let bad = |kind, msg: &str| Refusal::new(StatusCode::BAD_REQUEST, kind, msg);
    let now = (app.clock)();
    let io = |e: std::io::Error| {
        tracing::error!("the server's directory: {e}");
        Refusal::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server's directory failed",
        )
    };
    let person = app.web.peek(token, now).map_err(io)?.ok_or_else(|| {
        bad(
            "enrol_token",
            "this enrolment link is unknown, used or expired: ask for a new one",
        )
    })?;
    if password != again {
        return Err(bad("password", "the two passwords differ"));
    }
    if password.chars().count() < MIN_PASSWORD_CHARS || password.len() > MAX_SECRET_BYTES {
        return Err(bad("password", "a password has 10 characters or more"));
    }
    if key_text.len() > MAX_SECRET_BYTES {
        return Err(bad("key", "this is not a private key file"));
    }
    let text = Zeroizing::new(key_text.trim().to_string());
    let key = SignerKey::parse(&text)
        .map_err(|_| bad("key", "this is not a private key file (PRIVATE+KEY+…)"))?;
    if current_key(app, &person)?.as_deref() != Some(key.verifier().to_text().as_str()) {
        return Err(bad(
            "key",
            "this key is not the person's current key in the ledger",
        ));
    }
    let wrapped =
        keywrap::wrap_with(&app.derivations, &person, &key, password, app.kdf).map_err(|e| {
            if e == keywrap::UnwrapError::Busy {
                return busy();
            }
            tracing::error!("{e}");
            Refusal::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the key could not be wrapped",
            )
        })?;
    app.web.write_key(&wrapped).map_err(io)?;
    app.web.redeem(token, now).map_err(io)?;
    app.sessions.remove_person(&person);
    Ok(person)
}
