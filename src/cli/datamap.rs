//! `piiscan inventory --format html`: scans, then writes the data map page to `--out` (whole
//! or not at all) or to standard output. Inputs not read are named on stderr and give exit 2,
//! as with the other inventory formats.

use crate::cli::args::InventoryArgs;
use crate::cli::exit::Exit;
use anyhow::{Context, Result};
use piiscan::register::labels::Lang;
use piiscan::report::{self, datamap};
use std::io::Write;

/// When the map is made: `SOURCE_DATE_EPOCH` (seconds, UTC) when set, for reproducible pages
/// and the golden tests; else now.
pub(crate) fn now() -> chrono::DateTime<chrono::Utc> {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0))
        .unwrap_or_else(chrono::Utc::now)
}

/// Runs `piiscan inventory --format html`.
pub fn run(args: InventoryArgs) -> Result<Exit> {
    let lang = Lang::parse(&args.lang).unwrap_or(Lang::Nl);
    if let Some(out) = &args.out {
        crate::cli::refuse_input_as_output(out, &args.paths)?;
    }
    let settings = crate::cli::settings::Settings::resolve(&args.scope, &args.paths)?;
    // The rules run, per pack.
    let mut rule_packs: Vec<(String, usize)> = Vec::new();
    for r in &settings.rules.rules {
        match rule_packs.iter_mut().find(|(p, _)| **p == *r.pack) {
            Some((_, n)) => *n += 1,
            None => rule_packs.push((r.pack.to_string(), 1)),
        }
    }
    let mut sink = datamap::DataMapSink::default();
    let stats = crate::scan_for_inventory(&args, &settings, &mut sink)?;
    let generated = now();
    let entries = sink.inner.builder.entries();
    let youngest = datamap::youngest_ages(entries, generated.date_naive());
    let run = datamap::RunInfo {
        inputs: args.paths.iter().map(|p| p.display().to_string()).collect(),
        generated,
        version: env!("CARGO_PKG_VERSION").to_string(),
        rule_packs,
        sample_rows: settings.sample_rows.unwrap_or(crate::INVENTORY_ROWS),
    };
    // What the walk left out is on the map too, as not read.
    let mut not_read = sink.not_read.clone();
    not_read.extend(
        crate::cli::settings::walk_not_read(&stats)
            .into_iter()
            .map(|k| datamap::NotRead {
                path: k.path,
                why: k.why,
                partial: false,
            }),
    );
    let map = datamap::DataMap::build(run, entries, &stats, not_read, &youngest);
    let page = datamap::html::render(&map, lang);
    match &args.out {
        Some(path) => piiscan::atomic::write_file(path, page.as_bytes())
            .map_err(|e| piiscan::Error::io(path, e))
            .with_context(|| format!("writing the data map to {}", path.display()))?,
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(page.as_bytes())?;
            out.flush()?;
        }
    }
    for (path, t) in &stats.sampled {
        eprintln!("piiscan: notice: {}", report::sampled_notice(path, t));
    }
    for line in report::skip_notices(&stats) {
        eprintln!("{line}");
    }
    for (path, why) in &sink.inner.failed {
        eprintln!("piiscan: {}: {why}", report::sanitize::sanitize(path));
    }
    if let Some(path) = &args.out {
        eprintln!(
            "piiscan: wrote the data map of {} dataset(s) to {}",
            map.datasets.len(),
            path.display()
        );
    }
    Ok(if sink.inner.failed.is_empty() {
        Exit::Clean
    } else {
        Exit::Incomplete
    })
}
