//! The server's logs: `access.log` (one line per request: method, path, status, time taken, client)
//! and `error.log` (warnings and errors) in the directory given, each rotated by size (10 MiB, five
//! kept: `access.log.1` … `access.log.5`), through `tracing` and `file-rotate`. Nothing secret is
//! logged: no query string (an enrolment link's token), no header, no body.

use std::io;
use std::path::Path;
use std::sync::Mutex;

use file_rotate::compression::Compression;
use file_rotate::suffix::AppendCount;
use file_rotate::{ContentLimit, FileRotate};
use tracing_subscriber::Layer;
use tracing_subscriber::filter::{LevelFilter, filter_fn};
use tracing_subscriber::layer::SubscriberExt;

/// The target of access-log lines.
pub const ACCESS: &str = "hyoka::access";
/// Bytes a log file reaches before it is rotated.
pub const ROTATE_BYTES: usize = 10 << 20;
/// Rotated files kept of each log.
pub const KEPT: usize = 5;

fn rotating(path: &Path) -> Mutex<FileRotate<AppendCount>> {
    Mutex::new(FileRotate::new(
        path,
        AppendCount::new(KEPT),
        ContentLimit::BytesSurpassed(ROTATE_BYTES),
        Compression::None,
        Some({
            use std::os::unix::fs::OpenOptionsExt;
            let mut o = std::fs::OpenOptions::new();
            o.read(true).create(true).append(true).mode(0o640);
            o
        }),
    ))
}

/// Sends the process's `tracing` events to the two logs in `dir` (created if missing). Fails if a
/// subscriber is already set.
pub fn init(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let access = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_target(false)
        .with_writer(rotating(&dir.join("access.log")))
        .with_filter(filter_fn(|m| m.target() == ACCESS));
    let errors = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_writer(rotating(&dir.join("error.log")))
        .with_filter(LevelFilter::WARN);
    let subscriber = tracing_subscriber::registry().with(access).with(errors);
    tracing::subscriber::set_global_default(subscriber).map_err(io::Error::other)
}
