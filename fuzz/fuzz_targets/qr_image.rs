//! An image to find a QR code in (decoded with size limits, turned upright, scanned): a
//! reading or an error, never a panic or an unbounded allocation.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = sodate_core::capture::qr::read_image(data);
});
