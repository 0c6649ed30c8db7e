//! What can go wrong while reading an import file.

use std::path::PathBuf;

use crate::{Error, FieldIssue};

/// An import file that cannot be read, or one row of it that cannot.
///
/// Every variant has a stable snake_case [`code`](ImportError::code) that the UI branches on
/// and translates; `Display` is an English sentence for logs and the CLI. Rows are numbered as
/// a spreadsheet shows them (the header is row 1, see [`SourceRow`](super::SourceRow)),
/// columns from 1.
///
/// Row errors ([`is_row_error`](ImportError::is_row_error)) spoil one row only: the reader
/// can be asked for the next row afterwards. Every other error ends the reading.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// `file_not_found`
    #[error("the file {} does not exist", .path.display())]
    NotFound { path: PathBuf },

    /// `io_error`: the file could not be opened or read (permissions, removed while read …).
    #[error("cannot read {}: {detail}", .path.display())]
    Io { path: PathBuf, detail: String },

    /// `empty_file`: no bytes, only blank lines, an empty workbook or a vCard file without a
    /// card.
    #[error("the file {} is empty", .path.display())]
    Empty { path: PathBuf },

    /// `unsupported_file`: binary data that is none of the formats we read.
    #[error("{} is not a CSV, Excel or vCard file", .path.display())]
    Unsupported { path: PathBuf },

    /// `unknown_encoding`: a name given for an encoding that we do not know.
    #[error("unknown text encoding {0:?} (use utf-8, utf-8-bom, shift_jis, euc-jp, utf-16le or utf-16be)")]
    UnknownEncoding(String),

    /// `unknown_format`: a name given for a format that we do not know.
    #[error("unknown file format {0:?} (use csv, tsv, xlsx, xls, ods or vcard)")]
    UnknownFormat(String),

    /// `spreadsheet_error`: the Excel/ODS reader refused the file (damaged, encrypted …).
    #[error("cannot read the spreadsheet {}: {detail}", .path.display())]
    Spreadsheet { path: PathBuf, detail: String },

    /// `sheet_not_found`: the sheet asked for is not in the workbook.
    #[error("the workbook {} has no sheet named {name:?} (sheets: {})", .path.display(), .available.join(", "))]
    SheetNotFound {
        path: PathBuf,
        name: String,
        available: Vec<String>,
    },

    /// `bad_encoding` (row error): bytes that the file's encoding cannot decode, usually
    /// because the encoding guessed or chosen is not the file's.
    #[error("row {row}, column {column}: bytes that are not valid {encoding} text; choose the file's encoding")]
    BadEncoding {
        row: u64,
        column: usize,
        encoding: &'static str,
    },

    /// `nul_byte` (row error): a NUL character inside a cell. Text files never contain one;
    /// it means a binary file or a wrong encoding, so the row is refused rather than cleaned.
    #[error("row {row}, column {column}: the cell contains a NUL character (binary data or a wrong encoding)")]
    NulByte { row: u64, column: usize },

    /// `cell_too_large` (row error): one cell is longer than [`MAX_CELL_BYTES`](super::MAX_CELL_BYTES).
    #[error("row {row}, column {column}: the cell is longer than {limit} bytes")]
    CellTooLarge {
        row: u64,
        column: usize,
        limit: usize,
    },

    /// `row_too_large` (row error): the row has more than [`MAX_COLUMNS`](super::MAX_COLUMNS)
    /// cells or more than [`MAX_ROW_BYTES`](super::MAX_ROW_BYTES) of text.
    #[error("row {row}: the row has too many cells or too much text")]
    RowTooLarge { row: u64 },

    /// `unclosed_quote`: a quoted cell whose closing `"` never comes; everything after the
    /// opening quote would be one cell. `line` is the physical line of the opening quote.
    #[error("row {row} (line {line}), column {column}: a quote opened here is never closed")]
    UnclosedQuote { row: u64, line: u64, column: usize },
}

impl ImportError {
    /// Stable machine-readable code (`empty_file`, `bad_encoding`, `unclosed_quote` …).
    pub fn code(&self) -> &'static str {
        match self {
            ImportError::NotFound { .. } => "file_not_found",
            ImportError::Io { .. } => "io_error",
            ImportError::Empty { .. } => "empty_file",
            ImportError::Unsupported { .. } => "unsupported_file",
            ImportError::UnknownEncoding(_) => "unknown_encoding",
            ImportError::UnknownFormat(_) => "unknown_format",
            ImportError::Spreadsheet { .. } => "spreadsheet_error",
            ImportError::SheetNotFound { .. } => "sheet_not_found",
            ImportError::BadEncoding { .. } => "bad_encoding",
            ImportError::NulByte { .. } => "nul_byte",
            ImportError::CellTooLarge { .. } => "cell_too_large",
            ImportError::RowTooLarge { .. } => "row_too_large",
            ImportError::UnclosedQuote { .. } => "unclosed_quote",
        }
    }

    /// The row the error is about (spreadsheet numbering), when it is about one.
    pub fn row(&self) -> Option<u64> {
        match self {
            ImportError::BadEncoding { row, .. }
            | ImportError::NulByte { row, .. }
            | ImportError::CellTooLarge { row, .. }
            | ImportError::RowTooLarge { row }
            | ImportError::UnclosedQuote { row, .. } => Some(*row),
            _ => None,
        }
    }

    /// The column (from 1) the error is about, when it is about one.
    pub fn column(&self) -> Option<usize> {
        match self {
            ImportError::BadEncoding { column, .. }
            | ImportError::NulByte { column, .. }
            | ImportError::CellTooLarge { column, .. }
            | ImportError::UnclosedQuote { column, .. } => Some(*column),
            _ => None,
        }
    }

    /// The file the error is about, when it names one.
    pub fn path(&self) -> Option<&std::path::Path> {
        match self {
            ImportError::NotFound { path }
            | ImportError::Io { path, .. }
            | ImportError::Empty { path }
            | ImportError::Unsupported { path }
            | ImportError::Spreadsheet { path, .. }
            | ImportError::SheetNotFound { path, .. } => Some(path),
            _ => None,
        }
    }

    /// True when only one row is spoilt and reading can go on with the next one.
    pub fn is_row_error(&self) -> bool {
        matches!(
            self,
            ImportError::BadEncoding { .. }
                | ImportError::NulByte { .. }
                | ImportError::CellTooLarge { .. }
                | ImportError::RowTooLarge { .. }
        )
    }

    pub(crate) fn io(path: &std::path::Path, err: &std::io::Error) -> Self {
        if err.kind() == std::io::ErrorKind::NotFound {
            ImportError::NotFound {
                path: path.to_path_buf(),
            }
        } else {
            ImportError::Io {
                path: path.to_path_buf(),
                detail: err.to_string(),
            }
        }
    }
}

/// An import error becomes an `invalid` error about the field `file`, whose issue carries
/// the import code (`bad_encoding` …) and the English sentence with the row and column.
impl From<ImportError> for Error {
    fn from(e: ImportError) -> Self {
        Error::Invalid {
            issues: vec![FieldIssue {
                row: e.row(),
                ..FieldIssue::new("file", e.code(), e.to_string())
            }],
        }
    }
}
