//! The tables a dump declares: their columns in order and which are binary, from
//! `CREATE TABLE`, kept up to date through `ALTER TABLE` (shared by the scan and the
//! anonymiser, so both attribute an INSERT without a column list to the same columns).

use super::binary::Hint;
use super::stmt::{AlterOp, Place};
use std::collections::HashMap;

/// One declared table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Declared {
    /// Column names, in order.
    pub columns: Vec<String>,
    /// Per column: declared binary.
    pub binary: Vec<bool>,
    /// An `ALTER TABLE` changed the columns in a way not followed: what and where. Rows
    /// without a column list can then not be tied to columns.
    pub unsure: Option<String>,
}

/// The declared tables, by reported name.
#[derive(Debug, Clone, Default)]
pub struct Schemas {
    tables: HashMap<String, Declared>,
}

impl Schemas {
    /// `CREATE TABLE`: the table's columns (replacing what was known).
    pub fn create(&mut self, table: String, columns: Vec<String>, binary: Vec<bool>) {
        let mut binary = binary;
        binary.resize(columns.len(), false);
        self.tables.insert(
            table,
            Declared {
                columns,
                binary,
                unsure: None,
            },
        );
    }

    /// A column list for a table that a statement names (a COPY's own list): binary flags
    /// kept for the names known.
    pub fn set_columns(&mut self, table: &str, columns: Vec<String>) {
        let binary = columns
            .iter()
            .map(|c| self.hint(table, c) == Hint::Binary)
            .collect();
        self.tables.insert(
            table.to_string(),
            Declared {
                columns,
                binary,
                unsure: None,
            },
        );
    }

    /// The declared columns of a table.
    pub fn columns(&self, table: &str) -> Option<&[String]> {
        self.tables.get(table).map(|d| d.columns.as_slice())
    }

    /// The table, if declared.
    pub fn get(&self, table: &str) -> Option<&Declared> {
        self.tables.get(table)
    }

    /// The table, for changes (`ALTER TABLE`).
    pub fn get_mut(&mut self, table: &str) -> Option<&mut Declared> {
        self.tables.get_mut(table)
    }

    /// Forgets a table (`DROP TABLE`).
    pub fn drop_table(&mut self, table: &str) {
        self.tables.remove(table);
    }

    /// `ALTER TABLE` on line `line`: its actions applied to the columns, in order. A table
    /// not declared stays unknown; an action that cannot be followed (a column it names is
    /// not there, a form not read) leaves the table [`Declared::unsure`], and a `RENAME TO`
    /// moves it to `renamed` (its reported new name).
    pub fn alter(&mut self, table: &str, ops: &[AlterOp], line: u64, renamed: Option<String>) {
        let Some(mut d) = self.tables.remove(table) else {
            return;
        };
        for op in ops {
            if d.unsure.is_some() {
                break;
            }
            if let Err(why) = d.apply(op) {
                d.unsure = Some(format!("the ALTER TABLE of line {line} {why}"));
            }
        }
        let name = match ops.iter().any(|o| matches!(o, AlterOp::RenameTable(_))) {
            true => renamed.unwrap_or_else(|| table.to_string()),
            false => table.to_string(),
        };
        self.tables.insert(name, d);
    }

    /// What a column is known to be.
    pub fn hint(&self, table: &str, column: &str) -> Hint {
        let Some(d) = self.tables.get(table) else {
            return Hint::Unknown;
        };
        match d.columns.iter().position(|c| c == column) {
            Some(i) if d.binary.get(i) == Some(&true) => Hint::Binary,
            Some(_) => Hint::Other,
            None => Hint::Unknown,
        }
    }

    /// Hints for the columns of a statement's rows, into `out`.
    pub fn hints(&self, table: &str, columns: &[String], out: &mut Vec<Hint>) {
        out.clear();
        out.extend(columns.iter().map(|c| self.hint(table, c)));
    }
}

impl Declared {
    fn find(&self, column: &str) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c.eq_ignore_ascii_case(column))
    }

    fn missing(column: &str, what: &str) -> String {
        format!(
            "{what} a column {} that the table does not have",
            crate::report::sanitize::sanitize(column)
        )
    }

    /// Where a column goes: `at` when it stays, else first or after a named column.
    fn slot(&self, place: &Place, at: usize) -> Result<usize, String> {
        match place {
            Place::Stays => Ok(at.min(self.columns.len())),
            Place::First => Ok(0),
            Place::After(x) => self
                .find(x)
                .map(|i| i + 1)
                .ok_or_else(|| Self::missing(x, "places a column after")),
        }
    }

    fn apply(&mut self, op: &AlterOp) -> Result<(), String> {
        match op {
            AlterOp::Add {
                name,
                binary,
                place,
            } => {
                if self.find(name).is_some() {
                    return Ok(()); // `IF NOT EXISTS`, or an error in the database
                }
                let at = self.slot(place, self.columns.len())?;
                self.columns.insert(at, name.clone());
                self.binary.insert(at, *binary);
            }
            AlterOp::Drop(name, if_exists) => match self.find(name) {
                Some(i) => {
                    self.columns.remove(i);
                    self.binary.remove(i);
                }
                None if *if_exists => {}
                None => return Err(Self::missing(name, "drops")),
            },
            AlterOp::Change {
                old,
                new,
                binary,
                place,
            } => {
                let i = self
                    .find(old)
                    .ok_or_else(|| Self::missing(old, "changes"))?;
                self.columns.remove(i);
                let was = self.binary.remove(i);
                let at = self.slot(place, i)?;
                self.columns.insert(at, new.clone());
                self.binary.insert(at, binary.unwrap_or(was));
            }
            AlterOp::Rename(old, new) => {
                let i = self
                    .find(old)
                    .ok_or_else(|| Self::missing(old, "renames"))?;
                self.columns[i] = new.clone();
            }
            AlterOp::RenameTable(_) => {}
            AlterOp::Unknown(what) => {
                return Err(format!("has {what}, which piiscan does not follow"))
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn add(name: &str, place: Place) -> AlterOp {
        AlterOp::Add {
            name: name.into(),
            binary: false,
            place,
        }
    }

    #[test]
    fn column_order_follows_every_alter_form() {
        let mut s = Schemas::default();
        s.create("t".into(), vec!["a".into(), "b".into()], vec![false, true]);
        s.alter("t", &[add("c", Place::First)], 1, None);
        s.alter(
            "t",
            &[add("d", Place::After("A".into())), add("e", Place::Stays)],
            2,
            None,
        );
        assert_eq!(s.columns("t").unwrap(), ["c", "a", "d", "b", "e"]);
        s.alter(
            "t",
            &[
                AlterOp::Change {
                    old: "b".into(),
                    new: "bb".into(),
                    binary: None,
                    place: Place::First,
                },
                AlterOp::Drop("c".into(), false),
                AlterOp::Rename("e".into(), "ee".into()),
            ],
            3,
            None,
        );
        assert_eq!(s.columns("t").unwrap(), ["bb", "a", "d", "ee"]);
        assert_eq!(s.hint("t", "bb"), Hint::Binary, "the type went with it");
        s.alter(
            "t",
            &[AlterOp::RenameTable(vec!["u".into()])],
            4,
            Some("u".into()),
        );
        assert!(s.get("t").is_none());
        assert_eq!(s.get("u").unwrap().unsure, None);
        s.alter(
            "u",
            &[AlterOp::Drop("zz".into(), false), add("f", Place::Stays)],
            5,
            None,
        );
        let why = s.get("u").unwrap().unsure.clone().unwrap();
        assert!(why.contains("line 5") && why.contains("zz"), "{why}");
        assert_eq!(
            s.columns("u").unwrap(),
            ["bb", "a", "d", "ee"],
            "nothing after it applied"
        );
    }
}
