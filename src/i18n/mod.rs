//! The message catalogs and the translator that pages and messages speak through.
//!
//! The catalogs are Fluent files a translator edits without Rust: `locales/<lang>/pages.ftl`
//! (hosted and account pages), `errors.ftl` (what flows and locks say on a page) and
//! `messages.ftl` (email, SMS and push). They are compiled into the binary; a key missing in one
//! language falls back to English at run time, and the unit tests below fail on it first.
//! Which language a request gets is decided in `domain::locale`; this module only speaks it.
//! May not depend on actix, diesel or another layer of this crate.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Display;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // No Unicode isolation marks around arguments: they end up in mail subjects and SMS.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The shipped languages, in the order the language switch lists them. A new language is a
/// folder `locales/<tag>/` with the same files as `locales/en/`, plus its tag here.
pub const SHIPPED: &[&str] = &["en", "de"];

/// Whether `tag` is exactly one of [`SHIPPED`].
pub fn is_shipped(tag: &str) -> bool {
    SHIPPED.contains(&tag)
}

/// A translator for one language: `{{ tr.t("login-title") }}` in a template,
/// `{{ tr.a("login-title-to", "app", client_name) }}` with an argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tr {
    lang: &'static str,
    /// The page the language switch returns to (path and query); empty where there is no switch.
    back: String,
}

impl Tr {
    /// A translator for `lang`; a tag that is not shipped speaks English.
    pub fn new(lang: &str) -> Self {
        let lang = SHIPPED
            .iter()
            .find(|s| **s == lang)
            .copied()
            .unwrap_or("en");
        Self {
            lang,
            back: String::new(),
        }
    }

    /// The same translator, with the page its language switch returns to.
    pub fn with_back(mut self, back: impl Into<String>) -> Self {
        self.back = back.into();
        self
    }

    /// The language tag, for `<html lang>` and `Content-Language`.
    pub fn lang(&self) -> &'static str {
        self.lang
    }

    /// The page the language switch returns to.
    pub fn back(&self) -> &str {
        &self.back
    }

    /// The shipped languages for the switch: tag, its own name, whether it is this one.
    pub fn choices(&self) -> Vec<(&'static str, String, bool)> {
        SHIPPED
            .iter()
            .map(|tag| (*tag, Tr::new(tag).t("language-name"), *tag == self.lang))
            .collect()
    }

    fn id(&self) -> LanguageIdentifier {
        self.lang.parse().unwrap_or_default()
    }

    /// The text of `key`.
    pub fn t(&self, key: &str) -> String {
        LOCALES.lookup(&self.id(), key)
    }

    /// The text of `key` with one argument `name` = `value`.
    pub fn a(&self, key: &str, name: &str, value: impl Display) -> String {
        self.args(key, &[(name, Arg::Text(value.to_string()))])
    }

    /// The text of `key` with two text arguments.
    pub fn a2(
        &self,
        key: &str,
        name: &str,
        value: impl Display,
        name2: &str,
        value2: impl Display,
    ) -> String {
        self.args(
            key,
            &[
                (name, Arg::Text(value.to_string())),
                (name2, Arg::Text(value2.to_string())),
            ],
        )
    }

    /// The words of an error message that the code made in English (an error page's title or
    /// message, e.g. an expired sign-in link), in this language: found by its English text in
    /// `locales/en/errors.ftl`. `None` when it is English already or not in the catalog.
    pub fn from_english(&self, english: &str) -> Option<String> {
        const ENGLISH_ERRORS: &str = include_str!("../../locales/en/errors.ftl");
        if self.lang == "en" {
            return None;
        }
        let en = Tr::new("en");
        ENGLISH_ERRORS
            .lines()
            .filter(|l| l.starts_with(|c: char| c.is_ascii_alphabetic()))
            .filter_map(|l| l.split_once('=').map(|(id, _)| id.trim()))
            .find(|id| en.t(id) == english)
            .map(|id| self.t(id))
    }

    /// The text of `key` as HTML, with the argument `name` = `value` in `<strong>`: both the
    /// text and the value are escaped, so a template may show it with `|safe`.
    pub fn strong(&self, key: &str, name: &str, value: impl Display) -> String {
        self.strong_with(key, &[], name, value)
    }

    /// [`Tr::strong`] with one more, plain argument `plain` = `plain_value`.
    pub fn strong2(
        &self,
        key: &str,
        plain: &str,
        plain_value: impl Display,
        name: &str,
        value: impl Display,
    ) -> String {
        self.strong_with(key, &[(plain, plain_value.to_string())], name, value)
    }

    fn strong_with(
        &self,
        key: &str,
        plain: &[(&str, String)],
        name: &str,
        value: impl Display,
    ) -> String {
        // A private-use character marks where the value goes; no catalog text contains it.
        const MARK: &str = "\u{E000}";
        let mut args: Vec<(&str, Arg)> = plain
            .iter()
            .map(|(n, v)| (*n, Arg::Text(v.clone())))
            .collect();
        args.push((name, Arg::Text(MARK.to_owned())));
        let strong = format!("<strong>{}</strong>", escape_html(&value.to_string()));
        escape_html(&self.args(key, &args)).replace(MARK, &strong)
    }

    /// The text of `key` with a number `name` (for plural forms: `{ $n -> [one] … *[other] … }`).
    pub fn n(&self, key: &str, name: &str, number: i64) -> String {
        self.args(key, &[(name, Arg::Number(number))])
    }

    /// The text of `key` with any arguments.
    pub fn args(&self, key: &str, args: &[(&str, Arg)]) -> String {
        let map: HashMap<Cow<'static, str>, FluentValue> = args
            .iter()
            .map(|(name, value)| {
                let value = match value {
                    Arg::Text(s) => FluentValue::from(s.clone()),
                    Arg::Number(n) => FluentValue::from(*n),
                };
                (Cow::Owned((*name).to_owned()), value)
            })
            .collect();
        LOCALES.lookup_with_args(&self.id(), key, &map)
    }

    /// A date and time for people, in UTC: "5 December 2026, 14:03" / "5. Dezember 2026, 14:03".
    pub fn date_time(&self, unix: i64) -> String {
        self.when(unix, "date-time")
    }

    /// A date for people: "5 December 2026" / "5. Dezember 2026".
    pub fn date(&self, unix: i64) -> String {
        self.when(unix, "date")
    }

    fn when(&self, unix: i64, key: &str) -> String {
        let Ok(at) = time::OffsetDateTime::from_unix_timestamp(unix) else {
            return String::new();
        };
        let month = self.t(&format!("month-{}", u8::from(at.month())));
        self.args(
            key,
            &[
                ("day", Arg::Text(at.day().to_string())),
                ("month", Arg::Text(month)),
                ("year", Arg::Text(at.year().to_string())),
                (
                    "time",
                    Arg::Text(format!("{:02}:{:02}", at.hour(), at.minute())),
                ),
            ],
        )
    }
}

/// `text` safe inside HTML text and attribute values.
fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One argument of a message.
#[derive(Debug, Clone)]
pub enum Arg {
    Text(String),
    Number(i64),
}

#[cfg(test)]
mod tests;
