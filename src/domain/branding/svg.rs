//! SVG logos that can only draw. A served SVG is a document of our origin, so it must not be
//! able to run script or fetch anything: it is parsed as XML and refused — not cleaned, so
//! what is stored is exactly what the administrator uploaded — when it holds
//! - an element outside a list of drawing elements (`<script>`, `<foreignObject>`, `<a>`,
//!   `<image>`, animations, and anything in the XHTML or another unknown namespace);
//! - an event handler attribute (`onload=` …);
//! - a reference that is not to an element of the same file (`href` other than `#id`,
//!   `url(…)` other than `url(#id)`, `@import`, `javascript:`);
//! - an entity declaration (billion laughs) or a processing instruction (`<?xml-stylesheet?>`).
//!
//! The served file also gets `Content-Security-Policy: default-src 'none'` (see web/), a
//! second wall should a check here ever miss something. Pure.

use roxmltree::{Document, Node, NodeType, ParsingOptions};

const SVG_NS: &str = "http://www.w3.org/2000/svg";
const XLINK_NS: &str = "http://www.w3.org/1999/xlink";
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// Namespaces of drawing programs' own notes (Inkscape, Sodipodi, RDF metadata): browsers
/// neither draw nor run them.
const EDITOR_NAMESPACES: [&str; 6] = [
    "http://www.inkscape.org/namespaces/inkscape",
    "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://creativecommons.org/ns#",
    "http://purl.org/dc/elements/1.1/",
    "http://ns.adobe.com/SaveForWeb/1.0/",
];

/// SVG elements that only draw (shapes, text, paint servers, clipping, simple filters).
const DRAWING_ELEMENTS: &[&str] = &[
    "svg",
    "g",
    "defs",
    "symbol",
    "use",
    "title",
    "desc",
    "metadata",
    "style",
    "path",
    "rect",
    "circle",
    "ellipse",
    "line",
    "polyline",
    "polygon",
    "text",
    "tspan",
    "linearGradient",
    "radialGradient",
    "stop",
    "clipPath",
    "mask",
    "pattern",
    "marker",
    "filter",
    "feBlend",
    "feColorMatrix",
    "feComposite",
    "feFlood",
    "feGaussianBlur",
    "feMerge",
    "feMergeNode",
    "feOffset",
];

/// The most XML nodes a logo may have.
const MAX_NODES: u32 = 20_000;

/// Whether `bytes` is meant as an SVG: UTF-8 text whose first element is `<svg`.
pub fn looks_like_svg(bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    let text = text.trim_start_matches('\u{feff}');
    // Past the XML declaration, comments and a DOCTYPE, the first tag.
    let mut rest = text.trim_start();
    loop {
        if let Some(after) = rest.strip_prefix("<?") {
            rest = after.split_once("?>").map_or("", |(_, r)| r).trim_start();
        } else if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.split_once("-->").map_or("", |(_, r)| r).trim_start();
        } else if let Some(after) = rest.strip_prefix("<!") {
            // A DOCTYPE's internal subset (`[ … ]`) holds `>` of its own.
            let subset = after
                .find('[')
                .is_some_and(|i| after.find('>').is_some_and(|j| i < j));
            let end = if subset { "]>" } else { ">" };
            rest = after.split_once(end).map_or("", |(_, r)| r).trim_start();
        } else {
            break;
        }
    }
    rest.strip_prefix("<svg")
        .is_some_and(|r| r.starts_with(|c: char| c.is_whitespace() || c == '>' || c == '/'))
}

/// Refuses an SVG that could do more than draw; see the module documentation.
pub fn check_svg(bytes: &[u8]) -> Result<(), String> {
    let text =
        std::str::from_utf8(bytes).map_err(|_| "The SVG logo must be UTF-8 text.".to_owned())?;
    if text.contains("<!ENTITY") {
        return Err(
            "The SVG logo declares entities (<!ENTITY>), which a logo may not do. \
                    Export it as a plain SVG."
                .into(),
        );
    }
    let options = ParsingOptions {
        // A DOCTYPE naming the SVG DTD is common (Illustrator writes one); it is never fetched.
        allow_dtd: true,
        nodes_limit: MAX_NODES,
        ..ParsingOptions::default()
    };
    let document = Document::parse_with_options(text, options)
        .map_err(|e| format!("The SVG logo is not well-formed XML: {e}."))?;
    let root = document.root_element();
    if root.tag_name().name() != "svg" || root.tag_name().namespace() != Some(SVG_NS) {
        return Err(
            "The SVG logo must have <svg xmlns=\"http://www.w3.org/2000/svg\"> as its root.".into(),
        );
    }
    for node in document.descendants() {
        match node.node_type() {
            NodeType::Element => check_element(node)?,
            NodeType::PI => {
                let target = node.pi().map_or("", |pi| pi.target);
                return Err(format!(
                    "The SVG logo contains a processing instruction (<?{target}?>), which a \
                     logo may not use."
                ));
            }
            NodeType::Text if is_style(node.parent()) => {
                check_reference_text("the <style> element", node.text().unwrap_or(""))?;
            }
            _ => {}
        }
    }
    Ok(())
}

fn is_style(node: Option<Node>) -> bool {
    node.is_some_and(|n| n.is_element() && n.tag_name().name() == "style")
}

fn check_element(node: Node) -> Result<(), String> {
    let tag = node.tag_name();
    let name = tag.name();
    match tag.namespace() {
        Some(SVG_NS) => {
            if name == "script" {
                return Err(
                    "The SVG logo contains a <script> element; a logo must not run \
                            scripts."
                        .into(),
                );
            }
            if name == "foreignObject" {
                return Err(
                    "The SVG logo contains a <foreignObject> element (embedded HTML), \
                            which a logo may not use."
                        .into(),
                );
            }
            if !DRAWING_ELEMENTS.contains(&name) {
                return Err(format!(
                    "The SVG logo contains a <{name}> element, which a logo may not use: only \
                     shapes, paths, text, groups, gradients, clipping and simple filters are \
                     allowed."
                ));
            }
        }
        Some(ns) if EDITOR_NAMESPACES.contains(&ns) => {}
        _ => {
            return Err(format!(
                "The SVG logo contains a <{name}> element outside the SVG namespace, which a \
                 logo may not use. Export it as a plain SVG."
            ));
        }
    }
    for attribute in node.attributes() {
        let (attr, value) = (attribute.name(), attribute.value());
        match attribute.namespace() {
            None if attr.len() > 2 && attr[..2].eq_ignore_ascii_case("on") => {
                return Err(format!(
                    "The SVG logo has an event handler ({attr}=\"…\" on <{name}>); a logo must \
                     not run scripts."
                ));
            }
            None | Some(XLINK_NS) if attr == "href" => {
                if !value.trim_start().starts_with('#') {
                    return Err(format!(
                        "The SVG logo refers to another file or address (href=\"{}\" on \
                         <{name}>); a logo may refer only to its own elements (href=\"#id\").",
                        shorten(value)
                    ));
                }
            }
            None | Some(XML_NS) => check_reference_text(&format!("<{name} {attr}>"), value)?,
            Some(XLINK_NS) => {}
            Some(ns) if EDITOR_NAMESPACES.contains(&ns) => {}
            Some(_) => {
                return Err(format!(
                    "The SVG logo has the attribute {attr} on <{name}> in an unknown namespace, \
                     which a logo may not use. Export it as a plain SVG."
                ));
            }
        }
    }
    Ok(())
}

/// Style text or an attribute value: `url(…)` only to `#id`, no `@import`, no script URLs.
fn check_reference_text(place: &str, value: &str) -> Result<(), String> {
    let lower = value.to_ascii_lowercase();
    let compact: String = lower.chars().filter(|c| !c.is_whitespace()).collect();
    let external_url = compact.match_indices("url(").any(|(i, _)| {
        !compact[i + 4..]
            .trim_start_matches(['"', '\''])
            .starts_with('#')
    });
    if external_url || compact.contains("@import") {
        return Err(format!(
            "The SVG logo refers to another file or address in {place} ({}); a logo may refer \
             only to its own elements (url(#id)).",
            shorten(value)
        ));
    }
    if compact.contains("javascript:") || compact.contains("expression(") {
        return Err(format!(
            "The SVG logo has script in {place}; a logo must not run scripts."
        ));
    }
    Ok(())
}

/// At most 60 characters of `value`, for a message.
fn shorten(value: &str) -> String {
    let short: String = value.chars().take(60).collect();
    if short.len() < value.len() {
        format!("{short}…")
    } else {
        short
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svg(body: &str) -> String {
        format!(r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">{body}</svg>"#)
    }

    fn refused(text: &str) -> String {
        assert!(
            looks_like_svg(text.as_bytes()),
            "not taken for an SVG: {text}"
        );
        check_svg(text.as_bytes()).unwrap_err()
    }

    #[test]
    fn a_drawing_is_accepted() {
        let logo = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- made by hand -->\n\
             <!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \
             \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n{}",
            svg(
                r##"<title>Acme</title><defs><linearGradient id="g"><stop offset="0" stop-color="#0b3d91"/></linearGradient>
                <style>.a { fill: url(#g); }</style></defs>
                <g transform="translate(1 1)"><rect class="a" width="8" height="8" rx="1"/>
                <use href="#g"/><text x="1" y="9" font-family="sans-serif">A</text></g>"##
            )
        );
        assert!(looks_like_svg(logo.as_bytes()));
        check_svg(logo.as_bytes()).unwrap();
    }

    #[test]
    fn inkscape_notes_are_allowed() {
        let logo = r##"<svg xmlns="http://www.w3.org/2000/svg"
            xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
            xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"
            inkscape:version="1.2"><sodipodi:namedview pagecolor="#fff"/>
            <path d="M0 0h1" inkscape:label="line"/></svg>"##;
        check_svg(logo.as_bytes()).unwrap();
    }

    #[test]
    fn script_is_refused() {
        let error = refused(&svg("<script>alert(1)</script>"));
        assert!(error.contains("<script>"), "{error}");
        assert!(error.contains("must not run scripts"), "{error}");
        // XHTML script runs in an SVG document too.
        let error = refused(&svg(
            r#"<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>"#,
        ));
        assert!(error.contains("outside the SVG namespace"), "{error}");
    }

    #[test]
    fn event_handlers_are_refused_in_any_case() {
        for attr in ["onload", "ONLOAD", "onClick", "onbegin"] {
            let error = refused(&svg(&format!(r#"<rect {attr}="alert(1)"/>"#)));
            assert!(error.contains("event handler"), "{attr}: {error}");
            assert!(error.contains(attr), "{attr}: {error}");
        }
        let error = refused(r#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>"#);
        assert!(error.contains("onload"), "{error}");
    }

    #[test]
    fn foreign_object_and_other_active_elements_are_refused() {
        let error = refused(&svg(
            r#"<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>"#,
        ));
        assert!(error.contains("<foreignObject>"), "{error}");
        for element in [
            "<a href=\"#x\"><rect/></a>",
            "<image href=\"#x\"/>",
            "<animate attributeName=\"href\" to=\"javascript:alert(1)\"/>",
            "<set attributeName=\"fill\" to=\"red\"/>",
            "<iframe/>",
        ] {
            let error = refused(&svg(element));
            assert!(error.contains("may not use"), "{element}: {error}");
        }
    }

    #[test]
    fn external_references_are_refused() {
        for body in [
            r#"<use href="https://evil.example/x.svg#a"/>"#,
            r#"<use xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="data:image/svg+xml,x"/>"#,
            r#"<rect fill="url(https://evil.example/p)"/>"#,
            r#"<rect style="fill: URL( 'http://evil.example/p' )"/>"#,
            r#"<style>@import 'https://evil.example/a.css';</style>"#,
            r#"<style>rect { fill: url(//evil.example/p) }</style>"#,
        ] {
            let error = refused(&svg(body));
            assert!(error.contains("another file or address"), "{body}: {error}");
        }
        let error = refused(&svg(r#"<rect style="fill: javascript:alert(1)"/>"#));
        assert!(error.contains("script"), "{error}");
    }

    #[test]
    fn entities_and_processing_instructions_are_refused() {
        let laughs = r#"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]>
            <svg xmlns="http://www.w3.org/2000/svg">&a;</svg>"#;
        assert!(refused(laughs).contains("entities"));
        let styled = format!(
            "<?xml-stylesheet href=\"https://evil.example/a.css\"?>{}",
            svg("")
        );
        assert!(
            check_svg(styled.as_bytes())
                .unwrap_err()
                .contains("processing instruction")
        );
    }

    #[test]
    fn not_an_svg_root_or_not_xml_is_refused() {
        assert!(!looks_like_svg(b"<html></html>"));
        assert!(!looks_like_svg(b"<svgfoo/>"));
        assert!(!looks_like_svg(&[0xff, 0xfe, 0x3c]));
        assert!(refused("<svg><rect/></svg>").contains("root"));
        assert!(
            refused("<svg xmlns=\"http://www.w3.org/2000/svg\"><rect></svg>")
                .contains("not well-formed")
        );
    }
}
