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
        &["prove", "seq:1", "--key", "plan.key"],
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

/// The names and contents of every file under `dir`.
fn tree(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(tree(&path));
        } else {
            out.push((path.clone(), std::fs::read(&path).unwrap_or_default()));
        }
    }
    out.sort();
    out
}

/// `-o FILE` and `backup DIR` wrote into the ledger directory when told to (even over `HEAD`). Every
/// output of the CLI now refuses a target inside it, however it is spelled (relative, absolute, `..`,
/// a symlink to a file or to a directory in it, a dangling one), in one line, exit 2, before anything
/// is signed or written; targets beside it stay allowed.
#[cfg(unix)]
#[test]
fn outputs_inside_the_ledger_directory_are_refused() {
    let env = ledger_with_key();
    let root = env.dir.path();
    let ledger = env.ledger();
    let abs = ledger.join("t.txt").to_string_lossy().into_owned();
    std::os::unix::fs::symlink("ledger/HEAD", root.join("head-link")).unwrap();
    std::os::unix::fs::symlink("ledger/none.txt", root.join("dangling")).unwrap();
    std::os::unix::fs::symlink("ledger", root.join("ldir")).unwrap();
    std::fs::create_dir(root.join("ledger-old")).unwrap();
    let before = tree(&ledger);
    let refused: Vec<Vec<&str>> = vec![
        vec!["table", "-o", "ledger/t.txt"],
        vec![
            "table",
            "--format",
            "csv",
            "--output",
            "./ledger/../ledger/t.csv",
        ],
        vec!["table", "-o", &abs],
        vec!["table", "-o", "head-link"],
        vec!["table", "-o", "dangling"],
        vec!["table", "-o", "ldir/t.txt"],
        vec!["export", "-o", "ledger/store/x.jsonl"],
        vec!["export", "--output", "ledger/HEAD"],
        vec!["prove", "seq:1", "-o", "ledger/p.txt"],
        vec!["prove", "seq:1", "--key", "plan.key", "-o", "ldir/p.txt"],
        vec!["checkpoint", "-o", "ledger/HEAD"],
        vec!["checkpoint", "--key", "plan.key", "-o", "ledger/cp.txt"],
        vec!["key", "generate", "-o", "ledger/new.key"],
        vec!["backup", "ledger"],
        vec!["backup", "ledger/bk"],
        vec!["backup", "ledger/store/bk"],
        vec!["backup", "ldir"],
        vec!["backup", "ledger/store/.."],
    ];
    for args in &refused {
        let run = env.run(args);
        let err = run.fails(2).to_string();
        assert_eq!(run.stderr.lines().count(), 1, "{args:?}: {}", run.stderr);
        assert!(
            err.contains("is inside the ledger directory"),
            "{args:?}: {err}"
        );
        assert!(
            err.ends_with(&format!("give a path outside {}", ledger.display())),
            "{args:?}: {err}"
        );
        assert_eq!(run.stdout, "", "{args:?}");
    }
    assert_eq!(
        tree(&ledger),
        before,
        "nothing in the ledger directory changed"
    );
    assert!(!ledger.join("CHECKPOINT").exists(), "nothing was signed");
    // Beside the ledger directory (a name it only starts with, too): written.
    for args in [
        vec!["table", "-o", "t.txt"],
        vec!["table", "-o", "ledger-old/t.txt"],
        vec!["export", "-o", "ledger.jsonl"],
        vec!["checkpoint", "-o", "cp.txt"],
        vec!["backup", "bk"],
    ] {
        env.run(&args).ok();
    }
    assert!(root.join("ledger-old/t.txt").exists() && root.join("bk/ledger.jsonl").exists());
    // A ledger directory that does not exist yet is compared as it would be.
    let run = env.run(&[
        "--ledger",
        "new",
        "key",
        "generate",
        "--name",
        "x.example/log",
        "-o",
        "new/k.key",
    ]);
    assert!(
        run.fails(2).contains("is inside the ledger directory new"),
        "{run:?}"
    );
}
