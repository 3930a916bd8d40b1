//! Guards around what the CLI reads and writes beside the ledger: private keys others can read, and
//! outputs aimed into the ledger's own directory.

use std::path::Path;

use crate::common::Env;

/// A small ledger (plan, two items) with a private key `plan.key` named after its origin.
fn ledger_with_key() -> Env {
    let env = Env::new();
    env.with_items();
    env.run(&["key", "generate", "--output", "plan.key"]).ok();
    env
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// A private key readable by others (0644, 0666) was used silently. Every command that
/// reads one refuses it, in one line naming the file, its mode and the fix; 0600 and 0400 work.
#[cfg(unix)]
#[test]
fn a_private_key_readable_by_others_is_refused() {
    let env = ledger_with_key();
    let key = env.dir.path().join("plan.key");
    let commands: [&[&str]; 3] = [
        &["checkpoint", "--key", "plan.key"],
        &["prove", "1", "--key", "plan.key"],
        &["backup", "bk", "--key", "plan.key"],
    ];
    for mode in [0o644, 0o640, 0o606, 0o666, 0o604, 0o660] {
        set_mode(&key, mode);
        for args in commands {
            let run = env.run(args);
            let err = run.fails(1).to_string();
            assert_eq!(run.stderr.lines().count(), 1, "{args:?}: {}", run.stderr);
            assert!(
                err.contains(&format!("the private key file {}", key.display()))
                    || err.contains("the private key file plan.key"),
                "{args:?}: {err}"
            );
            assert!(
                err.contains(&format!("(mode {mode:04o})")),
                "{args:?}: {err}"
            );
            assert!(err.contains("run `chmod 600 plan.key`"), "{args:?}: {err}");
            assert_eq!(run.stdout, "", "{args:?}: nothing is signed or printed");
        }
        assert!(!env.ledger().join("CHECKPOINT").exists(), "mode {mode:o}");
        assert!(!env.dir.path().join("bk").exists(), "mode {mode:o}");
    }
    // Readable by its owner only: used.
    for mode in [0o600, 0o400] {
        set_mode(&key, mode);
        for args in commands {
            env.run(args).ok();
        }
    }
    // A symlink is followed; the mode that counts is the key file's own.
    std::os::unix::fs::symlink("plan.key", env.dir.path().join("link.key")).unwrap();
    env.run(&["checkpoint", "--key", "link.key"]).ok();
    set_mode(&key, 0o644);
    let err = env
        .run(&["checkpoint", "--key", "link.key"])
        .fails(1)
        .to_string();
    assert!(
        err.contains("(mode 0644)") && err.contains("chmod 600 link.key"),
        "{err}"
    );
}
