//! Reading and writing the small files the user names (a scoring model, a segment filter,
//! a chart as PNG), with the errors the app and the CLI show.

use std::path::Path;

use crate::{Error, Result};

/// The whole file as UTF-8 text; a file that cannot be read is an `invalid` error on `field`.
pub fn read_text(path: &Path, field: &str) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| {
        Error::invalid(
            field,
            "unreadable",
            format!("cannot read {}: {e}", path.display()),
        )
    })
}

/// Writes `text` to `path` (replacing it).
pub fn write_text(path: &Path, text: &str) -> Result<()> {
    write_bytes(path, text.as_bytes())
}

/// Writes `bytes` to `path` (replacing it): a chart's PNG, a table's CSV.
pub fn write_bytes(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|e| Error::FileWrite {
        path: path.to_path_buf(),
        detail: e.to_string(),
    })
}

/// A one-page PDF showing a JPEG picture (a journey map drawn by the app) of `width` ×
/// `height` pixels at `dpi` dots per inch (96 to 600): the page is the picture's size. The JPEG is embedded as it is (`DCTDecode`), so any PDF
/// reader shows exactly the pixels the app drew. Refuses what is not a baseline/progressive
/// JPEG of the stated size.
pub fn pdf_of_jpeg(jpeg: &[u8], width: u32, height: u32, dpi: u32) -> Result<Vec<u8>> {
    let bad = |detail: &str| {
        Error::invalid(
            "image",
            "invalid_image",
            format!("the picture cannot be put in a PDF: {detail}"),
        )
    };
    if !jpeg.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Err(bad("it is not a JPEG"));
    }
    if width == 0 || height == 0 || width > 20_000 || height > 20_000 {
        return Err(bad("its size is not between 1 and 20000 pixels"));
    }
    if !(96..=600).contains(&dpi) {
        return Err(bad("its resolution is not between 96 and 600 dpi"));
    }
    // Points (1/72 in).
    let points = 72.0 / f64::from(dpi);
    let (w, h) = (f64::from(width) * points, f64::from(height) * points);
    let content = format!("q {w:.2} 0 0 {h:.2} 0 0 cm /Im0 Do Q\n");
    let mut out: Vec<u8> = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    let mut object = |out: &mut Vec<u8>, head: String, stream: Option<&[u8]>| {
        offsets.push(out.len());
        out.extend_from_slice(head.as_bytes());
        if let Some(bytes) = stream {
            out.extend_from_slice(b"\nstream\n");
            out.extend_from_slice(bytes);
            out.extend_from_slice(b"\nendstream");
        }
        out.extend_from_slice(b"\nendobj\n");
    };
    object(
        &mut out,
        "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>".into(),
        None,
    );
    object(
        &mut out,
        "2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>".into(),
        None,
    );
    object(
        &mut out,
        format!(
            "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {w:.2} {h:.2}] /Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>"
        ),
        None,
    );
    object(
        &mut out,
        format!(
            "4 0 obj\n<< /Type /XObject /Subtype /Image /Width {width} /Height {height} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length {} >>",
            jpeg.len()
        ),
        Some(jpeg),
    );
    object(
        &mut out,
        format!("5 0 obj\n<< /Length {} >>", content.len()),
        Some(content.as_bytes()),
    );
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1).as_bytes(),
    );
    for offset in &offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            offsets.len() + 1
        )
        .as_bytes(),
    );
    Ok(out)
}

/// A file written under a temporary name beside its destination and renamed into place by
/// [`PartFile::commit`]: a failed or cancelled export leaves no half-written file (and an
/// existing file at the destination untouched). Dropped without commit, it is removed.
pub struct PartFile {
    dest: std::path::PathBuf,
    part: std::path::PathBuf,
    done: bool,
}

impl PartFile {
    /// Reserves `<dest>.part`; the destination's folder must exist.
    pub fn new(dest: &Path) -> Result<Self> {
        let name = dest.file_name().ok_or_else(|| {
            Error::invalid(
                "out",
                "invalid_path",
                format!("{} is not a file name", dest.display()),
            )
        })?;
        if dest.is_dir() {
            return Err(Error::invalid(
                "out",
                "invalid_path",
                format!("{} is a folder; give a file name", dest.display()),
            ));
        }
        let mut part_name = name.to_os_string();
        part_name.push(".part");
        Ok(Self {
            dest: dest.to_path_buf(),
            part: dest.with_file_name(part_name),
            done: false,
        })
    }

    /// The temporary path to write to.
    pub fn path(&self) -> &Path {
        &self.part
    }

    /// Creates the temporary file for buffered writing.
    pub fn create(&self) -> Result<std::io::BufWriter<std::fs::File>> {
        std::fs::File::create(&self.part)
            .map(|f| std::io::BufWriter::with_capacity(1 << 20, f))
            .map_err(|e| self.error(e))
    }

    /// The error for a failed write of this file.
    pub fn error(&self, e: impl std::fmt::Display) -> Error {
        Error::FileWrite {
            path: self.dest.clone(),
            detail: e.to_string(),
        }
    }

    /// Moves the finished file into place.
    pub fn commit(mut self) -> Result<()> {
        std::fs::rename(&self.part, &self.dest).map_err(|e| self.error(e))?;
        self.done = true;
        Ok(())
    }
}

impl Drop for PartFile {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_file(&self.part);
        }
    }
}

#[cfg(test)]
mod pdf_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_jpeg_becomes_a_one_page_pdf_whose_cross_references_point_at_its_objects() {
        let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 0xFF, 0xD9];
        let pdf = pdf_of_jpeg(&jpeg, 1200, 800, 192).unwrap();
        let text = String::from_utf8_lossy(&pdf);
        assert!(pdf.starts_with(b"%PDF-1.4\n"));
        assert!(text.ends_with("%%EOF\n"));
        assert!(text.contains("/MediaBox [0 0 450.00 300.00]"));
        assert!(text.contains("/Width 1200 /Height 800"));
        assert!(pdf.windows(jpeg.len()).any(|w| w == jpeg));
        // startxref gives the xref table; each entry the offset of "N 0 obj" (offsets are
        // bytes: the header's binary comment is not UTF-8).
        let marker = b"startxref\n";
        let at = pdf
            .windows(marker.len())
            .rposition(|w| w == marker)
            .unwrap()
            + marker.len();
        let tail = std::str::from_utf8(&pdf[at..]).unwrap();
        let start: usize = tail.lines().next().unwrap().parse().unwrap();
        let table = std::str::from_utf8(&pdf[start..]).unwrap();
        assert!(table.starts_with("xref\n0 6\n"), "{table}");
        let entries: Vec<usize> = table
            .lines()
            .skip(3)
            .take(5)
            .map(|l| l[..10].parse().unwrap())
            .collect();
        for (n, offset) in entries.iter().enumerate() {
            assert!(
                pdf[*offset..].starts_with(format!("{} 0 obj", n + 1).as_bytes()),
                "object {} at {offset}",
                n + 1
            );
        }
        // The image stream's length is the JPEG's.
        assert!(text.contains(&format!("/Length {} >>\nstream", jpeg.len())));
    }

    #[test]
    fn what_is_not_a_jpeg_of_a_sane_size_is_refused() {
        for (bytes, w, h) in [
            (&b"\x89PNG\r\n"[..], 10, 10),
            (&b""[..], 10, 10),
            (&[0xFF, 0xD8, 0xFF, 0xD9][..], 0, 10),
            (&[0xFF, 0xD8, 0xFF, 0xD9][..], 10, 30_000),
        ] {
            match pdf_of_jpeg(bytes, w, h, 96) {
                Err(Error::Invalid { issues }) => assert_eq!(issues[0].code, "invalid_image"),
                other => panic!("accepted: {other:?}"),
            }
        }
        assert!(pdf_of_jpeg(&[0xFF, 0xD8, 0xFF, 0xD9], 10, 10, 10).is_err());
    }
}
