//! Branding of an application's hosted pages and messages (issue 16): the name shown, a logo,
//! an accent colour and links to its privacy policy and terms. What an administrator typed
//! ([`BrandingDraft`]) is checked here into a [`BrandingChange`], with an error per field in
//! words for the administrator. Pure: the caller reads the upload and stores the result.

pub mod colour;
pub mod logo;
mod svg;

pub use colour::{Rgb, check_accent};
pub use logo::{Logo, LogoKind, MAX_LOGO_BYTES, check_logo};

/// The longest display name (characters).
pub const MAX_DISPLAY_NAME_CHARS: usize = 100;
/// The longest policy or terms URL (bytes).
pub const MAX_URL_LEN: usize = 2000;

/// An application's branding as pages and messages use it (the logo by reference only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Branding {
    /// The name users see, instead of the application's registered name.
    pub display_name: Option<String>,
    pub accent: Option<Rgb>,
    pub privacy_url: Option<String>,
    pub terms_url: Option<String>,
    pub logo: Option<LogoRef>,
}

/// Which logo an application has: enough to build its URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoRef {
    pub kind: LogoKind,
    pub sha256: String,
}

impl Branding {
    /// Nothing set: the application keeps the default look.
    pub fn is_empty(&self) -> bool {
        *self == Branding::default()
    }

    /// The name users see: the display name, else the application's registered `name`.
    pub fn name_or<'a>(&'a self, name: &'a str) -> &'a str {
        self.display_name.as_deref().unwrap_or(name)
    }
}

/// The fields of the branding form, for errors shown next to their field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Logo,
    Accent,
    DisplayName,
    PrivacyUrl,
    TermsUrl,
}

impl Field {
    /// The name of the form field (and the id of its input).
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Logo => "logo",
            Field::Accent => "accent",
            Field::DisplayName => "display_name",
            Field::PrivacyUrl => "privacy_url",
            Field::TermsUrl => "terms_url",
        }
    }
}

/// One refused value and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: Field,
    pub message: String,
}

/// The branding form as posted. Empty texts mean "not set"; `logo` is the uploaded file, if a
/// file was chosen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BrandingDraft {
    pub display_name: String,
    pub accent: String,
    pub privacy_url: String,
    pub terms_url: String,
    pub logo: Option<Vec<u8>>,
    pub remove_logo: bool,
}

/// What becomes of the stored logo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogoChange {
    Keep,
    Remove,
    Replace(Logo),
}

/// A checked branding form: the new texts and what becomes of the logo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrandingChange {
    pub display_name: Option<String>,
    pub accent: Option<Rgb>,
    pub privacy_url: Option<String>,
    pub terms_url: Option<String>,
    pub logo: LogoChange,
}

impl BrandingDraft {
    /// The draft of what is stored now (no file chosen).
    pub fn from_branding(branding: &Branding) -> BrandingDraft {
        BrandingDraft {
            display_name: branding.display_name.clone().unwrap_or_default(),
            accent: branding.accent.map(|c| c.to_string()).unwrap_or_default(),
            privacy_url: branding.privacy_url.clone().unwrap_or_default(),
            terms_url: branding.terms_url.clone().unwrap_or_default(),
            logo: None,
            remove_logo: false,
        }
    }

    /// Checks every field; all errors at once.
    pub fn validate(&self) -> Result<BrandingChange, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut field = |field: Field, result: Result<(), String>| {
            if let Err(message) = result {
                errors.push(FieldError { field, message });
            }
        };
        let display_name = display_name(&self.display_name);
        field(
            Field::DisplayName,
            display_name.as_ref().map(|_| ()).map_err(Clone::clone),
        );
        let accent = optional(&self.accent, check_accent);
        field(
            Field::Accent,
            accent.as_ref().map(|_| ()).map_err(Clone::clone),
        );
        let privacy_url = optional(&self.privacy_url, |u| policy_url(u, "privacy policy"));
        field(
            Field::PrivacyUrl,
            privacy_url.as_ref().map(|_| ()).map_err(Clone::clone),
        );
        let terms_url = optional(&self.terms_url, |u| policy_url(u, "terms"));
        field(
            Field::TermsUrl,
            terms_url.as_ref().map(|_| ()).map_err(Clone::clone),
        );
        let logo = match (&self.logo, self.remove_logo) {
            (Some(_), true) => {
                Err("Choose a new logo or remove the current one, not both.".to_owned())
            }
            (Some(bytes), false) => check_logo(bytes).map(LogoChange::Replace),
            (None, true) => Ok(LogoChange::Remove),
            (None, false) => Ok(LogoChange::Keep),
        };
        field(Field::Logo, logo.as_ref().map(|_| ()).map_err(Clone::clone));
        match (display_name, accent, privacy_url, terms_url, logo) {
            (Ok(display_name), Ok(accent), Ok(privacy_url), Ok(terms_url), Ok(logo)) => {
                Ok(BrandingChange {
                    display_name,
                    accent,
                    privacy_url,
                    terms_url,
                    logo,
                })
            }
            _ => Err(errors),
        }
    }
}

/// `None` for an empty (or blank) text, else `check`'s verdict on the trimmed text.
fn optional<T>(
    text: &str,
    check: impl FnOnce(&str) -> Result<T, String>,
) -> Result<Option<T>, String> {
    let text = text.trim();
    if text.is_empty() {
        Ok(None)
    } else {
        check(text).map(Some)
    }
}

fn display_name(text: &str) -> Result<Option<String>, String> {
    optional(text, |name| {
        if name.chars().count() > MAX_DISPLAY_NAME_CHARS {
            return Err(format!(
                "The display name may be at most {MAX_DISPLAY_NAME_CHARS} characters long."
            ));
        }
        if name.chars().any(char::is_control) {
            return Err("The display name may not contain control characters.".into());
        }
        Ok(name.to_owned())
    })
}

/// A link users follow from the hosted pages: https, or http on this machine (development).
fn policy_url(text: &str, what: &str) -> Result<String, String> {
    if text.len() > MAX_URL_LEN {
        return Err(format!(
            "The {what} URL may be at most {MAX_URL_LEN} characters long."
        ));
    }
    let url = url::Url::parse(text).map_err(|_| {
        format!(
            "The {what} URL must be an absolute URL like https://example.com/{}.",
            what.replace(' ', "-")
        )
    })?;
    let local = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    match url.scheme() {
        "https" => {}
        "http" if local => {}
        _ => {
            return Err(format!(
                "The {what} URL must use https (http is allowed for localhost only)."
            ));
        }
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "The {what} URL may not contain a user name or password."
        ));
    }
    Ok(url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> BrandingDraft {
        BrandingDraft {
            display_name: "  Acme Shop ".into(),
            accent: "#0B3D91".into(),
            privacy_url: "https://acme.example/privacy".into(),
            terms_url: "http://localhost:8080/terms".into(),
            logo: None,
            remove_logo: false,
        }
    }

    #[test]
    fn a_good_draft_becomes_a_change() {
        let change = draft().validate().unwrap();
        assert_eq!(change.display_name.as_deref(), Some("Acme Shop"));
        assert_eq!(change.accent, Some(Rgb(0x0b, 0x3d, 0x91)));
        assert_eq!(
            change.privacy_url.as_deref(),
            Some("https://acme.example/privacy")
        );
        assert_eq!(
            change.terms_url.as_deref(),
            Some("http://localhost:8080/terms")
        );
        assert_eq!(change.logo, LogoChange::Keep);
    }

    #[test]
    fn empty_fields_mean_not_set() {
        let change = BrandingDraft::default().validate().unwrap();
        assert_eq!(change.display_name, None);
        assert_eq!(change.accent, None);
        assert_eq!(change.privacy_url, None);
        assert_eq!(change.terms_url, None);
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let bad = BrandingDraft {
            display_name: "x".repeat(101),
            accent: "#ffff00".into(),
            privacy_url: "http://acme.example/privacy".into(),
            terms_url: "javascript:alert(1)".into(),
            logo: Some(b"GIF89a....".to_vec()),
            remove_logo: false,
        };
        let errors = bad.validate().unwrap_err();
        let fields: Vec<Field> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                Field::DisplayName,
                Field::Accent,
                Field::PrivacyUrl,
                Field::TermsUrl,
                Field::Logo
            ]
        );
        let expected = [
            "characters",
            "contrast ratio of",
            "must use https",
            "must use https",
        ];
        for (error, words) in errors.iter().zip(expected) {
            assert!(error.message.contains(words), "{}", error.message);
        }
        assert!(
            errors[4].message.contains("PNG or SVG"),
            "{}",
            errors[4].message
        );
    }

    #[test]
    fn policy_links_are_https_or_local_http_without_credentials() {
        assert!(policy_url("https://a.example/p?x=1", "terms").is_ok());
        assert!(policy_url("http://127.0.0.1/p", "terms").is_ok());
        assert!(policy_url("ftp://a.example/p", "terms").is_err());
        assert!(
            policy_url("/privacy", "terms")
                .unwrap_err()
                .contains("absolute URL")
        );
        assert!(
            policy_url("https://u:p@a.example/", "terms")
                .unwrap_err()
                .contains("password")
        );
    }

    #[test]
    fn a_new_logo_and_removing_the_logo_exclude_each_other() {
        let mut both = draft();
        both.logo = Some(b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>".to_vec());
        both.remove_logo = true;
        let errors = both.validate().unwrap_err();
        assert_eq!(errors[0].field, Field::Logo);
        let mut remove = draft();
        remove.remove_logo = true;
        assert_eq!(remove.validate().unwrap().logo, LogoChange::Remove);
        let mut svg = draft();
        svg.logo = Some(b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>".to_vec());
        let LogoChange::Replace(logo) = svg.validate().unwrap().logo else {
            panic!("a new logo")
        };
        assert_eq!(logo.kind, LogoKind::Svg);
    }

    #[test]
    fn the_display_name_stands_in_for_the_registered_name() {
        let mut branding = Branding::default();
        assert!(branding.is_empty());
        assert_eq!(branding.name_or("Shop"), "Shop");
        branding.display_name = Some("Acme".into());
        assert!(!branding.is_empty());
        assert_eq!(branding.name_or("Shop"), "Acme");
    }

    #[test]
    fn a_draft_of_stored_branding_shows_it_again() {
        let branding = Branding {
            display_name: Some("Acme".into()),
            accent: Some(Rgb(1, 2, 3)),
            privacy_url: None,
            terms_url: Some("https://t.example/".into()),
            logo: None,
        };
        let draft = BrandingDraft::from_branding(&branding);
        assert_eq!(draft.accent, "#010203");
        assert_eq!(draft.terms_url, "https://t.example/");
        assert_eq!(draft.validate().unwrap().accent, Some(Rgb(1, 2, 3)));
    }
}
