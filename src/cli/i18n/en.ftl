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
err-not-in-checkpoint = event seq:{ $seq } is newer than the checkpoint: it covers { $covers } only
err-no-such-seq = there is no event seq:{ $seq }: the ledger holds { $covers }
err-key-not-of-origin = the key is named { $key } but the ledger's origin is { $origin }: a checkpoint is signed by a key named after its origin
err-internal = internal error: { $detail }
err-io = { $context }: { $error }
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
integrity-store-behind-head = the store is behind its head record: it holds { $store } events but { $head } were acknowledged ({ $span } lost)
integrity-head-mismatch = event { $seq }: the store's head hash differs from the head record's
integrity-head-record-damaged = the head record is damaged: { $detail }
integrity-store-unreadable = the store is unreadable: { $detail }
integrity-store-file-missing = the store is missing a file: { $detail }
integrity-rule-broken = event { $seq }: breaks a rule of the ledger: { $why }
integrity-signature-invalid = event { $seq }: bad signature: { $why }
integrity-pinned-key-mismatch = event { $seq }: { $detail }
integrity-time-went-backwards = event { $seq }: recorded earlier than event { $prev }
integrity-checkpoint-root-mismatch = checkpoint mismatch: the checkpoint's tree of { $size } events has root { $checkpoint }, but the ledger's first { $size } events have root { $ledger }: history the checkpoint covers was rewritten
integrity-ledger-shorter = the ledger is shorter than the checkpoint: it holds { $ledger } events but the checkpoint covers { $checkpoint } ({ $span } missing: a truncated ledger or an older copy)
integrity-checkpoint-other-origin = the checkpoint is of another ledger: its origin is { $checkpoint }, this ledger's is { $ledger }
integrity-checkpoint-bad-signature = bad checkpoint signature: the signature by { $key } does not verify (the checkpoint was altered or forged)
integrity-checkpoint-not-signed = the checkpoint has no signature by the key { $key }
integrity-signed-checkpoint-damaged = the last signed checkpoint (the CHECKPOINT file) is damaged: { $detail }
integrity-export-line-damaged = export line { $line }: damaged: { $why }
integrity-export-field-mismatch = event { $seq }: the export line's `{ $field }` does not match its stored bytes (the bytes are what is hashed: the line was edited)
integrity-export-shorter = the export is shorter than the checkpoint: it holds { $export } events but the checkpoint covers { $checkpoint } ({ $span } missing: a truncated or older export)
integrity-event-not-in-checkpoint = event { $seq } is not in the checkpoint: it covers { $covers } only
integrity-proof-invalid = the proof does not verify: { $detail }
integrity-index-mismatch = index mismatch: the per-item index is damaged ({ $detail }); it is derived data and the events are intact
integrity-snapshot-mismatch = event { $seq }: snapshot mismatch: the stored state snapshot after this event is damaged ({ $detail }); it is derived data and the events are intact
integrity-journal-lost = acknowledged events are lost: { $detail }
integrity-anchored-events-missing = events { $span } are missing: { $by } records { $anchored } events, but the ledger holds { $ledger }
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

## What a change does (words.rs): the same words as the library's describe::change
era-none = none
change-plan-defined = plan defined: { $name } (grades { $grades }, era { $era }, origin { $origin }, cadence { $cadence }{ $years })
change-plan-years = , years FY{ $first }-FY{ $last }
change-heading-added = heading added: { $name }
change-heading-renamed = heading renamed: { $from } → { $to }
change-item-registered = item { $id } registered: { $title } ({ $department }; { $category }{ $more })
change-registered-relisting = , re-listing of item { $id }
change-registered-from = , from { $point }
change-registered-after = , after item { $id }
change-item-amended = item { $id } amended: { $parts }
change-amended-separator = {"; "}
change-amended-title = title → { $value }
change-amended-department = department → { $value }
change-amended-heading = heading → { $value }
change-amended-relisting = re-listing of item { $id }
change-amended-not-relisting = not a re-listing
change-amended-from = from { $point }
change-amended-every-point = at every point
change-amended-after = after item { $id }
change-amended-natural-place = at its id's place
change-item-withdrawn = item { $id } withdrawn
change-item-reinstated = item { $id } reinstated
change-rating = item { $item } { $point }: rating { $grade }
change-rating-withdrawn = item { $item } { $point }: rating withdrawn
change-follow-up = item { $item } { $point }: follow-up { $state ->
    [on] on
   *[off] off
}
change-remark-cleared = item { $item } { $point }: remark cleared
change-remark = item { $item } { $point }: remark { $text }
change-clock-behind = 時計遅れ clock behind: the clock read { $clock }, earlier than the previous event; recorded at its time
change-excluded = item { $item } { $point }: 対象外 (not evaluated)
change-exclusion-withdrawn = item { $item } { $point }: 対象外 withdrawn
change-merged = item { $item } merged into item { $into } from { $point } (集約)
change-merge-withdrawn = item { $item }: merge withdrawn
change-people-enabled = people enabled: administrator { $id } ({ $department }), the log key recorded
change-person-registered = person { $id } registered: { $department }, { $roles }
change-role-granted = person { $person }: role { $role } ({ $label }) granted
change-role-revoked = person { $person }: role { $role } ({ $label }) revoked
change-key-rotated = person { $person }: key rotated
change-key-revoked = person { $person }: key revoked
change-round-opened = round { $point } opened (due { $due })
change-submitted = round { $point }: { $department } submitted
change-reviewed = item { $item } { $point }: { $stage } { $verdict ->
    [approve] 承認 approved
   *[return] 差し戻し returned
}
change-opinion-item = item { $item } { $point }: 意見 { $text }
change-opinion-round = round { $point }: 意見 { $text }
change-round-closed = round { $point } closed
change-round-published = round { $point } published (table SHA-256 { $sha256 })

## Who records a change (commands.rs)
who-no-author = who makes the change? give -a NAME (your name or staff id)
who-no-key = this ledger has people: every change is signed by its author; give your key with --key FILE (or set HYOKA_KEY)
who-key-was = { " " }(it was person { $person }'s, and is revoked or replaced)
who-key-not-current = the key in { $file } is not the current key of a person of this ledger{ $was }; use your own key, or ask an administrator to register it (hyoka person add, hyoka person key rotate)
who-author-not-key = -a { $author } is not the person whose key is given ({ $person }): leave -a out, the key says who you are

## init
init-created = created ledger { $dir } for plan { $plan } (grades { $grades }, era { $era })
init-points = reporting points: { $label } ({ $cadence }){ $years }
init-years = , fiscal years { $years }
init-origin = origin: { $origin }
init-origin-derived = origin: { $origin } (derived from the plan name; set it with --origin)

## item, rate, unrate, flag, remark: what was recorded
amend-nothing = nothing to amend: give --title, --department, --category, --relisting-of, --not-relisting, --from, --every-point, --after or --natural-place
recorded = recorded #{ $seq }: { $what }{ $by }
recorded-one = recorded #{ $seq }: { $what }{ $note }{ $by } (head { $head })
recorded-was = { " " }(was { $grade })
period-none-rated = no period has ratings yet: give the period with --period
period-latest = { " " }[period { $period }: the latest with ratings]

## log, verify: progress
log-cannot-keep = cannot keep the log to print it: { $error }
progress-verifying = verifying
progress-importing = importing
progress-exporting = exporting
progress-checking = checking
progress-restoring = restoring
progress-events = events

## import
import-cannot-read = cannot read { $file }: { $error }; check the file name
import-too-big = { $file } { $size }, more than { $what } can be ({ $max } bytes); check that it is the right file
import-size-is = is { $bytes } bytes
import-size-more = holds more than { $max } bytes
hint-import-with-people = ; in a ledger with people an import is its author's changes, checked as any: ratings go into an open round (ask an administrator: `hyoka round open POINT --due YYYY-MM-DD`), by staff or the head of the item's department
import-conflicts = { $count } conflict(s) with changes made since the last import; nothing was imported; keep the ledger's values by fixing the file, or rerun with --prefer-file to record the file's
import-file = file: { $items } items; periods { $periods }
import-era = era: { $era }
import-created = { $dry_run ->
    [yes] would create
   *[no] created
} ledger { $dir } for plan { $plan }
import-origin-derived = origin: { $origin } (derived; set the plan name and origin with --plan and --origin)
import-conflict = conflict: line { $line }: { $what }: the ledger has { $ledger } (set by { $author } in #{ $seq } at { $time }: { $reason }), the file has { $file }
import-nothing = the file matches the ledger: nothing to record
import-changes = changes: { $kinds }
import-recorded = recorded { $count } events (#{ $first }..#{ $last }) as one batch
import-dry-run = dry run: { $count } changes would be recorded; nothing was

## Printing (output.rs): log lines, verify's lines, outputs
warning-line = warning: { $line }
note-line = note: { $line }
cannot-write-stdout = cannot write to stdout: { $error }
log-source = { " " }[from { $file }]
log-head = #{ $seq } { $time }  { $author }
log-middle = { $what }  reason: { $reason }{ $source }
log-tail = hash { $hash }
clock-behind = 時計遅れ (clock behind): this machine's clock read { $clock }, earlier than the last event's time { $recorded }, so the change was recorded at { $recorded } after a clock.behind event (#{ $seq }); if this machine's clock is wrong, fix it; if it is right, an earlier change was recorded by a clock that ran ahead, and changes are recorded at that time until it has passed
vouched-by-store = the store and its head record
vouched-by-given-checkpoint = the checkpoint given
verified-none = ok: the chain checks, but the directory itself vouches for no event
verified = ok: verified #0..#{ $last } ({ $count } { $count ->
    [1] event
   *[other] events
}, vouched for by { $by }): the history is intact through #{ $last }
verified-journal-only = journal only: #{ $first }..#{ $last } ({ $count } { $count ->
    [1] event
   *[other] events
}) held only by the journal: the chain checks, but nothing outside the journal records { $count ->
    [1] it
   *[other] them
}, so a loss would leave no trace here; prove { $count ->
    [1] it
   *[other] them
} against a checkpoint kept elsewhere (hyoka verify --checkpoint FILE), or anchor every change (hyoka anchor on, or a log key: hyoka key use FILE)
head-line = head: { $hash }
root-line = root: { $hash } (RFC 6962, SHA-256)
key-source-given = given with --vkey
key-source-log-key = the ledger's log key, kept in its directory
key-source-none = none
kept-ignored = the last signed checkpoint (CHECKPOINT) is ignored: { $why }; it proves nothing about this ledger; the next `hyoka checkpoint --key` moves it aside
kept-verified = it extends the last checkpoint this ledger signed ({ $size } events); signature verified with { $key } ({ $source })
kept-unchecked = it extends the last checkpoint this ledger signed ({ $size } events); its signature was not checked (no log key is set: give --vkey, or set one with hyoka key use FILE)
output-inside-ledger = { $flag } { $target } is inside the ledger directory { $ledger }: hyoka does not write its outputs among the ledger's own files; give a path outside { $ledger }
flag-backup-dir = the backup directory
flag-backup-file = the backup file
init-admin-needs-keys = --admin needs the administrator's keys: give --vkey VKEY and --key FILE
prove-bare-seq = read { $seq } as the event seq:{ $seq } (events are named seq:N, as in `hyoka diff`)
man-cannot-render = cannot render the manual page: { $error }
not-an-event = `{ $value }` is not an event: write seq:N, e.g. { $example } (N as `hyoka log` shows #N)
bound-not-a-time = { $error }, or name an event as seq:N
clock-now-ignored = HYOKA_NOW is ignored: this build of hyoka records the system clock's time (only a build with the test-clock feature, as tests use, reads HYOKA_NOW)

## table, summary (view_cmds.rs)
cannot-write-json = cannot write the JSON: { $error }
cannot-write-file = cannot write { $file }: { $error }
table-cannot-render = item { $id }, { $field }: the text contains { $what }, which a TSV cell cannot hold; export with --format csv or --format json, or change the { $field } of item { $id }
text-has-tab = a tab
text-has-line-break = a line break
text-has-control = a control character

## history, blame, diff (audit_cmds.rs)
no-events-yet = the ledger had no events yet at { $at }; its first event was recorded at { $first }
that-point = that point
history-no-item = there is no item { $id }: list the items with `hyoka table`
history-no-item-given = give an item id, or --all
history-item = item { $id } { $title } ({ $department }; { $heading })
history-no-corrections = no corrections have been recorded
history-no-corrections-match = no corrections match these filters
history-no-changes = no changes
history-no-changes-match = no changes match these filters
history-no-department = no item is of the department `{ $department }`; the departments are: { $departments }
report-intro = Every correction recorded in the ledger (a change that replaced or withdrew an existing value), grouped by item. Ledger head: `{ $head }`; each entry names its event (seq), which `hyoka verify` and the ledger's checkpoints cover.
report-marked = Entries marked [訂正] change a published round's point: corrections (訂正) of published results, which the city announces.
report-none = No corrections have been recorded.
blame-nothing = no ratings, flags or remarks have been recorded for the periods shown
diff-every-needs-moments = --every lists the changes recorded between two moments of the log: give seq:N or at:TIME points, e.g. hyoka diff seq:359 seq:365 --every
diff-no-change-between = no change was recorded between { $from } and { $to }
diff-every-change = every change recorded between { $from } and { $to } ({ $count }), in order:
diff-none = no differences between { $from } and { $to }
diff-count = { $count } { $count ->
    [1] difference
   *[other] differences
} from { $from } to { $to }
field-name = { $field }
column-seq = seq
column-time = time
column-author = author
column-field = field
column-period = period
column-old = old
column-new = new
column-old-new = old → new
column-reason = reason
column-item = item
column-value = value
column-from = from
column-to = to
column-change = change

## round, submit, review, opinion (rounds.rs)
rounds-open = open
rounds-under-way = under way
round-none = no round is { $what }: an administrator opens one with `hyoka round open POINT --due DATE`, or give the point with --point POINT
round-several = { $count } rounds are { $what } ({ $points }): say which with --point POINT
round-no-other-open = no other round is open either
round-open-list = open rounds: { $points }
round-no-round = there is no round for { $point } ({ $open }): an administrator opens it with `hyoka round open { $point } --due DATE`
round-opened = the round of { $point } is open until { $due }: each department rates its items (hyoka rate), then submits them (hyoka submit)
round-closed = the round of { $point } is closed: no more ratings; reviews go on, then `hyoka round publish { $point }`
publish-no-log-key = publishing signs a checkpoint with the ledger's log key, and this writer does not hold it: it is expected at { $file } (beside the ledger directory); put the log key there, or give it with --log-key FILE
publish-other-log-key = the log key held ({ $key }) is not the one this ledger's people were enabled with: give the ledger's log key with --log-key FILE
publish-wrote-table = wrote the published table of { $point } (canonical form, { $bytes } bytes) to { $file }
publish-published = published { $point }: SHA-256 of its table { $sha256 }
publish-not-signed = the publication is recorded, but its checkpoint was not signed: { $error }
publish-checkpoint = checkpoint of { $size } events, signed with the log key { $key }:
notice-not-published = the round of { $point } is { $status }, not published: corrections (訂正) are the changes made after `hyoka round publish { $point }`
round-no-department = department `{ $department }` has no item at { $point }: the departments are { $departments }; check the name
submit-which-department = which department submits? give --department D
submitted = submitted the { $count } { $count ->
    [1] item
   *[other] items
} of { $department } for { $point }: next, 1次評価 by its head (hyoka review approve --department { $department })
review-which-stage = which stage? give --stage 1 or --stage 2
review-both-stages = you review at both stages (head and hq): say which with --stage 1 or --stage 2
review-not-submitted = its items are not submitted; the department submits them first (hyoka submit --department { $department })
review-see-status = see where each stands with `hyoka round status { $point }`
review-nothing-awaits = no item of { $department } awaits { $stage } for { $point }: { $next }
review-no-item = give an item id, or --department D
review-items-of = { $count } { $count ->
    [1] item
   *[other] items
} of { $department }
review-the-item = the item
review-returned = returned { $what } for revision (差し戻し): the department rates { $count ->
    [1] it
   *[other] them
} again, then submits again
review-approved-first = approved { $what } at 1次評価: next, 2次評価 by 行革本部
review-approved-second = approved { $what } at 2次評価: once every item is approved, an administrator publishes the round (hyoka round publish { $point })
correction-draft = this corrects the published results of { $point } (訂正): a draft of the notice to publish follows (every correction since publication: hyoka round notice { $point })

## People and keys (people.rs, names.rs)
people-vkey-not-pair = --vkey { $vkey } ({ $vkey_id }) is not the verifier key of the private key in { $file } ({ $key_id }); give the pair `hyoka key generate` made: its --output file to --key, the line it printed to --vkey
people-created-key-not-adopted = { $error }; the ledger and its people are created: make the key its log key with `hyoka key use { $file }`
people-first-admin = people: { $admin } is the first administrator; every change from now on is signed by its author's key (--key FILE, or HYOKA_KEY); register people with `hyoka person add`
people-version-1 = this ledger is of event schema version 1, which cannot hold people or signatures: a new ledger is needed; create one with `hyoka init --admin NAME --vkey FILE --key FILE` and import the published tables into it with `hyoka import FILE --key FILE`
people-already = this ledger has people already ({ $count } registered); register more with `hyoka person add`, and list them with `hyoka person list`
people-log-key-kept = log key: { $key }, already this ledger's log key, is recorded as its people's log key
people-enabled-key-not-adopted = { $error }; the ledger has people: make the key its log key with `hyoka key use { $file }`
people-enabled = every change from now on is signed by its author's key (--key FILE, or HYOKA_KEY); register people with `hyoka person add`
people-role-empty = --role is empty; give one or more of staff, head, hq, admin, committee, auditor
people-key-used = that key is (or was) { $person }'s: every person has a key of their own, never used before; have the person make one with `hyoka key generate --name NAME --output FILE`
people-key-rotated-own = sign with the new key from now on: the old one signs nothing more (never reuse it)
people-last-admin = { $person } is the last administrator with a key: revoking it would leave nobody to manage people; grant admin to another person first (`hyoka person role grant PERSON admin`), or rotate the key instead (`hyoka person key rotate`)
people-recorded = recorded #{ $seq }: { $what } by { $by } (head { $head })
recorded-by = { " " }by { $name }
hint-ask-for-role = ; ask an administrator to grant you the role it needs (`hyoka person role grant`), or ask a person who holds it
hint-ask-to-open-round = ; ask an administrator to open the round of that point (`hyoka round open POINT --due YYYY-MM-DD`), or check the point
hint-round-closed = ; the round is closed: ask an administrator; once it is published, 行革本部 (hq) records corrections
hint-ask-hq-correction = ; ask 行革本部 (hq) to record the correction (訂正)
hint-ask-to-return = ; ask its reviewer to return it (差し戻し) if it must change
hint-ask-department = ; ask a person of the item's department (staff or head) to record it, or an administrator to grant you the role (`hyoka person role grant`)
column-id = id
column-name = name
column-department = department
column-roles = roles
column-key = key
column-status = status
key-current = current
key-revoked = revoked
people-count = { $count } people; log key { $key }
cannot-read-file = cannot read { $file }: { $error }
names-not-utf8 = { $file } is not UTF-8: it holds people's names as JSON lines; restore it from your private copy
names-bad-line = { $file } line { $line }: not a person's entry ({ $error }); restore the file from your private copy, or remove that line (the person is then shown by id)
names-shown-by-id = { $error }; people are shown by id
names-cannot-write-entry = cannot write a person's entry: { $error }
names-cannot-write = cannot write { $file }: { $error }; check the permissions and free space of the ledger directory
names-no-person = there is no person `{ $who }` in this ledger (by id or by name); list them with `hyoka person list`
names-several = { $count } people are named `{ $who }` ({ $ids }); give the id instead
names-no-people = this ledger has no people; give it its first administrator with `hyoka people enable --admin NAME --vkey FILE --key FILE -m REASON`
names-no-salt = cannot draw a random salt for the name's commitment: { $error }

## Proofs, export, restore (offline.rs)
err-integrity-why = integrity failure: { $detail }; { $why }
not-utf8 = { $file } is not UTF-8: it is not { $what }
wrote = wrote { $what } to { $file }
signature-verified = signature: verified (key { $key })
signature-unchecked = signature: not checked (no --vkey): authenticity was not checked; { $what }
signature-not-checked-consistency = signature: not checked (no --vkey): this shows consistency with the checkpoint, not who issued it
what-checkpoint = a checkpoint
what-proof = a proof
what-a-consistency-proof = a consistency proof
what-consistency-proof = the consistency proof
what-inclusion-proof = the inclusion proof
what-private-key = a private key
what-verifier-key = a verifier key
the-fresh-checkpoint = the fresh checkpoint
prove-refused = refusing to prove: { $detail }; { $name } is not a checkpoint of this ledger as it stands
prove-no-event = there is no event seq:{ $seq }: the ledger holds { $covers }
prove-consistency-done = consistency proof from { $old } to { $new } events; check it with `hyoka verify-consistency FILE --old OLD_CHECKPOINT --vkey VKEY`
prove-inclusion-done = inclusion proof of event seq:{ $seq }; check it with `hyoka verify-proof FILE --vkey VKEY` (no ledger needed)
prove-what = give SEQ or --consistency OLD_CHECKPOINT
prove-unsigned = the checkpoint in the proof is unsigned: it pins the content (integrity), not who vouches for it; sign it with --key FILE
proof-does-not-show = the proof { $file } does not show what it claims
proof-ok = ok: event { $seq } is in the checkpoint of { $size } events (origin { $origin }, root { $root })
proof-unchecked-means = this shows the event is in the tree with that root, not who published the checkpoint
proof-event = event { $seq }
proof-who = {"  "}who:  { $value }
proof-what = {"  "}what: { $value }
proof-when = {"  "}when: { $value }
proof-why = {"  "}why:  { $value }
proof-from = {"  "}from: { $file } (blake3 { $blake3 })
proof-hash = {"  "}hash: { $value }
consistency-does-not-show = the proof { $file } does not show that the log extends { $old }
consistency-ok = ok: consistent: the checkpoint of { $new } events extends the checkpoint of { $old } events (origin { $origin }): the first { $old } events are unchanged
consistency-old-root = old root: { $hash }
consistency-new-root = new root: { $hash }
consistency-unchecked-means = this shows the two trees are consistent, not who published them
consistency-old-unsigned = old checkpoint: unsigned, taken as given
export-failed = the export failed
export-nothing = nothing was exported
export-cannot-keep = cannot keep the export to print it: { $error }
exported = exported { $count } events{ $to } (origin { $origin }); head { $head }; root { $root }
exported-to = { " " }to { $file }
export-not-trusted = the export { $file } cannot be trusted
checkpoint-not-vouching-export = the checkpoint { $file } does not vouch for the export
export-verified = ok: { $count } events in the export verified: every line matches its stored bytes, the chain and the rules hold
export-checkpoint-consistent = checkpoint: consistent: the export's first { $size } events have the checkpoint's root; { $more } more events after them
checkpoint-unchecked-means = this shows consistency with the checkpoint, not who issued it
export-no-checkpoint = checkpoint: none given: an export alone cannot show that it is complete or the published history; give --checkpoint FILE
restore-not-trusted = nothing was restored: the export { $file } cannot be trusted
restored = restored { $count } events into { $dir }
restore-extends = it extends the checkpoint ({ $size } events){ $signed ->
    [yes] ; recorded as the ledger's last signed checkpoint
   *[no] {""}
}
restore-no-checkpoint = no --checkpoint: the export was checked in itself, not against a published checkpoint; the ledger's last signed checkpoint (CHECKPOINT) is not part of an export, give it with --checkpoint

## Keys and checkpoints (tlog.rs, keys.rs)
key-name-from-origin = the key name defaults to the ledger's origin, but: { $error }; or give the name with --name NAME
key-give-name = give the key name with --name NAME
key-name-not-origin = the key name { $name } is not the ledger's origin { $origin }: `hyoka checkpoint` will refuse this key for this ledger (a person's key, for `hyoka person add`, may have any name)
key-wrote = wrote the private key to { $file } (keep it secret); the verifier key, to publish, is:
sign-refused = refusing to sign: this ledger is not an append-only extension of the last checkpoint signed for it ({ $file }): { $detail }; a log must never sign two inconsistent checkpoints: restore the ledger that checkpoint was signed from
checkpoint-moved-aside = the last signed checkpoint kept in the ledger directory failed its check (damaged, forged, or signed by another key): moved aside to { $file }
checkpoint-log-key-set = this key is now the ledger's log key (its verifier key is kept in { $file }); checkpoints are signed with it only
checkpoint-wrote = wrote the checkpoint of { $size } events to { $file }
checkpoint-unsigned = this checkpoint is unsigned: it pins the ledger's content (integrity) but does not show who vouches for it (authenticity); sign it with --key FILE
checkpoint-signed = signed by { $key }; recorded as the ledger's last signed checkpoint{ $previous }
checkpoint-extends = { " " }(it extends the previous one, of { $size } events)
checkpoint-not-vouching = the checkpoint { $file } does not vouch for this ledger
checkpoint-consistent = checkpoint: consistent: the ledger extends the checkpoint of { $size } events (origin { $origin }, root { $root }); { $more } events appended since
keys-cannot-read = cannot read { $what } { $file }: { $error }
keys-too-big = { $file } is larger than { $max } bytes: it is not { $what }
keys-not-a-key = { $file }: { $error }; give the file written by `hyoka key generate`
keys-mode = the private key file { $file } can be accessed by others (mode { $mode }): refusing to use it, a signing key must be readable by its owner only; run `chmod 600 { $file }` and try again (and make a new key if others may have copied it)
keys-vkey-not-a-key = --vkey: { $error }; give the verifier key text (NAME+ID+KEY, as printed by `hyoka key generate`) or a file holding it
keys-vkey-file-not-a-key = { $file }: { $error }; give the verifier key text (NAME+ID+KEY, as printed by `hyoka key generate`) or a file holding it
file-invalid = { $file }: { $problem }
keys-vkey-private = --vkey: { $file } holds a private (signing) key; give the verifier key instead, the line `hyoka key generate` printed (it does not start with PRIVATE+KEY), and keep the private key secret
keys-exists = { $file } already exists: refusing to overwrite it (it may be a key); choose another --output
cannot-create-file = cannot create { $file }: { $error }
cannot-fsync = cannot fsync { $dir }: { $error }

## backup
backup-keep-old = the backup in { $dir } { $why }, so the old backup is left untouched; { $todo }
backup-todo-move-away = look at it, then move it away or back up into another directory
backup-no-checkpoint = cannot be checked: it has { $export } but no { $checkpoint } to check this ledger against
backup-cannot-read-old = cannot read { $file } ({ $error }), so the old backup is left untouched; check its permissions, or back up into another directory
backup-damaged = cannot be checked: its { $checkpoint } is damaged ({ $why })
backup-too-big = it has more than { $max } bytes
backup-other-key = has a { $checkpoint } signed, but not by the key of --key ({ $key })
backup-fails-check = has a { $checkpoint } that fails its check: { $error }
backup-cannot-check = has a { $checkpoint } that cannot be checked: { $error }
backup-todo-other-key = back up into another directory, or with the key that signed it
backup-todo-restore = if this ledger is an older or damaged copy, restore the backup instead (`hyoka restore { $export } --checkpoint { $checkpoint } --ledger NEW_DIR`), otherwise back up into another directory
backup-shorter = holds { $old } events but this ledger has { $new }: writing it would replace the backup with a shorter history
backup-other-ledger = is of another ledger (origin { $old_origin }, { $old } events; this ledger's origin is { $origin }, { $events } events)
backup-todo-elsewhere = back up into another directory
backup-rewritten = holds { $old } events and this ledger has { $new }, but this ledger's first { $old } events are not the backup's (root { $ledger }, the backup's checkpoint has { $checkpoint }): this ledger rewrote the history the backup holds
backup-cannot-create = cannot create { $dir }: { $error }; check the path and permissions
backup-read-back = the backup in { $dir } does not read back correctly ({ $error }); the disk may be failing: try another
backup-mismatch = the backup in { $dir } does not match the ledger's checkpoint; try again
backup-written = backup of { $count } events written to { $dir } and read back: { $export } (export), { $checkpoint } ({ $signed ->
    [yes] signed
   *[no] unsigned
} checkpoint)
backup-extends = it extends the backup it replaced ({ $size } events)
backup-restore-with = restore with: hyoka restore { $export } --checkpoint { $checkpoint } --ledger NEW_DIR

## Opening a ledger, the log key, anchoring (anchoring.rs)
journal-cut = the journal ended in an unfinished record (an append cut short by a kill or a power cut, never acknowledged): its { $bytes } bytes, from #{ $seq }, were kept in { $file } and cut off
journal-unfinished = the journal ends in an unfinished record ({ $bytes } bytes from #{ $seq }: an append cut short, never acknowledged); left as it is: the next change keeps it aside and cuts it off
busy-waiting = the ledger is busy: { $who }; waiting up to { $seconds } s more for it
read-copy-no-temp = { $error }; and cannot create a temporary directory to read a copy of it
read-copy-read-only = the ledger is on a read-only file system
read-copy-not-writable = the ledger's directory cannot be written by this user
read-copy = { $why }; reading a private copy of it ({ $size }) in { $dir }, removed afterwards{ $verifying ->
    [yes] ; the copy is byte for byte the ledger's files, so verifying it verifies them
   *[no] {""}
}
log-key-none-yet = --log-key { $file }: this ledger has no log key yet; make that key its log key with `hyoka key use { $file }`
key-inside-ledger = { $file } is inside the ledger directory: a private key must never be kept there (copies of the ledger would carry it); move it out, e.g. to { $suggested }
log-key-now = log key: { $key } is now this ledger's log key (its verifier key is kept in { $file })
log-key-already = log key: { $key } is already this ledger's log key
log-key-found-there = writers find it there by themselves
log-key-found-with-flag = writers use it when given --log-key { $file } (or when it is at { $default })
log-key-anchors = every change made by a writer holding the private key is anchored, signed with it; { $found }; keep { $file } secret
log-key-wrote = wrote a new log key to { $file } (mode 0600; keep it secret, and outside the ledger directory)
log-key-other-origin = the log key in { $file } is named { $name }, but this ledger's origin is { $origin }: a log key is named after its ledger's origin; give another file with --log-key FILE (a new key is made there if it does not exist)
log-key-wrote-new = wrote a new log key to { $file } (mode 0600): keep it secret, outside the ledger directory, and back it up
anchor-setting = anchoring every change: { $state ->
    [on] on
   *[off] off
}
anchor-log-key-set = log key: set: a writer holding it anchors every change, signed
anchor-log-key-none = log key: none (set one with `hyoka key use FILE`)
anchor-vouched = vouched for from this directory: { $vouched } of { $count } events{ $rest ->
    [yes] {" "}(the rest are held only by the journal)
   *[no] {""}
}

## demo
demo-no-temp-dir = cannot create a temporary directory: { $error }
demo-intro = hyoka demo: a throwaway ledger in a temporary directory, deleted at the end.
demo-heading-import = Import the published table (Kodaira City follow-up table, FY2014-FY2015, bundled)
demo-heading-table = The table, rebuilt from the events alone (first rows; `hyoka table` shows all)
demo-heading-totals = Its totals, rebuilt from the events, against the document's own total rows
demo-file-totals = {"   "}the file's own total rows (lines { $first }-{ $last }): { $totals }, follow-up { $follow_up }: the same, as the import checked
demo-heading-correction = A correction: a new event, never an overwrite
demo-heading-verify = Verify: recompute every hash, the chain, the rules and the Merkle tree
demo-heading-tamper = Tamper evidence: change one byte of event 100 in an exported copy
demo-edited = (edited by hand: { $file } line { $line }, event 100: character { $column } of its stored bytes ("bytes", base64) changed from { $old } to { $new }, one bit of one byte)
demo-caught = { $line } (exit code { $code })
demo-unnoticed = the demo's tampering went unnoticed: please report this
demo-heading-publish = A published round and its publication pack (the files a city puts on its website, signed by the log key)
demo-pack-where = (`hyoka publish POINT --out DIR` writes it for your ledger: index.html, CSV, Excel and JSON, the signed checkpoint and manifest, the tiles)
demo-heading-next = Next
demo-next-import = bring in your own table (creates ./hyoka-ledger)
demo-next-checkpoint = publish a signed checkpoint; verify --checkpoint proves append-only
demo-next-help = every command, with examples
demo-cannot-edit = the demo could not edit its copy { $file }: { $error }
demo-heading-serve = Try a round in the browser (demo data only)
demo-serve-marked = {"   "}DEMO DATA: demo people and an open round were added to this throwaway ledger; all of it is deleted when the server stops.
demo-serve-round = {"   "}round { $point } ({ $label }) is open (due { $due }) for { $departments }; sign in as one of these people (ID and password):
demo-serve-account = {"   "}{ $id }  { $password }  ({ $role }, { $department })
demo-serve-open = open { $url } in a browser and sign in with an ID and password above (Ctrl-C to stop; the demo ledger is then deleted)
demo-serve-failed = the demo could not set up its server: { $error }; run hyoka demo --serve again
panic = internal error ({ $message }); run `hyoka verify` to check the ledger, and please report this with the command you ran
init-progress-scale = { $scale } (progress in percent)

## table --marks, summary --by, changes (view_cmds.rs)
marks-in-file = --marks: a TSV or CSV table holds the latest point's follow-up marks and remarks (its re-import records them there); show another point's with --format text, md or json
marks-after-as-of = --marks: { $point } is after --as-of { $as_of }; name a point up to it
summary-csv-needs-by = --format csv: give --by heading or --by department (CSV has a row per point and group)
changes-same-points = the two points are the same ({ $point }); name two points, e.g. { $point } { $next }
changes-the-next-one = the next one

## The config file (config.rs), the manual pages
config-bad = config file { $file }: { $what }
config-no-file = no such file (named by HYOKA_CONFIG; set it empty to read no config file)
config-cannot-read = cannot read it: { $error }
config-too-big = larger than { $max } bytes: it is not a config file
config-not-utf8 = not UTF-8 text
config-toml-line = line { $line }: { $message } (it is TOML: key = "value", one a line)
config-toml = { $message } (it is TOML: key = "value", one a line)
config-must-be-text = `{ $key }` must be { $what } in quotes (found { $found })
config-a-directory = a directory
config-a-key-file = a private key file
config-ja-or-en = ja or en
config-a-time-zone = a time zone
config-bad-language = `language` must be ja or en (found "{ $found }")
config-bad-wait = `wait` must be a number of seconds, 0 or more, without quotes (found { $found })
config-unknown-key = unknown key `{ $key }`; the keys are { $keys }
config-empty-string = an empty string
config-a-list = a list
config-a-table = a table
man-none = no manual page was rendered
man-wrote = wrote { $count } manual pages to { $dir }
stage-not-1-or-2 = write 1 (1次評価, by the department head) or 2 (2次評価, by 行革本部)

## import: layouts, workbooks, every bad cell (commands.rs)
what-table = a table
what-layout = a layout
layout-none = no layout file { $layout }, and no known layout of that name; give a layout file (README: "Your own sheet"), or one of { $known }
layout-not-utf8 = the layout { $layout } is not UTF-8 text; save it as UTF-8
layout-toml-at = the layout is not valid: { $why } (line { $line }, column { $column })
layout-toml = the layout is not valid: { $why }
layout-unknown-key = unknown key `{ $key }`
layout-missing-key = missing key `{ $key }`
layout-invalid = the layout is not valid: { $why }
layout-no-header-text = columns.{ $key } lists no header text
layout-empty-header-text = columns.{ $key } has an empty header text
layout-bad-column = columns.{ $key } must be a header text, a list of them, { $column } or { $after } with N from 1 to { $max }
layout-name = name must be 1 to 40 characters of a-z, 0-9, - and _ (it names the layout in messages)
layout-id-and-title = columns must name either id and title, or item (id and title in one cell), not both
layout-points-header = points.header must be a header text, with { $point } at most once where the point's label stands
layout-points-from = points.from_column must be from 1 to { $max }
layout-points-by-position = points.from_column reads the points by position: points.header must then be "{ $point }"
layout-data-shift = header.data_shift must be from 0 to 8
layout-first-cell-empty = header.first_cell must not be empty
layout-no-header-row = the header row cannot be found: give header.first_cell, or name a column by its header text
layout-after-points = { $after } needs the points by position (points.from_column)
layout-mark-in-remark = cells.mark_in_remark needs a follow_up and a remark column
layout-bad = { $layout }: { $error }; see schema/LAYOUT.md for what a layout holds
import-cp932 = notice: { $file } read as CP932 (Shift_JIS, the encoding of Excel's CSV on Japanese Windows): it is not UTF-8
import-problem = problem: { $problem }
import-problems-omitted = problem: … and { $count } more, not shown
import-problems = { $count } problems in { $file }; nothing was imported; correct every cell listed above (line, column and its header; what it would accept) and import again
import-layout = layout: { $layout }
import-sheet = sheet: { $sheet }
hint-point-needed = ; give it with --point (e.g. --point 令和元年度末)
hint-no-layout = { " " }(README: "Your own sheet"; the known layouts are in fixtures/layouts/) and give it with --layout FILE
err-problems = { $count } problems: { $problems }

## The static mirror (`mirror`, `verify --mirror`)
progress-writing = writing
mirror-no-checkpoint = the ledger has no signed checkpoint to mirror: sign one with `hyoka checkpoint --key FILE`, then run this again
mirror-conflict = { $dir } is not this ledger's mirror: its { $path } differs from what this ledger's mirror holds there; nothing more was written; choose an empty directory, or the one this ledger's mirror was written to
mirror-wrote = wrote the mirror of the checkpoint of { $size } events to { $dir }: { $written } files new, { $kept } already there and checked
mirror-not-a-directory = { $dir } is not a directory: give the directory `hyoka mirror` wrote
mirror-not-trusted = the mirror { $dir } cannot be trusted
mirror-verified = ok: { $count } events of the mirror verified: the entry bundles, tiles and event bundles ({ $files } files) make the checkpoint's tree, and the chain and the rules hold
mirror-table = table: { $items } items; latest rated point { $latest }
mirror-unchecked-means = this shows that the mirror is whole and consistent with its checkpoint, not who issued it
fetch-cannot = cannot fetch { $url }
fetch-status = the server answered with HTTP status { $code }
pack-no-log-key = a publication pack is signed with the ledger's log key, and this writer does not hold it: it is expected at { $file } (beside the ledger directory); put the log key there, or give it with --log-key FILE
pack-not-published = the round of { $point } is not published: publish it first with `hyoka round publish { $point }`, then run this again
pack-no-round = there is no round of { $point }: only a published round has a publication pack; see the rounds with `hyoka round status POINT`
pack-checkpoint-before = the last signed checkpoint ({ $size } events) does not cover the publication (event #{ $seq }): sign one with `hyoka checkpoint --key FILE`, then run this again
pack-not-cp932 = item { $item }, column { $column }: { $ch } ({ $code }) cannot be written in CP932; nothing was written; publish in UTF-8 (leave out --encoding cp932), or correct the cell
pack-exists = { $path } exists with other bytes (another pack's?); nothing was written; choose an empty directory, or replace it with --force
pack-not-a-file = { $path } is a link or not a regular file: hyoka never follows links nor writes through them; nothing was written; remove it or choose another directory
pack-failed = the pack could not be made: { $error }
pack-wrote = wrote the publication pack of { $point } ({ $id }) to { $dir }: { $written } files written, { $kept } already the same
pack-files = files: { $files }
pack-tiles = tiles: { $dir } ({ $written } files new, { $kept } already there and checked)
pack-digest = table SHA-256 (canonical form, as recorded by event #{ $seq }): { $sha256 }
pack-checkpoint = checkpoint: { $size } events, root { $root }
pack-corrections = corrections since the publication: { $count } (corrections.html)
pack-next = next: put { $dir } on the website as it is; anyone can check it with `hyoka verify --publication DIR` and `hyoka verify --mirror URL`
pack-not-a-directory = { $dir } is not a directory: give the directory `hyoka publish` wrote
pack-not-trusted = the publication pack { $dir } cannot be trusted
pack-missing = { $name } is missing
pack-damaged = { $name } is damaged: { $why }
pack-bad-signature = the signature of { $name } does not check: { $why }
pack-changed = { $name } is not the file the manifest lists (its SHA-256 differs)
pack-other-checkpoint = the checkpoint ({ $size } events) is not the one the manifest names
pack-digest-differs = the table in table.json hashes to { $computed }, not to the recorded { $recorded }
pack-not-the-ledgers = the ledger at { $ledger } does not record this publication of { $point } (another event or another table digest)
pack-verified = ok: the publication pack in { $dir } holds what its manifest lists: { $files } files, each SHA-256 checked
pack-verified-table = table: { $point }, SHA-256 { $sha256 } recomputed from table.json, as event #{ $seq } recorded it
pack-ledger-checked = ledger: { $ledger } verified; it extends the pack's checkpoint and records the same publication
pack-no-ledger = ledger: none at { $ledger }, so the pack was not compared with a ledger
pack-unchecked-means = this shows that the pack is whole and consistent with itself, not who issued it
integrity-mirror-file-missing = the mirror has no file { $path }, which its checkpoint needs
integrity-mirror-file-mismatch = the mirror's { $path } differs from the tree its events make (from event seq:{ $seq })
integrity-mirror-bundle-damaged = the mirror's { $path } is damaged: { $detail }
integrity-mirror-entry-mismatch = event seq:{ $seq }'s entry in the mirror's { $path } is not the hash of the event stored for it
err-mirror-conflict = the mirror's { $path } differs from what this ledger's mirror holds there

## sheets: each department's sheet for a point (sheets.rs)
sheets-point = sheets of { $point } ({ $id }) for { $count } { $count ->
    [1] department
   *[other] departments
}; for reference, the previous rated point: { $reference }
sheets-no-reference = none (the point is the first rated)
sheets-wrote = wrote { $file } ({ $department }, { $items } { $items ->
    [1] item
   *[other] items
})
sheets-next = next: each department fills in its 評価 column (and フォローアップ対象, 理由等 where needed); then `hyoka import FILE` records the cells filled in, at this point only
sheets-point-needed = which point are the sheets for? the ledger has no rounds: give it with --point (e.g. --point 令和2年度末)
sheets-round = { $point } ({ $status })
sheets-status-open = open
sheets-status-closed = closed
sheets-status-published = published
sheets-no-open-round = no round is open (rounds: { $rounds }): an administrator opens the next one with `hyoka round open POINT --due DATE`, then its sheets are written
sheets-not-open = the round of { $point } is not open (rounds: { $rounds }): sheets are written for an open round; an administrator opens it with `hyoka round open { $point } --due DATE`
sheets-not-open-list = the round of { $point } is not open (open rounds: { $open }): give --point one of them, or leave it out when one is open
sheets-no-items = no item of the plan is part of it at { $point }: there is no sheet to write; check the point
sheets-dir-link = { $dir } is a symbolic link: hyoka never follows links when it writes; nothing was written; give the directory itself
sheets-dir-not-dir = { $dir } exists and is not a directory; nothing was written; give a directory for --out
sheets-cannot-create = cannot create { $dir }: { $error }; nothing was written; check the path and permissions
sheets-link = { $file } is a symbolic link: hyoka never follows or replaces one; nothing was written; remove it, or choose another --out
sheets-not-file = { $file } exists and is not a file; nothing was written; move it away, or choose another --out
sheets-exists = { $file } already exists; nothing was written; move it away, choose another --out, or give --force to replace the sheets
sheets-cannot-make = the workbook of { $department } could not be made ({ $error }); nothing was written; write it with --format csv
sheets-cannot-write = cannot write { $file }: { $error }; { $done } { $done ->
    [1] file was
   *[other] files were
} written before it; check the directory and run again with --force

## The rules of the ledger (errors.rs, `Rule`, `TextProblem`, `Version1`): the same words as the library's own
version1-needs-2 = { $what } needs event schema version 2, and this ledger is of version 1
version1-text-id = the item id `{ $id }` is not a number, and a ledger of event schema version 1 numbers its items
version1-not-half-year = the point { $point } is not 上半期 or 年度末, the only points of event schema version 1
version1-unknown = unknown event schema version { $version }
v2-from = an item that joins the plan at a point (from)
v2-after = an item placed after another (after)
v2-cadence = a plan's cadence or years
v2-exclusion = an exclusion (対象外)
v2-merge = a merge (集約)
v2-heading-rename = a heading rename
v2-people = people and their keys
v2-round = an evaluation round
field-plan-name = plan name
field-heading = heading
field-title = title
field-department = department
field-grade = grade
field-remark = remark
field-opinion = opinion
field-reason = reason
field-author = author
field-person-id = person id
field-person-name = person's name
field-verifier-key = verifier key
field-log-key = log key
field-item-id = item id
field-item-number = item number
text-empty = the { $field } is empty; give a non-empty { $field }
text-empty-why = the { $field } is empty; say why with a non-empty { $field }
text-control = the { $field } contains the control character { $char }; remove it
text-white-space = the { $field } `{ $value }` contains white space; use a single word such as S, A or B
text-invisible = the { $field } `{ $value }` contains { $named } at position { $position }, a character that does not show when printed{ $selector }; type the { $field } again without it
text-invisible-selector = {" "}(a variation selector is accepted only directly after a kanji)
items-one = item { $id }
items-some = items { $ids }
items-more = items { $ids } and { $more } more
round-state-open = open
round-state-closed = closed
round-state-published = published
decided-rating = a rating
decided-follow-up = a follow-up flag
decided-remark = a remark
decided-excluded = 対象外
action-change-items = change the plan's items
action-manage-people = manage people
action-change-others-key = change another person's key
action-manage-rounds = open, close or publish a round
action-exclude-published = change 対象外 in a published round (訂正 is made by 行革本部)
action-exclude = mark an item 対象外
action-record-opinion = record an opinion
action-submit = submit a department's items
action-review-first = review at 1次評価
action-review-second = review at 2次評価
action-rate = rate or remark items
action-correct-published = correct a published round (訂正 is made by 行革本部)
action-review = review
action-rate-or-remark = rate or remark
key-of-log = the log key
key-of-admin = the administrator's key
key-of-person = the person's key
key-of-new = the new key
role-named = { $id } ({ $label })
or-separator = {" "}or{" "}
open-rounds-none = no other round is open either
open-rounds-list = open rounds: { $points }
rule-file-name = the source file name `{ $name }` is not a file name without directories
rule-origin = origin `{ $origin }` is not valid: it must be non-empty, without spaces or `+`, e.g. city.kodaira.example/reform-plan-2
rule-first-is-plan = the first event must define the plan
rule-plan-first = the ledger has no plan yet: the first event must define it
rule-plan-defined = the plan is already defined
rule-empty-scale = the grade scale is empty; give grades best first, e.g. S,A,B
rule-grade-twice = grade `{ $grade }` appears twice in the scale
rule-years-backwards = the plan's years run backwards: FY{ $first } to FY{ $last }
rule-whole-plan-needs-years = a plan with one result for the whole plan must declare its years
rule-rename-taken = heading `{ $name }` already exists as `{ $existing }`; a heading is renamed to a name no other heading has
rule-heading-lookalike = heading `{ $name }` already exists as `{ $existing }` (the same name in NFKC); use `{ $existing }`
rule-heading-exists = heading `{ $name }` already exists
rule-rename-changes-nothing = the rename changes nothing: the heading is already `{ $name }`
rule-no-such-heading = there is no heading `{ $name }`; use one of: { $headings }
rule-id-lookalike = item id `{ $id }` reads as item { $other }'s (they differ only in letter case or leading zeros); use { $other }, or an id that differs
rule-item-zero = item numbers start at 1
rule-grade-not-in-scale = grade `{ $grade }` is not in the plan's scale; use one of { $scale }
rule-decided-before = item { $id } has { $what } at { $at }, before { $from }; withdraw it first
rule-amend-changes-nothing = the amendment changes nothing: item { $id } already reads so
rule-not-withdrawn = item { $id } is not withdrawn
rule-rating-excluded = item { $id } is 対象外 (not evaluated) at { $period }; withdraw the exclusion first
rule-already-rated = item { $id } is already rated { $grade } for { $period }; nothing to change
rule-no-rating = item { $id } has no rating for { $period } to withdraw
rule-follow-up-already = the follow-up flag of item { $id } for { $period } is already { $on }; nothing to change
follow-up-is-on = on
follow-up-is-off = off
rule-remark-already = item { $id } already has that remark for { $period }; nothing to change
rule-already-excluded = item { $id } is already 対象外 at { $period }; nothing to change
rule-exclude-rated = item { $id } is rated { $grade } at { $period }; withdraw the rating before marking it 対象外
rule-not-excluded = item { $id } is not 対象外 at { $period }; no exclusion to withdraw
rule-already-merged = item { $id } is already merged into item { $into } from { $from }; withdraw that merge first
rule-merge-into-itself = item { $id } cannot be merged into itself
rule-merge-into-merged = item { $into } is itself merged into item { $other }; merge into item { $other } instead
rule-merged-into = item { $other } is merged into item { $id }; an item others are merged into cannot be merged itself
rule-decided-after = item { $id } has { $what } at { $at }, on or after { $from }; withdraw it first
rule-not-merged = item { $id } is not merged into another
rule-not-yet-joined = item { $id } joins the plan at { $joins }, after { $period }; it has nothing at that point
rule-merged-away = item { $id } is merged into item { $into } from { $from } (集約); record it on item { $into }
rule-after-itself = item { $id } cannot be placed after itself
rule-after-cycle = item { $id } cannot be placed after item { $after }, which is placed after item { $id }
rule-relist-itself = item { $id } cannot re-list itself
rule-relist-missing = item { $id } re-lists item { $of }, which does not exist; register item { $of } first
rule-relist-of-relisting = item { $of } is itself a re-listing; re-list the original item instead
rule-version-mixed = the event is of schema version { $version }, but the ledger's event 0 is of version { $first }
rule-clock-behind-given = clock.behind events are written by the ledger itself, when the clock is behind the last event; they cannot be given as a change
rule-not-a-key = { $of } `{ $key }` is not a verifier key: { $why }
rule-enabled-by-other = the people.enabled event must be recorded by the administrator it names ({ $admin }), not by { $author }
rule-author-not-person = its author { $author } is not a registered person
rule-author-no-key = its author { $author } has no key at this point (it was revoked)
rule-no-people = the ledger has no people: enable them first
rule-has-people = the ledger already has people
rule-no-such-person = there is no person `{ $person }`
rule-no-round = no round is open for { $period }; { $open }
rule-no-role-given = person `{ $person }` is registered without a role; give at least one
rule-role-twice = person `{ $person }` is given a role twice
rule-person-exists = person `{ $person }` already exists
rule-key-of-another = that key is (or was) person `{ $other }`'s: every person has a key of their own
rule-key-used-before = that key is (or was) person `{ $other }`'s: a new key is a key never used before
rule-first-not-admin = the first person of a ledger with people must be an administrator
rule-has-role = person `{ $person }` already has the role { $role }
rule-lacks-role = person `{ $person }` does not have the role { $role }
rule-last-admin = that is the last administrator with a key: grant the role to another person first
rule-no-key-to-revoke = person `{ $person }` has no key to revoke
rule-last-admin-key = that is the key of the last administrator with a key: nobody could manage the ledger; rotate it instead, or make another administrator first
rule-bad-due = the due date `{ $due }` is not a date written YYYY-MM-DD (e.g. 2021-04-30)
rule-round-exists = the round of { $period } already exists ({ $status })
rule-cannot-submit = the round of { $period } is { $status }: nothing can be submitted
rule-department-empty = department `{ $department }` has no item at { $period }
rule-not-rated = { $items } of department `{ $department }` { $count ->
    [one] is not rated at { $period }: rate it first
   *[other] are not rated at { $period }: rate them first
}
rule-returned-not-rated = { $items } of department `{ $department }` { $count ->
    [one] was returned for revision (差し戻し) and not rated again: rate it again first
   *[other] were returned for revision (差し戻し) and not rated again: rate them again first
}
rule-already-submitted = department `{ $department }` has already submitted its items of { $period }; nothing changed since
rule-review-published = the round of { $period } is published: a change is a correction, not a review
rule-not-submitted = item { $id } of { $period } is not submitted: its department submits it first
rule-first-over = item { $id } is approved at 2次評価 for { $period }: 1次評価 is over; a return now is 行革本部's
rule-first-approved = item { $id } is already approved at 1次評価 for { $period }
rule-first-needed = item { $id } is not approved at 1次評価 for { $period }: 2次評価 comes after it
rule-second-approved = item { $id } is already approved at 2次評価 for { $period }
rule-round-not-open = the round of { $period } is { $status }, not open
rule-already-published = the round of { $period } is already published
rule-unfinished = the round of { $period } cannot be published: { $items } { $count ->
    [one] is
   *[other] are
} neither 対象外 nor rated and approved at 2次評価
rule-digest-mismatch = the recorded digest of the published table of { $period } is not the SHA-256 of its canonical form ({ $digest })
rule-not-a-person = `{ $author }` is not a registered person of this ledger: every change is recorded by one
rule-auditor-records = person `{ $person }` is an auditor and records nothing: an auditor only reads
rule-no-key = person `{ $person }` has no key (it was revoked): an administrator sets a new one first
rule-needs-role = person `{ $person }` may not { $action }: it needs the role { $roles }
rule-other-department = person `{ $person }` of `{ $department }` may not { $action } item { $id }, which is `{ $owner }`'s
rule-submit-other = person `{ $person }` of `{ $department }` may not submit the items of `{ $other }`
rule-defined-once = the plan and its people are defined once, at the start
rule-round-closed = the round of { $period } is closed: no more ratings (only items returned for revision are rated again)
rule-under-review = item { $id } of { $period } is submitted for review: it changes only once returned (差し戻し)
person-quoted = person `{ $person }`
person-shown = person { $person }
err-era-needed = line { $line }: period column `{ $label }`: 元年 without an era is the first year of both 平成 and 令和, and nothing says which
err-point-needed = line { $line }, column { $column } ({ $header }): the column's header does not say which reporting point its grades are for
err-no-layout = line { $line }: the file matches none of the known layouts ({ $tried }); write a layout for its sheet
err-unsigned-no-key = the ledger has people: a change by { $author } is signed with their key
err-unsigned-not-current = the key given is not { $author }'s current key
err-unsettled-head = the change was stored but the head record could not be updated ({ $why })
err-unsettled-anchor = the change was recorded (#{ $first }..#{ $last }) but could not be anchored ({ $why })
time-unreadable = cannot read the time `{ $input }`; write it as { $forms }
time-out-of-range = time `{ $input }` is out of range
time-unknown-zone = unknown time zone `{ $input }`: write { $forms }
time-bad-offset = cannot read the offset `{ $input }`: write { $forms }
zone-forms = Asia/Tokyo (or JST), UTC, an offset such as +09:00 or -05:00, or another IANA zone name
flag-value-problem = { $flag }: { $problem }
time-forms = 2015-06-30, 2015/06/30, 2015-06-30 14:00, 2015/06/30 14:00:30, 平成27年6月30日, 2015年6月30日, or RFC 3339 such as 2015-06-30T14:00:00+09:00

## Periods (errors.rs, `PeriodError`, `Why`): the same words as the library's own
period-forms = FY2014-H1, FY2014-YE, FY2014-Q1, FY2014-Q3, FY2006-2010, H26上半期, 平成26年度末, R7年度上半期, 令和元年度末, 2019年度末, 平成26年度第1四半期, H26Q3, 平成18-22年度, 平成30年度-令和4年度, 2006-2010年度, 平成28年3月末現在, 平成27年9月末, 平成26年6月末, 平成26年12月31日現在, 令和2年3月31日現在
period-years-forms = 2019-2022, 2019年度-2022年度, 令和元-4年度, 令和元年度-令和4年度, R1-R4, 平成30年度-令和4年度, or one year as 2019
period-side-first = first
period-side-last = last
period-unknown-era = unknown era `{ $era }`; use heisei or reiwa
period-whole-plan-needs-its-years = cannot read period `{ $input }`: this plan reports once for its whole period (計画期間); write its years, as in { $years }
period-plan-years = the plan's years are not valid: { $why }
period-not-a-point-of = { $label } is not a reporting point of this plan, which reports at { $points }; write one of those points
cadence-points-half-year = 上半期 and 年度末
cadence-points-year-end = 年度末 only
cadence-points-quarterly = the end of each quarter (第1四半期, 上半期, 第3四半期 and 年度末)
cadence-points-whole-plan = the end of its whole period only (計画期間)
period-whole-plan-without-years = { $label } cannot be checked: a plan that reports once for its whole period (計画期間) needs its years declared, as in 平成18-22年度
period-not-the-whole-plan = { $label } is not a reporting point of this plan, which reports once, for its years { $years }; write { $years }
period-outside-years = { $label } is outside the plan's years { $years }; write a point within them
period-unknown-cadence = unknown reporting cadence `{ $cadence }`; use half-year (上半期・年度末), year-end (年度末のみ), quarterly (四半期) or whole-plan (計画期間)
period-years = cannot read the plan's years `{ $input }`: { $why }; write them as { $forms }
period-year-out-of-range = fiscal year { $year } is out of range { $min }..={ $max }
period-years-reversed = the plan's first year { $first } comes after its last year { $last }; write the earlier year first, as in 平成18-22年度 or FY2006-2010
period-empty = empty period; write it as one of { $forms }
period-unreadable = cannot read period `{ $input }`: { $why }; write it as one of { $forms }
period-year-alone = cannot read period `{ $input }`: a year alone ({ $year }) names a point only in a year-end-only plan (年度末のみ); write { $year }末 or { $year }上半期
period-four-digits = cannot read period `{ $input }`: the fiscal year must have four digits, as in FY2014-H1
period-unknown-part = cannot read period `{ $input }`: unknown part `{ $part }`; use Q1 (第1四半期), H1 (上半期), Q3 (第3四半期), YE (年度末), or for a whole plan its last year, as in FY2006-2010
period-canonical = cannot read period `{ $input }`: { $why }
why-year-expected = expected an era year such as 26 or 元, or a year such as 2019
why-bad-year = bad year
why-era-year-zero = era years start at 1 (元)
why-no-era = the year has no era; write 平成 or 令和 (H or R) before it, or set the plan's era
why-year-missing = the plan's { $side } year is missing; a plan's years are written as 平成18-22年度 or 平成30年度-令和4年度
why-plan-year = the plan's { $side } year `{ $input }`: { $why }
why-plan-year-unreadable = cannot read the plan's { $side } year `{ $input }`; a plan's years are written as 平成18-22年度 or 平成30年度-令和4年度
why-last-in-full = write the last year in full too, as in { $first }-{ $last }年度
why-unknown-term = unknown term `{ $term }` (use 上半期, 年度末, 第1四半期 or 第3四半期)
why-no-quarter = there is no quarter `{ $quarter }`: the quarters are 第1四半期 to 第4四半期 (Q1 to Q4)
why-never-existed = { $era_year }年{ $month }月 never existed: { $gone }; write { $instead }
why-heisei-ended = 平成 ended on 30 April 2019 (平成31年4月30日)
why-reiwa-began = 令和 began on 1 May 2019 (令和元年5月1日)
why-month-expected = expected a month
why-tsuki-expected = expected 月 after the month, found `{ $rest }`
why-not-reporting-month = { $month }月 is not a reporting point: a reporting point is the end of June (第1四半期), September (上半期), December (第3四半期) or March (年度末)
why-no-month = there is no month { $month }
why-bad-day = cannot read the day `{ $day }`; write 末 or the last day, e.g. { $last }日
why-not-end-day = { $month }月{ $day }日 is not the end of a reporting period: write { $month }月末 or { $month }月{ $last }日
why-years-empty = they are empty
why-after-year = `{ $rest }` after the year is not part of a year (a plan's years name no half, quarter or date)

# hyoka serve, person enrol
serve-listening = hyoka serves the ledger at { $dir } on { $url } (Ctrl-C to stop)
serve-stopped = the server stopped; the ledger is released
serve-cannot-listen = cannot listen on { $addr }: { $error }; choose another address or port with --listen
serve-cannot-prepare = cannot prepare { $dir }: { $error }
serve-failed = the server failed: { $error }
serve-tls-unreadable = cannot read { $file }: { $error }; give --tls-cert and --tls-key files this user can read (PEM)
serve-tls-no-cert = { $file } holds no PEM certificate (-----BEGIN CERTIFICATE-----): give --tls-cert the server's certificate chain, its own certificate first
serve-tls-no-key = { $file } holds no PEM private key (-----BEGIN PRIVATE KEY-----): give --tls-key the certificate's unencrypted private key
serve-tls-mismatch = the private key in { $key } does not belong to the certificate in { $cert }: give --tls-key the key the certificate was issued for
serve-tls-unusable = the certificate or key cannot be used: { $error }; give an RSA, ECDSA or Ed25519 certificate and key in PEM
busy-server = the ledger at { $dir } is held by the hyoka server at { $url } (process { $pid }) until it stops: read it there (its pages, or its JSON API: { $url }/api/openapi.json), or stop the server (Ctrl-C where it runs, or kill { $pid }) to run this command, then start it again
enrol-no-url = no server is running for this ledger: pass --url with the address people's browsers reach it at
enrol-no-person = there is no person `{ $person }` in this ledger: give their id or name (see hyoka person list)
enrol-link = the enrolment link for { $person } (valid { $hours } hours, once; send it to them only): { $url }

## A table file's problems (errors.rs, `TableFileError`, `IdProblem`): the same words as the library's own
table-place = line { $line }, column { $column }
table-place-header = line { $line }, column { $column } ({ $header })
expects-starts-with = a row starting with { $first }
expects-holding = a row holding { $texts }
columns-heading = heading
columns-id-and-title = id and title
columns-id = id
columns-title = title
columns-department = department
columns-points = { $count } points
columns-follow-up = follow-up
columns-remark = remark
column-key-heading = heading
column-key-id = id
column-key-item = item
column-key-title = title
column-key-department = department
column-key-follow-up = follow_up
column-key-remark = remark
column-key-points = points
column-key-totals-label = totals.label
id-empty = the item id `{ $input }` is empty; write a number such as 12, or an id such as R1-1 or 1-1-1
id-too-long = the item id `{ $input }` is longer than { $max } characters; write a number such as 12, or an id such as R1-1 or 1-1-1
id-holds = the item id `{ $input }` holds `{ $char }`; an id is letters, digits and - _ . / ( ) ・; write a number such as 12, or an id such as R1-1 or 1-1-1
id-first-not-alphanumeric = the item id `{ $input }` must begin with a letter or a digit; write a number such as 12, or an id such as R1-1 or 1-1-1
table-invalid-utf8 = line { $line }: the file starts with the UTF-8 byte-order mark but is not valid UTF-8 text from here; save it again as UTF-8 (Excel: "CSV UTF-8")
table-not-text = line { $line }: the file is neither UTF-8 text (not from this line) nor Shift_JIS (CP932) text (not from line { $cp932_line }); save it as CSV UTF-8, CSV or an Excel workbook (.xlsx)
table-workbook = line 1: the file cannot be read as a table: { $problem }
table-no-such-sheet = line 1: the workbook has no sheet { $sheet }; its sheets are { $sheets }
table-invalid-utf16 = line { $line }: the file is not valid UTF-16 text (broken surrogate pair or odd length); save it again as UTF-8
table-empty = line { $line }: the file is empty; export the follow-up table again
table-stray-bom = line { $line }: a byte-order mark (U+FEFF) starts this line, but one is accepted only at the very start of the file (here it usually means two files were joined); delete it, with any second title or header, and import again
table-no-header = line { $line }: no header row found (layout { $layout } expects { $expected }); check that the file is the table, or use a layout that fits its sheet
table-unknown-column = line { $line }: column { $column } of the header ({ $header }) is not a column of layout { $layout }{ $point ->
        [yes] { " " }and not a reporting point
       *[no] { "" }
    }; name it in the layout (or list it under ignore), or remove the column
table-duplicate-column = line { $line }: columns { $first_column } and { $column } of the header both hold the { $key } ({ $header }); keep one
table-no-periods = line { $line }: the header has no period columns; put the fiscal years (e.g. 26年度) from column 3 of the header and the terms (e.g. 上半期) in the row below, or the full period labels in the CSV header
table-period-without-year = line { $line }: period column { $column } of the header has no fiscal year; write the year (e.g. 26年度) above the first term of each year
table-header-mismatch = line { $line }: this header has periods { $found } but the first header (line { $first_line }) has { $expected }; make every page header identical
table-no-data-rows = line { $line }: the table has no item rows after the header; check that the file is the complete export of the table
table-too-few-columns = line { $line }: expected at least { $expected } columns ({ $layout }), found { $found }; check that the row is complete and that the file is the table (read with layout { $format })
table-too-many-columns = { $place }: unexpected content { $cell } (this row has at most { $max } columns); remove it, and check that no cell contains a tab
table-bad-id = { $place }: the item cell { $cell } does not start with an item id; write the id, a space and the title (e.g. "27 スクラップアンドビルドの徹底")
table-id-with-no = { $place }: the item id { $cell } starts with No., which names an item only in a re-listing marker (【No.27の再掲】); write the id alone (e.g. 27 for No.27)
table-missing-title = { $place }: item { $id } has no title; write the item title{ $with_id ->
        [yes] { " " }after its id
       *[no] { "" }
    }
table-duplicate-id = { $place }: item id { $id } is already used on line { $first_line }{ $differs ->
        [yes] { " " }(written { $written } here and { $first } there, the same id)
       *[no] { "" }
    }; give every item its own id
table-missing-heading = { $place }: the first item row has no heading (category); write the heading on the first row of each group
table-bad-mark = { $place }: follow-up mark { $cell } is not ○; write ○ for a follow-up item or leave the cell empty
table-bad-count = { $place }: count { $cell } of total row { $label } is not a whole number; write the count in digits (0 when there is none)
table-not-in-scale = { $place }: item { $id }, { $point }: grade `{ $grade }` is not in the plan's scale; use one of { $scale }, 対象外, or leave the cell empty
table-duplicate-follow-up-total = line { $line }: a second follow-up item count (the first is on line { $first_line }); keep the count only on the first total row
table-row-after-totals = line { $line }: item row after the total rows (which start on line { $totals_line }); move the total rows to the end of the table
table-csv-quoting = line { $line }: CSV quoting error: { $problem }; { $fix }
csv-quote-inside = line { $line }: CSV quoting error: a double quote inside a cell that does not start with one; enclose the whole cell in double quotes and double every quote inside it
csv-text-after-quote = line { $line }: CSV quoting error: text after the closing double quote of a cell; double every quote inside a quoted cell ("")
csv-never-closed = line { $line }: CSV quoting error: a quoted cell starting here is never closed; add the closing double quote
table-csv = line { $line }: CSV error: { $message }; save the file again as CSV (UTF-8)
table-many = line { $line }: { $count } problems in the file{ $omitted ->
        [0] { "" }
       *[other] { " " }({ $omitted } not shown)
    }: { $problems }
file-point-given = line { $line }: a point ({ $point }) was given, but the header names the point of every grade column ({ $periods }); the file says its points itself
file-period-column = line { $line }: period column `{ $label }`: { $why }
file-period-twice = line { $line }: the period { $period } appears in two columns; each period has one column
file-totals = the file's totals disagree with its rows: { $problems }; correct the table or its total rows, nothing was imported
total-count = line { $line } (row { $label }), { $period }: the file says { $stated }, its rows give { $found }
total-columns = line { $line } (row { $label }): { $counts } counts for { $periods } periods
total-follow-up = line { $line }, follow-up items: the file says { $stated }, its rows give { $found } (a re-listed item counts once)

## Usage errors (clap's own words are used in English; these are its facts, worded)
usage-invalid-subcommand = there is no command `{ $name }`
usage-unknown-argument = unexpected argument `{ $name }`
usage-invalid-value = invalid value `{ $value }` for { $arg }
usage-value-validation = invalid value `{ $value }` for { $arg }: { $why }
usage-missing-argument = required arguments were not given: { $names }
usage-missing-subcommand = a subcommand is needed
usage-argument-conflict = { $arg } cannot be used with { $other }
usage-other = the arguments are not valid: { $arg }
usage-valid-values = possible values: { $values }
usage-did-you-mean = did you mean: { $name }
usage-line = Usage: { $usage }
usage-see-help = For more information, try '--help'.

## Damaged and wrong files (a proof, a checkpoint, an export line, a key, a mirror's file)
cp-of-given = the checkpoint
cp-of-old = the old checkpoint
cp-of-new = the new checkpoint
cp-of-proof = the proof's checkpoint
inv-checkpoint-too-big = { $of }: not a checkpoint: it has { $bytes } bytes, more than { $max }
inv-checkpoint = { $of }: not a valid checkpoint: { $why }
inv-proof-too-big = not a proof: it has { $bytes } bytes, more than { $max }
inv-proof = not a c2sp.org/tlog-proof@v1 proof: { $why }
inv-consistency-too-big = not a consistency proof: it has { $bytes } bytes
inv-consistency = not a consistency proof (old N, proof, checkpoint): { $why }
inv-signature-uncheckable = cannot check the signature: { $why }
inv-old-larger = the old checkpoint ({ $old } events) is larger than the new one ({ $new } events): swap them
inv-not-log-key-to-sign = the key { $key } is not this ledger's log key ({ $log_key }): checkpoints are signed with the log key only
inv-not-log-key = the key { $key } is not this ledger's log key ({ $log_key }): give the log key's file
inv-no-log-key = this ledger has no log key yet: record one first
inv-log-key-not-of-origin = the key is named { $key } but the ledger's origin is { $origin }: a log key is named after the ledger's origin
inv-other-log-key = the ledger already has another log key ({ $key }); give that key's file
inv-cannot-sign = cannot sign the checkpoint: { $why }
inv-empty-export = the export holds no events
inv-no-plan = the ledger has no plan
inv-restore-target-exists = { $dir } already exists: restore creates a new ledger; give a directory that does not exist
inv-not-a-directory-name = { $dir } is not a directory name
inv-nothing-to-restore = nothing to restore: no events
inv-nothing-to-record = nothing to record
inv-not-ledger-file-top = { $path } is not what a ledger holds there (a regular file); nothing was copied
inv-not-ledger-file = { $path } is not what a ledger holds there (a regular file or a directory); nothing was copied
inv-changed-while-copied = { $path } changed while it was copied ({ $size } bytes, then { $copied }); try again
inv-fewer-events = the ledger has { $events } events, fewer than { $size }
inv-source-file-name = the source file name `{ $name }` is not a file name without directories
inv-poisoned = another thread panicked while appending to the ledger; open it again
cp-not-utf8 = checkpoint is not valid UTF-8
cp-missing-final-newline = checkpoint text must end with a newline
cp-control-character = checkpoint contains control character 0x{ $byte } at byte offset { $offset }
cp-too-few-lines = checkpoint has { $found } lines, expected at least 3 (origin, size, root)
cp-bad-origin = checkpoint origin line is empty or contains a newline
cp-malformed-size = invalid checkpoint tree size { $size }: expected a decimal without leading zeros
cp-malformed-root = invalid checkpoint root hash: expected standard base64 of exactly 32 bytes
cp-bad-extension = checkpoint extension line { $line } is empty or contains a newline
cp-note = checkpoint note: { $why }
cp-unsigned = checkpoint is not signed
cpd-too-big = it holds more than { $max } bytes
nerr-invalid-key-name = invalid key name { $name }: it must be non-empty and contain no whitespace, '+' or control characters
nerr-malformed-verifier-key = malformed verifier key: { $why }
nerr-malformed-signer-key = malformed private key: { $why }
nerr-unsupported-algorithm = unsupported signature type 0x{ $alg } (only Ed25519, 0x01, is supported)
nerr-key-id-mismatch = key id { $declared } does not match the key (expected { $computed })
nerr-random = random number generation failed: { $detail }
nerr-not-utf8 = note is not valid UTF-8
nerr-control-character = note contains control character 0x{ $byte } at byte offset { $offset }
nerr-text-missing-newline = note text must be non-empty and end with a newline
nerr-missing-signature-block = note has no blank line separating the text from the signatures
nerr-no-signatures = note has no signature lines after the blank line
nerr-missing-final-newline = the last signature line does not end with a newline
nerr-malformed-signature-line = malformed signature line { $line }: { $why }
nerr-too-many-signatures = note has more than { $max } signatures
nerr-no-signature-by-key = note has no signature by key { $name }+{ $id }
nerr-bad-signature = invalid signature by key { $name }+{ $id }
keyp-no-private-prefix = missing PRIVATE+KEY+ prefix
keyp-private-parts = expected PRIVATE+KEY+<name>+<id>+<key>
keyp-verifier-parts = expected <name>+<id>+<key>
keyp-key-id = key id is not 8 lowercase hex digits
keyp-seed = key is not base64 of 0x01 and a 32-byte seed
keyp-public = key is not base64 of 0x01 and a 32-byte public key
keyp-not-a-point = public key is not a valid Ed25519 point
sigline-no-dash = does not start with an em dash (U+2014) and a space
sigline-no-space = no space between key name and signature
sigline-key-name = invalid key name
sigline-not-base64 = signature is not valid base64
sigline-too-short = signature is shorter than 5 bytes
tproof-not-utf8 = proof is not valid UTF-8
tproof-bad-header = first line must be exactly { $header }
tproof-malformed-extra = extra line must be "extra " followed by standard base64
tproof-malformed-index = expected "index N" with N a decimal without leading zeros
tproof-malformed-old-size = expected "old N" with N a decimal without leading zeros
tproof-malformed-hash = proof line { $line } is not standard base64 of a 32-byte hash
tproof-too-many-lines = more than { $max } proof lines
tproof-truncated = input ends before the empty line that precedes the checkpoint
tproof-missing-checkpoint = checkpoint is missing after the empty line
tproof-checkpoint = embedded checkpoint: { $why }
tproof-merkle = proof check failed: { $why }
merkle-storage = hash storage error: { $detail }
merkle-read-mismatch = hash reader returned { $returned } hashes for { $requested } requested indexes
merkle-index-out-of-range = leaf index { $index } is out of range for tree size { $size }
merkle-invalid-sizes = old tree size { $old } is larger than new tree size { $new }
merkle-empty-old-tree = a consistency proof from the empty tree (to tree size { $new }) is meaningless
merkle-tree-too-large = tree size { $size } exceeds the maximum supported by stored-hash indexing (2^62)
merkle-proof-length = proof has { $actual } hashes, expected { $expected }
merkle-hash-length = { $what } has { $len } bytes, expected 32
merkle-proof-hash-length = proof hash { $index } has { $len } bytes, expected 32
merkle-root-mismatch = proof does not lead to the expected tree root
merkle-old-root-mismatch = consistency proof does not lead to the expected old tree root
merkle-internal = internal error: { $detail }
proofp-no-extra = it has no extra line (hyoka's proofs carry the event there: prev_hash || stored bytes)
proofp-extra-too-short = its extra data has { $bytes } bytes, fewer than the 32 of the previous event's hash
proofp-prev-hash-differs = the previous hash in its extra data is not the one its event records
proofp-index-not-seq = it is a proof for index { $index } but its event is seq { $seq }
proofp-not-included = its inclusion proof does not lead from event { $index }'s leaf to the root of the checkpoint of { $size } events ({ $why }): the event, the proof or the checkpoint was altered
proofp-old-size-differs = it proves consistency from a tree of { $proof } events, but the old checkpoint has { $old }
proofp-shrinks = the new checkpoint ({ $new } events) is smaller than the old one ({ $old }): a log never shrinks
proofp-empty-root = the old checkpoint has size 0 but not the root of the empty tree
proofp-not-consistent = it does not show the tree of { $old } events (the old checkpoint) to be a prefix of the tree of { $new } ({ $why }): the history the old checkpoint covers was rewritten, or the proof was altered
line-too-long = it is longer than { $max } bytes
line-truncated = the file ends inside it (no final newline): the export is truncated
line-carriage-return = it holds a carriage return at byte { $at }: lines end in a newline alone
line-not-json-eof = not JSON: it ends too early, at column { $column }
line-not-json = not JSON: a syntax error, at column { $column }
line-duplicate-member = a member name appears twice in one object (column { $column })
line-not-object = not a JSON object
line-unknown-field = unknown field `{ $field }`
line-missing = `{ $field }` is missing or malformed
bundle-too-big = it holds more than the { $max } bytes a file of its kind can
bundle-entries-truncated = the bundle ends inside entry { $index }
bundle-entries-count = the bundle holds { $found } entries where its tile has { $expected }
bundle-ends-inside-event = it ends inside event { $index }
bundle-bytes-after = it holds bytes after its { $count } events
bundle-event-count = it holds { $found } events where its tile has { $expected }
decode-malformed = undecodable bytes: { $detail }
decode-trailing-bytes = { $count } trailing bytes after the event
decode-unknown-version = unknown event schema version { $version }
decode-reserved-field = the signature slot is set where this event schema version has none, or is not { $len } bytes
decode-not-version1 = not a valid event of schema version 1: { $detail }
decode-too-large = event of { $bytes } bytes exceeds the limit of { $max } bytes

## The operating system's errors, by kind
os-not-found = no such file or directory
os-permission-denied = permission denied
os-already-exists = it already exists
os-is-a-directory = it is a directory, not a file
os-not-a-directory = not a directory
os-no-space = no space left on the disk
os-read-only = the file system is read-only
os-directory-not-empty = the directory is not empty
os-too-large = too large
os-invalid-filename = not a valid file name
os-interrupted = interrupted
os-link = it is a symbolic link, which hyoka does not follow
os-unexpected-eof = the file ends too early
os-other = { $error }

## What the library was doing when the OS failed, and the damage to the ledger's own files (file_words.rs)
io-open = cannot open { $path }
io-lock = cannot lock { $path }
io-create = cannot create { $path }
io-create-dir-in = cannot create a directory in { $path }
io-read = cannot read { $path }
io-write = cannot write { $path }
io-sync = cannot fsync { $path }
io-move-aside = cannot move { $path } aside
io-rename-restored = cannot rename the restored ledger to { $path }
io-open-store = cannot open the store in { $path }
io-read-store = cannot read the store in { $path }
io-write-store = cannot write the store in { $path }
io-write-head = cannot write the head record in { $path }
io-copy-ledger = cannot copy the ledger into { $path }
io-copy-to-read = cannot copy the ledger at { $path } to read it
io-free-space = cannot tell the free space of the disk holding { $path }
io-import = cannot import { $file } into { $path }
io-start-verify-thread = cannot start a thread to verify the ledger
io-read-export = cannot read the export
io-write-export = cannot write the export
io-read-mirror = cannot read the mirror
io-write-mirror = cannot write the mirror
io-write-mirror-checkpoint = cannot write the mirror's checkpoint
io-create-mirror-dir = cannot create the mirror directory
io-read-mirror-dir = cannot read the mirror directory
io-create-mirror-subdir = cannot create a directory of the mirror
io-journal-open = cannot open the journal{ $path }
io-journal-read = cannot read the journal{ $path }
io-journal-write = cannot write the journal{ $path }
io-journal-create = cannot create the journal{ $path }
io-journal-sync = cannot sync the journal{ $path }
io-journal-keep-cut = cannot keep the unfinished last record beside it; nothing was cut from the journal{ $path }
io-journal-cut = cannot cut the unfinished last record off the journal{ $path }
io-journal-header = cannot give a header to the journal{ $path }
io-journal-new-generation = cannot start a new generation of the journal{ $path }
io-journal-share = cannot share the journal{ $path }
link-refused-in-ledger = { $path } is a symbolic link: hyoka never follows links inside a ledger directory; remove the link (and put the real file there, if it was moved)
link-refused-in-mirror = { $path } is a symbolic link: hyoka never follows links inside a mirror; remove it
low-space = the disk has { $free } KiB free, and hyoka needs { $need } KiB free to use the ledger safely
room-copy = its files take { $bytes } bytes and { $path } has { $free } bytes free (the storage engine needs { $margin } more)
room-import-events = its { $events } events ({ $size })
room-import-moved = {" "}and the { $moved } the journal moves in first
room-import-snapshots = {" "}with { $snapshots } state snapshot(s)
room-import = { $what } may take up to { $store } in the store, and hyoka keeps { $margin } free besides: it needs { $need } free, the disk has { $free }; nothing was imported
head-missing = the HEAD file is missing
damage-too-big = it is larger than { $max } bytes
damage-not-utf8 = it is not UTF-8
head-no-check-line = no check line
head-checksum = its checksum does not match
head-unknown-format = unknown format
head-no-event-count = no event count
head-no-hash = no head hash
head-no-anchoring-line = no anchoring line
head-line-after = a line after the last one
anchor-length = it is { $found } bytes, not { $expected }
anchor-no-valid-record = neither of its two records is valid
anchor-missing = it is missing, but the head record says the ledger has one
anchor-counter-at-end = its counter is at its end: hyoka never counts that far; the file was altered
log-key-not-utf8 = { $path } is not UTF-8
log-key-malformed = { $path }: { $why }
after-bad-whole-records = whole records follow it
after-bad-too-many-bytes = more bytes follow it than one record holds
after-bad-changed = it is whole: its bytes changed after they were written
engine-blob-gone = one of the storage engine's blob files (under blobs/ there: values larger than about 128 KiB) is gone, deleted or lost
engine-db-gone = the storage engine's main file (db) is gone, deleted or lost
engine-not-a-file = a file of the store is not a file: its files hold damaged data
engine-cut-short = a file of the store is cut short: its files hold damaged data
engine-checksum = its files hold damaged data (a checksum does not match)
engine-unrecognised = the storage engine does not recognise its files (damaged, or not written by hyoka)
engine-part-missing = part of the store is missing
engine-failed = the storage engine failed ({ $why })
engine-crashed = the storage engine crashed reading its files ({ $why })
engine-crashed-opening = the storage engine crashed reading its files, which are damaged
store-engine = { $doing }: { $why }
store-journal-record-fails = the journal{ $path } is damaged at byte { $at }: a record there fails its check and { $then }
store-journal-record-malformed = the journal{ $path }'s record at byte { $at } passes its check but is malformed
store-journal-too-big = the journal { $path } is { $size } bytes, far more than hyoka ever writes to it
store-journal-differs = the journal's record of events #{ $first }..#{ $last } differs from the store's copy
store-journal-after-gap = the journal continues at event { $first } but the store ends at event { $ends }
store-journal-stuck = the store cannot take the journal's events ({ $why }); they are safe in { $path }, and the next open retries
store-journal-field-too-large = a journal record field is too large
store-journal-record-too-large = a journal record is too large
store-snapshot-key-malformed = a snapshot key is malformed
store-event-chunk-malformed = the store's chunk of events #{ $first }..#{ $last } is malformed
store-events-missing = events #{ $first }..#{ $last } are missing from the store
store-event-missing = event { $seq } is missing from the store
store-generation-record = the store's journal generation record is { $len } bytes, not 8
store-no-generation-record = this storage engine cannot record a journal generation
store-item-index-malformed = the index of item { $item } is malformed
store-index-record-malformed = an index record is malformed
store-snapshot-piece-missing = piece { $piece } of the snapshot after event { $seq } is missing
store-commit-record = the store's commit record is damaged
store-tree-hash-missing = tree hash { $index } is missing
store-tree-hash-not-written = tree hash { $index } is not written yet
store-tree-chunk-missing = tree-hash chunk { $chunk } is missing
store-open-chunk-missing = the chunk holding events { $first }.. is missing
store-open-event-chunk-malformed = the open event chunk is malformed
store-open-tree-chunk-short = the open tree-hash chunk is short
store-snapshot-unwritable = a state snapshot: { $why }
store-snapshot-too-large = a state snapshot is too large to store
store-event-too-large = event too large for the store
store-reader-stopped = the thread reading the events stopped: { $why }
store-tree-differs = the stored Merkle tree does not match the events
store-tree = Merkle tree: { $why }
store-tree-not-consistent = the stored Merkle tree matches the checkpoint at size { $size } but does not prove the verified events consistent with it ({ $why }): the stored tree or the events were altered
loss-too-far = the journal { $path } is generation { $found } and the store recorded generation { $recorded }: hyoka never counts that far; the file or the store was altered
loss-replaced = the journal { $path } is generation { $found } but the store recorded generation { $recorded }: it was replaced by another copy, and events recorded in generation { $recorded } may be lost
loss-missing = the journal { $path } is missing, but the store recorded that generation { $recorded } of it was in use: events acknowledged after #{ $after } may be lost
loss-empty = the journal { $path } is empty, but the store recorded that generation { $recorded } of it was in use: events acknowledged after #{ $after } may be lost
loss-overwritten = the journal { $path } has no valid header, but the store recorded generation { $recorded } of it: it was overwritten, and events acknowledged after #{ $after } may be lost
loss-unrecorded = the journal { $path } is generation { $found } but the store recorded none: the store lost the record of its journal
loss-bad-header = the journal { $path } has a damaged header
loss-left-behind = the journal { $path } is generation { $generation } but holds events the store does not (from #{ $from }): the store moved on to a new generation without them
seq-found-elsewhere = found event { $found } where event { $belongs } belongs
seq-found-at-position = found event { $found } at position { $position }
