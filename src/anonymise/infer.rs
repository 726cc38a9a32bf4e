//! Column types of a CSV converted to Parquet (`--to parquet`): every value of a column is
//! looked at (a pass over the input before the rewrite), and the column gets the narrowest
//! type all its non-empty values have: integer, float, boolean, date, date and time, or text.
//! Empty cells are NULL in a typed column. A number with a leading zero (`0612345678`,
//! `007`) is text: the zero is data. A transformed column is text, unless its method keeps
//! the value's form (a shifted date is still a date).

use chrono::{NaiveDate, NaiveDateTime};

/// The type of one output column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// Text (the input's bytes as they were).
    Text,
    /// 64-bit integers.
    Integer,
    /// 64-bit floating point.
    Float,
    /// `true` / `false`.
    Boolean,
    /// Dates (`2024-05-01`).
    Date,
    /// Dates and times without a zone (`2024-05-01 12:30:00`, `2024-05-01T12:30:00.250`),
    /// in microseconds.
    Datetime,
}

/// What the values of one column seen so far could all be.
#[derive(Debug, Clone, Copy)]
pub struct Inference {
    integer: bool,
    float: bool,
    boolean: bool,
    date: bool,
    datetime: bool,
    values: u64,
}

impl Default for Inference {
    fn default() -> Self {
        Inference {
            integer: true,
            float: true,
            boolean: true,
            date: true,
            datetime: true,
            values: 0,
        }
    }
}

impl Inference {
    /// Looks at one cell (an empty cell is NULL and says nothing; `None` is a cell that is no
    /// UTF-8 text, which only text can hold).
    pub fn see(&mut self, value: Option<&str>) {
        let Some(v) = value else {
            *self = Inference {
                integer: false,
                float: false,
                boolean: false,
                date: false,
                datetime: false,
                values: self.values + 1,
            };
            return;
        };
        if v.is_empty() {
            return;
        }
        self.values += 1;
        self.integer = self.integer && parse_integer(v).is_some();
        self.float = self.float && parse_float(v).is_some();
        self.boolean = self.boolean && parse_boolean(v).is_some();
        self.date = self.date && parse_date(v).is_some();
        self.datetime = self.datetime && parse_datetime(v).is_some();
    }

    /// The narrowest type every value seen has (text for a column without values).
    pub fn result(&self) -> ColumnType {
        match self {
            Inference { values: 0, .. } => ColumnType::Text,
            Inference { integer: true, .. } => ColumnType::Integer,
            Inference { float: true, .. } => ColumnType::Float,
            Inference { boolean: true, .. } => ColumnType::Boolean,
            Inference { date: true, .. } => ColumnType::Date,
            Inference { datetime: true, .. } => ColumnType::Datetime,
            _ => ColumnType::Text,
        }
    }
}

/// Digits with an optional minus, no leading zero (`0` itself is a number), within i64. A
/// plus sign is part of the text (`+31612345678` is a phone number, not 31612345678).
pub fn parse_integer(v: &str) -> Option<i64> {
    let digits = v.strip_prefix('-').unwrap_or(v);
    if digits.is_empty()
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || (digits.len() > 1 && digits.starts_with('0'))
    {
        return None;
    }
    v.parse().ok()
}

/// A decimal number (`12.50`, `-0.5`, `1e3`, `3`): an optional minus, digits without a
/// leading zero before the point (`0.5` has one), an optional fraction and exponent; no
/// `inf`, `NaN`, plus sign or thousands separators. At most 15 significant digits, which a
/// float holds exactly: a 20-digit number is an identifier, kept as text, and so is a whole
/// number beyond the integers.
pub fn parse_float(v: &str) -> Option<f64> {
    let body = v.strip_prefix('-').unwrap_or(v);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || (int.len() > 1 && int.starts_with('0')) {
        return None;
    }
    if frac.is_some_and(|f| !digits(f)) {
        return None;
    }
    if let Some(e) = exponent {
        if !digits(e.strip_prefix(['-', '+']).unwrap_or(e)) {
            return None;
        }
    }
    if frac.is_none() && exponent.is_none() && parse_integer(v).is_none() {
        return None;
    }
    let significant = int.trim_start_matches('0').len()
        + frac.map_or(0, |f| {
            if int.trim_start_matches('0').is_empty() {
                f.trim_start_matches('0').len()
            } else {
                f.len()
            }
        });
    if significant > 15 {
        return None;
    }
    v.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// `true` or `false` (any case).
pub fn parse_boolean(v: &str) -> Option<bool> {
    if v.eq_ignore_ascii_case("true") {
        Some(true)
    } else if v.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}

/// `YYYY-MM-DD`, as days since 1970-01-01.
pub fn parse_date(v: &str) -> Option<i32> {
    if v.len() != 10 {
        return None;
    }
    let d = NaiveDate::parse_from_str(v, "%Y-%m-%d").ok()?;
    i32::try_from((d - epoch()).num_days()).ok()
}

/// `YYYY-MM-DD HH:MM[:SS[.fff]]` (or with `T`), or a date alone (midnight), as microseconds
/// since 1970-01-01 00:00.
pub fn parse_datetime(v: &str) -> Option<i64> {
    let at = if v.len() == 10 {
        NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .ok()?
            .and_hms_opt(0, 0, 0)?
    } else {
        [
            "%Y-%m-%d %H:%M:%S%.f",
            "%Y-%m-%dT%H:%M:%S%.f",
            "%Y-%m-%d %H:%M",
            "%Y-%m-%dT%H:%M",
        ]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(v, f).ok())?
    };
    (at - epoch().and_hms_opt(0, 0, 0)?).num_microseconds()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn infer(values: &[&str]) -> ColumnType {
        let mut i = Inference::default();
        for v in values {
            i.see(Some(v));
        }
        i.result()
    }

    #[test]
    fn each_column_gets_the_narrowest_type_of_all_its_values() {
        assert_eq!(infer(&["1", "-20", "", "300"]), ColumnType::Integer);
        assert_eq!(infer(&["1", "2.5", "1e3"]), ColumnType::Float);
        assert_eq!(infer(&["true", "FALSE", ""]), ColumnType::Boolean);
        assert_eq!(infer(&["2024-05-01", "1985-03-12"]), ColumnType::Date);
        assert_eq!(
            infer(&["2024-05-01 12:30:00", "2024-05-02", "2024-05-03T08:00:00.5"]),
            ColumnType::Datetime
        );
        assert_eq!(infer(&["2024-05-01", "2024-13-01"]), ColumnType::Text);
        assert_eq!(infer(&["12", "twelve"]), ColumnType::Text);
        assert_eq!(infer(&["0612345678", "0687654321"]), ColumnType::Text);
        assert_eq!(infer(&["007", "8"]), ColumnType::Text);
        assert_eq!(infer(&["0", "0.5", "10"]), ColumnType::Float);
        assert_eq!(infer(&["1.234,50"]), ColumnType::Text);
        assert_eq!(infer(&["NaN", "inf"]), ColumnType::Text);
        assert_eq!(infer(&["", ""]), ColumnType::Text);
        assert_eq!(infer(&["99999999999999999999"]), ColumnType::Text);
        assert_eq!(infer(&["0.1234567890123456789"]), ColumnType::Text);
        assert_eq!(infer(&["+31612345678"]), ColumnType::Text);
        assert_eq!(infer(&["-12", "-0.25"]), ColumnType::Float);
        let mut bytes = Inference::default();
        bytes.see(Some("1"));
        bytes.see(None);
        assert_eq!(bytes.result(), ColumnType::Text);
    }

    #[test]
    fn dates_and_times_count_from_1970() {
        assert_eq!(parse_date("1970-01-02"), Some(1));
        assert_eq!(parse_date("1969-12-31"), Some(-1));
        assert_eq!(parse_datetime("1970-01-01 00:00:01.5"), Some(1_500_000));
        assert_eq!(parse_datetime("1970-01-02"), Some(86_400_000_000));
        assert_eq!(parse_datetime("2024-05-01 12:30:00+02:00"), None);
    }
}
