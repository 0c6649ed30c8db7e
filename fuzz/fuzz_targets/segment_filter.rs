//! The segment filter parser: JSON text to a `SegmentFilter`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
        let _ = sodate_core::segments::parse(&value);
    }
});
