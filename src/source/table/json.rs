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
            let bad = |e: serde_json::Error| {
                io::Error::new(io::ErrorKind::InvalidData, format!("line {}: {e}", n + 1))
            };
            if rows.done {
                serde_json::from_str::<IgnoredAny>(&line).map_err(bad)?;
                continue;
            }
            let v: Value = serde_json::from_str(&line).map_err(bad)?;
            rows.sink.line(n as u64 + 1);
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
    use crate::source::table::CollectedRows as Rows;

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

#[cfg(test)]
mod properties {
    use super::*;
    use crate::source::table::CollectedRows as Rows;
    use proptest::prelude::*;

    fn scalar_value() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i32>().prop_map(Value::from),
            "\\PC{0,12}".prop_map(Value::String),
        ]
    }

    fn object() -> impl Strategy<Value = serde_json::Map<String, Value>> {
        prop::collection::btree_map("[a-z]{1,3}", scalar_value(), 0..6).prop_map(|m| {
            let mut obj: serde_json::Map<String, Value> = m.into_iter().collect();
            if let Some(Value::String(s)) = obj.get("a").cloned() {
                obj.insert("nest".into(), serde_json::json!({ "inner": s }));
            }
            obj
        })
    }

    fn text_of(v: &Value) -> Option<String> {
        scalar(v)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(150))]

        /// Generated JSON arrays and NDJSON: every value at its key's column and its row.
        #[test]
        fn every_value_at_its_column_and_row(objects in prop::collection::vec(object(), 1..25), ndjson: bool) {
            let text = if ndjson {
                objects.iter().map(|o| serde_json::to_string(o).unwrap() + "\n").collect::<String>()
            } else {
                serde_json::to_string(&objects).unwrap()
            };
            let mut got = Rows::default();
            read(&mut text.as_bytes(), "t", ndjson, &mut got).unwrap();
            prop_assert_eq!(got.rows.len(), objects.len());
            for (obj, row) in objects.iter().zip(&got.rows) {
                for (k, v) in obj {
                    let (path, want) = match v {
                        Value::Object(inner) => ("nest.inner".to_string(), text_of(&inner["inner"])),
                        v => (k.clone(), text_of(v)),
                    };
                    let col = got.columns.iter().position(|c| *c == path);
                    prop_assert!(col.is_some(), "no column {}", path);
                    let have = row.get(col.unwrap()).cloned().flatten();
                    prop_assert_eq!(have, want);
                }
            }
        }

        /// Arbitrary bytes never panic the reader, as JSON or NDJSON.
        #[test]
        fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..800)) {
            let _ = read(&mut data.as_slice(), "t", false, &mut Rows::default());
            let _ = read(&mut data.as_slice(), "t", true, &mut Rows::default());
        }
    }

    /// Counts the cells handed to the sink: the work a sink does per row.
    #[derive(Default)]
    struct Work(u64);

    impl TableSink for Work {
        fn begin(&mut self, _: &str, _: &[String]) {}
        fn row(&mut self, cells: &[Option<&[u8]>]) -> bool {
            self.0 += cells.len() as u64;
            true
        }
        fn sparse_row(&mut self, cells: &[(usize, Option<&[u8]>)]) -> bool {
            self.0 += cells.len() as u64;
            true
        }
        fn end(&mut self) {}
    }

    fn distinct_keys(n: usize) -> String {
        let items: Vec<String> = (0..n)
            .map(|i| format!("{{\"id\":{i},\"key{i}\":\"x\"}}"))
            .collect();
        format!("[{}]", items.join(","))
    }

    /// Objects with many distinct keys: four times the objects is four times the work (it
    /// was quadratic: every row was as wide as all keys so far).
    #[test]
    fn work_is_linear_in_objects_with_distinct_keys() {
        let work = |n| {
            let mut w = Work::default();
            read(&mut distinct_keys(n).as_bytes(), "t", false, &mut w).unwrap();
            w.0
        };
        assert_eq!(work(2000) * 4, work(8000));
    }

    /// Past the column cap, later keys are dropped and the sink is told.
    #[test]
    fn the_column_cap_is_announced() {
        #[derive(Default)]
        struct Notes(Vec<String>, usize);
        impl TableSink for Notes {
            fn begin(&mut self, _: &str, columns: &[String]) {
                self.1 = columns.len();
            }
            fn row(&mut self, _: &[Option<&[u8]>]) -> bool {
                true
            }
            fn notice(&mut self, m: &str) {
                self.0.push(m.to_string());
            }
            fn end(&mut self) {}
        }
        let mut n = Notes::default();
        read(
            &mut distinct_keys(MAX_COLUMNS + 5).as_bytes(),
            "t",
            false,
            &mut n,
        )
        .unwrap();
        assert_eq!(n.1, MAX_COLUMNS);
        assert_eq!(n.0.len(), 1);
        assert!(n.0[0].contains("were not read"), "{:?}", n.0);
    }
}
