#!/bin/bash
# Builds the compat fixture with hyoka at 806adaa. Run in an empty directory.
set -euo pipefail
H=${HYOKA:-hyoka}            # the 806adaa release binary
MK=${MKCOMPAT:-mkcompat}     # the 806adaa CLI with a snapshot every 64 events for new ledgers
FIX=${FIXTURES:?the fixtures directory of 806adaa}
export HYOKA_LEDGER=ledger
n=0
at() { n=$((n+1)); printf '2015-11-02T10:%02d:00+09:00' "$n"; }
run() { HYOKA_NOW=$(at) "$H" "$@"; }
HYOKA_NOW=$(at) MK_SNAPSHOT_EVERY=64 "$MK" init --plan 小平市行財政改革推進プラン --era heisei --origin city.kodaira.example/reform-plan
cp "$FIX/kodaira-followup-h26-h27.tsv" "$FIX/kodaira-followup-h26-h27-v2.tsv" .
run import kodaira-followup-h26-h27.tsv -a 山田
run key generate --output plan.key > plan.vkey
run checkpoint --key plan.key > checkpoint-1.txt
run import kodaira-followup-h26-h27-v2.tsv -a 山田
run rate 12 H27上半期 A -a 鈴木 -m 所管課からの報告により訂正
run unrate 3 H27上半期 -a 鈴木 -m 誤って記録した評価の取消し
run flag 5 on --period H27上半期 -a 鈴木 -m 再度フォローアップ対象とする
run remark 7 '前期に引き続き取組を推進する。' --period H27上半期 -a 鈴木 -m 所管課の報告を反映
run item add 64 '試行事業の検証' --department 行政経営課 --category 地域協働の推進 -a 佐藤 -m 計画改定による追加
run item amend 64 --department 政策課 -a 佐藤 -m 担当課の訂正
run rate 64 H27上半期 B -a 佐藤 -m 初回評価
run item withdraw 64 -a 佐藤 -m 計画から除外
run item reinstate 64 -a 佐藤 -m 除外の取消し
run checkpoint --key plan.key > checkpoint.txt
run export --output export.jsonl
run verify --format json > verify.json
run verify
