//! The problems of an uploaded sheet in Japanese, each with its place (line, column, header).

use super::super::guard::refused_ja;
use crate::import::error::{FileProblem, ImportError, TotalProblem};
use crate::table::error::TableFileError;

/// An import's problems in Japanese, one sentence each (a cell's: its line, column and header).
pub fn import_error_ja(e: &ImportError) -> Vec<String> {
    match e {
        ImportError::Table(t) => table_error_ja(t),
        ImportError::Refused { line, refused } => {
            vec![format!("{line}行目: {}", refused_ja(refused))]
        }
        ImportError::Problem(p) => vec![file_problem_ja(p)],
        ImportError::PointNeeded {
            line,
            column,
            header,
        } => vec![format!(
            "{line}行目、{column}列目（{header}）: 見出しにどの時点の評価かが書かれていません。ダウンロードしたシートの見出しのまま使ってください。"
        )],
        ImportError::EraNeeded { line, label } => vec![format!(
            "{line}行目: 時点の列「{label}」の元年が平成か令和か分かりません。元号を書いてください。"
        )],
        ImportError::NoPlan => {
            vec!["この台帳には計画がありません。管理者に計画の取り込みを依頼してください。".into()]
        }
    }
}

fn file_problem_ja(p: &FileProblem) -> String {
    match p {
        FileProblem::PointGiven { line, .. } => format!(
            "{line}行目: 見出しがすべての評価の列の時点を示しています。見出しは変えずに使ってください。"
        ),
        FileProblem::PeriodColumn { line, label, .. } => format!(
            "{line}行目: 時点の列「{label}」は、この計画の評価時点として読めません。ダウンロードしたシートの見出しのまま使ってください。"
        ),
        FileProblem::PeriodTwice { line, period } => {
            format!("{line}行目: {period}の列が2つあります。1つにしてください。")
        }
        FileProblem::Totals { problems } => {
            let lines: Vec<String> = problems
                .iter()
                .map(|t| match t {
                    TotalProblem::Count { line, .. }
                    | TotalProblem::Columns { line, .. }
                    | TotalProblem::FollowUp { line, .. } => line.to_string(),
                })
                .collect();
            format!(
                "{}行目: 集計の行がシートの行と合いません。集計の行を消すか直してください。",
                lines.join("・")
            )
        }
    }
}

/// Where a cell is: `12行目、8列目（評価（令和2年度末））`.
fn place(line: usize, column: usize, header: &str) -> String {
    match header.is_empty() {
        true => format!("{line}行目、{column}列目"),
        false => format!("{line}行目、{column}列目（{header}）"),
    }
}

/// A table file's problems in Japanese (each of several on its own).
pub fn table_error_ja(e: &TableFileError) -> Vec<String> {
    use TableFileError as T;
    let one = |s: String| vec![s];
    match e {
        T::Many { problems, omitted } => {
            let mut out: Vec<String> = problems.iter().flat_map(table_error_ja).collect();
            if *omitted > 0 {
                out.push(format!("ほかに{omitted}件の問題があります。"));
            }
            out
        }
        T::InvalidUtf8 { line } | T::InvalidUtf16 { line } => one(format!(
            "{line}行目: 文字コードを読めません。Excel で「CSV UTF-8」として保存し直すか、.xlsx のまま送ってください。"
        )),
        T::NotText { line, .. } => one(format!(
            "{line}行目: 文字として読めないファイルです。ダウンロードしたシート（.xlsx か .csv）を使ってください。"
        )),
        T::Workbook { .. } => one(
            "1行目: ファイルを表として読めません。Excel ブック（.xlsx）か CSV（UTF-8）で保存し直してください。".into(),
        ),
        T::NoSuchSheet { .. } => one("1行目: ブックに読み込むシートがありません。".into()),
        T::Empty { line } => one(format!("{line}行目: ファイルが空です。")),
        T::StrayBom { line } => one(format!(
            "{line}行目: 行の先頭に余計な印（BOM）があります。2つのファイルをつなげていないか確かめてください。"
        )),
        T::NoHeader { line, .. } | T::NoKnownLayout { line, .. } => one(format!(
            "{line}行目: シートの見出しの行が見つかりません。ダウンロードしたシートの見出し（区分・No.・項目・所管課・評価（時点）…）を消さずに使ってください。"
        )),
        T::UnknownColumn {
            line,
            column,
            header,
            ..
        } => one(format!(
            "{line}行目、{column}列目: 見出し「{header}」はシートの列ではありません。足した列は消してください。"
        )),
        T::DuplicateColumn {
            line,
            first_column,
            column,
            header,
            ..
        } => one(format!(
            "{line}行目: {first_column}列目と{column}列目が同じ列（{header}）です。1つにしてください。"
        )),
        T::NoPeriods { line } | T::PeriodWithoutYear { line, .. } => one(format!(
            "{line}行目: 評価の列の見出しに時点がありません。ダウンロードしたシートの見出しのまま使ってください。"
        )),
        T::HeaderMismatch { line, .. } => one(format!(
            "{line}行目: 見出しが最初の見出しと違います。見出しは1行にしてください。"
        )),
        T::NoDataRows { line } => one(format!("{line}行目: 見出しの後に項目の行がありません。")),
        T::TooFewColumns {
            line,
            expected,
            found,
            ..
        } => one(format!(
            "{line}行目: 列が足りません（{expected}列以上のところ{found}列）。行が途中で切れていないか確かめてください。"
        )),
        T::TooManyColumns {
            line,
            column,
            header,
            cell,
            ..
        } => one(format!(
            "{}: 余計な値「{cell}」があります。消してください。",
            place(*line, *column, header)
        )),
        T::BadId {
            line,
            column,
            header,
            cell,
        }
        | T::IdWithNo {
            line,
            column,
            header,
            cell,
        } => one(format!(
            "{}: 「{cell}」は項目番号として読めません。ダウンロードしたときの番号のままにしてください。",
            place(*line, *column, header)
        )),
        T::MissingTitle {
            line,
            column,
            header,
            id,
            ..
        } => one(format!(
            "{}: 項目 {id} の名前がありません。",
            place(*line, *column, header)
        )),
        T::DuplicateId {
            line,
            column,
            header,
            first_line,
            id,
            ..
        } => one(format!(
            "{}: 項目 {id} は{first_line}行目にもあります。1行にしてください。",
            place(*line, *column, header)
        )),
        T::MissingHeading {
            line,
            column,
            header,
        } => one(format!(
            "{}: 最初の項目の行に区分がありません。",
            place(*line, *column, header)
        )),
        T::BadMark {
            line,
            column,
            header,
            cell,
        } => one(format!(
            "{}: フォローアップ対象の欄の「{cell}」は読めません。対象なら ○ を、そうでなければ空欄にしてください。",
            place(*line, *column, header)
        )),
        T::BadCount {
            line,
            column,
            header,
            cell,
            ..
        } => one(format!(
            "{}: 集計の「{cell}」は数として読めません。集計の行は消してください。",
            place(*line, *column, header)
        )),
        T::NotInScale(n) => one(format!(
            "{}: 項目 {} の{}の評価「{}」は計画の評価段階にありません。{}、対象外のいずれかにするか、空欄にしてください。",
            place(n.line, n.column, &n.header),
            n.id,
            n.point,
            n.grade,
            n.scale.join("・")
        )),
        T::DuplicateFollowUpTotal { line, .. } | T::RowAfterTotals { line, .. } => one(format!(
            "{line}行目: 集計の行があります。シートには集計の行は要りません。消してください。"
        )),
        T::CsvQuoting { line, .. } | T::Csv { line, .. } => one(format!(
            "{line}行目: CSV の引用符（\"）の使い方が正しくありません。Excel で「CSV UTF-8」として保存し直してください。"
        )),
        T::Identifier {
            line,
            column,
            header,
            ..
        } => one(format!(
            "{}: 使えない文字（制御文字や見えない文字など）があるか、書き方が正しくありません。書き直してください。",
            place(*line, *column, header)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_problems_are_japanese_with_their_place() {
        let e = TableFileError::BadMark {
            line: 3,
            column: 9,
            header: "フォローアップ対象（令和2年度末）".into(),
            cell: "x".into(),
        };
        let ja = table_error_ja(&TableFileError::Many {
            problems: vec![e.clone(), e],
            omitted: 2,
        });
        assert_eq!(ja.len(), 3);
        assert!(
            ja[0].starts_with("3行目、9列目（フォローアップ対象（令和2年度末））: "),
            "{ja:?}"
        );
        assert_eq!(ja[2], "ほかに2件の問題があります。");
    }
}
