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
