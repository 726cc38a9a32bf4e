//! `piiscan breach`: scans the leaked files reading every row, counts with a key made for the
//! run, and prints or writes the assessment. Inputs not read are named in the report and give
//! exit 2: the numbers would be too low.

use crate::cli::args::BreachArgs;
use crate::cli::exit::Exit;
use crate::cli::settings::{every_row_options, walk_not_read, Settings};
use crate::set_threads;
use anyhow::{Context, Result};
use piiscan::breach::{self, render, BreachSink};
use piiscan::finding::fingerprint::Fingerprinter;
use piiscan::pipeline;
use piiscan::register::labels::Lang;
use std::io::Write;

/// Runs `piiscan breach`.
pub fn run(args: BreachArgs) -> Result<Exit> {
    let lang = Lang::parse(&args.lang).unwrap_or(Lang::Nl);
    let discovered = match &args.discovered {
        Some(s) => Some(breach::parse_discovered(s).with_context(|| {
            format!("--discovered {s:?}: use YYYY-MM-DD HH:MM (or a date alone)")
        })?),
        None => None,
    };
    if let Some(out) = &args.out {
        crate::cli::refuse_input_as_output(out, &args.paths)?;
    }
    let settings = Settings::resolve(&args.scope, &args.paths)?;
    let rules = &settings.rules;
    // A breach is sized on everything: every row of every table.
    let mut opts = every_row_options(&settings, &args.scope, "breach")?;
    set_threads(&mut opts, args.threads)?;
    // Distinct values are counted by fingerprints under a key that lives only in this run.
    let mut key = [0u8; 32];
    getrandom::getrandom(&mut key)
        .map_err(|e| anyhow::anyhow!("making the run's counting key: {e}"))?;
    let fingerprints = Fingerprinter::with_key(&key, "breach run");
    let mut sink = BreachSink::new(discovered.map(|d| d.date()));
    let stats = pipeline::scan(
        &args.paths,
        rules,
        &opts,
        &fingerprints,
        &mut sink,
        args.quiet,
    )?;
    // What the walk left out (a hidden folder of the leak) is named in the report: the numbers
    // may be too low.
    for k in walk_not_read(&stats).into_iter().filter(|k| k.counts) {
        sink.failed.push((k.path, k.why));
    }
    let assessment = sink.assess(discovered);
    let text = match args.format.as_str() {
        "json" => format!("{}\n", serde_json::to_string_pretty(&assessment)?),
        "html" => render::html(&assessment, lang),
        _ => render::markdown(&assessment, lang),
    };
    match &args.out {
        Some(path) => {
            piiscan::atomic::write_file(path, text.as_bytes())
                .map_err(|e| piiscan::Error::io(path, e))
                .with_context(|| format!("writing the assessment to {}", path.display()))?;
            eprintln!("piiscan: wrote the breach assessment to {}", path.display());
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
        }
    }
    for (path, why) in &assessment.not_read {
        eprintln!(
            "piiscan: {}: {why}",
            piiscan::report::sanitize::sanitize(path)
        );
    }
    Ok(if assessment.not_read.is_empty() {
        Exit::Clean
    } else {
        Exit::Incomplete
    })
}
