//! Excel and OpenDocument workbooks (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`) through
//! calamine: each sheet is a table; the first row is the header when it looks like one. The
//! sheet and defined names, comments and document properties follow as small tables named
//! after their parts ([`workbook_meta`]).

use super::{workbook_meta, TableSink};
use calamine::{open_workbook_auto, Data, Reader, Sheets};
use std::io;
use std::path::Path;

/// The text of a cell as the scan reads it (and the anonymiser transforms it): `None` for an
/// empty or error cell, whole numbers without `.0` (phone numbers and ids are often stored
/// as numbers: 612345678, not 612345678.0), dates and times in ISO form (`1985-03-12`,
/// `2024-05-01 12:30:00`, `12:30:00`) rather than Excel's day count.
pub fn cell_text(cell: &Data) -> Option<String> {
    match cell {
        Data::Empty | Data::Error(_) => None,
        Data::String(s) => Some(s.clone()),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e17 => Some(format!("{}", *f as i64)),
        Data::DateTime(d) if d.is_datetime() => Some(iso_datetime(d)),
        other => Some(other.to_string()),
    }
}

/// An Excel date, time or date and time in ISO form: the date alone when it has no time, the
/// time alone when it has no date (a day count below 1), milliseconds only when there are.
pub fn iso_datetime(d: &calamine::ExcelDateTime) -> String {
    let (y, mo, day, h, mi, s, ms) = d.to_ymd_hms_milli();
    let time = if ms > 0 {
        format!("{h:02}:{mi:02}:{s:02}.{ms:03}")
    } else {
        format!("{h:02}:{mi:02}:{s:02}")
    };
    let v = d.as_f64();
    if (0.0..1.0).contains(&v) {
        time
    } else if (h, mi, s, ms) == (0, 0, 0, 0) {
        format!("{y:04}-{mo:02}-{day:02}")
    } else {
        format!("{y:04}-{mo:02}-{day:02} {time}")
    }
}

/// Does the first row of a sheet look like a header: short, unique texts, no e-mail address?
pub fn is_header(row: &[Data]) -> bool {
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

/// The column names of a sheet and whether its first row is their header (`col1…` when the
/// first row is data); `None` for a sheet without cells.
pub fn columns(range: &calamine::Range<Data>) -> Option<(Vec<String>, bool)> {
    let first = range.rows().next()?;
    if is_header(first) {
        let names = first
            .iter()
            .map(|c| cell_text(c).unwrap_or_default().trim().to_string())
            .collect();
        Some((names, true))
    } else {
        Some((
            (1..=range.width()).map(|i| format!("col{i}")).collect(),
            false,
        ))
    }
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
        let Some((columns, header)) = columns(&range) else {
            continue;
        };
        let mut rows = range.rows();
        if header {
            rows.next();
        }
        sink.begin(&sheet, &columns);
        sink.total_rows((range.height() - usize::from(header)) as u64);
        for (n, row) in rows.enumerate() {
            if limit > 0 && n as u64 >= limit {
                break;
            }
            let values: Vec<Option<String>> = row.iter().map(cell_text).collect();
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

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{ExcelDateTime, ExcelDateTimeType};

    fn dt(v: f64) -> Data {
        Data::DateTime(ExcelDateTime::new(v, ExcelDateTimeType::DateTime, false))
    }

    #[test]
    fn dates_are_read_in_iso_form_not_as_day_counts() {
        assert_eq!(cell_text(&dt(31_118.0)).as_deref(), Some("1985-03-12"));
        assert_eq!(
            cell_text(&dt(45_413.395_833_333_336)).as_deref(),
            Some("2024-05-01 09:30:00")
        );
        assert_eq!(cell_text(&dt(0.5)).as_deref(), Some("12:00:00"));
        let duration = Data::DateTime(ExcelDateTime::new(1.5, ExcelDateTimeType::TimeDelta, false));
        assert_eq!(cell_text(&duration).as_deref(), Some("1.5"));
        assert_eq!(
            cell_text(&Data::Float(612_345_678.0)).as_deref(),
            Some("612345678")
        );
    }
}
