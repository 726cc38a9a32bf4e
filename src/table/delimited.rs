//! CSV and TSV: the delimiter (`,` `;` tab `|`) is sniffed from the first lines, quoted fields
//! may hold delimiters, quotes and line breaks, and the first row is taken as a header when
//! it looks like one (no empty, numeric or duplicate names).

use super::TableSink;
use std::io::{self, BufRead, BufReader, Read};

/// Picks the delimiter that splits the sample's lines into the same number (> 1) of fields
/// most consistently, counting only outside quotes.
pub fn sniff_delimiter(sample: &[u8]) -> u8 {
    let lines: Vec<&[u8]> = sample
        .split(|&b| b == b'\n')
        .take(20)
        .filter(|l| !l.is_empty())
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

/// Does the first record look like a header (distinct, non-numeric names)?
pub fn looks_like_header(row: &csv::ByteRecord) -> bool {
    let mut seen = std::collections::HashSet::new();
    row.iter().all(|f| {
        let f = std::str::from_utf8(f).unwrap_or("").trim();
        !f.is_empty()
            && f.len() <= 64
            && f.parse::<f64>().is_err()
            && !f.contains('@')
            && seen.insert(f.to_ascii_lowercase())
    })
}

/// Reads CSV/TSV from `reader` as one table named `table`.
///
/// # Errors
/// Read errors and malformed CSV, with the line number.
pub fn read(reader: &mut dyn Read, table: &str, sink: &mut dyn TableSink) -> io::Result<()> {
    let mut buffered = BufReader::with_capacity(256 * 1024, reader);
    let delimiter = sniff_delimiter(buffered.fill_buf()?);
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(buffered);
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
    let header = looks_like_header(&record);
    let columns: Vec<String> = if header {
        record
            .iter()
            .map(|f| String::from_utf8_lossy(f).trim().to_string())
            .collect()
    } else {
        (1..=record.len()).map(|i| format!("col{i}")).collect()
    };
    sink.begin(table, &columns);
    let mut keep_going = true;
    if !header {
        let cells: Vec<Option<&[u8]>> = record.iter().map(Some).collect();
        keep_going = sink.row(&cells);
    }
    while keep_going && csv.read_byte_record(&mut record).map_err(to_io)? {
        let cells: Vec<Option<&[u8]>> = record.iter().map(Some).collect();
        keep_going = sink.row(&cells);
    }
    sink.end();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::CollectedRows as Rows;

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
