//! An application's logo as uploaded on its admin page: at most [`MAX_LOGO_BYTES`], and a PNG
//! (decoded, so a broken or oversized image is refused) or an SVG that can do nothing but draw
//! (see [`super::svg`]). Anything else is refused with a message for the administrator. Pure.

use std::io::Cursor;

use sha2::{Digest, Sha256};

/// The largest logo, in bytes (100 KB).
pub const MAX_LOGO_BYTES: usize = 100 * 1024;
/// The widest and tallest PNG, in pixels: a logo is shown a few dozen pixels high.
pub const MAX_PNG_SIDE: u32 = 2048;

const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";
/// What every refused file type is told.
pub const NOT_AN_IMAGE: &str = "Logo must be a PNG or SVG image";

/// The two kinds of logo we serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoKind {
    Png,
    Svg,
}

impl LogoKind {
    pub fn content_type(self) -> &'static str {
        match self {
            LogoKind::Png => "image/png",
            LogoKind::Svg => "image/svg+xml",
        }
    }

    /// The file extension of its URL.
    pub fn extension(self) -> &'static str {
        match self {
            LogoKind::Png => "png",
            LogoKind::Svg => "svg",
        }
    }

    /// The kind stored as `content_type`.
    pub fn from_content_type(content_type: &str) -> Option<LogoKind> {
        match content_type {
            "image/png" => Some(LogoKind::Png),
            "image/svg+xml" => Some(LogoKind::Svg),
            _ => None,
        }
    }
}

/// A checked logo: its bytes, kind and SHA-256 (hex), which names it in its URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    pub kind: LogoKind,
    pub bytes: Vec<u8>,
    pub sha256: String,
}

/// Checks an uploaded file; the error says what is wrong in words for the administrator.
pub fn check_logo(bytes: &[u8]) -> Result<Logo, String> {
    if bytes.is_empty() {
        return Err("The logo file is empty.".into());
    }
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(format!(
            "The logo is {} KB; it must be at most 100 KB.",
            bytes.len().div_ceil(1024)
        ));
    }
    let kind = if bytes.starts_with(PNG_MAGIC) {
        check_png(bytes)?;
        LogoKind::Png
    } else if super::svg::looks_like_svg(bytes) {
        super::svg::check_svg(bytes)?;
        LogoKind::Svg
    } else {
        return Err(match sniff(bytes) {
            Some(kind) => format!("{NOT_AN_IMAGE}; this file is a {kind}."),
            None => format!("{NOT_AN_IMAGE}."),
        });
    };
    Ok(Logo {
        kind,
        bytes: bytes.to_vec(),
        sha256: sha256_hex(bytes),
    })
}

/// SHA-256 of `bytes`, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Common image types that are not allowed, to name them in the refusal.
fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("GIF")
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("JPEG")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("WebP")
    } else if bytes.starts_with(b"BM") {
        Some("BMP")
    } else if bytes.starts_with(&[0, 0, 1, 0]) {
        Some("Windows icon")
    } else {
        None
    }
}

/// Decodes the whole PNG: a file that only starts like one is refused, and so is one whose
/// size would make its decoding expensive.
fn check_png(bytes: &[u8]) -> Result<(), String> {
    let broken = |e: png::DecodingError| format!("The PNG logo cannot be read: {e}.");
    let mut decoder = png::Decoder::new(Cursor::new(bytes));
    // A hard bound on what decoding may allocate, whatever the header says.
    decoder.set_limits(png::Limits {
        bytes: 64 * 1024 * 1024,
    });
    let mut reader = decoder.read_info().map_err(broken)?;
    let (width, height) = (reader.info().width, reader.info().height);
    if width > MAX_PNG_SIDE || height > MAX_PNG_SIDE {
        return Err(format!(
            "The PNG logo is {width}×{height} pixels; it may be at most \
             {MAX_PNG_SIDE}×{MAX_PNG_SIDE}."
        ));
    }
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| "The PNG logo is too large to decode.".to_owned())?;
    let mut frame = vec![0; size];
    reader.next_frame(&mut frame).map_err(broken)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real PNG of `width`×`height` grey pixels, made with the encoder.
    pub(crate) fn png(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut encoder = png::Encoder::new(&mut out, width, height);
            encoder.set_color(png::ColorType::Grayscale);
            encoder.set_depth(png::BitDepth::Eight);
            let mut writer = encoder.write_header().unwrap();
            writer
                .write_image_data(&vec![0x80; (width * height) as usize])
                .unwrap();
        }
        out
    }

    #[test]
    fn a_png_is_accepted_with_its_hash() {
        let bytes = png(32, 16);
        let logo = check_logo(&bytes).unwrap();
        assert_eq!(logo.kind, LogoKind::Png);
        assert_eq!(logo.bytes, bytes);
        assert_eq!(logo.sha256.len(), 64);
        assert_eq!(logo.sha256, sha256_hex(&bytes));
    }

    #[test]
    fn a_file_over_100_kb_is_refused_naming_the_limit() {
        let mut bytes = png(8, 8);
        bytes.resize(MAX_LOGO_BYTES + 1, 0);
        let error = check_logo(&bytes).unwrap_err();
        assert_eq!(error, "The logo is 101 KB; it must be at most 100 KB.");
        assert!(check_logo(&[]).unwrap_err().contains("empty"));
    }

    #[test]
    fn other_image_types_and_text_are_refused() {
        let gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04";
        assert_eq!(
            check_logo(gif).unwrap_err(),
            "Logo must be a PNG or SVG image; this file is a GIF."
        );
        let jpeg = [0xff, 0xd8, 0xff, 0xe0, 0, 0x10, b'J', b'F', b'I', b'F'];
        assert!(
            check_logo(&jpeg)
                .unwrap_err()
                .contains("this file is a JPEG")
        );
        assert_eq!(
            check_logo(b"just some text").unwrap_err(),
            "Logo must be a PNG or SVG image."
        );
        assert_eq!(
            check_logo(b"<html><body>hi</body></html>").unwrap_err(),
            "Logo must be a PNG or SVG image."
        );
    }

    #[test]
    fn a_file_that_only_starts_like_a_png_is_refused() {
        let mut bytes = png(16, 16);
        bytes.truncate(bytes.len() - 20);
        let error = check_logo(&bytes).unwrap_err();
        assert!(error.starts_with("The PNG logo cannot be read"), "{error}");
        let error = check_logo(PNG_MAGIC).unwrap_err();
        assert!(error.starts_with("The PNG logo cannot be read"), "{error}");
    }

    #[test]
    fn a_huge_png_is_refused_by_its_header_before_decoding() {
        // 4000×10 compresses to almost nothing; the header alone is enough to refuse it.
        let error = check_logo(&png(4000, 10)).unwrap_err();
        assert!(error.contains("4000×10 pixels"), "{error}");
        assert!(error.contains("at most 2048×2048"), "{error}");
    }

    #[test]
    fn kinds_map_to_content_types_and_back() {
        for kind in [LogoKind::Png, LogoKind::Svg] {
            assert_eq!(LogoKind::from_content_type(kind.content_type()), Some(kind));
        }
        assert_eq!(LogoKind::from_content_type("image/gif"), None);
    }
}
