//! Excel and OpenDocument workbooks (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`), read through
//! calamine as the scan reads them and written as one XLSX workbook (rust_xlsxwriter): every
//! sheet in its order, under its name, hidden sheets hidden, each cell at its place. A sheet is
//! a table named after the sheet (policy names `Sheet.column`), its first row the header when
//! the scan takes it for one. Cells without a transform keep their type (numbers, booleans,
//! dates and times, durations); a transformed cell is written as a number, boolean or date
//! when its new text still is one and its old cell was one (a shifted date stays a date), and
//! as text otherwise (a token). Formulas are written as the values they had, and formatting,
//! comments, merged cells, charts and macros are not carried over: the report says so.

use super::delimited::TableOutcome;
use super::plan::{Detection, TablePlan};
use super::policy::Policy;
use crate::source::table::workbook::{cell_text, columns};
use calamine::{open_workbook_auto, Data, Reader, SheetVisible};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use std::io::Write;
use std::path::Path;

/// Is `name` a workbook written in another format than XLSX (`.xls`, `.xlsb`, `.xlsm`,
/// `.ods`)? Its output is an `.xlsx` (a `.xlsm`'s macros are not carried over).
pub fn written_elsewhere(name: &Path) -> bool {
    name.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["xls", "xlsb", "xlsm", "ods"].contains(&e.to_ascii_lowercase().as_str()))
}

/// Is `name` a workbook by its extension (as the scan decides)?
pub fn is_workbook_name(name: &Path) -> bool {
    written_elsewhere(name)
        || name
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
}

/// The most rows and columns of an XLSX sheet.
const MAX_ROWS: u32 = 1_048_576;
const MAX_COLUMNS: u16 = 16_384;

/// The number formats a date, a date and time, a time and a duration are written with.
struct Formats {
    date: Format,
    datetime: Format,
    time: Format,
    duration: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            date: Format::new().set_num_format("yyyy-mm-dd"),
            datetime: Format::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
            time: Format::new().set_num_format("hh:mm:ss"),
            duration: Format::new().set_num_format("[h]:mm:ss"),
        }
    }
}

/// What one cell is written as.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    /// Year, month, day, hour, minute, second, millisecond; `date`/`time` say which parts
    /// the cell shows.
    DateTime {
        parts: (u16, u8, u8, u8, u8, u8, u16),
        date: bool,
        time: bool,
    },
    /// A duration in days (Excel's unit).
    Duration(f64),
}

/// Numbers beyond 2^53 lose digits as an Excel number: they are written as text.
const EXACT: f64 = 9_007_199_254_740_992.0;

/// A cell as read, to be written unchanged.
fn as_read(d: &Data) -> Cell {
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Float(f) => Cell::Number(*f),
        #[allow(clippy::cast_precision_loss)]
        Data::Int(i) if (*i as f64).abs() <= EXACT => Cell::Number(*i as f64),
        Data::Int(i) => Cell::Text(i.to_string()),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(e) if e.is_duration() => Cell::Duration(e.as_f64()),
        Data::DateTime(e) => {
            let parts = e.to_ymd_hms_milli();
            let v = e.as_f64();
            Cell::DateTime {
                parts,
                date: v >= 1.0,
                time: v.fract() != 0.0 || v < 1.0,
            }
        }
        Data::DateTimeIso(s) => parse_iso(s).unwrap_or_else(|| Cell::Text(s.clone())),
        Data::DurationIso(s) => parse_duration(s).unwrap_or_else(|| Cell::Text(s.clone())),
        // An error value (`#DIV/0!`) is written as its text.
        Data::Error(e) => Cell::Text(e.to_string()),
    }
}

/// `2024-05-01`, `2024-05-01 12:30:00`, `2024-05-01T12:30:00(.fff)`, `12:30:00`.
fn parse_iso(s: &str) -> Option<Cell> {
    use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
    let s = s.trim();
    let ms = |t: &NaiveTime| u16::try_from(t.nanosecond() / 1_000_000).unwrap_or(0);
    let date_parts = |d: &NaiveDate| -> Option<(u16, u8, u8)> {
        Some((
            u16::try_from(d.year()).ok()?,
            u8::try_from(d.month()).ok()?,
            u8::try_from(d.day()).ok()?,
        ))
    };
    let time_parts = |t: &NaiveTime| -> Option<(u8, u8, u8, u16)> {
        Some((
            u8::try_from(t.hour()).ok()?,
            u8::try_from(t.minute()).ok()?,
            u8::try_from(t.second()).ok()?,
            ms(t),
        ))
    };
    for f in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, f) {
            let (y, mo, d) = date_parts(&dt.date())?;
            let (h, mi, se, ms) = time_parts(&dt.time())?;
            return Some(Cell::DateTime {
                parts: (y, mo, d, h, mi, se, ms),
                date: true,
                time: true,
            });
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        let (y, mo, d) = date_parts(&d)?;
        return Some(Cell::DateTime {
            parts: (y, mo, d, 0, 0, 0, 0),
            date: true,
            time: false,
        });
    }
    if let Ok(t) = NaiveTime::parse_from_str(s, "%H:%M:%S%.f") {
        let (h, mi, se, ms) = time_parts(&t)?;
        return Some(Cell::DateTime {
            parts: (1900, 1, 1, h, mi, se, ms),
            date: false,
            time: true,
        });
    }
    None
}

/// An ISO 8601 duration as OpenDocument writes it (`PT12H30M15S`, `P1DT2H`), in days.
fn parse_duration(s: &str) -> Option<Cell> {
    let rest = s.trim().strip_prefix('P')?;
    let (days, time) = match rest.split_once('T') {
        Some((d, t)) => (d, t),
        None => (rest, ""),
    };
    let mut total = 0.0f64;
    let mut take = |part: &str, units: &[(char, f64)]| -> Option<()> {
        let mut number = String::new();
        for c in part.chars() {
            if c.is_ascii_digit() || c == '.' || c == ',' {
                number.push(if c == ',' { '.' } else { c });
            } else {
                let (_, scale) = units.iter().find(|(u, _)| *u == c)?;
                total += number.parse::<f64>().ok()? * scale;
                number.clear();
            }
        }
        number.is_empty().then_some(())
    };
    take(days, &[('D', 1.0), ('W', 7.0)])?;
    take(
        time,
        &[
            ('H', 1.0 / 24.0),
            ('M', 1.0 / 1440.0),
            ('S', 1.0 / 86_400.0),
        ],
    )?;
    Some(Cell::Duration(total))
}

/// What a transformed cell is written as: its old type when the new text still is one (a
/// number stays a number, a shifted date a date), text otherwise.
fn transformed(original: &Data, new: &str) -> Cell {
    match original {
        Data::Float(_) | Data::Int(_) => match new.trim().parse::<f64>() {
            Ok(f) if f.is_finite() && f.abs() <= EXACT => Cell::Number(f),
            _ => Cell::Text(new.to_string()),
        },
        Data::Bool(_) => match new {
            "true" | "TRUE" => Cell::Bool(true),
            "false" | "FALSE" => Cell::Bool(false),
            _ => Cell::Text(new.to_string()),
        },
        Data::DateTime(e) if e.is_datetime() => {
            parse_iso(new).unwrap_or_else(|| Cell::Text(new.to_string()))
        }
        Data::DateTimeIso(_) => parse_iso(new).unwrap_or_else(|| Cell::Text(new.to_string())),
        _ => Cell::Text(new.to_string()),
    }
}

fn write_cell(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    cell: &Cell,
    formats: &Formats,
) -> Result<(), XlsxError> {
    match cell {
        Cell::Empty => {}
        Cell::Text(s) => {
            ws.write_string(row, col, s)?;
        }
        Cell::Number(n) => {
            ws.write_number(row, col, *n)?;
        }
        Cell::Bool(b) => {
            ws.write_boolean(row, col, *b)?;
        }
        Cell::Duration(days) => {
            ws.write_number_with_format(row, col, *days, &formats.duration)?;
        }
        Cell::DateTime { parts, date, time } => {
            let (y, mo, d, h, mi, s, ms) = *parts;
            let (value, format) = match (date, time) {
                (true, false) => (ExcelDateTime::from_ymd(y, mo, d)?, &formats.date),
                (false, _) => (
                    ExcelDateTime::from_hms_milli(u16::from(h), mi, s, ms)?,
                    &formats.time,
                ),
                (true, true) => (
                    ExcelDateTime::from_ymd(y, mo, d)?.and_hms_milli(u16::from(h), mi, s, ms)?,
                    &formats.datetime,
                ),
            };
            ws.write_datetime_with_format(row, col, value, format)?;
        }
    }
    Ok(())
}

/// Rewrites a workbook into `out` as XLSX. Returns a table outcome per sheet with cells, and
/// notes on what the XLSX does not carry over.
///
/// # Errors
/// The workbook cannot be read; a cell fails with `on_invalid = "fail"`; a sheet name, cell
/// or size that XLSX does not allow (the message names the sheet, row and column).
pub fn rewrite(
    input: &Path,
    out: &mut (dyn Write + Send),
    policy: &Policy,
    found: &Detection,
) -> crate::Result<(Vec<TableOutcome>, Vec<String>)> {
    let mut book = open_workbook_auto(input)
        .map_err(|e| crate::Error::Usage(format!("{}: {e}", input.display())))?;
    let sheets: Vec<(String, bool)> = book
        .sheets_metadata()
        .iter()
        .map(|s| (s.name.clone(), s.visible != SheetVisible::Visible))
        .collect();
    let formats = Formats::new();
    let mut workbook = Workbook::new();
    let mut outcomes = Vec::new();
    let mut formulas = 0u64;
    for (sheet, hidden) in &sheets {
        let at = |row: Option<u64>, col: Option<&str>, e: &dyn std::fmt::Display| {
            let mut place = format!("sheet {sheet}");
            if let Some(r) = row {
                place.push_str(&format!(", row {r}"));
            }
            if let Some(c) = col {
                place.push_str(&format!(", column {c}"));
            }
            crate::Error::Usage(format!("{place}: {e}"))
        };
        let range = book
            .worksheet_range(sheet)
            .map_err(|e| at(None, None, &e))?;
        if let Ok(f) = book.worksheet_formula(sheet) {
            formulas += f.used_cells().filter(|(_, _, s)| !s.is_empty()).count() as u64;
        }
        let ws = workbook.add_worksheet();
        ws.set_name(sheet.as_str()).map_err(|e| {
            at(
                None,
                None,
                &format!("not a name an XLSX sheet can have ({e})"),
            )
        })?;
        if *hidden {
            ws.set_hidden(true);
        }
        let Some((names, header)) = columns(&range) else {
            continue;
        };
        let mut plan = TablePlan::new(policy, sheet, &names, found)?;
        let kept: Vec<usize> = (0..names.len())
            .filter(|&i| !plan.dropped(policy, i))
            .collect();
        // Cells stay where they were: a sheet that starts at B3 still does.
        let (row0, col0) = range.start().unwrap_or((0, 0));
        let place = |r: usize, c: usize| -> Option<(u32, u16)> {
            let row = row0.checked_add(u32::try_from(r).ok()?)?;
            let col = u16::try_from(col0)
                .ok()?
                .checked_add(u16::try_from(c).ok()?)?;
            (row < MAX_ROWS && col < MAX_COLUMNS).then_some((row, col))
        };
        let mut rows = range.rows().enumerate();
        if header {
            if let Some((_, first)) = rows.next() {
                for (c, &i) in kept.iter().enumerate() {
                    let Some((r, c)) = place(0, c) else {
                        return Err(at(Some(0), None, &"beyond the size of an XLSX sheet"));
                    };
                    let cell = first.get(i).map_or(Cell::Empty, as_read);
                    write_cell(ws, r, c, &cell, &formats)
                        .map_err(|e| at(None, Some(&names[i]), &e))?;
                }
            }
        }
        let mut rows_in = 0u64;
        for (r, row) in rows {
            rows_in += 1;
            // Rows are counted as the scan does: data rows, from 1.
            let n = rows_in;
            let texts: Vec<Option<String>> = row.iter().map(cell_text).collect();
            for (c, &i) in kept.iter().enumerate() {
                let data = row.get(i).unwrap_or(&Data::Empty);
                let cell = if plan.actions[i].is_none() {
                    as_read(data)
                } else {
                    let text = texts.get(i).cloned().flatten();
                    let get = |j: usize| texts.get(j).cloned().flatten();
                    let new = plan
                        .cell(policy, i, text.as_deref(), get)
                        .map_err(|e| at(Some(n), Some(&e.column), &e.why))?;
                    match new {
                        None => Cell::Empty,
                        Some(v) if Some(v.as_ref()) == text.as_deref() => as_read(data),
                        Some(v) => transformed(data, &v),
                    }
                };
                let Some((r, c)) = place(r, c) else {
                    return Err(at(Some(n), None, &"beyond the size of an XLSX sheet"));
                };
                write_cell(ws, r, c, &cell, &formats)
                    .map_err(|e| at(Some(n), Some(&names[i]), &e))?;
            }
        }
        outcomes.push(TableOutcome {
            table: sheet.clone(),
            rows_in,
            rows_out: rows_in,
            columns: plan.into_reports(),
            header,
        });
    }
    workbook
        .save_to_writer(out)
        .map_err(|e| crate::Error::Usage(format!("writing the XLSX: {e}")))?;
    let mut notes = vec![
        "written as XLSX with the values of every sheet: formatting, comments, merged cells, \
         charts and macros are not carried over"
            .to_string(),
    ];
    if formulas > 0 {
        notes.push(format!(
            "{formulas} formula cell(s) were written as the values they had"
        ));
    }
    Ok((outcomes, notes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_texts_are_dates_and_times() {
        assert_eq!(
            parse_iso("2024-05-01"),
            Some(Cell::DateTime {
                parts: (2024, 5, 1, 0, 0, 0, 0),
                date: true,
                time: false
            })
        );
        assert_eq!(
            parse_iso("2024-05-01T12:30:15.250"),
            Some(Cell::DateTime {
                parts: (2024, 5, 1, 12, 30, 15, 250),
                date: true,
                time: true
            })
        );
        assert!(matches!(
            parse_iso("12:30:00"),
            Some(Cell::DateTime { date: false, .. })
        ));
        assert_eq!(parse_iso("01-05-2024"), None);
        assert_eq!(parse_iso("token-ABC"), None);
    }

    #[test]
    fn durations_are_days() {
        assert_eq!(parse_duration("PT12H"), Some(Cell::Duration(0.5)));
        assert_eq!(parse_duration("P1DT6H"), Some(Cell::Duration(1.25)));
        assert_eq!(parse_duration("PT1X"), None);
    }

    #[test]
    fn transformed_cells_keep_their_type_only_when_they_still_are_one() {
        assert_eq!(transformed(&Data::Float(3.0), "40"), Cell::Number(40.0));
        assert_eq!(
            transformed(&Data::Float(612_345_678.0), "K7QX2M"),
            Cell::Text("K7QX2M".into())
        );
        assert_eq!(transformed(&Data::Bool(true), "false"), Cell::Bool(false));
        assert_eq!(
            transformed(&Data::String("12".into()), "13"),
            Cell::Text("13".into()),
            "a text cell stays text"
        );
        let date = Data::DateTime(calamine::ExcelDateTime::new(
            31_120.0,
            calamine::ExcelDateTimeType::DateTime,
            false,
        ));
        assert!(matches!(
            transformed(&date, "1985-03-20"),
            Cell::DateTime {
                date: true,
                time: false,
                ..
            }
        ));
        assert_eq!(transformed(&date, "30-39"), Cell::Text("30-39".into()));
    }
}
