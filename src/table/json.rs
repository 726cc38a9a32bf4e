//! JSON and NDJSON as tables: one row per object, nested objects flattened to dotted paths
//! (`address.city`), arrays of values joined into one cell (`tags[]`). A top-level array is
//! streamed element by element, NDJSON line by line, so a file larger than memory works as
//! long as each object fits. Columns are added as new keys turn up.

use super::{TableSink, MAX_COLUMNS};
use serde::de::{DeserializeSeed, IgnoredAny, SeqAccess, Visitor};
use serde_json::Value;
use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read};

/// Flattens one JSON value into (path, text) pairs, in time linear in its size.
fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, Option<String>)>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&path, child, out);
            }
        }
        Value::Array(items) => {
            let path = format!("{prefix}[]");
            if items.iter().all(|i| !i.is_object() && !i.is_array()) {
                let joined: Vec<String> = items.iter().filter_map(scalar).collect();
                out.push((path, Some(joined.join("; "))));
            } else {
                // The same path in several elements becomes one cell, values joined; found
                // by a map, not a search, so an array of many objects stays linear.
                let mut inner = Vec::new();
                for item in items {
                    flatten(&path, item, &mut inner);
                }
                let mut merged: Vec<(String, Option<String>)> = Vec::new();
                let mut at: HashMap<String, usize> = HashMap::new();
                for (k, val) in inner {
                    match at.get(&k) {
                        Some(&i) => match (&mut merged[i].1, val) {
                            (Some(existing), Some(val)) => {
                                existing.push_str("; ");
                                existing.push_str(&val);
                            }
                            (slot @ None, val) => *slot = val,
                            (Some(_), None) => {}
                        },
                        None => {
                            at.insert(k.clone(), merged.len());
                            merged.push((k, val));
                        }
                    }
                }
                out.extend(merged);
            }
        }
        other => out.push((prefix.to_string(), scalar(other))),
    }
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// Pushes objects to the sink as rows, growing the column list as keys appear. Each row
/// costs the keys it has, not the table's width: rows go to the sink sparse.
struct RowWriter<'s> {
    sink: &'s mut dyn TableSink,
    table: String,
    columns: Vec<String>,
    index: HashMap<String, usize>,
    begun: bool,
    /// The sink wants no more rows: the rest is only checked to be JSON.
    done: bool,
    /// Keys past [`MAX_COLUMNS`] turned up and were not read.
    capped: bool,
    pairs: Vec<(String, Option<String>)>,
}

impl RowWriter<'_> {
    fn push(&mut self, v: &Value) {
        if self.done {
            return;
        }
        let mut pairs = std::mem::take(&mut self.pairs);
        pairs.clear();
        if v.is_object() {
            flatten("", v, &mut pairs);
        } else {
            flatten("value", v, &mut pairs);
        }
        let mut grew = !self.begun;
        for (k, _) in &pairs {
            if !self.index.contains_key(k) {
                if self.columns.len() >= MAX_COLUMNS {
                    self.capped = true;
                    continue;
                }
                self.index.insert(k.clone(), self.columns.len());
                self.columns.push(k.clone());
                grew = true;
            }
        }
        if grew {
            self.sink.begin(&self.table, &self.columns);
            self.begun = true;
        }
        let cells: Vec<(usize, Option<&[u8]>)> = pairs
            .iter()
            .filter_map(|(k, val)| Some((*self.index.get(k)?, val.as_deref().map(str::as_bytes))))
            .collect();
        if !self.sink.sparse_row(&cells) {
            self.done = true;
        }
        drop(cells);
        self.pairs = pairs;
    }

    fn finish(self) {
        if self.capped {
            self.sink.notice(&format!(
                "more than {MAX_COLUMNS} distinct keys in one table; the values of the keys \
                 past them were not read"
            ));
        }
        if self.begun {
            self.sink.end();
        }
    }
}

struct Elements<'w, 's>(&'w mut RowWriter<'s>);

impl<'de> Visitor<'de> for Elements<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON array or object")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        loop {
            if self.0.done {
                if seq.next_element::<IgnoredAny>()?.is_none() {
                    break;
                }
                continue;
            }
            match seq.next_element::<Value>()? {
                Some(v) => self.0.push(&v),
                None => break,
            }
        }
        Ok(())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        let v: Value =
            serde::Deserialize::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
        self.0.push(&v);
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Elements<'_, '_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

/// Reads JSON (an array of objects, or one object) or NDJSON (`ndjson`: one value per line).
///
/// # Errors
/// Read errors and invalid JSON, with the line.
pub fn read(
    reader: &mut dyn Read,
    table: &str,
    ndjson: bool,
    sink: &mut dyn TableSink,
) -> io::Result<()> {
    let mut rows = RowWriter {
        sink,
        table: table.to_string(),
        columns: Vec::new(),
        index: HashMap::new(),
        begun: false,
        done: false,
        capped: false,
        pairs: Vec::new(),
    };
    let input = BufReader::with_capacity(256 * 1024, reader);
    if ndjson {
        for (n, line) in input.lines().enumerate() {
            let line = line?;
            if line.trim().is_empty() {
                continue;
            }
            let bad =
                |e: serde_json::Error| io::Error::new(io::ErrorKind::InvalidData, format!("line {}: {e}", n + 1));
            if rows.done {
                serde_json::from_str::<IgnoredAny>(&line).map_err(bad)?;
                continue;
            }
            let v: Value = serde_json::from_str(&line).map_err(bad)?;
            rows.push(&v);
        }
    } else {
        let mut de = serde_json::Deserializer::from_reader(input);
        Elements(&mut rows).deserialize(&mut de).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("line {}: {e}", e.line()),
            )
        })?;
    }
    rows.finish();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::CollectedRows as Rows;

    #[test]
    fn arrays_of_objects_flatten_to_dotted_paths() {
        let mut r = Rows::default();
        let text = r#"[{"naam":"Jan","adres":{"stad":"Utrecht"},"tel":["06-1","06-2"]},{"naam":"Piet","email":"p@x.nl"}]"#;
        read(&mut text.as_bytes(), "t", false, &mut r).unwrap();
        assert_eq!(r.columns, ["adres.stad", "naam", "tel[]", "email"]);
        assert_eq!(r.rows[0][2].as_deref(), Some("06-1; 06-2"));
        assert_eq!(r.rows[1][3].as_deref(), Some("p@x.nl"));
    }

    #[test]
    fn ndjson_lines_and_errors_with_line_numbers() {
        let mut r = Rows::default();
        read(
            &mut "{\"a\":1}\n\n{\"a\":2,\"b\":null}\n".as_bytes(),
            "t",
            true,
            &mut r,
        )
        .unwrap();
        assert_eq!(r.rows.len(), 2);
        let err = read(
            &mut "{\"a\":1}\n{broken\n".as_bytes(),
            "t",
            true,
            &mut Rows::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
    }
}
