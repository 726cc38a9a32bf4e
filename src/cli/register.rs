//! `piiscan register draft|update|check|export`.

use crate::cli::args::{RegisterAction, RegisterCommon, RegisterScanArgs, ScopeArgs};
use crate::cli::exit::Exit;
use crate::cli::settings::{warn_unmatched, Settings};
use anyhow::{Context, Result};
use piiscan::register::{self, activity::Register, labels::Lang};
use piiscan::report;
use std::io::Write;
use std::path::{Path, PathBuf};

fn lang(c: &RegisterCommon) -> Lang {
    Lang::parse(&c.lang).unwrap_or(Lang::Nl)
}

/// Rows per table a register scan reads unless asked otherwise.
const DEFAULT_ROWS: u64 = 10_000;

/// Scans `paths` with the shared settings (flags and `.piiscan.toml`), names on stderr what
/// was not read, and returns the locations found.
fn scan(
    dir: &Path,
    paths: &[PathBuf],
    scope: &ScopeArgs,
    today: chrono::NaiveDate,
) -> Result<Vec<register::evidence::Location>> {
    let settings = Settings::resolve(scope, paths)?;
    let opts = settings.scan_options(DEFAULT_ROWS);
    let (locations, stats) = register::scan_locations(dir, paths, &settings.rules, &opts, today)?;
    warn_unmatched(&stats, &settings, scope, paths);
    for (path, t) in &stats.sampled {
        eprintln!("piiscan: notice: {}", report::sampled_notice(path, t));
    }
    for line in report::skip_notices(&stats) {
        eprintln!("{line}");
    }
    Ok(locations)
}

fn locations(args: &RegisterScanArgs) -> Result<Vec<register::evidence::Location>> {
    let today = register::today();
    let dir = &args.common.dir;
    Ok(match &args.inventory {
        Some(file) => register::inventory_locations(dir, file, today)?,
        None => scan(dir, &args.paths, &args.scope, today)?,
    })
}

/// Writes an export atomically.
fn write_export(path: &Path, bytes: &[u8]) -> Result<()> {
    piiscan::atomic::write_file(path, bytes).with_context(|| format!("writing {}", show(path)))?;
    eprintln!("piiscan: wrote {}", show(path));
    Ok(())
}

fn show(path: &Path) -> String {
    path.display().to_string()
}

/// Runs a register command.
/// Names what a regrouping wrote and removed.
fn regrouped(r: &register::regroup::Regrouped) {
    for p in &r.written {
        eprintln!("piiscan: wrote {}", show(p));
    }
    for p in &r.removed {
        eprintln!("piiscan: removed {}", show(p));
    }
    for id in &r.emptied {
        eprintln!(
            "piiscan: {id} lists no location now: merge it into another (`piiscan register merge {id} --into …`) or set its status to vervallen"
        );
    }
}

pub fn run(action: RegisterAction) -> Result<Exit> {
    match action {
        RegisterAction::Draft(args) => {
            let locs = locations(&args)?;
            let w = register::draft(
                &args.common.dir,
                &locs,
                lang(&args.common),
                register::today(),
            )?;
            if w.organisation_created {
                eprintln!(
                    "piiscan: wrote {}",
                    show(&args.common.dir.join("register.toml"))
                );
            }
            for p in &w.created {
                eprintln!("piiscan: wrote {} (status concept)", show(p));
            }
            eprintln!(
                "piiscan: {} proposed from {}; fill in the empty fields, then `piiscan register check`",
                report::count(w.created.len() as u64, "activity", "activities"),
                report::count(locs.len() as u64, "location", "locations")
            );
            Ok(Exit::Clean)
        }
        RegisterAction::Update(args) => {
            let locs = locations(&args)?;
            let w = register::update(
                &args.common.dir,
                &locs,
                lang(&args.common),
                register::today(),
            )?;
            for p in &w.migrated {
                eprintln!(
                    "piiscan: migrated {} (piiscan's tables moved to {}; your text kept)",
                    show(p),
                    show(&register::activity::evidence_path(p))
                );
            }
            eprintln!(
                "piiscan: evidence of {} activities updated, {} new (status concept), {} locations no longer found",
                w.updated.len(),
                w.created.len(),
                w.gone.len()
            );
            for p in &w.created {
                eprintln!("piiscan: new {}", show(p));
            }
            for g in &w.gone {
                eprintln!("piiscan: gone {g} (marked, not deleted)");
            }
            Ok(Exit::Clean)
        }
        RegisterAction::Move { mut args, common } => {
            let to = args.pop().unwrap_or_default();
            let r = register::regroup::move_locations(
                &common.dir,
                &args,
                &to,
                lang(&common),
                register::today(),
            )?;
            for m in &r.moved {
                eprintln!("piiscan: moved {m} to {to}");
            }
            regrouped(&r);
            Ok(Exit::Clean)
        }
        RegisterAction::Merge { from, into, common } => {
            let r = register::regroup::merge(
                &common.dir,
                &from,
                &into,
                lang(&common),
                register::today(),
            )?;
            eprintln!(
                "piiscan: merged {} into {into} ({})",
                from.join(", "),
                report::count(r.moved.len() as u64, "location", "locations")
            );
            regrouped(&r);
            Ok(Exit::Clean)
        }
        RegisterAction::Split {
            activity,
            locations,
            name,
            id,
            common,
        } => {
            let (r, path) = register::regroup::split(
                &common.dir,
                &activity,
                &locations,
                &name,
                id.as_deref(),
                lang(&common),
                register::today(),
            )?;
            eprintln!(
                "piiscan: split {} off {activity} into {} (status concept: fill in its fields)",
                report::count(r.moved.len() as u64, "location", "locations"),
                show(&path)
            );
            regrouped(&r);
            Ok(Exit::Clean)
        }
        RegisterAction::Check {
            paths,
            format,
            scope,
            common,
        } => {
            let reg = Register::load(&common.dir)?;
            let today = register::today();
            let current = if paths.is_empty() {
                None
            } else {
                Some(scan(&common.dir, &paths, &scope, today)?)
            };
            let findings = register::check(&reg, current.as_deref(), lang(&common), today);
            let errors = findings
                .iter()
                .filter(|f| f.drift.severity == register::drift::Severity::Error)
                .count();
            let mut out = std::io::stdout().lock();
            if format == "json" {
                serde_json::to_writer_pretty(&mut out, &findings)?;
                writeln!(out)?;
            } else {
                for f in &findings {
                    writeln!(
                        out,
                        "{:<7} {:<20} {}: {}",
                        f.drift.severity.as_str(),
                        f.drift.code,
                        f.place,
                        f.drift.detail
                    )?;
                }
                writeln!(
                    out,
                    "{}, {}, {}",
                    report::count(reg.activities.len() as u64, "activity", "activities"),
                    report::count(errors as u64, "error", "errors"),
                    report::count((findings.len() - errors) as u64, "warning", "warnings")
                )?;
            }
            Ok(if errors > 0 {
                Exit::CheckFailed
            } else {
                Exit::Clean
            })
        }
        RegisterAction::Export {
            format,
            out,
            common,
        } => {
            let reg = Register::load(&common.dir)?;
            let l = lang(&common);
            let bytes: Vec<u8> = match format.as_str() {
                "md" => register::export::markdown(&reg, l).into_bytes(),
                "csv" => register::export::csv_register(&reg, l),
                "inventory-csv" => register::export::csv_inventory(&reg, l),
                "html" => register::export::html(&reg, l).into_bytes(),
                _ => register::export::json(&reg).into_bytes(),
            };
            match &out {
                Some(p) => {
                    write_export(p, &bytes)?;
                    if format == "csv" {
                        let stem = p
                            .file_stem()
                            .map(|s| s.to_string_lossy().into_owned())
                            .unwrap_or_default();
                        let inv = p.with_file_name(format!("{stem}-inventory.csv"));
                        write_export(&inv, &register::export::csv_inventory(&reg, l))?;
                    }
                }
                None => std::io::stdout().lock().write_all(&bytes)?,
            }
            Ok(Exit::Clean)
        }
    }
}
