//! Office documents as text: Word (`.docx`), PowerPoint (`.pptx`) and OpenDocument text and
//! presentations (`.odt`, `.odp`) are ZIP files of XML parts. The text of every part that holds
//! what a person wrote is read with `quick-xml`, in one pass per part: the body, headers and
//! footers, footnotes, comments (with their authors), tracked changes (inserted and deleted
//! text, with their authors), slides and speaker notes, link targets (`mailto:` addresses) and
//! the document properties (author, last modified by, title, company). Paragraphs end lines;
//! each part starts on a line of its own.

use super::{zip, Budget};
use crate::source::input::Document;
use quick_xml::events::Event;
use std::io::{self, Read, Seek};

/// Which parts of a document are read.
fn wanted(doc: Document) -> fn(&str) -> bool {
    fn props(name: &str) -> bool {
        name == "docProps/core.xml" || name == "docProps/app.xml" || name == "docProps/custom.xml"
    }
    match doc {
        Document::Docx => |name: &str| {
            props(name)
                || name == "word/_rels/document.xml.rels"
                || (name.starts_with("word/")
                    && name.ends_with(".xml")
                    && [
                        "document",
                        "header",
                        "footer",
                        "comments",
                        "footnotes",
                        "endnotes",
                    ]
                    .iter()
                    .any(|p| name["word/".len()..].starts_with(p)))
        },
        Document::Pptx => |name: &str| {
            props(name)
                || (name.ends_with(".xml")
                    && (name.starts_with("ppt/slides/slide")
                        || name.starts_with("ppt/notesSlides/")
                        || name.starts_with("ppt/comments/")
                        || name == "ppt/commentAuthors.xml"))
                || (name.starts_with("ppt/slides/_rels/") && name.ends_with(".rels"))
        },
        Document::OpenDocument => {
            |name: &str| matches!(name, "content.xml" | "styles.xml" | "meta.xml")
        }
    }
}

/// Elements whose end ends a line of text.
fn ends_line(local: &[u8]) -> bool {
    matches!(
        local,
        b"p" | b"h" | b"br" | b"cr" | b"line-break" | b"tr" | b"list-item" | b"comment"
    )
}

/// Attributes whose values are text a person or a tool wrote about a person.
fn text_attribute(local: &[u8], value: &str) -> bool {
    matches!(local, b"author" | b"initials" | b"name")
        || (local.eq_ignore_ascii_case(b"target") && value.starts_with("mailto:"))
        || (local == b"href" && value.starts_with("mailto:"))
}

/// The text of one XML part, appended to `out`.
///
/// # Errors
/// The XML is broken (the text before the break is kept in `out`).
pub fn xml_text(xml: &[u8], properties: bool, out: &mut String) -> Result<(), quick_xml::Error> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut line_has_text = false;
    loop {
        let event = reader.read_event_into(&mut buf)?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let local = e.local_name();
                for attr in e.attributes().flatten() {
                    let value = attr
                        .decode_and_unescape_value(reader.decoder())
                        .unwrap_or_default();
                    if !value.trim().is_empty()
                        && text_attribute(attr.key.local_name().as_ref(), &value)
                    {
                        if line_has_text {
                            out.push('\n');
                        }
                        out.push_str(value.trim_start_matches("mailto:"));
                        out.push('\n');
                        line_has_text = false;
                    }
                }
                match local.as_ref() {
                    b"tab" => out.push('\t'),
                    b"s" => out.push(' '),
                    l if matches!(event, Event::Empty(_)) && ends_line(l) => {
                        out.push('\n');
                        line_has_text = false;
                    }
                    _ => {}
                }
            }
            Event::End(ref e) if properties || ends_line(e.local_name().as_ref()) => {
                if line_has_text {
                    out.push('\n');
                }
                line_has_text = false;
            }
            Event::Text(ref t) => {
                let text = t.decode().unwrap_or_default();
                if !text.trim().is_empty() || line_has_text {
                    out.push_str(&text);
                    line_has_text |= !text.trim().is_empty();
                }
            }
            Event::CData(ref t) => {
                out.push_str(&t.decode().unwrap_or_default());
                line_has_text = true;
            }
            Event::GeneralRef(ref r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c.to_string()),
                    _ => r
                        .decode()
                        .ok()
                        .and_then(|name| quick_xml::escape::resolve_xml_entity(&name))
                        .map(str::to_string),
                };
                if let Some(s) = resolved {
                    out.push_str(&s);
                    line_has_text = true;
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if line_has_text {
        out.push('\n');
    }
    Ok(())
}

/// The text of a document: its parts in archive order, each from a new line.
///
/// # Errors
/// The document is not a readable ZIP, a part is encrypted, or a limit was hit. A part whose
/// XML breaks part-way keeps the text before the break, and the error names the part.
pub fn text<R: Read + Seek>(reader: R, doc: Document, budget: &Budget) -> io::Result<String> {
    let pick = wanted(doc);
    let parts = zip::parts(reader, budget, &pick)?;
    if parts.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "it holds none of the parts of its kind of document",
        ));
    }
    let mut out = String::new();
    for (name, xml) in parts {
        let properties = name.starts_with("docProps/") || name == "meta.xml";
        if let Err(e) = xml_text(&xml, properties, &mut out) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("the part {name} is broken: {e}"),
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(xml: &str) -> String {
        let mut out = String::new();
        xml_text(xml.as_bytes(), false, &mut out).unwrap();
        out
    }

    #[test]
    fn paragraphs_runs_entities_and_tracked_changes() {
        let xml = r#"<w:document xmlns:w="w"><w:body>
            <w:p><w:r><w:t>Jan </w:t></w:r><w:r><w:t>Jansen</w:t></w:r></w:p>
            <w:p><w:ins w:author="Piet de Vries"><w:r><w:t>jan&#64;example.nl &amp; co</w:t></w:r></w:ins>
            <w:del w:author="Piet de Vries"><w:r><w:delText>BSN 111222333</w:delText></w:r></w:del></w:p>
            <w:p><w:r><w:t>a</w:t><w:tab/><w:t>b</w:t></w:r></w:p>
            </w:body></w:document>"#;
        let t = text_of(xml);
        assert!(t.contains("Jan Jansen\n"), "{t:?}");
        assert!(t.contains("jan@example.nl & co"), "{t:?}");
        assert!(t.contains("BSN 111222333"), "{t:?}");
        assert!(t.contains("Piet de Vries\n"), "{t:?}");
        assert!(t.contains("a\tb"), "{t:?}");
    }

    #[test]
    fn properties_each_on_a_line_and_mailto_targets() {
        let mut out = String::new();
        let core = r#"<cp:coreProperties xmlns:cp="c" xmlns:dc="d"><dc:creator>Sanne Bakker</dc:creator><cp:lastModifiedBy>Kees Smit</cp:lastModifiedBy></cp:coreProperties>"#;
        xml_text(core.as_bytes(), true, &mut out).unwrap();
        assert_eq!(out, "Sanne Bakker\nKees Smit\n");
        let rels = r#"<Relationships><Relationship Id="r1" Target="mailto:kees@example.nl" TargetMode="External"/><Relationship Id="r2" Target="styles.xml"/></Relationships>"#;
        let t = text_of(rels);
        assert_eq!(t, "kees@example.nl\n");
    }

    #[test]
    fn broken_xml_is_an_error_not_a_panic() {
        let mut out = String::new();
        assert!(xml_text(b"<w:p><w:t>Jan</w:p></w:t>", false, &mut out).is_err());
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_never_panic(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..4096)) {
            let mut out = String::new();
            let _ = xml_text(&data, false, &mut out);
            let _ = text(io::Cursor::new(&data), Document::Docx, &Budget::new(super::super::Limits::default()));
        }
    }
}
