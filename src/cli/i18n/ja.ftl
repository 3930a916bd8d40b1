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
err-not-in-checkpoint = イベント { $seq } はチェックポイントより新しいものです: チェックポイントに含まれるのは { $covers } だけです
err-no-such-seq = seq { $seq } はありません: 台帳のイベントは 0..={ $last } です
err-key-not-of-origin = 鍵の名前は { $key } ですが、台帳の origin は { $origin } です: チェックポイントには origin を名前とする鍵で署名します
err-internal = 内部エラー: { $detail }
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
integrity-store-behind-head = ストアがヘッド記録より少なくなっています: ストアにあるのは { $store } イベントですが、{ $head } イベントが確認済みでした (イベント { $store }..{ $head } が失われています)
integrity-head-mismatch = イベント { $seq }: ストアの先頭のハッシュがヘッド記録と違います
integrity-head-record-damaged = ヘッド記録が傷んでいます: { $detail }
integrity-store-unreadable = ストアが読めません: { $detail }
integrity-store-file-missing = ストアのファイルが欠けています: { $detail }
integrity-rule-broken = イベント { $seq }: 台帳の規則に反しています: { $why }
integrity-signature-invalid = イベント { $seq }: 署名が不正です: { $why }
integrity-pinned-key-mismatch = イベント { $seq }: { $detail }
integrity-time-went-backwards = イベント { $seq }: イベント { $prev } より前の時刻で記録されています
integrity-checkpoint-root-mismatch = チェックポイントの不一致: チェックポイントの { $size } イベントの木の根は { $checkpoint } ですが、台帳の最初の { $size } イベントの根は { $ledger } です: チェックポイントが含む履歴が書き換えられています
integrity-ledger-shorter = 台帳がチェックポイントより短くなっています: 台帳にあるのは { $ledger } イベントですが、チェックポイントは { $checkpoint } イベントを含みます (イベント { $ledger }..{ $checkpoint } がありません: 切り詰められた台帳か、古い写しです)
integrity-checkpoint-other-origin = チェックポイントは別の台帳のものです: その origin は { $checkpoint }、この台帳の origin は { $ledger } です
integrity-checkpoint-bad-signature = チェックポイントの署名が不正です: { $key } による署名が検証できません (チェックポイントが書き換えられたか、偽造されています)
integrity-checkpoint-not-signed = チェックポイントに鍵 { $key } による署名がありません
integrity-signed-checkpoint-damaged = 最後に署名したチェックポイント (CHECKPOINT ファイル) が傷んでいます: { $detail }
integrity-export-line-damaged = エクスポートの { $line } 行目が傷んでいます: { $why }
integrity-export-field-mismatch = イベント { $seq }: エクスポートの行の `{ $field }` が保存バイト列と合いません (ハッシュされるのはバイト列の方です: 行が書き換えられています)
integrity-export-shorter = エクスポートがチェックポイントより短くなっています: エクスポートにあるのは { $export } イベントですが、チェックポイントは { $checkpoint } イベントを含みます (イベント { $export }..{ $checkpoint } がありません: 切り詰められたか、古いエクスポートです)
integrity-event-not-in-checkpoint = イベント { $seq } はチェックポイントに含まれていません: 含まれるのは { $covers } だけです
integrity-proof-invalid = 証明が検証できません: { $detail }
integrity-index-mismatch = 索引の不一致: 項目ごとの索引が傷んでいます ({ $detail })。派生データで、イベントは無事です
integrity-snapshot-mismatch = イベント { $seq }: スナップショットの不一致: このイベントの後の状態のスナップショットが傷んでいます ({ $detail })。派生データで、イベントは無事です
integrity-journal-lost = 確認済みのイベントが失われています: { $detail }
integrity-anchored-events-missing = イベント #{ $ledger }..#{ $last } がありません: { $by } には { $anchored } イベントが記録されていますが、台帳にあるのは { $ledger } イベントです
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
