//! The layering of DESIGN.md, checked on the sources: domain/ stays pure, flows/ knows no
//! HTTP, web/ never names diesel, store/ never names actix.

use std::path::Path;

fn sources(dir: &str) -> Vec<(String, String)> {
    fn walk(path: &Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(path).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push((
                    path.display().to_string(),
                    std::fs::read_to_string(&path).unwrap(),
                ));
            }
        }
    }
    let mut out = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(dir),
        &mut out,
    );
    assert!(!out.is_empty(), "no sources under src/{dir}");
    out
}

fn offenders(dir: &str, forbidden: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for (file, text) in sources(dir) {
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for word in forbidden {
                if code.contains(word) {
                    found.push(format!("{file}:{}: {}", n + 1, line.trim()));
                }
            }
        }
    }
    found
}

#[test]
fn the_domain_layer_imports_no_framework_and_no_other_layer() {
    let forbidden = [
        "actix",
        "diesel",
        "lettre",
        "askama",
        "tokio",
        "crate::web",
        "crate::store",
        "crate::channels",
        "crate::app",
        "crate::crypto",
        "SystemTime",
        "rand::",
        "std::fs",
        "std::net",
    ];
    let found = offenders("domain", &forbidden);
    assert!(
        found.is_empty(),
        "domain/ must stay pure:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_web_layer_never_uses_diesel_directly() {
    let found = offenders("web", &["diesel"]);
    assert!(
        found.is_empty(),
        "web/ must go through store/:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_store_layer_knows_nothing_of_http() {
    let found = offenders("store", &["actix", "askama", "crate::web"]);
    assert!(
        found.is_empty(),
        "store/ must not know the web layer:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_flows_layer_knows_nothing_of_http_or_pages() {
    let found = offenders(
        "flows",
        &[
            "actix",
            "askama",
            "HttpRequest",
            "HttpResponse",
            "crate::web",
            "diesel",
        ],
    );
    assert!(
        found.is_empty(),
        "flows/ must stay free of HTTP, templates and diesel:\n{}",
        found.join("\n")
    );
}

#[test]
fn migrations_come_in_pairs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let names = |backend: &str| {
        let mut v: Vec<String> = std::fs::read_dir(root.join(backend))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(names("sqlite"), names("postgres"));
}

#[test]
fn the_catalogs_and_the_translator_know_no_framework_and_no_layer() {
    let forbidden = [
        "actix",
        "diesel",
        "askama",
        "lettre",
        "crate::web",
        "crate::store",
        "crate::flows",
        "crate::channels",
    ];
    let found = offenders("i18n", &forbidden);
    assert!(
        found.is_empty(),
        "i18n/ must stay a leaf that every layer may use:\n{}",
        found.join("\n")
    );
}
