//! Reading import files: a CSV/TSV (any Japanese encoding), an Excel or ODS workbook or a
//! vCard file in, a header row and a stream of rows of strings out; plus the mapping of
//! headers to lead fields ([`mapping`]).
//!
//! ```no_run
//! use sodate_core::import::{self, Options, SourceRow};
//!
//! let sniffed = import::sniff("meishi.csv")?; // format + encoding, to show and let the user change
//! let mut reader = import::open("meishi.csv", &Options::default())?;
//! let mappings = import::mapping::auto_map(reader.headers());
//! let mut row = SourceRow::default();
//! while reader.read_row(&mut row)? {
//!     // row.number is the row a spreadsheet shows (the header is row 1)
//!     let _ = (&mappings, &row.cells, reader.progress());
//! }
//! # Ok::<(), import::ImportError>(())
//! ```
//!
//! | format | how | memory |
//! |---|---|---|
//! | CSV, TSV | our own streaming tokenizer over the raw bytes; UTF-8 is validated and Shift_JIS (CP932) / EUC-JP decoded cell by cell, UTF-16 transcoded on the fly | flat: one 64 KiB buffer + the current row |
//! | XLSX, XLS, ODS | `calamine`, first non-empty sheet unless one is chosen | the whole sheet (calamine loads it) |
//! | vCard 2.1/3.0/4.0 | our own parser: unfolding, QUOTED-PRINTABLE, per-property `CHARSET` | flat: one card at a time |
//!
//! Rules the readers share:
//! - Cells are returned as stored (not trimmed, not normalised); headers are trimmed, and
//!   empty or duplicate ones renamed (`列3`, `メモ (2)`, reported in
//!   [`Reader::header_notes`]).
//! - Rows whose cells are all empty are skipped (they still count in the numbering).
//! - A CSV row may have fewer or more cells than the header (ragged): it is returned as it
//!   is, and the caller reports it ([`SourceRow::is_ragged`]). Sheet rows are padded.
//! - Nothing is silently replaced: undecodable bytes, NUL characters and cells over
//!   [`MAX_CELL_BYTES`] are row errors ([`ImportError::is_row_error`]) naming row and column;
//!   reading can go on after them.
//! - Sniffing never fails on odd text: it fails only on an empty file, binary data, or I/O.

mod apply;
pub mod batches;
mod error;
pub mod mapping;
mod sheet;
mod sniff;
pub(crate) mod surnames;
mod text;
mod vcard;

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod perf;

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use apply::{
    inspect, run, ImportInspection, ImportMode, ImportPlan, ImportProgress, ImportReport,
    PreviewRow, RowAction, RowFailure, RowIssue, CARD_EXCHANGED_ON, FAX, PREVIEW_ROWS,
};
pub use batches::{ImportBatch, UndoNote, UndoReport};
pub use error::ImportError;
pub use mapping::split_full_name;
pub(crate) use sniff::guess_legacy_japanese;
pub use sniff::sniff;
pub(crate) use vcard::first_card_fields;

/// The longest cell a reader accepts (1 MiB of text); longer ones are `cell_too_large`.
pub const MAX_CELL_BYTES: usize = 1 << 20;
/// The most cells a row may have (Excel's column limit).
pub const MAX_COLUMNS: usize = 16_384;
/// The most text one row may hold (16 MiB).
pub const MAX_ROW_BYTES: usize = 16 << 20;

/// The kind of an import file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    Tsv,
    Xlsx,
    Xls,
    Ods,
    Vcard,
}

impl Format {
    /// Stable code: `csv`, `tsv`, `xlsx`, `xls`, `ods`, `vcard`.
    pub fn code(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Tsv => "tsv",
            Format::Xlsx => "xlsx",
            Format::Xls => "xls",
            Format::Ods => "ods",
            Format::Vcard => "vcard",
        }
    }

    /// True for the formats whose bytes are text in some encoding.
    pub fn is_text(self) -> bool {
        matches!(self, Format::Csv | Format::Tsv | Format::Vcard)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Format {
    type Err = ImportError;

    /// Accepts the codes and common file extensions (`xlsm`, `vcf`, `txt` for TSV …),
    /// case-insensitively.
    fn from_str(s: &str) -> Result<Self, ImportError> {
        match s
            .trim()
            .trim_start_matches('.')
            .to_ascii_lowercase()
            .as_str()
        {
            "csv" => Ok(Format::Csv),
            "tsv" | "tab" | "txt" => Ok(Format::Tsv),
            "xlsx" | "xlsm" | "excel" => Ok(Format::Xlsx),
            "xls" => Ok(Format::Xls),
            "ods" => Ok(Format::Ods),
            "vcard" | "vcf" => Ok(Format::Vcard),
            _ => Err(ImportError::UnknownFormat(s.to_string())),
        }
    }
}

/// The text encodings the readers decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum TextEncoding {
    #[serde(rename = "utf-8")]
    Utf8,
    /// UTF-8 starting with a byte-order mark (what Excel writes as "CSV UTF-8").
    #[serde(rename = "utf-8-bom")]
    Utf8Bom,
    /// Shift_JIS as Windows writes it: CP932 / Windows-31J, with the NEC and IBM extensions
    /// (①, ㈱, 髙, 﨑). `encoding_rs::SHIFT_JIS` is exactly that.
    #[serde(rename = "shift_jis")]
    ShiftJis,
    #[serde(rename = "euc-jp")]
    EucJp,
    #[serde(rename = "utf-16le")]
    Utf16Le,
    #[serde(rename = "utf-16be")]
    Utf16Be,
}

impl TextEncoding {
    /// Every encoding, in the order a picker shows them.
    pub const ALL: [TextEncoding; 6] = [
        TextEncoding::Utf8,
        TextEncoding::Utf8Bom,
        TextEncoding::ShiftJis,
        TextEncoding::EucJp,
        TextEncoding::Utf16Le,
        TextEncoding::Utf16Be,
    ];

    /// Stable code: `utf-8`, `utf-8-bom`, `shift_jis`, `euc-jp`, `utf-16le`, `utf-16be`.
    pub fn code(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Utf8Bom => "utf-8-bom",
            TextEncoding::ShiftJis => "shift_jis",
            TextEncoding::EucJp => "euc-jp",
            TextEncoding::Utf16Le => "utf-16le",
            TextEncoding::Utf16Be => "utf-16be",
        }
    }

    /// The `encoding_rs` decoder behind it.
    pub fn encoding(self) -> &'static encoding_rs::Encoding {
        match self {
            TextEncoding::Utf8 | TextEncoding::Utf8Bom => encoding_rs::UTF_8,
            TextEncoding::ShiftJis => encoding_rs::SHIFT_JIS,
            TextEncoding::EucJp => encoding_rs::EUC_JP,
            TextEncoding::Utf16Le => encoding_rs::UTF_16LE,
            TextEncoding::Utf16Be => encoding_rs::UTF_16BE,
        }
    }

    /// The encoding a `CHARSET=` parameter or an `encoding_rs` label names, when we read it.
    pub(crate) fn from_encoding(enc: &'static encoding_rs::Encoding) -> Option<Self> {
        if enc == encoding_rs::UTF_8 {
            Some(TextEncoding::Utf8)
        } else if enc == encoding_rs::SHIFT_JIS {
            Some(TextEncoding::ShiftJis)
        } else if enc == encoding_rs::EUC_JP {
            Some(TextEncoding::EucJp)
        } else if enc == encoding_rs::UTF_16LE {
            Some(TextEncoding::Utf16Le)
        } else if enc == encoding_rs::UTF_16BE {
            Some(TextEncoding::Utf16Be)
        } else {
            None
        }
    }

    /// True for UTF-16: the only encodings in which ASCII bytes do not stand for themselves.
    pub fn is_utf16(self) -> bool {
        matches!(self, TextEncoding::Utf16Le | TextEncoding::Utf16Be)
    }
}

impl fmt::Display for TextEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for TextEncoding {
    type Err = ImportError;

    /// Accepts the codes and the usual aliases, case-insensitively and ignoring `-`/`_`:
    /// `utf8`, `utf8bom`, `sjis`, `shift-jis`, `cp932`, `ms932`, `windows-31j`, `eucjp`,
    /// `utf16`, `utf16le`, `unicode` (what Excel calls UTF-16 LE) …
    fn from_str(s: &str) -> Result<Self, ImportError> {
        let key: String = s
            .trim()
            .chars()
            .filter(|c| !matches!(c, '-' | '_' | ' '))
            .flat_map(char::to_lowercase)
            .collect();
        match key.as_str() {
            "utf8" | "utf" => Ok(TextEncoding::Utf8),
            "utf8bom" | "utf8withbom" | "utf8sig" => Ok(TextEncoding::Utf8Bom),
            "shiftjis" | "sjis" | "cp932" | "ms932" | "windows31j" | "mskanji" | "xsjis" => {
                Ok(TextEncoding::ShiftJis)
            }
            "eucjp" | "euc" | "ujis" | "xeucjp" => Ok(TextEncoding::EucJp),
            "utf16le" | "utf16" | "unicode" | "ucs2" => Ok(TextEncoding::Utf16Le),
            "utf16be" => Ok(TextEncoding::Utf16Be),
            _ => Err(ImportError::UnknownEncoding(s.to_string())),
        }
    }
}

/// What [`sniff`] decided about a file. Both answers are suggestions that the user may
/// override through [`Options`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Sniffed {
    pub format: Format,
    /// The text encoding (`None` for workbooks, whose text is not ours to decode).
    pub encoding: Option<TextEncoding>,
    /// True when the encoding is a statistical guess (chardetng) rather than certain (a BOM,
    /// valid UTF-8): the UI should then show a preview and offer to change it.
    pub encoding_guessed: bool,
    /// The file's size in bytes.
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub size: u64,
}

/// How to open a file; every `None` means "as sniffed".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", default)]
pub struct Options {
    pub format: Option<Format>,
    pub encoding: Option<TextEncoding>,
    /// The worksheet to read, by name, or by position as `"#2"` (from 1). Default: the first
    /// sheet with any cell.
    pub sheet: Option<String>,
}

/// One row of the file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SourceRow {
    /// The row a user finds in a spreadsheet: the header is row 1, the first data row is row
    /// 2, blank lines count. For a CSV with multi-line cells this differs from the line in a
    /// text editor (that is `line`). For a vCard file: the card's position (first card = 1).
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub number: u64,
    /// The physical line where the row starts (for text files; for sheets = `number`).
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub line: u64,
    pub cells: Vec<String>,
}

impl SourceRow {
    /// The cell in column `index` (from 0), `""` when the row is shorter.
    pub fn cell(&self, index: usize) -> &str {
        self.cells.get(index).map_or("", String::as_str)
    }

    /// True when the row has another number of cells than the header has.
    pub fn is_ragged(&self, header_len: usize) -> bool {
        self.cells.len() != header_len
    }
}

/// Why a header was renamed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum HeaderNoteKind {
    /// Same name as an earlier column: renamed `name (2)`.
    Duplicate,
    /// No name: named `列N` after its column.
    Empty,
}

/// A header that the reader renamed, to be shown to the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct HeaderNote {
    /// Column, from 1.
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub column: usize,
    pub kind: HeaderNoteKind,
    /// The header as in the file (trimmed).
    pub original: String,
    /// The name [`Reader::headers`] gives it.
    pub name: String,
}

/// A file being read: its header and then its rows, one at a time.
pub struct Reader {
    path: PathBuf,
    format: Format,
    encoding: Option<TextEncoding>,
    headers: Vec<String>,
    header_notes: Vec<HeaderNote>,
    sheet: Option<String>,
    sheet_names: Vec<String>,
    total_bytes: u64,
    inner: Inner,
}

enum Inner {
    Text(Box<text::TextReader>),
    Sheet(sheet::SheetReader),
    Vcard(vcard::VcardReader),
}

/// Opens `path` for reading: sniffs what `options` leave open, reads the header, and
/// returns a reader positioned on the first data row.
///
/// Errors: `file_not_found`, `io_error`, `empty_file` (no bytes, no header row, no card),
/// `unsupported_file` (binary data, unless a format is forced), `spreadsheet_error`,
/// `sheet_not_found`, and the row errors of the header row itself.
pub fn open(path: impl AsRef<Path>, options: &Options) -> Result<Reader, ImportError> {
    let path = path.as_ref();
    let sample = sniff::Sample::read(path)?;
    let (format, encoding) = match (options.format, options.encoding) {
        (Some(format), Some(encoding)) => (format, Some(encoding)),
        (Some(format), None) if !format.is_text() => (format, None),
        (Some(format), None) => (format, Some(sample.detect_encoding().0)),
        (None, forced) => {
            let sniffed = sample.sniff(forced)?;
            (sniffed.format, forced.or(sniffed.encoding))
        }
    };
    let mut reader = Reader {
        path: path.to_path_buf(),
        format,
        encoding: None,
        headers: Vec::new(),
        header_notes: Vec::new(),
        sheet: None,
        sheet_names: Vec::new(),
        total_bytes: sample.size,
        inner: Inner::Text(Box::new(text::TextReader::empty())),
    };
    let raw_headers = match format {
        Format::Csv | Format::Tsv => {
            let encoding = encoding.unwrap_or(TextEncoding::Utf8);
            reader.encoding = Some(encoding);
            let delimiter = if format == Format::Tsv { b'\t' } else { b',' };
            let mut text = text::TextReader::open(path, encoding, delimiter)?;
            let headers = text.read_header()?;
            reader.inner = Inner::Text(Box::new(text));
            headers
        }
        Format::Xlsx | Format::Xls | Format::Ods => {
            let mut sheet = sheet::SheetReader::open(path, format, options.sheet.as_deref())?;
            reader.sheet = Some(sheet.sheet_name().to_string());
            reader.sheet_names = sheet.sheet_names().to_vec();
            let headers = sheet.read_header(path)?;
            reader.inner = Inner::Sheet(sheet);
            headers
        }
        Format::Vcard => {
            let encoding = encoding.unwrap_or(TextEncoding::Utf8);
            reader.encoding = Some(encoding);
            let vcard = vcard::VcardReader::open(path, encoding)?;
            reader.inner = Inner::Vcard(vcard);
            vcard::headers()
        }
    };
    let (headers, notes) = name_headers(raw_headers);
    reader.headers = headers;
    reader.header_notes = notes;
    Ok(reader)
}

impl Reader {
    /// The file being read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn format(&self) -> Format {
        self.format
    }

    /// The encoding text is decoded with (`None` for workbooks).
    pub fn encoding(&self) -> Option<TextEncoding> {
        self.encoding
    }

    /// The column names, unique and non-empty (see [`header_notes`](Reader::header_notes)).
    /// For vCard files they are fixed: [`vcard_headers`].
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The headers that were renamed because they were empty or repeated.
    pub fn header_notes(&self) -> &[HeaderNote] {
        &self.header_notes
    }

    /// The worksheet being read (workbooks only).
    pub fn sheet(&self) -> Option<&str> {
        self.sheet.as_deref()
    }

    /// All worksheets of the workbook, in order (empty for other formats).
    pub fn sheet_names(&self) -> &[String] {
        &self.sheet_names
    }

    /// Reads the next data row into `row`, reusing its allocations (the fast way to read).
    /// Returns `Ok(false)` at the end. After a row error ([`ImportError::is_row_error`]) the
    /// next call reads the following row; after any other error it returns `Ok(false)`.
    pub fn read_row(&mut self, row: &mut SourceRow) -> Result<bool, ImportError> {
        let header_len = self.headers.len();
        let more = match &mut self.inner {
            Inner::Text(r) => r.read_row(row),
            Inner::Sheet(r) => r.read_row(row, header_len),
            Inner::Vcard(r) => return r.read_row(row),
        }?;
        // Cells protected against formula injection by an export (ours or a tool doing the
        // same) are read back as the value they stand for.
        for cell in &mut row.cells {
            if cell.starts_with('\'') {
                if let Some(v) = crate::export::cells::unprotect(cell) {
                    *cell = v;
                }
            }
        }
        Ok(more)
    }

    /// Bytes of the file read so far (workbooks: all of it once open).
    pub fn bytes_read(&self) -> u64 {
        match &self.inner {
            Inner::Text(r) => r.bytes_read(),
            Inner::Sheet(_) => self.total_bytes,
            Inner::Vcard(r) => r.bytes_read(),
        }
    }

    /// The file's size in bytes.
    pub fn total_bytes(&self) -> u64 {
        self.total_bytes
    }

    /// How far reading has come, from 0.0 to 1.0 (bytes for text files, rows for sheets).
    pub fn progress(&self) -> f64 {
        match &self.inner {
            Inner::Sheet(r) => r.progress(),
            _ if self.total_bytes == 0 => 1.0,
            _ => (self.bytes_read() as f64 / self.total_bytes as f64).min(1.0),
        }
    }
}

impl Iterator for Reader {
    type Item = Result<SourceRow, ImportError>;

    /// The next row in a new allocation; [`Reader::read_row`] is faster for big files.
    fn next(&mut self) -> Option<Self::Item> {
        let mut row = SourceRow::default();
        match self.read_row(&mut row) {
            Ok(true) => Some(Ok(row)),
            Ok(false) => None,
            Err(e) => Some(Err(e)),
        }
    }
}

impl fmt::Debug for Reader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reader")
            .field("path", &self.path)
            .field("format", &self.format)
            .field("encoding", &self.encoding)
            .field("headers", &self.headers)
            .finish_non_exhaustive()
    }
}

/// The fixed headers of rows read from a vCard file.
pub fn vcard_headers() -> Vec<String> {
    vcard::headers()
}

/// Trims headers and makes them unique and non-empty.
fn name_headers(raw: Vec<String>) -> (Vec<String>, Vec<HeaderNote>) {
    let mut names: Vec<String> = Vec::with_capacity(raw.len());
    let mut notes = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, header) in raw.into_iter().enumerate() {
        let original = trim_header(&header).to_string();
        let (mut name, mut kind) = if original.is_empty() {
            (format!("列{}", i + 1), Some(HeaderNoteKind::Empty))
        } else {
            (original.clone(), None)
        };
        if seen.contains(&name) {
            let mut n = 2;
            while seen.contains(&format!("{name} ({n})")) {
                n += 1;
            }
            name = format!("{name} ({n})");
            kind = kind.or(Some(HeaderNoteKind::Duplicate));
        }
        seen.insert(name.clone());
        if let Some(kind) = kind {
            notes.push(HeaderNote {
                column: i + 1,
                kind,
                original,
                name: name.clone(),
            });
        }
        names.push(name);
    }
    (names, notes)
}

/// Trims whitespace (incl. the ideographic space) and a stray BOM around a header.
fn trim_header(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_codes_round_trip_and_aliases() {
        for e in TextEncoding::ALL {
            assert_eq!(e.code().parse::<TextEncoding>().unwrap(), e);
            assert_eq!(
                serde_json::to_string(&e).unwrap(),
                format!("\"{}\"", e.code())
            );
        }
        for (alias, e) in [
            ("SJIS", TextEncoding::ShiftJis),
            ("cp932", TextEncoding::ShiftJis),
            ("Windows-31J", TextEncoding::ShiftJis),
            ("Shift-JIS", TextEncoding::ShiftJis),
            ("utf8", TextEncoding::Utf8),
            ("UTF-8 BOM", TextEncoding::Utf8Bom),
            ("EUC_JP", TextEncoding::EucJp),
            ("unicode", TextEncoding::Utf16Le),
        ] {
            assert_eq!(alias.parse::<TextEncoding>().unwrap(), e, "{alias}");
        }
        let err = "latin1".parse::<TextEncoding>().unwrap_err();
        assert_eq!(err.code(), "unknown_encoding");
    }

    #[test]
    fn format_codes_round_trip() {
        for f in [
            Format::Csv,
            Format::Tsv,
            Format::Xlsx,
            Format::Xls,
            Format::Ods,
            Format::Vcard,
        ] {
            assert_eq!(f.code().parse::<Format>().unwrap(), f);
        }
        assert_eq!(".VCF".parse::<Format>().unwrap(), Format::Vcard);
        assert_eq!(
            "pdf".parse::<Format>().unwrap_err().code(),
            "unknown_format"
        );
    }

    #[test]
    fn readers_can_move_to_a_worker_thread() {
        fn send<T: Send>() {}
        send::<Reader>();
        send::<ImportError>();
    }

    #[test]
    fn headers_are_trimmed_unique_and_named() {
        let raw = ["　氏名 ", "メモ", "", "メモ", "メモ (2)", "メモ"]
            .map(String::from)
            .to_vec();
        let (names, notes) = name_headers(raw);
        assert_eq!(
            names,
            [
                "氏名",
                "メモ",
                "列3",
                "メモ (2)",
                "メモ (2) (2)",
                "メモ (3)"
            ]
        );
        assert_eq!(notes.len(), 4);
        assert_eq!(notes[0].kind, HeaderNoteKind::Empty);
        assert_eq!(notes[1].column, 4);
        assert_eq!(notes[1].kind, HeaderNoteKind::Duplicate);
        assert_eq!(notes[1].original, "メモ");
    }
}
