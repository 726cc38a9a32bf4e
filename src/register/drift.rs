//! Checking a register: completeness (Art. 30(1)(a)-(d) missing is an error, (f) and (g) a
//! warning) and drift between what people declared and what the scans find.

use super::activity::{Activity, Organisation, Register, ScanLocation};
use super::evidence::{leading_date, Location};
use super::labels::{self, Lang, LEGAL_BASES, STATUSES};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

/// How bad a finding of the check is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Must be mended: `register check` exits 1.
    #[default]
    Error,
    /// Should be looked at.
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One drift or completeness finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Drift {
    /// The code (`NEW_CATEGORY`, …).
    pub code: String,
    /// Error or warning.
    pub severity: Severity,
    /// What, in words.
    pub detail: String,
}

fn d(code: &str, severity: Severity, detail: String) -> Drift {
    Drift {
        code: code.to_string(),
        severity,
        detail,
    }
}

/// Does a declared category cover a found one (itself or a parent of it)?
fn covers(declared: &[String], found: &str) -> bool {
    declared
        .iter()
        .any(|c| c == found || found.starts_with(&format!("{c}.")))
}

/// The completeness of the organisation block.
pub fn organisation(org: &Organisation, lang: Lang) -> Vec<Drift> {
    let mut out = Vec::new();
    if org.controller_name.trim().is_empty() || org.controller_contact.trim().is_empty() {
        out.push(d(
            "MISSING_REQUIRED",
            Severity::Error,
            lang.pick(
                "naam en contactgegevens van de verwerkingsverantwoordelijke ontbreken (art. 30 lid 1 sub a)",
                "the controller's name and contact details are missing (Art. 30(1)(a))",
            )
            .to_string(),
        ));
    }
    out
}

/// Completeness and drift of one activity, against its `[scan]` evidence, on `today`.
pub fn activity(a: &Activity, today: chrono::NaiveDate, lang: Lang) -> Vec<Drift> {
    let mut out = Vec::new();
    if a.status == "vervallen" {
        return out;
    }
    let e = Severity::Error;
    let w = Severity::Warning;
    let missing = |out: &mut Vec<Drift>, sev: Severity, key: &str, basis: &str| {
        let f = labels::FIELDS.iter().find(|f| f.key == key);
        let name = f.map(|f| lang.pick(f.nl, f.en)).unwrap_or(key);
        let code = if sev == Severity::Error {
            "MISSING_REQUIRED"
        } else {
            "MISSING_RECOMMENDED"
        };
        out.push(d(code, sev, format!("{key}: {name} ({basis})")));
    };
    if a.purposes.is_empty() {
        missing(&mut out, e, "purposes", "art. 30(1)(b)");
    }
    if a.legal_basis.trim().is_empty() {
        missing(&mut out, e, "legal_basis", "art. 6(1)");
    } else if !LEGAL_BASES.iter().any(|(id, ..)| *id == a.legal_basis) {
        out.push(d(
            "INVALID_VALUE",
            e,
            format!(
                "legal_basis: {} {}",
                lang.pick(
                    "geen bekende waarde; kies uit",
                    "not a known value; choose from"
                ),
                LEGAL_BASES
                    .iter()
                    .map(|b| b.0)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    if !STATUSES.contains(&a.status.as_str()) {
        out.push(d(
            "INVALID_VALUE",
            e,
            format!(
                "status: {} {}",
                lang.pick(
                    "geen bekende waarde; kies uit",
                    "not a known value; choose from"
                ),
                STATUSES.join(" | ")
            ),
        ));
    }
    if a.subjects.is_empty() {
        missing(&mut out, e, "subjects", "art. 30(1)(c)");
    }
    if a.categories.is_empty() {
        missing(&mut out, e, "categories", "art. 30(1)(c)");
    }
    if a.recipients.is_empty() {
        missing(&mut out, e, "recipients", "art. 30(1)(d)");
    }
    if a.retention.trim().is_empty() {
        missing(&mut out, w, "retention", "art. 30(1)(f)");
    }
    if a.security.is_empty() {
        missing(&mut out, w, "security", "art. 30(1)(g)");
    }
    let found = a.found_categories();
    // With no categories declared at all, MISSING_REQUIRED says it once.
    for c in found.iter().filter(|_| !a.categories.is_empty()) {
        if !covers(&a.categories, c) {
            out.push(d(
                "NEW_CATEGORY",
                e,
                format!(
                    "{c} ({}) {}",
                    labels::category(c, lang),
                    lang.pick(
                        "is gevonden maar staat niet in categories",
                        "was found but is not in categories"
                    )
                ),
            ));
        }
    }
    let has_evidence = a.scan.location.iter().any(|l| !l.gone);
    if has_evidence {
        for c in &a.categories {
            let seen = found
                .iter()
                .any(|f| f == c || f.starts_with(&format!("{c}.")));
            if !seen && !a.unscannable.contains(c) {
                out.push(d(
                    "STALE_CATEGORY",
                    w,
                    format!(
                        "{c}: {}",
                        lang.pick(
                            "opgegeven maar niet meer gevonden (staat het alleen op papier? zet het dan in unscannable)",
                            "declared but no longer found (only on paper? then list it in unscannable)"
                        )
                    ),
                ));
            }
        }
    }
    for l in a.scan.location.iter().filter(|l| l.gone) {
        out.push(d(
            "GONE_LOCATION",
            w,
            format!(
                "{}: {}",
                l.reference,
                lang.pick(
                    "niet meer gevonden bij de laatste scan",
                    "not found by the last scan"
                )
            ),
        ));
    }
    let all: Vec<&String> = found.iter().chain(a.categories.iter()).collect();
    if all.iter().any(|c| labels::is_national_id(c)) && a.national_id_law.trim().is_empty() {
        out.push(d(
            "NATID_NO_LAW",
            e,
            lang.pick(
                "BSN of rijksregisternummer zonder wettelijke grondslag (national_id_law; UAVG art. 46, Rijksregisterwet art. 8)",
                "BSN or Belgian national number without the law that allows it (national_id_law)",
            )
            .to_string(),
        ));
    }
    if all.iter().any(|c| labels::is_special(c)) && a.art9_condition.trim().is_empty() {
        out.push(d(
            "ART9_NO_CONDITION",
            e,
            lang.pick(
                "bijzondere persoonsgegevens zonder uitzonderingsgrond (art9_condition; art. 9 lid 2)",
                "special categories of data without their condition (art9_condition; Art. 9(2))",
            )
            .to_string(),
        ));
    }
    if all.iter().any(|c| labels::is_criminal(c)) && a.art10_basis.trim().is_empty() {
        out.push(d(
            "ART10_NO_BASIS",
            e,
            lang.pick(
                "strafrechtelijke gegevens zonder grondslag (art10_basis; art. 10)",
                "criminal data without their basis (art10_basis; Art. 10)",
            )
            .to_string(),
        ));
    }
    if a.retention_days > 0 {
        for l in a.scan.location.iter().filter(|l| !l.gone) {
            let Some(oldest) = l.oldest_record.as_deref().and_then(leading_date) else {
                continue;
            };
            let age = (today - oldest).num_days();
            if age > i64::try_from(a.retention_days).unwrap_or(i64::MAX) {
                out.push(d(
                    "RETENTION_EXCEEDED",
                    e,
                    format!(
                        "{}: {} {oldest} ({age} {}; retention_days = {})",
                        l.reference,
                        lang.pick("oudste record", "oldest record"),
                        lang.pick("dagen", "days"),
                        a.retention_days
                    ),
                ));
            }
        }
    }
    if !a.subjects.is_empty() {
        for s in &a.suggest.subjects {
            if s != "unknown" && !a.subjects.contains(s) {
                out.push(d(
                    "SUBJECT_MISMATCH",
                    w,
                    format!(
                        "{s} ({}): {}",
                        labels::subject(s, lang),
                        lang.pick(
                            "voorgesteld maar niet opgegeven",
                            "suggested but not declared"
                        )
                    ),
                ));
            }
        }
    }
    out
}

/// The findings written into an activity's `[scan.drift]`: drift only, not the completeness
/// of the human fields (that is `register check`'s to say), so a draft and an update of the
/// same evidence write the same file.
pub fn recorded(a: &Activity, today: chrono::NaiveDate, lang: Lang) -> Vec<Drift> {
    activity(a, today, lang)
        .into_iter()
        .filter(|d| {
            !matches!(
                d.code.as_str(),
                "MISSING_REQUIRED" | "MISSING_RECOMMENDED" | "INVALID_VALUE"
            )
        })
        .collect()
}

/// Updates an activity's recorded locations with a fresh scan: found ones get the new
/// evidence, missing ones are marked gone (never dropped).
pub fn refresh(
    recorded: &[ScanLocation],
    current: &HashMap<String, &Location>,
) -> Vec<ScanLocation> {
    recorded
        .iter()
        .map(|old| match current.get(&old.reference) {
            Some(l) => super::activity::scan_location(l),
            None => ScanLocation {
                gone: true,
                ..old.clone()
            },
        })
        .collect()
}

/// Locations with personal data that no activity records.
pub fn unassigned<'l>(register: &Register, current: &'l [Location]) -> Vec<&'l Location> {
    let known: BTreeSet<&str> = register
        .activities
        .iter()
        .flat_map(|(_, a)| a.scan.location.iter().map(|l| l.reference.as_str()))
        .collect();
    current
        .iter()
        .filter(|l| !known.contains(l.reference.as_str()))
        .collect()
}

/// The finding for an unassigned location.
pub fn unassigned_drift(l: &Location, lang: Lang) -> Drift {
    d(
        "UNASSIGNED_LOCATION",
        Severity::Error,
        format!(
            "{}: {} ({})",
            l.reference,
            lang.pick(
                "persoonsgegevens die geen verwerking dekt",
                "personal data that no activity covers"
            ),
            l.categories.keys().cloned().collect::<Vec<_>>().join(", ")
        ),
    )
}
