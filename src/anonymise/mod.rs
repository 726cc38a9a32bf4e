//! Anonymising and pseudonymising datasets: a policy ([`policy`]) names a method per column
//! and per text rule; the same readers as the scan find the tables, the transforms
//! ([`transform`]) change the values, and one rewriter per format writes a new file:
//! [`delimited`] (CSV/TSV, parallel), [`ndjson`], [`parquet`], [`dump`] (byte-preserving SQL
//! dumps), [`sqlite`], [`workbook`] (Excel and OpenDocument, written as XLSX) and [`text`]
//! (logs). The input is never touched: every output path is
//! planned and checked before anything is written ([`outputs`]), and each output is written
//! through [`crate::atomic`] (a private temporary file beside the target, renamed when
//! complete and checked: [`verify`]). The scans before and after read every row.

pub mod cryptopan;
pub mod delimited;
pub mod dump;
pub mod dumptext;
pub mod fake;
pub mod infer;
pub mod ip;
pub mod keys;
pub mod names;
pub mod ndjson;
pub mod outputs;
#[cfg(feature = "parquet")]
pub mod parquet;
pub mod plan;
pub mod policy;
pub mod risk;
pub mod rows;
pub mod spans;
pub mod splice;
pub mod sqlite;
pub mod stream;
pub mod suggest;
pub mod text;
pub mod transform;
pub mod verify;
pub mod workbook;

use crate::ruleset::RuleSet;
use crate::source::table::TableFormat;
use delimited::TableOutcome;
use plan::{Detection, DetectionSink};
use policy::Policy;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// What an input is, for rewriting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// CSV or TSV.
    Delimited,
    /// Newline-delimited JSON.
    Ndjson,
    /// Parquet.
    Parquet,
    /// A SQL dump.
    Dump,
    /// A SQLite database.
    Sqlite,
    /// An Excel or OpenDocument workbook (written as XLSX).
    Workbook,
    /// Text and logs.
    Text,
}

/// Output formats for tables (`--to`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutFormat {
    /// Comma-separated.
    Csv,
    /// Tab-separated.
    Tsv,
    /// Newline-delimited JSON.
    Ndjson,
    /// Parquet.
    Parquet,
}

impl OutFormat {
    /// Parses `csv`, `tsv`, `ndjson` or `parquet`.
    pub fn parse(s: &str) -> Option<OutFormat> {
        Some(match s {
            "csv" => OutFormat::Csv,
            "tsv" => OutFormat::Tsv,
            "ndjson" | "jsonl" => OutFormat::Ndjson,
            "parquet" => OutFormat::Parquet,
            _ => return None,
        })
    }

    fn extension(self) -> &'static str {
        match self {
            OutFormat::Csv => "csv",
            OutFormat::Tsv => "tsv",
            OutFormat::Ndjson => "ndjson",
            OutFormat::Parquet => "parquet",
        }
    }
}

/// How to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Output format for tables (default: the input's).
    pub to: Option<OutFormat>,
    /// Overwrite an existing output.
    pub force: bool,
    /// Worker threads for CSV.
    pub threads: usize,
    /// The progress display of the run (hidden off a terminal): the rewrite advances it by
    /// the bytes read, the phases show in its message.
    pub progress: crate::progress::Progress,
}

/// What happened to one input.
#[derive(Debug, Serialize)]
pub struct FileReport {
    /// The input.
    pub input: String,
    /// The output written.
    pub output: String,
    /// Its kind.
    pub kind: Kind,
    /// Tables: rows in and out, and per column what was done.
    pub tables: Vec<TableOutcome>,
    /// Text: lines and spans.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<text::TextOutcome>,
    /// Row counts read back from the output, per table.
    pub rows_verified: Vec<(String, u64)>,
    /// Categories the re-scan of every column of the output still finds: in transformed
    /// columns, and in columns left as they were that the policy does not keep.
    pub leftovers: Vec<verify::Leftover>,
    /// Whether the output was kept: not when the re-scan found personal data the policy
    /// does not expect (then nothing of it is left on disk).
    pub written: bool,
    /// `spans` columns: the spans replaced inside their cells, per rule.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cell_spans: Vec<text::SpanReport>,
    /// What the rewriter did besides transforming values (SQLite triggers set aside while
    /// rewriting and put back).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl FileReport {
    /// The report as it is printed (text and JSON): personal data in the input's, the
    /// tables' and the columns' names masked, as [`crate::names::shown`] shows names in every
    /// output. The output's name carries tokens already ([`names`]).
    pub fn shown(mut self) -> FileReport {
        let m = |s: &str| crate::names::mask(s).into_owned();
        self.input = m(&self.input);
        self.output = m(&self.output);
        for t in &mut self.tables {
            t.table = m(&t.table);
            for c in &mut t.columns {
                c.table = m(&c.table);
                c.column = m(&c.column);
            }
        }
        for (t, _) in &mut self.rows_verified {
            *t = m(t);
        }
        for l in &mut self.leftovers {
            l.place = m(&l.place);
        }
        for n in &mut self.notes {
            *n = m(n);
        }
        self
    }

    /// Did the re-scan find something a transform should have removed?
    pub fn has_unexpected_leftovers(&self) -> bool {
        self.leftovers.iter().any(|l| !l.expected)
    }
}

impl Serialize for TableOutcome {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("TableOutcome", 4)?;
        st.serialize_field("table", &self.table)?;
        st.serialize_field("rows_in", &self.rows_in)?;
        st.serialize_field("rows_out", &self.rows_out)?;
        st.serialize_field("columns", &self.columns)?;
        st.end()
    }
}

impl Serialize for text::TextOutcome {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("TextOutcome", 3)?;
        st.serialize_field("lines_in", &self.lines_in)?;
        st.serialize_field("lines_out", &self.lines_out)?;
        st.serialize_field("spans", &self.spans)?;
        st.end()
    }
}

/// What kind of input a file is.
///
/// # Errors
/// The file cannot be opened, or it is a kind that cannot be rewritten (JSON documents,
/// archives).
pub fn kind_of(path: &Path) -> crate::Result<Kind> {
    if crate::source::table::pgarchive::is_directory_archive(path) {
        return Err(pg_archive_refusal(path));
    }
    let opened = crate::source::open::open_path(path).map_err(|e| crate::Error::io(path, e))?;
    Ok(match crate::source::table::detect(path, &opened.head) {
        Some(TableFormat::Delimited) => Kind::Delimited,
        Some(TableFormat::Ndjson) => Kind::Ndjson,
        Some(TableFormat::Parquet) => Kind::Parquet,
        Some(TableFormat::SqlDump) => Kind::Dump,
        Some(TableFormat::Sqlite) => Kind::Sqlite,
        Some(TableFormat::PgArchive) => return Err(pg_archive_refusal(path)),
        Some(TableFormat::Workbook) => Kind::Workbook,
        Some(TableFormat::Json) => {
            return Err(crate::Error::Usage(format!(
                "{}: a JSON document cannot be rewritten as such; convert it to NDJSON (one object per line)",
                path.display()
            )))
        }
        None if container_of(path, &opened.head).is_some() => {
            return Err(container_refusal(path, &opened.head))
        }
        None => match opened.sniffed {
            crate::source::sniff::Sniffed::Binary => {
                return Err(crate::Error::Usage(format!(
                    "{}: a binary file of no format piiscan rewrites",
                    path.display()
                )))
            }
            crate::source::sniff::Sniffed::Text { .. } => Kind::Text,
        },
    })
}

fn container_of(path: &Path, head: &[u8]) -> Option<crate::source::input::Container> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // HTML and XML are text to the anonymiser: their values are rewritten in place.
    crate::source::input::container(&name, head)
        .filter(|c| !matches!(c, crate::source::input::Container::Markup(_)))
}

/// Why an archive or document is not anonymised: piiscan reads them but does not write them,
/// and a raw copy would keep every value.
fn container_refusal(path: &Path, head: &[u8]) -> crate::Error {
    use crate::source::input::Container;
    let what = match container_of(path, head) {
        Some(Container::Zip) => "a ZIP archive is not rewritten; unpack it and anonymise its files",
        Some(Container::Tar) => "a tar archive is not rewritten; unpack it and anonymise its files",
        Some(Container::SevenZ) => "a 7z archive is not rewritten; unpack it and anonymise its files",
        Some(Container::Document(_)) => {
            "an office document is not rewritten; export its text or tables and anonymise those"
        }
        Some(Container::Mail | Container::Mbox | Container::Msg) => {
            "a mail message or mailbox is not rewritten; export the messages and anonymise those"
        }
        Some(Container::Pdf) => {
            "a PDF is not rewritten; export its text and anonymise that, or redact it in a PDF editor"
        }
        _ => "a file of this format is not rewritten",
    };
    crate::Error::Usage(format!("{}: {what}", path.display()))
}

/// Why a pg_dump custom, directory or tar archive is not anonymised (it would have to be
/// rewritten in its binary format; a plain dump is rewritten instead).
fn pg_archive_refusal(path: &Path) -> crate::Error {
    crate::Error::Usage(format!(
        "{}: a pg_dump custom, directory or tar archive is not rewritten; convert it to a \
         plain SQL dump first (`pg_restore -f plain.sql {}`) and anonymise plain.sql",
        path.display(),
        path.display()
    ))
}

impl Kind {
    /// The name printed in reports and messages (`CSV/TSV`, `SQL dump`).
    pub fn label(self) -> &'static str {
        match self {
            Kind::Delimited => "CSV/TSV",
            Kind::Ndjson => "NDJSON",
            Kind::Parquet => "Parquet",
            Kind::Dump => "SQL dump",
            Kind::Sqlite => "SQLite",
            Kind::Workbook => "workbook",
            Kind::Text => "text",
        }
    }

    /// The table format read for this kind (`None` for text).
    pub fn table_format(self) -> Option<TableFormat> {
        match self {
            Kind::Delimited => Some(TableFormat::Delimited),
            Kind::Ndjson => Some(TableFormat::Ndjson),
            Kind::Parquet => Some(TableFormat::Parquet),
            Kind::Dump => Some(TableFormat::SqlDump),
            Kind::Sqlite => Some(TableFormat::Sqlite),
            Kind::Workbook => Some(TableFormat::Workbook),
            Kind::Text => None,
        }
    }
}

/// The output name of `input` inside a directory: its file name (without `.gz`), with the
/// extension of `to` when given; a workbook that is no `.xlsx` (`.xls`, `.ods`) gets `.xlsx`,
/// the format it is written in.
pub fn output_name(input: &Path, to: Option<OutFormat>) -> PathBuf {
    let name = input.file_name().map(PathBuf::from).unwrap_or_default();
    let name = if name
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
    {
        name.with_extension("")
    } else {
        name
    };
    match to {
        Some(f) => name.with_extension(f.extension()),
        None if workbook::written_elsewhere(&name) => name.with_extension("xlsx"),
        None => name,
    }
}

/// Scans an input as the scan command does, to learn its columns' categories.
///
/// # Errors
/// The input could not be read.
pub fn detect(path: &Path, rules: &RuleSet, sample_rows: u64) -> crate::Result<Detection> {
    let opts = crate::pipeline::ScanOptions {
        min_confidence: crate::finding::Confidence::Medium,
        threads: 1,
        tables: crate::pipeline::table::TableOptions {
            sample_rows,
            ..Default::default()
        },
        inline_allow: false,
        ..crate::pipeline::ScanOptions::default()
    };
    let fp = crate::finding::fingerprint::Fingerprinter::with_key(
        b"piiscan-anonymise-detection",
        "none",
    );
    let mut sink = DetectionSink::default();
    crate::pipeline::scan(&[path.to_path_buf()], rules, &opts, &fp, &mut sink, true)
        .map_err(|e| crate::Error::io(path, e))?;
    if let Some((p, why)) = sink.failed.first() {
        return Err(crate::Error::Usage(format!("{p}: {why}")));
    }
    Ok(sink.found)
}

/// Anonymises one input into `output`.
///
/// The output is written through [`crate::atomic`]: a private temporary file in a private
/// folder beside the target, renamed onto it only when written, read back and re-scanned.
///
/// # Errors
/// The output exists (without `force`) or is the input; the policy leaves columns with
/// personal data unnamed (fail-closed); reading, transforming or writing failed (the message
/// names the input, the output, and the table and row where there is one); the rows read
/// back from the output differ from the rows read. Nothing is left at `output` then.
pub fn anonymise(
    input: &Path,
    output: &Path,
    policy: &Policy,
    rules: &std::sync::Arc<RuleSet>,
    opts: &Options,
) -> crate::Result<FileReport> {
    let kind = kind_of(input)?;
    // `spans` entries get their rewriter over these rules, with counts for this input only.
    let policy = &policy.bind_spans(rules);
    let rules: &RuleSet = rules;
    let to = match (kind, opts.to) {
        (Kind::Delimited | Kind::Ndjson | Kind::Parquet, to) => to,
        (_, None) => None,
        (k, Some(_)) => {
            return Err(crate::Error::Usage(format!(
                "{}: --to converts CSV, TSV, NDJSON and Parquet; a {} input is written in its own format",
                input.display(),
                k.label()
            )))
        }
    };
    // The command plans every output first (see [`outputs`]); this is the last line of
    // defence for callers of the library.
    if output.symlink_metadata().is_ok() {
        let guard = [(input.to_path_buf(), PathBuf::new())];
        if let Err(why) = outputs::check_single(output, &guard, &[], opts.force) {
            return Err(crate::Error::Usage(why));
        }
    }
    let phase = |what: &str| {
        opts.progress
            .set_message(format!("{}: {what}", input.display()));
    };
    // Every row is read: a column that holds personal data only after row 10,000 is found.
    phase("scanning");
    let found = detect(input, rules, 0)?;
    // A dump's comments and definitions are text, as a text file is.
    let mut missing = plan::unlisted(policy, &found, matches!(kind, Kind::Text | Kind::Dump));
    missing.extend(unlisted_identifiers(input, kind, policy, &found, rules)?);
    if !missing.is_empty() {
        return Err(crate::Error::Usage(format!(
            "{}: the policy does not say what to do with {} place(s) holding personal data \
             (name them, give them method = \"keep\", or set on_unlisted = \"keep\"):\n  {}",
            input.display(),
            missing.len(),
            missing.join("\n  ")
        )));
    }
    let dir = match output.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(|e| crate::Error::io(&dir, e))?;
    let mut tmp =
        crate::atomic::AtomicFile::create(output).map_err(|e| crate::Error::io(&dir, e))?;
    // Errors while writing name the input and the output (the rewriters add table and row).
    let writing = |e: crate::Error| -> crate::Error {
        crate::Error::Usage(format!(
            "{} → {}: {e}; the output was not kept",
            input.display(),
            output.display()
        ))
    };
    let table = crate::source::table::stem(input);
    let open = || -> crate::Result<Box<dyn std::io::Read + Send>> {
        Ok(Box::new(crate::progress::ProgressReader::new(
            open_decoded(input)?,
            opts.progress.clone(),
        )))
    };
    phase("rewriting");
    let mut notes = Vec::new();
    let (tables, text_outcome) = write_output(
        kind, to, input, &mut tmp, &open, &table, policy, &found, rules, opts, &mut notes,
    )
    .map_err(writing)?;
    // A place the policy gives a method must have been transformed by the rewriter: a nested
    // field (`klant.bsn`, `tags[]`, `orders[].email`) or a field beyond the header of a
    // CSV row is seen by the scan but not by the rewriter, and is refused by name.
    let skipped = untransformed(policy, &found, &tables);
    if !skipped.is_empty() {
        return Err(crate::Error::Usage(format!(
            "{}: the policy names {} place(s) that the {} rewriter cannot transform (nested \
             fields, list elements, or fields beyond the header of a row); nothing was written. \
             Flatten them into columns of their own first:\n  {}",
            input.display(),
            skipped.len(),
            kind.label(),
            skipped.join("\n  ")
        )));
    }

    // Verify: the rows read back equal the rows read.
    phase("verifying");
    let out_kind = match to {
        Some(OutFormat::Csv | OutFormat::Tsv) => Kind::Delimited,
        Some(OutFormat::Ndjson) => Kind::Ndjson,
        Some(OutFormat::Parquet) => Kind::Parquet,
        None => kind,
    };
    let read_back = |e: std::io::Error| {
        crate::Error::Usage(format!(
            "{} → {}: reading the output back: {e}; the output was not kept",
            input.display(),
            output.display()
        ))
    };
    let mut rows_verified = Vec::new();
    match out_kind.table_format() {
        Some(format) => {
            rows_verified = if format == TableFormat::Delimited && tables.len() == 1 {
                let records = verify::count_csv_records(tmp.path()).map_err(read_back)?;
                let header = u64::from(tables[0].header);
                vec![(tables[0].table.clone(), records.saturating_sub(header))]
            } else {
                verify::count_rows(tmp.path(), format).map_err(read_back)?
            };
            // A flat file's table is named after the file.
            if tables.len() == 1 && rows_verified.len() == 1 {
                rows_verified[0].0 = tables[0].table.clone();
            }
            for t in &tables {
                let back = rows_verified
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(&t.table) || tables.len() == 1)
                    .map(|(_, n)| *n)
                    .unwrap_or(0);
                if t.rows_in != t.rows_out || (t.rows_in != back && !(t.rows_in == 0 && back == 0))
                {
                    return Err(crate::Error::Usage(format!(
                        "{} → {}: table {}: {} rows read, {} written, {} read back; the output was not kept",
                        input.display(),
                        output.display(),
                        t.table,
                        t.rows_in,
                        t.rows_out,
                        back
                    )));
                }
            }
        }
        None => {
            if let Some(t) = &text_outcome {
                let lines = verify::count_lines(tmp.path()).map_err(read_back)?;
                if lines != t.lines_in {
                    return Err(crate::Error::Usage(format!(
                        "{} → {}: {} lines read, {} read back; the output was not kept",
                        input.display(),
                        output.display(),
                        t.lines_in,
                        lines
                    )));
                }
                rows_verified.push(("lines".into(), lines));
            }
        }
    }
    // Re-scan every row of every column of every table of the output: personal data in a
    // column that was not transformed (and that the policy does not keep) fails it too.
    let leftovers = match out_kind.table_format() {
        Some(format) => {
            let single = tables.len() == 1;
            // Every column of every table is read back; a transformed column is watched for
            // its mask character.
            let wanted = |table: &str, column: &str| {
                let mask_char = tables
                    .iter()
                    .filter(|t| single || t.table.eq_ignore_ascii_case(table))
                    .flat_map(|t| &t.columns)
                    .find(|c| c.method != "drop" && c.column.eq_ignore_ascii_case(column))
                    .and_then(|c| c.mask_char);
                Some(verify::Watch { mask_char })
            };
            let (after, text_after) =
                verify::census(tmp.path(), format, rules, &wanted).map_err(read_back)?;
            let mut leftovers = table_leftovers(&found, &after, &tables, policy, rules);
            // A dump's text: every span still there (one in an identifier, which is never
            // rewritten) is a leftover unless its method keeps that form.
            leftovers.extend(text_leftovers(&text_after, text_outcome.as_ref(), policy));
            leftovers
        }
        None => {
            let after = text::census(tmp.path(), policy, rules).map_err(read_back)?;
            text_leftovers(&after, text_outcome.as_ref(), policy)
        }
    };
    // The output gets the input's permissions (a temporary file is private to its owner).
    if let Ok(meta) = std::fs::metadata(input) {
        let _ = std::fs::set_permissions(tmp.path(), meta.permissions());
    }
    let replace = if opts.force {
        crate::atomic::Replace::Yes
    } else {
        crate::atomic::Replace::No
    };
    // Fail closed: an output the re-scan finds unexpected personal data in is not kept (the
    // temporary file goes with `tmp`), so no copy of that data is left for a job to publish.
    let written = !leftovers.iter().any(|l| !l.expected);
    if written {
        tmp.commit(replace)
            .map_err(|e| crate::Error::io(output, e))?;
    }
    Ok(FileReport {
        written,
        input: input.display().to_string(),
        output: output.display().to_string(),
        kind,
        tables,
        text: text_outcome,
        rows_verified,
        leftovers,
        cell_spans: policy.span_reports(),
        notes,
    })
}

/// The columns no policy entry names that hold checksum-validated identifiers (BSN, IBAN,
/// payment card, Belgian national number, VAT numbers) in any row and at any confidence: a
/// bare BSN in a column called `ref` is `low` for the scanner, and still a BSN. Fail-closed
/// for the anonymiser (unless `on_unlisted = "keep"`): one line per column, naming the
/// category, the number of cells and the first row.
fn unlisted_identifiers(
    input: &Path,
    kind: Kind,
    policy: &Policy,
    found: &Detection,
    rules: &RuleSet,
) -> crate::Result<Vec<String>> {
    let Some(format) = kind.table_format() else {
        return Ok(Vec::new());
    };
    if policy.keep_unlisted {
        return Ok(Vec::new());
    }
    let unnamed = |table: &str, column: &str| {
        let d = found.column(table, column);
        policy
            .for_column(table, column, &d)
            .is_none()
            .then(verify::Watch::default)
    };
    let ids = verify::checksum_census(input, format, rules, &unnamed)
        .map_err(|e| crate::Error::io(input, e))?;
    let mut lines: Vec<String> = Vec::new();
    for ((table, column), categories) in &ids {
        for (category, n) in categories {
            let line = format!(
                "{table}.{column} ({category}: {} checksum-validated value(s), the first in row {}; \
                 validated identifiers count at any confidence)",
                n.cells, n.first_row
            );
            if !lines.contains(&line) {
                lines.push(line);
            }
        }
    }
    lines.sort();
    // A column the column verdicts named already is not named twice.
    lines.retain(|l| {
        !found.verdicts.iter().any(|v| {
            l.starts_with(&format!(
                "{}.{} ({}:",
                v.table.to_lowercase(),
                v.column.to_lowercase(),
                v.category
            ))
        })
    });
    Ok(lines)
}

/// Opens an input as UTF-8 text: decompressed, decoded from its encoding, after its byte
/// order mark (which is not data: [`keeps_bom`] writes one back where the output is the same
/// kind of text).
fn open_decoded(input: &Path) -> crate::Result<Box<dyn std::io::Read + Send>> {
    let mut o = crate::source::open::open_path(input).map_err(|e| crate::Error::io(input, e))?;
    let (enc, bom) = match o.sniffed {
        crate::source::sniff::Sniffed::Text { encoding, bom } => (encoding, bom),
        crate::source::sniff::Sniffed::Binary => (crate::source::decode::Encoding::Utf8, 0),
    };
    crate::source::open::read_up_to(&mut o.reader, bom).map_err(|e| crate::Error::io(input, e))?;
    Ok(Box::new(crate::source::decode::DecodingReader::new(
        o.reader, enc,
    )))
}

/// Opens a SQL dump for its byte-preserving rewrite: its 8-bit text (UTF-8 or the charset
/// it declares, and the raw bytes of binary values, which a MySQL dump without --hex-blob
/// holds) is never transcoded; only UTF-16 is decoded.
fn open_dump(input: &Path) -> crate::Result<Box<dyn std::io::Read + Send>> {
    use crate::source::decode::{DecodingReader, Encoding};
    use crate::source::sniff::Sniffed;
    let mut o = crate::source::open::open_path(input).map_err(|e| crate::Error::io(input, e))?;
    match o.sniffed {
        Sniffed::Text { encoding, bom }
            if matches!(encoding, Encoding::Utf16Le | Encoding::Utf16Be) =>
        {
            crate::source::open::read_up_to(&mut o.reader, bom)
                .map_err(|e| crate::Error::io(input, e))?;
            Ok(Box::new(DecodingReader::new(o.reader, encoding)))
        }
        Sniffed::Text { bom, .. } => {
            crate::source::open::read_up_to(&mut o.reader, bom)
                .map_err(|e| crate::Error::io(input, e))?;
            Ok(o.reader)
        }
        Sniffed::Binary => Ok(o.reader),
    }
}

/// Writes the transformed input into the temporary output.
#[allow(clippy::too_many_arguments)]
fn write_output(
    kind: Kind,
    to: Option<OutFormat>,
    input: &Path,
    tmp: &mut crate::atomic::AtomicFile,
    open: &dyn Fn() -> crate::Result<Box<dyn std::io::Read + Send>>,
    table: &str,
    policy: &Policy,
    found: &Detection,
    rules: &RuleSet,
    opts: &Options,
    notes: &mut Vec<String>,
) -> crate::Result<(Vec<TableOutcome>, Option<text::TextOutcome>)> {
    let tmp_path = tmp.path().to_path_buf();
    let mut tables = Vec::new();
    let mut text_outcome = None;
    if kind == Kind::Sqlite {
        // The copy goes into the private file (a plain copy would take the input's mode), and
        // SQLite's journal beside it, in the private folder.
        let mut from = std::fs::File::open(input).map_err(|e| crate::Error::io(input, e))?;
        std::io::copy(&mut from, tmp.file_mut()).map_err(|e| crate::Error::io(&tmp_path, e))?;
        tmp.file_mut()
            .sync_all()
            .map_err(|e| crate::Error::io(&tmp_path, e))?;
        // Rows committed to the write-ahead log (or a transaction cut short) are part of the
        // database: its side files go beside the copy, where SQLite replays them.
        let sides = crate::source::table::sqlite::live_sides(input)
            .map_err(|e| crate::Error::io(input, e))?;
        for (side, path) in sides {
            let mut to = tmp_path.clone().into_os_string();
            to.push(side.suffix());
            std::fs::copy(&path, &to).map_err(|e| crate::Error::io(&path, e))?;
        }
        let triggers;
        (tables, triggers) = sqlite::rewrite(&tmp_path, policy, found)?;
        if triggers > 0 {
            notes.push(format!(
                "{triggers} trigger(s) were set aside while rewriting (so none copied a value) \
                 and put back unchanged"
            ));
        }
        return Ok((tables, None));
    }
    let file = tmp.file_mut();
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    if keeps_bom(kind, to, input)? {
        w.write_all(UTF8_BOM)
            .map_err(|e| crate::Error::Usage(format!("writing: {e}")))?;
    }
    match (kind, to) {
        (Kind::Delimited, to) => {
            let convert = match to {
                None => delimited::Convert::Delimited(None),
                Some(OutFormat::Csv) => delimited::Convert::Delimited(Some(b',')),
                Some(OutFormat::Tsv) => delimited::Convert::Delimited(Some(b'\t')),
                Some(OutFormat::Ndjson) => delimited::Convert::Ndjson,
                Some(OutFormat::Parquet) => delimited::Convert::Parquet,
            };
            // Parquet columns get the types of their values: a pass over the input first.
            let types = match convert {
                delimited::Convert::Parquet => {
                    delimited::infer_types(&mut *open_decoded(input)?, table)?
                }
                _ => Vec::new(),
            };
            let mut r = open()?;
            tables.push(delimited::rewrite(
                &mut *r,
                &mut w,
                policy,
                found,
                table,
                convert,
                opts.threads,
                &types,
            )?);
        }
        (Kind::Ndjson, None | Some(OutFormat::Ndjson)) => {
            let mut r = open()?;
            tables.push(ndjson::rewrite(&mut *r, &mut w, policy, found, table)?);
        }
        (Kind::Ndjson, Some(f)) => {
            let mut sink = row_sink(f, &mut w)?;
            tables.push(ndjson::convert(&open, sink.as_mut(), policy, found, table)?);
        }
        #[cfg(feature = "parquet")]
        (Kind::Parquet, None | Some(OutFormat::Parquet)) => {
            tables.push(parquet::rewrite(
                input,
                parquet::Target::Parquet(&mut w),
                policy,
                found,
                table,
            )?);
        }
        #[cfg(feature = "parquet")]
        (Kind::Parquet, Some(f)) => {
            let mut sink = row_sink(f, &mut w)?;
            tables.push(parquet::rewrite::<
                &mut std::io::BufWriter<&mut std::fs::File>,
            >(
                input,
                parquet::Target::Rows(sink.as_mut()),
                policy,
                found,
                table,
            )?);
        }
        #[cfg(not(feature = "parquet"))]
        (Kind::Parquet, _) => {
            return Err(crate::Error::Usage(format!(
                "{}: this piiscan was built without Parquet support",
                input.display()
            )))
        }
        (Kind::Dump, _) => {
            let mut r =
                crate::progress::ProgressReader::new(open_dump(input)?, opts.progress.clone());
            (tables, text_outcome) = dump::rewrite(&mut r, &mut w, policy, rules, found)?;
        }
        (Kind::Sqlite, _) => {}
        (Kind::Workbook, _) => {
            let (sheets, written) = workbook::rewrite(input, &mut w, policy, found)?;
            tables = sheets;
            notes.extend(written);
        }
        (Kind::Text, _) => {
            let mut r = open()?;
            text_outcome = Some(text::rewrite(
                &mut *r,
                &mut w,
                policy,
                rules,
                &input.display().to_string(),
            )?);
        }
    }
    w.flush()
        .map_err(|e| crate::Error::Usage(format!("writing: {e}")))?;
    Ok((tables, text_outcome))
}

/// The UTF-8 byte order mark.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Does the output start with a UTF-8 byte order mark: when the input starts with a byte
/// order mark and the output is the same kind of text (a CSV or TSV written as CSV or TSV, a
/// text file, a UTF-8 dump), so a CSV that Dutch Excel opened as UTF-8 still opens so. The
/// output is UTF-8 whatever the input's encoding was; NDJSON and Parquet get none.
fn keeps_bom(kind: Kind, to: Option<OutFormat>, input: &Path) -> crate::Result<bool> {
    use crate::source::decode::Encoding;
    use crate::source::sniff::Sniffed;
    let same_text = match kind {
        Kind::Delimited => matches!(to, None | Some(OutFormat::Csv | OutFormat::Tsv)),
        Kind::Text | Kind::Dump => true,
        Kind::Ndjson | Kind::Parquet | Kind::Sqlite | Kind::Workbook => false,
    };
    if !same_text {
        return Ok(false);
    }
    let opened = crate::source::open::open_path(input).map_err(|e| crate::Error::io(input, e))?;
    Ok(match opened.sniffed {
        // A dump is rewritten byte for byte; only UTF-16 is decoded (to UTF-8, without one).
        Sniffed::Text { encoding, bom } if kind == Kind::Dump => {
            bom > 0 && encoding == Encoding::Utf8
        }
        Sniffed::Text { bom, .. } => bom > 0,
        Sniffed::Binary => false,
    })
}

fn row_sink<'w, W: Write + 'w>(f: OutFormat, w: W) -> crate::Result<Box<dyn rows::RowSink + 'w>> {
    Ok(match f {
        OutFormat::Csv => Box::new(rows::CsvRows::new(w, b',')),
        OutFormat::Tsv => Box::new(rows::CsvRows::new(w, b'\t')),
        OutFormat::Ndjson => Box::new(rows::NdjsonRows::new(w)),
        #[cfg(feature = "parquet")]
        OutFormat::Parquet => Box::new(rows::ParquetRows::new(w)),
        #[cfg(not(feature = "parquet"))]
        OutFormat::Parquet => {
            return Err(crate::Error::Usage(
                "this piiscan was built without Parquet support".into(),
            ))
        }
    })
}

/// The categories the pre-scan gave a column as a whole (its verdicts).
fn own_categories(before: &Detection, table: &str, column: &str) -> Vec<String> {
    before
        .verdicts
        .iter()
        .filter(|v| v.table.eq_ignore_ascii_case(table) && v.column.eq_ignore_ascii_case(column))
        .map(|v| v.category.clone())
        .collect()
}

/// Places the policy gives a method (other than `keep`) that the pre-scan saw with personal
/// data but the rewriter did not transform: `table.column (entry)` lines.
fn untransformed(policy: &Policy, found: &Detection, tables: &[TableOutcome]) -> Vec<String> {
    let single = tables.len() == 1;
    let mut places: Vec<&(String, String)> = found.columns.keys().collect();
    places.sort();
    let mut out = Vec::new();
    for key in places {
        let (table, column) = key;
        let d = &found.columns[key];
        let Some(entry) = policy.for_column(table, column, d) else {
            continue;
        };
        if matches!(entry.op, transform::Op::Keep) {
            continue;
        }
        let done = tables.iter().any(|t| {
            (single || t.table.eq_ignore_ascii_case(table))
                && t.columns
                    .iter()
                    .any(|c| c.column.eq_ignore_ascii_case(column))
        });
        if !done {
            let name = found
                .verdicts
                .iter()
                .find(|v| {
                    v.table.eq_ignore_ascii_case(table) && v.column.eq_ignore_ascii_case(column)
                })
                .map_or_else(
                    || format!("{table}.{column}"),
                    |v| format!("{}.{}", v.table, v.column),
                );
            out.push(format!(
                "{name} ({}, method {})",
                entry.describe,
                entry.op.name()
            ));
        }
    }
    out
}

/// Adds `n` cells of `category` to the leftover of `place` with this expectation.
fn add_leftover(
    out: &mut Vec<verify::Leftover>,
    place: &str,
    method: &str,
    category: &str,
    n: u64,
    expected: bool,
    kept_whole: u64,
) {
    if n == 0 {
        return;
    }
    match out
        .iter_mut()
        .find(|l| l.place == place && l.expected == expected)
    {
        Some(l) => *l.categories.entry(category.to_string()).or_insert(0) += n,
        None => out.push(verify::Leftover {
            place: place.to_string(),
            method: method.to_string(),
            categories: BTreeMap::from([(category.to_string(), n)]),
            expected,
            kept_whole,
        }),
    }
}

/// What the re-scan of every column found. In a transformed column a category is expected
/// only in cells that are wholly the method's own kept form (a truncated IP address); a
/// value kept because the method could not read it (`on_invalid = "keep"`) never is. In a
/// column left as it was, anything found is unexpected unless the policy keeps the column
/// (`method = "keep"`, or `on_unlisted = "keep"` for a column no entry names). A column where
/// the method left values as they were (a `mask` whose kept characters cover the value), or
/// where a masked column's value is found with no mask character in it, holds the input's
/// own values, and that is never expected.
fn table_leftovers(
    before: &Detection,
    after: &verify::Census,
    tables: &[TableOutcome],
    policy: &Policy,
    rules: &RuleSet,
) -> Vec<verify::Leftover> {
    let single = tables.len() == 1;
    let mut places: Vec<_> = after.iter().collect();
    places.sort_by(|a, b| a.0.cmp(b.0));
    let mut out: Vec<verify::Leftover> = Vec::new();
    for ((table, column), categories) in places {
        let outcome = tables
            .iter()
            .find(|t| single || t.table.eq_ignore_ascii_case(table));
        let table_name = outcome.map_or(table.as_str(), |t| t.table.as_str());
        let transformed = outcome.and_then(|t| {
            t.columns
                .iter()
                .find(|c| c.column.eq_ignore_ascii_case(column))
        });
        match transformed {
            Some(c) => {
                if c.method == "drop" {
                    continue;
                }
                let own = own_categories(before, table_name, &c.column);
                let place = format!("{table_name}.{}", c.column);
                for (cat, n) in categories {
                    let raw = c.kept_whole > 0 || (c.mask_char.is_some() && n.unmasked > 0);
                    let kept = match c.kept_form {
                        // Inside free text, a span's kept form is never the whole cell.
                        transform::KeptForm::Spans if spans::keeps_category(policy, rules, cat) => {
                            n.cells
                        }
                        k if k.expects(cat, &own) => n.whole,
                        _ => 0,
                    };
                    let kept = if raw { 0 } else { kept };
                    let w = c.kept_whole;
                    add_leftover(&mut out, &place, &c.method, cat, kept, true, w);
                    add_leftover(&mut out, &place, &c.method, cat, n.cells - kept, false, w);
                }
            }
            None => {
                let d = before.column(table_name, column);
                let kept = match policy.for_column(table_name, column, &d) {
                    Some(e) => matches!(e.op, transform::Op::Keep),
                    None => policy.keep_unlisted,
                };
                if kept {
                    continue;
                }
                let name = before
                    .verdicts
                    .iter()
                    .find(|v| {
                        v.table.eq_ignore_ascii_case(table_name)
                            && v.column.eq_ignore_ascii_case(column)
                    })
                    .map_or(column.as_str(), |v| v.column.as_str());
                let place = format!("{table_name}.{name}");
                for (cat, n) in categories {
                    add_leftover(
                        &mut out,
                        &place,
                        "none (left as it was)",
                        cat,
                        n.cells,
                        false,
                        0,
                    );
                }
            }
        }
    }
    out
}

/// What the re-scan of a text output found, per rule: expected only where the rule's method
/// keeps the form of the value (a truncated address) or the policy keeps the rule; a rule no
/// entry names is kept only with `on_unlisted = "keep"`.
fn text_leftovers(
    after: &BTreeMap<String, (String, u64)>,
    text: Option<&text::TextOutcome>,
    policy: &Policy,
) -> Vec<verify::Leftover> {
    let mut out = Vec::new();
    for (rule, (cat, n)) in after {
        let entry = policy.for_rule(rule, cat);
        let span = text.and_then(|t| t.spans.iter().find(|s| s.rule == *rule));
        let kept_whole = span.map_or(0, |s| s.kept_whole);
        let (method, expected) = match (entry, span) {
            (None, _) if policy.keep_unlisted => continue,
            (None, _) => ("none (left as it was)".to_string(), false),
            (Some(e), _) if matches!(e.op, transform::Op::Keep) => (e.op.name().to_string(), true),
            (Some(e), Some(s)) => (
                s.method.clone(),
                s.kept_whole == 0
                    && (s.kept_form.expects(cat, std::slice::from_ref(cat))
                        || e.op.kept_form().expects(cat, std::slice::from_ref(cat))),
            ),
            (Some(e), None) => (
                e.op.name().to_string(),
                e.op.kept_form().expects(cat, std::slice::from_ref(cat)),
            ),
        };
        out.push(verify::Leftover {
            place: format!("text ({rule})"),
            method,
            categories: BTreeMap::from([(cat.clone(), *n)]),
            expected,
            kept_whole,
        });
    }
    out
}
