//! Excel and OpenDocument workbooks (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`) through
//! calamine: each sheet is a table; the first row is the header when it looks like one. The
//! sheet and defined names, comments and document properties follow as small tables named
//! after their parts ([`workbook_meta`]).

use super::{workbook_meta, TableSink};
use calamine::{open_workbook_auto, Data, Reader, Sheets};
use std::io;
use std::path::Path;

fn text(cell: &Data) -> Option<String> {
    match cell {
        Data::Empty | Data::Error(_) => None,
        Data::String(s) => Some(s.clone()),
        // Phone numbers and ids are often stored as numbers: 612345678, not 612345678.0.
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e17 => Some(format!("{}", *f as i64)),
        other => Some(other.to_string()),
    }
}

fn is_header(row: &[Data]) -> bool {
    let mut seen = std::collections::HashSet::new();
    !row.is_empty()
        && row.iter().all(|c| match c {
            Data::String(s) => {
                !s.trim().is_empty()
                    && s.len() <= 64
                    && !s.contains('@')
                    && seen.insert(s.to_lowercase())
            }
            _ => false,
        })
}

/// The file-name endings of workbooks.
const EXTENSIONS: [&str; 5] = [".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"];

/// Whether a file name ends like a workbook's (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`).
pub fn has_workbook_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    EXTENSIONS.iter().any(|e| name.ends_with(e))
}

/// Whether the ZIP file at `path` is a workbook, by its parts: an Excel workbook part
/// (`xl/workbook.xml`, `xl/workbook.bin`) or an OpenDocument spreadsheet's `mimetype`.
pub fn is_zip_workbook(path: &Path) -> bool {
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let Ok(mut zip) = zip::ZipArchive::new(io::BufReader::new(file)) else {
        return false;
    };
    if zip.index_for_name("xl/workbook.xml").is_some()
        || zip.index_for_name("xl/workbook.bin").is_some()
    {
        return true;
    }
    let Ok(mut mime) = zip.by_name("mimetype") else {
        return false;
    };
    let mut text = String::new();
    io::Read::read_to_string(&mut io::Read::take(&mut mime, 256), &mut text).is_ok()
        && text.trim() == "application/vnd.oasis.opendocument.spreadsheet"
}

/// Reads every sheet (at most `limit` data rows each; 0: all).
///
/// # Errors
/// The file is not a readable workbook.
pub fn read(path: &Path, limit: u64, sink: &mut dyn TableSink) -> io::Result<()> {
    let bad = |e: String| io::Error::new(io::ErrorKind::InvalidData, e);
    let mut book = open_workbook_auto(path).map_err(|e| bad(e.to_string()))?;
    // Where the names are kept, and whether comments and properties are XML parts of a ZIP.
    let (names_part, zipped) = match &book {
        Sheets::Xlsx(_) => ("xl/workbook.xml", true),
        Sheets::Xlsb(_) => ("xl/workbook.bin", true),
        Sheets::Ods(_) => ("content.xml", true),
        Sheets::Xls(_) => ("Workbook", false),
    };
    let defined = book.defined_names().to_vec();
    for sheet in book.sheet_names() {
        let range = book
            .worksheet_range(&sheet)
            .map_err(|e| bad(format!("sheet {sheet}: {e}")))?;
        let mut rows = range.rows().peekable();
        let Some(first) = rows.peek() else { continue };
        let header = is_header(first);
        let width = range.width();
        let columns: Vec<String> = if header {
            let names = first
                .iter()
                .map(|c| text(c).unwrap_or_default().trim().to_string())
                .collect();
            rows.next();
            names
        } else {
            (1..=width).map(|i| format!("col{i}")).collect()
        };
        sink.begin(&sheet, &columns);
        sink.total_rows((range.height() - usize::from(header)) as u64);
        for (n, row) in rows.enumerate() {
            if limit > 0 && n as u64 >= limit {
                break;
            }
            let values: Vec<Option<String>> = row.iter().map(text).collect();
            let cells: Vec<Option<&[u8]>> = values
                .iter()
                .map(|v| v.as_deref().map(str::as_bytes))
                .collect();
            if !sink.row(&cells) {
                break;
            }
        }
        sink.end();
    }
    workbook_meta::names(names_part, &book.sheet_names(), &defined, sink);
    if zipped {
        if let Err(e) = workbook_meta::read(path, sink) {
            sink.notice(&format!(
                "{e}; the workbook's comments and properties were not all read"
            ));
        }
    }
    Ok(())
}
