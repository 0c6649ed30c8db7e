//! The CSV/TSV reader with encoding detection (UTF-8/16, Shift_JIS, EUC-JP …).
#![no_main]

#[path = "common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // The first byte picks the extension the user's file might have.
    let (ext, body) = match data.split_first() {
        Some((b, rest)) if b % 3 == 0 => ("tsv", rest),
        Some((b, rest)) if b % 3 == 1 => ("txt", rest),
        Some((_, rest)) => ("csv", rest),
        None => ("csv", data),
    };
    common::read_all(body, ext);
});
