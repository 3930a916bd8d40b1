//! The web server (`hyoka serve`): one process owns a ledger and lets people do a round from their
//! browsers, over HTTP(S), with axum on tokio.
//!
//! - `app.rs`: the shared state, the routes, the access log; `api.rs`: the JSON API
//!   (schema/openapi.json); `pages.rs` and `templates/`: the Japanese pages; `sheet_page.rs` (a
//!   department's sheet), `review.rs` (the reviewers' queue, opinions) and `round_pages.rs` (what
//!   they share).
//! - `auth.rs`: sign-in and enrolment; `keywrap.rs`: a person's signing key wrapped by their password
//!   (Argon2id, ChaCha20-Poly1305); `sessions.rs`, `csrf.rs`, `ratelimit.rs`.
//! - `webdir.rs`: the server's directory beside the ledger (enrolment tokens, wrapped keys);
//!   `server_file.rs`: `SERVER` in the ledger directory, where the server listens; `logs.rs`: the
//!   access and error logs.
//!
//! Invariants: the server holds the ledger's lock for its whole life (it is opened as by any writer)
//! and writes only through [`SharedLedger`] (group commit: each request's batch is checked and written
//! on its own under the ledger's lock, one `fdatasync` covers every batch written before it started,
//! and each request is answered only once its batch is durable); every event it writes is signed by
//! the signed-in person's key, which only their password unwraps; it never prints (the front end
//! does).

pub mod api;
pub mod app;
pub mod auth;
pub mod csrf;
pub mod keywrap;
pub mod logs;
pub mod pages;
pub mod ratelimit;
pub mod review;
pub mod round_pages;
pub mod router;
pub mod server_file;
pub mod sessions;
pub mod sheet_page;
pub mod webdir;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use app::{App, Clock};
use keywrap::Params;
use webdir::WebDir;

use crate::ledger::shared::SharedLedger;

/// The state of a server over `ledger`, whose directory is `dir`, recording at `clock`.
pub fn app(ledger: Arc<SharedLedger>, web: WebDir, secure: bool, clock: Clock) -> Arc<App> {
    let (per_account, per_client) = app::default_limits();
    Arc::new(App {
        ledger,
        sessions: app::default_sessions(),
        per_account,
        per_client,
        web,
        secure,
        kdf: Params::DEFAULT,
        clock,
    })
}

/// Serves `app` on `listener` until `shutdown` completes, then lets the requests under way finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Arc<App>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let router = router::router(app);
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Completes at the first SIGINT or SIGTERM.
pub async fn signalled() {
    use tokio::signal::unix::{SignalKind, signal};
    let term = async {
        match signal(SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!("SIGTERM cannot be caught: {e}");
                std::future::pending::<()>().await
            }
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term => {}
    }
}
