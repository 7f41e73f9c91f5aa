//! Which language a page or message speaks: pure negotiation over the facts a request carries.
//! May not depend on anything but std; the shipped languages are a parameter (`crate::i18n`
//! knows the catalogs).
//!
//! The order (issue 16, README "Languages"):
//! 1. `ui_locales` of the authorization request (OIDC Core §3.1.2.1, space-separated, in order
//!    of preference) — for the pages of that request, unless the visitor chose a language on the
//!    switch *after* the request was made: an explicit choice wins from then on;
//! 2. the visitor's own choice on the language switch (kept in the session);
//! 3. `Accept-Language` (RFC 9110 §12.5.4, by q-value);
//! 4. the installation's `default_locale`.
//!
//! A tag matches a shipped language exactly (`de`) or by its primary subtag (`de-AT` → `de`).

/// The longest `Accept-Language` or `ui_locales` value we read; the rest is ignored.
const MAX_HEADER: usize = 512;
/// The most language ranges we weigh from one header.
const MAX_RANGES: usize = 16;

/// What the authorization request asked for, and when it was made (unix seconds).
#[derive(Debug, Clone, Copy)]
pub struct Requested<'a> {
    pub ui_locales: &'a str,
    pub created_at: i64,
}

/// The visitor's choice on the language switch, and when it was made (unix seconds).
#[derive(Debug, Clone, Copy)]
pub struct Choice<'a> {
    pub lang: &'a str,
    pub at: i64,
}

/// Everything the language of one answer depends on.
#[derive(Debug, Clone, Copy, Default)]
pub struct Facts<'a> {
    pub requested: Option<Requested<'a>>,
    pub choice: Option<Choice<'a>>,
    pub accept_language: Option<&'a str>,
    pub default: &'a str,
}

/// The shipped language to use, by the order above. `shipped` must not be empty; when even
/// `default` is not shipped, the first shipped language is used.
pub fn negotiate<'s>(facts: &Facts<'_>, shipped: &[&'s str]) -> &'s str {
    let from_request = facts.requested.and_then(|r| {
        let chosen_later = facts.choice.is_some_and(|c| c.at >= r.created_at);
        (!chosen_later)
            .then(|| first_match(r.ui_locales.split_whitespace(), shipped))
            .flatten()
    });
    from_request
        .or_else(|| facts.choice.and_then(|c| match_tag(c.lang, shipped)))
        .or_else(|| {
            facts
                .accept_language
                .and_then(|h| first_match(by_preference(h).into_iter(), shipped))
        })
        .or_else(|| match_tag(facts.default, shipped))
        .or_else(|| shipped.first().copied())
        .unwrap_or("en")
}

/// The shipped language `tag` names, if any.
pub fn match_tag<'s>(tag: &str, shipped: &[&'s str]) -> Option<&'s str> {
    let tag = tag.trim();
    if tag.is_empty() || tag.len() > 35 {
        return None;
    }
    let primary = tag.split(['-', '_']).next().unwrap_or(tag);
    shipped
        .iter()
        .find(|s| s.eq_ignore_ascii_case(tag))
        .or_else(|| shipped.iter().find(|s| s.eq_ignore_ascii_case(primary)))
        .copied()
}

fn first_match<'a, 's>(
    tags: impl Iterator<Item = &'a str>,
    shipped: &[&'s str],
) -> Option<&'s str> {
    tags.take(MAX_RANGES).find_map(|t| match_tag(t, shipped))
}

/// The language ranges of an `Accept-Language` value, most wanted first (a stable sort keeps
/// the header's order among equal q-values); `q=0` ("not acceptable") and `*` are dropped.
pub fn by_preference(header: &str) -> Vec<&str> {
    let header = header.get(..MAX_HEADER).unwrap_or(header);
    let mut ranges: Vec<(&str, u16)> = header
        .split(',')
        .take(MAX_RANGES)
        .filter_map(|part| {
            let mut pieces = part.split(';');
            let range = pieces.next()?.trim();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1000), quality)?;
            (q > 0 && !range.is_empty() && range != "*").then_some((range, q))
        })
        .collect();
    ranges.sort_by_key(|r| std::cmp::Reverse(r.1));
    ranges.into_iter().map(|(r, _)| r).collect()
}

/// A q-value in thousandths (RFC 9110 §12.4.2); `None` when it is not one.
fn quality(q: &str) -> Option<u16> {
    let value: f32 = q.trim().parse().ok()?;
    (0.0..=1.0)
        .contains(&value)
        .then_some((value * 1000.0).round() as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHIPPED: &[&str] = &["en", "de"];

    fn facts() -> Facts<'static> {
        Facts {
            default: "en",
            ..Facts::default()
        }
    }

    #[test]
    fn with_nothing_to_go_on_the_default_is_used() {
        assert_eq!(negotiate(&facts(), SHIPPED), "en");
        let german_default = Facts {
            default: "de",
            ..facts()
        };
        assert_eq!(negotiate(&german_default, SHIPPED), "de");
    }

    #[test]
    fn accept_language_beats_the_default_by_q_value() {
        let f = Facts {
            accept_language: Some("fr;q=0.9, de;q=0.8, en;q=0.5"),
            ..facts()
        };
        assert_eq!(negotiate(&f, SHIPPED), "de");
        let f = Facts {
            accept_language: Some("en;q=0.2, de-AT"),
            ..facts()
        };
        assert_eq!(negotiate(&f, SHIPPED), "de");
        let refused = Facts {
            accept_language: Some("de;q=0, fr"),
            default: "en",
            ..facts()
        };
        assert_eq!(negotiate(&refused, SHIPPED), "en");
    }

    #[test]
    fn the_visitors_choice_beats_accept_language() {
        let f = Facts {
            choice: Some(Choice { lang: "en", at: 10 }),
            accept_language: Some("de"),
            ..facts()
        };
        assert_eq!(negotiate(&f, SHIPPED), "en");
    }

    #[test]
    fn ui_locales_of_a_newer_request_beats_an_earlier_choice() {
        let f = Facts {
            requested: Some(Requested {
                ui_locales: "fr-CA de",
                created_at: 20,
            }),
            choice: Some(Choice { lang: "en", at: 10 }),
            accept_language: Some("en"),
            ..facts()
        };
        assert_eq!(negotiate(&f, SHIPPED), "de");
    }

    #[test]
    fn a_choice_made_after_the_request_beats_its_ui_locales() {
        let f = Facts {
            requested: Some(Requested {
                ui_locales: "de",
                created_at: 20,
            }),
            choice: Some(Choice { lang: "en", at: 30 }),
            ..facts()
        };
        assert_eq!(negotiate(&f, SHIPPED), "en");
    }

    #[test]
    fn unknown_ui_locales_fall_through_to_the_next_source() {
        let f = Facts {
            requested: Some(Requested {
                ui_locales: "fr ja",
                created_at: 20,
            }),
            accept_language: Some("de-DE,de;q=0.9"),
            ..facts()
        };
        assert_eq!(negotiate(&f, SHIPPED), "de");
    }

    #[test]
    fn tags_match_exactly_or_by_primary_subtag_and_junk_matches_nothing() {
        assert_eq!(match_tag("DE", SHIPPED), Some("de"));
        assert_eq!(match_tag("en-GB", SHIPPED), Some("en"));
        assert_eq!(match_tag("de_CH", SHIPPED), Some("de"));
        assert_eq!(match_tag("deu", SHIPPED), None);
        assert_eq!(match_tag("", SHIPPED), None);
        assert_eq!(by_preference("a;q=2, b;q=x, c;q=0.5, *"), vec!["c"]);
    }
}
