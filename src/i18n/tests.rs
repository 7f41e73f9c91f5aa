//! The catalogs are complete: every shipped language has every file and every key, every file
//! parses, and every key the templates and the code ask for exists.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use fluent_templates::fluent_bundle::FluentResource;

use super::{SHIPPED, Tr};

const CATALOGS: &[&str] = &["pages.ftl", "errors.ftl", "messages.ftl"];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// The message ids of a Fluent file: lines that start with an identifier and `=` (terms start
/// with `-`, comments with `#`, continuation lines with a space; none of them is an id).
fn ids(source: &str) -> BTreeSet<String> {
    source
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_alphabetic()))
        .filter_map(|l| l.split_once('='))
        .map(|(id, _)| id.trim().to_owned())
        .collect()
}

fn catalog(lang: &str, file: &str) -> String {
    let path = root().join("locales").join(lang).join(file);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_shipped_language_has_a_folder_and_every_folder_is_shipped() {
    let folders: BTreeSet<String> = fs::read_dir(root().join("locales"))
        .expect("locales/")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let shipped: BTreeSet<String> = SHIPPED.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        folders, shipped,
        "locales/ folders and i18n::SHIPPED differ"
    );
}

#[test]
fn every_catalog_parses() {
    for lang in SHIPPED {
        for file in CATALOGS {
            if let Err((_, errors)) = FluentResource::try_new(catalog(lang, file)) {
                panic!("locales/{lang}/{file} does not parse: {errors:?}");
            }
        }
    }
}

#[test]
fn every_key_is_in_every_shipped_language() {
    let mut missing = Vec::new();
    for file in CATALOGS {
        let english = ids(&catalog("en", file));
        for lang in SHIPPED {
            let keys = ids(&catalog(lang, file));
            for key in english.symmetric_difference(&keys) {
                let (has, lacks) = if keys.contains(key) {
                    (*lang, "en")
                } else {
                    ("en", *lang)
                };
                missing.push(format!(
                    "{key} is in locales/{has}/{file} but not in locales/{lacks}/{file}"
                ));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "catalogs differ:\n{}",
        missing.join("\n")
    );
}

/// Keys named in calls like `tr.t("key")`, `.a("key", …)`, `.a2(`, `.n(` in `text`, and the
/// literals of the prefixes the code picks keys by (`"err-…"`, `"lock-…"`, `"msg-…"`).
fn used_keys(text: &str, found: &mut BTreeMap<String, String>, source: &str) {
    for call in [
        ".t(\"",
        ".a(\"",
        ".a2(\"",
        ".n(\"",
        ".strong(\"",
        ".strong2(\"",
        "\"err-",
        "\"lock-",
        "\"msg-",
    ] {
        let mut rest = text;
        while let Some(at) = rest.find(call) {
            let start = at + call.len();
            // a prefix literal keeps its prefix: it is part of the key
            let key_start = if call.starts_with('"') { at + 1 } else { start };
            if let Some(end) = text_end(&rest[key_start..]) {
                found
                    .entry(rest[key_start..key_start + end].to_owned())
                    .or_insert_with(|| source.to_owned());
            }
            rest = &rest[start..];
        }
    }
}

/// Where the key that starts `text` ends (its closing quote); `None` for what is no key.
fn text_end(text: &str) -> Option<usize> {
    let end = text.find('"')?;
    text[..end]
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        .then_some(end)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, files);
        } else {
            files.push(path);
        }
    }
}

#[test]
fn every_key_the_templates_and_the_code_use_exists() {
    let mut files = Vec::new();
    walk(&root().join("templates"), &mut files);
    walk(&root().join("src"), &mut files);
    let mut used = BTreeMap::new();
    for path in files.iter().filter(|p| !p.ends_with("i18n/tests.rs")) {
        if let Ok(text) = fs::read_to_string(path) {
            used_keys(&text, &mut used, &path.display().to_string());
        }
    }
    assert!(used.len() > 20, "the scan found too few keys: {used:?}");
    let english: BTreeSet<String> = CATALOGS
        .iter()
        .flat_map(|file| ids(&catalog("en", file)))
        .collect();
    let unknown: Vec<String> = used
        .iter()
        .filter(|(key, _)| !english.contains(*key))
        .map(|(key, source)| format!("{key} (used in {source})"))
        .collect();
    assert!(
        unknown.is_empty(),
        "keys used but not in locales/en:\n{}",
        unknown.join("\n")
    );
}

#[test]
fn dates_and_times_are_written_the_way_each_language_writes_them() {
    // 2026-12-05 14:03:00 UTC
    let at = 1_796_479_380;
    assert_eq!(Tr::new("en").date_time(at), "5 December 2026, 14:03");
    assert_eq!(Tr::new("de").date_time(at), "5. Dezember 2026, 14:03");
    assert_eq!(Tr::new("de").date(at), "5. Dezember 2026");
}

#[test]
fn an_error_made_in_english_is_found_in_the_catalog() {
    let de = Tr::new("de");
    assert_eq!(
        de.from_english("This sign-in link has expired or was already used. Go back to the application and sign in again."),
        Some(de.t("err-link-expired"))
    );
    assert_eq!(
        de.from_english("Page not found"),
        Some("Seite nicht gefunden".into())
    );
    assert_eq!(de.from_english("no such text"), None);
    assert_eq!(Tr::new("en").from_english("Page not found"), None);
}

#[test]
fn a_strong_argument_is_escaped_like_the_rest_of_the_text() {
    assert_eq!(
        Tr::new("de").strong("end-asks", "app", "<Shop & Co>"),
        "<strong>&lt;Shop &amp; Co&gt;</strong> möchte Sie abmelden."
    );
}

#[test]
fn arguments_and_plurals_are_filled_in_without_isolation_marks() {
    assert_eq!(
        Tr::new("en").a("login-title-to", "app", "Shop"),
        "Sign in to Shop"
    );
    assert_eq!(
        Tr::new("de").a("login-title-to", "app", "Shop"),
        "Bei Shop anmelden"
    );
    assert_eq!(
        Tr::new("en").n("err-password-locked", "minutes", 1),
        "Too many wrong passwords. Try again in 1 minute, or"
    );
    assert_eq!(
        Tr::new("de").n("err-password-locked", "minutes", 5),
        "Zu viele falsche Passwörter. Versuchen Sie es in 5 Minuten wieder, oder"
    );
    assert_eq!(Tr::new("xx").lang(), "en");
}
