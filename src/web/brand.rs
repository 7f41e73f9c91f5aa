//! Branding on the hosted pages: the [`Brand`] a sign-in page of a branded application hands
//! to `templates/branded.html` (logo, name, policy links, and the application's stylesheet),
//! and that stylesheet, which carries the accent colour. The colour goes into a stylesheet of
//! our own origin, never an inline style, so the CSP keeps `style-src 'self'`.

use sha2::{Digest, Sha256};

use super::error::WebError;
use crate::domain::branding::{Branding, Rgb};
use crate::flows::AppState;
use crate::flows::branding::logo_path;

/// What a page of a branded application shows; pages of an application without branding (or
/// of no application) have none and keep the default look.
#[derive(Debug, Clone)]
pub struct Brand {
    /// The name users see (the logo's alt text).
    pub name: String,
    pub logo_url: Option<String>,
    /// The stylesheet with the accent colour.
    pub style_url: Option<String>,
    pub privacy_url: Option<String>,
    pub terms_url: Option<String>,
}

impl Brand {
    /// Whether the footer has links to show.
    pub fn has_links(&self) -> bool {
        self.privacy_url.is_some() || self.terms_url.is_some()
    }
}

/// The brand of the pages of a sign-in to application `client_id`.
pub async fn for_client(state: &AppState, client_id: &str) -> Result<Option<Brand>, WebError> {
    let Some(branding) = crate::flows::branding::find(state, client_id).await? else {
        return Ok(None);
    };
    let Some(client) = crate::flows::clients::find(state, client_id).await? else {
        return Ok(None);
    };
    Ok(Some(brand(client_id, &client.name, &branding)))
}

/// The brand of a sign-in request's pages, when there is a request (the password pages can be
/// opened without one).
pub async fn for_request(
    state: &AppState,
    client_id: Option<&str>,
) -> Result<Option<Brand>, WebError> {
    match client_id {
        Some(id) => for_client(state, id).await,
        None => Ok(None),
    }
}

fn brand(client_id: &str, name: &str, branding: &Branding) -> Brand {
    Brand {
        name: branding.name_or(name).to_owned(),
        logo_url: branding
            .logo
            .as_ref()
            .map(|logo| logo_path(client_id, logo)),
        style_url: branding.accent.map(|accent| style_path(client_id, accent)),
        privacy_url: branding.privacy_url.clone(),
        terms_url: branding.terms_url.clone(),
    }
}

/// The stylesheet of an application with accent colour `accent`. Only the light look takes
/// the colour: its contrast was checked against the light page (`domain::branding::colour`);
/// the dark look keeps its own accent, which an arbitrary colour could not promise to match.
pub fn stylesheet(accent: Rgb) -> String {
    format!(
        "/* An application's accent colour (Gatehouse branding). */\n\
         @media (prefers-color-scheme: light) {{\n  :root {{ --accent: {accent}; --accent-fg: #fff; }}\n}}\n"
    )
}

/// A short hash of the stylesheet, which names it in its URL.
pub fn stylesheet_hash(accent: Rgb) -> String {
    Sha256::digest(stylesheet(accent).as_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn style_path(client_id: &str, accent: Rgb) -> String {
    format!(
        "/branding/{}/style-{}.css",
        url::form_urlencoded::byte_serialize(client_id.as_bytes()).collect::<String>(),
        stylesheet_hash(accent)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::branding::{LogoKind, LogoRef};

    #[test]
    fn a_brand_names_its_logo_and_stylesheet_by_content() {
        let branding = Branding {
            display_name: Some("Acme".into()),
            accent: Some(Rgb(0x0b, 0x3d, 0x91)),
            privacy_url: Some("https://acme.example/privacy".into()),
            terms_url: None,
            logo: Some(LogoRef {
                kind: LogoKind::Png,
                sha256: "0".repeat(64),
            }),
        };
        let brand = brand("shop", "Shop", &branding);
        assert_eq!(brand.name, "Acme");
        assert_eq!(
            brand.logo_url.as_deref(),
            Some(format!("/branding/shop/logo-{}.png", "0".repeat(64)).as_str())
        );
        let style = brand.style_url.clone().unwrap();
        assert!(style.starts_with("/branding/shop/style-"), "{style}");
        assert!(style.ends_with(&format!("{}.css", stylesheet_hash(Rgb(0x0b, 0x3d, 0x91)))));
        assert!(brand.has_links());
        assert!(stylesheet(Rgb(0x0b, 0x3d, 0x91)).contains("--accent: #0b3d91;"));
        assert_ne!(stylesheet_hash(Rgb(0, 0, 0)), stylesheet_hash(Rgb(0, 0, 1)));
    }
}
