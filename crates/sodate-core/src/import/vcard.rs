//! vCard 2.1, 3.0 and 4.0, one card at a time, each card becoming a row with fixed headers
//! ([`headers`]).
//!
//! Written here because the crates we looked at garble what Japanese phones and Outlook
//! export (2.1 with `CHARSET=SHIFT_JIS;ENCODING=QUOTED-PRINTABLE`, see PITFALLS.md). Works on
//! raw bytes: lines are unfolded (a line starting with a space or tab continues the one
//! before; a QUOTED-PRINTABLE value ending in `=` continues on the next line), each value is
//! QP-decoded when asked, then decoded with its own `CHARSET`, else with the file's
//! encoding. A QP value without `CHARSET` that is not UTF-8 is tried as Shift_JIS (what
//! Japanese phones meant). Escapes `\,` `\;` `\\` `\n` are undone in every version.
//! BASE64 values (photos, keys) are skipped.
//!
//! | property | column |
//! |---|---|
//! | `N` (family;given), else `FN` split by [`split_full_name`](super::split_full_name) | 姓, 名 |
//! | `SOUND;X-IRMC-N`, `X-PHONETIC-LAST-NAME`/`-FIRST-NAME`, `N;SORT-AS=` | セイ, メイ |
//! | `ORG` (company;department…), `X-PHONETIC-ORG`, `ORG;SORT-AS=` | 会社名, 会社名（フリガナ）, 部署 |
//! | `TITLE` | 役職 |
//! | `EMAIL`: the first, the others | メールアドレス, その他のメールアドレス |
//! | `TEL`: `CELL` → mobile, `FAX` → fax, the first `WORK` (else other) → phone, the rest | 携帯電話, FAX, 電話番号, その他の電話番号 |
//! | `ADR` (`WORK` first): postal code, region, locality + street + extended | 郵便番号, 都道府県, 住所 |
//! | `URL`, `CATEGORIES`, `NOTE` | URL, タグ, メモ |

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use super::mapping::{split_full_name, Field};
use super::text::Source;
use super::{ImportError, SourceRow, TextEncoding, MAX_CELL_BYTES};
use crate::card_fields::CardFields;

/// The columns of a card row, in order.
const COLUMNS: [Col; 20] = [
    Col::Field(Field::FamilyName),
    Col::Field(Field::GivenName),
    Col::Field(Field::FamilyReading),
    Col::Field(Field::GivenReading),
    Col::Field(Field::CompanyName),
    Col::Field(Field::CompanyReading),
    Col::Field(Field::Department),
    Col::Field(Field::Title),
    Col::Field(Field::Email),
    Col::OtherEmails,
    Col::Field(Field::Phone),
    Col::Field(Field::Mobile),
    Col::Field(Field::Fax),
    Col::OtherPhones,
    Col::Field(Field::PostalCode),
    Col::Field(Field::Prefecture),
    Col::Field(Field::Address),
    Col::Field(Field::Website),
    Col::Field(Field::Tags),
    Col::Field(Field::Notes),
];

#[derive(Clone)]
enum Col {
    Field(Field),
    OtherEmails,
    OtherPhones,
}

/// The header of the "other e-mail addresses" column of vCard rows.
pub const OTHER_EMAILS: &str = "その他のメールアドレス";
/// The header of the "other phone numbers" column of vCard rows.
pub const OTHER_PHONES: &str = "その他の電話番号";

/// The fixed headers of card rows: the Japanese labels of the lead fields (which
/// [`auto_map`](super::mapping::auto_map) maps exactly) plus two extra columns.
pub(super) fn headers() -> Vec<String> {
    COLUMNS
        .iter()
        .map(|c| match c {
            Col::Field(f) => f.label_ja().to_string(),
            Col::OtherEmails => OTHER_EMAILS.to_string(),
            Col::OtherPhones => OTHER_PHONES.to_string(),
        })
        .collect()
}

fn column_of(field: &Field) -> usize {
    COLUMNS
        .iter()
        .position(|c| matches!(c, Col::Field(f) if f == field))
        .map_or(1, |i| i + 1)
}

pub(super) struct VcardReader {
    path: PathBuf,
    input: BufReader<Source>,
    encoding: TextEncoding,
    /// The next physical line, read ahead to see whether it continues the current one.
    pending: Option<(u64, Vec<u8>)>,
    line: u64,
    cards: u64,
    done: bool,
}

/// One property: name (upper case, without group), parameters, raw value bytes.
struct Property {
    name: String,
    params: Vec<(String, String)>,
    value: Vec<u8>,
}

impl Property {
    fn param(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The TYPE values, upper case (`TEL;CELL`, `TEL;TYPE=work,voice`, `TYPE="cell"`).
    fn types(&self) -> Vec<String> {
        self.params
            .iter()
            .filter(|(k, _)| k == "TYPE")
            .flat_map(|(_, v)| v.split(','))
            .map(|t| t.trim().to_ascii_uppercase())
            .collect()
    }

    fn has_type(&self, t: &str) -> bool {
        self.types().iter().any(|x| x == t)
    }
}

#[derive(Default)]
struct Card {
    family: String,
    given: String,
    full_name: String,
    family_reading: String,
    given_reading: String,
    company: String,
    company_reading: String,
    department: String,
    title: String,
    emails: Vec<String>,
    /// (value, types)
    tels: Vec<(String, Vec<String>)>,
    /// (components, is work)
    adrs: Vec<(Vec<String>, bool)>,
    url: String,
    tags: Vec<String>,
    notes: Vec<String>,
    error: Option<ImportError>,
}

impl VcardReader {
    pub(super) fn open(path: &Path, encoding: TextEncoding) -> Result<Self, ImportError> {
        let source = Source::open(path, encoding)?;
        Ok(Self {
            path: path.to_path_buf(),
            input: BufReader::with_capacity(64 * 1024, source),
            // UTF-16 arrives transcoded.
            encoding: if encoding.is_utf16() {
                TextEncoding::Utf8
            } else {
                encoding
            },
            pending: None,
            line: 0,
            cards: 0,
            done: false,
        })
    }

    /// Reads cards from bytes in memory (a QR code's payload); `encoding` as for a file
    /// (UTF-16 is not offered: QR payloads are bytes of an 8-bit encoding).
    fn from_bytes(bytes: Vec<u8>, encoding: TextEncoding) -> Self {
        Self {
            path: PathBuf::from("QR"),
            input: BufReader::new(Source::Memory(std::io::Cursor::new(bytes))),
            encoding,
            pending: None,
            line: 0,
            cards: 0,
            done: false,
        }
    }

    pub(super) fn bytes_read(&self) -> u64 {
        self.input.get_ref().bytes_read()
    }

    /// The next physical line without its line break; lines longer than twice the cell
    /// limit are cut (the excess is read and dropped, memory stays flat).
    fn physical(&mut self) -> Result<Option<(u64, Vec<u8>)>, ImportError> {
        if let Some(p) = self.pending.take() {
            return Ok(Some(p));
        }
        let mut line = Vec::new();
        let mut any = false;
        loop {
            let chunk = match self.input.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.done = true;
                    return Err(ImportError::io(&self.path, &e));
                }
            };
            if chunk.is_empty() {
                break;
            }
            any = true;
            let (take, found) = match memchr::memchr(b'\n', chunk) {
                Some(i) => (i + 1, true),
                None => (chunk.len(), false),
            };
            if line.len() < 2 * MAX_CELL_BYTES + 2 {
                line.extend_from_slice(&chunk[..take]);
            }
            self.input.consume(take);
            if found {
                break;
            }
        }
        if !any {
            return Ok(None);
        }
        self.line += 1;
        while matches!(line.last(), Some(b'\n' | b'\r')) {
            line.pop();
        }
        Ok(Some((self.line, line)))
    }

    /// The next unfolded line, with the number of its first physical line.
    fn logical(&mut self) -> Result<Option<(u64, Vec<u8>)>, ImportError> {
        let Some((number, mut line)) = self.physical()? else {
            return Ok(None);
        };
        let qp = is_quoted_printable(&line);
        loop {
            if qp && line.last() == Some(&b'=') {
                match self.physical()? {
                    Some((_, next)) => {
                        line.pop();
                        append_capped(&mut line, &next);
                        continue;
                    }
                    None => break,
                }
            }
            match self.physical()? {
                Some((_, next)) if matches!(next.first(), Some(b' ' | b'\t')) => {
                    append_capped(&mut line, &next[1..]);
                }
                Some(other) => {
                    self.pending = Some(other);
                    break;
                }
                None => break,
            }
        }
        Ok(Some((number, line)))
    }

    pub(super) fn read_row(&mut self, row: &mut SourceRow) -> Result<bool, ImportError> {
        if self.done {
            return Ok(false);
        }
        let mut card: Option<(u64, Card)> = None;
        loop {
            let Some((number, line)) = self.logical()? else {
                self.done = true;
                // A card cut short by the end of the file still counts.
                return match card {
                    Some((line, card)) => self.finish(row, line, card),
                    None => Ok(false),
                };
            };
            let Some(prop) = parse_property(&line) else {
                continue;
            };
            match (prop.name.as_str(), &mut card) {
                ("BEGIN", None) if prop.value.eq_ignore_ascii_case(b"VCARD") => {
                    self.cards += 1;
                    card = Some((number, Card::default()));
                }
                ("END", Some(_)) if prop.value.eq_ignore_ascii_case(b"VCARD") => {
                    if let Some((line, card)) = card.take() {
                        return self.finish(row, line, card);
                    }
                }
                (_, Some((_, c))) => self.apply(c, &prop),
                _ => {}
            }
        }
    }

    fn finish(
        &mut self,
        row: &mut SourceRow,
        line: u64,
        mut card: Card,
    ) -> Result<bool, ImportError> {
        row.number = self.cards;
        row.line = line;
        if self.input.get_mut().take_malformed() && card.error.is_none() {
            card.error = Some(ImportError::BadEncoding {
                row: self.cards,
                column: 1,
                encoding: "UTF-16",
            });
        }
        if let Some(e) = card.error.take() {
            return Err(e);
        }
        fill_row(&mut card, &mut row.cells);
        Ok(true)
    }

    /// The text of a property's value (QP- and charset-decoded), or a row error.
    fn text(&self, prop: &Property) -> Result<String, ImportError> {
        let encoding_param = prop.param("ENCODING").map(str::to_ascii_uppercase);
        let qp = encoding_param.as_deref() == Some("QUOTED-PRINTABLE")
            || prop
                .params
                .iter()
                .any(|(k, v)| k == "TYPE" && v.eq_ignore_ascii_case("QUOTED-PRINTABLE"));
        let bytes = if qp {
            decode_qp(&prop.value)
        } else {
            prop.value.clone()
        };
        let charset = prop
            .param("CHARSET")
            .and_then(|c| encoding_rs::Encoding::for_label(c.trim().as_bytes()));
        let file = self.encoding.encoding();
        let decoded = match charset {
            Some(enc) => enc.decode_without_bom_handling_and_without_replacement(&bytes),
            None => file
                .decode_without_bom_handling_and_without_replacement(&bytes)
                .or_else(|| {
                    if qp && file == encoding_rs::UTF_8 {
                        encoding_rs::SHIFT_JIS
                            .decode_without_bom_handling_and_without_replacement(&bytes)
                    } else {
                        None
                    }
                }),
        };
        let column = column_for(&prop.name);
        let text = decoded.ok_or_else(|| ImportError::BadEncoding {
            row: self.cards,
            column,
            encoding: charset.unwrap_or(file).name(),
        })?;
        if text.contains('\0') {
            return Err(ImportError::NulByte {
                row: self.cards,
                column,
            });
        }
        if text.len() > MAX_CELL_BYTES {
            return Err(ImportError::CellTooLarge {
                row: self.cards,
                column,
                limit: MAX_CELL_BYTES,
            });
        }
        Ok(text.into_owned())
    }

    fn apply(&self, card: &mut Card, prop: &Property) {
        let binary = prop
            .param("ENCODING")
            .is_some_and(|e| matches!(e.to_ascii_uppercase().as_str(), "BASE64" | "B"));
        let wanted = matches!(
            prop.name.as_str(),
            "N" | "FN"
                | "SOUND"
                | "X-PHONETIC-LAST-NAME"
                | "X-PHONETIC-FIRST-NAME"
                | "X-PHONETIC-ORG"
                | "ORG"
                | "TITLE"
                | "EMAIL"
                | "TEL"
                | "ADR"
                | "URL"
                | "CATEGORIES"
                | "NOTE"
        );
        if binary || !wanted || card.error.is_some() {
            return;
        }
        let text = match self.text(prop) {
            Ok(t) => t,
            Err(e) => {
                card.error = Some(e);
                return;
            }
        };
        let sort_as = prop.param("SORT-AS").map(|s| {
            s.split(',')
                .map(|p| p.trim().to_string())
                .collect::<Vec<_>>()
        });
        match prop.name.as_str() {
            "N" => {
                let parts = components(&text);
                card.family = part(&parts, 0);
                card.given = part(&parts, 1);
                if let Some(sort) = sort_as {
                    card.family_reading = part(&sort, 0);
                    card.given_reading = part(&sort, 1);
                }
            }
            "FN" => card.full_name = unescape(&text),
            "SOUND"
                if prop.param("X-IRMC-N").is_some()
                    || prop.types().iter().any(|t| t == "X-IRMC-N") =>
            {
                let parts = components(&text);
                card.family_reading = part(&parts, 0);
                card.given_reading = part(&parts, 1);
            }
            "X-PHONETIC-LAST-NAME" => card.family_reading = unescape(&text),
            "X-PHONETIC-FIRST-NAME" => card.given_reading = unescape(&text),
            "X-PHONETIC-ORG" => card.company_reading = unescape(&text),
            "ORG" => {
                let parts = components(&text);
                card.company = part(&parts, 0);
                card.department = parts
                    .iter()
                    .skip(1)
                    .filter(|p| !p.trim().is_empty())
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" ");
                if let Some(sort) = sort_as {
                    card.company_reading = sort.join(",");
                }
            }
            "TITLE" => card.title = unescape(&text),
            "EMAIL" => card.emails.push(unescape(&text)),
            "TEL" => {
                let value = unescape(&text);
                let value = value.strip_prefix("tel:").unwrap_or(&value).to_string();
                card.tels.push((value, prop.types()));
            }
            "ADR" => card.adrs.push((components(&text), prop.has_type("WORK"))),
            "URL" if card.url.is_empty() => card.url = unescape(&text),
            "CATEGORIES" => card.tags.extend(
                split_unescaped(&text, b',')
                    .iter()
                    .map(|t| unescape(t).trim().to_string())
                    .filter(|t| !t.is_empty()),
            ),
            "NOTE" => card.notes.push(unescape(&text).replace("\r\n", "\n")),
            _ => {}
        }
    }
}

/// The cells of a card, in [`COLUMNS`] order.
fn fill_row(card: &mut Card, cells: &mut Vec<String>) {
    if card.family.is_empty() && card.given.is_empty() && !card.full_name.is_empty() {
        let (family, given) = split_full_name(&card.full_name);
        card.family = family;
        card.given = given;
    }
    if card.given_reading.is_empty() && !card.family_reading.is_empty() && !card.given.is_empty() {
        let (family, given) = split_full_name(&card.family_reading);
        if !given.is_empty() {
            card.family_reading = family;
            card.given_reading = given;
        }
    }
    let mut tels = std::mem::take(&mut card.tels);
    let mut take_tel = |pred: &dyn Fn(&[String]) -> bool| {
        tels.iter()
            .position(|(_, types)| pred(types))
            .map(|i| tels.remove(i).0)
            .unwrap_or_default()
    };
    let has = |types: &[String], t: &str| types.iter().any(|x| x == t);
    let mobile = take_tel(&|t| has(t, "CELL") && !has(t, "FAX"));
    let fax = take_tel(&|t| has(t, "FAX"));
    let mut phone = take_tel(&|t| has(t, "WORK"));
    if phone.is_empty() {
        phone = take_tel(&|t| !has(t, "CELL") && !has(t, "FAX"));
    }
    let other_phones: Vec<String> = tels.into_iter().map(|(v, _)| v).collect();
    let adr = card
        .adrs
        .iter()
        .find(|(_, work)| *work)
        .or_else(|| card.adrs.first())
        .map(|(p, _)| p.clone())
        .unwrap_or_default();
    let extended = part(&adr, 1);
    let mut address = format!("{}{}", part(&adr, 3), part(&adr, 2));
    if !extended.is_empty() {
        if !address.is_empty() {
            address.push(' ');
        }
        address.push_str(&extended);
    }
    let mut emails = std::mem::take(&mut card.emails).into_iter();
    let email = emails.next().unwrap_or_default();
    let values: Vec<String> = COLUMNS
        .iter()
        .map(|c| match c {
            Col::OtherEmails => emails.clone().collect::<Vec<_>>().join(", "),
            Col::OtherPhones => other_phones.join(", "),
            Col::Field(f) => match f {
                Field::FamilyName => card.family.clone(),
                Field::GivenName => card.given.clone(),
                Field::FamilyReading => card.family_reading.clone(),
                Field::GivenReading => card.given_reading.clone(),
                Field::CompanyName => card.company.clone(),
                Field::CompanyReading => card.company_reading.clone(),
                Field::Department => card.department.clone(),
                Field::Title => card.title.clone(),
                Field::Email => email.clone(),
                Field::Phone => phone.clone(),
                Field::Mobile => mobile.clone(),
                Field::Fax => fax.clone(),
                Field::PostalCode => part(&adr, 5),
                Field::Prefecture => part(&adr, 4),
                Field::Address => address.clone(),
                Field::Website => card.url.clone(),
                Field::Tags => card.tags.join(","),
                Field::Notes => card.notes.join("\n"),
                _ => String::new(),
            },
        })
        .collect();
    *cells = values;
}

/// The first card in `bytes` as card fields (a vCard QR code); `None` when there is no
/// card. Read exactly as a card of an imported file (same unfolding, QP and charset
/// decoding, same columns).
pub(crate) fn first_card_fields(
    bytes: &[u8],
    encoding: TextEncoding,
) -> Result<Option<CardFields>, ImportError> {
    let mut reader = VcardReader::from_bytes(bytes.to_vec(), encoding);
    let mut row = SourceRow::default();
    if !reader.read_row(&mut row)? {
        return Ok(None);
    }
    let cell = |field: Field| row.cell(column_of(&field) - 1).trim().to_string();
    let mut note = cell(Field::Notes);
    let other = [
        row.cell(column_position(&Col::OtherEmails)),
        row.cell(column_position(&Col::OtherPhones)),
    ];
    for more in other.iter().filter(|v| !v.trim().is_empty()) {
        if !note.is_empty() {
            note.push('\n');
        }
        note.push_str(more.trim());
    }
    let address = cell(Field::Address);
    let prefecture = cell(Field::Prefecture);
    Ok(Some(CardFields {
        family_name: cell(Field::FamilyName),
        given_name: cell(Field::GivenName),
        family_reading: cell(Field::FamilyReading),
        given_reading: cell(Field::GivenReading),
        company: cell(Field::CompanyName),
        company_reading: cell(Field::CompanyReading),
        department: cell(Field::Department),
        title: cell(Field::Title),
        email: cell(Field::Email),
        phone: cell(Field::Phone),
        mobile: cell(Field::Mobile),
        fax: cell(Field::Fax),
        postal_code: cell(Field::PostalCode),
        // The region comes first in a Japanese address (東京都 + 千代田区…).
        address: if address.starts_with(&prefecture) {
            address
        } else {
            format!("{prefecture}{address}")
        },
        url: cell(Field::Website),
        note,
    }))
}

fn column_position(col: &Col) -> usize {
    COLUMNS
        .iter()
        .position(|c| std::mem::discriminant(c) == std::mem::discriminant(col))
        .unwrap_or(0)
}

/// The column a property's value goes to (for error messages), from 1.
fn column_for(name: &str) -> usize {
    let field = match name {
        "N" | "FN" => Field::FamilyName,
        "SOUND" | "X-PHONETIC-LAST-NAME" => Field::FamilyReading,
        "X-PHONETIC-FIRST-NAME" => Field::GivenReading,
        "X-PHONETIC-ORG" => Field::CompanyReading,
        "ORG" => Field::CompanyName,
        "TITLE" => Field::Title,
        "EMAIL" => Field::Email,
        "TEL" => Field::Phone,
        "ADR" => Field::Address,
        "URL" => Field::Website,
        "CATEGORIES" => Field::Tags,
        _ => Field::Notes,
    };
    column_of(&field)
}

fn part(parts: &[String], i: usize) -> String {
    parts
        .get(i)
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

fn append_capped(line: &mut Vec<u8>, more: &[u8]) {
    if line.len() < 2 * MAX_CELL_BYTES + 2 {
        line.extend_from_slice(more);
    }
}

/// Whether the property on this line is QUOTED-PRINTABLE (looked for before the value).
fn is_quoted_printable(line: &[u8]) -> bool {
    let head = &line[..find_value_colon(line).unwrap_or(line.len())];
    head.windows(16)
        .any(|w| w.eq_ignore_ascii_case(b"QUOTED-PRINTABLE"))
}

/// The `:` between name/parameters and value (not one inside a quoted parameter value).
fn find_value_colon(line: &[u8]) -> Option<usize> {
    let mut quoted = false;
    for (i, &b) in line.iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b':' if !quoted => return Some(i),
            _ => {}
        }
    }
    None
}

fn parse_property(line: &[u8]) -> Option<Property> {
    let colon = find_value_colon(line)?;
    let head = String::from_utf8_lossy(&line[..colon]);
    let value = line[colon + 1..].to_vec();
    let mut parts = split_params(&head).into_iter();
    let name = parts.next()?.trim().to_ascii_uppercase();
    let name = match name.rsplit_once('.') {
        Some((_group, n)) => n.to_string(),
        None => name,
    };
    let params = parts
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (
                k.trim().to_ascii_uppercase(),
                v.trim().trim_matches('"').to_string(),
            ),
            // vCard 2.1 bare parameters are types: TEL;CELL, EMAIL;INTERNET, SOUND;X-IRMC-N.
            None => ("TYPE".to_string(), p.trim().to_string()),
        })
        .collect();
    Some(Property {
        name,
        params,
        value,
    })
}

/// Splits `NAME;A=1;B="x;y"` on the semicolons outside quotes.
fn split_params(head: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    for c in head.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                if let Some(last) = out.last_mut() {
                    last.push(c);
                }
            }
            ';' if !quoted => out.push(String::new()),
            _ => {
                if let Some(last) = out.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    out
}

/// The components of a structured value (`N`, `ORG`, `ADR`), unescaped.
fn components(text: &str) -> Vec<String> {
    split_unescaped(text, b';')
        .iter()
        .map(|p| unescape(p))
        .collect()
}

/// Splits on `sep` where it is not escaped by a backslash.
fn split_unescaped(text: &str, sep: u8) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            i += 2;
            continue;
        }
        if bytes[i] == sep {
            out.push(text[start..i].to_string());
            start = i + 1;
        }
        i += 1;
    }
    out.push(text.get(start..).unwrap_or("").to_string());
    out
}

/// Undoes `\\`, `\,`, `\;`, `\:` and `\n`/`\N`.
fn unescape(text: &str) -> String {
    if !text.contains('\\') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// QUOTED-PRINTABLE to bytes (soft line breaks were joined while unfolding).
fn decode_qp(value: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(value.len());
    let mut i = 0;
    while i < value.len() {
        if value[i] == b'=' {
            if let (Some(h), Some(l)) = (
                value.get(i + 1).copied().and_then(hex),
                value.get(i + 2).copied().and_then(hex),
            ) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(value[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(bytes: &[u8], encoding: TextEncoding) -> Vec<Result<SourceRow, ImportError>> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.vcf");
        std::fs::write(&path, bytes).unwrap();
        let mut r = VcardReader::open(&path, encoding).unwrap();
        let mut out = Vec::new();
        loop {
            let mut row = SourceRow::default();
            match r.read_row(&mut row) {
                Ok(true) => out.push(Ok(row)),
                Ok(false) => break,
                Err(e) => out.push(Err(e)),
            }
        }
        out
    }

    fn cell<'a>(row: &'a SourceRow, header: &str) -> &'a str {
        let i = headers().iter().position(|h| h == header).unwrap();
        row.cell(i)
    }

    #[test]
    fn qp_shift_jis_soft_breaks_and_irmc_readings() {
        let (sjis_note, _, _) = encoding_rs::SHIFT_JIS.encode("展示会で名刺交換。資料送付済み");
        let qp: String = sjis_note.iter().map(|b| format!("={b:02X}")).collect();
        let (half, _) = qp.split_at(qp.len() / 2 / 3 * 3);
        let rest = &qp[half.len()..];
        let (n, _, _) = encoding_rs::SHIFT_JIS.encode("髙橋;一郎;;;");
        let nqp: String = n.iter().map(|b| format!("={b:02X}")).collect();
        let card = format!(
            "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=SHIFT_JIS;ENCODING=QUOTED-PRINTABLE:{nqp}\r\n\
             SOUND;X-IRMC-N;CHARSET=SHIFT_JIS:\u{0}\r\n\
             NOTE;CHARSET=SHIFT_JIS;ENCODING=QUOTED-PRINTABLE:{half}=\r\n{rest}\r\n\
             TEL;CELL:090-1234-5678\r\nTEL;WORK;VOICE:03-1234-5678\r\nEMAIL;INTERNET:a@example.jp\r\n\
             END:VCARD\r\n"
        );
        // The SOUND placeholder is replaced by real Shift_JIS bytes (not QP-encoded).
        let (reading, _, _) = encoding_rs::SHIFT_JIS.encode("ﾀｶﾊｼ;ｲﾁﾛｳ;;;");
        let bytes = card.replace('\u{0}', "\u{1}").into_bytes();
        let at = bytes.iter().position(|&b| b == 1).unwrap();
        let mut full = bytes[..at].to_vec();
        full.extend_from_slice(&reading);
        full.extend_from_slice(&bytes[at + 1..]);
        let rows = read_all(&full, TextEncoding::Utf8);
        let row = rows[0].as_ref().unwrap();
        assert_eq!(cell(row, "姓"), "髙橋");
        assert_eq!(cell(row, "名"), "一郎");
        assert_eq!(cell(row, "セイ"), "ﾀｶﾊｼ");
        assert_eq!(cell(row, "メイ"), "ｲﾁﾛｳ");
        assert_eq!(cell(row, "メモ"), "展示会で名刺交換。資料送付済み");
        assert_eq!(cell(row, "携帯電話"), "090-1234-5678");
        assert_eq!(cell(row, "電話番号"), "03-1234-5678");
        assert_eq!(cell(row, "メールアドレス"), "a@example.jp");
    }

    #[test]
    fn v3_folding_escapes_phonetics_and_fn_fallback() {
        let text = "BEGIN:VCARD\nVERSION:3.0\nFN:佐々木 花子\nX-PHONETIC-LAST-NAME:ササキ\n\
                    X-PHONETIC-FIRST-NAME:ハナコ\nORG:株式会社ミライ技研;営業部;第二課\n\
                    NOTE:一行目\\n二行目\\, 続き\n  折り返し\nEMAIL;TYPE=INTERNET,WORK:h@example.jp\n\
                    EMAIL:h2@example.jp\nEMAIL:h3@example.jp\n\
                    ADR;TYPE=WORK:;ビル5F;丸の内1-1-1;千代田区;東京都;100-0005;日本\n\
                    PHOTO;ENCODING=b;TYPE=JPEG:AAAA\n  BBBB\nEND:VCARD\n";
        let rows = read_all(text.as_bytes(), TextEncoding::Utf8);
        let row = rows[0].as_ref().unwrap();
        assert_eq!((cell(row, "姓"), cell(row, "名")), ("佐々木", "花子"));
        assert_eq!((cell(row, "セイ"), cell(row, "メイ")), ("ササキ", "ハナコ"));
        assert_eq!(cell(row, "会社名"), "株式会社ミライ技研");
        assert_eq!(cell(row, "部署"), "営業部 第二課");
        assert_eq!(cell(row, "メモ"), "一行目\n二行目, 続き 折り返し");
        assert_eq!(cell(row, OTHER_EMAILS), "h2@example.jp, h3@example.jp");
        assert_eq!(cell(row, "郵便番号"), "100-0005");
        assert_eq!(cell(row, "都道府県"), "東京都");
        assert_eq!(cell(row, "住所"), "千代田区丸の内1-1-1 ビル5F");
    }

    #[test]
    fn v4_sort_as_and_tel_uris() {
        let text = "BEGIN:VCARD\r\nVERSION:4.0\r\nN;SORT-AS=\"ヤマダ,タロウ\":山田;太郎;;;\r\n\
                    ORG;SORT-AS=\"ミライギケン\":ミライ技研\r\nTEL;VALUE=uri;TYPE=\"voice,work\":tel:+81-3-1111-2222\r\n\
                    TEL;TYPE=cell:tel:+81-90-1111-2222\r\nTEL;TYPE=fax:tel:+81-3-1111-3333\r\n\
                    TEL;TYPE=home:tel:+81-3-9999-0000\r\nCATEGORIES:展示会,見込み\r\nEND:VCARD\r\n";
        let rows = read_all(text.as_bytes(), TextEncoding::Utf8);
        let row = rows[0].as_ref().unwrap();
        assert_eq!((cell(row, "セイ"), cell(row, "メイ")), ("ヤマダ", "タロウ"));
        assert_eq!(cell(row, "会社名（フリガナ）"), "ミライギケン");
        assert_eq!(cell(row, "電話番号"), "+81-3-1111-2222");
        assert_eq!(cell(row, "携帯電話"), "+81-90-1111-2222");
        assert_eq!(cell(row, "FAX"), "+81-3-1111-3333");
        assert_eq!(cell(row, OTHER_PHONES), "+81-3-9999-0000");
        assert_eq!(cell(row, "タグ"), "展示会,見込み");
        assert_eq!((row.number, row.line), (1, 1));
    }

    #[test]
    fn bad_charset_bytes_spoil_one_card() {
        let mut bytes = b"BEGIN:VCARD\nVERSION:3.0\nN:\xff\xfe;x\nEND:VCARD\n".to_vec();
        bytes.extend_from_slice(b"BEGIN:VCARD\nVERSION:3.0\nN:Yamada;Taro\nEND:VCARD\n");
        let rows = read_all(&bytes, TextEncoding::Utf8);
        let e = rows[0].as_ref().unwrap_err();
        assert_eq!(e.code(), "bad_encoding");
        assert_eq!((e.row(), e.column()), (Some(1), Some(1)));
        let row = rows[1].as_ref().unwrap();
        assert_eq!(row.number, 2);
        assert_eq!(cell(row, "姓"), "Yamada");
    }
}
