//! `hyoka serve` and `hyoka person enrol`: the web server over the ledger (the library's `server`),
//! and the one-time link with which a person sets up their web sign-in.
//!
//! The server opens the ledger as any writer does (its lock held until it stops, the log key attached
//! when this writer holds it), records where it listens in `DIR/SERVER` (so that a command meeting the
//! busy lock names the server, `hints::busy`), and removes it when it stops. Read-only commands do not
//! read through the server: they say that it holds the ledger and where it is, and the same views are
//! in its JSON API (a CLI speaking HTTP would be a second client to keep equal to the first).

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use hyoka::domain::text;
use hyoka::ledger::shared::SharedLedger;
use hyoka::server::server_file::ServerFile;
use hyoka::server::webdir::WebDir;

use super::ctx::Ctx;
use super::failure::Failure;
use super::i18n::t;
use super::output::out;

/// How long an enrolment link is valid, in hours.
pub const ENROL_HOURS: i64 = 72;

/// `hyoka serve`.
pub fn serve(
    ctx: &Ctx,
    listen: SocketAddr,
    log_dir: Option<&Path>,
    behind_https: bool,
    tls: Option<(&Path, &Path)>,
) -> Result<(), Failure> {
    super::clock::now()?;
    // The certificate and key are checked before the ledger is opened: a refusal changes nothing.
    let tls = tls
        .map(|(cert, key)| hyoka::server::tls::load(cert, key))
        .transpose()
        .map_err(|e| Failure::from(tls_error(&e)))?;
    let ledger = super::anchoring::open_write(ctx)?;
    let how = How {
        listen,
        log_dir,
        secure: behind_https || tls.is_some(),
        tls,
    };
    run(ledger, how, |dir, url| {
        out(t!("serve-listening", dir = dir.display(), url = url))
    })
}

/// How a server is run.
pub(super) struct How<'a> {
    /// The address to listen on.
    pub listen: SocketAddr,
    /// Where the access and error logs go (none: errors to stderr).
    pub log_dir: Option<&'a Path>,
    /// Reached over HTTPS (directly or through a proxy): `Secure`, `__Host-` cookie, HSTS.
    pub secure: bool,
    /// Serve HTTPS with this configuration.
    pub tls: Option<Arc<rustls::ServerConfig>>,
}

/// Serves `ledger` (opened to write, its log key attached if this writer holds it) as `how` says, until
/// SIGINT or SIGTERM; `listening` is called with the ledger's directory and the server's URL once it
/// listens (and `DIR/SERVER` says where).
pub(super) fn run(
    ledger: hyoka::ledger::Ledger,
    how: How<'_>,
    listening: impl FnOnce(&Path, &str),
) -> Result<(), Failure> {
    let dir = ledger.dir().to_path_buf();
    let clock: hyoka::server::app::Clock =
        Arc::new(|| super::clock::now().unwrap_or_else(|_| hyoka::domain::when::now()));
    let shared = {
        let c = Arc::clone(&clock);
        Arc::new(SharedLedger::new(ledger, move || c())?)
    };
    let cannot = |what: &Path, e: std::io::Error| {
        Failure::from(t!(
            "serve-cannot-prepare",
            dir = what.display(),
            error = e.to_string()
        ))
    };
    match how.log_dir {
        Some(d) => hyoka::server::logs::init(d).map_err(|e| cannot(d, e))?,
        None => {
            let _ = tracing_subscriber::fmt()
                .with_writer(std::io::stderr)
                .with_max_level(tracing::Level::WARN)
                .try_init();
        }
    }
    let web = WebDir::beside(&dir);
    web.ensure().map_err(|e| cannot(web.path(), e))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::from(t!("serve-failed", error = e.to_string())))?;
    let app = hyoka::server::app(Arc::clone(&shared), web, how.secure, clock);
    let listen = how.listen;
    let tls = how.tls;
    let served: Result<(), Failure> = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(listen).await.map_err(|e| {
            Failure::from(t!(
                "serve-cannot-listen",
                addr = listen.to_string(),
                error = e.to_string()
            ))
        })?;
        let addr = listener
            .local_addr()
            .map_err(|e| Failure::from(t!("serve-failed", error = e.to_string())))?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        let url = format!("{scheme}://{addr}");
        ServerFile {
            url: url.clone(),
            pid: std::process::id(),
        }
        .write(&dir)
        .map_err(|e| cannot(&dir, e))?;
        listening(&dir, &url);
        let served = match tls {
            Some(config) => {
                hyoka::server::serve_tls(listener, config, app, hyoka::server::signalled()).await
            }
            None => hyoka::server::serve(listener, app, hyoka::server::signalled()).await,
        };
        served.map_err(|e| Failure::from(t!("serve-failed", error = e.to_string())))
    });
    // Requests under way have been answered; the sessions (and the keys they held) are gone.
    drop(runtime);
    let removed = ServerFile::remove(&dir);
    served?;
    removed.map_err(|e| cannot(&dir, e))?;
    let shared = Arc::into_inner(shared)
        .ok_or_else(|| Failure::from(t!("serve-failed", error = "the ledger is still in use")))?;
    drop(shared.into_inner()?);
    out(t!("serve-stopped"));
    Ok(())
}

/// The sentence of a certificate or key that cannot be served, with what to do.
fn tls_error(e: &hyoka::server::tls::TlsError) -> String {
    use hyoka::server::tls::TlsError;
    match e {
        TlsError::Unreadable { path, source } => t!(
            "serve-tls-unreadable",
            file = path.display(),
            error = source.to_string()
        ),
        TlsError::NoCertificate(path) => t!("serve-tls-no-cert", file = path.display()),
        TlsError::NoKey(path) => t!("serve-tls-no-key", file = path.display()),
        TlsError::Mismatch { cert, key } => t!(
            "serve-tls-mismatch",
            cert = cert.display(),
            key = key.display()
        ),
        TlsError::Unusable(error) => t!("serve-tls-unusable", error = error.as_str()),
    }
}

/// `hyoka person enrol PERSON`: a one-time enrolment link.
pub fn enrol(ctx: &Ctx, person: &str, url: Option<&str>) -> Result<(), Failure> {
    let base = match url {
        Some(u) => u.trim_end_matches('/').to_string(),
        None => ServerFile::read(&ctx.ledger)
            .map(|f| f.url)
            .ok_or_else(|| Failure::usage(t!("enrol-no-url")))?,
    };
    // When the ledger is free the person is checked here; while the server holds it, the server
    // checks them when the link is used.
    let access = hyoka::ledger::Access {
        wait: std::time::Duration::ZERO,
        ..ctx.access()
    };
    // A name is read as `person …` reads it (an id, or a name the directory of names knows).
    let person = match hyoka::ledger::Ledger::open_read(&ctx.ledger, access) {
        Ok(mut l) => {
            let state = l.current()?;
            let names = super::names::Names::of(
                state,
                &super::names::Directory::read_for_display(&ctx.ledger),
            );
            match names.resolve(state, person) {
                Ok(id) => id,
                Err(_) => {
                    return Err(Failure::from(t!(
                        "enrol-no-person",
                        person = text::escape(person)
                    )));
                }
            }
        }
        Err(hyoka::error::Error::Busy(..)) => person.to_string(),
        Err(e) => return Err(e.into()),
    };
    let person = person.as_str();
    let now = super::clock::now()?;
    let web = WebDir::beside(&ctx.ledger);
    let token = web
        .issue(person, now, now + ENROL_HOURS * 3600 * 1_000_000_000)
        .map_err(|e| {
            Failure::from(t!(
                "serve-cannot-prepare",
                dir = web.path().display(),
                error = e.to_string()
            ))
        })?;
    out(t!(
        "enrol-link",
        person = text::escape(person),
        hours = ENROL_HOURS,
        url = format!("{base}/enrol?token={token}")
    ));
    Ok(())
}
