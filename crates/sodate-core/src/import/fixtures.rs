//! Writes the committed import fixtures of `tests/fixtures/` (see its README).
//!
//! `cargo test -p sodate-core --lib import::fixtures::write_fixtures -- --ignored` rewrites
//! them; the test `committed_fixtures_match_the_generator` fails when a committed file
//! differs from what this generator makes.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use super::mapping::preset_headers;

const CRLF: &str = "\r\n";

/// Where the fixtures live, from this crate's folder.
pub(crate) fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

/// Quotes a CSV cell when it needs it (as Excel does).
fn csv_cell(cell: &str, delimiter: char) -> String {
    if cell.contains([delimiter, '"', '\n', '\r']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_string()
    }
}

fn csv_text(rows: &[Vec<&str>], delimiter: char, eol: &str) -> String {
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row.iter().map(|c| csv_cell(c, delimiter)).collect();
        out.push_str(&cells.join(&delimiter.to_string()));
        out.push_str(eol);
    }
    out
}

fn shift_jis(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(text);
    assert!(!unmappable, "not CP932: {text}");
    bytes.into_owned()
}

/// An Eight-style export: full-width digits, corporate-form variants, NEC/IBM characters
/// (①②, ㈱, ㈲, 髙, 﨑), a quoted cell with a comma and a line break, katakana readings.
#[rustfmt::skip]
pub(crate) const EIGHT_ROWS: &[[&str; 17]] = &[
    ["株式会社ミライ技研", "営業本部 第一営業部", "部長", "田中", "太郎", "タナカ", "タロウ", "t.tanaka@mirai-giken.co.jp", "１００－０００５", "東京都千代田区丸の内１－１－１ ミライタワー①号館", "０３－１２３４－５６７８", "", "03-1234-5601", "03-1234-5679", "090-1111-2222", "https://www.mirai-giken.co.jp", "2024/04/01"],
    ["㈱ミライ技研", "開発部", "課長", "髙橋", "一郎", "タカハシ", "イチロウ", "i.takahashi@mirai-giken.co.jp", "100-0005", "東京都千代田区丸の内1-1-1 ミライタワー②号館", "03-1234-5678", "03-1234-5610", "", "03-1234-5679", "090-2222-3333", "https://www.mirai-giken.co.jp", "2024/04/01"],
    ["(株)サクラ商事", "総務部", "主任", "山﨑", "花子", "ヤマサキ", "ハナコ", "yamasaki@sakura-shoji.jp", "530-0001", "大阪府大阪市北区梅田1-1-1\n梅田センタービル 12F, 北側", "06-6123-4567", "", "", "06-6123-4568", "", "https://sakura-shoji.jp", "2024/04/15"],
    ["有限会社齋藤工務店", "", "代表取締役", "齋藤", "健", "サイトウ", "ケン", "ken@saito-koumuten.jp", "２６０－００１３", "千葉県千葉市中央区中央２－３－４", "０４３－２２２－３３３３", "", "", "０４３－２２２－３３３４", "０８０－３３３３－４４４４", "", "2024/05/10"],
    ["サンプル株式会社", "マーケティング部", "マネージャー", "渡邊", "美咲", "ワタナベ", "ミサキ", "m.watanabe@sample.co.jp", "150-0002", "東京都渋谷区渋谷2-21-1", "03-5555-0001", "03-5555-0010", "03-5555-0011", "", "070-5555-6666", "https://sample.co.jp", "2024/05/20"],
    ["株式会社 長谷川製作所", "製造部", "工場長", "長谷川", "誠", "ハセガワ", "マコト", "hasegawa@hasegawa-ss.co.jp", "〒460-0008", "愛知県名古屋市中区栄3-4-5", "052-111-2222", "", "", "052-111-2223", "", "", "2024/06/03"],
    ["㈲ナカムラ印刷", "営業部", "", "中村", "由美", "ナカムラ", "ユミ", "yumi@nakamura-print.jp", "812-0011", "福岡県福岡市博多区博多駅前1-2-3", "092-444-5555", "", "", "092-444-5556", "", "", "2024/06/03"],
    ["合同会社ひかりラボ", "", "CEO", "佐々木", "大輔", "ササキ", "ダイスケ", "daisuke@hikari-lab.jp", "060-0001", "北海道札幌市中央区北一条西1-1", "011-222-3333", "", "", "", "090-7777-8888", "https://hikari-lab.jp", "2024/06/10"],
    ["一般社団法人日本ＩＴ推進協会", "事務局", "事務局長", "伊藤", "直子", "イトウ", "ナオコ", "n.ito@jita.or.jp", "102-0083", "東京都千代田区麹町3-3-3", "03-3333-4444", "", "", "03-3333-4445", "", "https://jita.or.jp", "2024/06/21"],
    ["株式会社宮﨑システム", "システム部", "エンジニア", "宮﨑", "翔", "ミヤザキ", "ショウ", "sho@miyazaki-sys.co.jp", "880-0001", "宮崎県宮崎市橘通西1-1-1", "0985-11-2222", "", "0985-11-2299", "", "080-1212-3434", "", "2024/07/01"],
    ["日本データ株式会社", "システム部 インフラ課", "マネージャー", "髙木", "亮", "タカギ", "リョウ", "r.takagi@nihon-data.example", "220-0012", "神奈川県横浜市西区みなとみらい2-2-1", "045-222-1111", "", "", "045-222-1112", "", "https://nihon-data.example", "2024/07/09"],
    ["株式会社ミライ技研", "営業本部", "本部長", "小林", "裕子", "コバヤシ", "ユウコ", "y.kobayashi@mirai-giken.co.jp", "100-0005", "東京都千代田区丸の内1-1-1", "03-1234-5678", "", "", "03-1234-5679", "090-3434-5656", "https://www.mirai-giken.co.jp", "2024/07/09"],
    ["山本商会株式会社", "経理部", "", "山本", "健太", "ヤマモト", "ケンタ", "kenta@yamamoto-shokai.jp", "730-0011", "広島県広島市中区基町1-1", "082-111-0000", "", "", "", "", "", ""],
    ["株式会社カトウ物流", "物流企画部", "係長", "加藤", "亮", "カトウ", "リョウ", "ryo.kato@kato-logi.co.jp", "９８０－０８１１", "宮城県仙台市青葉区一番町１－１－１", "022-333-4444", "", "", "022-333-4445", "090-4545-6767", "", "2024/08/01"],
    ["吉田フーズ株式会社", "商品開発部", "", "吉田", "さくら", "ヨシダ", "サクラ", "sakura@yoshida-foods.jp", "600-8216", "京都府京都市下京区烏丸通七条下ル", "075-111-2222", "", "", "", "", "https://yoshida-foods.jp", "2024/08/20"],
    ["株式会社マツモト建設", "工事部", "所長", "松本", "大樹", "マツモト", "ダイキ", "d.matsumoto@matsumoto-kensetsu.co.jp", "390-0811", "長野県松本市中央1-2-3", "0263-11-2222", "", "", "0263-11-2223", "080-5656-7878", "", "2024/09/02"],
    ["株式会社イノウエ", "人事部", "部長代理", "井上", "真由美", "イノウエ", "マユミ", "mayumi.inoue@inoue.example", "330-0063", "埼玉県さいたま市浦和区高砂1-1-1", "048-111-3333", "", "", "", "", "", "2024/09/02"],
    ["キムラ電機株式会社", "技術部", "", "木村", "拓也", "キムラ", "タクヤ", "t.kimura@kimura-denki.co.jp", "420-0853", "静岡県静岡市葵区追手町9-6", "054-222-5555", "", "", "054-222-5556", "090-6767-8989", "", "2024/10/11"],
    ["林デザイン事務所", "", "代表", "林", "陽子", "ハヤシ", "ヨウコ", "yoko@hayashi-design.jp", "", "", "", "", "", "", "090-1010-2020", "https://hayashi-design.jp", "2024/10/11"],
    ["株式会社シミズ", "営業部", "", "清水", "光", "シミズ", "ヒカル", "hikaru.shimizu@shimizu.example", "260-0013", "千葉県千葉市中央区中央1-1-1", "043-111-2222", "", "", "", "", "", "2024/11/05"],
];

#[rustfmt::skip]
const SANSAN_ROWS: &[[&str; 20]] = &[
    ["株式会社ミライ技研", "ミライギケン", "営業本部 第一営業部", "部長", "田中", "太郎", "タナカ", "タロウ", "t.tanaka@mirai-giken.co.jp", "100-0005", "東京都", "千代田区丸の内1-1-1", "ミライタワー12F", "03-1234-5678", "03-1234-5679", "090-1111-2222", "https://www.mirai-giken.co.jp", "2024-04-01", "展示会2024,見込み", "DX EXPOで名刺交換。\n資料送付済み、来月フォロー。"],
    ["サクラ商事株式会社", "サクラショウジ", "総務部", "主任", "山﨑", "花子", "ヤマサキ", "ハナコ", "yamasaki@sakura-shoji.jp", "530-0001", "大阪府", "大阪市北区梅田1-1-1", "梅田センタービル", "06-6123-4567", "06-6123-4568", "", "https://sakura-shoji.jp", "2024-04-15", "既存顧客", ""],
    ["日本データ株式会社", "ニホンデータ", "システム部", "マネージャー", "髙木", "亮", "タカギ", "リョウ", "r.takagi@nihon-data.example", "220-0012", "神奈川県", "横浜市西区みなとみらい2-2-1", "", "045-222-1111", "", "", "https://nihon-data.example", "2024-07-09", "セミナー", "「クラウド移行」セミナー参加"],
    ["株式会社ひかりラボ", "ヒカリラボ", "", "CEO", "佐々木", "大輔", "ササキ", "ダイスケ", "daisuke@hikari-lab.jp", "060-0001", "北海道", "札幌市中央区北一条西1-1", "", "011-222-3333", "", "090-7777-8888", "https://hikari-lab.jp", "2024-06-10", "", ""],
    ["Acme Japan株式会社", "アクメジャパン", "Sales", "Director", "Clark", "Emily", "クラーク", "エミリー", "emily.clark@acme.example", "105-0011", "東京都", "港区芝公園4-2-8", "", "+81-3-5555-0100", "", "", "https://acme.example", "2024-09-30", "海外", "英語対応"],
    ["株式会社イノウエ", "イノウエ", "人事部", "部長代理", "井上", "真由美", "イノウエ", "マユミ", "mayumi.inoue@inoue.example", "330-0063", "埼玉県", "さいたま市浦和区高砂1-1-1", "", "048-111-3333", "", "", "", "2024-09-02", "", "採用支援の相談あり, 要見積"],
];

#[rustfmt::skip]
const GENERIC_HEADERS: [&str; 14] = ["First Name", "Last Name", "Company", "Department", "Job Title", "Email", "Phone", "Mobile", "Zip", "State/Prefecture", "Address", "Website", "Notes", "Tags"];

#[rustfmt::skip]
const GENERIC_ROWS: &[[&str; 14]] = &[
    ["Taro", "Yamada", "Acme Japan K.K.", "Sales", "Account Executive", "taro.yamada@acme.example", "+81-3-5555-0101", "+81-90-1234-0000", "105-0011", "Tokyo", "4-2-8 Shibakoen, Minato-ku", "https://acme.example", "Met at \"DX Expo\" booth", "expo,hot"],
    ["Emily", "Clark", "Acme Japan K.K.", "Marketing", "Director", "emily.clark@acme.example", "+81-3-5555-0100", "", "105-0011", "Tokyo", "4-2-8 Shibakoen, Minato-ku", "https://acme.example", "", "expo"],
    ["花子", "鈴木", "株式会社ミライ技研", "営業部", "主任", "h.suzuki@mirai-giken.co.jp", "03-1234-5600", "080-1234-5678", "100-0005", "東京都", "千代田区丸の内1-1-1", "https://www.mirai-giken.co.jp", "Japanese name in English headers", "partner"],
    ["Kenji", "Sato", "Northwind Traders", "", "CTO", "kenji@northwind.example", "", "+81-80-2222-3333", "", "", "", "", "Prefers email,\nnot phone", ""],
    ["Anna", "Müller", "Beispiel GmbH", "Einkauf", "Leiterin", "anna.mueller@beispiel.example", "+49 30 1234567", "", "10115", "Berlin", "Unter den Linden 1", "https://beispiel.example", "ümlaut and ß survive", "eu"],
];

#[rustfmt::skip]
const SEMINAR_HEADERS: [&str; 9] = ["氏名", "フリガナ", "会社名", "部署", "役職", "メールアドレス", "電話番号", "参加セミナー", "申込日"];

#[rustfmt::skip]
const SEMINAR_ROWS: &[[&str; 9]] = &[
    ["佐藤 健一", "サトウ ケンイチ", "株式会社ミライ技研", "情報システム部", "部長", "k.sato@mirai-giken.co.jp", "03-1234-5620", "クラウド移行入門", "2024-05-01"],
    ["田中太郎", "タナカタロウ", "サクラ商事株式会社", "総務部", "", "tanaka@sakura-shoji.jp", "06-6123-4500", "クラウド移行入門", "2024-05-02"],
    ["髙橋　美香", "タカハシ　ミカ", "日本データ株式会社", "", "課長", "m.takahashi@nihon-data.example", "045-222-1100", "セキュリティ対策", "2024-05-02"],
    ["長谷川一", "ハセガワハジメ", "株式会社長谷川製作所", "製造部", "", "hajime@hasegawa-ss.co.jp", "052-111-2200", "セキュリティ対策", "2024-05-07"],
    ["Emily Clark", "", "Acme Japan K.K.", "Marketing", "Director", "emily.clark@acme.example", "+81-3-5555-0100", "クラウド移行入門", "2024-05-08"],
    ["渡辺 恵美子", "わたなべ えみこ", "有限会社ワタナベ", "", "代表", "emiko@watanabe.example", "", "DX推進", "2024-05-10"],
];

#[rustfmt::skip]
const UTF16_HEADERS: [&str; 5] = ["会社名", "氏名", "メール", "電話番号", "メモ"];

#[rustfmt::skip]
const UTF16_ROWS: &[[&str; 5]] = &[
    ["株式会社ミライ技研", "田中 太郎", "t.tanaka@mirai-giken.co.jp", "03-1234-5678", "Excelの「Unicode テキスト」で保存"],
    ["サクラ商事株式会社", "山﨑 花子", "yamasaki@sakura-shoji.jp", "06-6123-4567", "1行目\n2行目"],
    ["日本データ株式会社", "髙木 亮", "r.takagi@nihon-data.example", "045-222-1111", "𠮷野家で打合せ（UTF-16 なら 𠮷 も入る）"],
    ["合同会社ひかりラボ", "佐々木 大輔", "daisuke@hikari-lab.jp", "011-222-3333", "タブを含む\tメモ"],
];

#[rustfmt::skip]
const WEBFORM_HEADERS: [&str; 7] = ["お名前（必須）", "ふりがな", "貴社名", "メールアドレス（必須）", "電話番号", "お問い合わせ内容", "送信日時"];

#[rustfmt::skip]
const WEBFORM_ROWS: &[[&str; 7]] = &[
    ["山田 太郎", "やまだ たろう", "日本データ株式会社", "taro.yamada@nihon-data.example", "03-6666-7777", "資料請求：料金表を送ってください", "2024-10-01 09:15:00"],
    ["小林裕子", "こばやしゆうこ", "株式会社ミライ技研", "y.kobayashi@mirai-giken.co.jp", "", "デモの日程を相談したいです。", "2024-10-02 13:40:12"],
    ["Kenji Sato", "", "Northwind Traders", "kenji@northwind.example", "+81-80-2222-3333", "English OK?", "2024-10-03 18:05:59"],
];

/// A 1×1 transparent PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

fn rows_of<const N: usize>(
    headers: &[&'static str],
    rows: &'static [[&'static str; N]],
) -> Vec<Vec<&'static str>> {
    let mut out = vec![headers.to_vec()];
    out.extend(rows.iter().map(|r| r.to_vec()));
    out
}

/// QUOTED-PRINTABLE for a vCard 2.1 property: every byte outside printable ASCII (and `=`)
/// as `=XX`, lines cut at 76 characters with soft line breaks.
fn qp_property(head: &str, value: &[u8]) -> String {
    let mut out = format!("{head}:");
    let mut line_len = out.len();
    for &b in value {
        let piece = if (0x20..0x7F).contains(&b) && b != b'=' {
            (b as char).to_string()
        } else {
            format!("={b:02X}")
        };
        if line_len + piece.len() > 75 {
            out.push_str("=\r\n");
            line_len = 0;
        }
        out.push_str(&piece);
        line_len += piece.len();
    }
    out.push_str(CRLF);
    out
}

fn sjis_qp(name: &str, value: &str) -> String {
    qp_property(
        &format!("{name};CHARSET=SHIFT_JIS;ENCODING=QUOTED-PRINTABLE"),
        &shift_jis(value),
    )
}

fn vcard_21() -> Vec<u8> {
    let mut out: Vec<u8> = Vec::new();
    let mut text = |s: &str| out.extend_from_slice(s.as_bytes());
    // Card 1: everything QP + Shift_JIS, a long note with soft line breaks.
    text("BEGIN:VCARD\r\nVERSION:2.1\r\n");
    text(&sjis_qp("N", "髙橋;一郎;;;"));
    text(&sjis_qp("FN", "髙橋 一郎"));
    text(&sjis_qp("SOUND;X-IRMC-N", "ﾀｶﾊｼ;ｲﾁﾛｳ;;;"));
    text(&sjis_qp("ORG", "㈱ミライ技研;開発部"));
    text(&sjis_qp("TITLE", "課長"));
    text("TEL;WORK;VOICE:03-1234-5678\r\nTEL;CELL:090-2222-3333\r\nTEL;WORK;FAX:03-1234-5679\r\n");
    text("EMAIL;INTERNET:i.takahashi@mirai-giken.co.jp\r\n");
    text(&sjis_qp(
        "ADR;WORK",
        ";ミライタワー②号館;丸の内1-1-1;千代田区;東京都;100-0005;日本",
    ));
    text(&sjis_qp(
        "NOTE",
        "展示会「DX EXPO 2024」で名刺交換。\r\n来月のセミナーに招待済み。決裁者は部長。",
    ));
    text("END:VCARD\r\n");
    // Card 2: a photo (skipped), a home phone only.
    text("BEGIN:VCARD\r\nVERSION:2.1\r\n");
    text(&sjis_qp("N", "山﨑;花子;;;"));
    text(&sjis_qp("SOUND;X-IRMC-N", "ﾔﾏｻｷ;ﾊﾅｺ;;;"));
    text(&sjis_qp("ORG", "(株)サクラ商事;総務部"));
    text("PHOTO;ENCODING=BASE64;TYPE=JPEG:\r\n /9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////\r\n //////////////////////////////////////////////////wAALCAABAAEBAREA/8QAFAAB\r\n\r\n");
    text("TEL;HOME;VOICE:06-6123-4567\r\nEMAIL;INTERNET:yamasaki@sakura-shoji.jp\r\nEND:VCARD\r\n");
    out.extend_from_slice(b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=SHIFT_JIS:");
    // Card 3: raw Shift_JIS bytes (no QP), only FN: the name is split from it.
    out.extend_from_slice(&shift_jis("佐々木大輔"));
    out.extend_from_slice(b"\r\nORG;CHARSET=SHIFT_JIS:");
    out.extend_from_slice(&shift_jis("合同会社ひかりラボ"));
    out.extend_from_slice(b"\r\nTEL;CELL:090-7777-8888\r\nEND:VCARD\r\n");
    out
}

const VCARD_30: &str = "BEGIN:VCARD\r\n\
VERSION:3.0\r\n\
N:鈴木;花子;;;\r\n\
FN:鈴木 花子\r\n\
X-PHONETIC-LAST-NAME:スズキ\r\n\
X-PHONETIC-FIRST-NAME:ハナコ\r\n\
ORG:株式会社ミライ技研;営業部\r\n\
X-PHONETIC-ORG:ミライギケン\r\n\
TITLE:主任\r\n\
item1.EMAIL;type=INTERNET;type=WORK;type=pref:h.suzuki@mirai-giken.co.jp\r\n\
item2.EMAIL;type=INTERNET:hanako@example.com\r\n\
TEL;type=WORK;type=VOICE:03-1234-5600\r\n\
TEL;type=CELL:080-1234-5678\r\n\
ADR;type=WORK:;;丸の内1-1-1;千代田区;東京都;100-0005;日本\r\n\
URL;type=WORK:https://www.mirai-giken.co.jp\r\n\
NOTE:展示会で名刺交換\\, 資料送付済み\\n次回訪問: 5月\\; 担当は営業部。長いメモは折り返されて次の行\r\n  に続きます。\r\n\
CATEGORIES:展示会,見込み客\r\n\
END:VCARD\r\n\
BEGIN:VCARD\r\n\
VERSION:3.0\r\n\
N:Clark;Emily;;;\r\n\
FN:Emily Clark\r\n\
ORG:Acme Japan K.K.\r\n\
EMAIL;type=INTERNET:emily.clark@acme.example\r\n\
TEL;type=WORK:+81-3-5555-0100\r\n\
END:VCARD\r\n";

const VCARD_40: &str = "BEGIN:VCARD\r\n\
VERSION:4.0\r\n\
N;SORT-AS=\"ヤマダ,タロウ\":山田;太郎;;;\r\n\
FN:山田 太郎\r\n\
ORG;SORT-AS=\"ニホンデータ\":日本データ株式会社;システム部;インフラ課\r\n\
TITLE:マネージャー\r\n\
EMAIL;TYPE=work;PREF=1:taro.yamada@nihon-data.example\r\n\
EMAIL;TYPE=home:taro@example.net\r\n\
EMAIL:yamada.t@example.org\r\n\
TEL;VALUE=uri;TYPE=\"work,voice\";PREF=1:tel:+81-3-6666-7777\r\n\
TEL;VALUE=uri;TYPE=cell:tel:+81-90-8888-9999\r\n\
TEL;VALUE=uri;TYPE=\"work,fax\":tel:+81-3-6666-7778\r\n\
TEL;VALUE=uri;TYPE=home:tel:+81-45-111-2222\r\n\
ADR;TYPE=home:;;1-2-3;横浜市港北区;神奈川県;222-0033;日本\r\n\
ADR;TYPE=work;LABEL=\"神奈川県横浜市西区みなとみらい2-2-1\":;;みなとみらい2-2-1;横浜市西区;神奈川県;220-0012;日本\r\n\
URL:https://nihon-data.example\r\n\
CATEGORIES:セミナー参加\r\n\
END:VCARD\r\n\
BEGIN:VCARD\r\n\
VERSION:4.0\r\n\
N;SORT-AS=\"ワタナベ,ミサキ\":渡邊;美咲;;;\r\n\
FN:渡邊 美咲\r\n\
ORG:サンプル株式会社;マーケティング部\r\n\
EMAIL;TYPE=work:m.watanabe@sample.co.jp\r\n\
TEL;VALUE=uri;TYPE=cell:tel:+81-70-5555-6666\r\n\
END:VCARD\r\n";

fn xlsx() -> Vec<u8> {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let created = ExcelDateTime::from_ymd(2024, 11, 1).unwrap();
    book.set_properties(&DocProperties::new().set_creation_datetime(&created));
    // An empty first sheet: the reader takes the first sheet with cells.
    book.add_worksheet().set_name("表紙").unwrap();
    let sheet = book.add_worksheet();
    sheet.set_name("名刺一覧").unwrap();
    let date = Format::new().set_num_format("yyyy/mm/dd");
    let datetime = Format::new().set_num_format("yyyy/mm/dd hh:mm");
    let headers = [
        "氏名",
        "フリガナ",
        "会社名",
        "部署",
        "役職",
        "郵便番号",
        "電話番号",
        "携帯電話",
        "メールアドレス",
        "従業員数",
        "評価",
        "DM可",
        "名刺交換日",
        "メモ",
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    // Row 2: numbers where Excel users type them: postal code, mobile (leading 0 lost),
    // employee count; a real date.
    sheet.write_string(1, 0, "田中 太郎").unwrap();
    sheet.write_string(1, 1, "タナカ タロウ").unwrap();
    sheet.write_string(1, 2, "株式会社ミライ技研").unwrap();
    sheet.write_string(1, 3, "営業部").unwrap();
    sheet.write_string(1, 4, "部長").unwrap();
    sheet.write_number(1, 5, 1000005.0).unwrap();
    sheet.write_string(1, 6, "03-1234-5678").unwrap();
    sheet.write_number(1, 7, 9011112222.0).unwrap();
    sheet
        .write_string(1, 8, "t.tanaka@mirai-giken.co.jp")
        .unwrap();
    sheet.write_number(1, 9, 120.0).unwrap();
    sheet.write_number(1, 10, 4.5).unwrap();
    sheet.write_boolean(1, 11, true).unwrap();
    sheet
        .write_datetime_with_format(1, 12, ExcelDateTime::from_ymd(2024, 4, 1).unwrap(), &date)
        .unwrap();
    sheet
        .write_string(1, 13, "展示会で名刺交換\n資料送付済み")
        .unwrap();
    // Row 3: strings everywhere, a date with a time.
    sheet.write_string(2, 0, "髙橋 一郎").unwrap();
    sheet.write_string(2, 1, "タカハシ イチロウ").unwrap();
    sheet.write_string(2, 2, "㈱ミライ技研").unwrap();
    sheet.write_string(2, 5, "530-0001").unwrap();
    sheet.write_string(2, 7, "090-2222-3333").unwrap();
    sheet.write_number(2, 9, 8.0).unwrap();
    sheet.write_boolean(2, 11, false).unwrap();
    let when = ExcelDateTime::from_ymd(2024, 4, 15)
        .unwrap()
        .and_hms(14, 30, 0)
        .unwrap();
    sheet
        .write_datetime_with_format(2, 12, when, &datetime)
        .unwrap();
    // Row 4 left empty (skipped, still counted); row 5.
    sheet.write_string(4, 0, "Emily Clark").unwrap();
    sheet.write_string(4, 2, "Acme Japan K.K.").unwrap();
    sheet.write_number(4, 9, 15000.0).unwrap();
    sheet.write_number(4, 10, 3.25).unwrap();
    sheet
        .write_datetime_with_format(4, 12, ExcelDateTime::from_ymd(2024, 9, 30).unwrap(), &date)
        .unwrap();
    book.save_to_buffer().unwrap()
}

/// An OpenDocument spreadsheet (LibreOffice, Google Sheets export): a text cell, a date cell
/// and a mobile number stored as a number, as those programs write them. Deterministic
/// (stored entries, fixed times).
fn ods() -> Vec<u8> {
    use std::io::Write;
    let cell = |value: &str| -> String {
        if let Some(date) = value.strip_prefix("date:") {
            format!("<table:table-cell office:value-type=\"date\" office:date-value=\"{date}\"><text:p>{date}</text:p></table:table-cell>")
        } else if let Some(number) = value.strip_prefix("num:") {
            format!("<table:table-cell office:value-type=\"float\" office:value=\"{number}\"><text:p>{number}</text:p></table:table-cell>")
        } else {
            format!("<table:table-cell office:value-type=\"string\"><text:p>{value}</text:p></table:table-cell>")
        }
    };
    let rows: [&[&str]; 3] = [
        &[
            "氏名",
            "フリガナ",
            "会社名",
            "メールアドレス",
            "携帯電話",
            "名刺交換日",
        ],
        &[
            "松本 由紀",
            "マツモト ユキ",
            "株式会社オーディーエス",
            "y.matsumoto@ods.example.jp",
            "num:9012345678",
            "date:2024-09-12",
        ],
        &[
            "井上 大輔",
            "イノウエ ダイスケ",
            "(株)ひかり商会",
            "d.inoue@hikari.example.jp",
            "080-9876-5432",
            "date:2024-10-01",
        ],
    ];
    let body: String = rows
        .iter()
        .map(|r| {
            format!(
                "<table:table-row>{}</table:table-row>",
                r.iter().map(|v| cell(v)).collect::<String>()
            )
        })
        .collect();
    let content = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<office:document-content \
         xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" \
         xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" \
         xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" office:version=\"1.2\">\
         <office:body><office:spreadsheet><table:table table:name=\"名刺\">{body}</table:table>\
         </office:spreadsheet></office:body></office:document-content>"
    );
    let manifest = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<manifest:manifest \
        xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" manifest:version=\"1.2\">\
        <manifest:file-entry manifest:full-path=\"/\" manifest:media-type=\"application/vnd.oasis.opendocument.spreadsheet\"/>\
        <manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/>\
        </manifest:manifest>";
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .last_modified_time(zip::DateTime::default());
    for (name, text) in [
        ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
        ("META-INF/manifest.xml", manifest),
        ("content.xml", content.as_str()),
    ] {
        zip.start_file(name, options).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// Every fixture as (file name, bytes).
pub(crate) fn all() -> Vec<(&'static str, Vec<u8>)> {
    let eight = rows_of(&preset_headers("eight"), EIGHT_ROWS);
    let sansan = rows_of(&preset_headers("sansan"), SANSAN_ROWS);
    let mut sansan_bytes = vec![0xEF, 0xBB, 0xBF];
    sansan_bytes.extend_from_slice(csv_text(&sansan, ',', CRLF).as_bytes());
    let seminar = csv_text(&rows_of(&SEMINAR_HEADERS, SEMINAR_ROWS), ',', "\n");
    let (euc, _, unmappable) = encoding_rs::EUC_JP.encode(&seminar);
    assert!(!unmappable);
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(
        csv_text(&rows_of(&UTF16_HEADERS, UTF16_ROWS), '\t', CRLF)
            .encode_utf16()
            .flat_map(u16::to_le_bytes),
    );
    let mut binary = Vec::with_capacity(512);
    let mut x: u32 = 0x1234_5678;
    for _ in 0..512 {
        x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        binary.push((x >> 24) as u8);
    }
    vec![
        ("eight_sjis.csv", shift_jis(&csv_text(&eight, ',', CRLF))),
        ("sansan_utf8_bom.csv", sansan_bytes),
        (
            "generic_utf8.csv",
            csv_text(&rows_of(&GENERIC_HEADERS, GENERIC_ROWS), ',', "\n").into_bytes(),
        ),
        ("seminar_eucjp.csv", euc.into_owned()),
        ("list_utf16le.txt", utf16),
        (
            "webform.tsv",
            csv_text(&rows_of(&WEBFORM_HEADERS, WEBFORM_ROWS), '\t', "\n").into_bytes(),
        ),
        ("cards.xlsx", xlsx()),
        ("cards.ods", ods()),
        ("cards_21_sjis_qp.vcf", vcard_21()),
        ("cards_30.vcf", VCARD_30.as_bytes().to_vec()),
        ("cards_40.vcf", VCARD_40.as_bytes().to_vec()),
        ("empty.csv", Vec::new()),
        ("header_only.csv", "氏名,会社名,メールアドレス\r\n".as_bytes().to_vec()),
        (
            "ragged.csv",
            "氏名,会社名,メール\n田中 太郎,ミライ技研,t@example.jp\n佐藤 花子,サクラ商事\n鈴木 一郎,ABC,s@example.jp,余分\n"
                .as_bytes()
                .to_vec(),
        ),
        (
            "unbalanced_quote.csv",
            "氏名,会社名,メモ\n田中 太郎,ミライ技研,ok\n佐藤 花子,\"サクラ商事,memo\n鈴木 一郎,ABC,x\n"
                .as_bytes()
                .to_vec(),
        ),
        ("binary.bin", binary),
        ("png_renamed.csv", PNG.to_vec()),
        (
            "nul_bytes.csv",
            "氏名,会社名\n田中 太郎,ミライ\0技研\n佐藤 花子,サクラ商事\n".as_bytes().to_vec(),
        ),
        (
            "duplicate_headers.csv",
            "氏名,メモ,会社名,メモ,メモ\n田中 太郎,一つ目,ミライ技研,二つ目,三つ目\n"
                .as_bytes()
                .to_vec(),
        ),
    ]
}

#[test]
#[ignore = "rewrites tests/fixtures; run by hand after changing the generator"]
fn write_fixtures() {
    let dir = fixtures_dir();
    for (name, bytes) in all() {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}

#[test]
fn committed_fixtures_match_the_generator() {
    let dir = fixtures_dir();
    for (name, bytes) in all() {
        let committed = std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            committed == bytes,
            "{name} differs from the generator: rewrite the fixtures"
        );
    }
}
