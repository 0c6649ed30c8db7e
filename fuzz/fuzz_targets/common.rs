//! Shared by the file-reader targets: write the input to a file, open it as an import would
//! (format sniffing, encoding detection) and read every row. Errors are fine; panics, hangs
//! and unbounded memory are the findings.

use sodate_core::import::{self, Options, SourceRow};

pub fn read_all(data: &[u8], extension: &str) {
    let Ok(dir) = tempfile::tempdir() else { return };
    let path = dir.path().join(format!("input.{extension}"));
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let Ok(mut reader) = import::open(&path, &Options::default()) else {
        return;
    };
    let _ = reader.headers().len();
    let mut row = SourceRow::default();
    // Row errors are reported per row; a file error ends the read.
    for _ in 0..100_000 {
        match reader.read_row(&mut row) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) if e.is_row_error() => {}
            Err(_) => break,
        }
    }
}
