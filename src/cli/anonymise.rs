//! `piiscan anonymise` and `piiscan risk`: argument handling and the printed report.

use crate::cli::args::AnonymiseArgs;
use crate::cli::exit::Exit;
use crate::load_rules;
use anyhow::{bail, Context, Result};
use piiscan::anonymise::{self, keys::MasterKey, FileReport, OutFormat};
use piiscan::ruleset::{RuleSet, Selection};
use piiscan::source::walk::{walk, Entry, WalkOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Every file under the inputs, with the path it takes below an output directory.
fn files(inputs: &[PathBuf]) -> Result<Vec<(PathBuf, PathBuf)>> {
    let mut out = Vec::new();
    for input in inputs {
        if input.as_os_str() == "-" {
            bail!("anonymise reads files, not standard input");
        }
        for e in walk(std::slice::from_ref(input), &WalkOptions::default()) {
            match e {
                Entry::File { path, .. } => {
                    let rel = if input.is_dir() {
                        path.strip_prefix(input)
                            .map(Path::to_path_buf)
                            .unwrap_or_else(|_| path.clone())
                    } else {
                        PathBuf::from(path.file_name().unwrap_or_default())
                    };
                    out.push((path, rel));
                }
                Entry::Error { path, reason } => bail!("{}: {reason}", path.display()),
                Entry::Database { url } => bail!(
                    "{}: anonymise writes files, never into a database: dump it (pg_dump, \
                     mariadb-dump) and anonymise the dump",
                    url.reference()
                ),
                Entry::Special { path, kind, .. } => {
                    bail!(
                        "{}: is {kind}; special files are never opened",
                        path.display()
                    )
                }
                _ => {}
            }
        }
    }
    Ok(out)
}

pub(crate) fn print_report(out: &mut dyn Write, r: &FileReport) -> std::io::Result<()> {
    writeln!(out, "{} → {} ({})", r.input, r.output, r.kind.label())?;
    let mut keys: Vec<&str> = r
        .tables
        .iter()
        .flat_map(|t| t.columns.iter().filter_map(|c| c.key.as_deref()))
        .chain(
            r.text
                .iter()
                .flat_map(|t| t.spans.iter().filter_map(|s| s.key.as_deref())),
        )
        .chain(r.cell_spans.iter().filter_map(|s| s.key.as_deref()))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    for k in keys {
        writeln!(out, "  key: {k}")?;
    }
    for t in &r.tables {
        writeln!(
            out,
            "  table {}: {} rows in, {} rows out",
            t.table, t.rows_in, t.rows_out
        )?;
        for c in &t.columns {
            writeln!(
                out,
                "    {:<24} {:<21} {:<8} transformed {}, empty {}, unreadable {}  [{}]",
                c.column,
                c.method,
                "",
                c.transformed,
                c.empty,
                c.invalid,
                c.protection.label()
            )?;
            if c.kept_whole > 0 {
                writeln!(
                    out,
                    "    {:<24} {} value(s) came out as they went in: {} did not change them",
                    "", c.kept_whole, c.method
                )?;
            }
        }
    }
    let spans = |out: &mut dyn Write, spans: &[anonymise::text::SpanReport]| {
        for s in spans {
            writeln!(
                out,
                "    {:<24} {:<21} replaced {}, unreadable {}  [{}]",
                s.rule,
                s.method,
                s.replaced,
                s.invalid,
                s.protection.label()
            )?;
        }
        std::io::Result::Ok(())
    };
    if !r.cell_spans.is_empty() {
        writeln!(out, "  spans inside free-text cells:")?;
        spans(out, &r.cell_spans)?;
    }
    if let Some(t) = &r.text {
        writeln!(
            out,
            "  text: {} lines in, {} lines out",
            t.lines_in, t.lines_out
        )?;
        spans(out, &t.spans)?;
    }
    let counts: Vec<String> = r
        .rows_verified
        .iter()
        .map(|(t, n)| format!("{t} {n}"))
        .collect();
    writeln!(
        out,
        "  verified: rows read back equal rows read ({})",
        counts.join(", ")
    )?;
    for n in &r.notes {
        writeln!(out, "  note: {n}")?;
    }
    if r.leftovers.is_empty() {
        writeln!(
            out,
            "  re-scan: no transformed category found again where transforms were applied"
        )?;
    }
    for l in &r.leftovers {
        let cats: Vec<String> = l
            .categories
            .iter()
            .map(|(c, n)| format!("{c} ({n})"))
            .collect();
        let note = if l.expected {
            format!("expected: {} keeps the form of the value", l.method)
        } else if l.kept_whole > 0 {
            format!(
                "NOT EXPECTED: {} left {} value(s) as they were; check the policy",
                l.method, l.kept_whole
            )
        } else {
            "NOT EXPECTED: check the policy".to_string()
        };
        writeln!(
            out,
            "  re-scan: {} still holds {} — {note}",
            l.place,
            cats.join(", ")
        )?;
    }
    if !r.written && r.input == "-" {
        writeln!(
            out,
            "  not usable: the re-scan found personal data the policy does not expect; the \
             output was ended with lines that make psql and mysql fail"
        )?;
    } else if !r.written {
        writeln!(
            out,
            "  not written: the re-scan found personal data the policy does not expect; no \
             output was left on disk"
        )?;
    }
    Ok(())
}

/// Removes what killed runs left beside these outputs, and says so on stderr.
fn remove_stale(targets: &[&Path]) -> Result<()> {
    let mut dirs: Vec<PathBuf> = targets
        .iter()
        .map(|t| match t.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        })
        .collect();
    dirs.sort();
    dirs.dedup();
    for d in dirs {
        let removed = piiscan::atomic::remove_stale(&d)
            .with_context(|| format!("{}: removing what an interrupted run left", d.display()))?;
        for s in removed {
            eprintln!(
                "piiscan: removed {}, left by an interrupted run (process {}, no longer running)",
                s.path.display(),
                s.pid
            );
        }
    }
    Ok(())
}

/// Files that no output may replace: the policy and the key file.
pub(crate) fn protected(args: &AnonymiseArgs) -> Vec<PathBuf> {
    args.policy
        .iter()
        .chain(args.key_file.iter())
        .chain(args.rules.iter())
        .cloned()
        .collect()
}

/// Runs `piiscan anonymise`.
pub fn run(mut args: AnonymiseArgs) -> Result<Exit> {
    // `--format pg_dump|mysqldump` (the command line's contract) names the dump format of
    // standard input, as `--from` does.
    if !matches!(args.format.as_str(), "text" | "json") {
        if args.from.as_deref().is_some_and(|f| f != args.format) {
            bail!(
                "--format {} and --from {} disagree",
                args.format,
                args.from.as_deref().unwrap_or("")
            );
        }
        args.from = Some(std::mem::replace(&mut args.format, "text".to_string()));
    }
    let rules = std::sync::Arc::new(RuleSet::compile(
        load_rules(&args.rules)?,
        &Selection::default(),
    )?);
    let stdin = args.inputs.iter().any(|p| p.as_os_str() == "-");
    if stdin && !args.suggest_policy {
        return crate::cli::pipe::run(&args, &rules);
    }
    if args.from.is_some() {
        bail!("--from names the dump format of standard input; give `-` as the input");
    }
    let inputs = files(&args.inputs)?;
    if inputs.is_empty() {
        bail!("no input files");
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.suggest_policy {
        // Checked before the scan: a policy never replaces an input.
        if let Some(p) = &args.out {
            remove_stale(&[p.as_path()])?;
            if let Err(why) =
                anonymise::outputs::check_single(p, &inputs, &protected(&args), args.force)
            {
                eprintln!("piiscan: {why}");
                return Ok(Exit::Incomplete);
            }
        }
        // One policy for all inputs: what each holds, merged.
        let mut found = anonymise::plan::Detection::default();
        // Tables of dumps, SQLite and workbooks (typed columns: a date cell stays a date), so
        // a CSV's column gets the same method whatever other inputs are given.
        let mut typed = std::collections::HashSet::new();
        for (path, _) in &inputs {
            let f = anonymise::detect(path, &rules, args.sample_rows.unwrap_or(10_000))?;
            if matches!(
                anonymise::kind_of(path)?,
                anonymise::Kind::Dump | anonymise::Kind::Sqlite | anonymise::Kind::Workbook
            ) {
                typed.extend(f.verdicts.iter().map(|v| v.table.to_lowercase()));
            }
            found.verdicts.extend(f.verdicts);
            for (key, d) in f.columns {
                let merged = found.columns.entry(key).or_default();
                for r in d.value_rules {
                    if !merged.value_rules.contains(&r) {
                        merged.value_rules.push(r);
                    }
                }
            }
            for (rule, (category, n)) in f.text {
                found.text.entry(rule).or_insert((category, 0)).1 += n;
            }
        }
        let names: Vec<String> = args
            .inputs
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        let text = anonymise::suggest::policy(&names.join(", "), &found, &typed);
        match &args.out {
            Some(p) => {
                piiscan::atomic::write_file(p, text.as_bytes())
                    .with_context(|| format!("writing {}", p.display()))?;
                eprintln!(
                    "piiscan: wrote a starter policy to {}; review it before use",
                    p.display()
                );
            }
            None => out.write_all(text.as_bytes())?,
        }
        return Ok(Exit::Clean);
    }
    let (Some(policy_path), Some(out_path)) = (&args.policy, &args.out) else {
        bail!("--policy and --out are needed (--out may be left out only for `-`, standard input)");
    };
    let to = args.to.as_deref().and_then(OutFormat::parse);
    // Every output is planned, and every conflict named, before anything is written.
    let protected = protected(&args);
    // The master key first: it keys the tokens that replace personal data in output names.
    let master = MasterKey::load(args.key_file.as_deref())?;
    let names = match &master {
        Some(m) => anonymise::names::NameKey::keyed(m),
        None => anonymise::names::NameKey::none(),
    };
    let planned = anonymise::outputs::plan(&anonymise::outputs::Request {
        arguments: &args.inputs,
        files: &inputs,
        out: out_path,
        to,
        force: args.force,
        protected: &protected,
        names: &names,
    });
    let planned = match planned {
        Ok(p) => p,
        Err(conflicts) => {
            for c in &conflicts {
                eprintln!("piiscan: {}", piiscan::names::mask(c));
            }
            eprintln!(
                "piiscan: {} conflict(s) in the outputs; nothing was written",
                conflicts.len()
            );
            return Ok(Exit::Incomplete);
        }
    };
    let targets: Vec<&Path> = planned.iter().map(|p| p.output.as_path()).collect();
    remove_stale(&targets)?;
    let policy = anonymise::policy::load(policy_path, master.as_ref())?;
    let threads = match args.threads {
        Some(0) => bail!("--threads must be at least 1"),
        Some(n) => n,
        None => std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
    };
    // A bar over the bytes of every input, on a terminal only (as on `scan`).
    let sizes: Vec<u64> = planned
        .iter()
        .map(|p| std::fs::metadata(&p.input).map(|m| m.len()).unwrap_or(0))
        .collect();
    let progress = piiscan::progress::Progress::new(sizes.iter().sum(), args.quiet);
    let opts = anonymise::Options {
        to,
        force: args.force,
        threads,
        progress: progress.clone(),
    };
    let mut failed = 0usize;
    let mut leftovers = false;
    let mut reports = Vec::new();
    let mut done_bytes = 0u64;
    for (
        i,
        anonymise::outputs::Planned {
            input,
            output: target,
        },
    ) in planned.iter().enumerate()
    {
        progress.set_position(done_bytes);
        let result = anonymise::anonymise(input, target, &policy, &rules, &opts);
        done_bytes += sizes[i];
        progress.set_position(done_bytes);
        progress.set_files(i + 1, planned.len());
        match result.map(anonymise::FileReport::shown) {
            Ok(report) => {
                leftovers |= report.has_unexpected_leftovers();
                let risk = if args.quasi.is_empty() || !report.written {
                    None
                } else {
                    let format = anonymise::kind_of(target)
                        .ok()
                        .and_then(|k| k.table_format());
                    match format {
                        Some(f) => Some(anonymise::risk::risk(
                            target,
                            f,
                            &anonymise::risk::RiskQuery {
                                quasi: args.quasi.clone(),
                                entity: args.entity.clone(),
                                sensitive: None,
                            },
                        )?),
                        None => bail!("--quasi needs a table output; {} is text", target.display()),
                    }
                };
                if args.format == "json" {
                    reports.push(serde_json::json!({ "file": report, "risk": risk }));
                } else {
                    progress.suspend(|| -> std::io::Result<()> {
                        print_report(&mut out, &report)?;
                        if let Some(k) = &risk {
                            crate::cli::risk::print_risk(&mut out, k)?;
                        }
                        out.flush()
                    })?;
                }
            }
            Err(e) => {
                failed += 1;
                // Messages name inputs, tables and columns: personal data in them masked.
                let message = e.to_string();
                progress.suspend(|| eprintln!("piiscan: {}", piiscan::names::mask(&message)));
            }
        }
    }
    progress.finish();
    if args.format == "json" {
        serde_json::to_writer_pretty(&mut out, &reports)?;
        writeln!(out)?;
    }
    if failed > 0 {
        eprintln!("piiscan: {failed} input(s) were not anonymised; no output was left for them");
        return Ok(Exit::Incomplete);
    }
    Ok(if leftovers {
        Exit::CheckFailed
    } else {
        Exit::Clean
    })
}
