//! QR codes on badges and cards: found in a photo (or a camera frame) with `rqrr`, their
//! payload read as bytes (`decode_to`: Shift_JIS payloads make `decode()` fail, see
//! PITFALLS.md), the text's encoding detected like an imported file's, then split into
//! [`CardFields`]:
//!
//! * `BEGIN:VCARD` — read by the vCard import reader (same unfolding, QP, charsets);
//! * `MECARD:` — `N:family,given;SOUND:reading;TEL:…;EMAIL:…;ADR:…;URL:…;NOTE:…;` (plus the
//!   `ORG` and `TITLE` extensions badge printers use);
//! * a web address — the URL field;
//! * other text — the memo (an email address alone goes to the email field).
//!
//! Bytes that are no text at all (control characters, undecodable) are refused as garbage.

use serde::Serialize;

use crate::card_fields::CardFields;
use crate::import::{first_card_fields, guess_legacy_japanese, TextEncoding};
use crate::{Error, Result};

/// The longest side of the picture the QR finder looks at, in pixels (a photo is shrunk).
pub const SCAN_SIDE: u32 = 2000;

/// What a QR code said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct QrReading {
    /// `vcard`, `mecard`, `url` or `text`.
    pub kind: String,
    /// The encoding the payload was read in (`utf-8`, `shift_jis`, `euc-jp`).
    pub encoding: String,
    /// The payload as text.
    pub payload: String,
    pub fields: CardFields,
}

fn qr_error(code: &str, message: impl Into<String>) -> Error {
    Error::invalid("qr", code, message)
}

/// Finds a QR code in an image file's bytes and reads it.
pub fn read_image(bytes: &[u8]) -> Result<QrReading> {
    let image = super::photos::decode_upright(bytes)?;
    let small = if image.width() > SCAN_SIDE || image.height() > SCAN_SIDE {
        image.resize(SCAN_SIDE, SCAN_SIDE, image::imageops::FilterType::Triangle)
    } else {
        image
    };
    let luma = small.to_luma8();
    let (w, h) = (luma.width() as usize, luma.height() as usize);
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| {
        luma.get_pixel(x as u32, y as u32).0[0]
    });
    let grids = prepared.detect_grids();
    if grids.is_empty() {
        return Err(qr_error("no_qr", "no QR code was found in the image"));
    }
    let mut last_error = String::new();
    for grid in grids {
        let mut payload = Vec::new();
        match grid.decode_to(&mut payload) {
            Ok(_) => return read_payload(&payload),
            Err(e) => last_error = e.to_string(),
        }
    }
    Err(qr_error(
        "qr_unreadable",
        format!("a QR code was found but cannot be read ({last_error}); try a sharper photo"),
    ))
}

/// Decodes a payload's bytes to text: UTF-8 when it is, else Shift_JIS or EUC-JP.
fn payload_text(bytes: &[u8]) -> Result<(String, TextEncoding)> {
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    let (text, encoding) = match std::str::from_utf8(bytes) {
        Ok(t) => (Some(t.to_string()), TextEncoding::Utf8),
        Err(_) => {
            let enc = guess_legacy_japanese(bytes, true);
            let text = enc
                .encoding()
                .decode_without_bom_handling_and_without_replacement(bytes)
                .map(|t| t.into_owned());
            (text, enc)
        }
    };
    let garbage = || {
        qr_error(
            "qr_garbage",
            "the QR code holds no readable text (not a vCard, MeCard, web address or text)",
        )
    };
    let text = text.ok_or_else(garbage)?;
    let controls = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\r' | '\n' | '\t'))
        .count();
    if text.trim().is_empty() || controls > 0 {
        return Err(garbage());
    }
    Ok((text, encoding))
}

/// Splits a QR payload into card fields.
pub fn read_payload(bytes: &[u8]) -> Result<QrReading> {
    let (text, encoding) = payload_text(bytes)?;
    let trimmed = text.trim();
    let upper: String = trimmed
        .chars()
        .take(12)
        .collect::<String>()
        .to_ascii_uppercase();
    let (kind, fields) = if upper.starts_with("BEGIN:VCARD") {
        // The reader decodes the raw bytes itself: each property in its own CHARSET, else
        // in the encoding found above.
        let fields = first_card_fields(bytes, encoding)
            .map_err(|e| {
                qr_error(
                    "qr_bad_vcard",
                    format!("the vCard in the QR code cannot be read: {e}"),
                )
            })?
            .unwrap_or_default();
        ("vcard", fields)
    } else if upper.starts_with("MECARD:") {
        ("mecard", mecard(&trimmed[7..]))
    } else if is_web_address(trimmed) {
        (
            "url",
            CardFields {
                url: trimmed.to_string(),
                ..CardFields::default()
            },
        )
    } else if crate::normalize::email(trimmed).is_ok() {
        (
            "text",
            CardFields {
                email: trimmed.to_string(),
                ..CardFields::default()
            },
        )
    } else {
        (
            "text",
            CardFields {
                note: trimmed.to_string(),
                ..CardFields::default()
            },
        )
    };
    if fields.is_empty() {
        return Err(qr_error(
            "qr_empty_card",
            format!("the QR code holds a {kind} with no fields to fill in"),
        ));
    }
    Ok(QrReading {
        kind: kind.to_string(),
        encoding: encoding.code().to_string(),
        payload: trimmed.to_string(),
        fields,
    })
}

fn is_web_address(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    !text.contains(char::is_whitespace)
        && (lower.starts_with("http://")
            || lower.starts_with("https://")
            || lower.starts_with("www."))
}

/// Splits MeCard text at unescaped `sep`, undoing `\;` `\:` `\,` `\\`.
fn split_escaped(text: &str, sep: char) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                if let Some(last) = out.last_mut() {
                    last.push(next);
                }
            }
        } else if c == sep {
            out.push(String::new());
        } else if let Some(last) = out.last_mut() {
            last.push(c);
        }
    }
    out
}

/// Splits text at unescaped `sep` keeping the escapes (for a second split).
fn split_keeping_escapes(text: &str, sep: char) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut escaped = false;
    for c in text.chars() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == sep {
            out.push(String::new());
            continue;
        }
        if let Some(last) = out.last_mut() {
            last.push(c);
        }
    }
    out
}

fn mecard(body: &str) -> CardFields {
    let mut f = CardFields::default();
    let mut tels: Vec<String> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    for field in split_keeping_escapes(body, ';') {
        let Some((key, value)) = field.split_once(':') else {
            continue;
        };
        let key = key.trim().to_ascii_uppercase();
        let parts = split_escaped(value, ',');
        let joined = || split_escaped(value, '\u{0}').concat();
        let part = |i: usize| {
            parts
                .get(i)
                .map(|p| p.trim().to_string())
                .unwrap_or_default()
        };
        match key.as_str() {
            "N" => {
                if parts.len() > 1 {
                    f.family_name = part(0);
                    f.given_name = part(1);
                } else {
                    let (family, given) = crate::import::split_full_name(&part(0));
                    f.family_name = family;
                    f.given_name = given;
                }
            }
            "SOUND" => {
                if parts.len() > 1 {
                    f.family_reading = part(0);
                    f.given_reading = part(1);
                } else {
                    let (family, given) = crate::import::split_full_name(&part(0));
                    f.family_reading = family;
                    f.given_reading = given;
                }
            }
            "TEL" | "TEL-AV" => tels.push(joined().trim().to_string()),
            "EMAIL" if f.email.is_empty() => f.email = joined().trim().to_string(),
            "ORG" => f.company = joined().trim().to_string(),
            "TITLE" => f.title = joined().trim().to_string(),
            "URL" if f.url.is_empty() => f.url = joined().trim().to_string(),
            "ADR" => {
                // PO box, extended, street, locality, region, postal code, country.
                let comps: Vec<String> = parts.iter().map(|p| p.trim().to_string()).collect();
                let at = |i: usize| comps.get(i).cloned().unwrap_or_default();
                if comps.len() >= 6 {
                    f.postal_code = at(5);
                    f.address = format!("{}{}{}", at(4), at(3), at(2));
                    if !at(1).is_empty() {
                        f.address.push(' ');
                        f.address.push_str(&at(1));
                    }
                } else {
                    f.address = joined().trim().to_string();
                }
            }
            "NOTE" | "MEMO" => notes.push(joined().trim().to_string()),
            _ => {}
        }
    }
    // A mobile number (070/080/090) goes to the mobile field, the first other to phone.
    for tel in tels.into_iter().filter(|t| !t.is_empty()) {
        let digits: String = crate::normalize::nfkc(&tel)
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        let mobile = ["070", "080", "090"].iter().any(|p| digits.starts_with(p))
            || ["8170", "8180", "8190"]
                .iter()
                .any(|p| digits.starts_with(p));
        if mobile && f.mobile.is_empty() {
            f.mobile = tel;
        } else if f.phone.is_empty() {
            f.phone = tel;
        } else {
            notes.push(tel);
        }
    }
    f.note = notes
        .into_iter()
        .filter(|n| !n.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mecard_with_escapes_and_phones() {
        let r = read_payload(
            "MECARD:N:山田,太郎;SOUND:ヤマダ,タロウ;TEL:03-1234-5678;TEL:090-1111-2222;EMAIL:taro@example.co.jp;ORG:株式会社サンプル\\;東京;NOTE:a\\:b;;"
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(r.kind, "mecard");
        let f = r.fields;
        assert_eq!(
            (f.family_name.as_str(), f.given_name.as_str()),
            ("山田", "太郎")
        );
        assert_eq!(
            (f.family_reading.as_str(), f.given_reading.as_str()),
            ("ヤマダ", "タロウ")
        );
        assert_eq!(f.phone, "03-1234-5678");
        assert_eq!(f.mobile, "090-1111-2222");
        assert_eq!(f.email, "taro@example.co.jp");
        assert_eq!(f.company, "株式会社サンプル;東京");
        assert_eq!(f.note, "a:b");
    }

    #[test]
    fn mecard_name_without_comma_is_split() {
        let f = read_payload("MECARD:N:佐藤 花子;;".as_bytes())
            .unwrap()
            .fields;
        assert_eq!(
            (f.family_name.as_str(), f.given_name.as_str()),
            ("佐藤", "花子")
        );
    }

    #[test]
    fn shift_jis_vcard_payload() {
        let text = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:田中;一郎\r\nORG:株式会社サンプル;営業部\r\nEMAIL:ichiro@example.jp\r\nEND:VCARD\r\n";
        let (sjis, _, bad) = encoding_rs::SHIFT_JIS.encode(text);
        assert!(!bad);
        let r = read_payload(&sjis).unwrap();
        assert_eq!(r.kind, "vcard");
        assert_eq!(r.encoding, "shift_jis");
        assert_eq!(r.fields.family_name, "田中");
        assert_eq!(r.fields.company, "株式会社サンプル");
        assert_eq!(r.fields.department, "営業部");
    }

    #[test]
    fn urls_emails_text_and_garbage() {
        assert_eq!(
            read_payload(b"https://example.jp/a").unwrap().fields.url,
            "https://example.jp/a"
        );
        assert_eq!(
            read_payload(b"a@example.jp").unwrap().fields.email,
            "a@example.jp"
        );
        assert_eq!(
            read_payload("ブース来訪 No.12".as_bytes())
                .unwrap()
                .fields
                .note,
            "ブース来訪 No.12"
        );
        for bad in [&b"\x00\x01\x02\xff\xfe"[..], b"", b"   ", b"\x1b[31m"] {
            let e = read_payload(bad).unwrap_err();
            assert_eq!(e.field_issues()[0].code, "qr_garbage", "{bad:?}");
        }
        let e = read_payload(b"BEGIN:VCARD\r\nVERSION:3.0\r\nEND:VCARD\r\n").unwrap_err();
        assert_eq!(e.field_issues()[0].code, "qr_empty_card");
    }
}
