//! `piiscan subject erase`: finds the person as `subject find` does, plans every output
//! before writing any, writes new files without the person's rows and lines (or with their
//! values replaced by keyed tokens), then checks each output: row counts per table (exactly
//! the person's rows gone, or none for pseudonymise) and a new search that must not find the
//! person. Exit 0: all erased and checked; 1: a check failed; 2: something not written or
//! not read.

use crate::cli::args::SubjectEraseArgs;
use crate::cli::exit::Exit;
use crate::cli::settings::{every_row_options, Settings};
use crate::cli::subject::{search, Found};
use crate::set_threads;
use anyhow::{bail, Context, Result};
use piiscan::finding::Confidence;
use piiscan::names::mask;
use piiscan::report::sanitize::sanitize;
use piiscan::subject::erase::{self, EraseError, Job, Method, Tokens};
use piiscan::subject::erase_sql::{self, Dialect as SqlDialect, TableRows};
use piiscan::subject::Output;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One input in the report (names masked, never a value).
#[derive(Debug, Serialize)]
struct Entry {
    input: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    output: Option<String>,
    /// `erased`, `refused` or `check failed`.
    status: String,
    rows: BTreeMap<String, u64>,
    lines: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    why: Option<String>,
}

#[derive(Debug, Serialize)]
struct Report {
    method: String,
    inputs: Vec<Entry>,
    not_read: Vec<(String, String)>,
}

fn shown(p: &str) -> String {
    sanitize(&mask(p)).to_string()
}

/// The path of `input` below the argument it was found under (its name for a file argument).
fn relative(input: &Path, arguments: &[PathBuf]) -> PathBuf {
    for a in arguments {
        if a.is_dir() {
            if let Ok(rel) = input.strip_prefix(a) {
                return rel.to_path_buf();
            }
        } else if a == input {
            break;
        }
    }
    input
        .file_name()
        .map(PathBuf::from)
        .unwrap_or_else(|| input.to_path_buf())
}

fn tokens(args: &SubjectEraseArgs) -> Result<Tokens> {
    use piiscan::anonymise::keys::check_material;
    use piiscan::finding::fingerprint::KEY_ENV;
    let (text, source) = match &args.key_file {
        Some(p) => (
            std::fs::read_to_string(p).with_context(|| format!("{}", p.display()))?,
            format!("--key-file {}", p.display()),
        ),
        None => match std::env::var(KEY_ENV) {
            Ok(v) => (v, KEY_ENV.to_string()),
            Err(_) => bail!(
                "--method pseudonymise needs a key: --key-file FILE or {KEY_ENV} (tokens are never made without one)"
            ),
        },
    };
    check_material(text.as_bytes(), &source)?;
    Ok(Tokens::new(text.trim().as_bytes()))
}

/// Runs `piiscan subject erase`.
pub fn run(args: SubjectEraseArgs) -> Result<Exit> {
    let settings = Settings::resolve(&args.scope, &args.paths)?;
    let rules = &settings.rules;
    let (subject, subject_file) = args.who.load(rules)?;
    let method = if args.method == "pseudonymise" {
        Method::Pseudonymise
    } else {
        Method::Delete
    };
    let tokens = match method {
        Method::Pseudonymise => Some(tokens(&args)?),
        Method::Delete => None,
    };
    let mut opts = every_row_options(&settings, &args.scope, "subject erase")?;
    opts.min_confidence = Confidence::Low;
    set_threads(&mut opts, args.threads)?;
    let found = search(
        &args.paths,
        rules,
        &opts,
        &subject,
        &subject_file,
        args.follow,
        std::io::sink(),
        Output::Text,
        true,
        args.quiet,
    )?;
    let mut not_read = found.summary.not_read.clone();
    not_read.extend(
        found
            .walk_skips
            .iter()
            .filter(|k| k.counts)
            .map(|k| (k.path.clone(), k.why.clone())),
    );

    // What to remove, input by input.
    let mut jobs: BTreeMap<String, Job> = BTreeMap::new();
    let mut named: BTreeMap<String, String> = BTreeMap::new();
    for (path, table, row) in found.rows.keys() {
        jobs.entry(path.clone())
            .or_default()
            .rows
            .insert((table.clone(), *row));
    }
    for p in &found.kept {
        match (&p.table, p.row, p.line) {
            (Some(_), Some(_), _) => {}
            (None, None, Some(line)) if p.matched => {
                let job = jobs.entry(p.path.clone()).or_default();
                job.lines
                    .entry(line)
                    .or_default()
                    .push((p.rule.clone(), p.value.clone().unwrap_or_default()));
            }
            _ => {
                named.insert(
                    p.path.clone(),
                    "the person's identifier is in a name (of the file, a table or a column)"
                        .to_string(),
                );
            }
        }
    }
    // Live databases: statements for a person to run, never a write by piiscan.
    let databases: BTreeMap<String, BTreeMap<String, TableRows>> = jobs
        .keys()
        .filter(|p| piiscan::source::database::is_database_url(p))
        .map(|db| (db.clone(), database_rows(db, &found)))
        .collect();
    for db in databases.keys() {
        jobs.remove(db);
    }
    let inputs: Vec<(PathBuf, PathBuf)> = jobs
        .keys()
        .map(|p| (PathBuf::from(p), relative(Path::new(p), &args.paths)))
        .collect();

    // Plan every output before writing any.
    let mut conflicts = Vec::new();
    let out_real = piiscan::anonymise::outputs::resolve(&args.out);
    for a in args.paths.iter().filter(|a| a.is_dir()) {
        if out_real.starts_with(piiscan::anonymise::outputs::resolve(a)) {
            conflicts.push(format!(
                "{}: the output folder is inside the input folder {}",
                args.out.display(),
                shown(&a.to_string_lossy())
            ));
        }
    }
    if args.out.is_file() {
        conflicts.push(format!(
            "{}: is a file; --out names a folder",
            args.out.display()
        ));
    }
    let protected = [subject_file.clone()];
    if let Some(r) = &args.report {
        if let Err(e) = piiscan::anonymise::outputs::check_single(r, &inputs, &protected, true) {
            conflicts.push(shown(&e));
        }
    }
    if let Some(f) = &args.sql {
        if f.as_os_str() != "-" {
            if let Err(e) = piiscan::anonymise::outputs::check_single(f, &inputs, &protected, false)
            {
                conflicts.push(shown(&e).replace(
                    "exists already (use --force to replace it)",
                    "exists already; erase never replaces a file",
                ));
            }
        }
        // Standard output too: two databases' statements one after the other would be run
        // against one database.
        if databases.len() > 1 {
            conflicts.push(format!(
                "--sql {}: the person is in {} databases; erase them one per run (each file is run against one database)",
                f.display(),
                databases.len()
            ));
        }
    }
    for (input, rel) in &inputs {
        let output = args.out.join(rel);
        if let Err(e) =
            piiscan::anonymise::outputs::check_single(&output, &inputs, &protected, false)
        {
            conflicts.push(shown(&e).replace(
                "exists already (use --force to replace it)",
                "exists already; erase never replaces a file (choose another --out)",
            ));
        }
        let key = input.to_string_lossy().to_string();
        if let Some(job) = jobs.get_mut(&key) {
            job.input = input.clone();
            job.output = output;
            // The person's matched cells, for pseudonymise, beside the personal-data columns.
            for p in found.kept.iter().filter(|p| p.path == key) {
                if let (Some(t), Some(c), Some(_)) = (&p.table, &p.column, p.row) {
                    let cols = job.data_columns.entry(t.clone()).or_default();
                    if !cols.iter().any(|(k, _)| k == c) {
                        cols.push((c.clone(), p.rule.clone()));
                    }
                }
            }
            for ((path, table), cols) in &found.data {
                if path == &key {
                    let have = job.data_columns.entry(table.clone()).or_default();
                    for (c, r, _) in cols {
                        if !have.iter().any(|(k, _)| k == c) {
                            have.push((c.clone(), r.clone()));
                        }
                    }
                }
            }
        }
    }
    if !conflicts.is_empty() {
        for c in &conflicts {
            eprintln!("piiscan: {c}");
        }
        eprintln!("piiscan: nothing was written");
        return Ok(Exit::Incomplete);
    }

    // Write.
    let mut entries = Vec::new();
    let mut written: Vec<(String, erase::Outcome, PathBuf, usize)> = Vec::new();
    for (path, job) in &jobs {
        let mut entry = Entry {
            input: shown(path),
            output: None,
            status: "refused".into(),
            rows: BTreeMap::new(),
            lines: 0,
            why: None,
        };
        if let Some(why) = named.get(path) {
            entry.why = Some(why.clone());
            entries.push(entry);
            continue;
        }
        match erase::erase(job, method, tokens.as_ref()) {
            Ok(outcome) => {
                entry.status = "erased".into();
                entry.output = Some(shown(&job.output.to_string_lossy()));
                entry.rows = outcome.rows.clone();
                entry.lines = outcome.lines;
                written.push((path.clone(), outcome, job.output.clone(), entries.len()));
            }
            Err(EraseError::Refused(why)) => entry.why = Some(why),
            Err(EraseError::Io(e)) => entry.why = Some(format!("not written: {e}")),
        }
        entries.push(entry);
    }

    for (db, tables) in &databases {
        let mut entry = Entry {
            input: shown(db),
            output: None,
            status: "refused".into(),
            rows: tables.iter().map(|(t, r)| (t.clone(), r.rows)).collect(),
            lines: 0,
            why: None,
        };
        match (method, &args.sql) {
            (Method::Pseudonymise, _) => {
                entry.why = Some("a live database: pseudonymise is not offered there (its keyed tokens would need the key inside the database); use --method delete for statements to run".into())
            }
            (Method::Delete, None) => {
                entry.why = Some("a live database, which piiscan never writes to: --sql FILE writes the statements that delete the person's rows, for a person to review and run".into())
            }
            (Method::Delete, Some(file)) => {
                let dialect = if db.starts_with("postgres") {
                    SqlDialect::Postgres
                } else {
                    SqlDialect::Mysql
                };
                let sql = erase_sql::statements(dialect, &shown(db), tables);
                let wrote = if file.as_os_str() == "-" {
                    use std::io::Write;
                    std::io::stdout()
                        .write_all(sql.as_bytes())
                        .map(|()| "standard output".to_string())
                } else {
                    piiscan::atomic::AtomicFile::create(file)
                        .and_then(|mut f| {
                            use std::io::Write;
                            f.write_all(sql.as_bytes())?;
                            f.commit(piiscan::atomic::Replace::No)
                        })
                        .map(|()| shown(&file.to_string_lossy()))
                };
                match wrote {
                    Ok(to) => {
                        entry.status = "statements written".into();
                        entry.output = Some(to);
                    }
                    Err(e) => entry.why = Some(format!("not written: {e}")),
                }
            }
        }
        entries.push(entry);
    }

    // Check each output: row counts, then a new search.
    for (path, outcome, output, i) in &written {
        let fail = |entries: &mut Vec<Entry>, why: String| {
            entries[*i].status = "check failed".into();
            entries[*i].why = Some(why);
        };
        if !outcome.expected.is_empty() {
            match erase::count_rows(output) {
                Ok(after) if erase::counts_match(&outcome.expected, &after) => {}
                Ok(_) => fail(
                    &mut entries,
                    "the output's row counts are not the input's less the person's rows".into(),
                ),
                Err(e) => fail(
                    &mut entries,
                    format!("the output could not be read again: {e}"),
                ),
            }
        } else if let Ok(before) = std::fs::read(path) {
            let after = std::fs::read(output).unwrap_or_default();
            let lines = |b: &[u8]| b.split_inclusive(|c| *c == b'\n').count() as u64;
            let gone = match method {
                Method::Delete => outcome.lines,
                Method::Pseudonymise => 0,
            };
            if lines(&before) != lines(&after) + gone {
                fail(
                    &mut entries,
                    "the output's line count is not the input's less the person's lines".into(),
                );
            }
        }
    }
    let outputs: Vec<PathBuf> = written.iter().map(|w| w.2.clone()).collect();
    if !outputs.is_empty() {
        let again = search(
            &outputs,
            rules,
            &opts,
            &subject,
            &subject_file,
            args.follow,
            std::io::sink(),
            Output::Text,
            true,
            true,
        )?;
        for (path, outcome, output, i) in &written {
            let _ = (path, outcome);
            let out = output.to_string_lossy();
            let left = again
                .kept
                .iter()
                .any(|p| p.path == out && (method == Method::Delete || p.matched))
                || again
                    .rows
                    .keys()
                    .any(|(p, _, _)| *p == out && method == Method::Delete);
            let unread = again.summary.not_read.iter().any(|(p, _)| *p == out);
            if left {
                entries[*i].status = "check failed".into();
                entries[*i].why = Some("the person is still found in the output".into());
            } else if unread {
                entries[*i].status = "check failed".into();
                entries[*i].why = Some("the output could not be searched again".into());
            }
        }
    }

    // Report.
    for e in &entries {
        let rows: Vec<String> = e
            .rows
            .iter()
            .map(|(t, n)| format!("{n} row(s) of {}", shown(t)))
            .collect();
        let what = match (rows.is_empty(), e.lines) {
            (true, 0) => String::new(),
            (false, 0) => rows.join(", "),
            (true, l) => format!("{l} line(s)"),
            (false, l) => format!("{}, {l} line(s)", rows.join(", ")),
        };
        match (&e.output, e.status.as_str()) {
            (Some(o), "erased") => {
                eprintln!("piiscan: {}: {what} {} -> {o}", e.input, verb(method))
            }
            (Some(o), "statements written") => eprintln!(
                "piiscan: {}: statements deleting {what} written to {o}; review and run them (nothing was changed in the database)",
                e.input
            ),
            (Some(o), _) => eprintln!(
                "piiscan: {}: CHECK FAILED for {o}: {}",
                e.input,
                e.why.as_deref().unwrap_or("")
            ),
            (None, _) => eprintln!(
                "piiscan: {}: {}; nothing written for it",
                e.input,
                e.why.as_deref().unwrap_or("not written")
            ),
        }
    }
    for (path, why) in &not_read {
        eprintln!(
            "piiscan: {}: {why}; the person may be there too",
            shown(path)
        );
    }
    let who = if args.who.subjects.is_some() {
        "anyone of the list"
    } else {
        "the person"
    };
    if entries.is_empty() {
        eprintln!("piiscan: {who} was not found; nothing to erase");
    } else {
        let done = entries.iter().filter(|e| e.status == "erased").count();
        let statements = entries
            .iter()
            .filter(|e| e.status == "statements written")
            .count();
        let to_run = match statements {
            0 => String::new(),
            n => format!(", {n} with statements to run"),
        };
        eprintln!(
            "piiscan: {done} of {} input(s) holding {who} {} and checked{to_run}",
            entries.len(),
            verb(method)
        );
    }
    let failed = entries.iter().any(|e| e.status == "check failed");
    let refused = entries.iter().any(|e| e.status == "refused");
    if let Some(file) = &args.report {
        let report = Report {
            method: args.method.clone(),
            inputs: entries,
            not_read: not_read
                .iter()
                .map(|(p, w)| (shown(p), w.clone()))
                .collect(),
        };
        let json = serde_json::to_vec_pretty(&report)?;
        piiscan::atomic::write_file(file, &json).with_context(|| format!("{}", file.display()))?;
    }
    Ok(if failed {
        Exit::CheckFailed
    } else if refused || !not_read.is_empty() {
        Exit::Incomplete
    } else {
        Exit::Clean
    })
}

/// The person's rows of a live database by table, with the values as the database holds them
/// (from the matched cells the search kept).
fn database_rows(db: &str, found: &Found) -> BTreeMap<String, TableRows> {
    let mut tables: BTreeMap<String, TableRows> = BTreeMap::new();
    for (path, table, _) in found.rows.keys() {
        if path == db {
            tables.entry(table.clone()).or_default().rows += 1;
        }
    }
    for p in found.kept.iter().filter(|p| p.path == db && p.matched) {
        if let (Some(table), Some(column), Some(value)) = (&p.table, &p.column, &p.value) {
            tables
                .entry(table.clone())
                .or_default()
                .columns
                .entry(column.clone())
                .or_default()
                .insert(value.clone());
        }
    }
    tables
}

fn verb(method: Method) -> &'static str {
    match method {
        Method::Delete => "erased",
        Method::Pseudonymise => "pseudonymised",
    }
}
