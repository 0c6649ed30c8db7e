//! `sodate card-text [FILE]`: OCR lines of a business card split into the capture form's
//! fields. Reads a JSON array of lines (`{text, bbox, lineHeight, confidence, words}`, as
//! the app sends them) or plain text, one line per line, from FILE or standard input.

use std::io::Read;
use std::path::PathBuf;

use clap::Args;
use sodate_core::card_text::{self, OcrLine};
use sodate_core::{Error, FieldIssue, Result};

use crate::print_json;

/// More than this is not a card's text.
const MAX_INPUT_BYTES: u64 = 4 * 1024 * 1024;

#[derive(Args)]
pub(crate) struct CardTextArgs {
    /// A JSON array of OCR lines or a plain text file (default or `-`: standard input).
    file: Option<PathBuf>,
}

fn invalid(code: &str, message: String) -> Error {
    Error::Invalid {
        issues: vec![FieldIssue::new("input", code, message)],
    }
}

fn read_input(file: Option<&PathBuf>) -> Result<String> {
    let mut bytes = Vec::new();
    let read = match file.filter(|f| f.as_os_str() != "-") {
        Some(path) => std::fs::File::open(path)
            .and_then(|f| f.take(MAX_INPUT_BYTES + 1).read_to_end(&mut bytes))
            .map_err(|e| invalid("unreadable", format!("cannot read {}: {e}", path.display()))),
        None => std::io::stdin()
            .take(MAX_INPUT_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| invalid("unreadable", format!("cannot read standard input: {e}"))),
    };
    read?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(invalid(
            "too_large",
            format!(
                "the input is larger than {MAX_INPUT_BYTES} bytes; a card's text is far smaller"
            ),
        ));
    }
    String::from_utf8(bytes)
        .map_err(|_| invalid("not_utf8", "the input is not UTF-8 text".to_string()))
}

/// JSON when the input starts with `[`, else plain text lines.
fn lines_of(input: &str) -> Result<Vec<OcrLine>> {
    if input.trim_start().starts_with('[') {
        serde_json::from_str(input).map_err(|e| {
            invalid(
                "invalid_json",
                format!("the input looks like JSON but is not an array of OCR lines: {e}"),
            )
        })
    } else {
        Ok(card_text::lines_from_text(input))
    }
}

pub(crate) fn run(json: bool, args: CardTextArgs) -> Result<()> {
    let input = read_input(args.file.as_ref())?;
    let fields = card_text::read_card_text(&lines_of(&input)?)?;
    if json {
        return print_json(&fields);
    }
    let rows = [
        ("family name", &fields.family_name),
        ("given name", &fields.given_name),
        ("family reading", &fields.family_reading),
        ("given reading", &fields.given_reading),
        ("company", &fields.company),
        ("company reading", &fields.company_reading),
        ("department", &fields.department),
        ("title", &fields.title),
        ("email", &fields.email),
        ("phone", &fields.phone),
        ("mobile", &fields.mobile),
        ("fax", &fields.fax),
        ("postal code", &fields.postal_code),
        ("address", &fields.address),
        ("url", &fields.url),
        ("note", &fields.note),
    ];
    for (label, value) in rows.iter().filter(|(_, v)| !v.is_empty()) {
        println!("{label:<15} {}", value.replace('\n', " / "));
    }
    Ok(())
}
