//! The import readers on every committed fixture: what a user would see, and every bad input
//! giving its specific error.

use std::path::PathBuf;

use proptest::prelude::*;
use sodate_core::import::mapping::{auto_map, detect_preset, preset_headers, Field};
use sodate_core::import::{
    self, split_full_name, Format, HeaderNoteKind, ImportError, Options, Reader, SourceRow,
    TextEncoding,
};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(name)
}

fn open(name: &str) -> Reader {
    import::open(fixture(name), &Options::default()).unwrap()
}

fn rows(reader: Reader) -> Vec<SourceRow> {
    reader.map(Result::unwrap).collect()
}

/// The cell under `header` in `row`.
fn cell<'a>(headers: &[String], row: &'a SourceRow, header: &str) -> &'a str {
    let i = headers
        .iter()
        .position(|h| h == header)
        .unwrap_or_else(|| panic!("no header {header} in {headers:?}"));
    row.cell(i)
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn eight_shift_jis_export() {
    let sniffed = import::sniff(fixture("eight_sjis.csv")).unwrap();
    assert_eq!(sniffed.format, Format::Csv);
    assert_eq!(sniffed.encoding, Some(TextEncoding::ShiftJis));
    assert!(sniffed.encoding_guessed);
    let reader = open("eight_sjis.csv");
    assert_eq!(reader.encoding(), Some(TextEncoding::ShiftJis));
    let headers = reader.headers().to_vec();
    assert_eq!(headers, strings(&preset_headers("eight")));
    assert_eq!(detect_preset(&headers).unwrap().id, "eight");
    let total = reader.total_bytes();
    let rows = rows(reader);
    assert_eq!(rows.len(), 20);
    assert!(rows.iter().all(|r| r.cells.len() == 17));
    let c = |row: &SourceRow, h: &str| cell(&headers, row, h).to_string();
    let first = &rows[0];
    assert_eq!(first.number, 2);
    assert_eq!(c(first, "郵便番号"), "１００－０００５");
    assert_eq!(c(first, "TEL会社"), "０３－１２３４－５６７８");
    assert!(c(first, "住所").ends_with("ミライタワー①号館"));
    // Row 3 as Excel numbers it: stored raw, NEC/IBM characters intact.
    let takahashi = &rows[1];
    assert_eq!(takahashi.number, 3);
    assert_eq!(c(takahashi, "姓"), "髙橋");
    assert_eq!(c(takahashi, "会社名"), "㈱ミライ技研");
    assert_eq!(c(takahashi, "姓（カナ）"), "タカハシ");
    // A quoted cell with a comma and a line break; the next row starts a line later.
    let yamasaki = &rows[2];
    assert_eq!(c(yamasaki, "姓"), "山﨑");
    assert_eq!(c(yamasaki, "会社名"), "(株)サクラ商事");
    assert_eq!(
        c(yamasaki, "住所"),
        "大阪府大阪市北区梅田1-1-1\n梅田センタービル 12F, 北側"
    );
    assert_eq!((yamasaki.number, yamasaki.line), (4, 4));
    assert_eq!((rows[3].number, rows[3].line), (5, 6));
    assert_eq!(c(&rows[3], "会社名"), "有限会社齋藤工務店");
    assert_eq!(c(&rows[6], "会社名"), "㈲ナカムラ印刷");
    assert_eq!(c(&rows[8], "会社名"), "一般社団法人日本ＩＴ推進協会");
    assert_eq!(c(&rows[12], "名刺交換日"), "");
    assert_eq!(c(&rows[19], "名刺交換日"), "2024/11/05");
    let _ = total;
}

#[test]
fn progress_reaches_the_end() {
    let mut reader = open("eight_sjis.csv");
    let mut row = SourceRow::default();
    while reader.read_row(&mut row).unwrap() {}
    assert_eq!(reader.bytes_read(), reader.total_bytes());
    assert_eq!(reader.progress(), 1.0);
}

#[test]
fn sansan_utf8_with_bom() {
    let sniffed = import::sniff(fixture("sansan_utf8_bom.csv")).unwrap();
    assert_eq!(sniffed.encoding, Some(TextEncoding::Utf8Bom));
    assert!(!sniffed.encoding_guessed);
    let reader = open("sansan_utf8_bom.csv");
    let headers = reader.headers().to_vec();
    assert_eq!(
        headers[0], "会社名",
        "the BOM is not part of the first header"
    );
    let preset = detect_preset(&headers).unwrap();
    assert_eq!(preset.id, "sansan");
    let mapping = preset.apply(&headers);
    assert_eq!(mapping[13].field, Field::Phone);
    let rows = rows(reader);
    assert_eq!(rows.len(), 6);
    assert_eq!(
        cell(&headers, &rows[0], "メモ"),
        "DX EXPOで名刺交換。\n資料送付済み、来月フォロー。"
    );
    assert_eq!(cell(&headers, &rows[0], "タグ"), "展示会2024,見込み");
    assert_eq!(cell(&headers, &rows[4], "姓"), "Clark");
    assert_eq!(
        cell(&headers, &rows[5], "メモ"),
        "採用支援の相談あり, 要見積"
    );
}

#[test]
fn generic_english_headers() {
    let sniffed = import::sniff(fixture("generic_utf8.csv")).unwrap();
    assert_eq!(
        (sniffed.format, sniffed.encoding, sniffed.encoding_guessed),
        (Format::Csv, Some(TextEncoding::Utf8), false)
    );
    let reader = open("generic_utf8.csv");
    let headers = reader.headers().to_vec();
    use Field::*;
    let fields: Vec<Field> = auto_map(&headers).into_iter().map(|m| m.field).collect();
    assert_eq!(
        fields,
        vec![
            GivenName,
            FamilyName,
            CompanyName,
            Department,
            Title,
            Email,
            Phone,
            Mobile,
            PostalCode,
            Prefecture,
            Address,
            Website,
            Notes,
            Tags
        ]
    );
    assert!(detect_preset(&headers).is_none());
    let rows = rows(reader);
    assert_eq!(rows.len(), 5);
    assert_eq!(
        cell(&headers, &rows[0], "Notes"),
        "Met at \"DX Expo\" booth"
    );
    assert_eq!(cell(&headers, &rows[2], "Last Name"), "鈴木");
    assert_eq!(
        cell(&headers, &rows[3], "Notes"),
        "Prefers email,\nnot phone"
    );
    assert_eq!(cell(&headers, &rows[4], "Last Name"), "Müller");
}

#[test]
fn seminar_euc_jp_with_full_names() {
    let sniffed = import::sniff(fixture("seminar_eucjp.csv")).unwrap();
    assert_eq!(sniffed.encoding, Some(TextEncoding::EucJp));
    let reader = open("seminar_eucjp.csv");
    let headers = reader.headers().to_vec();
    let mapping = auto_map(&headers);
    assert_eq!(mapping[0].field, Field::FullName);
    assert_eq!(mapping[1].field, Field::FullReading);
    assert_eq!(mapping[7].field, Field::Custom("参加セミナー".into()));
    assert_eq!(mapping[8].field, Field::Custom("申込日".into()));
    let rows = rows(reader);
    let split = |i: usize, h: &str| split_full_name(cell(&headers, &rows[i], h));
    let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(split(0, "氏名"), pair("佐藤", "健一"));
    assert_eq!(split(1, "氏名"), pair("田中", "太郎"));
    assert_eq!(split(1, "フリガナ"), pair("タナカ", "タロウ"));
    assert_eq!(split(2, "氏名"), pair("髙橋", "美香"));
    assert_eq!(split(3, "氏名"), pair("長谷川", "一"));
    assert_eq!(split(4, "氏名"), pair("Clark", "Emily"));
    assert_eq!(split(5, "フリガナ"), pair("わたなべ", "えみこ"));
}

#[test]
fn utf16_unicode_text() {
    let sniffed = import::sniff(fixture("list_utf16le.txt")).unwrap();
    assert_eq!(
        (sniffed.format, sniffed.encoding),
        (Format::Tsv, Some(TextEncoding::Utf16Le))
    );
    let reader = open("list_utf16le.txt");
    let headers = reader.headers().to_vec();
    assert_eq!(
        headers,
        strings(&["会社名", "氏名", "メール", "電話番号", "メモ"])
    );
    let rows = rows(reader);
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[1].cell(1), "山﨑 花子");
    assert_eq!(rows[1].cell(4), "1行目\n2行目");
    assert!(rows[2].cell(4).starts_with("𠮷野家"));
    assert_eq!(rows[3].cell(4), "タブを含む\tメモ");
}

#[test]
fn web_form_tsv() {
    let sniffed = import::sniff(fixture("webform.tsv")).unwrap();
    assert_eq!(
        (sniffed.format, sniffed.encoding),
        (Format::Tsv, Some(TextEncoding::Utf8))
    );
    let reader = open("webform.tsv");
    let fields: Vec<Field> = auto_map(reader.headers())
        .into_iter()
        .map(|m| m.field)
        .collect();
    assert_eq!(
        fields[..5],
        [
            Field::FullName,
            Field::FullReading,
            Field::CompanyName,
            Field::Email,
            Field::Phone
        ]
    );
    let rows = rows(reader);
    assert_eq!(rows[1].cell(0), "小林裕子");
    assert_eq!(rows[2].cell(6), "2024-10-03 18:05:59");
}

#[test]
fn excel_workbook() {
    let sniffed = import::sniff(fixture("cards.xlsx")).unwrap();
    assert_eq!((sniffed.format, sniffed.encoding), (Format::Xlsx, None));
    let reader = open("cards.xlsx");
    assert_eq!(reader.sheet(), Some("名刺一覧"));
    assert_eq!(reader.sheet_names(), strings(&["表紙", "名刺一覧"]));
    let headers = reader.headers().to_vec();
    assert_eq!(headers.len(), 14);
    let rows = rows(reader);
    assert_eq!(rows.len(), 3);
    let c = |i: usize, h: &str| cell(&headers, &rows[i], h).to_string();
    assert_eq!(rows[0].number, 2);
    assert_eq!(c(0, "氏名"), "田中 太郎");
    assert_eq!(c(0, "郵便番号"), "1000005");
    assert_eq!(c(0, "携帯電話"), "9011112222");
    assert_eq!(c(0, "従業員数"), "120");
    assert_eq!(c(0, "評価"), "4.5");
    assert_eq!(c(0, "DM可"), "TRUE");
    assert_eq!(c(0, "名刺交換日"), "2024-04-01");
    assert_eq!(c(0, "メモ"), "展示会で名刺交換\n資料送付済み");
    assert_eq!(c(1, "会社名"), "㈱ミライ技研");
    assert_eq!(c(1, "名刺交換日"), "2024-04-15 14:30:00");
    assert_eq!(c(1, "DM可"), "FALSE");
    assert_eq!(c(1, "部署"), "");
    // The empty row 4 is skipped but counted.
    assert_eq!(rows[2].number, 5);
    assert_eq!(rows[2].cells.len(), 14);
    assert_eq!(c(2, "従業員数"), "15000");
    assert_eq!(c(2, "評価"), "3.25");
    assert_eq!(c(2, "名刺交換日"), "2024-09-30");
}

#[test]
fn excel_sheet_choice() {
    let path = fixture("cards.xlsx");
    let by_index = Options {
        sheet: Some("#2".into()),
        ..Options::default()
    };
    assert_eq!(
        import::open(&path, &by_index).unwrap().sheet(),
        Some("名刺一覧")
    );
    let empty = Options {
        sheet: Some("表紙".into()),
        ..Options::default()
    };
    assert_eq!(
        import::open(&path, &empty).unwrap_err().code(),
        "empty_file"
    );
    let missing = Options {
        sheet: Some("存在しない".into()),
        ..Options::default()
    };
    let e = import::open(&path, &missing).unwrap_err();
    assert_eq!(e.code(), "sheet_not_found");
    assert!(e.to_string().contains("表紙, 名刺一覧"), "{e}");
}

#[test]
fn vcard_21_shift_jis_quoted_printable() {
    let sniffed = import::sniff(fixture("cards_21_sjis_qp.vcf")).unwrap();
    assert_eq!(sniffed.format, Format::Vcard);
    let reader = open("cards_21_sjis_qp.vcf");
    let headers = reader.headers().to_vec();
    assert_eq!(headers, import::vcard_headers());
    let rows = rows(reader);
    assert_eq!(rows.len(), 3);
    let c = |i: usize, h: &str| cell(&headers, &rows[i], h).to_string();
    assert_eq!((c(0, "姓"), c(0, "名")), ("髙橋".into(), "一郎".into()));
    assert_eq!((c(0, "セイ"), c(0, "メイ")), ("ﾀｶﾊｼ".into(), "ｲﾁﾛｳ".into()));
    assert_eq!(c(0, "会社名"), "㈱ミライ技研");
    assert_eq!(c(0, "部署"), "開発部");
    assert_eq!(c(0, "役職"), "課長");
    assert_eq!(c(0, "電話番号"), "03-1234-5678");
    assert_eq!(c(0, "携帯電話"), "090-2222-3333");
    assert_eq!(c(0, "FAX"), "03-1234-5679");
    assert_eq!(c(0, "郵便番号"), "100-0005");
    assert_eq!(c(0, "都道府県"), "東京都");
    assert_eq!(c(0, "住所"), "千代田区丸の内1-1-1 ミライタワー②号館");
    assert_eq!(
        c(0, "メモ"),
        "展示会「DX EXPO 2024」で名刺交換。\n来月のセミナーに招待済み。決裁者は部長。"
    );
    assert_eq!((rows[0].number, rows[0].line), (1, 1));
    // The photo is skipped; a home phone is the phone when there is no work one.
    assert_eq!(c(1, "姓"), "山﨑");
    assert_eq!(c(1, "会社名"), "(株)サクラ商事");
    assert_eq!(c(1, "電話番号"), "06-6123-4567");
    assert!(rows[1].cells.iter().all(|v| !v.contains("/9j/")));
    // Raw Shift_JIS, FN only: split with the surname list.
    assert_eq!((c(2, "姓"), c(2, "名")), ("佐々木".into(), "大輔".into()));
    assert_eq!(c(2, "会社名"), "合同会社ひかりラボ");
    assert_eq!(c(2, "携帯電話"), "090-7777-8888");
}

#[test]
fn vcard_30_phonetics_groups_and_escapes() {
    let reader = open("cards_30.vcf");
    assert_eq!(reader.encoding(), Some(TextEncoding::Utf8));
    let headers = reader.headers().to_vec();
    let rows = rows(reader);
    let c = |i: usize, h: &str| cell(&headers, &rows[i], h).to_string();
    assert_eq!(
        (c(0, "セイ"), c(0, "メイ")),
        ("スズキ".into(), "ハナコ".into())
    );
    assert_eq!(c(0, "会社名（フリガナ）"), "ミライギケン");
    assert_eq!(c(0, "メールアドレス"), "h.suzuki@mirai-giken.co.jp");
    assert_eq!(c(0, "その他のメールアドレス"), "hanako@example.com");
    assert_eq!(c(0, "URL"), "https://www.mirai-giken.co.jp");
    assert_eq!(
        c(0, "メモ"),
        "展示会で名刺交換, 資料送付済み\n次回訪問: 5月; 担当は営業部。長いメモは折り返されて次の行 に続きます。"
    );
    assert_eq!(c(0, "タグ"), "展示会,見込み客");
    assert_eq!((c(1, "姓"), c(1, "名")), ("Clark".into(), "Emily".into()));
    assert_eq!(c(1, "電話番号"), "+81-3-5555-0100");
    assert_eq!(rows[1].line, 20, "the folded note took two lines");
}

#[test]
fn vcard_40_sort_as_and_many_values() {
    let reader = open("cards_40.vcf");
    let headers = reader.headers().to_vec();
    let rows = rows(reader);
    let c = |i: usize, h: &str| cell(&headers, &rows[i], h).to_string();
    assert_eq!(
        (c(0, "セイ"), c(0, "メイ")),
        ("ヤマダ".into(), "タロウ".into())
    );
    assert_eq!(c(0, "会社名（フリガナ）"), "ニホンデータ");
    assert_eq!(c(0, "部署"), "システム部 インフラ課");
    assert_eq!(c(0, "メールアドレス"), "taro.yamada@nihon-data.example");
    assert_eq!(
        c(0, "その他のメールアドレス"),
        "taro@example.net, yamada.t@example.org"
    );
    assert_eq!(c(0, "電話番号"), "+81-3-6666-7777");
    assert_eq!(c(0, "携帯電話"), "+81-90-8888-9999");
    assert_eq!(c(0, "FAX"), "+81-3-6666-7778");
    assert_eq!(c(0, "その他の電話番号"), "+81-45-111-2222");
    // The work address wins over the home one listed first.
    assert_eq!(c(0, "郵便番号"), "220-0012");
    assert_eq!(c(0, "住所"), "横浜市西区みなとみらい2-2-1");
    assert_eq!(c(0, "タグ"), "セミナー参加");
    assert_eq!(
        (c(1, "姓"), c(1, "セイ")),
        ("渡邊".into(), "ワタナベ".into())
    );
}

#[test]
fn empty_and_header_only() {
    for e in [
        import::sniff(fixture("empty.csv")).unwrap_err(),
        import::open(fixture("empty.csv"), &Options::default()).unwrap_err(),
    ] {
        assert_eq!(e.code(), "empty_file");
        assert!(e.to_string().contains("is empty"), "{e}");
        assert!(e.path().unwrap().ends_with("empty.csv"));
    }
    let reader = open("header_only.csv");
    assert_eq!(reader.headers().len(), 3);
    assert_eq!(rows(reader).len(), 0);
    // Only blank lines: no header either.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("blank.csv");
    std::fs::write(&path, "\r\n\r\n,,\r\n").unwrap();
    let e = import::open(&path, &Options::default()).unwrap_err();
    assert_eq!(e.code(), "empty_file");
}

#[test]
fn ragged_rows_are_returned_as_they_are() {
    let reader = open("ragged.csv");
    let width = reader.headers().len();
    let rows = rows(reader);
    assert_eq!(rows.len(), 3);
    assert!(!rows[0].is_ragged(width));
    assert_eq!(rows[1].cells, strings(&["佐藤 花子", "サクラ商事"]));
    assert!(rows[1].is_ragged(width));
    assert_eq!(rows[1].cell(2), "");
    assert_eq!(rows[2].cells.len(), 4);
    assert_eq!(rows[2].number, 4);
}

#[test]
fn unbalanced_quote_names_its_row() {
    let results: Vec<_> = open("unbalanced_quote.csv").collect();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0].as_ref().unwrap().cell(0), "田中 太郎");
    let e = results[1].as_ref().unwrap_err();
    assert_eq!(e.code(), "unclosed_quote");
    assert_eq!(
        *e,
        ImportError::UnclosedQuote {
            row: 3,
            line: 3,
            column: 2
        }
    );
    assert!(!e.is_row_error());
}

#[test]
fn binary_files_are_refused() {
    for name in ["binary.bin", "png_renamed.csv"] {
        let e = import::sniff(fixture(name)).unwrap_err();
        assert_eq!(e.code(), "unsupported_file", "{name}");
        assert!(e.to_string().contains("not a CSV, Excel or vCard file"));
        let e = import::open(fixture(name), &Options::default()).unwrap_err();
        assert_eq!(e.code(), "unsupported_file", "{name}");
    }
}

#[test]
fn nul_bytes_spoil_their_row_only() {
    let results: Vec<_> = open("nul_bytes.csv").collect();
    assert_eq!(
        results[0].as_ref().unwrap_err(),
        &ImportError::NulByte { row: 2, column: 2 }
    );
    assert_eq!(results[1].as_ref().unwrap().cell(0), "佐藤 花子");
}

#[test]
fn duplicate_headers_are_renamed_and_reported() {
    let reader = open("duplicate_headers.csv");
    assert_eq!(
        reader.headers(),
        strings(&["氏名", "メモ", "会社名", "メモ (2)", "メモ (3)"])
    );
    let notes = reader.header_notes();
    assert_eq!(notes.len(), 2);
    assert_eq!(
        (notes[0].column, notes[0].kind, notes[0].original.as_str()),
        (4, HeaderNoteKind::Duplicate, "メモ")
    );
    // Both memo columns are kept as notes (notes take several columns).
    let mapping = auto_map(reader.headers());
    assert_eq!(mapping[3].field, Field::Notes);
    assert_eq!(rows(reader)[0].cell(4), "三つ目");
}

#[test]
fn forced_wrong_encoding_names_the_first_bad_row() {
    // UTF-8 forced on the Shift_JIS export: the Japanese header itself is refused.
    let utf8 = Options {
        encoding: Some(TextEncoding::Utf8),
        ..Options::default()
    };
    let e = import::open(fixture("eight_sjis.csv"), &utf8).unwrap_err();
    assert_eq!(
        e,
        ImportError::BadEncoding {
            row: 1,
            column: 1,
            encoding: "UTF-8"
        }
    );
    // An ASCII header, then Shift_JIS in row 3, column 2.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mixed.csv");
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("name,company\nTaro,Acme\n田中,ミライ\n");
    std::fs::write(&path, &sjis).unwrap();
    let results: Vec<_> = import::open(&path, &utf8).unwrap().collect();
    assert_eq!(results[0].as_ref().unwrap().cell(1), "Acme");
    let e = results[1].as_ref().unwrap_err();
    assert_eq!(e.code(), "bad_encoding");
    assert_eq!((e.row(), e.column()), (Some(3), Some(1)));
    assert!(e.to_string().contains("row 3"), "{e}");
    // Forcing the right one reads it.
    let sjis_opt = Options {
        encoding: Some("cp932".parse().unwrap()),
        ..Options::default()
    };
    let rows = rows(import::open(&path, &sjis_opt).unwrap());
    assert_eq!(rows[1].cells, strings(&["田中", "ミライ"]));
}

#[test]
fn forced_format_reads_a_tsv_named_csv() {
    let tsv = Options {
        format: Some(Format::Csv),
        ..Options::default()
    };
    let reader = import::open(fixture("webform.tsv"), &tsv).unwrap();
    assert_eq!(reader.format(), Format::Csv);
    assert_eq!(reader.headers().len(), 1, "read with commas, as asked");
}

#[test]
fn missing_files_and_folders() {
    let dir = tempfile::tempdir().unwrap();
    let gone = dir.path().join("gone.csv");
    let e = import::open(&gone, &Options::default()).unwrap_err();
    assert_eq!(e.code(), "file_not_found");
    assert!(e.to_string().contains("gone.csv"));
    let e = import::open(dir.path(), &Options::default()).unwrap_err();
    assert_eq!(e.code(), "io_error");
    let core: sodate_core::Error = e.into();
    assert_eq!(core.code(), "invalid");
    assert_eq!(core.field_issues()[0].code, "io_error");
}

#[test]
fn ten_megabyte_cell_is_refused_and_reading_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big_cell.csv");
    let mut bytes = b"name,notes\nTaro,\"".to_vec();
    bytes.resize(bytes.len() + (10 << 20), b'x');
    bytes.extend_from_slice(b"\"\nHanako,ok\n");
    std::fs::write(&path, &bytes).unwrap();
    let results: Vec<_> = import::open(&path, &Options::default()).unwrap().collect();
    assert_eq!(
        results[0].as_ref().unwrap_err(),
        &ImportError::CellTooLarge {
            row: 2,
            column: 2,
            limit: import::MAX_CELL_BYTES
        }
    );
    assert!(results[0].as_ref().unwrap_err().is_row_error());
    assert_eq!(
        results[1].as_ref().unwrap().cells,
        strings(&["Hanako", "ok"])
    );
    // Without the closing quote, it is the unclosed quote that is reported.
    let mut open_quote = b"name,notes\nTaro,\"".to_vec();
    open_quote.resize(open_quote.len() + (10 << 20), b'y');
    std::fs::write(&path, &open_quote).unwrap();
    let results: Vec<_> = import::open(&path, &Options::default()).unwrap().collect();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].as_ref().unwrap_err().code(), "unclosed_quote");
}

#[test]
fn a_million_rows_stream() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("million.csv");
    let mut text = String::from("氏名,会社名,電話番号\n");
    for i in 0..1_000_000u32 {
        text.push_str(&format!("田中{i},ミライ{},03-{i:08}\n", i % 97));
    }
    std::fs::write(&path, text).unwrap();
    let mut reader = import::open(&path, &Options::default()).unwrap();
    let mut row = SourceRow::default();
    let mut count = 0u64;
    while reader.read_row(&mut row).unwrap() {
        count += 1;
        if count == 1 {
            assert!(reader.progress() < 0.01, "progress follows the bytes read");
        }
    }
    assert_eq!(count, 1_000_000);
    assert_eq!(reader.progress(), 1.0);
    assert_eq!(row.number, 1_000_001);
    assert_eq!(
        row.cells,
        strings(&["田中999999", "ミライ26", "03-00999999"])
    );
}

/// Characters CP932 can encode, plus the CSV specials.
fn cell_strategy() -> impl Strategy<Value = String> {
    let alphabet: Vec<char> = "aZ09 ,\"\n\r\t-@.田中髙橋﨑㈱①ｱｲｶﾞタナカあいう〒ー・「」、。"
        .chars()
        .collect();
    prop::collection::vec(prop::sample::select(alphabet), 0..12)
        .prop_map(|chars| chars.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any table written by the `csv` crate, in UTF-8 or Shift_JIS, reads back identical.
    #[test]
    fn csv_round_trip(
        table in prop::collection::vec(prop::collection::vec(cell_strategy(), 3), 1..20),
        shift_jis in any::<bool>(),
        crlf in any::<bool>(),
    ) {
        let mut writer = csv::WriterBuilder::new()
            .terminator(if crlf { csv::Terminator::CRLF } else { csv::Terminator::Any(b'\n') })
            .from_writer(Vec::new());
        writer.write_record(["h1", "h2", "h3"]).unwrap();
        for row in &table {
            writer.write_record(row).unwrap();
        }
        let utf8 = writer.into_inner().unwrap();
        let bytes = if shift_jis {
            let text = String::from_utf8(utf8).unwrap();
            let (b, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&text);
            prop_assert!(!unmappable);
            b.into_owned()
        } else {
            utf8
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.csv");
        std::fs::write(&path, &bytes).unwrap();
        let options = Options {
            format: Some(Format::Csv),
            encoding: Some(if shift_jis { TextEncoding::ShiftJis } else { TextEncoding::Utf8 }),
            ..Options::default()
        };
        let reader = import::open(&path, &options).unwrap();
        prop_assert_eq!(reader.headers(), strings(&["h1", "h2", "h3"]));
        let got: Vec<Vec<String>> = reader.map(|r| r.unwrap().cells).collect();
        // Rows whose cells are all empty are skipped by design.
        let expected: Vec<Vec<String>> = table
            .into_iter()
            .filter(|row| row.iter().any(|c| !c.is_empty()))
            .collect();
        prop_assert_eq!(got, expected);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Arbitrary bytes never make a reader panic or loop: every row is a value or an error,
    /// in every format and encoding.
    #[test]
    fn arbitrary_bytes_never_panic(
        bytes in prop::collection::vec(
            prop::sample::select(b"a,\"\n\r\t;:=\\\x00\x81\x82\xa0\xe3\xff BEGIN:VCARD".to_vec()),
            0..400,
        ),
        format in prop::sample::select(vec![Format::Csv, Format::Tsv, Format::Vcard]),
        encoding in prop::sample::select(TextEncoding::ALL.to_vec()),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fuzz.txt");
        std::fs::write(&path, &bytes).unwrap();
        // Sniffing and opening as sniffed never panic either.
        let _ = import::sniff(&path);
        if let Ok(reader) = import::open(&path, &Options::default()) {
            for _ in reader {}
        }
        let options = Options { format: Some(format), encoding: Some(encoding), sheet: None };
        if let Ok(reader) = import::open(&path, &options) {
            let width = reader.headers().len();
            prop_assert!(width <= bytes.len() + import::vcard_headers().len());
            let mut n = 0;
            for row in reader {
                n += 1;
                prop_assert!(n <= bytes.len() + 1);
                if let Err(e) = row {
                    prop_assert!(!e.code().is_empty());
                }
            }
        }
    }
}
