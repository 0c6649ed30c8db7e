//! The vCard parser (2.1 quoted-printable and charsets, 3.0, 4.0, folding, escapes).
#![no_main]

#[path = "common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // Start every input as a card so that the sniffer hands it to the vCard parser.
    let mut card = b"BEGIN:VCARD\r\n".to_vec();
    card.extend_from_slice(data);
    common::read_all(&card, "vcf");
});
