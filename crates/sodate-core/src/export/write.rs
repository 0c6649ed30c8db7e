//! The writers behind an export: CSV in the chosen encoding, XLSX row by row with flat
//! memory (rust_xlsxwriter's constant-memory worksheets), and vCard 3.0/4.0.

use std::io::Write;

use crate::files::PartFile;
use crate::import::TextEncoding;
use crate::Result;

use super::Record;

/// A cell as written.
pub(crate) enum Cell<'a> {
    Text(std::borrow::Cow<'a, str>),
    Number(f64),
}

/// A CSV field: quoted when it holds a comma, a quote or a line break (RFC 4180).
pub(crate) fn csv_field(value: &str) -> std::borrow::Cow<'_, str> {
    if value.contains([',', '"', '\r', '\n']) {
        std::borrow::Cow::Owned(format!("\"{}\"", value.replace('"', "\"\"")))
    } else {
        std::borrow::Cow::Borrowed(value)
    }
}

pub(crate) fn push_number_pub(line: &mut String, n: f64) {
    push_number(line, n);
}

fn push_number(line: &mut String, n: f64) {
    use std::fmt::Write as _;
    if n.fract() == 0.0 && n.abs() < 1e15 {
        let _ = write!(line, "{}", n as i64);
    } else {
        let _ = write!(line, "{n}");
    }
}

pub(crate) trait Sink {
    fn header(&mut self, headers: &[String]) -> Result<()>;
    fn row(&mut self, cells: &[Cell], record: &Record) -> Result<()>;
    fn finish(self: Box<Self>) -> Result<()>;
}

/// Writes nothing (a preview).
pub(crate) struct NullSink;

impl Sink for NullSink {
    fn header(&mut self, _: &[String]) -> Result<()> {
        Ok(())
    }
    fn row(&mut self, _: &[Cell], _: &Record) -> Result<()> {
        Ok(())
    }
    fn finish(self: Box<Self>) -> Result<()> {
        Ok(())
    }
}

pub(crate) struct CsvSink {
    part: PartFile,
    out: std::io::BufWriter<std::fs::File>,
    encoding: TextEncoding,
    line: String,
    bytes: Vec<u8>,
}

impl CsvSink {
    pub(crate) fn new(dest: &std::path::Path, encoding: TextEncoding) -> Result<Self> {
        let part = PartFile::new(dest)?;
        let mut out = part.create()?;
        if encoding == TextEncoding::Utf8Bom {
            out.write_all(b"\xEF\xBB\xBF").map_err(|e| part.error(e))?;
        }
        Ok(Self {
            part,
            out,
            encoding,
            line: String::with_capacity(512),
            bytes: Vec::with_capacity(1024),
        })
    }

    fn flush_line(&mut self) -> Result<()> {
        self.line.push_str("\r\n");
        if self.encoding == TextEncoding::ShiftJis {
            // Unrepresentable values were found before and fail the export (see mod.rs), so
            // the stop at one here is never reached in a finished file: no `&#…;`.
            self.bytes.clear();
            let mut encoder = encoding_rs::SHIFT_JIS.new_encoder();
            if let Some(max) =
                encoder.max_buffer_length_from_utf8_without_replacement(self.line.len())
            {
                self.bytes.reserve(max);
            }
            let _ = encoder.encode_from_utf8_to_vec_without_replacement(
                &self.line,
                &mut self.bytes,
                true,
            );
            self.out
                .write_all(&self.bytes)
                .map_err(|e| self.part.error(e))?;
        } else {
            self.out
                .write_all(self.line.as_bytes())
                .map_err(|e| self.part.error(e))?;
        }
        self.line.clear();
        Ok(())
    }
}

impl CsvSink {
    /// A row of plain text values, each protected against formula injection (for files that
    /// are not a profile's export, such as a salvage).
    pub(crate) fn text_row(&mut self, values: &[String]) -> Result<()> {
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.line.push(',');
            }
            self.line.push_str(&csv_field(&super::cells::protect(v)));
        }
        self.flush_line()
    }
}

impl Sink for CsvSink {
    fn header(&mut self, headers: &[String]) -> Result<()> {
        for (i, h) in headers.iter().enumerate() {
            if i > 0 {
                self.line.push(',');
            }
            self.line.push_str(&csv_field(&super::cells::protect(h)));
        }
        self.flush_line()
    }

    fn row(&mut self, cells: &[Cell], _: &Record) -> Result<()> {
        for (i, c) in cells.iter().enumerate() {
            if i > 0 {
                self.line.push(',');
            }
            match c {
                Cell::Text(t) => self.line.push_str(&csv_field(t)),
                Cell::Number(n) => push_number(&mut self.line, *n),
            }
        }
        self.flush_line()
    }

    fn finish(mut self: Box<Self>) -> Result<()> {
        self.out.flush().map_err(|e| self.part.error(e))?;
        let Self { part, out, .. } = *self;
        out.into_inner()
            .map_err(|e| part.error(e.error()))?
            .sync_all()
            .map_err(|e| part.error(e))?;
        part.commit()
    }
}

/// Rows an XLSX sheet holds, the header included.
pub(crate) const XLSX_MAX_ROWS: u32 = 1_048_576;

pub(crate) struct XlsxSink {
    part: PartFile,
    book: rust_xlsxwriter::Workbook,
    row: u32,
}

impl XlsxSink {
    pub(crate) fn new(dest: &std::path::Path) -> Result<Self> {
        let part = PartFile::new(dest)?;
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book
            .add_worksheet_with_constant_memory()
            .map_err(|e| part.error(e))?;
        sheet.set_name("Sodate").map_err(|e| part.error(e))?;
        Ok(Self { part, book, row: 0 })
    }
}

impl Sink for XlsxSink {
    fn header(&mut self, headers: &[String]) -> Result<()> {
        let sheet = self
            .book
            .worksheet_from_index(0)
            .map_err(|e| self.part.error(e))?;
        for (i, h) in headers.iter().enumerate() {
            sheet
                .write_string(0, i as u16, super::cells::protect(h).as_ref())
                .map_err(|e| self.part.error(e))?;
        }
        self.row = 1;
        Ok(())
    }

    fn row(&mut self, cells: &[Cell], _: &Record) -> Result<()> {
        if self.row >= XLSX_MAX_ROWS {
            return Err(crate::Error::invalid(
                "format",
                "too_many_rows",
                format!(
                    "an Excel sheet holds at most {} rows; export as CSV instead",
                    XLSX_MAX_ROWS - 1
                ),
            ));
        }
        let sheet = self
            .book
            .worksheet_from_index(0)
            .map_err(|e| self.part.error(e))?;
        for (i, c) in cells.iter().enumerate() {
            let col = i as u16;
            match c {
                Cell::Text(t) => sheet.write_string(self.row, col, t.as_ref()),
                Cell::Number(n) => sheet.write_number(self.row, col, *n),
            }
            .map_err(|e| self.part.error(e))?;
        }
        self.row += 1;
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<()> {
        let path = self.part.path().to_path_buf();
        self.book.save(&path).map_err(|e| self.part.error(e))?;
        let Self { part, .. } = *self;
        part.commit()
    }
}

/// vCard text: backslash, comma, semicolon and line breaks escaped (RFC 6350 §3.4).
fn vcard_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ',' => out.push_str("\\,"),
            ';' => out.push_str("\\;"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends a content line folded at 75 octets without splitting a UTF-8 character.
fn push_folded(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

pub(crate) struct VcardSink {
    part: PartFile,
    out: std::io::BufWriter<std::fs::File>,
    version4: bool,
    card: String,
}

impl VcardSink {
    pub(crate) fn new(dest: &std::path::Path, version4: bool) -> Result<Self> {
        let part = PartFile::new(dest)?;
        let out = part.create()?;
        Ok(Self {
            part,
            out,
            version4,
            card: String::with_capacity(1024),
        })
    }
}

impl Sink for VcardSink {
    fn header(&mut self, _: &[String]) -> Result<()> {
        Ok(())
    }

    fn row(&mut self, _: &[Cell], r: &Record) -> Result<()> {
        let card = &mut self.card;
        card.clear();
        card.push_str("BEGIN:VCARD\r\n");
        card.push_str(if self.version4 {
            "VERSION:4.0\r\n"
        } else {
            "VERSION:3.0\r\n"
        });
        let full = r.full_name();
        let fn_value = if full.is_empty() {
            r.email.to_string()
        } else {
            full
        };
        push_folded(card, &format!("FN:{}", vcard_text(&fn_value)));
        let reading = r.full_reading();
        let sort_as = if self.version4 && !reading.is_empty() {
            format!(";SORT-AS=\"{}\"", reading.replace('"', ""))
        } else {
            String::new()
        };
        push_folded(
            card,
            &format!(
                "N{sort_as}:{};{};;;",
                vcard_text(r.family_name),
                vcard_text(r.given_name)
            ),
        );
        if !r.family_reading.is_empty() {
            push_folded(
                card,
                &format!("X-PHONETIC-LAST-NAME:{}", vcard_text(r.family_reading)),
            );
        }
        if !r.given_reading.is_empty() {
            push_folded(
                card,
                &format!("X-PHONETIC-FIRST-NAME:{}", vcard_text(r.given_reading)),
            );
        }
        if !r.company_name.is_empty() || !r.department.is_empty() {
            push_folded(
                card,
                &format!(
                    "ORG:{};{}",
                    vcard_text(r.company_name),
                    vcard_text(r.department)
                ),
            );
        }
        if !r.company_reading.is_empty() {
            push_folded(
                card,
                &format!("X-PHONETIC-ORG:{}", vcard_text(r.company_reading)),
            );
        }
        if !r.title.is_empty() {
            push_folded(card, &format!("TITLE:{}", vcard_text(r.title)));
        }
        if !r.email.is_empty() {
            push_folded(card, &format!("EMAIL;TYPE=work:{}", vcard_text(r.email)));
        }
        if !r.phone.is_empty() {
            push_folded(
                card,
                &format!("TEL;TYPE=work,voice:{}", vcard_text(r.phone)),
            );
        }
        if !r.mobile.is_empty() {
            push_folded(card, &format!("TEL;TYPE=cell:{}", vcard_text(r.mobile)));
        }
        if !r.address.is_empty() || !r.postal_code.is_empty() || !r.prefecture.is_empty() {
            push_folded(
                card,
                &format!(
                    "ADR;TYPE=work:;;{};;{};{};JP",
                    vcard_text(r.address),
                    vcard_text(r.prefecture),
                    vcard_text(&crate::normalize::format_postal_code(r.postal_code)),
                ),
            );
        }
        if !r.website.is_empty() {
            push_folded(card, &format!("URL:{}", vcard_text(r.website)));
        }
        card.push_str("END:VCARD\r\n");
        self.out
            .write_all(card.as_bytes())
            .map_err(|e| self.part.error(e))
    }

    fn finish(mut self: Box<Self>) -> Result<()> {
        self.out.flush().map_err(|e| self.part.error(e))?;
        let Self { part, out, .. } = *self;
        out.into_inner()
            .map_err(|e| part.error(e.error()))?
            .sync_all()
            .map_err(|e| part.error(e))?;
        part.commit()
    }
}
