//! A browser's `User-Agent` header in words for people ("Firefox on Windows"), so that someone
//! looking at their sessions can tell their devices apart. Pure: no IO; depends on nothing of
//! ours.
//!
//! User-Agent strings carry the tokens of every engine they claim compatibility with (Edge
//! says Chrome and Safari, Chrome says Safari, an iPhone says "like Mac OS X"), so the most
//! specific token is looked for first. The words are a hint, not proof: the header is chosen
//! by the client.

/// How much of a User-Agent is kept with a session (characters).
pub const MAX_STORED_LEN: usize = 256;

/// Browsers, most specific token first (see the module comment).
const BROWSERS: &[(&str, &str)] = &[
    ("Edg/", "Edge"),
    ("EdgA/", "Edge"),
    ("EdgiOS/", "Edge"),
    ("OPR/", "Opera"),
    ("OPiOS/", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("FxiOS/", "Firefox"),
    ("Firefox/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
];

/// Systems, most specific first: an iPhone says "like Mac OS X", Android says "Linux".
const SYSTEMS: &[(&str, &str)] = &[
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("iPod", "iPod"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("CrOS", "ChromeOS"),
    ("Macintosh", "macOS"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
];

fn first_match(user_agent: &str, table: &[(&str, &'static str)]) -> Option<&'static str> {
    table
        .iter()
        .find(|(token, _)| user_agent.contains(token))
        .map(|(_, name)| *name)
}

/// "Chrome on Android", "Safari on iPhone"; "Firefox" when the system is not recognised;
/// "Unknown browser" (or "Unknown browser on Linux") when the browser is not.
pub fn device_name(user_agent: Option<&str>) -> String {
    let ua = user_agent.unwrap_or_default();
    let browser = first_match(ua, BROWSERS);
    let system = first_match(ua, SYSTEMS);
    match (browser, system) {
        (Some(browser), Some(system)) => format!("{browser} on {system}"),
        (Some(browser), None) => browser.to_owned(),
        (None, Some(system)) => format!("Unknown browser on {system}"),
        (None, None) => "Unknown browser".to_owned(),
    }
}

/// The part of a User-Agent kept with a session: at most [`MAX_STORED_LEN`] characters (cut on
/// a character boundary), without control characters; `None` when nothing is left.
pub fn for_storage(user_agent: &str) -> Option<String> {
    let kept: String = user_agent
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_STORED_LEN)
        .collect();
    let kept = kept.trim();
    (!kept.is_empty()).then(|| kept.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(ua: &str) -> String {
        device_name(Some(ua))
    }

    #[test]
    fn desktop_browsers_are_named_with_their_system() {
        assert_eq!(
            name(
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
            ),
            "Firefox on Windows"
        );
        assert_eq!(
            name(
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
            ),
            "Edge on macOS"
        );
        assert_eq!(
            name(
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
            ),
            "Chrome on Windows"
        );
        assert_eq!(
            name(
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15"
            ),
            "Safari on macOS"
        );
        assert_eq!(
            name("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"),
            "Firefox on Linux"
        );
        assert_eq!(
            name(
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 OPR/115.0.0.0"
            ),
            "Opera on Windows"
        );
        assert_eq!(
            name(
                "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
            ),
            "Chrome on ChromeOS"
        );
    }

    #[test]
    fn phones_and_tablets_are_named_by_device() {
        assert_eq!(
            name(
                "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"
            ),
            "Chrome on Android"
        );
        assert_eq!(
            name(
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
            ),
            "Safari on iPhone"
        );
        assert_eq!(
            name(
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1"
            ),
            "Chrome on iPhone"
        );
        assert_eq!(
            name(
                "Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/133.0 Mobile/15E148 Safari/605.1.15"
            ),
            "Firefox on iPad"
        );
        assert_eq!(
            name(
                "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36"
            ),
            "Samsung Internet on Android"
        );
        assert_eq!(
            name("Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0"),
            "Firefox on Android"
        );
        assert_eq!(
            name(
                "Mozilla/5.0 (Linux; Android 10; HD1913) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36 EdgA/131.0.2903.87"
            ),
            "Edge on Android"
        );
    }

    #[test]
    fn what_is_not_recognised_says_so() {
        assert_eq!(device_name(None), "Unknown browser");
        assert_eq!(name(""), "Unknown browser");
        assert_eq!(name("curl/8.11.0"), "Unknown browser");
        assert_eq!(name("reqwest/0.12"), "Unknown browser");
        assert_eq!(
            name("SomeBot/1.0 (X11; Linux x86_64)"),
            "Unknown browser on Linux"
        );
        assert_eq!(name("Mozilla/5.0 Firefox/133.0"), "Firefox");
    }

    #[test]
    fn a_stored_user_agent_is_cut_to_256_characters_on_a_character_boundary() {
        let long = "é".repeat(300);
        let kept = for_storage(&long).unwrap();
        assert_eq!(kept.chars().count(), MAX_STORED_LEN);
        assert_eq!(for_storage("  "), None);
        assert_eq!(
            for_storage("Firefox/1\r\nX-Injected: 1").as_deref(),
            Some("Firefox/1X-Injected: 1")
        );
    }
}
