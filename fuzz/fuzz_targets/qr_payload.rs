//! The text inside a QR code (vCard in any charset, MeCard, web address, plain text): read as
//! card fields or refused with an error, never a panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(reading) = sodate_core::capture::qr::read_payload(data) {
        assert!(!reading.fields.is_empty(), "a reading fills at least one field");
    }
});
