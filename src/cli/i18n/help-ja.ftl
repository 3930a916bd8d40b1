### hyoka のヘルプ (日本語)。英語のヘルプは clap の定義 (src/cli/args.rs ほか) そのもので、ここはその訳。
### キーの付け方は src/cli/i18n/help.rs の冒頭にある。例のコマンド行は英語のヘルプと同じにする (テストで確かめる)。

## hyoka
hyoka = hyoka (評価): 行財政改革計画の評価を記録する、改ざんを検出できる台帳
    .long =
        hyoka (評価): 行財政改革計画の評価を記録する、改ざんを検出できる台帳。

        変更はすべてハッシュで連鎖したイベントとして追記され、表・集計・監査用の表示はイベントだけから作り直されます。`hyoka verify` が連鎖全体を計算し直して検証します。
    .after =
        例:
          hyoka demo
          hyoka import fixtures/kodaira-followup-h26-h27.tsv --author 山田
          hyoka rate 12 H27上半期 A -a 山田 -m '再評価の結果'
          hyoka table
          hyoka verify

        台帳は --ledger で指定したディレクトリ、なければ $HYOKA_LEDGER、なければ設定ファイルの `ledger`、なければ ./hyoka-ledger です。
        設定ファイルは $HYOKA_CONFIG、なければプラットフォームの設定ディレクトリの hyoka/config.toml
        (Linux では $XDG_CONFIG_HOME/hyoka/config.toml、なければ ~/.config/hyoka/config.toml) で、TOML で書きます:
          ledger = "/srv/hyoka/plan"    # 相対パスはファイルのディレクトリから、~/ はホームから
          key = "~/.hyoka/me.key"       # 自分の秘密鍵 (--key、$HYOKA_KEY と同じ)
          language = "ja"               # ja か en
          time_zone = "Asia/Tokyo"      # --tz、$HYOKA_TZ と同じ
          wait = 10                     # 秒数。--wait、$HYOKA_WAIT と同じ
        オプションはその環境変数に、環境変数は設定ファイルに、設定ファイルは既定に優先します。時刻は、--tz
        か設定ファイルで指定しない限り日本時間 (2015-11-06 08:30:00 +09:00) で表示します。
        HYOKA_NOW (RFC 3339) は test-clock 機能付きのビルド (テスト用) でだけ記録時刻を決めます。それ以外の
        ビルドは警告を出して無視します。時計が最後のイベントより遅れているときは、そのイベントの時刻で記録します。
        出力先 (-o FILE、backup DIR) は台帳ディレクトリの外にしてください。秘密鍵ファイル (--key) は ssh と
        同じく所有者だけが読めるようにしてください (chmod 600)。

        終了コード: 0 成功、1 エラー、2 使い方の誤り、3 完全性の破綻 (改ざん・欠落)、70 hyoka の不具合。
arg--ledger = 台帳のディレクトリ (既定: 設定ファイルの `ledger`、なければ hyoka-ledger)
arg--wait = ほかの hyoka が台帳を使っているとき、空くまで最大 SECS 秒待つ (1 秒を過ぎたら待っていると表示)。0 なら待たずに失敗する。使用中のエラーには、システムが示す範囲で使っているプロセスを表示する。既定: 設定ファイルの `wait`、なければ 10
arg--tz = 時刻をこのタイムゾーンで表示し、オフセットのない時刻 (--at、at:TIME) もこのタイムゾーンで読む: Asia/Tokyo (または JST)、UTC、+09:00 のようなオフセット、ほかの IANA のタイムゾーン名。設定ファイルの time_zone で指定しない限り日本時間。エクスポートと `log --format jsonl` は UTC のまま
arg--log_key = 台帳のログ鍵 (秘密鍵)。書き込むコマンドに渡すと、変更のたびに署名付きチェックポイントでアンカーする (既定: 台帳にログ鍵があれば、台帳ディレクトリの隣の DIR.log-key)
arg--no_pager = ページャを使わない: 表示をそのまま端末に出す (既定では、端末のとき `table`、`summary`、`changes`、`history`、`blame`、`diff`、`log` は $PAGER (既定 `less -FRX`) を通す。パイプのときは通さない。PAGER=cat や空の PAGER でも通さない)
arg--ambiguous_width = 端末が幅の曖昧な文字 (○ … ■ →) を何桁で描くか: 1 桁、または多くの日本語の端末やフォントのように 2 桁。表示の列はそれに合わせてそろえる
arg--lang = メッセージ・ヘルプ・報告の言語: ja (日本語) または en (既定: $HYOKA_LANG、なければロケール: LC_ALL、LC_MESSAGES、LANG のうち最初に設定されているもの)。機械向けの形式は言語によって変わらない

## hyoka-init
hyoka-init = 計画の台帳を作る
    .after =
        例:
          hyoka init --plan 第2次行財政改革 --grades S,A,B --era heisei --origin city.kodaira.example/reform-plan-2 -a 山田 -m '計画の登録'
          hyoka init --plan 第2次行財政改革 --origin city.kodaira.example/reform-plan-2 --log-key hyoka-ledger.log-key
          hyoka init --plan 第3次行財政改革行動計画 --grades S,A,B,C --cadence year-end --years 令和元年度-令和4年度 --era reiwa
          hyoka key generate --name admin --output admin.key > admin.vkey
          hyoka init --plan 第2次行財政改革 --origin city.kodaira.example/reform-plan-2 --admin 山田太郎 --vkey admin.vkey --key admin.key

        --log-key FILE を付けると、FILE の鍵 (FILE がなければ新しい鍵をモード 0600 で書き出す) が台帳のログ鍵に
        なり、それを持つコマンドによる変更はすべて署名付きチェックポイントでアンカーされます。
        --admin を付けると職員の登録された台帳になります。最初の管理者が登録され (ID は P と鍵の ID。氏名は
        DIR/PEOPLE に保存し、イベントには入れません)、以後の変更はすべて記録者の鍵で署名されます。このときログ鍵は
        必ず作られます: FILE、なければ台帳ディレクトリの隣の DIR.log-key。
arg--plan = 計画の名称
arg--grades = 評価の段階 (よいものから順に。S,A,B、S,A,B,C、完了,一部実施,その他 など)、または進捗率 (パーセント) なら 0-100 (80 や 80% と評価する。集計では平均と 100、75-99、50-74、25-49、0-24 の区分を表示する)
arg--era = 元号を書いていない年度 (`26年度上半期`) の元号: heisei (平成) または reiwa (令和)
arg--origin = 台帳の変わらない識別子 (チェックポイントの origin と鍵の名前)。空白と `+` は使えない。省略すると計画の名称から作る
arg--cadence = 計画の評価時点: half-year (上半期と年度末。既定)、year-end (年度末のみ)、quarterly (四半期)、whole-plan (計画期間で一つの評価。--years が必要)
arg--years = 計画の年度。例: 2019-2022、令和元年度-令和4年度 (既定: 1989 年度から 2199 年度まで)
arg--admin = 職員の登録された台帳にする: 最初の管理者の氏名。以後の変更はすべて登録された職員の鍵で署名する (`hyoka person --help` を参照)。--vkey と --key が必要
hyoka-init--department = 管理者の所属 (既定: 管理者)
hyoka-init--vkey = 管理者の検証鍵 (鍵の文字列、またはそれを書いたファイル)。`hyoka key generate` が表示したもの
hyoka-init--key = 管理者の秘密鍵ファイル (モード 0600)。台帳の最初の職員イベントに署名する
hyoka-init--author = 台帳を作る人 (--admin を付けたときは管理者)
hyoka-init--reason = 理由

## hyoka-item
hyoka-item = 計画の項目を登録・訂正・削除・復活する。時点ごとに対象外とする。ほかの項目に集約する
    .after =
        例:
          hyoka item add 63 '窓口サービスの改善' --department 市民課 --category 地域協働の推進 -a 山田 -m '計画改定'
          hyoka item withdraw 63 -a 山田 -m '計画から削除'
          hyoka item exclude R1-1 令和元年度末 -a 山田 -m '年度途中の追加のため評価対象外'

## hyoka-item-add
hyoka-item-add = 新しい項目を登録する
    .after =
        例:
          hyoka item add 63 '窓口サービスの改善' --department 市民課 --category 地域協働の推進 -a 山田 -m '計画改定'
          hyoka item add R1-1 '高槻市との連携' --department 学研企画課 --category '1. 協働の市政の推進' --from 令和元年度末 --after 9 -a 山田 -m '令和元年度の追加項目'

        項目番号は市の書き方のまま: 12、R1-1、1-1-1 (全角数字は半角として読む)。--from がなければ項目は
        すべての時点で計画に含まれ、あればその時点から含まれます。項目は番号の自然な順 (2 は 10 の前) に
        並び、--after を付けるとその項目のすぐ後に並びます。
hyoka-item-add--id = 項目番号 (計画の中で重ならないもの)
arg--title = 項目名
hyoka-item-add--department = 所管課
arg--category = 見出し (分類。なければ作る)
arg--relisting_of = この項目は項目 ID を別の見出しの下に再掲したもの
arg--from = 項目が計画に含まれる最初の時点
arg--after = 項目 ID のすぐ後に並べる
arg--author = 変更する人 (氏名または職員番号)。職員の登録された台帳では --key の鍵の持ち主で、指定しなくてよい
arg--reason = 変更の理由
arg--key = 自分の秘密鍵ファイル (モード 0600)。職員の登録された台帳では、変更はすべて記録者の鍵で署名する。既定: $HYOKA_KEY、なければ設定ファイルの `key`
arg--new_point = 評価済みの時点から 2 時点以上離れた時点を受け付ける (打ち間違いと見て拒否するところ: H27上半期 のつもりの R7年度上半期 など)

## hyoka-item-amend
hyoka-item-amend = 項目の名称・所管課・見出し・再掲・最初の時点・並び位置を訂正する
    .after =
        例:
          hyoka item amend 63 --department 市民課窓口係 -a 山田 -m '組織改正'
          hyoka item amend R1-1 --from 令和2年度末 --after 9 -a 山田 -m '開始時期の訂正'
arg--id = 項目番号
hyoka-item-amend--title = 新しい項目名
hyoka-item-amend--department = 新しい所管課
hyoka-item-amend--category = 新しい見出し (なければ作る)
hyoka-item-amend--relisting_of = 項目 ID の再掲にする
arg--not_relisting = 再掲でなくする
hyoka-item-amend--from = この時点から計画に含める
arg--every_point = すべての時点で計画に含める
hyoka-item-amend--after = 項目 ID のすぐ後に並べる
arg--natural_place = 番号どおりの位置に並べる

## hyoka-item-withdraw
hyoka-item-withdraw = 項目を計画から削除する (履歴は残る)
    .after =
        例:
          hyoka item withdraw 63 -a 山田 -m '計画から削除'

## hyoka-item-reinstate
hyoka-item-reinstate = 削除した項目を復活する
    .after =
        例:
          hyoka item reinstate 63 -a 山田 -m '削除の取消'

## hyoka-item-exclude
hyoka-item-exclude = 項目をある時点で対象外 (評価しない) とする。理由 (-m) にそのわけを書く
    .after =
        例:
          hyoka item exclude R1-1 令和元年度末 -a 山田 -m '年度途中の追加のため評価対象外'

        評価済みのセルは対象外にできません: 先に評価を取り消してください (hyoka unrate)。元に戻すには hyoka item include。
hyoka-item-exclude--point = 時点

## hyoka-item-include
hyoka-item-include = 誤って記録した対象外を取り消す: 項目はその時点でまた評価の対象になる
    .after =
        例:
          hyoka item include R1-1 令和元年度末 -a 山田 -m '対象外の取消'
hyoka-item-include--point = 時点

## hyoka-item-merge
hyoka-item-merge = 項目をある時点からほかの項目に集約する: 以後は単独では評価しない
    .after =
        例:
          hyoka item merge 25 --into 24 --from 平成27年度末 -a 山田 -m '項目24に集約'

        項目の履歴は残ります。その時点以降の評価は先に取り消してください。元に戻すには hyoka item unmerge。
hyoka-item-merge--id = 集約される項目
arg--into = 集約先の項目
hyoka-item-merge--from = 集約先の一部となる最初の時点

## hyoka-item-unmerge
hyoka-item-unmerge = 誤って記録した集約を取り消す: 項目はまた単独の項目になる
    .after =
        例:
          hyoka item unmerge 25 -a 山田 -m '集約の取消'

## hyoka-heading
hyoka-heading = 見出しの名前を変える (その下の項目すべてについて一つのイベント)
    .after =
        例:
          hyoka heading rename 地域協働の推進 市民協働の推進 -a 山田 -m '計画改定で改称'

## hyoka-heading-rename
hyoka-heading-rename = 見出しの名前を変える: その下に並ぶ項目すべてについて一つのイベント
    .after =
        例:
          hyoka heading rename 地域協働の推進 市民協働の推進 -a 山田 -m '計画改定で改称'
arg--old = 見出しの今の名前
arg--new = 新しい名前

## hyoka-rate
hyoka-rate = 項目のある時点の評価を記録する
    .after =
        例:
          hyoka rate 12 H27上半期 A -a 山田 -m '第3四半期の進捗を反映'
          hyoka rate R1-1 令和2年3月31日現在 A -a 山田 -m '年度末評価'

        時点の書き方: FY2015-H1、FY2015-YE、H27上半期、平成27年度末、平成28年3月末現在 (= 平成27年度末)、
        平成27年9月末 (= 平成27年度上半期)、令和2年3月31日現在、2019年度末。四半期の計画では FY2006-Q3、
        平成18年12月末も。年度末だけの計画では 令和元年度。評価済みの最も新しい時点より 2 時点以上先の時点は、
        打ち間違いと見て拒否します (--new-point を付ければ受け付けます)。
hyoka-rate--item = 項目番号 (12、R1-1、1-1-1)
hyoka-rate--period = 時点 (FY2014-H1、H26上半期、平成26年度末、平成28年3月末現在 など)
arg--grade = 評価 (計画の段階のうち一つ)

## hyoka-unrate
hyoka-unrate = 誤って記録した評価を取り消す
    .after =
        例:
          hyoka unrate 12 H27上半期 -a 山田 -m '誤って入力したため取消'
arg--item = 項目番号
hyoka-unrate--period = 時点

## hyoka-flag
hyoka-flag = 項目のある時点のフォローアップ (要フォロー) の印を付ける・外す
    .after =
        例:
          hyoka flag 12 on -a 山田 -m '次期も継続して確認'

        時点を省くと、評価のある最も新しい時点になります (その時点を表示します)。
arg--state = on または off (表示と同じく ○ または — でもよい)
arg--period = 時点 (既定: 評価のある最も新しい時点)

## hyoka-remark
hyoka-remark = 項目のある時点の理由等を書く (空の TEXT で消す)
    .after =
        例:
          hyoka remark 12 '地域との協議を継続する。' -a 山田 -m '所管課の報告'

        時点を省くと、評価のある最も新しい時点になります (その時点を表示します)。
arg--text = 理由等の文

## hyoka-round
hyoka-round = 評価ラウンドを開始・締切・公表する。ラウンドの進み具合。公表後の訂正のお知らせ
    .after =
        例:
          hyoka round open 令和2年度末 --due 2021-04-30 --key admin.key -m '令和2年度末の評価を開始'
          hyoka round status 令和2年度末
          hyoka round publish 令和2年度末 --key admin.key --output 令和2年度末.tsv -m '評価結果の公表'

## hyoka-round-open
hyoka-round-open = ある時点の評価ラウンドを開始する: その時点の項目を評価・提出・審査できるようになる
    .after =
        例:
          hyoka round open 令和2年度末 --due 2021-04-30 --key admin.key -m '令和2年度末の評価を開始'

        ラウンドを開始できるのは管理者だけです。期限は日本時間の日付 (2021-04-30、2021/4/30、令和3年4月30日)
        で、それまでに終わらない課は `hyoka round status` で期限超過と表示されます。
hyoka-round-open--point = 時点 (令和2年度末、FY2020-YE など)。`hyoka rate` と同じく計画の評価時点に従って読む
arg--due = 各課の評価と審査の期限
hyoka-round-open--author = 変更する人。職員の登録された台帳では --key の鍵の持ち主で、指定しなくてよい
hyoka-round-open--reason = 変更の理由 (既定: コマンドごとの決まった文。例: 評価ラウンドの開始)
hyoka-round-open--new_point = 評価済みの時点から 2 時点以上離れた時点を受け付ける (打ち間違いと見て拒否するところ)

## hyoka-round-close
hyoka-round-close = 評価ラウンドを締め切る: 以後は評価できない。審査と公表は続けられる
    .after =
        例:
          hyoka round close 令和2年度末 --key admin.key -m '受付の締切'
arg--point = ラウンドの時点
hyoka-round-close--author = 変更する人。職員の登録された台帳では --key の鍵の持ち主で、指定しなくてよい
hyoka-round-close--reason = 変更の理由 (既定: コマンドごとの決まった文。例: 評価ラウンドの開始)
hyoka-round-close--new_point = 評価済みの時点から 2 時点以上離れた時点を受け付ける (打ち間違いと見て拒否するところ)

## hyoka-round-publish
hyoka-round-publish = 評価ラウンドを公表する: 表の SHA-256 を記録し、ログ鍵でチェックポイントに署名する
    .after =
        例:
          hyoka round publish 令和2年度末 --key admin.key --output 令和2年度末.tsv -m '評価結果の公表'

        その時点のすべての項目が対象外であるか、評価済みで 2次評価 まで承認されていなければ拒否します。
        開始中のラウンドは同じバッチで締め切ります。ダイジェストは正規形の表 (schema/FORMAT.md の
        "The published table") の SHA-256 で、--output はその表を書き出します。公表するコマンドは台帳のログ鍵
        (--log-key FILE、または台帳ディレクトリ DIR の隣の DIR.log-key) を持っている必要があり、表示される
        チェックポイントにはその鍵で署名します。公表後のその時点の変更は訂正で、行革本部だけが記録できます。
hyoka-round-publish--output = 公表した表を正規形で FILE に書き出す (置き換えは一度に行う。台帳ディレクトリの外)
hyoka-round-publish--author = 変更する人。職員の登録された台帳では --key の鍵の持ち主で、指定しなくてよい
hyoka-round-publish--reason = 変更の理由 (既定: コマンドごとの決まった文。例: 評価ラウンドの開始)
hyoka-round-publish--new_point = 評価済みの時点から 2 時点以上離れた時点を受け付ける (打ち間違いと見て拒否するところ)

## hyoka-round-status
hyoka-round-status = 評価ラウンドの課ごとの進み具合: 項目数、評価済み、対象外、提出、承認、差し戻し、期限超過
    .after =
        例:
          hyoka round status 令和2年度末
          hyoka round status 令和2年度末 --format json | jq '.departments[] | select(.overdue)'

        期限 (日本時間) を過ぎても、対象外でも 2次評価 まで承認済みでもない項目が残っている課は、期限超過です。
arg--format = 出力形式 (JSON は schema/round-status.schema.json)

## hyoka-round-notice
hyoka-round-notice = 公表した評価ラウンドへのすべての訂正のお知らせ (訂正のお知らせ。編集して公表する)
    .after =
        例:
          hyoka round notice 令和2年度末 > 訂正のお知らせ.md
          hyoka round notice 令和2年度末 --format json

        ラウンドの round.published イベントより後に記録された、その時点のセル (評価、フォローアップ、理由等、
        対象外) へのすべての変更を、ログから集めます。
hyoka-round-notice--format = 出力形式 (JSON は schema/round-notice.schema.json)

## hyoka-submit
hyoka-submit = 課の項目を審査に提出する (1次評価、次に 2次評価)
    .after =
        例:
          hyoka submit --key staff.key -m '総務課の評価を提出'
          hyoka submit --department 総務課 --point 令和2年度末 --key head.key

        その時点の課のすべての項目が評価済みか対象外で、差し戻された項目は評価し直してある必要があります。
hyoka-submit--department = 課 (既定: 自分の課。--key の鍵の持ち主の所属)
hyoka-submit--point = ラウンドの時点 (既定: ただ一つ開始中のラウンド)
hyoka-submit--author = 変更する人。職員の登録された台帳では --key の鍵の持ち主で、指定しなくてよい
hyoka-submit--reason = 変更の理由 (既定: コマンドごとの決まった文。例: 評価ラウンドの開始)
hyoka-submit--new_point = 評価済みの時点から 2 時点以上離れた時点を受け付ける (打ち間違いと見て拒否するところ)

## hyoka-review
hyoka-review = 提出された項目を承認する、または差し戻す (1次評価 は課長、2次評価 は行革本部)
    .after =
        例:
          hyoka review approve --department 総務課 --key head.key -m '内容を確認'
          hyoka review return 12 --key head.key -m '実績の記載が不足しているため差し戻し'

## hyoka-review-approve
hyoka-review-approve = 項目を承認する。または課の、この段階の審査を待つすべての項目を承認する
    .after =
        例:
          hyoka review approve --department 総務課 --key head.key -m '内容を確認'
          hyoka review approve 12 --stage 2 --key hq.key -m '2次評価で承認'

        段階は役割から決まります: 課長 (head) は 1次評価、行革本部 は 2次評価 を審査します。
hyoka-review-approve--item = 項目
arg--department = この課の、この段階の審査を待つすべての項目 (一項目ずつイベントにし、一つのバッチで記録する)
arg--stage = 1 (1次評価。課長が行う) または 2 (2次評価。行革本部が行う)。既定: 自分の役割から
hyoka-review-approve--point = ラウンドの時点 (既定: まだ公表していないただ一つのラウンド)

## hyoka-review-return
hyoka-review-return = 項目を、または課の、この段階の審査を待つすべての項目を、修正のため差し戻す
    .after =
        例:
          hyoka review return 12 --key head.key -m '実績の記載が不足しているため差し戻し'

        理由 (-m) は所管課が読むものです: 何を直すかを書いてください。差し戻された項目は評価し直し、もう一度提出します。
hyoka-review-return--item = 項目
hyoka-review-return--point = ラウンドの時点 (既定: まだ公表していないただ一つのラウンド)

## hyoka-opinion
hyoka-opinion = 外部委員会の意見を、ラウンドまたはその項目について記録する
    .after =
        例:
          hyoka opinion '目標の設定が妥当か再検討されたい' --item 12 --key committee.key -m '第3回委員会'
hyoka-opinion--text = 意見
hyoka-opinion--item = 意見の対象の項目 (既定: ラウンド全体)
hyoka-opinion--point = ラウンドの時点 (既定: まだ公表していないただ一つのラウンド)
hyoka-opinion--author = 変更する人。職員の登録された台帳では --key の鍵の持ち主で、指定しなくてよい
hyoka-opinion--reason = 変更の理由 (既定: コマンドごとの決まった文。例: 評価ラウンドの開始)
hyoka-opinion--new_point = 評価済みの時点から 2 時点以上離れた時点を受け付ける (打ち間違いと見て拒否するところ)

## hyoka-log
hyoka-log = すべてのイベントを表示する: seq、時刻、記録者、変更内容、理由、ハッシュ
    .after =
        例:
          hyoka log
          hyoka log --full   (端末の幅にかかわらず、すべての行を切らずに)
          hyoka log --format jsonl | jq .change

        端末では (または COLUMNS があれば) 各行をその幅に収めます: 変更内容と理由を … で切り、seq、時刻、記録者、ハッシュは切りません。
hyoka-log--full = テキスト: 端末の幅にかかわらず、すべての行を切らずに表示する
hyoka-log--format = 出力形式 (jsonl は 1 行に 1 イベント。schema/event.schema.json)

## hyoka-verify
hyoka-verify = ハッシュの連鎖全体を計算し直し、ヘッド記録と照合して検証する
    .after =
        例:
          hyoka verify
          hyoka verify --checkpoint checkpoint.txt --vkey plan.vkey
          hyoka verify --export ledger.jsonl --checkpoint checkpoint.txt --vkey plan.vkey   (台帳なしで)
          hyoka verify --publication site

        verify は、台帳ディレクトリ自身がどこまでのイベントを保証しているかを表示します: ストアが保持するか
        アンカー (hyoka anchor on、またはログ鍵) に含まれる #0..#N。N より後のイベントはジャーナルだけが
        保持しており、別に表示します (JSON: vouched_through、journal_only)。台帳ディレクトリ内の hyoka の
        ファイルは書き換えません (sled は開くときに store/ の下の自分のファイルを書き換えます)。読み取り専用の
        媒体では、台帳のファイルの一時的な複製を検証します (標準エラーに表示し、終わったら消します)。
        台帳が最後に署名したチェックポイント (CHECKPOINT) は --vkey で、なければ台帳のログ鍵で確かめます。
        署名が確かめられないものは、そう表示して使いません。

        終了コード: 0 履歴は完全。3 完全性の破綻 (最初の不正な seq と内容を表示: ハッシュ不一致、連鎖の断絶、
        seq の欠落、読めないバイト、ヘッド記録より少ないストア、読めない・ファイルの欠けたストア、失われた
        ジャーナル、アンカー済みイベントの欠落。--checkpoint では、チェックポイントの大きさでの根の違い、
        チェックポイントより短い台帳、別の origin、不正な署名・鍵の署名がないことも)。1 そのほかのエラー
        (台帳が使用中、チェックポイントのファイルの形式が不正、台帳ディレクトリ内のシンボリックリンクなど)。
hyoka-verify--format = 出力形式 (JSON は schema/verify.schema.json)
arg--checkpoint = 台帳がこのチェックポイント (署名の有無を問わない) の追記だけによる延長であることも証明する
hyoka-verify--vkey = チェックポイントの署名をこの検証鍵 (鍵の文字列、またはそれを書いたファイル) で確かめる。--checkpoint がなければ、台帳が最後に署名したチェックポイントの署名を確かめる (既定: 台帳のログ鍵)
arg--export = 台帳の代わりにこのエクスポート (`hyoka export` の出力) を検証する。台帳は開かない
arg--mirror = 台帳の代わりにこの静的ミラー (`hyoka mirror` の出力: C2SP tlog-tiles と保存イベント) を検証する。ディレクトリか http:// または https:// の URL。台帳は開かない (JSON は schema/verify-mirror.schema.json)
arg--publication = この公表パッケージ (`hyoka publish` の出力) を検証する: マニフェストとチェックポイントの署名、各ファイルの SHA-256、表の SHA-256。台帳ディレクトリがあれば、チェックポイントと公表を台帳とも照合する (JSON は schema/verify-publication.schema.json)

## hyoka-publish
hyoka-publish = 公表したラウンドの公表パッケージを DIR に書き出す: 公表したとおりの表 (index.html、table.csv、table.xlsx、table.json)、署名付きチェックポイント、訂正のお知らせ、ログ鍵で署名したマニフェスト、ログのタイル
    .after =
        例:
          hyoka publish 令和2年度末 --out site
          hyoka publish FY2020-YE --out site --encoding cp932 --force
          hyoka verify --publication site

        DIR に書くもの: index.html (公表したとおりの表。見出しごとの小計、グラフ、表の SHA-256 とチェックポイント付き。
        アクセシブルで A4 横に印刷でき、外部から何も読み込まない)、corrections.html (公表後の訂正ごとに 項目、訂正前、
        訂正後、理由)、style.css、table.csv (BOM 付き UTF-8。--no-bom、または --encoding cp932。CP932 で書けない文字は
        項目と列を示して拒否)、table.xlsx と table.json (schema/publication-table.schema.json)、checkpoint (ログ鍵の署名
        付き)、manifest (ログ鍵で署名したノート: 各ファイルの SHA-256、`round publish` が記録した表の SHA-256、
        チェックポイント)、tiles/ (静的ミラー。`hyoka mirror` と同じ。--tiles PATH で別の場所に)。チェックポイントは、
        最後に署名したものが台帳全体を含んでいればそれを、そうでなければログ鍵 (--log-key FILE、または台帳の隣の
        DIR.log-key) で新しく署名したものを使います。同じ台帳からは同じバイト列になり、もう一度実行しても何も変わり
        ません。DIR に別の内容のファイルがあれば、--force がない限り何も書かずに止まります。リンクはたどりません。
hyoka-publish--point = 公表したラウンドの時点。例: 令和2年度末、FY2020-YE
hyoka-publish--out = パッケージを書き出すディレクトリ (なければ作る。台帳ディレクトリの外で、リンクでないこと)
hyoka-publish--tiles = タイル (静的ミラー) を DIR/tiles でなくここに書く
hyoka-publish--encoding = table.csv の文字コード
hyoka-publish--no_bom = table.csv を BOM なしの UTF-8 で書く
hyoka-publish--force = DIR にある別の内容のファイル (別のパッケージのもの) を置き換える

## hyoka-mirror
hyoka-mirror = 最後に署名したチェックポイントの静的な検証可能ミラー (C2SP tlog-tiles: チェックポイント、ハッシュタイル、エントリ束、その横に保存イベント) を DIR に書き、新しい分を加える
    .after =
        例:
          hyoka checkpoint --key plan.key
          hyoka mirror site/tiles
          hyoka verify --mirror site/tiles --vkey plan.vkey

        DIR はそのまま任意のウェブサーバーで公開できます。読む人はそれだけから、チェックポイントが約束する
        木、連鎖、規則、表を計算し直せます (`hyoka verify --mirror`)。満杯のタイルは一度だけ書かれ、以後
        変わりません。新しいチェックポイントのたびにもう一度実行すると、新しい分が加わります。DIR にこの
        台帳のミラーと違うファイルがあれば、それ以上は何も変えずに止まります (終了コード 1)。
hyoka-mirror--dir = ミラーのディレクトリ (なければ作る。台帳ディレクトリの外)

## hyoka-prove
hyoka-prove = イベント seq:N がチェックポイントに含まれることのオフライン証明 (C2SP tlog-proof) を書き出す。--consistency では、あるチェックポイントの台帳が古いチェックポイントの延長であることの証明
    .after =
        例:
          hyoka prove seq:12 --key plan.key --output event-12.tlog-proof
          hyoka prove seq:12 --checkpoint checkpoint.txt > event-12.tlog-proof
          hyoka prove --consistency old-checkpoint.txt --checkpoint checkpoint.txt > consistency.txt

        チェックポイントの既定は、台帳全体の新しいチェックポイント (先に検証する) で、--key があれば
        `hyoka checkpoint --key` と同じ規則で署名し、なければ署名しません。指定したチェックポイントがこの台帳の
        ものでない (別の origin、その大きさでの根が違う、台帳より大きい) ときは拒否します (終了コード 3)。
        チェックポイントより新しいイベントは誤りとして拒否します (終了コード 1)。イベントは `hyoka diff` と
        同じく seq:N で指定します (数字だけの N も、注を表示して seq:N と読みます)。証明にはイベント自体が
        含まれます。どこででも `hyoka verify-proof` で確かめられます。
hyoka-prove--seq = イベント: seq:N (ログでの番号。`hyoka log` が #N と表示するもの)
arg--consistency = 代わりに、(新しい) チェックポイントの台帳がこの古いチェックポイントの延長であることを証明する
hyoka-prove--checkpoint = 証明に使うチェックポイント (既定: 台帳全体の新しいチェックポイント)
hyoka-prove--key = 新しいチェックポイントにこの秘密鍵で署名する (`hyoka checkpoint --key` と同じ)
hyoka-prove--output = 証明を標準出力でなく FILE に書き出す (置き換えは一度に行う。台帳ディレクトリの外)

## hyoka-verify-proof
hyoka-verify-proof = `hyoka prove` の包含証明を台帳なしで検証し、イベントを表示する
    .after =
        例:
          hyoka verify-proof event-12.tlog-proof --vkey plan.vkey
          hyoka verify-proof event-12.tlog-proof --format json

        台帳は開きません。確かめるのは、VKEY によるチェックポイントの署名 (--vkey がなければ真正性は確かめ
        ません)、証明の追加データにあるイベント (ハッシュを計算し直し、seq が証明の位置と合うこと)、
        チェックポイントの根に対する包含証明です。どれかが通らなければ終了コード 3。
arg--file = 証明のファイル (c2sp.org/tlog-proof@v1)
arg--vkey = ログの検証鍵 (鍵の文字列、またはそれを書いたファイル)
hyoka-verify-proof--format = 出力形式 (JSON は schema/verify-proof.schema.json)

## hyoka-verify-consistency
hyoka-verify-consistency = `hyoka prove --consistency` の一貫性証明を台帳なしで検証する
    .after =
        例:
          hyoka verify-consistency consistency.txt --old old-checkpoint.txt --vkey plan.vkey

        台帳は開きません。C2SP の witness と同じく、VKEY による署名、同じ origin、古い大きさ、古い根から新しい
        チェックポイントの根への RFC 6962 の一貫性証明を確かめます。古いチェックポイントまでのログの履歴が
        書き換えられていれば終了コード 3。
hyoka-verify-consistency--file = 証明のファイル (古い N、証明の行、空行、チェックポイント)
hyoka-verify-consistency--old = 新しいチェックポイントがその延長でなければならない古いチェックポイント
hyoka-verify-consistency--format = 出力形式 (JSON は schema/verify-consistency.schema.json)

## hyoka-export
hyoka-export = すべてのイベントを JSON Lines (schema/export.schema.json) で書き出す: 持ち運べる台帳の写し
    .after =
        例:
          hyoka export --output ledger.jsonl
          hyoka verify --export ledger.jsonl --checkpoint checkpoint.txt --vkey plan.vkey
          hyoka restore ledger.jsonl --ledger /srv/hyoka/plan-2

        各行はイベントの保存バイト列 (base64) とその読み取った項目です。台帳は書き出しながら検証します。
        --output を付けると、ファイルを一度に置き換えます。
arg--output = 標準出力でなく FILE に書き出す (置き換えは一度に行う。台帳ディレクトリの外)

## hyoka-restore
hyoka-restore = エクスポートから --ledger DIR (まだないこと) に台帳を作り直す
    .after =
        例:
          hyoka restore ledger.jsonl --ledger /srv/hyoka/plan-2

        各行を読みながら確かめ (バイト列、連鎖、規則)、保存バイト列をそのまま追記します: 復元した台帳の
        ハッシュと根は元と同じです。DIR の隣の DIR.restore-incomplete-* に作り、完成してから DIR に名前を
        変えます。その名前の残りは中断した復元で、消してかまいません。
hyoka-restore--file = エクスポートのファイル (`hyoka export` または `hyoka backup` が書いたもの)
hyoka-restore--checkpoint = エクスポートがその延長でなければならないチェックポイント (バックアップの checkpoint.txt、公表したものなど)。署名付きなら、復元した台帳が最後に署名したチェックポイントになる
hyoka-restore--vkey = チェックポイントに署名しているはずの検証鍵 (鍵の文字列、またはそれを書いたファイル)

## hyoka-backup
hyoka-backup = 検証済みのバックアップを DIR に書く: エクスポート (ledger.jsonl) とそのチェックポイント (checkpoint.txt)
    .after =
        例:
          hyoka backup /mnt/backup/plan-2 --key plan.key
          hyoka restore /mnt/backup/plan-2/ledger.jsonl --checkpoint /mnt/backup/plan-2/checkpoint.txt --ledger NEWDIR

        台帳を先に検証します: 傷んだ台帳がバックアップを上書きすることはありません。エクスポートとチェック
        ポイントはそれぞれ一度に書き、書いたエクスポートを読み戻してチェックポイントと照合します。--key を
        付けるとチェックポイントに署名します (台帳が最後に署名したものとしても記録します)。DIR にすでに
        あるバックアップは、この台帳がその延長であるとき (同じ origin、イベント数が同じか多い、その大きさ
        までの履歴が同じ: その checkpoint.txt と、--key があればその署名で確かめる) だけ置き換えます。
        そうでないか確かめられないときは、そのままにします (終了コード 3)。
        評価ラウンドのたびに実行し、バックアップは別のディスクに保管してください。
arg--dir = バックアップのディレクトリ。台帳ディレクトリの外 (なければ作る。すでにあるバックアップは、その延長であるものでだけ置き換える)
hyoka-backup--key = チェックポイントにこの秘密鍵 (`hyoka key generate` で作ったもの。モード 0600) で署名する

## hyoka-checkpoint
hyoka-checkpoint = 台帳のチェックポイント (C2SP tlog-checkpoint: origin、大きさ、根) を表示する。--key で署名する
    .after =
        例:
          hyoka checkpoint --key plan.key --output checkpoint.txt
          hyoka checkpoint

        台帳全体を先に検証します。--key を付けると、チェックポイントは C2SP の署名付きノートになり、台帳
        ディレクトリ (CHECKPOINT) に記録します。最後に署名したものと矛盾するチェックポイントは拒否します
        (終了コード 3)。--key がなければ署名なしで、完全性は示しますが、誰が保証するかは示しません。
hyoka-checkpoint--key = 秘密鍵のファイル (`hyoka key generate` で作ったもの。モード 0600)。鍵の名前は台帳の origin であること
hyoka-checkpoint--output = チェックポイントを標準出力でなく FILE に書き出す (台帳ディレクトリの外)

## hyoka-key
hyoka-key = チェックポイントに署名する鍵を管理する
    .after =
        例:
          hyoka key generate --output plan.key > plan.vkey
          hyoka key use hyoka-ledger.log-key

## hyoka-key-generate
hyoka-key-generate = Ed25519 の署名鍵を作る: 秘密鍵を FILE に書き、検証鍵を表示する
    .after =
        例:
          hyoka key generate --output plan.key > plan.vkey

        鍵は Go の golang.org/x/mod/sumdb/note の文字列形式です。秘密鍵ファイルはモード 0600 で作り、
        上書きしません。秘密にしてください。標準出力に表示される検証鍵を公表してください。
arg--name = 鍵の名前 (既定: 台帳の origin。チェックポイントにはそれが必要)
hyoka-key-generate--output = 秘密鍵を書き出すファイル (まだないこと。台帳ディレクトリの外)

## hyoka-key-use
hyoka-key-use = FILE の鍵を台帳のログ鍵にする: 台帳のチェックポイントに署名し、それを持つコマンドは変更のたびにチェックポイントでアンカーする
    .after =
        例:
          hyoka key generate --output hyoka-ledger.log-key
          hyoka key use hyoka-ledger.log-key

        検証鍵は台帳ディレクトリ (LOGKEY) に保存しますが、秘密鍵は決して保存しません。書き込むコマンドは、
        --log-key FILE (または $HYOKA_LOG_KEY) があるとき、または台帳ディレクトリ DIR の隣の DIR.log-key に
        あるときに、それを使います。台帳のログ鍵は一つだけで、別の鍵は拒否します。
hyoka-key-use--file = 秘密鍵のファイル (`hyoka key generate` で作り、台帳の origin を名前とするもの。モード 0600)

## hyoka-anchor
hyoka-anchor = 変更のたびにアンカーする (on)、やめる (off)、または台帳のアンカーの状態を表示する
    .after =
        例:
          hyoka anchor on
          hyoka anchor

        小さな変更は台帳のジャーナルに書いた時点で永続化されます。アンカーはジャーナルの外に残す記録で、
        台帳のイベント数とそのマークル根 (ANCHOR ファイル) です。変更のたびにアンカーしておけば、イベントを
        失ったジャーナル (削除、空にされた、切り詰められた) は `hyoka verify` が検出します (終了コード 3)。
        変更ごとに永続化の書き込みが一つ増えます。ログ鍵を持つコマンド (`hyoka key use FILE`) はいずれにしても
        署名付きで変更のたびにアンカーします。`anchor on` はすべてのコマンドにそうさせます。
hyoka-anchor--state = on または off (省くと今の設定を表示する)

## hyoka-import
hyoka-import = 市の表を取り込む: TSV、CSV (UTF-8 または Shift_JIS)、.xlsx のブック。どんなレイアウトでも
    .after =
        例:
          hyoka import fixtures/kodaira-followup-h26-h27.tsv --author 山田
          hyoka import 2015-h2.tsv --author 山田 --dry-run --format json
          hyoka import 進捗状況.xlsx --layout kizugawa --point 令和元年度末 -a 行革推進室
          hyoka import 評価.xlsx --layout my-city.toml --sheet 集計 -a 山田

        台帳がなければ新しく作ります (--plan/--origin がなければ、計画の名称と origin はファイル名から作り
        ます)。台帳があれば、違うところだけを記録します。前回の取り込みの後に手で変えた値とファイルが食い違う
        ときは、取り込みを止めます (--prefer-file を参照)。空のセルは「変更なし」です。すべてを一つのバッチと
        して記録するか、何も記録しないかのどちらかです。

        レイアウト (小さな TOML ファイル。README の "Your own sheet" と schema/LAYOUT.md を参照) は、どの列に何が
        あるかを見出しの文字で示します。--layout がなければ既知のレイアウトを順に試します: hyoka (hyoka の CSV)、
        kodaira (公表された表と hyoka の TSV)、kizugawa、dated、sheet (`hyoka sheets` の評価シート)
        (fixtures/layouts/)。UTF-8 でない CSV は、CP932
        (Shift_JIS) ならそのように読み、そう表示します。誤ったセルはすべて挙げ (最大 100 件、その先は件数)、
        一つでも残っている間は何も記録しません。
hyoka-import--file = 表のファイル: タブ区切りのテキストか CSV (BOM の有無を問わない UTF-8、UTF-16、または CP932)、または Excel のブック (.xlsx)
arg--layout = ファイルのレイアウト: レイアウトファイル (TOML)、または既知のレイアウトの名前 (hyoka、kodaira、kizugawa、dated、sheet)。既定: 既知のレイアウトを順に試す
arg--sheet = 読むブックのシート (既定: 最初のシート)
hyoka-import--point = 見出しが時点を示していない評価の列の時点 (時点の見出しが 評価 のような普通の文字であるレイアウト)。例: 令和元年度末
hyoka-import--author = 取り込む人 (職員の登録された台帳では --key の鍵の持ち主で、指定しなくてよい)
hyoka-import--key = 自分の秘密鍵ファイル (モード 0600)。職員の登録された台帳では、取り込みをこの鍵で署名する。既定: $HYOKA_KEY、なければ設定ファイルの `key`
hyoka-import--reason = 理由 (既定: ファイル名を挙げた文)
hyoka-import--era = ファイルの年度の元号 (既定: 計画のもの、なければ平成): heisei (平成) または reiwa (令和)
hyoka-import--plan = 新しい台帳の計画の名称 (既定: ファイル名)
hyoka-import--origin = 新しい台帳の origin (既定: 計画の名称から作る)
arg--dry_run = 記録される内容を表示するだけで、何も記録しない
hyoka-import--new_point = 評価済みの最も新しい時点より 2 時点以上先の時点の評価を受け付ける (打ち間違いと見て拒否するところ)
arg--prefer_file = 前回の取り込みの後の変更と食い違うところも、ファイルの値を記録する
hyoka-import--format = 出力形式 (JSON は schema/import.schema.json)

## hyoka-sheets
hyoka-sheets = 時点の各課の評価シート (CSV と .xlsx) を書き出す: 記入して取り込む
    .after =
        例:
          hyoka sheets --out sheets --point H27末
          hyoka sheets --out sheets --department 総務課 --format csv   (ラウンドの開始中)
          hyoka import sheets/FY2015-YE_財政課.csv -a 山田

        その時点に項目のある課ごとに一つのファイルを、時点の ID と課の名前で書き出します
        (FY2015-YE_財政課.csv): 計画の順に並べた項目 (取り下げた項目は除く) の 区分、No.、項目、所管課。
        参考として直前の評価時点の 評価、フォローアップ対象、理由等 を、見出しが （参考） で始まる列に
        (取り込みはこれらの列を読みません)。そして記入する、この時点の空の 評価、フォローアップ対象、
        理由等。`hyoka import` はシートをそのまま読みます (レイアウト sheet): 記入したセルだけを、見出しが
        示す時点に記録し、空のセルは何も変えません。
        ラウンドのある台帳では時点は開始中のラウンドのもの (--point は開始中のラウンドであること)、
        ラウンドのない台帳では --point が必要です。CSV は BOM 付きの UTF-8 (Excel でそのまま開けます)。
        ブックには計画の評価段階のドロップダウンがあり、参考の列は網掛けして保護し、同じ台帳からは同じ
        バイト列になります。DIR にすでにあるファイルは --force がなければ置き換えず、リンクはたどりません。
hyoka-sheets--out = シートを書き出すディレクトリ (なければ作る。台帳ディレクトリの外で、リンクでないこと)
hyoka-sheets--point = 記入する時点。例: 令和2年度末、H27末 (既定: 開始中のラウンドの時点。ラウンドのない台帳では必須)
hyoka-sheets--departments = この課のシートだけ (台帳での課の名前。繰り返して複数)。既定: その時点に項目のあるすべての課
hyoka-sheets--format = 書き出すファイル: csv、xlsx、both (両方)
hyoka-sheets--force = DIR にある同じ名前のシートを置き換える

## hyoka-person
hyoka-person = 職員を登録し、役割を付与・取消し、鍵を更新・失効し、一覧を表示する
    .after =
        例:
          hyoka person add 鈴木一郎 --department 財政課 --role staff --vkey suzuki.vkey --key admin.key -m '担当者の登録'
          hyoka person list

## hyoka-person-add
hyoka-person-add = 職員を登録する: 所属、役割、検証鍵 (管理者が行う)
    .after =
        例:
          hyoka key generate --name suzuki --output suzuki.key > suzuki.vkey   (本人が行い、suzuki.key は本人が保管する)
          hyoka person add 鈴木一郎 --department 財政課 --role staff --vkey suzuki.vkey --key admin.key -m '担当者の登録'

        役割: staff (担当: 開始中のラウンドで自分の課の項目を評価する)、head (課長: 1次評価)、hq (行革本部:
        2次評価、対象外、訂正)、admin (管理者: 職員、計画、ラウンド)、committee (外部委員: 意見)、auditor (監査: すべてを閲覧し、
        何も記録しない)。職員の ID は P と鍵の ID の 16 進 8 桁です。氏名は DIR/PEOPLE に、イベントの隣に保存し、イベントには入れません。
        コマンドにはどちらを指定してもかまいません。
hyoka-person-add--name = 職員の氏名 (DIR/PEOPLE に保存する。イベントには氏名のソルト付きコミットメントだけが入る)
hyoka-person-add--department = 所属 (課)
hyoka-person-add--role = 役割: staff、head、hq、admin、committee、auditor (または 担当、課長、行革本部、管理者、外部委員、監査)。コンマ区切り
hyoka-person-add--vkey = 本人の検証鍵 (鍵の文字列、またはそれを書いたファイル)。`hyoka key generate` で作ったもの

## hyoka-person-role
hyoka-person-role = 役割を付与する・取り消す (管理者が行う)
    .after =
        例:
          hyoka person role grant 鈴木一郎 head --key admin.key -m '課長に昇任'

## hyoka-person-role-grant
hyoka-person-role-grant = 職員に役割を付与する
    .after =
        例:
          hyoka person role grant 鈴木一郎 head --key admin.key -m '課長に昇任'
          hyoka person role grant 監査委員 auditor --key admin.key -m '監査の閲覧'

        監査 (auditor) は hyoka serve の監査のページ (履歴、blame、差分、検証、エクスポート、証明) で
        すべてを閲覧でき、何も記録しません。
arg--person = 職員: ID (P…) または氏名
arg--role = 役割: staff、head、hq、admin、committee、auditor のいずれか

## hyoka-person-role-revoke
hyoka-person-role-revoke = 職員の役割を取り消す
    .after =
        例:
          hyoka person role revoke 鈴木一郎 staff --key admin.key -m '異動'

        鍵を持つ最後の管理者からは admin の役割を取り消せません: 先にほかの職員に付与してください。

## hyoka-person-key
hyoka-person-key = 職員の鍵を更新する・失効させる (管理者、または本人が行う)
    .after =
        例:
          hyoka person key rotate 鈴木一郎 --vkey suzuki-2.vkey --key suzuki.key -m '定期的な鍵の更新'
          hyoka person key revoke 鈴木一郎 --key admin.key -m '退職'

## hyoka-person-key-rotate
hyoka-person-key-rotate = 職員の鍵を新しい鍵に替える (以後、古い鍵では何も署名できない)
    .after =
        例:
          hyoka key generate --name suzuki --output suzuki-2.key > suzuki-2.vkey
          hyoka person key rotate 鈴木一郎 --vkey suzuki-2.vkey --key suzuki.key -m '定期的な鍵の更新'
          hyoka person key rotate 鈴木一郎 --vkey suzuki-2.vkey --key admin.key -m '鍵の紛失'

        本人が今の鍵で行うか、管理者が行います (鍵をなくしたとき)。鍵は使い回せません。職員の ID は変わりません。
hyoka-person-key-rotate--vkey = 新しい検証鍵 (鍵の文字列、またはそれを書いたファイル)

## hyoka-person-key-revoke
hyoka-person-key-revoke = 職員の鍵を失効させる (紛失、複製、退職など): 以後その鍵では何も署名できない
    .after =
        例:
          hyoka person key revoke 鈴木一郎 --key admin.key -m '退職'

        管理者が新しい鍵を設定するまで (hyoka person key rotate)、その職員は何も記録できません。
        鍵を持つ最後の管理者の鍵は失効させられません: 先にほかの職員に admin を付与してください。

## hyoka-person-list
hyoka-person-list = 職員の一覧: ID、氏名 (ここで分かるとき)、所属、役割、鍵の ID、その鍵が有効か
    .after =
        例:
          hyoka person list
          hyoka person list --format json | jq '.people[] | select(.key == "revoked")'
hyoka-person-list--format = 出力形式 (JSON は schema/people.schema.json)

## hyoka-people
hyoka-people = 職員の登録されていない台帳に最初の管理者とログ鍵を与える: 以後の変更はすべて署名される
    .after =
        例:
          hyoka people enable --admin 山田太郎 --vkey admin.vkey --key admin.key -m '署名付き運用へ移行'

## hyoka-people-enable
hyoka-people-enable = 既存の台帳を職員の登録された台帳にする: 最初の管理者とログ鍵 (同じログに追記する。origin、それまでのイベントとチェックポイントはそのまま)
    .after =
        例:
          hyoka key generate --name admin --output admin.key > admin.vkey
          hyoka people enable --admin 山田太郎 --vkey admin.vkey --key admin.key -m '署名付き運用へ移行'

        以後の変更はすべて登録された職員の鍵で署名します。ログ鍵は、台帳にあればそれを使い、なければ
        --log-key FILE の鍵、またはそこに書き出す新しい鍵 (既定は台帳ディレクトリの隣の DIR.log-key) です。
        イベントスキーマ版 1 の台帳は職員を持てません: 新しい台帳に取り込んでください。
hyoka-people-enable--admin = 最初の管理者の氏名 (DIR/PEOPLE に保存し、イベントには入れない)
hyoka-people-enable--department = 管理者の所属
hyoka-people-enable--vkey = 管理者の検証鍵 (鍵の文字列、またはそれを書いたファイル)
hyoka-people-enable--key = 管理者の秘密鍵ファイル (モード 0600)。既定: $HYOKA_KEY、なければ設定ファイルの `key`
hyoka-people-enable--reason = 理由

## hyoka-table
hyoka-table = 表を公表した形で表示する
    .long =
        表を公表した形で表示する。

        見出しごとに項目を 1 行ずつ、時点ごとに 1 列、最も新しい時点のフォローアップと理由等を並べます。TSV と Markdown では合計の行も付けます。
    .after =
        例:
          hyoka table
          hyoka table --full
          hyoka table --format csv --output followup.csv
          hyoka table --format tsv > followup.tsv   (hyoka import でそのまま取り込める)
          hyoka table --format json | jq '.items[] | select(.follow_up) | .id'
hyoka-table--format = 出力形式 (JSON は schema/table.schema.json)
hyoka-table--full = テキスト: 項目名・所管課・理由等を幅で切らず、折り返してすべて表示する
hyoka-table--marks = フォローアップと理由等を表示する時点 (既定: 表示する時点のうち、それらのある最も新しい時点。後の時点が一部だけ評価されていても隠れないように)。TSV と CSV は取り込み直すときに読むので、常に最も新しい時点のものを持つ
arg--no_bom = CSV: UTF-8 の BOM を付けない (Excel には必要。付けないほうがよいツールもある)
arg--as_of = 有効時点: PERIOD までの時点だけを、その評価・フォローアップ・理由等とともに表示する
arg--seq = 記録時点: イベント N の直後の台帳 (#0..#N。N または seq:N) をそのまま表示する。取り込みのバッチの途中なら、取り込み途中の状態になる
arg--at = 記録時点: TIME かそれ以前に記録されたすべてのイベントの後の台帳。RFC 3339、または日本時間 (--tz があればそのタイムゾーン) の日付 (2015-11-05、2015/11/05、平成27年11月5日: その日の終わり) か日時 (2015-11-05 14:00: その分の終わり)

## hyoka-summary
hyoka-summary = 時点と評価ごとの件数、フォローアップの項目数を集計する。--by では見出しごと・所管課ごとに、評価ごとの割合とともに
    .after =
        例:
          hyoka summary
          hyoka summary --format json
          hyoka summary --by heading
          hyoka summary --by department --format csv --as-of 令和元年度末

        --by を付けると、時点ごとに見出し (または所管課) ごとの行と計画全体 (全体) の行を表示します: 評価ごとの件数、評価対象、対象外、合計 (その時点で計画に含まれる項目)、フォロー (その時点でフォローアップの印のある項目)、評価対象に対する評価ごとの割合 (パーセント、小数第2位を四捨五入: 46.45 は 46.5。合計が 100 にならないことがある)。進捗率の段階 (init --grades 0-100) は平均と区分 (100、75-99、50-74、25-49、0-24) で表示します。
hyoka-summary--format = 出力形式 (JSON は schema/summary.schema.json。CSV には --by が必要)
arg--by = 見出しごと、または所管課ごとの小計と割合、計画全体の合計
hyoka-summary--marks = フォローアップの項目を数える時点 (既定: フォローアップのある最も新しい時点)

## hyoka-changes
hyoka-changes = 二つの時点の間の変化: 改善、悪化、変化なし、新たに評価、評価なしの項目
    .after =
        例:
          hyoka changes H26年度末 H27上半期
          hyoka changes 平成26年度末 平成27年度上半期 --format json
          hyoka changes 令和元年度 令和2年度 --moves

        改善と悪化は評価の段階の順 (init --grades に与えた、よいものから順) で決まります。順に意味のない成果の段階 (完了 / 一部実施 / その他) は --moves で比べます: 区分の変わった項目を、区分の間の移り変わりとして並べます。評価なし: 一つ目の時点で評価され、二つ目の時点で評価されていない (まだ評価していない、対象外、集約、削除)。再掲の行は再掲元の項目として一度だけ数えます。見出しごとの件数が一覧の後に続きます。
hyoka-changes--from = 一つ目の時点
hyoka-changes--to = 二つ目の時点
arg--moves = 評価の段階の順に意味がない: 改善・悪化の代わりに、区分の間の移り変わりを並べる
hyoka-changes--format = 出力形式 (JSON は schema/changes.schema.json)

## hyoka-history
hyoka-history = 項目へのすべての変更: 誰が、いつ、何を (前 → 後)、なぜ。`--all` ですべての訂正
    .after =
        例:
          hyoka history 12
          hyoka history 12 --period H27上半期 --format json
          hyoka history --all --author 鈴木
          hyoka history --all --since seq:359   (イベント #359 以降のすべての変更)
          hyoka history --all --department 財政課 --since 2015-11-01 --until 2015-11-30
          hyoka history --all --format md > 訂正削除履歴.md

        --all では台帳のすべての訂正 (既存の値を置き換えたか取り消した変更、項目の削除と復活) を項目ごとに
        まとめます。--since か --until を付けると、ログのその範囲に記録されたすべての変更 (新しい時点の
        最初の値も) を項目ごとにまとめます (報告書の --format md は訂正だけ)。公表したラウンドの時点への
        変更には [訂正] と印を付けます (JSON: correction: true)。
        項目の履歴には、ラウンドの審査の経過 (提出、審査 (承認、差し戻し)、意見) も表示します。
hyoka-history--item = 項目番号 (または --all)
arg--all = 台帳のすべての訂正を項目ごとに (--since か --until があれば、ログのその範囲のすべての変更)
arg--item_flag = オプションで指定する項目: --all と合わせると、その項目の訂正だけ
arg--since = この点からの変更だけ: seq:N (そのイベントから) または時刻 (at:TIME、または --at と同じ書き方の TIME。日付だけなら日本時間 (--tz があればそのタイムゾーン) のその日の始めから)
arg--until = この点までの変更だけ: seq:N (そのイベントまで) または時刻 (日付だけなら日本時間 (--tz があればそのタイムゾーン) のその日の終わりまで)
hyoka-history--department = この所管課の項目だけ (NFKC で比べる。項目の今の所管課で)
hyoka-history--period = この時点の変更だけ
hyoka-history--author = この人が記録した変更だけ (名前は NFKC で比べる: 全角と半角は同じ名前)
hyoka-history--format = 出力形式 (JSON は schema/history.schema.json)
arg--full = テキスト: 端末の幅 (COLUMNS が優先) に収めて列をそろえ、セルを … で切る (最大 160 桁) 代わりに、1 行に 1 項目、行の間に空行を入れて、すべてのセルを切らずに表示する

## hyoka-blame
hyoka-blame = すべてのセルについて、今の値を誰が、いつ、どのイベントで、なぜ設定したか
    .after =
        例:
          hyoka blame
          hyoka blame --period H26年度末 --format json
          hyoka blame --at 2015-06-30
          hyoka blame --period H27上半期 --full   (理由等と理由をすべて切らずに)
hyoka-blame--period = この時点だけ (既定: すべての時点の評価と、最も新しい時点のフォローアップと理由等)
hyoka-blame--format = 出力形式 (JSON は schema/blame.schema.json)

## hyoka-diff
hyoka-diff = 二つの点の間で違うすべてのセルを、誰がなぜ変えたかとともに表示する
    .after =
        例:
          hyoka diff H26年度末 H27上半期
          hyoka diff seq:357 seq:365
          hyoka diff at:2015-06-30 at:2015-12-31 --format json
          hyoka diff seq:357 seq:365 --full   (すべての値を切らずに)
          hyoka diff seq:359 seq:365 --every   (間のすべての変更も、順に)

        点は、時点 (FY2014-YE、H26年度末: 今の台帳の、その時点までの時点)、seq:N (イベント N の後の台帳)、
        at:TIME (TIME かそれ以前に記録されたすべてのイベントの後。日付だけなら日本時間 (--tz があればそのタイムゾーン) のその日の終わり) の
        いずれかです。# や @ を前に付けないでください: シェルが特別に扱います。
hyoka-diff--from = 一つ目の点
arg--to = 二つ目の点
arg--every = 二つの点の間に記録されたすべての変更も順に表示する (seq:N か at:TIME の点): 比べただけでは見えない経過 (評価を変えて元に戻したなど)
hyoka-diff--format = 出力形式 (JSON は schema/diff.schema.json)

## hyoka-demo
hyoka-demo = 同梱の表で使い捨ての台帳を作り、hyoka でできることを見せる。--serve では続けてその台帳でブラウザーから評価ラウンドを試せる
    .after =
        例:
          hyoka demo
          hyoka demo --serve   (表示された URL を開き、表示された職員でサインインする)

        --serve では、デモの台帳にデモ用の職員 (パスワードを端末に表示)、実施中のラウンド、ループバックで待ち受ける
        サーバーを用意し、Ctrl-C まで動かします。その後、台帳は削除されます。デモ用のデータだけです。
hyoka-demo--serve = 続けてデモの台帳を Ctrl-C まで Web で公開する: パスワード付きのデモ用の職員と実施中のラウンド (パスワードは表示する。最後にすべて削除する)
hyoka-demo--listen = --serve で待ち受けるアドレスとポート (ポート 0 は空いているポートを使い、それを表示する)

## hyoka-completions
hyoka-completions = シェル (bash、zsh、fish、powershell、elvish) の補完スクリプトを表示する
    .after =
        例:
          hyoka completions bash > ~/.local/share/bash-completion/completions/hyoka
          hyoka completions zsh > "${"{"}fpath[1]{"}"}/_hyoka"
          hyoka completions fish > ~/.config/fish/completions/hyoka.fish
arg--shell = シェル

## hyoka-man
hyoka-man = マニュアルページ (roff、セクション 1) を表示する。--help と同じ定義から作る。--out DIR では、それとコマンドごとのページ (hyoka-rate.1、hyoka-person-key-rotate.1 など) を書き出す
    .after =
        例:
          hyoka man | man -l -
          hyoka man > hyoka.1
          hyoka man --out /usr/local/share/man/man1   (その後: man hyoka-rate)

arg--out = hyoka.1 とコマンドごとのページを DIR に書き出す (なければ作る。ページは置き換える)

## 値
value-lang-ja = 日本語
value-lang-en = English (英語)
value-era-heisei = 平成 (1989-2019)
value-era-reiwa = 令和 (2019-)
value-on-off-on = フォローアップの印を付ける (○)
value-on-off-off = 印を外す (—)
value-switch-on = 入れる
value-switch-off = 切る
value-text-or-json-text = 文
value-text-or-json-json = JSON (スキーマはオプションの説明にあるもの)
value-notice-format-md = Markdown (編集してそのまま公表できる)
value-notice-format-json = JSON (schema/round-notice.schema.json)
value-log-format-text = 1 イベント 1 行、列をそろえて
value-log-format-jsonl = 1 行に 1 つの JSON オブジェクト (schema/event.schema.json)
value-table-format-text = 端末向けに列をそろえて
value-table-format-tsv = タブ区切り。`hyoka import` が読む形 (合計の行付き)
value-table-format-csv = Excel とオープンデータ向けの CSV: BOM 付き UTF-8、全行に見出し
value-table-format-json = 1 つの JSON オブジェクト (schema/table.schema.json)
value-table-format-md = Markdown の表 (見出しごとに一つ)
value-sheet-format-csv = CSV (BOM 付き UTF-8。日本語の Excel でそのまま開ける)
value-sheet-format-xlsx = Excel のブック (.xlsx)
value-sheet-format-both = 両方
value-csv-encoding-utf-8 = UTF-8 (--no-bom がなければ BOM 付き。日本語の Excel でそのまま開ける)
value-csv-encoding-cp932 = CP932 (Windows の Shift_JIS)。BOM なし。書けない文字は拒否する
value-history-format-text = 列をそろえた行
value-history-format-json = JSON (schema/history.schema.json)
value-summary-format-text = 列をそろえた行
value-summary-format-csv = CSV (--by とともに): 時点と区分ごとに 1 行。BOM 付き UTF-8
value-summary-format-json = JSON (schema/summary.schema.json)
value-group-by-heading = 項目の見出し
value-group-by-department = 項目の所管課
value-history-format-md = Markdown (印刷したり、訂正のお知らせに添付したりできる)

## hyoka-serve
hyoka-serve = 台帳を Web で公開する: 職員はブラウザーでサインインして評価ラウンドを進める (サーバーは停止するまで台帳を保持する。Ctrl-C か SIGTERM で停止)
    .after =
        例:
          hyoka serve --listen 127.0.0.1:8080 --ledger plan --log-dir /var/log/hyoka
          hyoka serve --listen 0.0.0.0:8443 --ledger plan --tls-cert hyoka.crt --tls-key hyoka.key   (HTTPS)
          hyoka person enrol 鈴木一郎 --url http://127.0.0.1:8080   (サーバーの実行中に、職員の登録リンクを発行する)

        サーバーは台帳の隣の DIR.web に自分のファイルを置きます: 登録トークン (ハッシュ) と、各職員のパスワードで
        暗号化した署名鍵です。JSON API は schema/openapi.json に記述しています (/api/openapi.json でも配信)。

        市民はサインインなしで閲覧できます: / は公表した評価ラウンドの一覧、/rounds/POINT は公表した表を公表したとおりに
        (表のダイジェスト、署名付きチェックポイント、見出しごとの集計と図とともに) 示し、そのファイルを
        /rounds/POINT/table.csv、table.xlsx、table.json、checkpoint、publication.tlog-proof で配信します。
        /items/ID は項目の公表した値と公表後の訂正を示します (例: http://127.0.0.1:8080/items/12)。
hyoka-serve--listen = 待ち受けるアドレスとポート (ポート 0 は空いているポートを使い、それを表示する)
hyoka-serve--behind_https = 職員はリバースプロキシ経由の HTTPS でサーバーに接続する: セッション Cookie に Secure を付け、名前を __Host-hyoka_session にする
hyoka-serve--tls_cert = FILE の証明書チェーン (PEM。サーバーの証明書を先頭に) で HTTPS を直接提供する。--tls-key が必要。セッション Cookie に Secure を付けて名前を __Host-hyoka_session にし、応答に HSTS を付ける
hyoka-serve--tls_key = --tls-cert の証明書の秘密鍵 (PEM: PKCS#8、PKCS#1 または SEC1)
hyoka-serve--log_dir = アクセスログとエラーログ (access.log、error.log。10 MiB で切り替え、5 世代保存) を DIR に書く。指定しないときはエラーを標準エラーに出し、リクエストは記録しない

## hyoka-person-enrol
hyoka-person-enrol = 職員が Web サインインを設定するための 1 回限りのリンクを発行する (管理者が行う。72 時間有効。その職員の前のリンクは無効になる)
    .after =
        例:
          hyoka person enrol 鈴木一郎 --url http://127.0.0.1:8080

        職員はリンクを開き、秘密鍵ファイルの内容を貼り付けてパスワードを決めます。サーバーは鍵をそのパスワードで
        暗号化 (Argon2id) して保存するので、保存データからほかの人が本人として署名することはできません。
        パスワードを忘れたときは新しい鍵 (hyoka person key rotate) と新しいリンクです。
hyoka-person-enrol--person = 職員の ID (hyoka person list を参照)
hyoka-person-enrol--url = 職員のブラウザーから届くサーバーのアドレス (既定: 実行中のサーバーが待ち受けるアドレス。DIR/SERVER から)
