//! What a workbook holds besides its cells: comments (notes and threaded comments, with their
//! authors), document properties (`docProps/core.xml` creator, last modified by, title…;
//! `docProps/app.xml` company, manager; `docProps/custom.xml`; an OpenDocument `meta.xml`),
//! the people of threaded comments (`xl/persons/person.xml`), and sheet and defined names.
//! Each is reported as a small table named after the part it comes from, so a finding's
//! location names the part, the property or comment field (column) and the entry (row):
//! `docProps/core.xml` column `creator` row 1, `xl/comments1.xml` column `text` row 2.
//!
//! A comment's cell is given in its `cell` column (`B3`; `Blad1.B3` in OpenDocument).

use super::TableSink;
use crate::source::container::{zip, Budget, Limits};
use quick_xml::events::{BytesStart, Event};
use std::collections::HashMap;
use std::io;
use std::path::Path;

/// The table OpenDocument annotations are reported as (`content.xml` also holds the names).
pub const ODS_ANNOTATIONS: &str = "content.xml:annotations";

/// Core properties that hold no one's words (dates and counters).
const CORE_SKIPPED: [&str; 5] = ["created", "modified", "lastPrinted", "revision", "version"];
/// Extended properties that can name a person or an organisation.
const APP_READ: [&str; 4] = ["Company", "Manager", "HyperlinkBase", "Template"];
/// OpenDocument metadata that holds no one's words.
const ODS_META_SKIPPED: [&str; 6] = [
    "creation-date",
    "date",
    "editing-cycles",
    "editing-duration",
    "generator",
    "document-statistic",
];

/// A small table gathered from one part, reported at once.
struct PartTable {
    name: String,
    columns: Vec<String>,
    rows: Vec<Vec<Option<String>>>,
}

impl PartTable {
    fn new(name: &str, columns: &[&str]) -> Self {
        PartTable {
            name: name.to_string(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    fn emit(&self, sink: &mut dyn TableSink) {
        if self.rows.is_empty() {
            return;
        }
        sink.begin(&self.name, &self.columns);
        for row in &self.rows {
            let cells: Vec<Option<&[u8]>> = row
                .iter()
                .map(|c| c.as_deref().filter(|s| !s.is_empty()).map(str::as_bytes))
                .collect();
            if !sink.row(&cells) {
                break;
            }
        }
        sink.end();
    }
}

/// One row of named values (properties): each name a column, in order of appearance.
fn properties_table(part: &str, pairs: Vec<(String, String)>) -> PartTable {
    let mut table = PartTable::new(part, &[]);
    let mut row = Vec::new();
    for (name, value) in pairs {
        if value.trim().is_empty() {
            continue;
        }
        table.columns.push(name);
        row.push(Some(value));
    }
    if !row.is_empty() {
        table.rows.push(row);
    }
    table
}

fn local(name: &[u8]) -> &[u8] {
    match name.iter().rposition(|&b| b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

fn attr(e: &BytesStart<'_>, name: &[u8], decoder: quick_xml::encoding::Decoder) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| local(a.key.as_ref()) == name)
        .and_then(|a| a.decode_and_unescape_value(decoder).ok())
        .map(|v| v.into_owned())
}

/// The text an event adds (text, CDATA, character and entity references).
fn event_text(event: &Event<'_>) -> Option<String> {
    match event {
        Event::Text(t) => t.decode().ok().map(|s| s.into_owned()),
        Event::CData(t) => t.decode().ok().map(|s| s.into_owned()),
        Event::GeneralRef(r) => match r.resolve_char_ref() {
            Ok(Some(c)) => Some(c.to_string()),
            _ => r
                .decode()
                .ok()
                .and_then(|name| quick_xml::escape::resolve_xml_entity(&name))
                .map(str::to_string),
        },
        _ => None,
    }
}

fn broken(part: &str, e: impl std::fmt::Display) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("the part {part} is broken: {e}"),
    )
}

/// The text of each element directly below the root, as (local name, text). `named` gives an
/// element that has this attribute its value as name instead (custom properties).
fn leaf_properties(
    part: &str,
    xml: &[u8],
    named: Option<&[u8]>,
) -> io::Result<Vec<(String, String)>> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut depth = 0usize;
    let mut current: Option<(String, String)> = None;
    let mut out = Vec::new();
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| broken(part, e))?;
        match &event {
            Event::Start(e) => {
                depth += 1;
                if depth == 2 {
                    let name = named
                        .and_then(|a| attr(e, a, reader.decoder()))
                        .unwrap_or_else(|| {
                            String::from_utf8_lossy(local(e.name().as_ref())).into_owned()
                        });
                    current = Some((name, String::new()));
                }
            }
            Event::End(_) => {
                if depth == 2 {
                    if let Some(done) = current.take() {
                        out.push(done);
                    }
                }
                depth = depth.saturating_sub(1);
            }
            Event::Eof => break,
            other => {
                if let (Some((_, text)), Some(t)) = (current.as_mut(), event_text(other)) {
                    text.push_str(&t);
                }
            }
        }
        buf.clear();
    }
    Ok(out)
}

/// Legacy comments (notes) of an Excel part `xl/commentsN.xml`: cell, author, text.
fn excel_comments(part: &str, xml: &[u8]) -> io::Result<PartTable> {
    let mut table = PartTable::new(part, &["cell", "author", "text"]);
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut authors: Vec<String> = Vec::new();
    let mut in_author: Option<String> = None;
    // (cell, author id, text) of the comment being read.
    let mut comment: Option<(String, Option<usize>, String)> = None;
    let mut in_t = false;
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| broken(part, e))?;
        match &event {
            Event::Start(e) => match local(e.name().as_ref()) {
                b"author" => in_author = Some(String::new()),
                b"comment" => {
                    let cell = attr(e, b"ref", reader.decoder()).unwrap_or_default();
                    let author =
                        attr(e, b"authorId", reader.decoder()).and_then(|a| a.parse().ok());
                    comment = Some((cell, author, String::new()));
                }
                b"t" => in_t = true,
                _ => {}
            },
            Event::End(e) => match local(e.name().as_ref()) {
                b"author" => authors.extend(in_author.take()),
                b"comment" => {
                    if let Some((cell, author, text)) = comment.take() {
                        let author = author.and_then(|i| authors.get(i)).cloned();
                        table.rows.push(vec![Some(cell), author, Some(text)]);
                    }
                }
                b"t" => in_t = false,
                _ => {}
            },
            Event::Eof => break,
            other => {
                if let Some(t) = event_text(other) {
                    if let Some(a) = in_author.as_mut() {
                        a.push_str(&t);
                    } else if let (true, Some((_, _, text))) = (in_t, comment.as_mut()) {
                        text.push_str(&t);
                    }
                }
            }
        }
        buf.clear();
    }
    Ok(table)
}

/// The people of threaded comments (`xl/persons/person.xml`): id → display name, and the
/// table of their names and user ids (often an e-mail address).
fn excel_persons(part: &str, xml: &[u8]) -> io::Result<(HashMap<String, String>, PartTable)> {
    let mut table = PartTable::new(part, &["display_name", "user_id"]);
    let mut ids = HashMap::new();
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| broken(part, e))?;
        match &event {
            Event::Start(e) | Event::Empty(e) if local(e.name().as_ref()) == b"person" => {
                let name = attr(e, b"displayName", reader.decoder());
                if let (Some(id), Some(name)) = (attr(e, b"id", reader.decoder()), &name) {
                    ids.insert(id, name.clone());
                }
                table
                    .rows
                    .push(vec![name, attr(e, b"userId", reader.decoder())]);
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok((ids, table))
}

/// Threaded comments (`xl/threadedComments/threadedCommentN.xml`): cell, author, text.
fn excel_threaded(
    part: &str,
    xml: &[u8],
    persons: &HashMap<String, String>,
) -> io::Result<PartTable> {
    let mut table = PartTable::new(part, &["cell", "author", "text"]);
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut comment: Option<(String, Option<String>, String)> = None;
    let mut in_text = false;
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| broken(part, e))?;
        match &event {
            Event::Start(e) => match local(e.name().as_ref()) {
                b"threadedComment" => {
                    let cell = attr(e, b"ref", reader.decoder()).unwrap_or_default();
                    let author = attr(e, b"personId", reader.decoder())
                        .map(|id| persons.get(&id).cloned().unwrap_or(id));
                    comment = Some((cell, author, String::new()));
                }
                b"text" => in_text = true,
                _ => {}
            },
            Event::End(e) => match local(e.name().as_ref()) {
                b"threadedComment" => {
                    if let Some((cell, author, text)) = comment.take() {
                        table.rows.push(vec![Some(cell), author, Some(text)]);
                    }
                }
                b"text" => in_text = false,
                _ => {}
            },
            Event::Eof => break,
            other => {
                if let (true, Some((_, _, text)), Some(t)) =
                    (in_text, comment.as_mut(), event_text(other))
                {
                    text.push_str(&t);
                }
            }
        }
        buf.clear();
    }
    Ok(table)
}

/// A column's letters: 0 → `A`, 26 → `AA`.
fn column_letters(mut col: u64) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    out.reverse();
    String::from_utf8_lossy(&out).into_owned()
}

/// The annotations of an OpenDocument spreadsheet's `content.xml`: cell (`Blad1.B3`), author,
/// text. Cells are counted through repeated rows and columns.
fn ods_annotations(xml: &[u8]) -> io::Result<PartTable> {
    let part = "content.xml";
    let mut table = PartTable::new(ODS_ANNOTATIONS, &["cell", "author", "text"]);
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let repeat = |e: &BytesStart<'_>, name: &[u8], d| {
        attr(e, name, d)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(1)
            .max(1)
    };
    let (mut sheet, mut row, mut col) = (String::new(), 0u64, 0u64);
    let (mut row_repeat, mut cell_repeat) = (1u64, 1u64);
    // (cell, author, text) of the annotation being read, and where its text goes.
    let mut note: Option<(String, String, String)> = None;
    let (mut in_creator, mut paragraphs) = (false, 0usize);
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| broken(part, e))?;
        match &event {
            Event::Start(e) | Event::Empty(e) => {
                let empty = matches!(event, Event::Empty(_));
                match e.name().as_ref() {
                    b"table:table" => {
                        sheet = attr(e, b"name", reader.decoder()).unwrap_or_default();
                        row = 0;
                    }
                    b"table:table-row" => {
                        row_repeat = repeat(e, b"number-rows-repeated", reader.decoder());
                        col = 0;
                        if empty {
                            row += row_repeat;
                        }
                    }
                    b"table:table-cell" | b"table:covered-table-cell" => {
                        cell_repeat = repeat(e, b"number-columns-repeated", reader.decoder());
                        if empty {
                            col += cell_repeat;
                        }
                    }
                    b"office:annotation" if !empty => {
                        let cell = format!("{sheet}.{}{}", column_letters(col), row + 1);
                        note = Some((cell, String::new(), String::new()));
                        paragraphs = 0;
                    }
                    b"dc:creator" if note.is_some() && !empty => in_creator = true,
                    b"text:p" if note.is_some() => {
                        if paragraphs > 0 {
                            if let Some((_, _, text)) = note.as_mut() {
                                text.push('\n');
                            }
                        }
                        paragraphs += 1;
                    }
                    b"text:s" | b"text:tab" | b"text:line-break" => {
                        if let Some((_, _, text)) = note.as_mut() {
                            text.push(' ');
                        }
                    }
                    _ => {}
                }
            }
            Event::End(e) => match e.name().as_ref() {
                b"table:table-row" => row += row_repeat,
                b"table:table-cell" | b"table:covered-table-cell" => col += cell_repeat,
                b"office:annotation" => {
                    if let Some((cell, author, text)) = note.take() {
                        table.rows.push(vec![Some(cell), Some(author), Some(text)]);
                    }
                }
                b"dc:creator" => in_creator = false,
                _ => {}
            },
            Event::Eof => break,
            other => {
                if let (Some((_, author, text)), Some(t)) = (note.as_mut(), event_text(other)) {
                    if in_creator {
                        author.push_str(&t);
                    } else if paragraphs > 0 {
                        text.push_str(&t);
                    }
                }
            }
        }
        buf.clear();
    }
    Ok(table)
}

/// Whether a part of an Excel or OpenDocument workbook is read here.
fn wanted(name: &str) -> bool {
    matches!(
        name,
        "docProps/core.xml"
            | "docProps/app.xml"
            | "docProps/custom.xml"
            | "xl/persons/person.xml"
            | "meta.xml"
            | "content.xml"
    ) || (name.starts_with("xl/comments") && name.ends_with(".xml"))
        || (name.starts_with("xl/threadedComments/") && name.ends_with(".xml"))
}

/// Reads the comments, properties and people of the ZIP-based workbook at `path` (`.xlsx`,
/// `.xlsm`, `.xlsb`, `.ods`) into `sink`, one table per part. Parts this build cannot read
/// (an `.xlsb` workbook's binary comments) are named through [`TableSink::notice`].
///
/// # Errors
/// The workbook is no readable ZIP, or a part is broken (the parts before it are reported).
pub fn read(path: &Path, sink: &mut dyn TableSink) -> io::Result<()> {
    let budget = Budget::new(Limits::default());
    let file = io::BufReader::new(std::fs::File::open(path)?);
    let binary_comments: Vec<String> = {
        let archive = ::zip::ZipArchive::new(io::BufReader::new(std::fs::File::open(path)?))
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
        archive
            .file_names()
            .filter(|n| n.starts_with("xl/comments") && n.ends_with(".bin"))
            .map(str::to_string)
            .collect()
    };
    for part in &binary_comments {
        sink.notice(&format!(
            "the comments of this .xlsb workbook ({part}) are in a binary part that is not \
             read; save it as .xlsx to scan them"
        ));
    }
    let mut parts = zip::parts(file, &budget, &wanted)?;
    // People first: threaded comments name their authors by id.
    parts.sort_by_key(|(name, _)| name != "xl/persons/person.xml");
    let mut persons = HashMap::new();
    for (name, xml) in &parts {
        let table = match name.as_str() {
            "docProps/core.xml" => {
                let mut props = leaf_properties(name, xml, None)?;
                props.retain(|(k, _)| !CORE_SKIPPED.contains(&k.as_str()));
                properties_table(name, props)
            }
            "docProps/app.xml" => {
                let mut props = leaf_properties(name, xml, None)?;
                props.retain(|(k, _)| APP_READ.contains(&k.as_str()));
                properties_table(name, props)
            }
            "docProps/custom.xml" => {
                properties_table(name, leaf_properties(name, xml, Some(b"name"))?)
            }
            "meta.xml" => {
                // office:document-meta > office:meta > properties: one level deeper.
                let mut props = leaf_properties(name, &meta_body(xml), Some(b"name"))?;
                props.retain(|(k, _)| !ODS_META_SKIPPED.contains(&k.as_str()));
                properties_table(name, props)
            }
            "content.xml" => ods_annotations(xml)?,
            "xl/persons/person.xml" => {
                let (ids, table) = excel_persons(name, xml)?;
                persons = ids;
                table
            }
            n if n.starts_with("xl/threadedComments/") => excel_threaded(name, xml, &persons)?,
            _ => excel_comments(name, xml)?,
        };
        table.emit(sink);
    }
    Ok(())
}

/// The `office:meta` element of an OpenDocument `meta.xml`, so that its children (the
/// properties) are the ones [`leaf_properties`] reads.
fn meta_body(xml: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(xml);
    let Some(start) = text.find("<office:meta") else {
        return Vec::new();
    };
    let end = text
        .rfind("</office:meta>")
        .map_or(text.len(), |e| e + "</office:meta>".len());
    text[start..end].as_bytes().to_vec()
}

/// The sheet and defined names of a workbook, as a table named after the part that holds
/// them (`part`): a `sheet` column, and `defined_name` with `refers_to` (a defined name's
/// formula or constant, which can hold a value).
pub fn names(
    part: &str,
    sheets: &[String],
    defined: &[(String, String)],
    sink: &mut dyn TableSink,
) {
    let mut table = PartTable::new(part, &["sheet", "defined_name", "refers_to"]);
    for s in sheets {
        table.rows.push(vec![Some(s.clone()), None, None]);
    }
    for (name, formula) in defined {
        table
            .rows
            .push(vec![None, Some(name.clone()), Some(formula.clone())]);
    }
    table.emit(sink);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::table::CollectedRows;

    #[test]
    fn column_letters_count_like_a_spreadsheet() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(27), "AB");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }

    #[test]
    fn comments_keep_their_cell_author_and_text() {
        let xml = br#"<comments xmlns="x"><authors><author>Jan de Vries</author><author>Kees</author></authors>
            <commentList><comment ref="B3" authorId="0"><text><r><rPr><b/></rPr><t>Jan de Vries:</t></r><r><t xml:space="preserve">
bel 06&#45;12345678</t></r></text></comment>
            <comment ref="C1" authorId="1"><text><t>ok &amp; klaar</t></text></comment></commentList></comments>"#;
        let t = excel_comments("xl/comments1.xml", xml).unwrap();
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0][0].as_deref(), Some("B3"));
        assert_eq!(t.rows[0][1].as_deref(), Some("Jan de Vries"));
        assert_eq!(
            t.rows[0][2].as_deref(),
            Some("Jan de Vries:\nbel 06-12345678")
        );
        assert_eq!(t.rows[1][2].as_deref(), Some("ok & klaar"));
    }

    #[test]
    fn annotations_are_placed_through_repeated_rows_and_cells() {
        let xml = br#"<office:document-content><office:body><office:spreadsheet>
            <table:table table:name="Leden">
              <table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="3"/></table:table-row>
              <table:table-row><table:table-cell/><table:table-cell office:value-type="string"><office:annotation><dc:creator>Sanne Bakker</dc:creator><dc:date>2024-01-01</dc:date><text:p>regel een</text:p><text:p>sanne@voorbeeld.nl</text:p></office:annotation><text:p>x</text:p></table:table-cell></table:table-row>
            </table:table>
            <table:table table:name="Tweede"><table:table-row><table:table-cell table:number-columns-repeated="27"/><table:table-cell><office:annotation><text:p>hier</text:p></office:annotation></table:table-cell></table:table-row></table:table>
            </office:spreadsheet></office:body></office:document-content>"#;
        let t = ods_annotations(xml).unwrap();
        let rows: Vec<Vec<Option<&str>>> = t
            .rows
            .iter()
            .map(|r| r.iter().map(Option::as_deref).collect())
            .collect();
        assert_eq!(
            rows,
            vec![
                vec![
                    Some("Leden.B3"),
                    Some("Sanne Bakker"),
                    Some("regel een\nsanne@voorbeeld.nl")
                ],
                vec![Some("Tweede.AB1"), Some(""), Some("hier")],
            ]
        );
    }

    #[test]
    fn properties_are_one_row_of_named_columns() {
        let core = br#"<cp:coreProperties xmlns:cp="c" xmlns:dc="d" xmlns:dcterms="t"><dc:title>Klanten</dc:title><dc:creator>Sanne Bakker</dc:creator><cp:lastModifiedBy>Kees Smit</cp:lastModifiedBy><dcterms:created>2024-01-01T00:00:00Z</dcterms:created></cp:coreProperties>"#;
        let mut props = leaf_properties("docProps/core.xml", core, None).unwrap();
        props.retain(|(k, _)| !CORE_SKIPPED.contains(&k.as_str()));
        let mut sink = CollectedRows::default();
        properties_table("docProps/core.xml", props).emit(&mut sink);
        assert_eq!(sink.columns, ["title", "creator", "lastModifiedBy"]);
        assert_eq!(
            sink.rows,
            vec![vec![
                Some("Klanten".to_string()),
                Some("Sanne Bakker".to_string()),
                Some("Kees Smit".to_string())
            ]]
        );
        let custom = br#"<Properties><property fmtid="{x}" pid="2" name="Klantnaam"><vt:lpwstr>Jan Jansen</vt:lpwstr></property></Properties>"#;
        let props = leaf_properties("docProps/custom.xml", custom, Some(b"name")).unwrap();
        assert_eq!(
            props,
            vec![("Klantnaam".to_string(), "Jan Jansen".to_string())]
        );
        let meta = br#"<office:document-meta><office:meta><meta:initial-creator>Ann Peeters</meta:initial-creator><meta:generator>LibreOffice</meta:generator><meta:user-defined meta:name="Dossier">ann@voorbeeld.be</meta:user-defined></office:meta></office:document-meta>"#;
        let props = leaf_properties("meta.xml", &meta_body(meta), Some(b"name")).unwrap();
        assert_eq!(
            props,
            vec![
                ("initial-creator".to_string(), "Ann Peeters".to_string()),
                ("generator".to_string(), "LibreOffice".to_string()),
                ("Dossier".to_string(), "ann@voorbeeld.be".to_string())
            ]
        );
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_never_panic(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2048)) {
            let _ = excel_comments("p", &data);
            let _ = excel_threaded("p", &data, &HashMap::new());
            let _ = excel_persons("p", &data);
            let _ = ods_annotations(&data);
            let _ = leaf_properties("p", &data, None);
            let _ = meta_body(&data);
        }
    }
}
