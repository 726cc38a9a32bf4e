//! JSON and NDJSON as tables: one row per object, nested objects flattened to dotted paths
//! (`address.city`), arrays of values joined into one cell (`tags[]`). A top-level array is
//! streamed element by element, NDJSON line by line, so a file larger than memory works as
//! long as each object fits. Columns are added as new keys turn up.

use super::TableSink;
use serde::de::{DeserializeSeed, SeqAccess, Visitor};
use serde_json::Value;
use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read};

/// Flattens one JSON value into (path, text) pairs.
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
                let mut inner = Vec::new();
                for item in items {
                    flatten(&path, item, &mut inner);
                }
                let mut merged: Vec<(String, Option<String>)> = Vec::new();
                for (k, val) in inner {
                    match merged.iter_mut().find(|(mk, _)| *mk == k) {
                        Some((_, Some(existing))) => {
                            if let Some(val) = val {
                                existing.push_str("; ");
                                existing.push_str(&val);
                            }
                        }
                        Some(slot) => slot.1 = val,
                        None => merged.push((k, val)),
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

/// Pushes objects to the sink as rows, growing the column list as keys appear.
struct RowWriter<'s> {
    sink: &'s mut dyn TableSink,
    table: String,
    columns: Vec<String>,
    index: HashMap<String, usize>,
    begun: bool,
}

impl RowWriter<'_> {
    fn push(&mut self, v: &Value) {
        let mut pairs = Vec::new();
        let root = if v.is_object() {
            v.clone()
        } else {
            serde_json::json!({ "value": v })
        };
        flatten("", &root, &mut pairs);
        let mut grew = !self.begun;
        for (k, _) in &pairs {
            if !self.index.contains_key(k) {
                self.index.insert(k.clone(), self.columns.len());
                self.columns.push(k.clone());
                grew = true;
            }
        }
        if grew {
            self.sink.begin(&self.table, &self.columns);
            self.begun = true;
        }
        let mut cells: Vec<Option<&[u8]>> = vec![None; self.columns.len()];
        for (k, val) in &pairs {
            cells[self.index[k]] = val.as_deref().map(str::as_bytes);
        }
        self.sink.row(&cells);
    }
}

struct Elements<'w, 's>(&'w mut RowWriter<'s>);

impl<'de> Visitor<'de> for Elements<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON array or object")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(v) = seq.next_element::<Value>()? {
            self.0.push(&v);
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
    };
    let input = BufReader::with_capacity(256 * 1024, reader);
    if ndjson {
        for (n, line) in input.lines().enumerate() {
            let line = line?;
            if line.trim().is_empty() {
                continue;
            }
            let v: Value = serde_json::from_str(&line).map_err(|e| {
                io::Error::new(io::ErrorKind::InvalidData, format!("line {}: {e}", n + 1))
            })?;
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
    if rows.begun {
        rows.sink.end();
    }
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
