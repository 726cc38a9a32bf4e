//! The scan: walk the inputs, cut them into units of work (whole files, or regions of one large
//! UTF-8 file so that both cores work inside it), run the units on worker threads, and hand the
//! findings to a [`Sink`] in a deterministic order (by input, then offset) whatever the number
//! of threads. Workers may run ahead of the output by a bounded window only, so memory stays
//! bounded however many findings there are.

pub(crate) mod container;
mod emit;
mod options;
mod outcome;
mod plan;
pub(crate) mod run;
mod sink;
pub mod table;

pub use options::ScanOptions;
pub use outcome::{InputReport, InputStatus, ScanStats, Skip, SkipCount, SkipReason};
pub(crate) use run::{run_opened, run_table_path, Ctx, UnitResult};
pub use sink::{InputName, Sink};

use emit::{mark_found, Emitter};
use plan::plan;
use run::run_unit;

use crate::detect::column::ColumnNames;
use crate::detect::stream::RegionHit;
use crate::detect::Engine;
use crate::finding::fingerprint::Fingerprinter;
use crate::finding::Confidence;
use crate::pipeline::table::TableOptions;
use crate::progress::Progress;
use crate::ruleset::RuleSet;
use crate::source::walk::{walk_all, Entry};
use std::collections::HashMap;
use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Condvar, Mutex};
use std::time::Instant;

/// What a worker sends the emitter.
enum Msg {
    /// Hits of a text unit still being read, in order: sent only while the unit is the next
    /// to be emitted, so they go straight out and memory stays bounded however many findings
    /// a file holds (gzip, standard input and non-UTF-8 files are one unit each).
    Part(Vec<RegionHit>),
    /// Members of a container unit still being read, in order: sent, like parts, only while
    /// the unit is the next to be emitted, so a large archive or mailbox is held one member
    /// at a time.
    Members(Vec<crate::pipeline::container::MemberResult>),
    /// The unit is done (boxed: a result is large, a part is small).
    Done(Box<UnitResult>),
}

/// Hits a unit that is not yet the next to be emitted gathers before it waits for its turn.
const FAR_HITS: usize = 8 * 1024;

/// Members a container unit that is not yet the next to be emitted gathers before it waits.
const FAR_MEMBERS: usize = 256;

/// Tells the workers to stop: the flag is set under the lock they check it under before they
/// wait, so that none misses the wake-up and waits for ever.
fn stop_workers(stop: &AtomicBool, emitted: &Mutex<usize>, advanced: &Condvar) {
    {
        let _held = emitted.lock().unwrap_or_else(|p| p.into_inner());
        stop.store(true, Ordering::Relaxed);
    }
    advanced.notify_all();
}

/// Runs a scan.
///
/// # Errors
/// Only errors of the sink (writing the output, e.g. a closed pipe, which also stops the
/// workers); input errors are reported per input.
pub fn scan(
    inputs: &[PathBuf],
    rules: &RuleSet,
    opts: &ScanOptions,
    fingerprints: &Fingerprinter,
    sink: &mut dyn Sink,
    quiet: bool,
) -> io::Result<ScanStats> {
    let started = Instant::now();
    let mut walked = walk_all(inputs, &opts.walk);
    let entries = std::mem::take(&mut walked.entries);
    let units = plan(&entries, opts.segment_size);
    let total_bytes: u64 = entries
        .iter()
        .map(|e| {
            if let Entry::File { size, .. } = e {
                *size
            } else {
                0
            }
        })
        .sum();
    let progress = Progress::new(total_bytes, quiet);
    let engine = Engine::new(rules, opts.min_confidence, opts.explain);
    let table_engine = Engine::new(rules, Confidence::Low, opts.explain);
    let names = ColumnNames::new(rules);
    let tables = TableOptions {
        min_confidence: opts.min_confidence,
        ..opts.tables
    };
    let threads = opts.threads.max(1);
    // Workers run ahead of the output by this many units at most: memory stays bounded.
    let window = threads * 2 + 1;
    let paths: Vec<Arc<str>> = entries
        .iter()
        .map(|e| match e {
            Entry::Stdin => Arc::from("-"),
            Entry::Database { url } => Arc::from(url.reference()),
            _ => Arc::from(opts.project.display(e.path()).as_str()),
        })
        .collect();
    let project_paths: Vec<Arc<str>> = entries
        .iter()
        .map(|e| match e {
            Entry::Stdin => Arc::from("-"),
            Entry::Database { url } => Arc::from(url.reference()),
            _ => Arc::from(opts.project.project_path(e.path()).as_str()),
        })
        .collect();

    let next = AtomicUsize::new(0);
    // Workers that have taken their last unit and ended (see `Ctx::idle`).
    let idle = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let emitted = Mutex::new(0usize);
    let advanced = Condvar::new();
    let (tx, rx) = mpsc::channel::<(usize, Msg)>();
    let fingerprints = sink.needs_fingerprints().then_some(fingerprints);
    let mut emitter = Emitter::new(
        rules,
        sink,
        fingerprints,
        engine.scratch(),
        opts.min_confidence,
    );
    let ctx = Ctx {
        engine: &engine,
        table_engine: &table_engine,
        names: &names,
        tables,
        progress: &progress,
        inline_allow: opts.inline_allow,
        limits: opts.archives,
        spool_limit: opts.walk.max_filesize.unwrap_or(opts.archives.max_total),
        ocr: opts.ocr.as_ref(),
        walk: &opts.walk,
        threads,
        idle: &idle,
    };
    std::thread::scope(|s| {
        let (next, stop, emitted, advanced) = (&next, &stop, &emitted, &advanced);
        let idle = &idle;
        let (units, entries, engine) = (&units, &entries, &engine);
        let (paths, project_paths) = (&paths, &project_paths);
        let (ctx, progress) = (&ctx, &progress);
        // Plain threads, not a rayon pool: a unit may call into polars, which runs on its own
        // rayon pool. A rayon worker of ours waiting for that pool would meanwhile steal and
        // run another of our units on the same stack, and that unit can block on the output
        // window, which waits for the unit suspended beneath it: a deadlock. A plain thread
        // just waits, and nothing of ours ever runs on a stack it does not own.
        for _ in 0..threads {
            let tx = tx.clone();
            s.spawn(move || {
                let mut scratch = engine.scratch();
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= units.len() || stop.load(Ordering::Relaxed) {
                        break;
                    }
                    {
                        let mut done = emitted.lock().unwrap_or_else(|p| p.into_inner());
                        while i >= *done + window && !stop.load(Ordering::Relaxed) {
                            done = advanced.wait(done).unwrap_or_else(|p| p.into_inner());
                        }
                    }
                    let path = &project_paths[units[i].entry()];
                    // Whether unit `i`, still being read, hands on what it holds now: when
                    // it is the next to be emitted; when not, it gathers until it holds too
                    // much (`far`), then waits for its turn. False once the scan stops.
                    let my_turn = |far: bool| {
                        let mut done = emitted.lock().unwrap_or_else(|p| p.into_inner());
                        if *done < i && !far {
                            return false;
                        }
                        while *done < i && !stop.load(Ordering::Relaxed) {
                            done = advanced.wait(done).unwrap_or_else(|p| p.into_inner());
                        }
                        !stop.load(Ordering::Relaxed)
                    };
                    let mut flush = |hits: &mut Vec<RegionHit>| {
                        if !my_turn(hits.len() >= FAR_HITS) {
                            return;
                        }
                        let mut part = std::mem::take(hits);
                        mark_found(
                            part.iter_mut().map(|h| &mut h.found),
                            rules,
                            path,
                            fingerprints,
                        );
                        // A closed channel means the emitter stopped; the unit ends below.
                        let _ = tx.send((i, Msg::Part(part)));
                    };
                    let mut flush_members =
                        |members: &mut Vec<crate::pipeline::container::MemberResult>| {
                            let held: usize = members.iter().map(|m| m.hit_count()).sum();
                            if !my_turn(held >= FAR_HITS || members.len() >= FAR_MEMBERS) {
                                return;
                            }
                            let mut batch = std::mem::take(members);
                            crate::pipeline::container::mark_member_list(
                                &mut batch,
                                rules,
                                path,
                                fingerprints,
                            );
                            let _ = tx.send((i, Msg::Members(batch)));
                        };
                    let mut result = run_unit(
                        &units[i],
                        entries,
                        ctx,
                        &mut scratch,
                        &mut flush,
                        &mut flush_members,
                    );
                    if let Some(region) = result.region.as_mut() {
                        mark_found(
                            region.hits.iter_mut().map(|h| &mut h.found),
                            rules,
                            path,
                            fingerprints,
                        );
                    }
                    if let Some(table) = result.table.as_mut() {
                        mark_found(
                            table
                                .hits
                                .iter_mut()
                                .map(|h| &mut h.found)
                                .chain(table.text_hits.iter_mut().map(|h| &mut h.found)),
                            rules,
                            path,
                            fingerprints,
                        );
                    }
                    crate::pipeline::container::mark_members(
                        &mut result,
                        rules,
                        path,
                        fingerprints,
                    );
                    if tx.send((i, Msg::Done(Box::new(result)))).is_err() {
                        break;
                    }
                }
                idle.fetch_add(1, Ordering::Relaxed);
            });
        }
        drop(tx);

        let mut pending: HashMap<usize, UnitResult> = HashMap::new();
        let mut next_emit = 0usize;
        let mut files_done = 0usize;
        for (i, msg) in rx.iter() {
            let r = match msg {
                Msg::Part(hits) => {
                    // Sent only once unit `i` is the next to be emitted.
                    debug_assert_eq!(i, next_emit);
                    let unit = &units[i];
                    let names = (&paths[unit.entry()], &project_paths[unit.entry()]);
                    emitter.text_hits(names, hits);
                    if emitter.failed() {
                        stop_workers(stop, emitted, advanced);
                        break;
                    }
                    continue;
                }
                Msg::Members(members) => {
                    debug_assert_eq!(i, next_emit);
                    let unit = &units[i];
                    let names = (&paths[unit.entry()], &project_paths[unit.entry()]);
                    emitter.emit_member_list(names, members);
                    if emitter.failed() {
                        stop_workers(stop, emitted, advanced);
                        break;
                    }
                    continue;
                }
                Msg::Done(r) => *r,
            };
            pending.insert(i, r);
            while let Some(mut r) = pending.remove(&next_emit) {
                let unit = &units[next_emit];
                let names = (&paths[unit.entry()], &project_paths[unit.entry()]);
                emitter.emit_members(names, &mut r);
                if emitter.emit(unit, names, r) {
                    files_done += 1;
                    progress.set_files(files_done, entries.len());
                }
                next_emit += 1;
                {
                    let mut done = emitted.lock().unwrap_or_else(|p| p.into_inner());
                    *done = next_emit;
                    // Set under the lock a waiting worker checks it under: no wake-up is lost.
                    if emitter.failed() {
                        stop.store(true, Ordering::Relaxed);
                    }
                }
                advanced.notify_all();
            }
            if emitter.failed() {
                break;
            }
        }
    });
    progress.finish();
    let mut stats = emitter.finish()?;
    stats.left_out(walked, |p| opts.project.display(p));
    stats.elapsed = started.elapsed();
    Ok(stats)
}
