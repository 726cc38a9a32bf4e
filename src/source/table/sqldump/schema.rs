//! The tables a dump declares: their columns in order and which are binary, from
//! `CREATE TABLE`, kept up to date through `ALTER TABLE` (shared by the scan and the
//! anonymiser, so both attribute an INSERT without a column list to the same columns).

use super::binary::Hint;
use std::collections::HashMap;

/// One declared table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Declared {
    /// Column names, in order.
    pub columns: Vec<String>,
    /// Per column: declared binary.
    pub binary: Vec<bool>,
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
        self.tables.insert(table, Declared { columns, binary });
    }

    /// A column list for a table that a statement names (a COPY's own list): binary flags
    /// kept for the names known.
    pub fn set_columns(&mut self, table: &str, columns: Vec<String>) {
        let binary = columns
            .iter()
            .map(|c| self.hint(table, c) == Hint::Binary)
            .collect();
        self.tables
            .insert(table.to_string(), Declared { columns, binary });
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
