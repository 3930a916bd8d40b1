//! The web server (`hyoka serve`): one process owns a ledger and lets people do a round from their
//! browsers, over HTTP(S), with axum on tokio.
//!
//! - `app.rs`: the shared state, the routes, the access log; `api.rs`: the JSON API
//!   (schema/openapi.json); `render.rs` and `templates/`: the Japanese pages'
//!   templates; `pages.rs`: home, sign-in and enrolment.
//! - `tracker.rs`: a round's tracker; `admin/`: the administrator's pages (people, rounds, the
//!   plan); `publishing.rs`: a round published and its checkpoint signed, as `round publish` does;
//!   `transfer/`: a department's sheet downloaded and uploaded; `guard.rs`: what the pages of a
//!   signed-in person share (their roles checked, refusals in Japanese, changes recorded as them);
//!   `sheet_page.rs` (a department's sheet), `review.rs` (the reviewers' queue, opinions) and
//!   `round_pages.rs` (what they share); `refusals.rs`: the ledger's refusals in one Japanese
//!   wording for every page.
//! - `audit/`: the auditors' pages and their JSON (`/audit/…`, `/api/audit/…`: history and the
//!   correction report, blame, diff, the verification status, the downloads), for 監査, 行革本部 and
//!   administrators.
//! - `auth.rs`: sign-in and enrolment; `keywrap.rs`: a person's signing key wrapped by their password
//!   (Argon2id, ChaCha20-Poly1305); `sessions.rs`, `csrf.rs`, `ratelimit.rs`.
//! - `public.rs`: the citizens' pages; `page_cache.rs`: their bytes rendered once per version of the
//!   ledger and its checkpoint (a derived cache, with `ETag` and `304 Not Modified`).
//! - `tls.rs`: HTTPS served directly (`--tls-cert`, `--tls-key`: rustls through axum-server).
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

pub mod admin;
pub mod api;
pub mod app;
pub mod audit;
pub mod auth;
pub mod csrf;
pub mod guard;
pub mod keywrap;
pub mod logs;
pub mod page_cache;
pub mod pages;
pub mod public;
pub mod publishing;
pub mod ratelimit;
pub mod refusals;
pub mod render;
pub mod review;
pub mod round_pages;
pub mod router;
pub mod server_file;
pub mod sessions;
pub mod sheet_page;
pub mod tls;
pub mod tracker;
pub mod transfer;
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
        derivations: Arc::new(keywrap::Derivations::for_this_machine()),
        clock,
        pages: page_cache::PageCache::default(),
        published: Default::default(),
    })
}

/// How long a stopping server waits for the connections still open before it closes them.
pub const GRACE: std::time::Duration = std::time::Duration::from_secs(10);

/// The HSTS header a server reached over HTTPS sends: browsers then use HTTPS only, for a year.
pub const HSTS: &str = "max-age=31536000";

/// The router over `app`; over HTTPS (`app.secure`) every response also carries HSTS.
fn service(app: Arc<App>) -> axum::Router {
    let secure = app.secure;
    let router = router::router(app);
    match secure {
        false => router,
        true => router.layer(axum::middleware::map_response(
            |mut res: axum::response::Response| async move {
                res.headers_mut().insert(
                    axum::http::header::STRICT_TRANSPORT_SECURITY,
                    axum::http::HeaderValue::from_static(HSTS),
                );
                res
            },
        )),
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then lets the requests under way finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Arc<App>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        service(app).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// As [`serve`], over HTTPS with `tls` ([`tls::load`]; `app.secure` should be set): a connection
/// that does not begin with a TLS handshake is closed. On `shutdown`, new connections are refused and
/// the requests under way have [`GRACE`] to finish.
pub async fn serve_tls(
    listener: tokio::net::TcpListener,
    tls: Arc<rustls::ServerConfig>,
    app: Arc<App>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        stopper.graceful_shutdown(Some(GRACE));
    });
    let config = axum_server::tls_rustls::RustlsConfig::from_config(tls);
    axum_server::tls_rustls::from_tcp_rustls(listener.into_std()?, config)?
        .handle(handle)
        .serve(service(app).into_make_service_with_connect_info::<SocketAddr>())
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
