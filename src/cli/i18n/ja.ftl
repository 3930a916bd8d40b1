### hyoka のメッセージ (日本語)。コマンドごとにまとめる。どのキーも en.ftl に同じキー・同じ引数で対になるものがある。
### メッセージの足し方は src/cli/i18n/mod.rs の冒頭に書いてある。

## どのコマンドにも共通の枠
error-line = エラー: { $line }
wait-not-seconds = --wait には 0 以上の秒数を指定してください

## ライブラリのエラー (errors.rs)
err-not-initialised = { $dir } に台帳がありません
err-already-initialised = { $dir } にはすでに台帳があります
err-busy = { $dir } の台帳は使用中です: ほかのプロセスが使っています
err-refused-at = { $line } 行目: { $refused }
err-not-in-checkpoint = イベント seq:{ $seq } はチェックポイントより新しいものです: チェックポイントに含まれるのは { $covers } だけです
err-no-such-seq = イベント seq:{ $seq } はありません: 台帳にあるのは { $covers } です
err-key-not-of-origin = 鍵の名前は { $key } ですが、台帳の origin は { $origin } です: チェックポイントには origin を名前とする鍵で署名します
err-internal = 内部エラー: { $detail }
err-io = { $context }: { $error }
err-integrity = 完全性の破綻: { $detail }
err-disk-full = ディスクがいっぱいです: { $context }: { $detail }
err-no-room = 空き容量が足りません: { $context }: { $detail }
refused-no-plan = 台帳にはまだ計画がありません
refused-no-such-item = 項目 { $id } はありません
refused-item-withdrawn = 項目 { $id } は削除されています
refused-item-exists = 項目 { $id } はすでにあります
refused-early-point = { $period } は、評価済みの最も古い時点 { $earliest } より 2 時点以上前です
refused-new-point = { $period } は、評価済みの最も新しい時点 { $latest } より 2 時点以上先です
covers-none = イベントなし
covers = { $count ->
    [1] #0 (1 イベント)
   *[other] #0..#{ $last } ({ $count } イベント)
}
by-event = イベント { $seq }
by-head-record = ヘッド記録
by-commit-record = ストアのコミット記録
by-export-hash = エクスポートの行の `hash`
by-anchor-record = アンカー記録
by-signed-anchor = ログ鍵で署名したアンカー記録
by-signed-checkpoint = ログ鍵で署名したチェックポイント
integrity-hash-mismatch = イベント { $seq }: ハッシュ不一致: 保存されたバイト列のハッシュが、{ $by } の記録と合いません
integrity-broken-link = イベント { $seq }: 連鎖の断絶: イベント { $prev } のハッシュを記録していません
integrity-bad-genesis = イベント 0: 連鎖の断絶: 最初のイベントは前のハッシュとしてゼロを記録していなければなりません
integrity-missing-seq = イベント { $seq }: seq の欠落: { $detail }
integrity-undecodable = イベント { $seq }: 読めないバイト列: { $why }
integrity-store-behind-head = ストアがヘッド記録より少なくなっています: ストアにあるのは { $store } イベントですが、{ $head } イベントが確認済みでした ({ $span } が失われています)
integrity-head-mismatch = イベント { $seq }: ストアの先頭のハッシュがヘッド記録と違います
integrity-head-record-damaged = ヘッド記録が傷んでいます: { $detail }
integrity-store-unreadable = ストアが読めません: { $detail }
integrity-store-file-missing = ストアのファイルが欠けています: { $detail }
integrity-rule-broken = イベント { $seq }: 台帳の規則に反しています: { $why }
integrity-signature-invalid = イベント { $seq }: 署名が不正です: { $why }
integrity-pinned-key-mismatch = イベント { $seq }: { $detail }
integrity-time-went-backwards = イベント { $seq }: イベント { $prev } より前の時刻で記録されています
integrity-checkpoint-root-mismatch = チェックポイントの不一致: チェックポイントの { $size } イベントの木の根は { $checkpoint } ですが、台帳の最初の { $size } イベントの根は { $ledger } です: チェックポイントが含む履歴が書き換えられています
integrity-ledger-shorter = 台帳がチェックポイントより短くなっています: 台帳にあるのは { $ledger } イベントですが、チェックポイントは { $checkpoint } イベントを含みます ({ $span } がありません: 切り詰められた台帳か、古い写しです)
integrity-checkpoint-other-origin = チェックポイントは別の台帳のものです: その origin は { $checkpoint }、この台帳の origin は { $ledger } です
integrity-checkpoint-bad-signature = チェックポイントの署名が不正です: { $key } による署名が検証できません (チェックポイントが書き換えられたか、偽造されています)
integrity-checkpoint-not-signed = チェックポイントに鍵 { $key } による署名がありません
integrity-signed-checkpoint-damaged = 最後に署名したチェックポイント (CHECKPOINT ファイル) が傷んでいます: { $detail }
integrity-export-line-damaged = エクスポートの { $line } 行目が傷んでいます: { $why }
integrity-export-field-mismatch = イベント { $seq }: エクスポートの行の `{ $field }` が保存バイト列と合いません (ハッシュされるのはバイト列の方です: 行が書き換えられています)
integrity-export-shorter = エクスポートがチェックポイントより短くなっています: エクスポートにあるのは { $export } イベントですが、チェックポイントは { $checkpoint } イベントを含みます ({ $span } がありません: 切り詰められたか、古いエクスポートです)
integrity-event-not-in-checkpoint = イベント { $seq } はチェックポイントに含まれていません: 含まれるのは { $covers } だけです
integrity-proof-invalid = 証明が検証できません: { $detail }
integrity-index-mismatch = 索引の不一致: 項目ごとの索引が傷んでいます ({ $detail })。派生データで、イベントは無事です
integrity-snapshot-mismatch = イベント { $seq }: スナップショットの不一致: このイベントの後の状態のスナップショットが傷んでいます ({ $detail })。派生データで、イベントは無事です
integrity-journal-lost = 確認済みのイベントが失われています: { $detail }
integrity-anchored-events-missing = イベント { $span } がありません: { $by } には { $anchored } イベントが記録されていますが、台帳にあるのは { $ledger } イベントです
integrity-anchor-root-mismatch = 台帳の最初の { $size } イベントが { $by } の記録と違います (マークル根が違います): その範囲の履歴が書き換えられています
integrity-anchor-record-damaged = アンカー記録 (ANCHOR ファイル) が傷んでいます: { $detail }
integrity-log-key-damaged = 台帳のログ鍵 (LOGKEY ファイル) が傷んでいます: { $detail }

## 次にすること (hints.rs)。どれも区切りから始まる
hint-not-initialised = 。`hyoka init --plan NAME` か `hyoka import FILE` で作るか、--ledger で既存の台帳を指定してください
hint-already-initialised = 。そのまま使うか、--ledger で別のディレクトリを指定してください
hint-item-withdrawn-at = 。台帳で削除済みです: `hyoka item reinstate { $id }` で復活するか、その行を取り除いてください
hint-no-such-seq = 。`hyoka log` で確かめてください
hint-not-in-checkpoint = 。新しいチェックポイントに対して証明してください (`hyoka checkpoint` で台帳のものを表示できます)
hint-era-needed = 。--era heisei か --era reiwa で指定するか、ファイルの見出しに元号を書いてください
hint-key-not-of-origin = 。`hyoka key generate --output FILE` で作ってください
hint-unsigned = 。--key FILE (または HYOKA_KEY) で自分の今の鍵を指定してください
hint-unsettled = 。続ける前に `hyoka verify` を実行してください
hint-internal = { " " }(hyoka の不具合で、データの問題ではありません。原因となったコマンドを添えて報告してください)
hint-derived-data = 。エクスポートかバックアップから台帳を復元すると (`hyoka export` の後 `hyoka restore`)、派生データはすべて作り直されます。台帳をバックアップから復元するまで、履歴は信頼できません
hint-integrity = 。台帳をバックアップから復元するまで、履歴は信頼できません
hint-io = 。パス、権限、空き容量を確かめてから、やり直してください
hint-disk-full = 。そのディスクの空きを増やすか、台帳を余裕のあるディスクに移して (`cp -a` でディレクトリごと複製し、--ledger でその複製を指定)、やり直してください
hint-no-room = 。そのディスクの空きを増やすか、余裕のあるディスクを使ってください: --ledger にそこのディレクトリを指定します (既存の台帳を移すには、`cp -a` でディレクトリごと複製するか、そこへ `hyoka backup DIR` してから `hyoka restore`)。それからやり直してください
hint-no-plan = 。先に `hyoka init` を実行してください
hint-no-such-item = 。`hyoka table` で項目を確かめるか、`hyoka item add` で登録してください
hint-item-withdrawn = 。先に `hyoka item reinstate { $id }` で復活してください
hint-item-exists = 。訂正するには `hyoka item amend { $id }` を使ってください
hint-version-1-rename = 。この台帳では項目ごとに名前を変えるか (hyoka item amend ID --category NEW)、計画の新しい台帳を始めてください (hyoka export の後、hyoka init と hyoka import)
hint-version-1 = 。この台帳は以前の hyoka で作られ、その版のままです: これを使うには、計画の新しい台帳を始めてください (hyoka init、または新しい --ledger への表の hyoka import)
hint-new-point = 。時点を確かめ、正しければ --new-point を付けてください
hint-new-point-next = 。次の時点は { $next } です。時点を確かめ、正しければ --new-point を付けてください
holder-process-command = プロセス { $pid } ({ $command })
holder-process = プロセス { $pid }
list-separator = 、
holders-using = { $processes } が使用中です
holders-was-using = ほかのプロセスが使用していました
holders-unknown = ほかのプロセスが使用中です (どのプロセスかはここでは分かりません: /proc/locks がありません)
busy = { $dir } の台帳は使用中です: { $who }。やり直すか、--wait SECONDS を付けてください
era-from-flag = { $era } (--era による)
era-from-plan = { $era } (計画の既定の元号)
era-default = { $era } (元号の指定なし。--era で指定できます)

## 変更の内容 (words.rs)
era-none = なし
change-plan-defined = 計画を登録: { $name } (評価 { $grades }、元号 { $era }、origin { $origin }、評価時点 { $cadence }{ $years })
change-plan-years = 、年度 FY{ $first }-FY{ $last }
change-heading-added = 見出しを追加: { $name }
change-heading-renamed = 見出しの名前を変更: { $from } → { $to }
change-item-registered = 項目 { $id } を登録: { $title } ({ $department }、{ $category }{ $more })
change-registered-relisting = 、項目 { $id } の再掲
change-registered-from = 、{ $point }から
change-registered-after = 、項目 { $id } の後
change-item-amended = 項目 { $id } を訂正: { $parts }
change-amended-separator = 、
change-amended-title = 項目名 → { $value }
change-amended-department = 所管課 → { $value }
change-amended-heading = 見出し → { $value }
change-amended-relisting = 項目 { $id } の再掲にする
change-amended-not-relisting = 再掲でなくする
change-amended-from = { $point }から計画に含める
change-amended-every-point = すべての時点で計画に含める
change-amended-after = 項目 { $id } の後に並べる
change-amended-natural-place = 番号どおりの位置に並べる
change-item-withdrawn = 項目 { $id } を削除
change-item-reinstated = 項目 { $id } を復活
change-rating = 項目 { $item } { $point }: 評価 { $grade }
change-rating-withdrawn = 項目 { $item } { $point }: 評価を取消
change-follow-up = 項目 { $item } { $point }: フォローアップ{ $state ->
    [on] の印を付ける
   *[off] の印を外す
}
change-remark-cleared = 項目 { $item } { $point }: 理由等を消去
change-remark = 項目 { $item } { $point }: 理由等 { $text }
change-clock-behind = 時計遅れ: 端末の時計は { $clock } で、前のイベントより前だったため、その時刻で記録
change-excluded = 項目 { $item } { $point }: 対象外
change-exclusion-withdrawn = 項目 { $item } { $point }: 対象外を取消
change-merged = 項目 { $item } を { $point }から項目 { $into } に集約
change-merge-withdrawn = 項目 { $item }: 集約を取消
change-people-enabled = 職員の登録を開始: 管理者 { $id } ({ $department })、ログ鍵を記録
change-person-registered = 職員 { $id } を登録: { $department }、{ $roles }
change-role-granted = 職員 { $person }: 役割 { $role } ({ $label }) を付与
change-role-revoked = 職員 { $person }: 役割 { $role } ({ $label }) を取消
change-key-rotated = 職員 { $person }: 鍵を更新
change-key-revoked = 職員 { $person }: 鍵を失効
change-round-opened = ラウンド { $point } を開始 (期限 { $due })
change-submitted = ラウンド { $point }: { $department } が提出
change-reviewed = 項目 { $item } { $point }: { $stage } { $verdict ->
    [approve] 承認
   *[return] 差し戻し
}
change-opinion-item = 項目 { $item } { $point }: 意見 { $text }
change-opinion-round = ラウンド { $point }: 意見 { $text }
change-round-closed = ラウンド { $point } を締切
change-round-published = ラウンド { $point } を公表 (表の SHA-256 { $sha256 })

## 変更する人 (commands.rs)
who-no-author = 変更する人が指定されていません: -a NAME (氏名または職員番号) を付けてください
who-no-key = この台帳には職員が登録されています: 変更はすべて記録者の鍵で署名します。--key FILE (または HYOKA_KEY) で自分の鍵を指定してください
who-key-was = { " " }(職員 { $person } の鍵でしたが、失効したか更新されています)
who-key-not-current = { $file } の鍵は、この台帳の職員の今の鍵ではありません{ $was }。自分の鍵を使うか、管理者に登録を頼んでください (hyoka person add、hyoka person key rotate)
who-author-not-key = -a { $author } は、指定した鍵の持ち主 ({ $person }) ではありません: -a は省いてください。鍵で誰かが分かります

## init
init-created = 台帳 { $dir } を作りました。計画 { $plan } (評価 { $grades }、元号 { $era })
init-points = 評価時点: { $label } ({ $cadence }){ $years }
init-years = 、年度 { $years }
init-origin = origin: { $origin }
init-origin-derived = origin: { $origin } (計画の名称から作りました。--origin で指定できます)

## item、rate、unrate、flag、remark: 記録した内容
amend-nothing = 訂正する内容がありません: --title、--department、--category、--relisting-of、--not-relisting、--from、--every-point、--after、--natural-place のいずれかを付けてください
recorded = 記録 #{ $seq }: { $what }{ $by }
recorded-one = 記録 #{ $seq }: { $what }{ $note }{ $by } (ヘッド { $head })
recorded-was = { " " }(前は { $grade })
period-none-rated = 評価のある時点がまだありません: --period で時点を指定してください
period-latest = { " " }[時点 { $period }: 評価のある最も新しい時点]

## log、verify: 進み具合
log-cannot-keep = 表示するためにログを保持できません: { $error }
progress-verifying = 検証中
progress-importing = 取り込み中
progress-exporting = エクスポート中
progress-checking = 確認中
progress-restoring = 復元中
progress-events = イベント

## import
import-cannot-read = { $file } を読めません: { $error }。ファイル名を確かめてください
import-too-big = { $file } は { $size } で、{ $what }としては大きすぎます (上限 { $max } バイト)。正しいファイルか確かめてください
import-size-is = { $bytes } バイト
import-size-more = { $max } バイトを超える大きさ
hint-import-with-people = 。職員の登録された台帳では、取り込みは記録者による変更として、ほかの変更と同じく確かめられます: 評価は開始中のラウンドに、その項目の課の担当か課長が記録します (管理者に `hyoka round open POINT --due YYYY-MM-DD` を頼んでください)
import-conflicts = 前回の取り込みの後の変更と { $count } か所食い違います。何も取り込んでいません。台帳の値を残すならファイルを直し、ファイルの値を記録するなら --prefer-file を付けてやり直してください
import-file = ファイル: { $items } 項目。時点 { $periods }
import-era = 元号: { $era }
import-created = { $dry_run ->
    [yes] 台帳 { $dir } を作ります
   *[no] 台帳 { $dir } を作りました
}。計画 { $plan }
import-origin-derived = origin: { $origin } (ファイル名から作りました。計画の名称と origin は --plan と --origin で指定できます)
import-conflict = 食い違い: { $line } 行目: { $what }: 台帳の値は { $ledger } ({ $author } が #{ $seq } で { $time } に設定: { $reason })、ファイルの値は { $file }
import-nothing = ファイルは台帳と同じです: 記録するものはありません
import-changes = 変更: { $kinds }
import-recorded = { $count } イベント (#{ $first }..#{ $last }) を一つのバッチとして記録しました
import-dry-run = 試行: { $count } 件の変更が記録されます。何も記録していません

## 表示 (output.rs): ログの行、verify の行、出力先
warning-line = 警告: { $line }
note-line = 注: { $line }
cannot-write-stdout = 標準出力に書けません: { $error }
log-source = { " " }[取込元 { $file }]
log-head = #{ $seq } { $time }  { $author }
log-middle = { $what }  理由: { $reason }{ $source }
log-tail = ハッシュ { $hash }
clock-behind = 時計遅れ: この端末の時計は { $clock } で、最後のイベントの時刻 { $recorded } より前だったため、変更は clock.behind イベント (#{ $seq }) の後に { $recorded } の時刻で記録しました。この端末の時計が誤っているなら直してください。正しいなら、以前の変更が進んだ時計で記録されたもので、その時刻を過ぎるまで変更はその時刻で記録されます
vouched-by-store = ストアとそのヘッド記録
vouched-by-given-checkpoint = 指定したチェックポイント
verified-none = ok: 連鎖は正しいものの、ディレクトリ自身が保証するイベントはありません
verified = ok: #0..#{ $last } ({ $count } イベント、保証: { $by }) を検証しました: #{ $last } まで履歴は完全です
verified-journal-only = ジャーナルのみ: #{ $first }..#{ $last } ({ $count } イベント) はジャーナルだけが保持しています: 連鎖は正しいものの、ジャーナルの外に記録がないため、失われても跡が残りません。別の場所に保管したチェックポイントに対して証明するか (hyoka verify --checkpoint FILE)、変更のたびにアンカーしてください (hyoka anchor on、またはログ鍵: hyoka key use FILE)
head-line = ヘッド: { $hash }
root-line = 根: { $hash } (RFC 6962、SHA-256)
key-source-given = --vkey で指定
key-source-log-key = 台帳のログ鍵、台帳ディレクトリに保存
key-source-none = なし
kept-ignored = 最後に署名したチェックポイント (CHECKPOINT) は使いません: { $why }。この台帳については何も証明しません。次の `hyoka checkpoint --key` が別の名前に移します
kept-verified = 台帳が最後に署名したチェックポイント ({ $size } イベント) の延長です。署名は { $key } で検証しました ({ $source })
kept-unchecked = 台帳が最後に署名したチェックポイント ({ $size } イベント) の延長です。署名は確かめていません (ログ鍵が設定されていません: --vkey を付けるか、hyoka key use FILE で設定してください)
output-inside-ledger = { $flag } { $target } は台帳ディレクトリ { $ledger } の中です: hyoka は台帳のファイルの間に出力を書きません。{ $ledger } の外のパスを指定してください
flag-backup-dir = バックアップのディレクトリ
flag-backup-file = バックアップのファイル
init-admin-needs-keys = --admin には管理者の鍵が必要です: --vkey VKEY と --key FILE を付けてください
prove-bare-seq = { $seq } をイベント seq:{ $seq } と読みました (イベントは `hyoka diff` と同じく seq:N で指定します)
man-cannot-render = マニュアルページを作れません: { $error }
not-an-event = `{ $value }` はイベントではありません: seq:N と書いてください。例: { $example } (N は `hyoka log` が #N と表示するもの)
bound-not-a-time = { $error }。または seq:N でイベントを指定してください
clock-now-ignored = HYOKA_NOW は使いません: この hyoka はシステムの時計の時刻で記録します (HYOKA_NOW を読むのは、テストが使う test-clock 機能付きのビルドだけです)

## table、summary (view_cmds.rs)
cannot-write-json = JSON を書けません: { $error }
cannot-write-file = { $file } を書けません: { $error }
table-cannot-render = 項目 { $id } の { $field }: { $what }を含んでいて、TSV のセルに入りません。--format csv か --format json で書き出すか、項目 { $id } の { $field } を直してください
text-has-tab = タブ
text-has-line-break = 改行
text-has-control = 制御文字

## history、blame、diff (audit_cmds.rs)
no-events-yet = { $at } には台帳にまだイベントがありません。最初のイベントは { $first } に記録されました
that-point = その時点
history-no-item = 項目 { $id } はありません。`hyoka table` で項目を確かめてください
history-no-item-given = 項目番号か --all を指定してください
history-item = 項目 { $id } { $title } ({ $department }、{ $heading })
history-no-corrections = 訂正は記録されていません
history-no-corrections-match = この条件に合う訂正はありません
history-no-changes = 変更はありません
history-no-changes-match = この条件に合う変更はありません
history-no-department = 所管課 `{ $department }` の項目はありません。所管課は次のとおりです: { $departments }
report-intro = 台帳に記録されたすべての訂正 (既存の値を置き換えた、または取り消した変更) を項目ごとにまとめたものです。台帳のヘッド: `{ $head }`。各行はイベント (seq) を示し、`hyoka verify` と台帳のチェックポイントで確かめられます。
report-marked = [訂正] の印のある行は公表したラウンドの時点への変更で、公表した結果の訂正として市が公表するものです。
report-none = 訂正は記録されていません。
blame-nothing = 表示する時点には、評価・フォローアップ・理由等が記録されていません
diff-every-needs-moments = --every はログの二つの時点の間に記録された変更を並べます: seq:N か at:TIME の点を指定してください。例: hyoka diff seq:359 seq:365 --every
diff-no-change-between = { $from } と { $to } の間に記録された変更はありません
diff-every-change = { $from } と { $to } の間に記録されたすべての変更 ({ $count } 件、記録順):
diff-none = { $from } と { $to } の間に違いはありません
diff-count = { $from } から { $to } への違い: { $count } 件
field-name = { $field ->
    [rating] 評価
    [follow_up] フォローアップ
    [remark] 理由等
    [title] 項目名
    [department] 所管課
    [category] 見出し
    [relisting_of] 再掲元
    [status] 状態
    [not_evaluated] 対象外
    [from] 対象となる時点
    [after] 表示位置
    [merged_into] 集約先
    [submitted] 提出
    [review] 審査
    [opinion] 意見
   *[other] { $field }
}
column-seq = seq
column-time = 日時
column-author = 記録者
column-field = 内容
column-period = 時点
column-old = 前
column-new = 後
column-old-new = 前 → 後
column-reason = 理由
column-item = 項目
column-value = 値
column-from = 前
column-to = 後
column-change = 変更

## round、submit、review、opinion (rounds.rs)
rounds-open = 開始中
rounds-under-way = 進行中
round-none = { $what }のラウンドがありません: 管理者が `hyoka round open POINT --due DATE` で開始するか、--point POINT で時点を指定してください
round-several = { $what }のラウンドが { $count } つあります ({ $points }): --point POINT でどれかを指定してください
round-no-other-open = ほかに開始中のラウンドもありません
round-open-list = 開始中のラウンド: { $points }
round-no-round = { $point } のラウンドはありません ({ $open }): 管理者が `hyoka round open { $point } --due DATE` で開始します
round-opened = { $point } のラウンドを { $due } まで開始しました: 各課が項目を評価し (hyoka rate)、提出します (hyoka submit)
round-closed = { $point } のラウンドを締め切りました: 以後は評価できません。審査を続け、その後 `hyoka round publish { $point }`
publish-no-log-key = 公表ではチェックポイントに台帳のログ鍵で署名しますが、このコマンドはその鍵を持っていません: 鍵は { $file } (台帳ディレクトリの隣) にあるはずです。そこに置くか、--log-key FILE で指定してください
publish-other-log-key = 持っているログ鍵 ({ $key }) は、この台帳の職員の登録を始めたときのものではありません: --log-key FILE で台帳のログ鍵を指定してください
publish-wrote-table = { $point } の公表した表 (正規形、{ $bytes } バイト) を { $file } に書きました
publish-published = { $point } を公表しました: 表の SHA-256 は { $sha256 }
publish-not-signed = 公表は記録しましたが、チェックポイントに署名していません: { $error }
publish-checkpoint = { $size } イベントのチェックポイント。ログ鍵 { $key } で署名:
notice-not-published = { $point } のラウンドは { $status } で、公表されていません: 訂正とは `hyoka round publish { $point }` の後の変更です
round-no-department = 所管課 `{ $department }` には { $point } の項目がありません: 所管課は { $departments } です。名前を確かめてください
submit-which-department = 提出する課が指定されていません: --department D を付けてください
submitted = { $department } の { $count } 項目を { $point } について提出しました: 次は課長の 1次評価 (hyoka review approve --department { $department })
review-which-stage = 審査の段階が指定されていません: --stage 1 か --stage 2 を付けてください
review-both-stages = 両方の段階 (課長と行革本部) を審査できます: --stage 1 か --stage 2 でどちらかを指定してください
review-not-submitted = 項目が提出されていません。先に課が提出します (hyoka submit --department { $department })
review-see-status = それぞれの状況は `hyoka round status { $point }` で確かめてください
review-nothing-awaits = { $department } には { $point } の { $stage } を待つ項目がありません: { $next }
review-no-item = 項目番号か --department D を指定してください
review-items-of = { $department } の { $count } 項目
review-the-item = 項目
review-returned = { $what }を修正のため差し戻しました: 課が評価し直し、もう一度提出します
review-approved-first = { $what }を 1次評価 で承認しました: 次は行革本部の 2次評価
review-approved-second = { $what }を 2次評価 で承認しました: すべての項目が承認されたら、管理者がラウンドを公表します (hyoka round publish { $point })
correction-draft = { $point } の公表した結果を訂正しました: 公表する訂正のお知らせの案を続けて表示します (公表後のすべての訂正は hyoka round notice { $point })

## 職員と鍵 (people.rs、names.rs)
people-vkey-not-pair = --vkey { $vkey } ({ $vkey_id }) は { $file } の秘密鍵 ({ $key_id }) の検証鍵ではありません: `hyoka key generate` が作った組を指定してください (--output のファイルを --key に、表示された行を --vkey に)
people-created-key-not-adopted = { $error }。台帳と職員の登録はできています: `hyoka key use { $file }` でその鍵を台帳のログ鍵にしてください
people-first-admin = 職員: { $admin } が最初の管理者です。以後の変更はすべて記録者の鍵で署名します (--key FILE、または HYOKA_KEY)。職員は `hyoka person add` で登録してください
people-version-1 = この台帳はイベントスキーマ版 1 で、職員も署名も持てません: 新しい台帳が必要です。`hyoka init --admin NAME --vkey FILE --key FILE` で作り、公表した表を `hyoka import FILE --key FILE` で取り込んでください
people-already = この台帳にはすでに職員が登録されています ({ $count } 人)。追加は `hyoka person add`、一覧は `hyoka person list` で
people-log-key-kept = ログ鍵: すでにこの台帳のログ鍵である { $key } を、職員のログ鍵として記録しました
people-enabled-key-not-adopted = { $error }。台帳に職員は登録されました: `hyoka key use { $file }` でその鍵を台帳のログ鍵にしてください
people-enabled = 以後の変更はすべて記録者の鍵で署名します (--key FILE、または HYOKA_KEY)。職員は `hyoka person add` で登録してください
people-role-empty = --role が空です: staff、head、hq、admin、committee、auditor のうち一つ以上を指定してください
people-key-used = その鍵は { $person } の鍵です (または、でした): 職員はそれぞれ、使われたことのない自分の鍵を持ちます。本人に `hyoka key generate --name NAME --output FILE` で作ってもらってください
people-key-rotated-own = 以後は新しい鍵で署名してください: 古い鍵ではもう何も署名できません (使い回さないでください)
people-last-admin = { $person } は鍵を持つ最後の管理者です: 失効させると職員を管理する人がいなくなります。先にほかの職員に admin を付与するか (`hyoka person role grant PERSON admin`)、代わりに鍵を更新してください (`hyoka person key rotate`)
people-recorded = 記録 #{ $seq }: { $what } (記録者 { $by }、ヘッド { $head })
recorded-by = { " " }(記録者 { $name })
hint-ask-for-role = 。管理者に必要な役割の付与を頼むか (`hyoka person role grant`)、その役割を持つ人に頼んでください
hint-ask-to-open-round = 。管理者にその時点のラウンドの開始を頼むか (`hyoka round open POINT --due YYYY-MM-DD`)、時点を確かめてください
hint-round-closed = 。ラウンドは締め切られています: 管理者に相談してください。公表後の訂正は行革本部 (hq) が記録します
hint-ask-hq-correction = 。訂正の記録を行革本部 (hq) に頼んでください
hint-ask-to-return = 。変える必要があれば、審査する人に差し戻しを頼んでください
hint-ask-department = 。項目の課の人 (担当か課長) に記録を頼むか、管理者に役割の付与を頼んでください (`hyoka person role grant`)
column-id = ID
column-name = 氏名
column-department = 所属
column-roles = 役割
column-key = 鍵
column-status = 状態
key-current = 有効
key-revoked = 失効
people-count = 職員 { $count } 人。ログ鍵 { $key }
cannot-read-file = { $file } を読めません: { $error }
names-not-utf8 = { $file } は UTF-8 ではありません: 職員の氏名を JSON の行で保存するファイルです。手元の控えから戻してください
names-bad-line = { $file } の { $line } 行目は職員の記録ではありません ({ $error }): 手元の控えからファイルを戻すか、その行を消してください (その職員は ID で表示されます)
names-shown-by-id = { $error }。職員は ID で表示します
names-cannot-write-entry = 職員の記録を書けません: { $error }
names-cannot-write = { $file } を書けません: { $error }。台帳ディレクトリの権限と空き容量を確かめてください
names-no-person = この台帳に職員 `{ $who }` はいません (ID でも氏名でも)。`hyoka person list` で一覧を確かめてください
names-several = `{ $who }` という名前の職員が { $count } 人います ({ $ids }): 代わりに ID を指定してください
names-no-people = この台帳には職員が登録されていません: `hyoka people enable --admin NAME --vkey FILE --key FILE -m REASON` で最初の管理者を登録してください
names-no-salt = 氏名のコミットメントのソルトを作れません: { $error }

## 証明、エクスポート、復元 (offline.rs)
err-integrity-why = 完全性の破綻: { $detail }。{ $why }
not-utf8 = { $file } は UTF-8 ではありません: { $what }ではありません
wrote = { $what }を { $file } に書きました
signature-verified = 署名: 検証済み (鍵 { $key })
signature-unchecked = 署名: 確かめていません (--vkey なし): 真正性は確かめていません。{ $what }
signature-not-checked-consistency = 署名: 確かめていません (--vkey なし): これはチェックポイントとの一貫性を示すもので、誰が発行したかは示しません
what-checkpoint = チェックポイント
what-proof = 証明
what-a-consistency-proof = 一貫性証明
what-consistency-proof = 一貫性証明
what-inclusion-proof = 包含証明
what-private-key = 秘密鍵
what-verifier-key = 検証鍵
the-fresh-checkpoint = 新しいチェックポイント
prove-refused = 証明しません: { $detail }。{ $name } は今のこの台帳のチェックポイントではありません
prove-no-event = イベント seq:{ $seq } はありません: 台帳にあるのは { $covers } です
prove-consistency-done = { $old } イベントから { $new } イベントへの一貫性証明です。`hyoka verify-consistency FILE --old OLD_CHECKPOINT --vkey VKEY` で確かめられます
prove-inclusion-done = イベント seq:{ $seq } の包含証明です。`hyoka verify-proof FILE --vkey VKEY` で確かめられます (台帳は不要)
prove-what = SEQ か --consistency OLD_CHECKPOINT を指定してください
prove-unsigned = 証明の中のチェックポイントは署名されていません: 内容 (完全性) は固定しますが、誰が保証するかは示しません。--key FILE で署名してください
proof-does-not-show = 証明 { $file } は主張する内容を示していません
proof-ok = ok: イベント { $seq } は { $size } イベントのチェックポイントに含まれています (origin { $origin }、根 { $root })
proof-unchecked-means = これはイベントがその根の木に含まれることを示すもので、誰がチェックポイントを公表したかは示しません
proof-event = イベント { $seq }
proof-who = {"  "}記録者: { $value }
proof-what = {"  "}内容: { $value }
proof-when = {"  "}日時: { $value }
proof-why = {"  "}理由: { $value }
proof-from = {"  "}取込元: { $file } (blake3 { $blake3 })
proof-hash = {"  "}ハッシュ: { $value }
consistency-does-not-show = 証明 { $file } は、ログが { $old } の延長であることを示していません
consistency-ok = ok: 一貫しています: { $new } イベントのチェックポイントは { $old } イベントのチェックポイントの延長です (origin { $origin }): 最初の { $old } イベントは変わっていません
consistency-old-root = 古い根: { $hash }
consistency-new-root = 新しい根: { $hash }
consistency-unchecked-means = これは二つの木が一貫していることを示すもので、誰が公表したかは示しません
consistency-old-unsigned = 古いチェックポイント: 署名なし。与えられたとおりに扱いました
export-failed = エクスポートに失敗しました
export-nothing = 何もエクスポートされませんでした
export-cannot-keep = 表示するためにエクスポートを保持できません: { $error }
exported = { $count } イベントをエクスポートしました{ $to } (origin { $origin })。ヘッド { $head }、根 { $root }
exported-to = { " " }(出力先 { $file })
export-not-trusted = エクスポート { $file } は信頼できません
checkpoint-not-vouching-export = チェックポイント { $file } はこのエクスポートを保証しません
export-verified = ok: エクスポートの { $count } イベントを検証しました: どの行も保存バイト列と合い、連鎖と規則も正しいです
export-checkpoint-consistent = チェックポイント: 一貫しています: エクスポートの最初の { $size } イベントの根はチェックポイントの根と同じです。その後に { $more } イベントあります
checkpoint-unchecked-means = これはチェックポイントとの一貫性を示すもので、誰が発行したかは示しません
export-no-checkpoint = チェックポイント: 指定なし: エクスポートだけでは、完全であることも公表した履歴であることも示せません。--checkpoint FILE を指定してください
restore-not-trusted = 何も復元していません: エクスポート { $file } は信頼できません
restored = { $count } イベントを { $dir } に復元しました
restore-extends = チェックポイント ({ $size } イベント) の延長です{ $signed ->
    [yes] 。台帳が最後に署名したチェックポイントとして記録しました
   *[no] {""}
}
restore-no-checkpoint = --checkpoint なし: エクスポートはそれ自体で確かめただけで、公表したチェックポイントとは照合していません。台帳が最後に署名したチェックポイント (CHECKPOINT) はエクスポートに含まれないので、--checkpoint で指定してください

## 鍵とチェックポイント (tlog.rs、keys.rs)
key-name-from-origin = 鍵の名前の既定は台帳の origin ですが、読めません: { $error }。--name NAME で名前を指定することもできます
key-give-name = --name NAME で鍵の名前を指定してください
key-name-not-origin = 鍵の名前 { $name } は台帳の origin { $origin } ではありません: この台帳の `hyoka checkpoint` はこの鍵を拒否します (`hyoka person add` 用の職員の鍵なら、名前は何でもかまいません)
key-wrote = 秘密鍵を { $file } に書きました (秘密にしてください)。公表する検証鍵は次のとおりです:
sign-refused = 署名しません: この台帳は、この台帳について最後に署名したチェックポイント ({ $file }) の追記だけによる延長ではありません: { $detail }。ログは矛盾する二つのチェックポイントに署名してはなりません: そのチェックポイントに署名した台帳を復元してください
checkpoint-moved-aside = 台帳ディレクトリに保存していた最後の署名付きチェックポイントは検証に失敗しました (傷んでいる、偽造、または別の鍵の署名): { $file } に移しました
checkpoint-log-key-set = この鍵が台帳のログ鍵になりました (検証鍵は { $file } に保存)。チェックポイントにはこの鍵でだけ署名します
checkpoint-wrote = { $size } イベントのチェックポイントを { $file } に書きました
checkpoint-unsigned = このチェックポイントは署名されていません: 台帳の内容 (完全性) は固定しますが、誰が保証するか (真正性) は示しません。--key FILE で署名してください
checkpoint-signed = { $key } で署名し、台帳が最後に署名したチェックポイントとして記録しました{ $previous }
checkpoint-extends = { " " }(前回の { $size } イベントのものの延長です)
checkpoint-not-vouching = チェックポイント { $file } はこの台帳を保証しません
checkpoint-consistent = チェックポイント: 一貫しています: 台帳は { $size } イベントのチェックポイント (origin { $origin }、根 { $root }) の延長です。その後に { $more } イベント追記されています
keys-cannot-read = { $what } { $file } を読めません: { $error }
keys-too-big = { $file } は { $max } バイトより大きく、{ $what }ではありません
keys-not-a-key = { $file }: { $error }。`hyoka key generate` が書いたファイルを指定してください
keys-mode = 秘密鍵ファイル { $file } はほかの人も読み書きできます (モード { $mode }): 使いません。署名鍵は所有者だけが読めるようにしてください。`chmod 600 { $file }` を実行してやり直してください (ほかの人が複製したおそれがあれば、新しい鍵を作ってください)
keys-vkey-not-a-key = --vkey: { $error }。検証鍵の文字列 (`hyoka key generate` が表示する NAME+ID+KEY) か、それを書いたファイルを指定してください
keys-vkey-file-not-a-key = { $file }: { $error }。検証鍵の文字列 (`hyoka key generate` が表示する NAME+ID+KEY) か、それを書いたファイルを指定してください
file-invalid = { $file }: { $problem }
keys-vkey-private = --vkey: { $file } は秘密 (署名) 鍵です。代わりに検証鍵 (`hyoka key generate` が表示した、PRIVATE+KEY で始まらない行) を指定し、秘密鍵は秘密にしてください
keys-exists = { $file } はすでにあります: 上書きしません (鍵かもしれません)。別の --output を指定してください
cannot-create-file = { $file } を作れません: { $error }
cannot-fsync = { $dir } を fsync できません: { $error }

## backup
backup-keep-old = { $dir } のバックアップ: { $why }。古いバックアップはそのままにしました。{ $todo }
backup-todo-move-away = 中身を確かめてから別の場所に移すか、別のディレクトリにバックアップしてください
backup-no-checkpoint = 確かめられません: { $export } はありますが、この台帳と照合する { $checkpoint } がありません
backup-cannot-read-old = { $file } を読めません ({ $error })。古いバックアップはそのままにしました。権限を確かめるか、別のディレクトリにバックアップしてください
backup-damaged = 確かめられません: { $checkpoint } が傷んでいます ({ $why })
backup-too-big = { $max } バイトを超えています
backup-other-key = { $checkpoint } は署名されていますが、--key の鍵 ({ $key }) によるものではありません
backup-fails-check = { $checkpoint } が検証に失敗しました: { $error }
backup-cannot-check = { $checkpoint } を確かめられません: { $error }
backup-todo-other-key = 別のディレクトリにバックアップするか、署名した鍵でバックアップしてください
backup-todo-restore = この台帳が古いか傷んだ写しなら、代わりにバックアップを復元し (`hyoka restore { $export } --checkpoint { $checkpoint } --ledger NEW_DIR`)、そうでなければ別のディレクトリにバックアップしてください
backup-shorter = { $old } イベントありますが、この台帳は { $new } イベントです: 書くとバックアップを短い履歴で置き換えることになります
backup-other-ledger = 別の台帳のものです (origin { $old_origin }、{ $old } イベント。この台帳は origin { $origin }、{ $events } イベント)
backup-todo-elsewhere = 別のディレクトリにバックアップしてください
backup-rewritten = { $old } イベントあり、この台帳は { $new } イベントですが、この台帳の最初の { $old } イベントはバックアップのものと違います (根 { $ledger }、バックアップのチェックポイントは { $checkpoint }): この台帳はバックアップが持つ履歴を書き換えています
backup-cannot-create = { $dir } を作れません: { $error }。パスと権限を確かめてください
backup-read-back = { $dir } のバックアップが正しく読み戻せません ({ $error }): ディスクが故障しかけているかもしれません。別のディスクを使ってください
backup-mismatch = { $dir } のバックアップが台帳のチェックポイントと合いません: やり直してください
backup-written = { $count } イベントのバックアップを { $dir } に書き、読み戻しました: { $export } (エクスポート)、{ $checkpoint } ({ $signed ->
    [yes] 署名付き
   *[no] 署名なし
}のチェックポイント)
backup-extends = 置き換えたバックアップ ({ $size } イベント) の延長です
backup-restore-with = 復元するには: hyoka restore { $export } --checkpoint { $checkpoint } --ledger NEW_DIR

## 台帳を開く、ログ鍵、アンカー (anchoring.rs)
journal-cut = ジャーナルの最後は書きかけの記録でした (強制終了か停電で中断した追記で、確認済みではありません): その { $bytes } バイト (#{ $seq } から) は { $file } に保存して切り取りました
journal-unfinished = ジャーナルの最後は書きかけの記録です ({ $bytes } バイト、#{ $seq } から。中断した追記で、確認済みではありません)。そのままにしてあり、次の変更が別に保存して切り取ります
busy-waiting = 台帳は使用中です: { $who }。あと最大 { $seconds } 秒待ちます
read-copy-no-temp = { $error }。さらに、その複製を読むための一時ディレクトリを作れません
read-copy-read-only = 台帳は読み取り専用のファイルシステムにあります
read-copy-not-writable = 台帳のディレクトリにはこのユーザーが書き込めません
read-copy = { $why }。台帳の複製 ({ $size }) を { $dir } に作って読み、後で消します{ $verifying ->
    [yes] 。複製は台帳のファイルとバイト単位で同じなので、複製の検証は台帳の検証になります
   *[no] {""}
}
log-key-none-yet = --log-key { $file }: この台帳にはまだログ鍵がありません。`hyoka key use { $file }` でその鍵を台帳のログ鍵にしてください
key-inside-ledger = { $file } は台帳ディレクトリの中にあります: 秘密鍵はそこに置いてはいけません (台帳の複製に含まれてしまいます)。外に移してください。例: { $suggested }
log-key-now = ログ鍵: { $key } がこの台帳のログ鍵になりました (検証鍵は { $file } に保存)
log-key-already = ログ鍵: { $key } はすでにこの台帳のログ鍵です
log-key-found-there = 書き込むコマンドはそこにある鍵を自動で使います
log-key-found-with-flag = 書き込むコマンドは --log-key { $file } を付けたとき (または { $default } にあるとき) にこの鍵を使います
log-key-anchors = 秘密鍵を持つコマンドによる変更は、すべてこの鍵で署名してアンカーします。{ $found }。{ $file } は秘密にしてください
log-key-wrote = 新しいログ鍵を { $file } に書きました (モード 0600。秘密にし、台帳ディレクトリの外に置いてください)
log-key-other-origin = { $file } のログ鍵の名前は { $name } ですが、この台帳の origin は { $origin } です: ログ鍵は台帳の origin を名前とします。--log-key FILE で別のファイルを指定してください (なければそこに新しい鍵を作ります)
log-key-wrote-new = 新しいログ鍵を { $file } に書きました (モード 0600): 秘密にし、台帳ディレクトリの外に置き、控えを取ってください
anchor-setting = 変更のたびのアンカー: { $state ->
    [on] 入
   *[off] 切
}
anchor-log-key-set = ログ鍵: 設定済み: それを持つコマンドは変更のたびに署名してアンカーします
anchor-log-key-none = ログ鍵: なし (`hyoka key use FILE` で設定できます)
anchor-vouched = このディレクトリが保証するイベント: { $count } イベントのうち { $vouched }{ $rest ->
    [yes] {" "}(残りはジャーナルだけが保持しています)
   *[no] {""}
}

## demo
demo-no-temp-dir = 一時ディレクトリを作れません: { $error }
demo-intro = hyoka demo: 一時ディレクトリに使い捨ての台帳を作ります (最後に消します)。
demo-heading-import = 公表された表を取り込む (小平市のフォローアップ表、平成26〜27年度、同梱)
demo-heading-table = イベントだけから作り直した表 (最初の行。すべては `hyoka table` で)
demo-heading-totals = イベントから作り直した集計と、表自身の合計の行
demo-file-totals = {"   "}ファイル自身の合計の行 ({ $first }-{ $last } 行目): { $totals }、フォローアップ { $follow_up }: 取り込みで確かめたとおり同じです
demo-heading-correction = 訂正: 上書きではなく、新しいイベント
demo-heading-verify = 検証: すべてのハッシュ、連鎖、規則、マークル木を計算し直す
demo-heading-tamper = 改ざんの検出: エクスポートした写しのイベント 100 の 1 バイトを変える
demo-edited = (手で書き換え: { $file } の { $line } 行目、イベント 100: 保存バイト列 ("bytes"、base64) の { $column } 文字目を { $old } から { $new } に変更。1 バイトの 1 ビット)
demo-caught = { $line } (終了コード { $code })
demo-unnoticed = デモの改ざんが検出されませんでした: 報告してください
demo-heading-publish = 公表したラウンドとその公表パッケージ (市がウェブサイトに置くファイル。ログ鍵で署名)
demo-pack-where = (`hyoka publish POINT --out DIR` であなたの台帳のものを書き出せます: index.html、CSV、Excel、JSON、署名付きチェックポイントとマニフェスト、タイル)
demo-heading-next = 次に
demo-next-import = 自分の表を取り込む (./hyoka-ledger を作る)
demo-next-checkpoint = 署名付きチェックポイントを公表する。verify --checkpoint で追記だけであることを証明
demo-next-help = すべてのコマンドと例
demo-cannot-edit = デモが写し { $file } を書き換えられませんでした: { $error }
demo-heading-serve = ブラウザーで評価ラウンドを試す (デモ用のデータです)
demo-serve-marked = {"   "}デモ用のデータ: この使い捨ての台帳にデモ用の職員と実施中のラウンドを加えました。サーバーを停止するとすべて削除されます。
demo-serve-round = {"   "}{ $label } ({ $point }) のラウンドを実施中です (期限 { $due }、対象 { $departments })。次の職員 (ID とパスワード) でサインインしてください:
demo-serve-account = {"   "}{ $id }  { $password }  ({ $role }、{ $department })
demo-serve-open = ブラウザーで { $url } を開き、上の ID とパスワードでサインインしてください (Ctrl-C で停止。デモの台帳はそのとき削除されます)
demo-serve-failed = デモのサーバーを用意できません: { $error }。もう一度 hyoka demo --serve を実行してください
panic = 内部エラー ({ $message })。`hyoka verify` で台帳を確かめ、実行したコマンドを添えて報告してください
init-progress-scale = { $scale } (進捗率、パーセント)

## table --marks、summary --by、changes (view_cmds.rs)
marks-in-file = --marks: TSV や CSV の表が持つのは最も新しい時点のフォローアップと理由等です (取り込み直すとそこに記録されます)。ほかの時点のものは --format text、md、json で表示してください
marks-after-as-of = --marks: { $point } は --as-of { $as_of } より後です。それまでの時点を指定してください
summary-csv-needs-by = --format csv: --by heading か --by department を付けてください (CSV は時点と区分ごとに 1 行です)
changes-same-points = 二つの点が同じです ({ $point }): 違う二つの点を指定してください。例: { $point } { $next }
changes-the-next-one = 次の時点

## 設定ファイル (config.rs)、マニュアルページ
config-bad = 設定ファイル { $file }: { $what }
config-no-file = ファイルがありません (HYOKA_CONFIG で指定されたもの。設定ファイルを読まないなら HYOKA_CONFIG を空にしてください)
config-cannot-read = 読めません: { $error }
config-too-big = { $max } バイトより大きく、設定ファイルではありません
config-not-utf8 = UTF-8 のテキストではありません
config-toml-line = { $line } 行目: { $message } (TOML で書きます: key = "value" を 1 行に一つ)
config-toml = { $message } (TOML で書きます: key = "value" を 1 行に一つ)
config-must-be-text = `{ $key }` は{ $what }を引用符で囲んで書いてください (あったのは { $found })
config-a-directory = ディレクトリ
config-a-key-file = 秘密鍵ファイル
config-ja-or-en = ja か en
config-a-time-zone = タイムゾーン
config-bad-language = `language` は ja か en です (あったのは "{ $found }")
config-bad-wait = `wait` は 0 以上の秒数で、引用符なしで書いてください (あったのは { $found })
config-unknown-key = 知らないキー `{ $key }` です。キーは { $keys } です
config-empty-string = 空の文字列
config-a-list = リスト
config-a-table = テーブル
man-none = マニュアルページが作られませんでした
man-wrote = { $count } 個のマニュアルページを { $dir } に書きました
stage-not-1-or-2 = 1 (1次評価、課長が行う) か 2 (2次評価、行革本部が行う) を書いてください

## import: レイアウト、ブック、すべての誤ったセル (commands.rs)
what-table = 表
what-layout = レイアウト
layout-none = レイアウトファイル { $layout } はなく、その名前の既知のレイアウトもありません: レイアウトファイル (README の "Your own sheet") か、次のいずれかを指定してください: { $known }
layout-not-utf8 = レイアウト { $layout } は UTF-8 のテキストではありません: UTF-8 で保存してください
layout-toml-at = レイアウトが正しくありません: { $why } ({ $line } 行目、{ $column } 桁目)
layout-toml = レイアウトが正しくありません: { $why }
layout-unknown-key = 知らないキー `{ $key }` があります
layout-missing-key = キー `{ $key }` がありません
layout-invalid = レイアウトが正しくありません: { $why }
layout-no-header-text = columns.{ $key } に見出しの文字列がありません
layout-empty-header-text = columns.{ $key } に空の見出しの文字列があります
layout-bad-column = columns.{ $key } は見出しの文字列、そのリスト、{ $column }、{ $after } (N は 1 から { $max }) のどれかで書きます
layout-name = name は a-z、0-9、-、_ の 1 文字から 40 文字で書きます (メッセージでレイアウトを呼ぶ名前です)
layout-id-and-title = columns には id と title か、item (番号と項目名が一つのセル) のどちらか一方だけを書きます
layout-points-header = points.header は見出しの文字列で、時点のラベルの位置に { $point } を一度まで書きます
layout-points-from = points.from_column は 1 から { $max } です
layout-points-by-position = points.from_column は時点を位置で読みます。そのときは points.header を "{ $point }" にします
layout-data-shift = header.data_shift は 0 から 8 です
layout-first-cell-empty = header.first_cell は空にできません
layout-no-header-row = 見出しの行を見つけられません。header.first_cell を書くか、列を見出しの文字列で指定してください
layout-after-points = { $after } は時点を位置で読むとき (points.from_column) だけ使えます
layout-mark-in-remark = cells.mark_in_remark には follow_up と remark の列が要ります
layout-bad = { $layout }: { $error }。レイアウトに書く内容は schema/LAYOUT.md を見てください
import-cp932 = お知らせ: { $file } は UTF-8 ではないため、CP932 (Shift_JIS、日本語版 Windows の Excel の CSV の文字コード) として読みました
import-problem = 問題: { $problem }
import-problems-omitted = 問題: … ほか { $count } 件 (表示していません)
import-problems = { $file } に問題が { $count } 件あります。何も取り込んでいません。上に挙げたすべてのセル (行、列とその見出し、受け付ける値) を直してから、もう一度取り込んでください
import-layout = レイアウト: { $layout }
import-sheet = シート: { $sheet }
hint-point-needed = 。--point で指定してください (例: --point 令和元年度末)
hint-no-layout = { " " }(README の "Your own sheet"。既知のレイアウトは fixtures/layouts/ にあります)。--layout FILE で指定してください
err-problems = 問題が { $count } 件あります: { $problems }

## 静的ミラー (`mirror`, `verify --mirror`)
progress-writing = 書き込み中
mirror-no-checkpoint = 台帳には写すべき署名付きチェックポイントがありません: `hyoka checkpoint --key FILE` で署名してから、もう一度実行してください
mirror-conflict = { $dir } はこの台帳のミラーではありません: その { $path } が、この台帳のミラーがそこに持つ内容と違います。これ以上は何も書いていません。空のディレクトリか、この台帳のミラーを書いたディレクトリを指定してください
mirror-wrote = { $size } イベントのチェックポイントのミラーを { $dir } に書きました: 新しいファイル { $written } 個、既にあって確かめたファイル { $kept } 個
mirror-not-a-directory = { $dir } はディレクトリではありません: `hyoka mirror` が書いたディレクトリを指定してください
mirror-not-trusted = ミラー { $dir } は信頼できません
mirror-verified = ok: ミラーの { $count } イベントを検証しました: エントリ束・タイル・イベント束 ({ $files } ファイル) がチェックポイントの木を作り、連鎖と規則も正しいです
mirror-table = 表: { $items } 項目、評価のある最新の時点 { $latest }
mirror-unchecked-means = これはミラーが欠けずにチェックポイントと一貫していることを示すもので、誰が発行したかは示しません
fetch-cannot = { $url } を取得できません
fetch-status = サーバーの応答は HTTP ステータス { $code } でした
pack-no-log-key = 公表パッケージには台帳のログ鍵で署名しますが、このコマンドはその鍵を持っていません: 鍵は { $file } (台帳ディレクトリの隣) にあるはずです。そこに置くか、--log-key FILE で指定してください
pack-not-published = { $point } のラウンドは公表されていません: 先に `hyoka round publish { $point }` で公表してから、もう一度実行してください
pack-no-round = { $point } のラウンドはありません: 公表パッケージを作れるのは公表したラウンドだけです。`hyoka round status POINT` でラウンドを確かめてください
pack-checkpoint-before = 最後に署名したチェックポイント ({ $size } イベント) が公表 (イベント #{ $seq }) を含んでいません: `hyoka checkpoint --key FILE` で署名してから、もう一度実行してください
pack-not-cp932 = 項目 { $item } の列 { $column }: { $ch } ({ $code }) は CP932 で書けません。何も書いていません。UTF-8 で公表するか (--encoding cp932 を外す)、セルを訂正してください
pack-exists = { $path } は別の内容で既にあります (別のパッケージ?)。何も書いていません。空のディレクトリを指定するか、--force で置き換えてください
pack-not-a-file = { $path } はリンクか通常のファイルではありません: hyoka はリンクをたどらず、リンク越しにも書きません。何も書いていません。取り除くか、別のディレクトリを指定してください
pack-io = パッケージを { $path } に書けません: { $error }
pack-failed = パッケージを作れませんでした: { $error }
pack-wrote = { $point } ({ $id }) の公表パッケージを { $dir } に書きました: 書いたファイル { $written } 個、既に同じだったファイル { $kept } 個
pack-files = ファイル: { $files }
pack-tiles = タイル: { $dir } (新しいファイル { $written } 個、既にあって確かめたファイル { $kept } 個)
pack-digest = 表の SHA-256 (正規形、イベント #{ $seq } の記録のとおり): { $sha256 }
pack-checkpoint = チェックポイント: { $size } イベント、根 { $root }
pack-corrections = 公表後の訂正: { $count } 件 (corrections.html)
pack-next = 次に: { $dir } をそのままウェブサイトに置きます。誰でも `hyoka verify --publication DIR` と `hyoka verify --mirror URL` で検証できます
pack-not-a-directory = { $dir } はディレクトリではありません: `hyoka publish` が書いたディレクトリを指定してください
pack-not-trusted = 公表パッケージ { $dir } は信頼できません
pack-missing = { $name } がありません
pack-damaged = { $name } が壊れています: { $why }
pack-bad-signature = { $name } の署名が確かめられません: { $why }
pack-changed = { $name } はマニフェストが記載するファイルではありません (SHA-256 が違います)
pack-other-checkpoint = チェックポイント ({ $size } イベント) がマニフェストの記載するものではありません
pack-digest-differs = table.json の表の SHA-256 は { $computed } で、記録された { $recorded } ではありません
pack-not-the-ledgers = { $ledger } の台帳は、この { $point } の公表を記録していません (別のイベントか、別の表の SHA-256)
pack-verified = ok: { $dir } の公表パッケージはマニフェストのとおりです: { $files } ファイル、それぞれ SHA-256 を確かめました
pack-verified-table = 表: { $point }、table.json から計算し直した SHA-256 { $sha256 } は、イベント #{ $seq } の記録のとおりです
pack-ledger-checked = 台帳: { $ledger } を検証しました。パッケージのチェックポイントの延長で、同じ公表を記録しています
pack-no-ledger = 台帳: { $ledger } にないため、パッケージを台帳とは照合していません
pack-unchecked-means = これはパッケージが欠けずにそれ自身と一貫していることを示すもので、誰が発行したかは示しません
integrity-mirror-file-missing = ミラーに、チェックポイントが必要とするファイル { $path } がありません
integrity-mirror-file-mismatch = ミラーの { $path } が、イベントから作った木と違います (イベント seq:{ $seq } から)
integrity-mirror-bundle-damaged = ミラーの { $path } が傷んでいます: { $detail }
integrity-mirror-entry-mismatch = ミラーの { $path } にあるイベント seq:{ $seq } のエントリが、そのイベントの保存バイト列のハッシュではありません
err-mirror-conflict = ミラーの { $path } が、この台帳のミラーがそこに持つ内容と違います

## sheets: each department's sheet for a point (sheets.rs)
sheets-point = { $point } ({ $id }) の評価シート: { $count } 課。参考として直前の評価時点: { $reference }
sheets-no-reference = なし (最初の評価時点です)
sheets-wrote = { $file } を書きました ({ $department }、{ $items } 項目)
sheets-next = 次に: 各課が 評価 の列 (必要なら フォローアップ対象、理由等) を記入し、`hyoka import FILE` で取り込むと、記入したセルだけがこの時点に記録されます
sheets-point-needed = どの時点のシートですか? この台帳にはラウンドがありません: --point で指定してください (例: --point 令和2年度末)
sheets-round = { $point } ({ $status })
sheets-status-open = 開始中
sheets-status-closed = 締切済み
sheets-status-published = 公表済み
sheets-no-open-round = 開始中のラウンドがありません (ラウンド: { $rounds }): 管理者が `hyoka round open POINT --due DATE` で次のラウンドを開始してから、そのシートを書き出してください
sheets-not-open = { $point } のラウンドは開始中ではありません (ラウンド: { $rounds }): シートは開始中のラウンドについて書き出します。管理者が `hyoka round open { $point } --due DATE` で開始します
sheets-not-open-list = { $point } のラウンドは開始中ではありません (開始中のラウンド: { $open }): --point でそのどれかを指定するか、省略してください
sheets-no-items = { $point } に計画の項目がありません: 書き出すシートはありません。時点を確かめてください
sheets-dir-link = { $dir } はシンボリックリンクです: hyoka は書き込むときにリンクをたどりません。何も書いていません。ディレクトリそのものを指定してください
sheets-dir-not-dir = { $dir } はディレクトリではありません。何も書いていません。--out にはディレクトリを指定してください
sheets-cannot-create = { $dir } を作れません: { $error }。何も書いていません。パスと権限を確かめてください
sheets-link = { $file } はシンボリックリンクです: hyoka はリンクをたどることも置き換えることもしません。何も書いていません。リンクを消すか、別の --out を指定してください
sheets-not-file = { $file } はファイルではありません。何も書いていません。移動するか、別の --out を指定してください
sheets-exists = { $file } はすでにあります。何も書いていません。移動するか、別の --out を指定するか、--force で置き換えてください
sheets-cannot-make = { $department } のブックを作れません ({ $error })。何も書いていません。--format csv で書き出してください
sheets-cannot-write = { $file } を書けません: { $error }。その前に { $done } 個のファイルを書きました。ディレクトリを確かめ、--force を付けてもう一度実行してください

## 台帳の規則 (errors.rs の `Rule`、`TextProblem`、`Version1`)
version1-needs-2 = { $what }にはイベント形式の版 2 が要りますが、この台帳は版 1 です
version1-text-id = 項目番号 `{ $id }` は数字ではありません。イベント形式の版 1 の台帳では項目を番号で表します
version1-not-half-year = 時点 { $point } は上半期でも年度末でもありません。イベント形式の版 1 の時点はこの二つだけです
version1-unknown = イベント形式の版 { $version } は知らない版です
v2-from = 途中の時点から計画に加わる項目 (from)
v2-after = ほかの項目の後に置く項目 (after)
v2-cadence = 計画の評価時点の区切りや年度
v2-exclusion = 対象外
v2-merge = 集約
v2-heading-rename = 見出しの名前の変更
v2-people = 職員とその鍵
v2-round = 評価のラウンド
field-plan-name = 計画名
field-heading = 見出し
field-title = 項目名
field-department = 所管課
field-grade = 評価
field-remark = 理由等
field-opinion = 意見
field-reason = 理由
field-author = 記録者
field-person-id = 職員 ID
field-person-name = 職員の名前
field-verifier-key = 検証鍵
field-log-key = ログ鍵
field-item-id = 項目番号
field-item-number = 項目番号
text-empty = { $field }が空です。空でない{ $field }を指定してください
text-empty-why = { $field }が空です。なぜ変えるのかを{ $field }に書いてください
text-control = { $field }に制御文字 { $char } が含まれています。取り除いてください
text-white-space = { $field } `{ $value }` に空白が含まれています。S、A、B のように一語で書いてください
text-invisible = { $field } `{ $value }` の { $position } 文字目に、表示されない文字 `{ $named }` が含まれています{ $selector }。その文字を除いて{ $field }を入力し直してください
text-invisible-selector = {" "}(異体字セレクタは漢字の直後にだけ使えます)
items-one = 項目 { $id }
items-some = 項目 { $ids }
items-more = 項目 { $ids } ほか { $more } 件
round-state-open = 開始中
round-state-closed = 締切済み
round-state-published = 公表済み
decided-rating = 評価
decided-follow-up = フォローアップの印
decided-remark = 理由等
decided-excluded = 対象外
action-change-items = 計画の項目の変更
action-manage-people = 職員の管理
action-change-others-key = ほかの職員の鍵の変更
action-manage-rounds = ラウンドの開始・締切・公表
action-exclude-published = 公表済みのラウンドでの対象外の変更 (訂正は行革本部が記録します)
action-exclude = 項目を対象外にすること
action-record-opinion = 意見の記録
action-submit = 課の項目の提出
action-review-first = 1次評価での審査
action-review-second = 2次評価での審査
action-rate = 項目の評価・理由等の記録
action-correct-published = 公表済みのラウンドの訂正 (訂正は行革本部が記録します)
action-review = 審査
action-rate-or-remark = 評価・理由等の記録
key-of-log = ログ鍵
key-of-admin = 管理者の鍵
key-of-person = 職員の鍵
key-of-new = 新しい鍵
role-named = { $label } ({ $id })
or-separator = {" "}または{" "}
open-rounds-none = ほかに開始中のラウンドもありません
open-rounds-list = 開始中のラウンド: { $points }
rule-file-name = 取り込み元のファイル名 `{ $name }` は、ディレクトリを含まないファイル名ではありません
rule-origin = origin `{ $origin }` は使えません: 空でなく、空白や `+` を含まない名前にしてください (例: city.kodaira.example/reform-plan-2)
rule-first-is-plan = 最初のイベントは計画の登録でなければなりません
rule-plan-first = 台帳にはまだ計画がありません: 最初のイベントで計画を登録します
rule-plan-defined = 計画はすでに登録されています
rule-empty-scale = 評価の段階が空です。良い順に指定してください (例: S,A,B)
rule-grade-twice = 評価 `{ $grade }` が段階に 2 回あります。1 回だけにしてください
rule-years-backwards = 計画の年度が逆順です: FY{ $first } から FY{ $last }。始めの年度を先に書いてください
rule-whole-plan-needs-years = 計画全体で 1 回だけ評価する計画には、計画の年度の指定が必要です
rule-rename-taken = 見出し `{ $name }` はすでに `{ $existing }` としてあります。ほかの見出しと重ならない名前に変えてください
rule-heading-lookalike = 見出し `{ $name }` はすでに `{ $existing }` としてあります (NFKC で同じ名前)。`{ $existing }` を使ってください
rule-heading-exists = 見出し `{ $name }` はすでにあります
rule-rename-changes-nothing = 名前の変更で何も変わりません: 見出しはすでに `{ $name }` です
rule-no-such-heading = 見出し `{ $name }` はありません。次のどれかを使ってください: { $headings }
rule-id-lookalike = 項目番号 `{ $id }` は項目 { $other } と同じに読めます (大文字・小文字か先頭の 0 だけが違います)。{ $other } を使うか、違う番号にしてください
rule-item-zero = 項目番号は 1 から始まります
rule-grade-not-in-scale = 評価 `{ $grade }` は計画の評価の段階にありません。{ $scale } のどれかを使ってください
rule-decided-before = 項目 { $id } には { $from } より前の { $at } に{ $what }があります。先にそれを取り消してください
rule-amend-changes-nothing = 変更で何も変わりません: 項目 { $id } はすでにそのとおりです
rule-not-withdrawn = 項目 { $id } は削除されていません
rule-rating-excluded = 項目 { $id } は { $period } で対象外 (評価しない) です。先に対象外を取り消してください
rule-already-rated = 項目 { $id } の { $period } の評価はすでに { $grade } です。変えるものはありません
rule-no-rating = 項目 { $id } には取り消す { $period } の評価がありません
rule-follow-up-already = 項目 { $id } の { $period } のフォローアップの印はすでに{ $on }。変えるものはありません
follow-up-is-on = 付いています
follow-up-is-off = 外れています
rule-remark-already = 項目 { $id } の { $period } の理由等はすでにそのとおりです。変えるものはありません
rule-already-excluded = 項目 { $id } は { $period } ですでに対象外です。変えるものはありません
rule-exclude-rated = 項目 { $id } は { $period } で { $grade } と評価されています。対象外にする前に評価を取り消してください
rule-not-excluded = 項目 { $id } は { $period } で対象外ではありません。取り消す対象外がありません
rule-already-merged = 項目 { $id } は { $from } から項目 { $into } に集約されています。先にその集約を取り消してください
rule-merge-into-itself = 項目 { $id } をそれ自身に集約することはできません
rule-merge-into-merged = 項目 { $into } 自体が項目 { $other } に集約されています。項目 { $other } に集約してください
rule-merged-into = 項目 { $other } が項目 { $id } に集約されています。ほかの項目の集約先になっている項目は、集約できません
rule-decided-after = 項目 { $id } には { $from } 以降の { $at } に{ $what }があります。先にそれを取り消してください
rule-not-merged = 項目 { $id } はどの項目にも集約されていません
rule-not-yet-joined = 項目 { $id } が計画に加わるのは { $period } より後の { $joins } からです。その時点には何も記録できません
rule-merged-away = 項目 { $id } は { $from } から項目 { $into } に集約されています (集約)。項目 { $into } に記録してください
rule-after-itself = 項目 { $id } をそれ自身の後に置くことはできません
rule-after-cycle = 項目 { $id } を項目 { $after } の後に置くことはできません: 項目 { $after } は項目 { $id } の後に置かれています
rule-relist-itself = 項目 { $id } がそれ自身を再掲することはできません
rule-relist-missing = 項目 { $id } が再掲する項目 { $of } はありません。先に項目 { $of } を登録してください
rule-relist-of-relisting = 項目 { $of } 自体が再掲です。元の項目を再掲してください
rule-version-mixed = このイベントはイベント形式の版 { $version } ですが、台帳のイベント 0 は版 { $first } です
rule-clock-behind-given = clock.behind のイベントは、時計が最後のイベントより遅れているときに台帳自身が書くもので、変更として指定することはできません
rule-not-a-key = { $of } `{ $key }` は検証鍵ではありません: { $why }
rule-enabled-by-other = people.enabled のイベントは、そこに名前のある管理者 ({ $admin }) が記録します。{ $author } ではありません
rule-author-not-person = 記録者 { $author } は登録された職員ではありません
rule-author-no-key = 記録者 { $author } には、この時点で鍵がありません (失効しています)
rule-no-people = 台帳に職員が登録されていません。先に職員の登録を有効にしてください
rule-has-people = 台帳にはすでに職員が登録されています
rule-no-such-person = 職員 `{ $person }` はいません
rule-no-round = { $period } のラウンドは開始されていません。{ $open }
rule-no-role-given = 職員 `{ $person }` が役割なしで登録されようとしています。役割を一つ以上指定してください
rule-role-twice = 職員 `{ $person }` に同じ役割が 2 回指定されています
rule-person-exists = 職員 `{ $person }` はすでに登録されています
rule-key-of-another = その鍵は職員 `{ $other }` の鍵です (または、でした): 職員はそれぞれ自分の鍵を持ちます
rule-key-used-before = その鍵は職員 `{ $other }` の鍵です (または、でした): 新しい鍵には、まだ使われたことのない鍵を使ってください
rule-first-not-admin = 職員を登録する台帳の最初の職員は管理者でなければなりません
rule-has-role = 職員 `{ $person }` はすでに役割 { $role } を持っています
rule-lacks-role = 職員 `{ $person }` は役割 { $role } を持っていません
rule-last-admin = 鍵を持つ最後の管理者です。先にほかの職員に管理者の役割を付与してください
rule-no-key-to-revoke = 職員 `{ $person }` には失効させる鍵がありません
rule-last-admin-key = 鍵を持つ最後の管理者の鍵です: 失効させると誰も台帳を管理できなくなります。代わりに鍵を取り替えるか、先にほかの管理者を置いてください
rule-bad-due = 期限 `{ $due }` は YYYY-MM-DD の形の日付ではありません (例: 2021-04-30)
rule-round-exists = { $period } のラウンドはすでにあります ({ $status })
rule-cannot-submit = { $period } のラウンドは{ $status }です: 提出はできません
rule-department-empty = 所管課 `{ $department }` には { $period } の項目がありません
rule-not-rated = 所管課 `{ $department }` の { $items } は { $period } の評価がまだです。先に評価してください
rule-returned-not-rated = 所管課 `{ $department }` の { $items } は差し戻された後、まだ評価し直されていません。先に評価し直してください
rule-already-submitted = 所管課 `{ $department }` は { $period } の項目をすでに提出しています。その後に変わったものはありません
rule-review-published = { $period } のラウンドは公表済みです: これからの変更は訂正で、審査ではありません
rule-not-submitted = 項目 { $id } は { $period } について提出されていません。先に所管課が提出します
rule-first-over = 項目 { $id } は { $period } の 2次評価で承認されています: 1次評価は終わっています。今の差し戻しは行革本部が行います
rule-first-approved = 項目 { $id } は { $period } の 1次評価ですでに承認されています
rule-first-needed = 項目 { $id } は { $period } の 1次評価で承認されていません: 2次評価はその後です
rule-second-approved = 項目 { $id } は { $period } の 2次評価ですでに承認されています
rule-round-not-open = { $period } のラウンドは{ $status }で、開始中ではありません
rule-already-published = { $period } のラウンドはすでに公表されています
rule-unfinished = { $period } のラウンドはまだ公表できません: { $items } が、対象外でも、評価されて 2次評価で承認済みでもありません
rule-digest-mismatch = 記録された { $period } の公表表のダイジェストが、その正規形の SHA-256 ({ $digest }) と違います
rule-not-a-person = `{ $author }` はこの台帳に登録された職員ではありません: 変更はすべて職員が記録します
rule-auditor-records = 職員 `{ $person }` は監査の役割だけを持ち、何も記録できません (監査は閲覧のみ)
rule-no-key = 職員 `{ $person }` には鍵がありません (失効しています)。先に管理者が新しい鍵を設定します
rule-needs-role = 職員 `{ $person }` には{ $action }はできません: 役割 { $roles } が必要です
rule-other-department = { $department } の職員 `{ $person }` は、{ $owner } の項目 { $id } の{ $action }はできません
rule-submit-other = { $department } の職員 `{ $person }` は、{ $other } の項目を提出できません
rule-defined-once = 計画と職員は、台帳の始めに一度だけ登録します
rule-round-closed = { $period } のラウンドは締め切られています: 評価はもうできません (差し戻された項目だけが評価し直されます)
rule-under-review = 項目 { $id } は { $period } について審査のために提出されています: 差し戻されるまで変えられません
person-quoted = 職員 `{ $person }`
person-shown = 職員 { $person }
err-era-needed = { $line } 行目: 時点の列 `{ $label }`: 元号のない元年は平成と令和のどちらの元年でもあり、どちらかを示すものがありません
err-point-needed = { $line } 行目 { $column } 列目 ({ $header }): 列の見出しから、どの評価時点の評価なのかがわかりません
err-no-layout = { $line } 行目: ファイルが既知のどのレイアウトにも合いません ({ $tried })。そのシートのレイアウトを書いてください
err-unsigned-no-key = 台帳には職員が登録されています: { $author } の変更にはその職員の鍵で署名します
err-unsigned-not-current = 指定された鍵は { $author } の今の鍵ではありません
err-unsettled-head = 変更は保存されましたが、ヘッド記録を更新できませんでした ({ $why })
err-unsettled-anchor = 変更は記録されました (#{ $first }..#{ $last }) が、アンカーを書けませんでした ({ $why })
time-unreadable = 日時 `{ $input }` を読めません。次のいずれかの形で書いてください: { $forms }
time-out-of-range = 日時 `{ $input }` は扱える範囲の外です
time-unknown-zone = タイムゾーン `{ $input }` を知りません。次のいずれかを書いてください: { $forms }
time-bad-offset = 時差 `{ $input }` を読めません。次のいずれかを書いてください: { $forms }
zone-forms = Asia/Tokyo (または JST)、UTC、+09:00 や -05:00 のような時差、その他の IANA のタイムゾーン名
flag-value-problem = { $flag }: { $problem }
time-forms = 2015-06-30, 2015/06/30, 2015-06-30 14:00, 2015/06/30 14:00:30, 平成27年6月30日, 2015年6月30日, または RFC 3339 (例: 2015-06-30T14:00:00+09:00)

## 時点 (errors.rs の `PeriodError`、`Why`)
period-forms = FY2014-H1, FY2014-YE, FY2014-Q1, FY2014-Q3, FY2006-2010, H26上半期, 平成26年度末, R7年度上半期, 令和元年度末, 2019年度末, 平成26年度第1四半期, H26Q3, 平成18-22年度, 平成30年度-令和4年度, 2006-2010年度, 平成28年3月末現在, 平成27年9月末, 平成26年6月末, 平成26年12月31日現在, 令和2年3月31日現在
period-years-forms = 2019-2022, 2019年度-2022年度, 令和元-4年度, 令和元年度-令和4年度, R1-R4, 平成30年度-令和4年度、または 1 年だけ (2019)
period-side-first = 最初
period-side-last = 最後
period-unknown-era = 元号 `{ $era }` は知りません。heisei か reiwa を指定してください
period-whole-plan-needs-its-years = 時点 `{ $input }` を読めません: この計画は計画期間全体で一度だけ評価します。{ $years } のように計画の年度を書いてください
period-plan-years = 計画の年度が正しくありません: { $why }
period-not-a-point-of = { $label } はこの計画の評価時点ではありません。この計画の評価時点は{ $points }です。そのどれかを書いてください
cadence-points-half-year = 上半期と年度末
cadence-points-year-end = 年度末だけ
cadence-points-quarterly = 各四半期の終わり (第1四半期・上半期・第3四半期・年度末)
cadence-points-whole-plan = 計画期間の終わりだけ
period-whole-plan-without-years = { $label } を確かめられません: 計画期間全体で一度だけ評価する計画には、平成18-22年度 のように計画の年度の指定が必要です
period-not-the-whole-plan = { $label } はこの計画の評価時点ではありません。この計画は年度 { $years } について一度だけ評価します。{ $years } と書いてください
period-outside-years = { $label } は計画の年度 { $years } の外です。その中の時点を書いてください
period-unknown-cadence = 評価時点の区切り `{ $cadence }` は知りません。`half-year` (上半期・年度末)、`year-end` (年度末のみ)、`quarterly` (四半期)、`whole-plan` (計画期間) のどれかを指定してください
period-years = 計画の年度 `{ $input }` を読めません: { $why }。次のいずれかの形で書いてください: { $forms }
period-year-out-of-range = 年度 { $year } は扱える範囲 ({ $min }〜{ $max }) の外です
period-years-reversed = 計画の最初の年度 { $first } が最後の年度 { $last } より後です。平成18-22年度 や FY2006-2010 のように、前の年度を先に書いてください
period-empty = 時点が空です。次のいずれかの形で書いてください: { $forms }
period-unreadable = 時点 `{ $input }` を読めません: { $why }。次のいずれかの形で書いてください: { $forms }
period-year-alone = 時点 `{ $input }` を読めません: 年度だけ ({ $year }) で時点を表すのは、年度末だけを評価する計画 (年度末のみ) に限ります。{ $year }末 か { $year }上半期 と書いてください
period-four-digits = 時点 `{ $input }` を読めません: FY2014-H1 のように、年度は 4 桁で書いてください
period-unknown-part = 時点 `{ $input }` を読めません: `{ $part }` は知らない区分です。Q1 (第1四半期)、H1 (上半期)、Q3 (第3四半期)、YE (年度末)、計画期間なら FY2006-2010 のように最後の年度を使ってください
period-canonical = 時点 `{ $input }` を読めません: { $why }
why-year-expected = 26 や 元 のような元号の年、または 2019 のような西暦の年が必要です
why-bad-year = 年が正しくありません
why-era-year-zero = 元号の年は 1 (元) から始まります
why-no-era = 年に元号がありません。前に 平成 か 令和 (H か R) を書くか、計画の元号を設定してください
why-year-missing = 計画の{ $side }の年度がありません。計画の年度は 平成18-22年度 や 平成30年度-令和4年度 のように書きます
why-plan-year = 計画の{ $side }の年度 `{ $input }`: { $why }
why-plan-year-unreadable = 計画の{ $side }の年度 `{ $input }` を読めません。計画の年度は 平成18-22年度 や 平成30年度-令和4年度 のように書きます
why-last-in-full = 最後の年度も省略せずに { $first }-{ $last }年度 のように書いてください
why-unknown-term = `{ $term }` は知らない区分です (上半期、年度末、第1四半期、第3四半期 を使ってください)
why-no-quarter = 四半期 `{ $quarter }` はありません: 四半期は 第1四半期 から 第4四半期 (Q1 から Q4) です
why-never-existed = { $era_year }年{ $month }月 はありません: { $gone }。{ $instead } と書いてください
why-heisei-ended = 平成は 2019年4月30日 (平成31年4月30日) に終わりました
why-reiwa-began = 令和は 2019年5月1日 (令和元年5月1日) に始まりました
why-month-expected = 月が必要です
why-tsuki-expected = 月の数字の後に 月 が必要ですが、`{ $rest }` があります
why-not-reporting-month = { $month }月 は評価時点ではありません: 評価時点は 6月 (第1四半期)、9月 (上半期)、12月 (第3四半期)、3月 (年度末) の末です
why-no-month = { $month }月 はありません
why-bad-day = 日 `{ $day }` を読めません。末 か月の最後の日 (例: { $last }日) を書いてください
why-not-end-day = { $month }月{ $day }日 は評価期間の終わりではありません。{ $month }月末 か { $month }月{ $last }日 と書いてください
why-years-empty = 空です
why-after-year = 年の後の `{ $rest }` は年の一部ではありません (計画の年度には半期・四半期・日付を書きません)

# hyoka serve, person enrol
serve-listening = { $dir } の台帳を { $url } で公開しています (Ctrl-C で停止)
serve-stopped = サーバーを停止し、台帳を解放しました
serve-cannot-listen = { $addr } で待ち受けできません: { $error }。--listen で別のアドレスかポートを指定してください
serve-cannot-prepare = { $dir } を用意できません: { $error }
serve-failed = サーバーが失敗しました: { $error }
serve-tls-unreadable = { $file } を読めません: { $error }。このユーザーが読める PEM のファイルを --tls-cert と --tls-key に指定してください
serve-tls-no-cert = { $file } に PEM の証明書 (-----BEGIN CERTIFICATE-----) がありません: --tls-cert にはサーバーの証明書チェーン (サーバーの証明書を先頭に) を指定してください
serve-tls-no-key = { $file } に PEM の秘密鍵 (-----BEGIN PRIVATE KEY-----) がありません: --tls-key には証明書の暗号化していない秘密鍵を指定してください
serve-tls-mismatch = { $key } の秘密鍵は { $cert } の証明書のものではありません: --tls-key には証明書を発行したときの秘密鍵を指定してください
serve-tls-unusable = 証明書か秘密鍵を使えません: { $error }。RSA、ECDSA か Ed25519 の証明書と秘密鍵を PEM で指定してください
busy-server = { $dir } の台帳は { $url } の hyoka サーバー (プロセス { $pid }) が停止するまで使用中です: そちら (ページか JSON API: { $url }/api/openapi.json) で見るか、このコマンドを実行するにはサーバーを停止してから (実行中の端末で Ctrl-C、または kill { $pid }) 実行し、サーバーを再び起動してください
enrol-no-url = この台帳のサーバーが動いていません: 職員のブラウザーから届くアドレスを --url で指定してください
enrol-no-person = この台帳に `{ $person }` という職員はいません: 職員の ID か名前を指定してください (hyoka person list を参照)
enrol-link = { $person } さんの登録リンク ({ $hours } 時間、1 回限り有効。本人にだけ送ってください): { $url }

## 表のファイルの問題 (errors.rs, `TableFileError`, `IdProblem`)
table-place = { $line } 行目 { $column } 列目
table-place-header = { $line } 行目 { $column } 列目 ({ $header })
expects-starts-with = 「{ $first }」で始まる行
expects-holding = { $texts } を含む行
columns-heading = 見出し
columns-id-and-title = 項目番号と項目名
columns-id = 項目番号
columns-title = 項目名
columns-department = 所管課
columns-points = 時点 { $count } 列
columns-follow-up = フォローアップ
columns-remark = 備考
column-key-heading = 見出し
column-key-id = 項目番号
column-key-item = 項目
column-key-title = 項目名
column-key-department = 所管課
column-key-follow-up = フォローアップ
column-key-remark = 備考
column-key-points = 時点
column-key-totals-label = 合計行の見出し
id-empty = 項目番号 `{ $input }` が空です。12 のような数字か、R1-1、1-1-1 のような番号を書いてください
id-too-long = 項目番号 `{ $input }` が { $max } 文字を超えています。12 のような数字か、R1-1、1-1-1 のような番号を書いてください
id-holds = 項目番号 `{ $input }` に `{ $char }` が含まれています。項目番号に使えるのは文字、数字と - _ . / ( ) ・ です。12 のような数字か、R1-1、1-1-1 のような番号を書いてください
id-first-not-alphanumeric = 項目番号 `{ $input }` は文字か数字で始めてください。12 のような数字か、R1-1、1-1-1 のような番号を書いてください
table-invalid-utf8 = { $line } 行目: ファイルは UTF-8 のバイト順マークで始まりますが、ここから先は正しい UTF-8 のテキストではありません。UTF-8 で保存し直してください (Excel では「CSV UTF-8」)
table-not-text = { $line } 行目: ファイルは UTF-8 のテキスト (この行から読めません) でも Shift_JIS (CP932) のテキスト ({ $cp932_line } 行目から読めません) でもありません。CSV UTF-8、CSV または Excel ブック (.xlsx) で保存してください
table-workbook = 1 行目: ファイルを表として読めません: { $problem }
table-no-such-sheet = 1 行目: ブックにシート { $sheet } はありません。シートは { $sheets } です
table-invalid-utf16 = { $line } 行目: ファイルは正しい UTF-16 のテキストではありません (サロゲートペアが壊れているか、長さが奇数です)。UTF-8 で保存し直してください
table-empty = { $line } 行目: ファイルが空です。フォローアップ表をもう一度書き出してください
table-stray-bom = { $line } 行目: この行はバイト順マーク (U+FEFF) で始まりますが、バイト順マークを置けるのはファイルの先頭だけです (ここにあるのは、たいてい二つのファイルがつながれたためです)。二つ目の表題や見出しの行と一緒に削除して、もう一度取り込んでください
table-no-header = { $line } 行目: 見出しの行が見つかりません (レイアウト { $layout } では { $expected })。ファイルが評価表か確かめるか、そのシートに合うレイアウトを使ってください
table-unknown-column = { $line } 行目: 見出しの { $column } 列目 ({ $header }) はレイアウト { $layout } の列{ $point ->
        [yes] でも時点でも
       *[no] では
    }ありません。レイアウトでその列を名付ける (または ignore に挙げる) か、列を削除してください
table-duplicate-column = { $line } 行目: 見出しの { $first_column } 列目と { $column } 列目がどちらも{ $key }の列です ({ $header })。一つだけ残してください
table-no-periods = { $line } 行目: 見出しに期間の列がありません。見出しの 3 列目から年度 (例: 26年度) を、その下の行に期 (例: 上半期) を書くか、CSV の見出しに期間を省略せずに書いてください
table-period-without-year = { $line } 行目: 見出しの期間の列 ({ $column } 列目) に年度がありません。各年度の最初の期の上に年度 (例: 26年度) を書いてください
table-header-mismatch = { $line } 行目: この見出しの期間は { $found } ですが、最初の見出し ({ $first_line } 行目) では { $expected } です。各ページの見出しをすべて同じにしてください
table-no-data-rows = { $line } 行目: 見出しの後に項目の行がありません。ファイルが表全体を書き出したものか確かめてください
table-too-few-columns = { $line } 行目: 列が少なくとも { $expected } 列 ({ $layout }) 必要ですが、{ $found } 列しかありません。行が欠けていないか、ファイルが評価表か確かめてください (レイアウト { $format } で読みました)
table-too-many-columns = { $place }: 余分な内容 { $cell } があります (この行の列は多くても { $max } 列です)。削除し、タブを含むセルがないか確かめてください
table-bad-id = { $place }: 項目のセル { $cell } が項目番号で始まっていません。番号、空白、項目名の順に書いてください (例: 「27 スクラップアンドビルドの徹底」)
table-id-with-no = { $place }: 項目番号 { $cell } が No. で始まっています。No. は再掲の印 (【No.27の再掲】) の中でだけ項目を指します。番号だけを書いてください (No.27 なら 27)
table-missing-title = { $place }: 項目 { $id } に項目名がありません。{ $with_id ->
        [yes] 番号の後に
       *[no] { "" }
    }項目名を書いてください
table-duplicate-id = { $place }: 項目番号 { $id } は { $first_line } 行目ですでに使われています{ $differs ->
        [yes] { " " }(ここでは { $written }、そちらでは { $first } と書かれていますが、同じ番号です)
       *[no] { "" }
    }。項目ごとに別の番号を付けてください
table-missing-heading = { $place }: 最初の項目の行に見出し (分類) がありません。各まとまりの最初の行に見出しを書いてください
table-bad-mark = { $place }: フォローアップの印 { $cell } が ○ ではありません。フォローアップの項目には ○ を書くか、セルを空にしてください
table-bad-count = { $place }: 合計行 { $label } の件数 { $cell } が整数ではありません。件数を数字で書いてください (ないときは 0)
table-not-in-scale = { $place }: 項目 { $id }、{ $point }: 評価 `{ $grade }` は計画の評価にありません。{ $scale }、対象外 のどれかを書くか、セルを空にしてください
table-duplicate-follow-up-total = { $line } 行目: フォローアップ項目の件数が二つあります (一つ目は { $first_line } 行目)。件数は最初の合計行にだけ書いてください
table-row-after-totals = { $line } 行目: 合計行 ({ $totals_line } 行目から) の後に項目の行があります。合計行を表の最後に移してください
table-csv-quoting = { $line } 行目: CSV の引用符の誤り: { $problem }。{ $fix }
csv-quote-inside = { $line } 行目: CSV の引用符の誤り: 二重引用符で始まらないセルの中に二重引用符があります。セル全体を二重引用符で囲み、中の二重引用符はすべて二つ重ねてください
csv-text-after-quote = { $line } 行目: CSV の引用符の誤り: セルを閉じる二重引用符の後に文字があります。引用符で囲んだセルの中の二重引用符はすべて二つ重ねてください ("")
csv-never-closed = { $line } 行目: CSV の引用符の誤り: ここから始まる引用符で囲んだセルが閉じられていません。閉じる二重引用符を書いてください
table-csv = { $line } 行目: CSV の誤り: { $message }。CSV (UTF-8) で保存し直してください
table-many = { $line } 行目: ファイルに問題が { $count } 件あります{ $omitted ->
        [0] { "" }
       *[other] { " " }({ $omitted } 件は表示していません)
    }: { $problems }
file-point-given = { $line } 行目: 時点 ({ $point }) が指定されましたが、見出しが評価の列すべての時点を示しています ({ $periods })。時点はファイル自身が示しています
file-period-column = { $line } 行目: 期間の列 `{ $label }`: { $why }
file-period-twice = { $line } 行目: 期間 { $period } の列が二つあります。期間ごとに列は一つです
file-totals = ファイルの合計行が項目の行と合いません: { $problems }。表か合計行を直してください。何も取り込んでいません
total-count = { $line } 行目 ({ $label } の行)、{ $period }: ファイルでは { $stated }、項目の行からは { $found } です
total-columns = { $line } 行目 ({ $label } の行): 期間 { $periods } 列に件数が { $counts } 個あります
total-follow-up = { $line } 行目、フォローアップ項目: ファイルでは { $stated }、項目の行からは { $found } です (再掲の項目は一度だけ数えます)

## 使い方の誤り (英語では clap の文のまま。ここはその事実を日本語で)
usage-invalid-subcommand = `{ $name }` というコマンドはありません
usage-unknown-argument = `{ $name }` という引数はありません
usage-invalid-value = { $arg } に `{ $value }` は指定できません
usage-value-validation = { $arg } の値 `{ $value }` を読めません: { $why }
usage-missing-argument = 必要な引数が指定されていません: { $names }
usage-missing-subcommand = サブコマンドを指定してください
usage-argument-conflict = { $arg } は { $other } と一緒には使えません
usage-other = 引数の指定が正しくありません: { $arg }
usage-valid-values = 指定できる値: { $values }
usage-did-you-mean = もしかして: { $name }
usage-line = 使い方: { $usage }
usage-see-help = 詳しくは --help を付けて実行してください。

## 壊れたファイル、誤ったファイル (証明、チェックポイント、エクスポートの行、鍵、ミラーのファイル)
cp-of-given = チェックポイント
cp-of-old = 古いチェックポイント
cp-of-new = 新しいチェックポイント
cp-of-proof = 証明の中のチェックポイント
inv-checkpoint-too-big = { $of }ではありません: { $bytes } バイトあり、上限の { $max } バイトを超えています
inv-checkpoint = { $of }として読めません: { $why }
inv-proof-too-big = 証明ではありません: { $bytes } バイトあり、上限の { $max } バイトを超えています
inv-proof = c2sp.org/tlog-proof@v1 の証明として読めません: { $why }
inv-consistency-too-big = 整合性証明ではありません: { $bytes } バイトあります
inv-consistency = 整合性証明 (old N、証明、チェックポイント) として読めません: { $why }
inv-signature-uncheckable = 署名を確かめられません: { $why }
inv-old-larger = 古いチェックポイント ({ $old } 件) が新しいもの ({ $new } 件) より大きくなっています。二つを入れ替えてください
inv-not-log-key-to-sign = 鍵 { $key } はこの台帳のログ鍵 ({ $log_key }) ではありません。チェックポイントにはログ鍵でだけ署名します
inv-not-log-key = 鍵 { $key } はこの台帳のログ鍵 ({ $log_key }) ではありません。ログ鍵のファイルを指定してください
inv-no-log-key = この台帳にはまだログ鍵がありません。先にログ鍵を記録してください
inv-log-key-not-of-origin = 鍵の名前は { $key } ですが、台帳の origin は { $origin } です。ログ鍵には台帳の origin の名前を付けます
inv-other-log-key = 台帳にはすでに別のログ鍵 ({ $key }) があります。その鍵のファイルを指定してください
inv-cannot-sign = チェックポイントに署名できません: { $why }
inv-empty-export = エクスポートにイベントがありません
inv-no-plan = 台帳に計画がありません
inv-restore-target-exists = { $dir } はすでにあります。restore は新しい台帳を作ります。まだないディレクトリを指定してください
inv-not-a-directory-name = { $dir } はディレクトリの名前ではありません
inv-nothing-to-restore = 復元するものがありません: イベントがありません
inv-nothing-to-record = 記録するものがありません
inv-not-ledger-file-top = { $path } は台帳がそこに置くもの (通常のファイル) ではありません。何もコピーしていません
inv-not-ledger-file = { $path } は台帳がそこに置くもの (通常のファイルかディレクトリ) ではありません。何もコピーしていません
inv-changed-while-copied = { $path } がコピーの間に変わりました ({ $size } バイトから { $copied } バイトに)。もう一度実行してください
inv-fewer-events = 台帳のイベントは { $events } 件で、{ $size } 件に足りません
inv-source-file-name = 元ファイルの名前 `{ $name }` はディレクトリを含まないファイル名ではありません
inv-poisoned = 別のスレッドが台帳への追記の途中で異常終了しました。台帳を開き直してください
cp-not-utf8 = チェックポイントが UTF-8 ではありません
cp-missing-final-newline = チェックポイントの最後が改行で終わっていません
cp-control-character = チェックポイントに制御文字 0x{ $byte } があります (バイト位置 { $offset })
cp-too-few-lines = チェックポイントが { $found } 行しかありません (origin、サイズ、ルートの少なくとも 3 行が要ります)
cp-bad-origin = チェックポイントの origin の行が空か、改行を含んでいます
cp-malformed-size = チェックポイントの木のサイズ { $size } が読めません (先頭に 0 のない 10 進数で書きます)
cp-malformed-root = チェックポイントのルートハッシュが読めません (ちょうど 32 バイトの標準 base64 で書きます)
cp-bad-extension = チェックポイントの拡張行 { $line } が空か、改行を含んでいます
cp-note = チェックポイントの署名付きノート: { $why }
cp-unsigned = チェックポイントに署名がありません
cpd-too-big = { $max } バイトを超えています
nerr-invalid-key-name = 鍵の名前 { $name } は使えません (空でなく、空白、「+」、制御文字を含まない名前にします)
nerr-malformed-verifier-key = 検証鍵の形式が正しくありません: { $why }
nerr-malformed-signer-key = 秘密鍵の形式が正しくありません: { $why }
nerr-unsupported-algorithm = 署名の種類 0x{ $alg } には対応していません (対応するのは Ed25519、0x01 だけです)
nerr-key-id-mismatch = 鍵 ID { $declared } が鍵と合いません (鍵から求めた ID は { $computed } です)
nerr-random = 乱数を作れませんでした: { $detail }
nerr-not-utf8 = 署名付きノートが UTF-8 ではありません
nerr-control-character = 署名付きノートに制御文字 0x{ $byte } があります (バイト位置 { $offset })
nerr-text-missing-newline = 署名する本文が空か、改行で終わっていません
nerr-missing-signature-block = 本文と署名を分ける空行がありません
nerr-no-signatures = 空行の後に署名の行がありません
nerr-missing-final-newline = 最後の署名の行が改行で終わっていません
nerr-malformed-signature-line = 署名の { $line } 行目が正しくありません: { $why }
nerr-too-many-signatures = 署名が { $max } 個を超えています
nerr-no-signature-by-key = 鍵 { $name }+{ $id } による署名がありません
nerr-bad-signature = 鍵 { $name }+{ $id } による署名が正しくありません
keyp-no-private-prefix = 先頭に PRIVATE+KEY+ がありません
keyp-private-parts = PRIVATE+KEY+<名前>+<ID>+<鍵> の形ではありません
keyp-verifier-parts = <名前>+<ID>+<鍵> の形ではありません
keyp-key-id = 鍵 ID が 8 桁の小文字の 16 進数ではありません
keyp-seed = 鍵が 0x01 と 32 バイトのシードの base64 ではありません
keyp-public = 鍵が 0x01 と 32 バイトの公開鍵の base64 ではありません
keyp-not-a-point = 公開鍵が Ed25519 の正しい点ではありません
sigline-no-dash = em ダッシュ (U+2014) と空白で始まっていません
sigline-no-space = 鍵の名前と署名の間に空白がありません
sigline-key-name = 鍵の名前が正しくありません
sigline-not-base64 = 署名が正しい base64 ではありません
sigline-too-short = 署名が 5 バイトより短くなっています
tproof-not-utf8 = 証明が UTF-8 ではありません
tproof-bad-header = 1 行目が { $header } ではありません
tproof-malformed-extra = extra の行は「extra 」の後に標準 base64 を書きます
tproof-malformed-index = 「index N」の行がありません (N は先頭に 0 のない 10 進数です)
tproof-malformed-old-size = 「old N」の行がありません (N は先頭に 0 のない 10 進数です)
tproof-malformed-hash = 証明の { $line } 行目が 32 バイトのハッシュの標準 base64 ではありません
tproof-too-many-lines = 証明の行が { $max } 行を超えています
tproof-truncated = チェックポイントの前の空行より前でファイルが終わっています
tproof-missing-checkpoint = 空行の後にチェックポイントがありません
tproof-checkpoint = 中のチェックポイント: { $why }
tproof-merkle = 証明の検証に失敗しました: { $why }
merkle-storage = ハッシュを読めません: { $detail }
merkle-read-mismatch = { $requested } 個のハッシュを求めて { $returned } 個が返りました
merkle-index-out-of-range = 葉の番号 { $index } はサイズ { $size } の木の外です
merkle-invalid-sizes = 古い木のサイズ { $old } が新しい木のサイズ { $new } より大きくなっています
merkle-empty-old-tree = 空の木からの整合性証明 (サイズ { $new } の木へ) には意味がありません
merkle-tree-too-large = 木のサイズ { $size } は扱える上限 (2^62) を超えています
merkle-proof-length = 証明のハッシュが { $actual } 個あります ({ $expected } 個のはずです)
merkle-hash-length = { $what } が { $len } バイトです (32 バイトのはずです)
merkle-proof-hash-length = 証明のハッシュ { $index } が { $len } バイトです (32 バイトのはずです)
merkle-root-mismatch = 証明が求めるルートに行き着きません
merkle-old-root-mismatch = 整合性証明が古い木のルートに行き着きません
merkle-internal = 内部エラー: { $detail }
proofp-no-extra = extra の行がありません (hyoka の証明はそこにイベントを入れます: prev_hash || 保存されたバイト列)
proofp-extra-too-short = extra のデータが { $bytes } バイトしかなく、前のイベントのハッシュの 32 バイトに足りません
proofp-prev-hash-differs = extra のデータにある前のハッシュが、そのイベントの記録するものと違います
proofp-index-not-seq = 番号 { $index } の証明ですが、中のイベントは seq { $seq } です
proofp-not-included = 包含証明がイベント { $index } の葉から { $size } 件のチェックポイントのルートに行き着きません ({ $why })。イベント、証明、チェックポイントのどれかが改変されています
proofp-old-size-differs = { $proof } 件の木からの整合性証明ですが、古いチェックポイントは { $old } 件です
proofp-shrinks = 新しいチェックポイント ({ $new } 件) が古いもの ({ $old } 件) より小さくなっています。ログは縮みません
proofp-empty-root = 古いチェックポイントはサイズ 0 ですが、ルートが空の木のものではありません
proofp-not-consistent = { $old } 件の木 (古いチェックポイント) が { $new } 件の木の先頭部分であることを示せません ({ $why })。古いチェックポイントが含む履歴が書き換えられたか、証明が改変されています
line-too-long = { $max } バイトより長くなっています
line-truncated = 行の途中でファイルが終わっています (最後の改行がありません)。エクスポートが途中で切れています
line-carriage-return = { $at } バイト目に復帰文字 (CR) があります。行は改行 (LF) だけで終わります
line-not-json-eof = JSON として読めません: { $column } 桁目で途中で終わっています
line-not-json = JSON として読めません: { $column } 桁目に構文の誤りがあります
line-duplicate-member = 一つのオブジェクトに同じメンバー名が二度あります ({ $column } 桁目)
line-not-object = JSON のオブジェクトではありません
line-unknown-field = 知らないフィールド `{ $field }` があります
line-missing = `{ $field }` がないか、形式が正しくありません
bundle-too-big = この種類のファイルが持てる { $max } バイトを超えています
bundle-entries-truncated = エントリ { $index } の途中で終わっています
bundle-entries-count = エントリが { $found } 個あります (タイルには { $expected } 個あるはずです)
bundle-ends-inside-event = イベント { $index } の途中で終わっています
bundle-bytes-after = { $count } 件のイベントの後に余分なバイトがあります
bundle-event-count = イベントが { $found } 件あります (タイルには { $expected } 件あるはずです)
decode-malformed = イベントとして読めないバイト列です ({ $detail })
decode-trailing-bytes = イベントの後に { $count } バイト余分にあります
decode-unknown-version = 知らないイベント形式のバージョン { $version } です
decode-reserved-field = この形式のバージョンにはない署名欄が設定されているか、{ $len } バイトではありません
decode-not-version1 = 形式バージョン 1 のイベントとして正しくありません ({ $detail })
decode-too-large = イベントが { $bytes } バイトあり、上限の { $max } バイトを超えています

## OS のエラー (種類ごと)
os-not-found = ファイルやディレクトリがありません
os-permission-denied = アクセスが許可されていません
os-already-exists = すでにあります
os-is-a-directory = ファイルではなくディレクトリです
os-not-a-directory = ディレクトリではありません
os-no-space = ディスクに空きがありません
os-read-only = 読み取り専用のファイルシステムです
os-directory-not-empty = ディレクトリが空ではありません
os-too-large = 大きすぎます
os-invalid-filename = ファイル名として正しくありません
os-interrupted = 中断されました
os-link = シンボリックリンクです (hyoka はたどりません)
os-unexpected-eof = ファイルが途中で終わっています
os-other = OS のエラー (番号 { $error })
