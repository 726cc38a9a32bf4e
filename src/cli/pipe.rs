//! `piiscan anonymise -`: a SQL dump from standard input, anonymised to standard output (or
//! `--out FILE`), the report on standard error.

use crate::cli::args::AnonymiseArgs;
use crate::cli::exit::Exit;
use anyhow::{bail, Context, Result};
use piiscan::anonymise::stream::{anonymise_stream, DumpFormat};
use piiscan::anonymise::{self, keys::MasterKey};
use piiscan::ruleset::RuleSet;
use std::io::Write;
use std::path::Path;

/// Runs `piiscan anonymise -`.
pub fn run(args: &AnonymiseArgs, rules: &std::sync::Arc<RuleSet>) -> Result<Exit> {
    if args.inputs.len() != 1 {
        bail!("`-` (standard input) is anonymised alone; give it as the only input");
    }
    if args.to.is_some() {
        bail!("--to converts tables; a SQL dump on standard input is written as a SQL dump");
    }
    if !args.quasi.is_empty() {
        bail!("--quasi needs an output file to read again; standard input is streamed");
    }
    let Some(policy_path) = &args.policy else {
        bail!("--policy is needed");
    };
    let from = args.from.as_deref().and_then(DumpFormat::parse);
    let to_file = args.out.as_deref().filter(|p| p.as_os_str() != "-");
    let mut target = match to_file {
        Some(p) => {
            if let Err(why) = anonymise::outputs::check_single(
                p,
                &[],
                &crate::cli::anonymise::protected(args),
                args.force,
            ) {
                eprintln!("piiscan: {why}");
                return Ok(Exit::Incomplete);
            }
            if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
            }
            Some(
                piiscan::atomic::AtomicFile::create(p)
                    .with_context(|| format!("writing {}", p.display()))?,
            )
        }
        None => None,
    };
    let master = MasterKey::load(args.key_file.as_deref())?;
    let policy = anonymise::policy::load(policy_path, master.as_ref())?;
    let name = to_file.map_or_else(|| "-".to_string(), |p| p.display().to_string());
    let input: Box<dyn std::io::Read + Send> = Box::new(std::io::stdin());
    let result = match target.as_mut() {
        Some(t) => {
            let mut w = std::io::BufWriter::with_capacity(1 << 20, t.file_mut());
            let r = anonymise_stream(input, &mut w, &name, &policy, rules, from);
            w.flush().context("writing the output")?;
            r
        }
        None => {
            let mut w = std::io::stdout().lock();
            let r = anonymise_stream(input, &mut w, &name, &policy, rules, from);
            w.flush().context("writing the output")?;
            r
        }
    };
    let report = match result {
        Ok(r) => r.shown(),
        Err(e) => {
            let message = e.error.to_string();
            eprintln!("piiscan: {}", piiscan::names::mask(&message));
            if to_file.is_some() {
                eprintln!("piiscan: the input was not anonymised; no output was left for it");
            }
            return Ok(Exit::Incomplete);
        }
    };
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    if args.format == "json" {
        serde_json::to_writer_pretty(
            &mut err,
            &[serde_json::json!({ "file": report, "risk": null })],
        )?;
        writeln!(err)?;
    } else {
        crate::cli::anonymise::print_report(&mut err, &report)?;
    }
    if !report.written {
        return Ok(Exit::CheckFailed);
    }
    if let (Some(t), Some(p)) = (target, to_file) {
        commit(t, p, args.force)?;
    }
    Ok(Exit::Clean)
}

fn commit(t: piiscan::atomic::AtomicFile, p: &Path, force: bool) -> Result<()> {
    let replace = if force {
        piiscan::atomic::Replace::Yes
    } else {
        piiscan::atomic::Replace::No
    };
    t.commit(replace)
        .with_context(|| format!("writing {}", p.display()))
}
