### hyoka's messages in English, grouped by command. Every key has its twin in ja.ftl with the same
### placeholders; how to add a message is said at the top of src/cli/i18n/mod.rs.

## The frame of every command's output
error-line = error: { $line }
wait-not-seconds = --wait must be a number of seconds, 0 or more

## The library's errors (errors.rs): the same words as the library's own
err-not-initialised = no ledger at { $dir }
err-already-initialised = a ledger already exists at { $dir }
err-busy = the ledger at { $dir } is busy: another process is using it
err-refused-at = line { $line }: { $refused }
err-not-in-checkpoint = event { $seq } is newer than the checkpoint: it covers { $covers } only
err-no-such-seq = seq { $seq } does not exist: the ledger has events 0..={ $last }
err-key-not-of-origin = the key is named { $key } but the ledger's origin is { $origin }: a checkpoint is signed by a key named after its origin
err-internal = internal error: { $detail }
err-integrity = integrity failure: { $detail }
err-disk-full = the disk is full: { $context }: { $detail }
err-no-room = not enough free space: { $context }: { $detail }
refused-no-plan = the ledger has no plan yet
refused-no-such-item = there is no item { $id }
refused-item-withdrawn = item { $id } is withdrawn
refused-item-exists = item { $id } already exists
refused-early-point = { $period } is more than one reporting point before the earliest rated point { $earliest }
refused-new-point = { $period } is more than one reporting point after the latest rated point { $latest }
covers-none = no event
covers = { $count ->
    [1] #0 (1 event)
   *[other] #0..#{ $last } ({ $count } events)
}
by-event = event { $seq }
by-head-record = the head record
by-commit-record = the store's commit record
by-export-hash = the `hash` of its export line
by-anchor-record = the anchor record
by-signed-anchor = the anchor record signed with the log key
by-signed-checkpoint = the checkpoint signed with the log key
integrity-hash-mismatch = event { $seq }: hash mismatch: its stored bytes no longer hash to what { $by } recorded
integrity-broken-link = event { $seq }: broken link: it does not record the hash of event { $prev }
integrity-bad-genesis = event 0: broken link: the first event must record a zero previous hash
integrity-missing-seq = event { $seq }: missing seq: { $detail }
integrity-undecodable = event { $seq }: undecodable bytes: { $why }
integrity-store-behind-head = the store is behind its head record: it holds { $store } events but { $head } were acknowledged (events { $store }..{ $head } are lost)
integrity-head-mismatch = event { $seq }: the store's head hash differs from the head record's
integrity-head-record-damaged = the head record is damaged: { $detail }
integrity-store-unreadable = the store is unreadable: { $detail }
integrity-store-file-missing = the store is missing a file: { $detail }
integrity-rule-broken = event { $seq }: breaks a rule of the ledger: { $why }
integrity-signature-invalid = event { $seq }: bad signature: { $why }
integrity-pinned-key-mismatch = event { $seq }: { $detail }
integrity-time-went-backwards = event { $seq }: recorded earlier than event { $prev }
integrity-checkpoint-root-mismatch = checkpoint mismatch: the checkpoint's tree of { $size } events has root { $checkpoint }, but the ledger's first { $size } events have root { $ledger }: history the checkpoint covers was rewritten
integrity-ledger-shorter = the ledger is shorter than the checkpoint: it holds { $ledger } events but the checkpoint covers { $checkpoint } (events { $ledger }..{ $checkpoint } are missing: a truncated ledger or an older copy)
integrity-checkpoint-other-origin = the checkpoint is of another ledger: its origin is { $checkpoint }, this ledger's is { $ledger }
integrity-checkpoint-bad-signature = bad checkpoint signature: the signature by { $key } does not verify (the checkpoint was altered or forged)
integrity-checkpoint-not-signed = the checkpoint has no signature by the key { $key }
integrity-signed-checkpoint-damaged = the last signed checkpoint (the CHECKPOINT file) is damaged: { $detail }
integrity-export-line-damaged = export line { $line }: damaged: { $why }
integrity-export-field-mismatch = event { $seq }: the export line's `{ $field }` does not match its stored bytes (the bytes are what is hashed: the line was edited)
integrity-export-shorter = the export is shorter than the checkpoint: it holds { $export } events but the checkpoint covers { $checkpoint } (events { $export }..{ $checkpoint } are missing: a truncated or older export)
integrity-event-not-in-checkpoint = event { $seq } is not in the checkpoint: it covers { $covers } only
integrity-proof-invalid = the proof does not verify: { $detail }
integrity-index-mismatch = index mismatch: the per-item index is damaged ({ $detail }); it is derived data and the events are intact
integrity-snapshot-mismatch = event { $seq }: snapshot mismatch: the stored state snapshot after this event is damaged ({ $detail }); it is derived data and the events are intact
integrity-journal-lost = acknowledged events are lost: { $detail }
integrity-anchored-events-missing = events #{ $ledger }..#{ $last } are missing: { $by } records { $anchored } events, but the ledger holds { $ledger }
integrity-anchor-root-mismatch = the ledger's first { $size } events differ from what { $by } records (another Merkle root): history it covers was rewritten
integrity-anchor-record-damaged = the anchor record (the ANCHOR file) is damaged: { $detail }
integrity-log-key-damaged = the ledger's log key (the LOGKEY file) is damaged: { $detail }

## What to do next (hints.rs): each starts with its separator
hint-not-initialised = : create one with `hyoka init --plan NAME` or `hyoka import FILE`, or point --ledger at an existing one
hint-already-initialised = : use it as it is, or choose another directory with --ledger
hint-item-withdrawn-at = { " " }in the ledger; reinstate it with `hyoka item reinstate { $id }` or remove its row
hint-no-such-seq = ; see `hyoka log`
hint-not-in-checkpoint = ; prove it against a newer checkpoint (`hyoka checkpoint` prints the ledger's)
hint-era-needed = ; give it with --era heisei or --era reiwa, or write the era in the file's header
hint-key-not-of-origin = ; generate one with `hyoka key generate --output FILE`
hint-unsigned = ; give your key with --key FILE (or set HYOKA_KEY): your own, current key
hint-unsettled = ; run `hyoka verify` before going on
hint-internal = { " " }(a bug in hyoka, not in your data: please report it with the command that caused it)
hint-derived-data = : rebuild it by restoring the ledger from an export or backup (`hyoka export`, then `hyoka restore`), which rebuilds all derived data; the history cannot be trusted until the ledger is restored from a backup
hint-integrity = ; the history cannot be trusted until the ledger is restored from a backup
hint-io = ; check the path, permissions and free space, then try again
hint-disk-full = ; free some space on that disk, or move the ledger to a disk with room (copy its whole directory there with `cp -a` and give the copy as --ledger), then try again
hint-no-room = ; free some space on that disk, or use a disk with room: give --ledger a directory there (to move an existing ledger, copy its whole directory with `cp -a`, or `hyoka backup DIR` there then `hyoka restore`), then try again
hint-no-plan = : run `hyoka init` first
hint-no-such-item = : list the items with `hyoka table`, or add it with `hyoka item add`
hint-item-withdrawn = : reinstate it with `hyoka item reinstate { $id }` first
hint-item-exists = ; correct it with `hyoka item amend { $id }`
hint-version-1-rename = ; in this ledger rename it item by item (hyoka item amend ID --category NEW), or start a new ledger for the plan (hyoka export, then hyoka init and hyoka import)
hint-version-1 = ; this ledger was created by an earlier hyoka and keeps that version: to use this, start a new ledger for the plan (hyoka init, or hyoka import of its table into a new --ledger)
hint-new-point = ; check the point, and if it is right give --new-point
hint-new-point-next = { " " }(the next point is { $next }); check the point, and if it is right give --new-point
holder-process-command = process { $pid } ({ $command })
holder-process = process { $pid }
list-separator = {", "}
holders-using = { $processes } { $count ->
    [1] is
   *[other] are
} using it
holders-was-using = another process was using it
holders-unknown = another process is using it (which one cannot be told here: no /proc/locks)
busy = the ledger at { $dir } is busy: { $who }; try again, or pass --wait SECONDS
era-from-flag = { $era } (from --era)
era-from-plan = { $era } (the plan's default era)
era-default = { $era } (no era given; set one with --era)
