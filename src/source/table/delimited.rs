//! CSV and TSV: the delimiter (`,` `;` tab `|`) is sniffed from the first lines, quoted fields
//! may hold delimiters, quotes and line breaks, lines may end in LF, CRLF or CR, and a UTF-8
//! byte order mark is dropped. Whether the first record is a header is decided once, by
//! [`decide_header`], for the scan and the anonymiser alike: a data row is never taken for
//! names (its values would be printed in full as column names).

use super::TableSink;
use crate::detect::column::ColumnNames;
use crate::detect::Engine;
use crate::finding::Confidence;
use crate::ruleset::RuleSet;
use std::collections::HashSet;
use std::io::{self, Cursor, Read};
use std::sync::OnceLock;

/// Bytes looked at to sniff the delimiter and decide the header.
pub const HEAD_LEN: usize = 64 * 1024;

/// Records below the first compared with it.
const LIKENESS_ROWS: usize = 20;

/// Picks the delimiter that splits the sample's lines into the same number (> 1) of fields
/// most consistently, counting only outside quotes.
pub fn sniff_delimiter(sample: &[u8]) -> u8 {
    let sample = sample.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(sample);
    let lines: Vec<&[u8]> = sample
        .split(|&b| b == b'\n' || b == b'\r')
        .filter(|l| !l.is_empty())
        .take(20)
        .collect();
    let mut best = (b',', 0usize);
    for &d in b",;\t|" {
        let counts: Vec<usize> = lines
            .iter()
            .map(|line| {
                let mut quoted = false;
                line.iter()
                    .filter(|&&b| {
                        if b == b'"' {
                            quoted = !quoted;
                        }
                        b == d && !quoted
                    })
                    .count()
            })
            .collect();
        let Some(&first) = counts.first() else {
            continue;
        };
        if first == 0 {
            continue;
        }
        let agreeing = counts.iter().filter(|&&c| c == first).count();
        let score = agreeing * 100 + first;
        if score > best.1 {
            best = (d, score);
        }
    }
    best.0
}

/// The kind of a cell, for comparing the first record with the rows below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Shape {
    Empty,
    Number,
    Date,
    Word,
    Other,
}

fn shape(cell: &[u8]) -> Shape {
    let c = cell.trim_ascii();
    if c.is_empty() {
        return Shape::Empty;
    }
    let digits = c.iter().filter(|b| b.is_ascii_digit()).count();
    let groups: Vec<&[u8]> = c.split(|&b| matches!(b, b'-' | b'/' | b'.')).collect();
    if groups.len() == 3
        && groups
            .iter()
            .all(|g| !g.is_empty() && g.len() <= 4 && g.iter().all(u8::is_ascii_digit))
    {
        return Shape::Date;
    }
    if digits > 0
        && c.iter().all(|b| {
            b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b',' | b' ' | b'(' | b')' | b'%')
        })
    {
        return Shape::Number;
    }
    let first_is_letter = std::str::from_utf8(c)
        .ok()
        .and_then(|t| t.chars().next())
        .is_some_and(char::is_alphabetic);
    if first_is_letter && !c.contains(&b'@') && digits * 2 < c.len() {
        Shape::Word
    } else {
        Shape::Other
    }
}

/// The built-in rules, compiled once, for judging first records the same way everywhere
/// (whatever rules a run selects): `None` if they do not compile.
fn probe() -> Option<&'static (&'static RuleSet, ColumnNames)> {
    static PROBE: OnceLock<Option<(&'static RuleSet, ColumnNames)>> = OnceLock::new();
    PROBE
        .get_or_init(|| {
            let rules = RuleSet::shared_builtin()?;
            Some((rules, ColumnNames::new(rules)))
        })
        .as_ref()
}

/// Is one cell of a first record a value rather than a name: a match of a rule covering most
/// of it, or a capitalised first name or surname that is no known column name?
fn holds_value(
    cell: &[u8],
    engine: &Engine<'_>,
    scratch: &mut crate::detect::Scratch,
    names: &ColumnNames,
) -> bool {
    let c = cell.trim_ascii();
    if c.is_empty() {
        return false;
    }
    let mut found = false;
    engine.scan(scratch, c, 0, c.len(), |h| {
        if (h.end - h.start) * 10 >= c.len() * 6 {
            found = true;
        }
    });
    if found {
        return true;
    }
    let text = String::from_utf8_lossy(c);
    if names.hint(&text).is_some() {
        return false;
    }
    let lex = &engine.rules().lexicons;
    let words: Vec<&[u8]> = c.split(|&b| b == b' ').filter(|w| !w.is_empty()).collect();
    words.len() <= 4
        && words.iter().any(|w| w[0].is_ascii_uppercase())
        && words
            .iter()
            .all(|w| !w[0].is_ascii_uppercase() || lex.is_first_name(w) || lex.is_surname(w))
}

/// Does the first record read as data: a value in a cell, a number or a date, or cells of
/// the same kinds as the rows below it (where those are not all words)?
fn first_is_data(first: &csv::ByteRecord, below: &[csv::ByteRecord]) -> bool {
    if first.iter().all(|f| f.trim_ascii().is_empty()) {
        return true;
    }
    let shapes: Vec<Shape> = first.iter().map(shape).collect();
    if shapes
        .iter()
        .any(|s| matches!(s, Shape::Number | Shape::Date))
        || first
            .iter()
            .any(|f| f.contains(&b'@') || f.trim_ascii().len() > 64)
    {
        return true;
    }
    if let Some((rules, names)) = probe() {
        let engine = Engine::new(rules, Confidence::Medium, false);
        let mut scratch = engine.scratch();
        if first
            .iter()
            .any(|f| holds_value(f, &engine, &mut scratch, names))
        {
            return true;
        }
    }
    if below.is_empty() {
        return false;
    }
    // Per column, the most common kind below; the first record is like the rows when every
    // column agrees and the kinds are not all words (a header of words over text columns
    // cannot be told from data by shape).
    let mut all_like = true;
    let mut informative = false;
    for (j, own) in shapes.iter().enumerate() {
        let mut counts: Vec<(Shape, usize)> = Vec::new();
        for r in below {
            let s = r.get(j).map(shape).unwrap_or(Shape::Empty);
            match counts.iter_mut().find(|(k, _)| *k == s) {
                Some((_, n)) => *n += 1,
                None => counts.push((s, 1)),
            }
        }
        let Some(&(dominant, _)) = counts.iter().max_by_key(|(_, n)| *n) else {
            continue;
        };
        if dominant != Shape::Word && dominant != Shape::Empty {
            informative = true;
        }
        if *own != dominant && dominant != Shape::Empty {
            all_like = false;
        }
    }
    all_like && informative
}

/// Column names from a header record: trimmed, a byte order mark dropped, an empty name
/// becoming `colN`, and duplicates made unique (`name`, `name_2`).
fn header_names(first: &csv::ByteRecord) -> Vec<String> {
    let mut used: HashSet<String> = HashSet::new();
    let mut out = Vec::with_capacity(first.len());
    for (i, f) in first.iter().enumerate() {
        let f = if i == 0 {
            f.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(f)
        } else {
            f
        };
        let base = String::from_utf8_lossy(f).trim().to_string();
        let base = if base.is_empty() {
            format!("col{}", i + 1)
        } else {
            base
        };
        let mut name = base.clone();
        let mut n = 2;
        while !used.insert(name.to_lowercase()) {
            name = format!("{base}_{n}");
            n += 1;
        }
        out.push(name);
    }
    out
}

/// The names of `width` columns without a header: `col1…colN`.
pub fn numbered_columns(width: usize) -> Vec<String> {
    (1..=width).map(|i| format!("col{i}")).collect()
}

/// Decides from the first block of a delimited file whether its first record is a header:
/// `Some(names)` (unique) if it is, `None` if it is data. The one decision for every reader
/// of delimited files (scan, anonymise, verification), made with the built-in rules.
pub fn decide_header(block: &[u8], delimiter: u8) -> Option<Vec<String>> {
    let block = block.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(block);
    let mut rd = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(block);
    let mut records = Vec::new();
    let mut rec = csv::ByteRecord::new();
    while records.len() <= LIKENESS_ROWS {
        match rd.read_byte_record(&mut rec) {
            Ok(true) => records.push(rec.clone()),
            _ => break,
        }
    }
    // The last record may be cut by the end of the block.
    if records.len() > 2 && rd.position().byte() as usize >= block.len() {
        records.pop();
    }
    let (first, below) = records.split_first()?;
    if first_is_data(first, below) {
        None
    } else {
        Some(header_names(first))
    }
}

/// Does the first record look like a header? The same judgement as [`decide_header`], for
/// one record without the rows below it.
pub fn looks_like_header(row: &csv::ByteRecord) -> bool {
    !first_is_data(row, &[])
}

/// Reads CSV/TSV from `reader` as one table named `table`.
///
/// # Errors
/// Read errors and malformed CSV, with the line number.
pub fn read(reader: &mut dyn Read, table: &str, sink: &mut dyn TableSink) -> io::Result<()> {
    let mut head = Vec::with_capacity(HEAD_LEN);
    reader.take(HEAD_LEN as u64).read_to_end(&mut head)?;
    let bom = if head.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let delimiter = sniff_delimiter(&head);
    let header = decide_header(&head, delimiter);
    let input = Cursor::new(&head[bom..]).chain(reader);
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let mut record = csv::ByteRecord::new();
    let to_io = |e: csv::Error| {
        let line = e
            .position()
            .map(|p| format!("line {}: ", p.line()))
            .unwrap_or_default();
        io::Error::new(io::ErrorKind::InvalidData, format!("{line}{e}"))
    };
    if !csv.read_byte_record(&mut record).map_err(to_io)? {
        return Ok(());
    }
    let columns = header
        .clone()
        .unwrap_or_else(|| numbered_columns(record.len()));
    sink.begin(table, &columns);
    let mut keep_going = true;
    if header.is_none() {
        if let Some(p) = record.position() {
            sink.line(p.line());
        }
        let cells: Vec<Option<&[u8]>> = record.iter().map(Some).collect();
        keep_going = sink.row(&cells);
    }
    while keep_going && csv.read_byte_record(&mut record).map_err(to_io)? {
        if let Some(p) = record.position() {
            sink.line(p.line());
        }
        let cells: Vec<Option<&[u8]>> = record.iter().map(Some).collect();
        keep_going = sink.row(&cells);
    }
    sink.end();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::table::CollectedRows as Rows;

    #[test]
    fn sniffs_delimiters_and_reads_quoted_fields() {
        assert_eq!(sniff_delimiter(b"a;b;c\n1;2;3\n"), b';');
        assert_eq!(sniff_delimiter(b"a\tb\n1\t2\n"), b'\t');
        assert_eq!(sniff_delimiter(b"a,b\n\"x, y\",2\n"), b',');
        let mut rows = Rows::default();
        let text = "naam;adres;email\n\"Jan \"\"JJ\"\" Jansen\";\"Kerkstraat 1;\nAmsterdam\";jan@voorbeeld.nl\n";
        read(&mut text.as_bytes(), "t", &mut rows).unwrap();
        assert_eq!(rows.columns, ["naam", "adres", "email"]);
        let first: Vec<&str> = rows.rows[0]
            .iter()
            .map(|c| c.as_deref().unwrap_or(""))
            .collect();
        assert_eq!(
            first,
            [
                "Jan \"JJ\" Jansen",
                "Kerkstraat 1;\nAmsterdam",
                "jan@voorbeeld.nl"
            ]
        );
    }

    #[test]
    fn the_header_decision() {
        let names = |t: &str| decide_header(t.as_bytes(), sniff_delimiter(t.as_bytes()));
        // Words over numbers, codes and addresses: a header.
        assert_eq!(
            names("id;naam;code\n1;Jan;x1y2\n2;Kees;z3q4\n"),
            Some(vec!["id".into(), "naam".into(), "code".into()])
        );
        // Shaped like the rows below it: data.
        assert_eq!(names("abc;x1y2\ndef;z3q4\nghi;k9m8\n"), None);
        // Values of rules, numbers, dates: data.
        assert_eq!(
            names("Jan Jansen,NL91ABNA0417164300\nPiet,NL20INGB0001234567\n"),
            None
        );
        assert_eq!(names("Utrecht,0612345678\nGouda,0687654321\n"), None);
        assert_eq!(names("x,2024-01-05\ny,2024-01-06\n"), None);
        assert_eq!(names("Sanne,Utrecht\n"), None);
        // Duplicates and empty names made unique, a BOM dropped.
        assert_eq!(
            names("\u{feff}naam,,naam,Naam\nJan,1,2,3\n"),
            Some(vec![
                "naam".into(),
                "col2".into(),
                "naam_2".into(),
                "Naam_3".into()
            ])
        );
        // CR-only line ends.
        assert_eq!(sniff_delimiter(b"a;b\r1;2\r"), b';');
    }

    #[test]
    fn a_first_row_of_data_is_not_a_header() {
        let mut rows = Rows::default();
        read(
            &mut "1,jan@voorbeeld.nl\n2,piet@voorbeeld.nl\n".as_bytes(),
            "t",
            &mut rows,
        )
        .unwrap();
        assert_eq!(rows.columns, ["col1", "col2"]);
        assert_eq!(rows.rows.len(), 2);
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::source::table::CollectedRows as Rows;
    use proptest::prelude::*;

    /// Writes rows as CSV with the csv crate (quoting what needs quoting).
    fn write_csv(header: Option<&[String]>, rows: &[Vec<String>]) -> Vec<u8> {
        let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
        if let Some(h) = header {
            w.write_record(h).unwrap();
        }
        for r in rows {
            w.write_record(r).unwrap();
        }
        w.into_inner().unwrap()
    }

    fn grid() -> impl Strategy<Value = Vec<Vec<String>>> {
        (2usize..6).prop_flat_map(|width| {
            prop::collection::vec(
                prop::collection::vec("[a-z0-9 ,\"\n\r]{0,10}", width - 1),
                1..30,
            )
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(150))]

        /// Generated CSV, with or without a header: every cell at its column and row, and a
        /// first record of data never taken for names.
        #[test]
        fn every_cell_at_its_column_and_row(data in grid(), with_header: bool) {
            // The first column numbers the rows, as exports do.
            let rows: Vec<Vec<String>> = data
                .iter()
                .enumerate()
                .map(|(i, r)| std::iter::once((i + 1).to_string()).chain(r.iter().cloned()).collect())
                .collect();
            let width = rows[0].len();
            let names: Vec<String> = (0..width).map(|i| format!("veld_{}", (b'a' + i as u8) as char)).collect();
            let text = write_csv(with_header.then_some(&names[..]), &rows);
            let mut got = Rows::default();
            read(&mut text.as_slice(), "t", &mut got).unwrap();
            if with_header {
                prop_assert_eq!(&got.columns, &names);
            } else {
                prop_assert_eq!(got.columns, numbered_columns(width));
            }
            prop_assert_eq!(got.rows.len(), rows.len());
            for (want, have) in rows.iter().zip(&got.rows) {
                let have: Vec<String> = have.iter().map(|c| c.clone().unwrap_or_default()).collect();
                prop_assert_eq!(want, &have);
            }
        }

        /// Arbitrary bytes never panic the sniffer, the header decision or the reader.
        #[test]
        fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..800)) {
            let d = sniff_delimiter(&data);
            let _ = decide_header(&data, d);
            let _ = read(&mut data.as_slice(), "t", &mut Rows::default());
        }
    }
}
