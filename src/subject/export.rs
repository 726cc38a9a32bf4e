//! The records of one person for an access or portability request (art. 15 and 20 GDPR):
//! one JSON file per source with the fields and values of every row found (the matched rows
//! and the rows followed through keys) and the values found in text, plus a summary in Dutch
//! or English that a privacy officer can send: which kinds of data, from which systems, and,
//! where a register covers a source, the purposes, lawful basis, recipients and retention.
//!
//! This is the one output that holds the person's values in full: it is asked for by name
//! (`--export DIR`) and is for the person. It is planned before anything is written (a
//! folder that exists and is not empty is refused), written into a private temporary folder
//! (mode 0700, files 0600), synced and renamed into place in one step: `DIR` appears complete
//! or not at all, and a crash leaves no copy outside the temporary folder that the next run
//! removes.

use super::follow::RowsOf;
use super::Place;
use crate::register::labels::{self, Lang};
use crate::report::html::escape;
use crate::source::table::TableSink;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{self, Write};
use std::path::Path;

/// Why an export cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The target exists and is not an empty folder.
    #[error("{0}: exists and is not an empty folder; --export writes a new folder (nothing is replaced)")]
    Exists(String),
    /// Writing failed.
    #[error("{path}: {source}")]
    Io {
        /// Where.
        path: String,
        /// The error.
        source: io::Error,
    },
}

/// An activity of the register, as the summary shows it.
#[derive(Debug, Clone, Default)]
pub struct Activity {
    /// Its name.
    pub name: String,
    /// Purposes.
    pub purposes: Vec<String>,
    /// The lawful basis.
    pub legal_basis: String,
    /// Recipients.
    pub recipients: Vec<String>,
    /// Retention, in words.
    pub retention: String,
    /// The locations it covers, as project references (`crm/klanten.csv#klanten`).
    pub locations: Vec<String>,
}

/// Checks that `target` can be written: it does not exist, or is an empty folder.
///
/// # Errors
/// It exists and is something else.
pub fn plan(target: &Path) -> Result<(), ExportError> {
    match std::fs::read_dir(target) {
        Ok(entries) => match entries.count() {
            0 => Ok(()),
            _ => Err(ExportError::Exists(target.display().to_string())),
        },
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(_) => Err(ExportError::Exists(target.display().to_string())),
    }
}

/// A row's fields in column order.
#[derive(Debug, Clone, Default)]
struct Fields(Vec<(String, Option<String>)>);

impl Serialize for Fields {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// One row of the person's.
#[derive(Debug, Clone, Serialize)]
struct Record {
    table: String,
    row: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<u64>,
    /// How the row was found: `identifier email`, `via klantnummer`.
    found_by: Vec<String>,
    fields: Fields,
}

/// A value of the person's in text (a log line, a document).
#[derive(Debug, Clone, Serialize)]
struct Mention {
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<u64>,
    rule: String,
    category: String,
    value: String,
}

/// One source's file.
#[derive(Debug, Clone, Serialize)]
struct Source {
    source: String,
    system: String,
    categories: BTreeSet<String>,
    records: Vec<Record>,
    mentions: Vec<Mention>,
    /// What of the source is not in the file, and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

/// Copies every field of chosen rows.
struct RowCopier<'a> {
    wanted: &'a HashMap<(String, u64), Vec<String>>,
    table: String,
    columns: Vec<String>,
    counts: HashMap<String, u64>,
    line: Option<u64>,
    found: Vec<Record>,
}

impl RowCopier<'_> {
    fn take(&mut self, label: Option<u64>, cells: &[Option<&[u8]>]) -> bool {
        let n = self.counts.entry(self.table.clone()).or_default();
        *n += 1;
        let row = label.unwrap_or(*n);
        let line = self.line.take();
        let Some(found_by) = self.wanted.get(&(self.table.clone(), row)) else {
            return true;
        };
        let fields = cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let name = self
                    .columns
                    .get(i)
                    .cloned()
                    .unwrap_or_else(|| format!("col{}", i + 1));
                (name, c.map(|v| String::from_utf8_lossy(v).into_owned()))
            })
            .collect();
        self.found.push(Record {
            table: self.table.clone(),
            row,
            line,
            found_by: found_by.clone(),
            fields: Fields(fields),
        });
        true
    }
}

impl TableSink for RowCopier<'_> {
    fn begin(&mut self, table: &str, columns: &[String]) {
        self.table = table.to_string();
        self.columns = columns.to_vec();
    }
    fn row(&mut self, cells: &[Option<&[u8]>]) -> bool {
        self.take(None, cells)
    }
    fn row_at(&mut self, row: u64, cells: &[Option<&[u8]>]) -> bool {
        self.take(Some(row), cells)
    }
    fn line(&mut self, line: u64) {
        self.line = Some(line);
    }
    fn end(&mut self) {}
}

/// What goes into an export.
pub struct Request<'a> {
    /// Every place written for the person.
    pub places: &'a [Place],
    /// Every row of the person's (matched and followed), with the inputs they are in.
    pub rows: &'a RowsOf,
    /// The register's activities (empty without a register).
    pub activities: &'a [Activity],
    /// A source's project reference (`crm/klanten.csv`), to find the activities covering it.
    pub reference: &'a dyn Fn(&str) -> String,
    /// What the search was given: `1 email, 1 phone` (no values).
    pub searched: String,
    /// Inputs not read completely: (path, why).
    pub not_read: &'a [(String, String)],
    /// Today, `YYYY-MM-DD`.
    pub date: String,
    /// The summary's language.
    pub lang: Lang,
}

/// Writes the export to `target` (see the module's documentation). Returns the number of
/// source files written.
///
/// # Errors
/// `target` exists and is not empty, a source cannot be read again, or writing fails.
pub fn write(target: &Path, req: &Request<'_>) -> Result<usize, ExportError> {
    plan(target)?;
    let io_err = |path: &Path, source: io::Error| ExportError::Io {
        path: path.display().to_string(),
        source,
    };
    let sources = sources(req).map_err(|(p, e)| io_err(Path::new(&p), e))?;
    let temp = crate::atomic::TempDir::beside(target).map_err(|e| io_err(target, e))?;
    let staged = temp
        .create_dir("export")
        .map_err(|e| io_err(temp.path(), e))?;
    let put = |name: &str, bytes: &[u8]| -> Result<(), ExportError> {
        let path = staged.join(name);
        let (_, mut f) = temp
            .create_file(&format!("export/{name}"))
            .map_err(|e| io_err(&path, e))?;
        f.write_all(bytes).map_err(|e| io_err(&path, e))?;
        f.sync_all().map_err(|e| io_err(&path, e))
    };
    for (i, s) in sources.iter().enumerate() {
        let mut json = serde_json::to_vec_pretty(s).map_err(|e| io_err(target, e.into()))?;
        json.push(b'\n');
        put(&source_file(i), &json)?;
    }
    let summary = Summary::of(&sources, req);
    put("summary.md", summary.markdown().as_bytes())?;
    put("summary.html", summary.html().as_bytes())?;
    temp.publish_dir(&staged, target)
        .map_err(|e| io_err(target, e))?;
    Ok(sources.len())
}

fn source_file(i: usize) -> String {
    format!("source-{:02}.json", i + 1)
}

/// The sources, in path order: rows read again in full, text values as found.
fn sources(req: &Request<'_>) -> Result<Vec<Source>, (String, io::Error)> {
    let mut by_path: BTreeMap<&str, Vec<&Place>> = BTreeMap::new();
    for p in req.places {
        by_path.entry(p.path.as_str()).or_default().push(p);
    }
    let mut out = Vec::new();
    for (path, places) in by_path {
        let mut wanted: HashMap<(String, u64), Vec<String>> = HashMap::new();
        let mut mentions = Vec::new();
        let mut categories = BTreeSet::new();
        for p in &places {
            categories.insert(p.category.clone());
            match (&p.table, p.row) {
                (Some(table), Some(row)) => {
                    let how = match (&p.via, p.matched) {
                        (Some(via), _) => format!("via {via}"),
                        (None, true) => format!("identifier {}", p.rule),
                        (None, false) => continue,
                    };
                    let list = wanted.entry((table.clone(), row)).or_default();
                    if !list.contains(&how) {
                        list.push(how);
                    }
                }
                (None, _) => mentions.push(Mention {
                    line: p.line,
                    rule: p.rule.clone(),
                    category: p.category.clone(),
                    value: p.value.clone().unwrap_or_default(),
                }),
                _ => {}
            }
        }
        // Rows of the person's that no place names (a followed row without personal data).
        for ((input, table, row), _) in req.rows.iter() {
            if input == path {
                wanted
                    .entry((table.clone(), *row))
                    .or_insert_with(|| vec!["related row".to_string()]);
            }
        }
        let mut records = Vec::new();
        let mut note = None;
        if !wanted.is_empty() {
            let mut copier = RowCopier {
                wanted: &wanted,
                table: String::new(),
                columns: Vec::new(),
                counts: HashMap::new(),
                line: None,
                found: Vec::new(),
            };
            if crate::source::database::url::is_database_url(path) {
                // Rows of a live database are not read again (their order is not stable):
                // the summary names the source, its places are in the search's output.
                note = Some(
                    "rows of a live database are not copied: dump it and export from the dump"
                        .to_string(),
                );
            } else {
                super::follow::read_again(path, &mut copier).map_err(|e| (path.to_string(), e))?;
                records = copier.found;
            }
        }
        let reference = (req.reference)(path);
        out.push(Source {
            source: path.to_string(),
            system: reference
                .split('/')
                .find(|part| !part.is_empty() && *part != ".")
                .unwrap_or(path)
                .to_string(),
            categories,
            records,
            mentions,
            note,
        });
    }
    Ok(out)
}

/// The summary's content, in one language.
struct Summary<'a> {
    lang: Lang,
    date: &'a str,
    searched: &'a str,
    /// (system, source, file, records and mentions, category names)
    rows: Vec<(String, String, String, usize, Vec<String>)>,
    /// Activities covering a source, with the sources they cover.
    activities: Vec<(&'a Activity, Vec<String>)>,
    uncovered: Vec<String>,
    not_read: &'a [(String, String)],
    has_register: bool,
}

impl<'a> Summary<'a> {
    fn of(sources: &[Source], req: &'a Request<'a>) -> Summary<'a> {
        let lang = req.lang;
        let mut rows = Vec::new();
        let mut activities: Vec<(&Activity, Vec<String>)> = Vec::new();
        let mut uncovered = Vec::new();
        for (i, s) in sources.iter().enumerate() {
            let names: BTreeSet<String> = s
                .categories
                .iter()
                .map(|c| labels::category(c, lang))
                .collect();
            rows.push((
                s.system.clone(),
                s.source.clone(),
                source_file(i),
                s.records.len() + s.mentions.len(),
                names.into_iter().collect(),
            ));
            let reference = (req.reference)(&s.source);
            let mut covered = false;
            for a in req.activities {
                let covers = a.locations.iter().any(|l| {
                    l == &reference
                        || l.split('#').next() == Some(reference.as_str())
                        || reference.starts_with(&format!("{l}/"))
                });
                if covers {
                    covered = true;
                    match activities.iter_mut().find(|(x, _)| std::ptr::eq(*x, a)) {
                        Some((_, list)) => list.push(s.source.clone()),
                        None => activities.push((a, vec![s.source.clone()])),
                    }
                }
            }
            if !covered {
                uncovered.push(s.source.clone());
            }
        }
        Summary {
            lang,
            date: &req.date,
            searched: &req.searched,
            rows,
            activities,
            uncovered,
            not_read: req.not_read,
            has_register: !req.activities.is_empty(),
        }
    }

    fn t(&self, nl: &'a str, en: &'a str) -> &'a str {
        self.lang.pick(nl, en)
    }

    fn markdown(&self) -> String {
        let mut s = String::new();
        let md = |v: &str| v.replace('|', "\\|").replace('\n', " ");
        s.push_str(&format!(
            "# {}\n\n",
            self.t(
                "Inzage in persoonsgegevens (art. 15 AVG)",
                "Access to personal data (Art. 15 GDPR)"
            )
        ));
        s.push_str(&format!(
            "{} {} {} piiscan {}. {} {}.\n\n",
            self.t("Opgesteld op", "Prepared on"),
            self.date,
            self.t("met", "with"),
            env!("CARGO_PKG_VERSION"),
            self.t("Gezocht op", "Searched for"),
            self.searched
        ));
        s.push_str(&format!(
            "## {}\n\n",
            self.t("Waar uw gegevens staan", "Where your data is held")
        ));
        if self.rows.is_empty() {
            s.push_str(self.t(
                "Wij vonden geen gegevens van u in de doorzochte bronnen.\n\n",
                "We found no data of yours in the sources searched.\n\n",
            ));
        } else {
            s.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n|---|---|---|---|---|\n",
                self.t("Systeem", "System"),
                self.t("Bron", "Source"),
                self.t("Records", "Records"),
                self.t("Soorten gegevens", "Kinds of data"),
                self.t("Bestand", "File")
            ));
            for (system, source, file, n, cats) in &self.rows {
                s.push_str(&format!(
                    "| {} | {} | {n} | {} | {file} |\n",
                    md(system),
                    md(source),
                    md(&cats.join(", "))
                ));
            }
            s.push('\n');
        }
        s.push_str(&format!(
            "## {}\n\n",
            self.t("Waarvoor wij ze verwerken", "Why we process it")
        ));
        if !self.has_register {
            s.push_str(self.t(
                "_Geen register van verwerkingen gevonden: vul doelen, grondslag, ontvangers en bewaartermijn zelf in._\n\n",
                "_No record of processing activities found: fill in purposes, lawful basis, recipients and retention yourself._\n\n",
            ));
        }
        for (a, sources) in &self.activities {
            s.push_str(&format!("### {}\n\n", md(&a.name)));
            let list = |v: &[String]| {
                if v.is_empty() {
                    "—".to_string()
                } else {
                    md(&v.join("; "))
                }
            };
            let one = |v: &str| {
                if v.is_empty() {
                    "—".to_string()
                } else {
                    md(v)
                }
            };
            s.push_str(&format!(
                "- {}: {}\n- {}: {}\n- {}: {}\n- {}: {}\n- {}: {}\n\n",
                self.t("Doelen", "Purposes"),
                list(&a.purposes),
                self.t("Grondslag", "Lawful basis"),
                one(&a.legal_basis),
                self.t("Ontvangers", "Recipients"),
                list(&a.recipients),
                self.t("Bewaartermijn", "Retention"),
                one(&a.retention),
                self.t("Bronnen", "Sources"),
                md(&sources.join(", "))
            ));
        }
        if self.has_register && !self.uncovered.is_empty() {
            s.push_str(&format!(
                "{}: {}\n\n",
                self.t(
                    "Bronnen zonder activiteit in het register (vul aan)",
                    "Sources no activity of the register covers (complete them)"
                ),
                md(&self.uncovered.join(", "))
            ));
        }
        if !self.not_read.is_empty() {
            s.push_str(&format!(
                "## {}\n\n",
                self.t(
                    "Niet volledig doorzocht (er kunnen meer gegevens zijn)",
                    "Not searched completely (there may be more data)"
                )
            ));
            for (path, why) in self.not_read {
                s.push_str(&format!(
                    "- {}: {}\n",
                    md(&crate::names::mask(path)),
                    md(why)
                ));
            }
            s.push('\n');
        }
        s.push_str(self.t(
            "De bestanden `source-NN.json` bevatten de gegevens zelf, per bron, in een gestructureerde, gangbare en machineleesbare vorm (art. 20 AVG). Verstuur ze alleen aan de betrokkene, over een beveiligd kanaal.\n",
            "The files `source-NN.json` hold the data itself, per source, in a structured, commonly used and machine-readable format (Art. 20 GDPR). Send them only to the data subject, over a secure channel.\n",
        ));
        s
    }

    fn html(&self) -> String {
        let mut body = String::new();
        for line in self.markdown().lines() {
            let e = escape(line);
            if let Some(h) = e.strip_prefix("### ") {
                body.push_str(&format!("<h3>{h}</h3>\n"));
            } else if let Some(h) = e.strip_prefix("## ") {
                body.push_str(&format!("<h2>{h}</h2>\n"));
            } else if let Some(h) = e.strip_prefix("# ") {
                body.push_str(&format!("<h1>{h}</h1>\n"));
            } else if let Some(item) = e.strip_prefix("- ") {
                body.push_str(&format!("<ul><li>{item}</li></ul>\n"));
            } else if e.starts_with("|---") {
                continue;
            } else if e.starts_with('|') {
                let cells: Vec<&str> = e.trim_matches('|').split(" | ").map(|c| c.trim()).collect();
                body.push_str("<table><tr>");
                for c in cells {
                    body.push_str(&format!("<td>{}</td>", c.replace("\\|", "|")));
                }
                body.push_str("</tr></table>\n");
            } else if !e.is_empty() {
                body.push_str(&format!("<p>{e}</p>\n"));
            }
        }
        crate::report::html::a4_page(
            self.t("nl", "en"),
            self.t("Inzage in persoonsgegevens", "Access to personal data"),
            "table { border-collapse: collapse; }\nul { margin: 0; }\n",
            &body,
        )
    }
}
