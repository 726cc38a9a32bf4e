//! `piiscan risk`: k-anonymity, prosecutor risk and l-diversity of a table over chosen
//! quasi-identifiers, gates on them (`--min-k`, `--max-risk`, `--min-l`), and the least
//! generalisation that reaches a target k (`--target-k`).

use crate::cli::args::RiskArgs;
use crate::cli::exit::Exit;
use anyhow::{bail, Result};
use piiscan::anonymise::risk::target::{self, LadderKind};
use piiscan::anonymise::{self, risk};
use piiscan::report;
use std::io::Write;

/// One line with the measures of `r`.
pub(crate) fn print_risk(out: &mut dyn Write, r: &risk::Risk) -> std::io::Result<()> {
    let over = format!(
        "{}{} in {}",
        r.quasi.join(", "),
        r.entity
            .as_deref()
            .map(|e| format!(" (per {e})"))
            .unwrap_or_default(),
        r.table
    );
    let (one, many) = if r.entity.is_some() {
        ("person", "persons")
    } else {
        ("record", "records")
    };
    // Shares and averages say nothing about no record, and little about one.
    match r.records {
        0 => return writeln!(out, "  risk over {over}: no {many}, nothing to measure"),
        1 => {
            return writeln!(
                out,
                "  risk over {over}: 1 {one}, so it is unique (k = 1, prosecutor risk 1)"
            )
        }
        _ => {}
    }
    write!(
        out,
        "  risk over {over}: {}, {}, k = {}, unique {:.1}%, below 5 {:.1}%, prosecutor risk max {:.4} avg {:.4}",
        report::count(r.records, one, many),
        report::count(r.classes, "class", "classes"),
        r.k,
        r.unique_share * 100.0,
        r.share_below_5 * 100.0,
        r.max_risk,
        r.average_risk
    )?;
    if let (Some(s), Some(l)) = (&r.sensitive, r.l) {
        write!(out, ", l = {l} for {s}")?;
    }
    writeln!(out)
}

/// The gates the user set that `r` does not meet, as sentences.
fn unmet(args: &RiskArgs, r: &risk::Risk) -> Vec<String> {
    let mut unmet = Vec::new();
    let gated = args.min_k.is_some() || args.max_risk.is_some() || args.min_l.is_some();
    if gated && r.records == 0 {
        // k, the risk and l of no record are undefined: no gate can say the data is safe.
        unmet.push(
            "the table has no records, so k, the risk and l are undefined and no gate is met (is it the table meant?)"
                .to_string(),
        );
        return unmet;
    }
    if let Some(min) = args.min_k.filter(|&m| r.k < m) {
        unmet.push(format!("k = {} is below --min-k {min}", r.k));
    }
    if let Some(max) = args.max_risk.filter(|&m| r.max_risk > m) {
        unmet.push(format!(
            "the highest prosecutor risk {:.4} is above --max-risk {max}",
            r.max_risk
        ));
    }
    if let Some(min) = args.min_l.filter(|&m| r.l.unwrap_or(0) < m) {
        unmet.push(format!("l = {} is below --min-l {min}", r.l.unwrap_or(0)));
    }
    unmet
}

/// The ladder of each quasi-identifier: as given with --generalise, else inferred.
fn ladders(args: &RiskArgs, data: &risk::Collected) -> Result<Vec<Vec<target::Rung>>> {
    let mut given = std::collections::HashMap::new();
    for g in &args.generalise {
        let Some((col, kind)) = g.split_once('=') else {
            bail!("--generalise {g:?}: use COL=date|number|postcode|drop|none");
        };
        let Some(kind) = LadderKind::parse(kind.trim()) else {
            bail!("--generalise {col}: the ladder is one of date, number, postcode, drop, none");
        };
        if !args.quasi.iter().any(|q| q == col.trim()) {
            bail!("--generalise names {col}, which is not one of --quasi");
        }
        given.insert(col.trim().to_string(), kind);
    }
    let today = chrono::Local::now().date_naive();
    Ok(args
        .quasi
        .iter()
        .enumerate()
        .map(|(c, name)| {
            let kind = given.get(name).copied().unwrap_or_else(|| {
                let values: Vec<&str> = data
                    .tuples
                    .iter()
                    .filter_map(|t| t[c].as_deref())
                    .take(10_000)
                    .collect();
                target::infer(&values)
            });
            target::ladder(kind, today)
        })
        .collect())
}

/// Runs `piiscan risk`.
pub fn run(args: RiskArgs) -> Result<Exit> {
    if args.max_risk.is_some_and(|r| !(0.0..=1.0).contains(&r)) {
        bail!("--max-risk is a probability, between 0 and 1");
    }
    if args.target_k == Some(0) {
        bail!("--target-k 0: k is at least 1");
    }
    let Some(format) = anonymise::kind_of(&args.file)?.table_format() else {
        bail!("{}: risk is measured on tables", args.file.display());
    };
    let query = risk::RiskQuery {
        quasi: args.quasi.clone(),
        entity: args.entity.clone(),
        sensitive: args.sensitive.clone(),
    };
    let data = risk::collect(&args.file, format, &query)?;
    let identity: Vec<u32> = (0..data.tuples.len() as u32).collect();
    let measured = data.measure(&identity);
    let search = match args.target_k {
        Some(k) => Some(target::search(
            &data,
            &ladders(&args, &data)?,
            k,
            args.min_l,
        )?),
        None => None,
    };
    let unmet = unmet(&args, &measured);
    let mut out = std::io::stdout().lock();
    if args.format == "json" {
        // The measures at the top level (as before the gates and the search existed).
        let mut report = serde_json::to_value(&measured)?;
        if let Some(obj) = report.as_object_mut() {
            obj.insert("unmet".into(), serde_json::to_value(&unmet)?);
            if let Some(s) = &search {
                obj.insert("target".into(), serde_json::to_value(s)?);
            }
        }
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        writeln!(out, "{}", args.file.display())?;
        print_risk(&mut out, &measured)?;
        for u in &unmet {
            writeln!(out, "  not met: {u}")?;
        }
        if let Some(s) = &search {
            print_search(&mut out, s)?;
        }
    }
    let target_missed = search.as_ref().is_some_and(|s| s.solution.is_none());
    Ok(if unmet.is_empty() && !target_missed {
        Exit::Clean
    } else {
        Exit::CheckFailed
    })
}

/// The search's answer: the rungs, the risk after them, and the policy entries.
fn print_search(out: &mut dyn Write, s: &target::Search) -> std::io::Result<()> {
    let goal = match s.target_l {
        Some(l) => format!("k = {} and l = {l}", s.target_k),
        None => format!("k = {}", s.target_k),
    };
    let Some(sol) = &s.solution else {
        return writeln!(
            out,
            "  no generalisation of these columns reaches {goal} ({} combinations measured); drop a column or choose fewer quasi-identifiers",
            s.nodes_measured
        );
    };
    writeln!(
        out,
        "  the least generalisation reaching {goal} ({} combinations measured):",
        s.nodes_measured
    )?;
    for (column, rung) in &sol.columns {
        writeln!(out, "    {column}: {}", rung.label())?;
    }
    print_risk(out, &sol.risk)?;
    writeln!(out, "  as policy entries for `piiscan anonymise`:")?;
    for (column, rung) in &sol.columns {
        if let Some(entry) = rung.policy_entry(&globset::escape(column)) {
            writeln!(out)?;
            for line in entry.lines() {
                writeln!(out, "    {line}")?;
            }
        }
    }
    Ok(())
}
