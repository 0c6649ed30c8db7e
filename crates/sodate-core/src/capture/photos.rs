//! Card photos: decoded with limits (a decompression bomb is refused before any pixel is
//! allocated), turned upright by their EXIF orientation, shrunk to [`MAX_SIDE`] and stored as
//! JPEG with a thumbnail, **in the database** so that every backup holds them.
//!
//! Invariants: a photo that cannot be read changes nothing; a card being typed has at most
//! one pending photo per side (a new one replaces it); saving the card moves its pending
//! photos to the lead in the same transaction.

use std::io::Cursor;

use base64::Engine;
use chrono::{DateTime, Utc};
use image::{DynamicImage, ImageDecoder, ImageReader, Limits};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;

use crate::{Error, Result, Sodate};

/// The largest file accepted, in bytes (a phone photo is 2–8 MB).
pub const MAX_FILE_BYTES: usize = 40 * 1024 * 1024;
/// The largest width or height accepted before decoding, in pixels.
pub const MAX_PIXELS_SIDE: u32 = 12_000;
/// The most memory decoding may take, in bytes.
pub const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;
/// The long side of a stored photo, in pixels (enough to read a card).
pub const MAX_SIDE: u32 = 1600;
/// The long side of a thumbnail, in pixels.
pub const THUMBNAIL_SIDE: u32 = 320;
const JPEG_QUALITY: u8 = 85;
const THUMBNAIL_QUALITY: u8 = 75;

/// Which side of the card a photo shows.
pub const SIDES: &[&str] = &["front", "back"];

/// A stored photo as the UI shows it: its thumbnail inline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PhotoInfo {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub id: i64,
    pub side: String,
    pub width: u32,
    pub height: u32,
    /// Size of the stored JPEG, in bytes.
    pub bytes: u32,
    /// `data:image/jpeg;base64,…`
    pub thumbnail: String,
}

/// A photo ready to store.
pub(crate) struct PreparedPhoto {
    pub image: Vec<u8>,
    pub thumbnail: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

fn photo_error(code: &str, message: impl Into<String>) -> Error {
    Error::invalid("photo", code, message)
}

/// Decodes `bytes` as an image within the limits and turns it upright (EXIF orientation).
pub(crate) fn decode_upright(bytes: &[u8]) -> Result<DynamicImage> {
    if bytes.is_empty() {
        return Err(photo_error("empty_file", "the file is empty"));
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(photo_error(
            "file_too_large",
            format!(
                "the file is larger than {} MB",
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        ));
    }
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| photo_error("not_an_image", format!("the file cannot be read: {e}")))?;
    if reader.format().is_none() {
        return Err(photo_error(
            "not_an_image",
            "the file is not an image (JPEG or PNG)",
        ));
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_PIXELS_SIDE);
    limits.max_image_height = Some(MAX_PIXELS_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    let mut reader = reader;
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(classify)?;
    let orientation = decoder.orientation().ok();
    let mut image = DynamicImage::from_decoder(decoder).map_err(classify)?;
    if let Some(o) = orientation {
        image.apply_orientation(o);
    }
    Ok(image)
}

fn classify(e: image::ImageError) -> Error {
    match e {
        image::ImageError::Limits(_) => photo_error(
            "image_too_large",
            format!(
                "the image is too large (at most {MAX_PIXELS_SIDE} × {MAX_PIXELS_SIDE} pixels)"
            ),
        ),
        image::ImageError::Unsupported(_) => photo_error(
            "unsupported_image",
            "this kind of image is not supported (use JPEG or PNG)",
        ),
        other => photo_error(
            "not_an_image",
            format!("the image is damaged or not an image: {other}"),
        ),
    }
}

fn jpeg(image: &DynamicImage, quality: u8) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let rgb = image.to_rgb8();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(&rgb)
        .map_err(|e| photo_error("encode_failed", format!("the photo cannot be stored: {e}")))?;
    Ok(out)
}

fn shrink(image: &DynamicImage, side: u32) -> DynamicImage {
    if image.width() <= side && image.height() <= side {
        image.clone()
    } else {
        image.resize(side, side, image::imageops::FilterType::Triangle)
    }
}

/// Reads, turns upright, shrinks and compresses a photo.
pub(crate) fn prepare(bytes: &[u8]) -> Result<PreparedPhoto> {
    let image = decode_upright(bytes)?;
    let stored = shrink(&image, MAX_SIDE);
    let thumb = shrink(&stored, THUMBNAIL_SIDE);
    Ok(PreparedPhoto {
        image: jpeg(&stored, JPEG_QUALITY)?,
        thumbnail: jpeg(&thumb, THUMBNAIL_QUALITY)?,
        width: stored.width(),
        height: stored.height(),
    })
}

/// The bytes of a file sent as base64 (or as a `data:…;base64,` URL) by the webview.
pub fn bytes_of_base64(text: &str) -> Result<Vec<u8>> {
    let body = match text.split_once(";base64,") {
        Some((head, body)) if head.starts_with("data:") => body,
        _ => text,
    };
    base64::engine::general_purpose::STANDARD
        .decode(body.trim())
        .map_err(|_| photo_error("not_an_image", "the file did not arrive whole; try again"))
}

pub(crate) fn data_url(jpeg: &[u8]) -> String {
    format!(
        "data:image/jpeg;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(jpeg)
    )
}

fn check_side(side: &str) -> Result<()> {
    if SIDES.contains(&side) {
        Ok(())
    } else {
        Err(Error::invalid(
            "side",
            "unknown_side",
            format!("{side:?} is not a side of a card (front, back)"),
        ))
    }
}

fn info_row(r: &rusqlite::Row) -> rusqlite::Result<PhotoInfo> {
    let thumb: Vec<u8> = r.get(4)?;
    Ok(PhotoInfo {
        id: r.get(0)?,
        side: r.get(1)?,
        width: r.get(2)?,
        height: r.get(3)?,
        bytes: r.get(5)?,
        thumbnail: data_url(&thumb),
    })
}

const INFO_COLUMNS: &str = "id, side, width, height, thumbnail, length(image)";

/// Attaches a photo to the card being typed at `event_id` (replacing that side's photo).
/// Nothing changes when the photo cannot be read.
pub fn attach_pending(
    db: &Sodate,
    event_id: i64,
    side: &str,
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<PhotoInfo> {
    check_side(side)?;
    let photo = prepare(bytes)?;
    db.write(|tx| {
        super::events::get_in(tx, event_id, now)?;
        tx.prepare_cached("DELETE FROM lead_photos WHERE draft_event_id = ?1 AND lead_id IS NULL AND side = ?2")?
            .execute(params![event_id, side])?;
        tx.prepare_cached(
            "INSERT INTO lead_photos (draft_event_id, side, image, thumbnail, width, height, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![
            event_id,
            side,
            photo.image,
            photo.thumbnail,
            photo.width,
            photo.height,
            crate::time::format(now)
        ])?;
        let id = tx.last_insert_rowid();
        one_in(tx, id)
    })
}

/// [`attach_pending`] with a file dropped on the window (the shell gets its path).
pub fn attach_pending_file(
    db: &Sodate,
    event_id: i64,
    side: &str,
    path: &std::path::Path,
    now: DateTime<Utc>,
) -> Result<PhotoInfo> {
    let meta = std::fs::metadata(path).map_err(|e| {
        photo_error(
            "unreadable_file",
            format!("{} cannot be read: {e}", path.display()),
        )
    })?;
    if meta.len() > MAX_FILE_BYTES as u64 {
        return Err(photo_error(
            "file_too_large",
            format!(
                "the file is larger than {} MB",
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| {
        photo_error(
            "unreadable_file",
            format!("{} cannot be read: {e}", path.display()),
        )
    })?;
    attach_pending(db, event_id, side, &bytes, now)
}

fn one_in(conn: &Connection, id: i64) -> Result<PhotoInfo> {
    conn.prepare_cached(&format!(
        "SELECT {INFO_COLUMNS} FROM lead_photos WHERE id = ?1"
    ))?
    .query_row([id], info_row)
    .optional()?
    .ok_or(Error::NotFound {
        entity: "photo",
        id,
    })
}

/// The photos attached to the card being typed at `event_id`.
pub fn pending(db: &Sodate, event_id: i64) -> Result<Vec<PhotoInfo>> {
    db.read(|conn| pending_in(conn, event_id))
}

pub(crate) fn pending_in(conn: &Connection, event_id: i64) -> Result<Vec<PhotoInfo>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {INFO_COLUMNS} FROM lead_photos WHERE draft_event_id = ?1 AND lead_id IS NULL ORDER BY side DESC"
        ))?
        .query_map([event_id], info_row)?
        .collect::<rusqlite::Result<_>>()?)
}

/// Removes the pending photo of `side` (no error when there is none).
pub fn remove_pending(db: &Sodate, event_id: i64, side: &str) -> Result<()> {
    check_side(side)?;
    db.write(|tx| {
        tx.prepare_cached(
            "DELETE FROM lead_photos WHERE draft_event_id = ?1 AND lead_id IS NULL AND side = ?2",
        )?
        .execute(params![event_id, side])?;
        Ok(())
    })
}

/// Moves the card's pending photos to the lead (which keeps the photos of earlier visits).
pub(crate) fn adopt_pending_in(tx: &Transaction, event_id: i64, lead_id: i64) -> Result<u32> {
    let moved = tx
        .prepare_cached(
            "UPDATE lead_photos SET lead_id = ?2, draft_event_id = NULL
              WHERE draft_event_id = ?1 AND lead_id IS NULL",
        )?
        .execute(params![event_id, lead_id])?;
    Ok(moved as u32)
}

pub(crate) fn discard_pending_in(tx: &Transaction, event_id: i64) -> Result<()> {
    tx.prepare_cached("DELETE FROM lead_photos WHERE draft_event_id = ?1 AND lead_id IS NULL")?
        .execute([event_id])?;
    Ok(())
}

/// A lead's card photos (the newest of each side first).
pub fn of_lead(db: &Sodate, lead_id: i64) -> Result<Vec<PhotoInfo>> {
    db.read(|conn| {
        Ok(conn
            .prepare_cached(&format!(
                "SELECT {INFO_COLUMNS} FROM lead_photos WHERE lead_id = ?1 ORDER BY side DESC, id DESC"
            ))?
            .query_map([lead_id], info_row)?
            .collect::<rusqlite::Result<_>>()?)
    })
}

/// The full photo as a data URL (to show large, or to read with OCR).
pub fn image_data_url(db: &Sodate, id: i64) -> Result<String> {
    db.read(|conn| {
        let jpeg: Vec<u8> = conn
            .prepare_cached("SELECT image FROM lead_photos WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?
            .ok_or(Error::NotFound {
                entity: "photo",
                id,
            })?;
        Ok(data_url(&jpeg))
    })
}
