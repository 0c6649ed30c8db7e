//! Throughput of the text reader on a million 15-column rows, in UTF-8 and Shift_JIS.
//! Not a pass/fail test: run it in release mode and read the figures.
//!
//! `cargo test --release -p sodate-core --lib import::perf -- --ignored --nocapture`

#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::io::Write;
use std::time::Instant;

use super::{open, Options, SourceRow};

const ROWS: u32 = 1_000_000;

fn write_file(path: &std::path::Path, shift_jis: bool) -> u64 {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let header = "姓,名,セイ,メイ,会社名,部署,役職,メールアドレス,電話番号,携帯電話,郵便番号,都道府県,住所,URL,メモ\r\n";
    let mut buf = String::with_capacity(512);
    let emit = |out: &mut std::io::BufWriter<std::fs::File>, text: &str| {
        if shift_jis {
            let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(text);
            out.write_all(&bytes).unwrap();
        } else {
            out.write_all(text.as_bytes()).unwrap();
        }
    };
    emit(&mut out, header);
    for i in 0..ROWS {
        buf.clear();
        use std::fmt::Write as _;
        write!(
            buf,
            "田中{},太郎,タナカ,タロウ,株式会社ミライ技研{},営業部,課長,t{i}@mirai-giken.co.jp,03-1234-{:04},090-1111-{:04},100-0005,東京都,千代田区丸の内1-1-{},https://www.mirai-giken.co.jp,\"展示会で名刺交換, 資料送付済み\"\r\n",
            i % 100,
            i % 1000,
            i % 10_000,
            (i * 7) % 10_000,
            i % 50,
        )
        .unwrap();
        emit(&mut out, &buf);
    }
    out.flush().unwrap();
    std::fs::metadata(path).unwrap().len()
}

fn measure(label: &str, shift_jis: bool) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("perf.csv");
    let size = write_file(&path, shift_jis);
    for _ in 0..2 {
        let start = Instant::now();
        let mut reader = open(&path, &Options::default()).unwrap();
        let mut row = SourceRow::default();
        let mut n = 0u64;
        while reader.read_row(&mut row).unwrap() {
            n += 1;
        }
        let secs = start.elapsed().as_secs_f64();
        assert_eq!(n, u64::from(ROWS));
        assert_eq!(row.cells.len(), 15);
        println!(
            "{label}: {n} rows x 15 cols, {:.0} MB in {secs:.3} s = {:.0} rows/s, {:.0} MB/s (read_row)",
            size as f64 / 1e6,
            n as f64 / secs,
            size as f64 / 1e6 / secs
        );
        let start = Instant::now();
        let mut n = 0usize;
        for row in open(&path, &Options::default()).unwrap() {
            n += row.unwrap().cells.len() / 15;
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "{label}: {:.0} rows/s (iterator, a new Vec<String> per row)",
            n as f64 / secs
        );
    }
}

#[test]
#[ignore = "a measurement, run in release mode"]
fn throughput() {
    measure("UTF-8", false);
    measure("Shift_JIS", true);
}
