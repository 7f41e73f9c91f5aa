//! The accent colour of a branded application, and the WCAG 2.x contrast rule it must pass:
//! text and links in the accent colour sit on the page and the card, and the buttons filled
//! with it carry white text, so the colour must reach AA contrast (4.5:1, success criterion
//! 1.4.3) against each of them. Pure.

use std::fmt;

/// WCAG 2.x level AA for normal text (success criterion 1.4.3).
pub const AA_CONTRAST: f64 = 4.5;

/// A colour of the default light look, as `static/style.css` defines it (keep in step).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backdrop {
    pub what: &'static str,
    pub colour: Rgb,
}

/// What an accent colour is shown on, or carries, on the hosted pages.
pub const BACKDROPS: [Backdrop; 3] = [
    Backdrop {
        what: "the page background",
        colour: Rgb(0xf3, 0xf5, 0xf9),
    },
    Backdrop {
        what: "the card background",
        colour: Rgb(0xff, 0xff, 0xff),
    },
    Backdrop {
        what: "the white text of buttons",
        colour: Rgb(0xff, 0xff, 0xff),
    },
];

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `#rrggbb` (either case); nothing else, so what is stored can go into a stylesheet as is.
    pub fn parse(text: &str) -> Result<Rgb, String> {
        let refused =
            || format!("{text:?} is not a colour: write it as # and six hex digits, like #1f5fd1.");
        let hex = text.strip_prefix('#').ok_or_else(refused)?;
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(refused());
        }
        let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).map_err(|_| refused());
        Ok(Rgb(channel(0)?, channel(2)?, channel(4)?))
    }

    /// Relative luminance (WCAG 2.x definition; the sRGB threshold as corrected to 0.04045).
    pub fn relative_luminance(self) -> f64 {
        fn linear(channel: u8) -> f64 {
            let c = f64::from(channel) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        }
        0.2126 * linear(self.0) + 0.7152 * linear(self.1) + 0.0722 * linear(self.2)
    }
}

impl fmt::Display for Rgb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

/// The contrast ratio of two colours, from 1 (same) to 21 (black on white).
pub fn contrast_ratio(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (a.relative_luminance(), b.relative_luminance());
    let (light, dark) = if la >= lb { (la, lb) } else { (lb, la) };
    (light + 0.05) / (dark + 0.05)
}

/// A ratio for people: rounded down to two places, so a colour just short of 4.5 never reads
/// as "4.5:1".
pub fn ratio_text(ratio: f64) -> String {
    format!("{:.2}:1", (ratio * 100.0).floor() / 100.0)
}

/// `text` as an accent colour, or why not: the first backdrop it does not stand out against,
/// with the ratio it reaches.
pub fn check_accent(text: &str) -> Result<Rgb, String> {
    let accent = Rgb::parse(text.trim())?;
    for backdrop in BACKDROPS {
        let ratio = contrast_ratio(accent, backdrop.colour);
        if ratio < AA_CONTRAST {
            return Err(format!(
                "The accent colour {accent} has a contrast ratio of {} against {} ({}); \
                 WCAG AA needs at least 4.5:1. Choose a darker colour.",
                ratio_text(ratio),
                backdrop.what,
                backdrop.colour
            ));
        }
    }
    Ok(accent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_read_only_as_a_hash_and_six_hex_digits() {
        assert_eq!(Rgb::parse("#1F5fd1"), Ok(Rgb(0x1f, 0x5f, 0xd1)));
        assert_eq!(Rgb(0x1f, 0x5f, 0xd1).to_string(), "#1f5fd1");
        for bad in [
            "1f5fd1",
            "#fff",
            "#1f5fd1aa",
            "#gg0000",
            "red",
            "",
            "#1f5fd1;}",
        ] {
            let error = Rgb::parse(bad).unwrap_err();
            assert!(error.contains("six hex digits"), "{bad}: {error}");
        }
    }

    #[test]
    fn luminance_and_contrast_follow_the_wcag_formula() {
        assert!((Rgb(0, 0, 0).relative_luminance()).abs() < 1e-12);
        assert!((Rgb(255, 255, 255).relative_luminance() - 1.0).abs() < 1e-12);
        assert!((contrast_ratio(Rgb(0, 0, 0), Rgb(255, 255, 255)) - 21.0).abs() < 1e-9);
        // Order does not matter, and a colour against itself is 1:1.
        let (a, b) = (Rgb(0x1f, 0x5f, 0xd1), Rgb(0xf3, 0xf5, 0xf9));
        assert_eq!(contrast_ratio(a, b), contrast_ratio(b, a));
        assert!((contrast_ratio(a, a) - 1.0).abs() < 1e-12);
        // Known values (WebAIM's contrast checker): #767676 on white is 4.54:1, #777777 4.47:1.
        assert_eq!(
            ratio_text(contrast_ratio(Rgb(0x76, 0x76, 0x76), Rgb(255, 255, 255))),
            "4.54:1"
        );
        assert_eq!(
            ratio_text(contrast_ratio(Rgb(0x77, 0x77, 0x77), Rgb(255, 255, 255))),
            "4.47:1"
        );
    }

    #[test]
    fn the_default_accent_passes_its_own_rule() {
        assert_eq!(check_accent("#1f5fd1"), Ok(Rgb(0x1f, 0x5f, 0xd1)));
        assert_eq!(check_accent(" #0B3D91 "), Ok(Rgb(0x0b, 0x3d, 0x91)));
    }

    #[test]
    fn a_light_accent_is_refused_with_the_ratio_it_reaches() {
        let error = check_accent("#ffcc00").unwrap_err();
        assert!(error.contains("#ffcc00"), "{error}");
        assert!(error.contains("1.38:1"), "{error}");
        assert!(error.contains("the page background (#f3f5f9)"), "{error}");
        assert!(error.contains("at least 4.5:1"), "{error}");
    }

    #[test]
    fn an_accent_that_passes_on_white_but_not_on_the_page_is_refused() {
        // #767676 reaches 4.54:1 on white but only 4.16:1 on the grey page.
        let error = check_accent("#767676").unwrap_err();
        assert!(error.contains("page background"), "{error}");
        assert!(check_accent("#6a6a6a").is_ok());
    }
}
