//! The scoring model parser: JSON text to a validated `ScoringModel` (no database).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(model) = sodate_core::scoring::ScoringModel::from_json(text) {
        // What was accepted writes back and reads again.
        if let Ok(json) = model.to_json() {
            let _ = sodate_core::scoring::ScoringModel::from_json(&json);
        }
    }
});
