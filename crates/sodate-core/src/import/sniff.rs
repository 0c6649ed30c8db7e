//! Deciding a file's format and text encoding from its first bytes and its name.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};

use super::{Format, ImportError, Sniffed, TextEncoding};

/// Bytes read from the start of the file.
const HEAD_BYTES: usize = 64 * 1024;
/// How far an all-ASCII file is scanned for its first non-ASCII text (to tell UTF-8 from
/// Shift_JIS when the Japanese starts late, e.g. under English headers).
const SCAN_LIMIT: u64 = 32 << 20;
/// Bytes of a later non-ASCII stretch handed to the detector.
const LATE_WINDOW: usize = 16 * 1024;

/// Decides what `path` is: its [`Format`] (magic bytes first, then the content of text —
/// `BEGIN:VCARD`, tabs against commas —, then the extension) and, for text, its
/// [`TextEncoding`]: a BOM, else valid UTF-8, else UTF-16 recognised by its NUL pattern,
/// else chardetng's guess with the `.jp` hint, kept to Shift_JIS (CP932) or EUC-JP.
///
/// Errors: `file_not_found`, `io_error`, `empty_file`, and `unsupported_file` for binary
/// data (control bytes outside UTF-16, images, PDFs, archives that are not workbooks).
pub fn sniff(path: impl AsRef<Path>) -> Result<Sniffed, ImportError> {
    Sample::read(path.as_ref())?.sniff(None)
}

/// The start of a file (plus, for an all-ASCII start, its first non-ASCII stretch).
pub(super) struct Sample {
    path: PathBuf,
    pub(super) size: u64,
    head: Vec<u8>,
    /// A window around the first non-ASCII bytes found after `head`, when `head` is ASCII.
    late: Vec<u8>,
    /// True when `head` is the whole file.
    complete: bool,
}

impl Sample {
    pub(super) fn read(path: &Path) -> Result<Self, ImportError> {
        let io = |e: std::io::Error| ImportError::io(path, &e);
        let mut file = File::open(path).map_err(io)?;
        let meta = file.metadata().map_err(io)?;
        if meta.is_dir() {
            return Err(ImportError::Io {
                path: path.to_path_buf(),
                detail: "it is a folder, not a file".into(),
            });
        }
        let mut head = Vec::with_capacity(HEAD_BYTES);
        (&mut file)
            .take(HEAD_BYTES as u64)
            .read_to_end(&mut head)
            .map_err(io)?;
        if head.is_empty() {
            return Err(ImportError::Empty {
                path: path.to_path_buf(),
            });
        }
        let complete = head.len() < HEAD_BYTES;
        let mut late = Vec::new();
        if !complete && head.is_ascii() {
            let mut scanned = head.len() as u64;
            let mut chunk = vec![0u8; HEAD_BYTES];
            while scanned < SCAN_LIMIT {
                let n = read_full(&mut file, &mut chunk).map_err(io)?;
                if n == 0 {
                    break;
                }
                scanned += n as u64;
                if let Some(first) = chunk[..n].iter().position(|b| !b.is_ascii()) {
                    // Start at the line holding it, so that no character is cut in two.
                    let start = chunk[..first]
                        .iter()
                        .rposition(|&b| b == b'\n')
                        .map_or(first, |p| p + 1);
                    late.extend_from_slice(&chunk[start..n]);
                    let more = LATE_WINDOW.saturating_sub(late.len());
                    if more > 0 {
                        (&mut file)
                            .take(more as u64)
                            .read_to_end(&mut late)
                            .map_err(io)?;
                    }
                    break;
                }
            }
        }
        Ok(Self {
            path: path.to_path_buf(),
            size: meta.len(),
            head,
            late,
            complete,
        })
    }

    fn extension(&self) -> String {
        self.path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase()
    }

    /// Format and encoding; `forced` is an encoding the user chose (it decides how the
    /// content is read for the vCard/TSV checks).
    pub(super) fn sniff(&self, forced: Option<TextEncoding>) -> Result<Sniffed, ImportError> {
        let ext = self.extension();
        let head = &self.head;
        let sniffed = |format, encoding, encoding_guessed| Sniffed {
            format,
            encoding,
            encoding_guessed,
            size: self.size,
        };
        if head.starts_with(b"PK\x03\x04") {
            let is_ods = ext == "ods"
                || find(
                    head,
                    b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet",
                )
                .is_some();
            let format = if is_ods { Format::Ods } else { Format::Xlsx };
            return Ok(sniffed(format, None, false));
        }
        if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            return Ok(sniffed(Format::Xls, None, false));
        }
        if is_known_binary(head) {
            return Err(self.unsupported());
        }
        let (encoding, guessed) = match forced {
            Some(e) => (e, false),
            None => self.detect_encoding(),
        };
        if !encoding.is_utf16() && looks_binary(head) {
            return Err(self.unsupported());
        }
        let text = decode_lossy(head, encoding);
        let body = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        let is_vcard = body
            .get(..11)
            .is_some_and(|s| s.eq_ignore_ascii_case("BEGIN:VCARD"));
        if is_vcard || ext == "vcf" || ext == "vcard" {
            return Ok(sniffed(Format::Vcard, Some(encoding), guessed));
        }
        let format = delimiter_format(&text, &ext);
        Ok(sniffed(format, Some(encoding), guessed))
    }

    /// The encoding of a text file, and whether it is a guess.
    pub(super) fn detect_encoding(&self) -> (TextEncoding, bool) {
        let head = &self.head;
        if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
            return (TextEncoding::Utf8Bom, false);
        }
        if head.starts_with(&[0xFF, 0xFE]) {
            return (TextEncoding::Utf16Le, false);
        }
        if head.starts_with(&[0xFE, 0xFF]) {
            return (TextEncoding::Utf16Be, false);
        }
        if let Some(e) = utf16_by_nul_pattern(head) {
            return (e, true);
        }
        let late = &self.late;
        let head_ok = is_utf8(head, self.complete);
        if head_ok && late.is_empty() {
            return (TextEncoding::Utf8, false);
        }
        if head_ok && is_utf8(late, false) {
            return (TextEncoding::Utf8, false);
        }
        let sample: &[u8] = if late.is_empty() { head } else { late };
        (
            guess_legacy_japanese(sample, self.complete && late.is_empty()),
            true,
        )
    }

    fn unsupported(&self) -> ImportError {
        ImportError::Unsupported {
            path: self.path.clone(),
        }
    }
}

/// `read` until `buf` is full or the end of the file.
fn read_full(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Valid UTF-8, allowing a character cut at the end of an incomplete sample.
fn is_utf8(bytes: &[u8], complete: bool) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(_) => true,
        Err(e) => !complete && e.error_len().is_none(),
    }
}

fn decodes_cleanly(bytes: &[u8], enc: &'static encoding_rs::Encoding) -> bool {
    // Cut at the last newline: a sample may end inside a character.
    let end = bytes
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(bytes.len(), |p| p + 1);
    enc.decode_without_bom_handling_and_without_replacement(&bytes[..end])
        .is_some()
}

/// UTF-16 without a BOM: ASCII text has a NUL in every other byte.
fn utf16_by_nul_pattern(head: &[u8]) -> Option<TextEncoding> {
    let n = head.len().min(4096) & !1;
    if n < 4 {
        return None;
    }
    let (mut even, mut odd) = (0usize, 0usize);
    for pair in head[..n].chunks_exact(2) {
        even += usize::from(pair[0] == 0);
        odd += usize::from(pair[1] == 0);
    }
    let pairs = n / 2;
    if odd * 3 > pairs && even * 20 < pairs {
        Some(TextEncoding::Utf16Le)
    } else if even * 3 > pairs && odd * 20 < pairs {
        Some(TextEncoding::Utf16Be)
    } else {
        None
    }
}

/// Binary data: control bytes (NUL …, not TAB/CR/LF/FF/ESC) make more than 1 % of the
/// sample. A text file with a few stray NULs is still read, and those rows are refused
/// one by one (`nul_byte`).
fn looks_binary(head: &[u8]) -> bool {
    let controls = head
        .iter()
        .filter(|&&b| matches!(b, 0x00..=0x08 | 0x0E..=0x1A | 0x1C..=0x1F))
        .count();
    controls > 8 && controls * 100 > head.len()
}

/// Images, PDFs and archives that are not workbooks.
fn is_known_binary(head: &[u8]) -> bool {
    const MAGIC: &[&[u8]] = &[
        b"\x89PNG\r\n\x1a\n",
        b"%PDF-",
        b"GIF87a",
        b"GIF89a",
        b"\xFF\xD8\xFF",
        b"\x1F\x8B",
        b"Rar!\x1A\x07",
        b"7z\xBC\xAF\x27\x1C",
        b"SQLite format 3\0",
    ];
    MAGIC.iter().any(|m| head.starts_with(m))
}

fn decode_lossy(bytes: &[u8], encoding: TextEncoding) -> String {
    let (text, _, _) = encoding.encoding().decode(bytes);
    text.into_owned()
}

/// TSV when the first lines hold more tabs than commas (Excel's "Unicode text" is tab
/// separated whatever its extension), else CSV; a single column follows the extension.
fn delimiter_format(text: &str, ext: &str) -> Format {
    let (mut tabs, mut commas) = (0usize, 0usize);
    for line in text.lines().take(20) {
        tabs += line.bytes().filter(|&b| b == b'\t').count();
        commas += line.bytes().filter(|&b| b == b',').count();
    }
    if tabs > commas || (tabs == commas && matches!(ext, "tsv" | "tab" | "txt")) {
        Format::Tsv
    } else {
        Format::Csv
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

/// The Japanese 8-bit encoding (Shift_JIS or EUC-JP) of bytes that are not UTF-8; `complete`
/// when `sample` is all there is. Files and QR payloads are guessed the same way.
pub(crate) fn guess_legacy_japanese(sample: &[u8], complete: bool) -> TextEncoding {
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
    detector.feed(sample, complete);
    let guess = detector.guess(Some(b"jp"), Utf8Detection::Allow);
    let guessed = TextEncoding::from_encoding(guess)
        .filter(|e| matches!(e, TextEncoding::ShiftJis | TextEncoding::EucJp));
    guessed.unwrap_or_else(|| {
        // A non-Japanese guess (GBK, windows-1252 …) for Japanese business data: take
        // whichever Japanese encoding decodes the sample without errors.
        if decodes_cleanly(sample, encoding_rs::EUC_JP)
            && !decodes_cleanly(sample, encoding_rs::SHIFT_JIS)
        {
            TextEncoding::EucJp
        } else {
            TextEncoding::ShiftJis
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sniff_bytes(name: &str, bytes: &[u8]) -> Result<Sniffed, ImportError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        sniff(&path)
    }

    #[test]
    fn utf8_shift_jis_and_bom() {
        let s = sniff_bytes(
            "a.csv",
            "氏名,会社名\n田中 太郎,株式会社ミライ\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(
            (s.format, s.encoding, s.encoding_guessed),
            (Format::Csv, Some(TextEncoding::Utf8), false)
        );
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("氏名,会社名\n田中 太郎,株式会社ミライ\n");
        let s = sniff_bytes("a.csv", &sjis).unwrap();
        assert_eq!(s.encoding, Some(TextEncoding::ShiftJis));
        assert!(s.encoding_guessed);
        let (euc, _, _) = encoding_rs::EUC_JP.encode("氏名,会社名\n田中 太郎,株式会社ミライ技研\n");
        assert_eq!(
            sniff_bytes("a.csv", &euc).unwrap().encoding,
            Some(TextEncoding::EucJp)
        );
        let s = sniff_bytes("a.csv", b"\xEF\xBB\xBFa,b\n").unwrap();
        assert_eq!(s.encoding, Some(TextEncoding::Utf8Bom));
    }

    #[test]
    fn late_japanese_under_ascii_is_found() {
        let mut bytes = b"Name,Company\n".to_vec();
        while bytes.len() < 200_000 {
            bytes.extend_from_slice(b"Taro Yamada,Example Inc.\n");
        }
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("田中 太郎,株式会社ミライ技研\n");
        bytes.extend_from_slice(&sjis);
        let s = sniff_bytes("late.csv", &bytes).unwrap();
        assert_eq!(s.encoding, Some(TextEncoding::ShiftJis));
    }

    #[test]
    fn utf16_with_and_without_bom_and_tabs() {
        let text = "氏名\t会社名\n田中\tミライ\n";
        let mut le = vec![0xFF, 0xFE];
        le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let s = sniff_bytes("list.csv", &le).unwrap();
        assert_eq!(
            (s.format, s.encoding),
            (Format::Tsv, Some(TextEncoding::Utf16Le))
        );
        let be: Vec<u8> = "Name\tCompany\nTaro\tMirai\n"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        let s = sniff_bytes("list.txt", &be).unwrap();
        assert_eq!(
            (s.format, s.encoding),
            (Format::Tsv, Some(TextEncoding::Utf16Be))
        );
    }

    #[test]
    fn containers_vcards_and_binary() {
        assert_eq!(
            sniff_bytes("x.bin", b"PK\x03\x04rest").unwrap().format,
            Format::Xlsx
        );
        assert_eq!(
            sniff_bytes("x.ods", b"PK\x03\x04rest").unwrap().format,
            Format::Ods
        );
        let ole = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0];
        assert_eq!(sniff_bytes("x.dat", &ole).unwrap().format, Format::Xls);
        let s = sniff_bytes("x.txt", b"\r\nbegin:vcard\r\nVERSION:3.0\r\n").unwrap();
        assert_eq!(s.format, Format::Vcard);
        for bytes in [
            &b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"[..],
            &[0u8; 64][..],
            b"%PDF-1.7\n",
        ] {
            let e = sniff_bytes("x.csv", bytes).unwrap_err();
            assert_eq!(e.code(), "unsupported_file");
            assert!(e.to_string().contains("not a CSV, Excel or vCard file"));
        }
        assert_eq!(sniff_bytes("x.csv", b"").unwrap_err().code(), "empty_file");
        let e = sniff("/nonexistent/sodate/x.csv").unwrap_err();
        assert_eq!(e.code(), "file_not_found");
    }

    #[test]
    fn delimiters() {
        assert_eq!(delimiter_format("a,b\tc,d\n", "csv"), Format::Csv);
        assert_eq!(delimiter_format("a\tb\tc,d\n", "csv"), Format::Tsv);
        assert_eq!(delimiter_format("name\n", "tsv"), Format::Tsv);
        assert_eq!(delimiter_format("name\n", "csv"), Format::Csv);
    }
}
