//! CSV/TSV: a streaming tokenizer over raw bytes, then a strict decoder per row.
//!
//! The tokenizer works on the file's own bytes for UTF-8, Shift_JIS and EUC-JP: in all
//! three, the bytes of `"`, `,`, TAB, CR and LF never occur inside a multi-byte character
//! (Shift_JIS trail bytes are 0x40–0x7E and 0x80–0xFC), so splitting first and decoding each
//! cell afterwards is exact, names the cell that cannot be decoded, and costs no copy of
//! the file. UTF-16 is transcoded to UTF-8 on the fly first ([`Utf16Source`]); bytes it
//! cannot decode are remembered by offset and reported for the row that holds them.
//!
//! Quoting follows RFC 4180 as Excel writes it: a cell that starts with `"` runs to the
//! next lone `"` (a doubled `""` is one quote; delimiters and line breaks inside are data);
//! text after the closing quote is kept literally; a `"` inside an unquoted cell is a
//! character. Rows end at LF, CRLF or a lone CR.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::{ImportError, SourceRow, TextEncoding, MAX_CELL_BYTES, MAX_COLUMNS, MAX_ROW_BYTES};

const BUF_BYTES: usize = 64 * 1024;

/// The file, counting what has been read from it.
pub(super) struct CountingFile {
    file: File,
    read: u64,
}

impl Read for CountingFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.file.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

/// The bytes of a text file, as UTF-8 when the file is UTF-16.
pub(super) enum Source {
    None,
    /// Bytes already in memory (a QR code's vCard).
    Memory(io::Cursor<Vec<u8>>),
    Plain(CountingFile),
    Utf16(Box<Utf16Source<CountingFile>>),
}

impl Source {
    pub(super) fn open(path: &Path, encoding: TextEncoding) -> Result<Self, ImportError> {
        let file = File::open(path).map_err(|e| ImportError::io(path, &e))?;
        let counting = CountingFile { file, read: 0 };
        Ok(if encoding.is_utf16() {
            Source::Utf16(Box::new(Utf16Source::new(counting, encoding.encoding())))
        } else {
            Source::Plain(counting)
        })
    }

    /// Forgets bytes UTF-16 could not decode; true if there were any.
    pub(super) fn take_malformed(&mut self) -> bool {
        match self {
            Source::Utf16(u) => {
                let any = !u.malformed.is_empty();
                u.malformed.clear();
                any
            }
            _ => false,
        }
    }

    fn read_bytes(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Source::None => Ok(0),
            Source::Memory(m) => m.read(buf),
            Source::Plain(f) => f.read(buf),
            Source::Utf16(u) => u.read(buf),
        }
    }

    pub(super) fn bytes_read(&self) -> u64 {
        match self {
            Source::None => 0,
            Source::Memory(m) => m.position(),
            Source::Plain(f) => f.read,
            Source::Utf16(u) => u.inner.read,
        }
    }
}

impl Read for Source {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.read_bytes(buf)
    }
}

/// How the cells' bytes become text.
#[derive(Clone, Copy)]
enum Decode {
    /// UTF-8 (also transcoded UTF-16): validated.
    Utf8,
    /// Shift_JIS or EUC-JP, decoded cell by cell.
    Legacy(&'static encoding_rs::Encoding),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    FieldStart,
    Unquoted,
    Quoted,
    /// Just after a `"` inside a quoted cell: either `""` or the closing quote.
    QuoteSeen,
}

/// What went wrong in the current row while tokenizing (reported once the row is read).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Overflow {
    None,
    Cell(usize),
    Row,
}

pub(super) struct TextReader {
    path: PathBuf,
    source: Source,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    /// Offset in the (transcoded) stream of `buf[0]`.
    base: u64,
    eof: bool,
    delimiter: u8,
    /// `special[b]`: bytes that end an unquoted cell (delimiter, CR, LF).
    special: [bool; 256],
    decode: Decode,
    encoding_name: &'static str,
    /// The cells of the current row, concatenated, and where each one ends.
    rec: Vec<u8>,
    ends: Vec<usize>,
    overflow: Overflow,
    /// Rows consumed so far (blank ones included) and the current physical line.
    row: u64,
    line: u64,
    /// The previous row ended with CR: a LF right after belongs to it.
    skip_lf: bool,
    /// A fatal error was returned: nothing more to read.
    done: bool,
    /// Offsets (in the transcoded stream) of the current row.
    rec_start: u64,
    rec_end: u64,
    rec_line: u64,
}

impl TextReader {
    /// A reader with nothing to read (a placeholder while opening).
    pub(super) fn empty() -> Self {
        Self::with_source(PathBuf::new(), Source::None, TextEncoding::Utf8, b',')
    }

    pub(super) fn open(
        path: &Path,
        encoding: TextEncoding,
        delimiter: u8,
    ) -> Result<Self, ImportError> {
        let source = Source::open(path, encoding)?;
        let mut reader = Self::with_source(path.to_path_buf(), source, encoding, delimiter);
        if matches!(encoding, TextEncoding::Utf8 | TextEncoding::Utf8Bom) {
            reader.skip_utf8_bom()?;
        }
        Ok(reader)
    }

    /// Reads from an in-memory source (tests).
    #[cfg(test)]
    pub(super) fn from_bytes(
        bytes: &[u8],
        encoding: TextEncoding,
        delimiter: u8,
    ) -> Result<Self, ImportError> {
        let dir = tempfile::tempdir().map_err(|e| ImportError::io(Path::new("tmp"), &e))?;
        let path = dir.path().join("t.csv");
        std::fs::write(&path, bytes).map_err(|e| ImportError::io(&path, &e))?;
        Self::open(&path, encoding, delimiter)
    }

    fn with_source(path: PathBuf, source: Source, encoding: TextEncoding, delimiter: u8) -> Self {
        let mut special = [false; 256];
        special[usize::from(delimiter)] = true;
        special[usize::from(b'\n')] = true;
        special[usize::from(b'\r')] = true;
        let decode = match encoding {
            TextEncoding::ShiftJis | TextEncoding::EucJp => Decode::Legacy(encoding.encoding()),
            _ => Decode::Utf8,
        };
        Self {
            path,
            source,
            buf: vec![0; BUF_BYTES],
            pos: 0,
            end: 0,
            base: 0,
            eof: false,
            delimiter,
            special,
            decode,
            encoding_name: encoding.encoding().name(),
            rec: Vec::with_capacity(1024),
            ends: Vec::with_capacity(32),
            overflow: Overflow::None,
            row: 0,
            line: 1,
            skip_lf: false,
            done: false,
            rec_start: 0,
            rec_end: 0,
            rec_line: 1,
        }
    }

    fn skip_utf8_bom(&mut self) -> Result<(), ImportError> {
        while self.end < 3 && self.fill_more()? {}
        if self.buf[..self.end].starts_with(&[0xEF, 0xBB, 0xBF]) {
            self.pos = 3;
        }
        Ok(())
    }

    pub(super) fn bytes_read(&self) -> u64 {
        self.source.bytes_read()
    }

    /// Reads more bytes after `end`, keeping what is there. False at the end of the file.
    fn fill_more(&mut self) -> Result<bool, ImportError> {
        if self.eof {
            return Ok(false);
        }
        loop {
            match self.source.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.done = true;
                    return Err(ImportError::io(&self.path, &e));
                }
            }
        }
    }

    /// Replaces the consumed buffer with fresh bytes. False at the end of the file.
    fn refill(&mut self) -> Result<bool, ImportError> {
        debug_assert_eq!(self.pos, self.end);
        self.base += self.end as u64;
        self.pos = 0;
        self.end = 0;
        self.fill_more()
    }

    fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Appends cell bytes to the current row, within the limits.
    #[inline]
    fn push(rec: &mut Vec<u8>, ends: &[usize], overflow: &mut Overflow, bytes: &[u8]) {
        if *overflow != Overflow::None {
            return;
        }
        let cell_start = ends.last().copied().unwrap_or(0);
        if rec.len() - cell_start + bytes.len() > MAX_CELL_BYTES {
            *overflow = Overflow::Cell(ends.len() + 1);
            rec.truncate(cell_start);
        } else if rec.len() + bytes.len() > MAX_ROW_BYTES {
            *overflow = Overflow::Row;
            rec.truncate(cell_start);
        } else {
            rec.extend_from_slice(bytes);
        }
    }

    #[inline]
    fn end_field(&mut self) {
        if self.ends.len() >= MAX_COLUMNS {
            if self.overflow == Overflow::None {
                self.overflow = Overflow::Row;
            }
            return;
        }
        if self.overflow == Overflow::None {
            self.ends.push(self.rec.len());
        }
    }

    fn end_row(&mut self, terminator: u8) {
        self.end_field();
        self.line += 1;
        self.skip_lf = terminator == b'\r';
        self.row += 1;
        self.rec_end = self.offset();
    }

    /// Tokenizes the next row (blank ones included) into `rec`/`ends`. False at the end.
    fn read_record(&mut self) -> Result<bool, ImportError> {
        self.rec.clear();
        self.ends.clear();
        self.overflow = Overflow::None;
        let mut state = State::FieldStart;
        let mut started = false;
        let mut quote_line = self.line;
        loop {
            if self.pos == self.end && !self.refill()? {
                if state == State::Quoted {
                    self.done = true;
                    return Err(ImportError::UnclosedQuote {
                        row: self.row + 1,
                        line: quote_line,
                        column: self.ends.len() + 1,
                    });
                }
                if !started {
                    return Ok(false);
                }
                self.end_field();
                self.row += 1;
                self.rec_end = self.offset();
                return Ok(true);
            }
            match state {
                State::FieldStart => {
                    let b = self.buf[self.pos];
                    if !started {
                        if std::mem::take(&mut self.skip_lf) && b == b'\n' {
                            self.pos += 1;
                            continue;
                        }
                        started = true;
                        self.rec_start = self.offset();
                        self.rec_line = self.line;
                    }
                    if b == b'"' {
                        self.pos += 1;
                        quote_line = self.line;
                        state = State::Quoted;
                    } else if b == self.delimiter {
                        self.pos += 1;
                        self.end_field();
                    } else if b == b'\n' || b == b'\r' {
                        self.pos += 1;
                        self.end_row(b);
                        return Ok(true);
                    } else {
                        state = State::Unquoted;
                    }
                }
                State::Unquoted => {
                    let chunk = &self.buf[self.pos..self.end];
                    let special = &self.special;
                    let n = chunk
                        .iter()
                        .position(|&b| special[usize::from(b)])
                        .unwrap_or(chunk.len());
                    Self::push(&mut self.rec, &self.ends, &mut self.overflow, &chunk[..n]);
                    self.pos += n;
                    if self.pos < self.end {
                        let b = self.buf[self.pos];
                        self.pos += 1;
                        if b == self.delimiter {
                            self.end_field();
                            state = State::FieldStart;
                        } else {
                            self.end_row(b);
                            return Ok(true);
                        }
                    }
                }
                State::Quoted => {
                    let chunk = &self.buf[self.pos..self.end];
                    let n = memchr::memchr(b'"', chunk).unwrap_or(chunk.len());
                    let data = &chunk[..n];
                    self.line += data.iter().filter(|&&b| b == b'\n').count() as u64;
                    Self::push(&mut self.rec, &self.ends, &mut self.overflow, data);
                    self.pos += n;
                    if self.pos < self.end {
                        self.pos += 1;
                        state = State::QuoteSeen;
                    }
                }
                State::QuoteSeen => {
                    if self.buf[self.pos] == b'"' {
                        Self::push(&mut self.rec, &self.ends, &mut self.overflow, b"\"");
                        self.pos += 1;
                        state = State::Quoted;
                    } else {
                        state = State::Unquoted;
                    }
                }
            }
        }
    }

    /// The next row with any text in it, as raw cells; blank rows are skipped.
    fn next_record(&mut self) -> Result<bool, ImportError> {
        if self.done {
            return Ok(false);
        }
        loop {
            if !self.read_record()? {
                self.done = true;
                return Ok(false);
            }
            if !self.rec.is_empty() || self.overflow != Overflow::None {
                return Ok(true);
            }
        }
    }

    /// Decodes the current row into `cells`.
    fn decode_into(&mut self, cells: &mut Vec<String>) -> Result<(), ImportError> {
        let row = self.row;
        match self.overflow {
            Overflow::None => {}
            Overflow::Cell(column) => {
                return Err(ImportError::CellTooLarge {
                    row,
                    column,
                    limit: MAX_CELL_BYTES,
                })
            }
            Overflow::Row => return Err(ImportError::RowTooLarge { row }),
        }
        let bad = |column: usize| ImportError::BadEncoding {
            row,
            column,
            encoding: self.encoding_name,
        };
        // Bytes UTF-16 could not decode became U+FFFD: report the row that holds them.
        if let Source::Utf16(u) = &mut self.source {
            let mut hit = false;
            while let Some(&at) = u.malformed.front() {
                if at >= self.rec_end {
                    break;
                }
                u.malformed.pop_front();
                hit |= at >= self.rec_start;
            }
            if hit {
                let column = self
                    .cell_ranges()
                    .position(|(a, b)| {
                        memchr::memmem::find(&self.rec[a..b], "\u{fffd}".as_bytes()).is_some()
                    })
                    .map_or(1, |i| i + 1);
                return Err(bad(column));
            }
        }
        if memchr::memchr(0, &self.rec).is_some() {
            let column = self
                .cell_ranges()
                .position(|(a, b)| self.rec[a..b].contains(&0))
                .map_or(1, |i| i + 1);
            return Err(ImportError::NulByte { row, column });
        }
        let n = self.ends.len();
        cells.truncate(n);
        while cells.len() < n {
            cells.push(String::new());
        }
        match self.decode {
            Decode::Utf8 => {
                let text = match std::str::from_utf8(&self.rec) {
                    Ok(t) => t,
                    Err(e) => {
                        let at = e.valid_up_to();
                        let column = self.ends.iter().position(|&end| end > at).unwrap_or(0);
                        return Err(bad(column + 1));
                    }
                };
                for (i, (a, b)) in self.cell_ranges().enumerate() {
                    // Each cell must be whole characters on its own, not only the row.
                    let cell = text.get(a..b).ok_or_else(|| bad(i + 1))?;
                    cells[i].clear();
                    cells[i].push_str(cell);
                }
            }
            Decode::Legacy(encoding) => {
                for (i, (a, b)) in self.cell_ranges().enumerate() {
                    let bytes = &self.rec[a..b];
                    let cell = &mut cells[i];
                    cell.clear();
                    if bytes.is_ascii() {
                        cell.push_str(std::str::from_utf8(bytes).map_err(|_| bad(i + 1))?);
                        continue;
                    }
                    let mut decoder = encoding.new_decoder_without_bom_handling();
                    let need = decoder
                        .max_utf8_buffer_length_without_replacement(bytes.len())
                        .unwrap_or(bytes.len() * 3);
                    cell.reserve(need);
                    let (result, _) =
                        decoder.decode_to_string_without_replacement(bytes, cell, true);
                    if result != encoding_rs::DecoderResult::InputEmpty {
                        return Err(bad(i + 1));
                    }
                }
            }
        }
        Ok(())
    }

    fn cell_ranges(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.ends.iter().scan(0usize, |start, &end| {
            let range = (*start, end);
            *start = end;
            Some(range)
        })
    }

    /// The header row (the first row with any text), decoded.
    pub(super) fn read_header(&mut self) -> Result<Vec<String>, ImportError> {
        if !self.next_record()? {
            return Err(ImportError::Empty {
                path: self.path.clone(),
            });
        }
        let mut cells = Vec::new();
        self.decode_into(&mut cells)?;
        Ok(cells)
    }

    pub(super) fn read_row(&mut self, row: &mut SourceRow) -> Result<bool, ImportError> {
        if !self.next_record()? {
            return Ok(false);
        }
        row.number = self.row;
        row.line = self.rec_line;
        self.decode_into(&mut row.cells)?;
        Ok(true)
    }
}

/// UTF-16 → UTF-8 on the fly. Undecodable input becomes U+FFFD, and the offset in the
/// output where it was written is remembered in `malformed` for the reader to report.
pub(super) struct Utf16Source<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    input: Vec<u8>,
    in_pos: usize,
    in_end: usize,
    in_eof: bool,
    finished: bool,
    output: Vec<u8>,
    out_pos: usize,
    out_end: usize,
    /// Bytes handed out before `output[0]`.
    out_base: u64,
    malformed: VecDeque<u64>,
}

impl<R: Read> Utf16Source<R> {
    fn new(inner: R, encoding: &'static encoding_rs::Encoding) -> Self {
        Self {
            inner,
            decoder: encoding.new_decoder_with_bom_removal(),
            input: vec![0; BUF_BYTES],
            in_pos: 0,
            in_end: 0,
            in_eof: false,
            finished: false,
            output: vec![0; BUF_BYTES * 2],
            out_pos: 0,
            out_end: 0,
            out_base: 0,
            malformed: VecDeque::new(),
        }
    }

    /// Decodes the next stretch of input into `output`.
    fn produce(&mut self) -> io::Result<()> {
        self.out_base += self.out_end as u64;
        self.out_pos = 0;
        self.out_end = 0;
        while !self.finished {
            if self.in_pos == self.in_end && !self.in_eof {
                let n = loop {
                    match self.inner.read(&mut self.input) {
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        other => break other?,
                    }
                };
                self.in_pos = 0;
                self.in_end = n;
                self.in_eof = n == 0;
            }
            // Room for the worst case (2 input bytes → 3 output bytes) plus one U+FFFD.
            let room = self.output.len() - self.out_end;
            if room < 16 {
                return Ok(());
            }
            let take = ((room - 8) / 2).min(self.in_end - self.in_pos);
            let last = self.in_eof && take == self.in_end - self.in_pos;
            let (result, read, written) = self.decoder.decode_to_utf8_without_replacement(
                &self.input[self.in_pos..self.in_pos + take],
                &mut self.output[self.out_end..],
                last,
            );
            self.in_pos += read;
            self.out_end += written;
            match result {
                encoding_rs::DecoderResult::Malformed(_, _) => {
                    self.malformed
                        .push_back(self.out_base + self.out_end as u64);
                    self.output[self.out_end..self.out_end + 3]
                        .copy_from_slice("\u{fffd}".as_bytes());
                    self.out_end += 3;
                }
                encoding_rs::DecoderResult::InputEmpty => {
                    if last {
                        self.finished = true;
                    } else if self.out_end > 0 && self.in_pos == self.in_end {
                        return Ok(());
                    }
                }
                encoding_rs::DecoderResult::OutputFull => return Ok(()),
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for Utf16Source<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.out_pos == self.out_end {
            self.produce()?;
        }
        let n = (self.out_end - self.out_pos).min(buf.len());
        buf[..n].copy_from_slice(&self.output[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(
        bytes: &[u8],
        encoding: TextEncoding,
        delimiter: u8,
    ) -> Vec<Result<SourceRow, ImportError>> {
        let mut r = TextReader::from_bytes(bytes, encoding, delimiter).unwrap();
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

    fn cells(bytes: &[u8]) -> Vec<Vec<String>> {
        rows(bytes, TextEncoding::Utf8, b',')
            .into_iter()
            .map(|r| r.unwrap().cells)
            .collect()
    }

    #[test]
    fn quoting_and_line_ends() {
        assert_eq!(
            cells(b"a,\"b,c\",\"d\"\"e\"\r\n\"multi\r\nline\",x,\r\nlast,row"),
            vec![
                vec!["a", "b,c", "d\"e"],
                vec!["multi\r\nline", "x", ""],
                vec!["last", "row"],
            ]
        );
        // Lone CR rows, quote inside an unquoted cell, text after a closing quote.
        assert_eq!(
            cells(b"a\"b,c\r\"q\"tail,2\r"),
            vec![vec!["a\"b", "c"], vec!["qtail", "2"]]
        );
    }

    #[test]
    fn numbering_counts_blank_lines_and_lines() {
        let r = rows(b"h1,h2\n\n1,\"x\ny\"\n,\n2,z\n", TextEncoding::Utf8, b',');
        let r: Vec<_> = r.into_iter().map(Result::unwrap).collect();
        assert_eq!(r.len(), 3);
        assert_eq!((r[0].number, r[0].line), (1, 1));
        assert_eq!((r[1].number, r[1].line), (3, 3));
        // ",": all cells empty, skipped but counted.
        assert_eq!((r[2].number, r[2].line), (5, 6));
    }

    #[test]
    fn unclosed_quote_names_where_it_opened() {
        let r = rows(b"a,b\n1,2\n3,\"open\n4,5\n6,7\n", TextEncoding::Utf8, b',');
        let e = r.last().unwrap().as_ref().unwrap_err();
        assert_eq!(e.code(), "unclosed_quote");
        assert_eq!(
            *e,
            ImportError::UnclosedQuote {
                row: 3,
                line: 3,
                column: 2
            }
        );
    }

    #[test]
    fn shift_jis_cells_and_bad_bytes() {
        let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode("髙橋,㈱ミライ,①\n表示,ソ,\"能,力\"\n");
        let got: Vec<_> = rows(&bytes, TextEncoding::ShiftJis, b',')
            .into_iter()
            .map(|r| r.unwrap().cells)
            .collect();
        assert_eq!(
            got,
            vec![vec!["髙橋", "㈱ミライ", "①"], vec!["表示", "ソ", "能,力"]]
        );
        // The same bytes read as UTF-8: the first row is refused, naming the cell.
        let r = rows(&bytes, TextEncoding::Utf8, b',');
        assert_eq!(
            r[0].as_ref().unwrap_err(),
            &ImportError::BadEncoding {
                row: 1,
                column: 1,
                encoding: "UTF-8"
            }
        );
        // A lone lead byte in Shift_JIS.
        let r = rows(b"ok,\x82\n", TextEncoding::ShiftJis, b',');
        assert_eq!(r[0].as_ref().unwrap_err().column(), Some(2));
    }

    #[test]
    fn row_errors_do_not_stop_reading() {
        let r = rows(b"a,b\x00c\nd,e\n", TextEncoding::Utf8, b',');
        assert_eq!(
            r[0].as_ref().unwrap_err(),
            &ImportError::NulByte { row: 1, column: 2 }
        );
        assert_eq!(r[1].as_ref().unwrap().cells, vec!["d", "e"]);
        assert!(r[0].as_ref().unwrap_err().is_row_error());
    }

    #[test]
    fn utf16_transcoding_and_malformed() {
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(
            "名前\tメモ\n田中\t①\n"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        );
        let got: Vec<_> = rows(&bytes, TextEncoding::Utf16Le, b'\t')
            .into_iter()
            .map(|r| r.unwrap().cells)
            .collect();
        assert_eq!(got, vec![vec!["名前", "メモ"], vec!["田中", "①"]]);
        // A lone surrogate in row 2, column 2.
        let mut bytes = Vec::new();
        bytes.extend("a\tb\nc\t".encode_utf16().flat_map(u16::to_le_bytes));
        bytes.extend_from_slice(&[0x00, 0xD8]);
        bytes.extend("x\ne\tf\n".encode_utf16().flat_map(u16::to_le_bytes));
        let r = rows(&bytes, TextEncoding::Utf16Le, b'\t');
        assert_eq!(r[0].as_ref().unwrap().cells, vec!["a", "b"]);
        assert_eq!(
            r[1].as_ref().unwrap_err(),
            &ImportError::BadEncoding {
                row: 2,
                column: 2,
                encoding: "UTF-16LE"
            }
        );
        assert_eq!(r[2].as_ref().unwrap().cells, vec!["e", "f"]);
    }

    #[test]
    fn huge_cell_is_refused_with_flat_memory() {
        let mut bytes = b"a,b\n1,\"".to_vec();
        bytes.resize(bytes.len() + 3 * MAX_CELL_BYTES, b'x');
        bytes.extend_from_slice(b"\"\n2,3\n");
        let mut r = TextReader::from_bytes(&bytes, TextEncoding::Utf8, b',').unwrap();
        let mut row = SourceRow::default();
        assert!(r.read_row(&mut row).unwrap());
        let e = r.read_row(&mut row).unwrap_err();
        assert_eq!(
            e,
            ImportError::CellTooLarge {
                row: 2,
                column: 2,
                limit: MAX_CELL_BYTES
            }
        );
        assert!(r.rec.capacity() <= 2 * MAX_CELL_BYTES);
        assert!(r.read_row(&mut row).unwrap());
        assert_eq!(row.cells, vec!["2", "3"]);
    }

    #[test]
    fn buffer_boundaries_do_not_matter() {
        // Rows that straddle the 64 KiB buffer at every offset of a CRLF and a quote.
        let mut text = String::new();
        let mut expected = Vec::new();
        for i in 0..20_000 {
            let cell = format!("値{i},\"q\"\"{i}\"");
            text.push_str(&cell);
            text.push_str("\r\n");
            expected.push(vec![format!("値{i}"), format!("q\"{i}")]);
        }
        assert_eq!(cells(text.as_bytes()), expected);
    }
}
