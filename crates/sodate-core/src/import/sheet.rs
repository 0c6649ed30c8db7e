//! XLSX, XLS and ODS through calamine. calamine reads a whole sheet into memory: fine for
//! the sizes people keep in Excel (1M rows is Excel's own limit).
//!
//! Cells become the text a person sees: dates as ISO `YYYY-MM-DD` (with ` HH:MM:SS` when
//! there is a time), whole numbers without `.0` (a phone number stored as a number keeps
//! its digits; a leading 0 lost in Excel stays lost), other numbers with at most 15
//! significant digits as Excel shows them, booleans as `TRUE`/`FALSE`, errors as `#N/A` ….

use std::path::Path;

use calamine::{Data, Range, Reader as _, Sheets};

use super::{Format, ImportError, SourceRow};

pub(super) struct SheetReader {
    name: String,
    names: Vec<String>,
    range: Range<Data>,
    /// Absolute row of the range's first row (0-based).
    first_row: u32,
    /// Next row to read, relative to the range.
    next: usize,
}

/// Uncompressed bytes a workbook may hold in all (a 1M-row, 15-column sheet is below 1 GiB).
const MAX_UNCOMPRESSED_BYTES: u64 = 4 << 30;
/// Beyond this size an entry may not be compressed more than [`MAX_RATIO`] times: real
/// sheet XML compresses 10–30 times, a zip bomb thousands of times.
const RATIO_CHECKED_FROM: u64 = 64 << 20;
const MAX_RATIO: u64 = 200;

/// Refuses an XLSX/ODS (a zip) whose entries would expand to absurd sizes, before the
/// spreadsheet reader inflates anything into memory.
fn refuse_zip_bomb(path: &Path) -> Result<(), String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file))
        .map_err(|e| format!("not a valid workbook (zip): {e}"))?;
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|e| e.to_string())?;
        let size = entry.size();
        total = total.saturating_add(size);
        if size > RATIO_CHECKED_FROM && size / entry.compressed_size().max(1) > MAX_RATIO {
            return Err(format!(
                "the part {} would expand to {} MB from {} KB (a zip bomb?); nothing was read",
                entry.name().unwrap_or_default(),
                size >> 20,
                entry.compressed_size() >> 10
            ));
        }
    }
    if total > MAX_UNCOMPRESSED_BYTES {
        return Err(format!(
            "the workbook would expand to {} MB, more than Sodate reads ({} MB)",
            total >> 20,
            MAX_UNCOMPRESSED_BYTES >> 20
        ));
    }
    Ok(())
}

impl SheetReader {
    pub(super) fn open(
        path: &Path,
        format: Format,
        sheet: Option<&str>,
    ) -> Result<Self, ImportError> {
        if let Err(e) = std::fs::metadata(path) {
            return Err(ImportError::io(path, &e));
        }
        let spreadsheet = |detail: String| ImportError::Spreadsheet {
            path: path.to_path_buf(),
            detail,
        };
        if matches!(format, Format::Xlsx | Format::Ods) {
            refuse_zip_bomb(path).map_err(spreadsheet)?;
        }
        let mut book: Sheets<_> = match format {
            Format::Xls => Sheets::Xls(
                calamine::open_workbook(path)
                    .map_err(|e: calamine::XlsError| spreadsheet(e.to_string()))?,
            ),
            Format::Ods => Sheets::Ods(
                calamine::open_workbook(path)
                    .map_err(|e: calamine::OdsError| spreadsheet(e.to_string()))?,
            ),
            _ => Sheets::Xlsx(
                calamine::open_workbook(path)
                    .map_err(|e: calamine::XlsxError| spreadsheet(e.to_string()))?,
            ),
        };
        let names = book.sheet_names();
        let wanted = match sheet {
            Some(wanted) => {
                let by_index = wanted
                    .strip_prefix('#')
                    .and_then(|n| n.parse::<usize>().ok())
                    .and_then(|n| n.checked_sub(1))
                    .and_then(|i| names.get(i));
                let found = by_index.or_else(|| names.iter().find(|n| n.as_str() == wanted));
                match found {
                    Some(name) => Some(name.clone()),
                    None => {
                        return Err(ImportError::SheetNotFound {
                            path: path.to_path_buf(),
                            name: wanted.to_string(),
                            available: names,
                        })
                    }
                }
            }
            None => None,
        };
        let candidates = match &wanted {
            Some(name) => vec![name.clone()],
            None => names.clone(),
        };
        for name in candidates {
            let range = book
                .worksheet_range(&name)
                .map_err(|e| spreadsheet(e.to_string()))?;
            let has_cells = range.used_cells().any(|(_, _, v)| !cell_text(v).is_empty());
            if has_cells || wanted.is_some() {
                let first_row = range.start().map_or(0, |(r, _)| r);
                return Ok(Self {
                    name,
                    names,
                    range,
                    first_row,
                    next: 0,
                });
            }
        }
        Err(ImportError::Empty {
            path: path.to_path_buf(),
        })
    }

    pub(super) fn sheet_name(&self) -> &str {
        &self.name
    }

    pub(super) fn sheet_names(&self) -> &[String] {
        &self.names
    }

    /// The next row with any text, as (absolute 1-based row number, cells).
    fn next_nonempty(&mut self, cells: &mut Vec<String>) -> Option<u64> {
        while self.next < self.range.height() {
            let i = self.next;
            self.next += 1;
            let width = self.range.width();
            cells.clear();
            let mut any = false;
            for col in 0..width {
                let text = self.range.get((i, col)).map(cell_text).unwrap_or_default();
                any |= !text.is_empty();
                cells.push(text);
            }
            if any {
                return Some(u64::from(self.first_row) + i as u64 + 1);
            }
        }
        None
    }

    pub(super) fn read_header(&mut self, path: &Path) -> Result<Vec<String>, ImportError> {
        let mut cells = Vec::new();
        if self.next_nonempty(&mut cells).is_none() {
            return Err(ImportError::Empty {
                path: path.to_path_buf(),
            });
        }
        while cells.last().is_some_and(String::is_empty) {
            cells.pop();
        }
        Ok(cells)
    }

    /// Rows are cut or padded to the header's width, keeping cells beyond it that have text.
    pub(super) fn read_row(
        &mut self,
        row: &mut SourceRow,
        header_len: usize,
    ) -> Result<bool, ImportError> {
        let Some(number) = self.next_nonempty(&mut row.cells) else {
            return Ok(false);
        };
        while row.cells.len() > header_len && row.cells.last().is_some_and(String::is_empty) {
            row.cells.pop();
        }
        row.cells
            .resize(row.cells.len().max(header_len), String::new());
        row.number = number;
        row.line = number;
        Ok(true)
    }

    pub(super) fn progress(&self) -> f64 {
        let height = self.range.height();
        if height == 0 {
            1.0
        } else {
            self.next as f64 / height as f64
        }
    }
}

/// The text a person sees in a cell.
pub(super) fn cell_text(value: &Data) -> String {
    match value {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(dt) => {
            let (y, mo, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
            let has_time = (h, mi, s, ms) != (0, 0, 0, 0);
            if dt.is_duration() || (dt.as_f64() < 1.0 && dt.as_f64() >= 0.0 && has_time) {
                // A time of day or a duration: no date.
                let total = (dt.as_f64() * 86_400.0).round() as i64;
                format!(
                    "{:02}:{:02}:{:02}",
                    total / 3600,
                    (total % 3600) / 60,
                    total % 60
                )
            } else if has_time {
                format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
            } else {
                format!("{y:04}-{mo:02}-{d:02}")
            }
        }
        Data::DateTimeIso(s) => s
            .strip_suffix("T00:00:00")
            .unwrap_or(s)
            .replacen('T', " ", 1),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(),
    }
}

/// A number as Excel shows it in a General cell: integers without `.0`, at most 15
/// significant digits, never an exponent.
pub(super) fn number_text(f: f64) -> String {
    if !f.is_finite() {
        return f.to_string();
    }
    if f.fract() == 0.0 && f.abs() < 1e15 {
        return format!("{}", f as i64);
    }
    let plain = f.to_string();
    let digits = plain.bytes().filter(u8::is_ascii_digit).count();
    if digits <= 15 {
        return plain;
    }
    let magnitude = f.abs().log10().floor() as i32 + 1;
    let decimals = (15 - magnitude).clamp(0, 20) as usize;
    let mut s = format!("{f:.decimals$}");
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{ExcelDateTime, ExcelDateTimeType};

    #[test]
    fn numbers_as_excel_shows_them() {
        assert_eq!(number_text(123.0), "123");
        assert_eq!(number_text(9012345678.0), "9012345678");
        assert_eq!(number_text(1000001.0), "1000001");
        assert_eq!(number_text(-42.0), "-42");
        assert_eq!(number_text(0.1 + 0.2), "0.3");
        assert_eq!(number_text(3.25), "3.25");
        assert_eq!(number_text(1e20), "100000000000000000000");
    }

    #[test]
    fn dates_times_and_other_cells() {
        let date =
            |v: f64| Data::DateTime(ExcelDateTime::new(v, ExcelDateTimeType::DateTime, false));
        assert_eq!(cell_text(&date(45383.0)), "2024-04-01");
        assert_eq!(cell_text(&date(45383.5)), "2024-04-01 12:00:00");
        assert_eq!(cell_text(&date(0.75)), "18:00:00");
        assert_eq!(cell_text(&Data::Bool(true)), "TRUE");
        assert_eq!(cell_text(&Data::Int(7)), "7");
        assert_eq!(
            cell_text(&Data::DateTimeIso("2024-04-01T00:00:00".into())),
            "2024-04-01"
        );
        assert_eq!(cell_text(&Data::Error(calamine::CellErrorType::NA)), "#N/A");
    }
}
