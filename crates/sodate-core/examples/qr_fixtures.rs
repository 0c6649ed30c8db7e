//! Writes the QR test fixtures (tests/fixtures/qr): badge-like PNG images holding a UTF-8
//! vCard, a Shift_JIS vCard 2.1, a MeCard, a URL and a garbage payload, plus a photo without
//! any QR code. Run from the repository root:
//!
//! ```sh
//! cargo run -p sodate-core --example qr_fixtures -- tests/fixtures/qr
//! ```

use std::path::{Path, PathBuf};

use image::{GrayImage, Luma, Rgb, RgbImage};
use qrcode::{Color, QrCode};

/// Module size in pixels and the quiet zone in modules.
const SCALE: u32 = 6;
const QUIET: u32 = 4;

fn badge(payload: &[u8]) -> Result<GrayImage, String> {
    let code = QrCode::new(payload).map_err(|e| e.to_string())?;
    let width = code.width() as u32;
    let colors = code.to_colors();
    let side = (width + 2 * QUIET) * SCALE;
    // A light-grey badge with the code in its lower half, like a visitor badge.
    let (w, h) = (side + 120, side + 200);
    let mut img = GrayImage::from_pixel(w, h, Luma([235]));
    let (ox, oy) = (60, 140);
    for y in 0..side {
        for x in 0..side {
            img.put_pixel(ox + x, oy + y, Luma([255]));
        }
    }
    for (i, c) in colors.iter().enumerate() {
        if *c == Color::Dark {
            let (mx, my) = (i as u32 % width, i as u32 / width);
            for dy in 0..SCALE {
                for dx in 0..SCALE {
                    img.put_pixel(
                        ox + (QUIET + mx) * SCALE + dx,
                        oy + (QUIET + my) * SCALE + dy,
                        Luma([20]),
                    );
                }
            }
        }
    }
    // A dark header bar (where a badge prints the show's name).
    for y in 20..90 {
        for x in 20..w - 20 {
            img.put_pixel(x, y, Luma([60]));
        }
    }
    Ok(img)
}

/// A card-like photo with printed-looking bars and no QR code.
fn photo_without_qr() -> RgbImage {
    let (w, h) = (910, 550);
    let mut img = RgbImage::from_fn(w, h, |x, y| {
        let shade = 230 - ((x + y) / 40) as u8;
        Rgb([shade, shade, shade.saturating_sub(8)])
    });
    for (row, len) in [
        (90u32, 420u32),
        (150, 300),
        (260, 520),
        (300, 480),
        (340, 380),
    ] {
        for y in row..row + 18 {
            for x in 70..70 + len {
                img.put_pixel(x, y, Rgb([40, 40, 48]));
            }
        }
    }
    img
}

fn main() -> Result<(), String> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "tests/fixtures/qr".into()),
    );
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let vcard_utf8 = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:山本;美咲;;;\r\nFN:山本 美咲\r\nX-PHONETIC-LAST-NAME:やまもと\r\nX-PHONETIC-FIRST-NAME:みさき\r\nORG:株式会社ミライ製作所;営業本部\r\nTITLE:課長\r\nEMAIL;TYPE=WORK:misaki.yamamoto@mirai-ss.example.jp\r\nTEL;TYPE=WORK:03-5555-0101\r\nTEL;TYPE=CELL:090-1234-5678\r\nADR;TYPE=WORK:;;丸の内1-1-1;千代田区;東京都;100-0005;日本\r\nURL:https://mirai-ss.example.jp\r\nEND:VCARD\r\n";
    let vcard_sjis_text = "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=SHIFT_JIS:髙橋;健一\r\nSOUND;X-IRMC-N;CHARSET=SHIFT_JIS:ﾀｶﾊｼ;ｹﾝｲﾁ\r\nORG;CHARSET=SHIFT_JIS:㈱東邦テクノ;開発部\r\nTITLE;CHARSET=SHIFT_JIS:部長\r\nEMAIL;INTERNET:k.takahashi@toho-techno.example.jp\r\nTEL;WORK:06-6666-0202\r\nEND:VCARD\r\n";
    let (vcard_sjis, _, unmappable) = encoding_rs::SHIFT_JIS.encode(vcard_sjis_text);
    if unmappable {
        return Err("the Shift_JIS vCard has characters Shift_JIS cannot hold".into());
    }
    let mecard = "MECARD:N:佐々木,翔太;SOUND:ササキ,ショウタ;ORG:グリーンフィールド株式会社;TEL:045-777-0303;EMAIL:sasaki@greenfield.example.jp;NOTE:展示会ブースにて;;";
    let url = "https://expo.example.jp/visitor/A-20261123-0042";
    let garbage: Vec<u8> = (0u8..64).map(|i| i.wrapping_mul(37) ^ 0x9c).collect();
    let write = |name: &str, payload: &[u8]| -> Result<(), String> {
        let path: PathBuf = Path::new(&dir).join(name);
        badge(payload)?
            .save(&path)
            .map_err(|e| format!("{}: {e}", path.display()))
    };
    write("vcard-utf8.png", vcard_utf8.as_bytes())?;
    write("vcard-shift_jis.png", &vcard_sjis)?;
    write("mecard.png", mecard.as_bytes())?;
    write("url.png", url.as_bytes())?;
    write("garbage.png", &garbage)?;
    let path = dir.join("photo-without-qr.jpg");
    photo_without_qr()
        .save(&path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    println!("wrote the QR fixtures to {}", dir.display());
    Ok(())
}
