//! The pager: the views' output on a terminal goes through `$PAGER` (default `less -FRX`), as git's
//! does, so that a long history or log can be read and searched, and a short one is printed as is
//! (`-F`: less quits when the text fits one screen; `-X`: the screen is left as it was).
//!
//! Invariants: a pager is started only when stdout is a terminal (never when piped or redirected) and
//! neither `--no-pager` nor an empty `PAGER` or `PAGER=cat` says otherwise; once started, it is stdout
//! (file descriptor 1 is its input, so every writer of stdout goes through it unchanged), stderr stays
//! the terminal (errors are not paged), and the command waits for it before exiting, so that the shell's
//! prompt comes back after the reader quits. A pager that cannot be started is no error: the output is
//! printed directly. The terminal's width is read before stdout is handed over ([`width`]). While the
//! pager runs, Ctrl-C is the pager's.

use std::io::{IsTerminal, Write};
use std::os::fd::AsRawFd;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

/// The terminal's width, read when a pager was started (stdout is then a pipe).
static WIDTH: OnceLock<Option<usize>> = OnceLock::new();

/// The terminal's width as it was before the pager took stdout (`None` when no pager was started).
pub fn width() -> Option<usize> {
    WIDTH.get().copied().flatten()
}

/// A started pager, waited for on [`Pager::finish`].
pub struct Pager {
    child: Option<Child>,
}

impl Pager {
    /// No pager: output goes to stdout as it is.
    pub fn none() -> Pager {
        Pager { child: None }
    }

    /// Starts the pager when stdout is a terminal and paging is wanted.
    pub fn start(wanted: bool) -> Pager {
        if !wanted || !std::io::stdout().is_terminal() {
            return Pager::none();
        }
        let command = match std::env::var("PAGER") {
            Ok(p) if p.trim().is_empty() || p.trim() == "cat" => return Pager::none(),
            Ok(p) => p,
            Err(_) => "less -FRX".to_string(),
        };
        let width = terminal_size::terminal_size().map(|(w, _)| usize::from(w.0));
        let mut cmd = Command::new("sh");
        cmd.arg("-c").arg(&command).stdin(Stdio::piped());
        // As git: less's options when none are set, and lv's to keep colours.
        if std::env::var_os("LESS").is_none() {
            cmd.env("LESS", "FRX");
        }
        if std::env::var_os("LV").is_none() {
            cmd.env("LV", "-c");
        }
        let Ok(mut child) = cmd.spawn() else {
            return Pager::none();
        };
        let Some(stdin) = child.stdin.take() else {
            let _ = child.kill();
            let _ = child.wait();
            return Pager::none();
        };
        let _ = std::io::stdout().flush();
        // SAFETY: dup2 on two descriptors this process owns (the pipe to the pager and stdout); it
        // replaces descriptor 1 atomically, so every later write to stdout goes to the pager.
        let moved = unsafe { libc::dup2(stdin.as_raw_fd(), libc::STDOUT_FILENO) };
        drop(stdin);
        if moved < 0 {
            let _ = child.kill();
            let _ = child.wait();
            return Pager::none();
        }
        let _ = WIDTH.set(width);
        // Ctrl-C in the pager is the pager's (less uses it to stop a search): hyoka must neither die
        // under it, leaving the pager on the terminal without the shell waiting for it, nor stop
        // waiting; it stops writing when the reader quits (the pipe closes).
        // SAFETY: setting a signal's disposition to "ignore" has no handler to be unsafe in.
        unsafe { libc::signal(libc::SIGINT, libc::SIG_IGN) };
        Pager { child: Some(child) }
    }

    /// Ends the output: closes the pager's input (so that it sees the end) and waits for the reader to
    /// quit it.
    pub fn finish(self) {
        let Some(mut child) = self.child else {
            return;
        };
        let _ = std::io::stdout().flush();
        // Descriptor 1 becomes /dev/null: the pipe's last write end is closed, the pager sees the end
        // of its input, and a late write to stdout goes nowhere instead of failing.
        let replaced = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/null")
            // SAFETY: as above, on descriptors this process owns.
            .map(|null| unsafe { libc::dup2(null.as_raw_fd(), libc::STDOUT_FILENO) } >= 0)
            .unwrap_or(false);
        if !replaced {
            // SAFETY: closing descriptor 1, which nothing reads after this; the pager must see the end.
            unsafe { libc::close(libc::STDOUT_FILENO) };
        }
        let _ = child.wait();
    }
}
