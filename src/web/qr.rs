//! QR codes as inline SVG for authenticator apps to scan.

use qrcode::QrCode;
use qrcode::render::svg;

/// An SVG (no XML prolog, so it can sit inside HTML) encoding `data`, or `None` if it is too
/// long for a QR code.
pub fn svg(data: &str) -> Option<String> {
    let code = QrCode::new(data.as_bytes()).ok()?;
    let image = code
        .render::<svg::Color>()
        .min_dimensions(220, 220)
        .quiet_zone(true)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build();
    let start = image.find("<svg")?;
    Some(image[start..].to_owned())
}
