//! Activities on disk: `register.toml` (the organisation), `activities/<id>.toml`, one per
//! processing activity, and `evidence/<id>.toml` beside each. The activity file is the
//! person's: piiscan writes it once, as a draft, and never again; its `locations` list says
//! which locations the activity covers, so moving a location to another activity is an edit of
//! two lists. The evidence file is piiscan's (`[suggest]` and `[scan]`), rewritten by every
//! update and never edited by people. A register of the older layout (the two tables inside
//! the activity file) is read as it is and migrated by `update`.

use super::drift::Drift;
use super::evidence::Location;
use super::labels::{self, Lang, FIELDS};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use toml_edit::{value, Array, ArrayOfTables, DocumentMut, InlineTable, Item, Table};

/// The organisation block (`register.toml`), Art. 30(1)(a).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Organisation {
    /// The controller's name.
    pub controller_name: String,
    /// Its address.
    pub controller_address: String,
    /// Its contact details.
    pub controller_contact: String,
    /// KvK or KBO number.
    pub org_number: String,
    /// The data protection officer.
    pub dpo_name: String,
    /// The DPO's contact details.
    pub dpo_contact: String,
    /// The EU representative (Art. 27), if any.
    pub representative: String,
}

/// One location as recorded in `[[scan.location]]`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct ScanLocation {
    /// `path` or `path#table`.
    #[serde(rename = "ref")]
    pub reference: String,
    /// Category → count.
    pub categories: BTreeMap<String, u64>,
    /// Field → category → count (a field may hold several kinds). Registers written before
    /// counts were kept have `field = "category"`: read as that category with no count.
    #[serde(deserialize_with = "field_categories")]
    pub fields: BTreeMap<String, BTreeMap<String, u64>>,
    /// Oldest record date.
    pub oldest_record: Option<String>,
    /// Newest record date.
    pub newest_record: Option<String>,
    /// Youngest age shown by a date of birth.
    pub youngest_age: Option<u32>,
    /// The location was not found by the last scan.
    pub gone: bool,
}

/// One field of `[[scan.location]]`: `{ "user.contact.email" = 12, ... }`, or the older
/// single `"user.contact.email"`.
#[derive(Deserialize)]
#[serde(untagged)]
enum FieldCategories {
    One(String),
    Counted(BTreeMap<String, u64>),
}

/// Reads `fields` in either layout.
fn field_categories<'de, D>(d: D) -> Result<BTreeMap<String, BTreeMap<String, u64>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let raw: BTreeMap<String, FieldCategories> = Deserialize::deserialize(d)?;
    Ok(raw
        .into_iter()
        .map(|(f, c)| {
            let c = match c {
                FieldCategories::One(cat) => BTreeMap::from([(cat, 0)]),
                FieldCategories::Counted(m) => m,
            };
            (f, c)
        })
        .collect())
}

/// The tool-owned `[scan]` table.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ScanSection {
    /// Date of the scan.
    pub last: String,
    /// Locations.
    pub location: Vec<ScanLocation>,
    /// Drift found.
    pub drift: Vec<Drift>,
}

/// The tool-owned `[suggest]` table.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Suggest {
    /// Suggested subjects.
    pub subjects: Vec<String>,
    /// Why.
    pub subject_reason: String,
    /// Suggested categories.
    pub categories: Vec<String>,
}

/// An activity file, read.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Activity {
    /// Stable id (the file name).
    pub id: String,
    /// Name of the processing activity.
    pub name: String,
    /// concept | in_review | vastgesteld | vervallen.
    pub status: String,
    /// Purposes.
    pub purposes: Vec<String>,
    /// Lawful basis id.
    pub legal_basis: String,
    /// Its reference.
    pub legal_basis_ref: String,
    /// Data subjects.
    pub subjects: Vec<String>,
    /// Categories of personal data.
    pub categories: Vec<String>,
    /// Categories people know are there but no scan can see (paper files).
    pub unscannable: Vec<String>,
    /// Art. 9 condition.
    pub art9_condition: String,
    /// Art. 10 basis.
    pub art10_basis: String,
    /// The law that allows a national number.
    pub national_id_law: String,
    /// Recipients.
    pub recipients: Vec<String>,
    /// Processors.
    pub processors: Vec<String>,
    /// Transfers outside the EEA.
    pub transfers: Vec<String>,
    /// Retention, in words.
    pub retention: String,
    /// Retention in days (0: not checked).
    pub retention_days: u64,
    /// Security measures.
    pub security: Vec<String>,
    /// DPIA.
    pub dpia: String,
    /// The locations the activity covers (`path#table`, relative to the project root), as the
    /// person's file lists them; `None` in a file of the older layout.
    pub locations: Option<Vec<String>>,
    /// Tool suggestions (from the evidence file).
    pub suggest: Suggest,
    /// Tool evidence (from the evidence file), one entry per listed location.
    pub scan: ScanSection,
    /// The file has the older layout (piiscan's tables inside it, no `locations`): `update`
    /// migrates it.
    #[serde(skip)]
    pub older_layout: bool,
}

/// An evidence file, `evidence/<id>.toml`: piiscan's part of an activity.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Evidence {
    /// Tool suggestions.
    pub suggest: Suggest,
    /// Tool evidence.
    pub scan: ScanSection,
}

impl Activity {
    /// Every category the last scan found in the activity's locations that are still there.
    pub fn found_categories(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .scan
            .location
            .iter()
            .filter(|l| !l.gone)
            .flat_map(|l| l.categories.keys().cloned())
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

/// A register folder.
#[derive(Debug)]
pub struct Register {
    /// The folder.
    pub dir: PathBuf,
    /// The project root the locations are relative to ([`super::refs::project_root`]).
    pub root: PathBuf,
    /// The organisation.
    pub organisation: Organisation,
    /// The activities with their file paths, by id.
    pub activities: Vec<(PathBuf, Activity)>,
}

/// Reads a TOML file, naming the file, line and column in errors (never its content).
fn read_toml<T: serde::de::DeserializeOwned>(path: &Path) -> crate::Result<T> {
    let text = std::fs::read_to_string(path).map_err(|e| crate::Error::io(path, e))?;
    toml::from_str(&text).map_err(|e| {
        crate::Error::Usage(crate::source::parse_error::toml(
            &path.display().to_string(),
            &text,
            &e,
        ))
    })
}

/// The evidence file of an activity file: `evidence/<stem>.toml` in the register folder.
pub fn evidence_path(activity_file: &Path) -> PathBuf {
    let stem = activity_file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let register = activity_file
        .parent()
        .and_then(Path::parent)
        .unwrap_or_else(|| Path::new("."));
    register.join("evidence").join(format!("{stem}.toml"))
}

/// Does an activity file hold piiscan's `[suggest]` or `[scan]` table (the older layout)?
fn has_tool_tables(path: &Path) -> crate::Result<bool> {
    let t: toml::Table = read_toml(path)?;
    Ok(t.contains_key("scan") || t.contains_key("suggest"))
}

impl Register {
    /// Reads a register folder: each activity's listed locations with the evidence recorded
    /// for them (in its own evidence file, or in another's when a person moved the location).
    ///
    /// # Errors
    /// A missing folder or `register.toml`, or a file that is not valid.
    pub fn load(dir: &Path) -> crate::Result<Register> {
        let org_path = dir.join("register.toml");
        if !org_path.exists() {
            return Err(crate::Error::Usage(format!(
                "{}: no register here (create one with `piiscan register draft PATH…`)",
                dir.display()
            )));
        }
        let root = super::refs::project_root(dir);
        let organisation = read_toml(&org_path)?;
        let mut activities = Vec::new();
        let adir = dir.join("activities");
        if let Ok(rd) = std::fs::read_dir(&adir) {
            let mut paths: Vec<PathBuf> = rd
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                .collect();
            paths.sort();
            for p in paths {
                let mut a: Activity = read_toml(&p)?;
                a.older_layout = a.locations.is_none() && has_tool_tables(&p)?;
                if !a.older_layout {
                    let ev = evidence_path(&p);
                    let e: Evidence = if ev.exists() {
                        read_toml(&ev)?
                    } else {
                        Evidence::default()
                    };
                    a.suggest = e.suggest;
                    a.scan = e.scan;
                }
                for l in &mut a.scan.location {
                    l.reference =
                        super::refs::shown_reference(&super::refs::normalise(&root, &l.reference));
                }
                activities.push((p, a));
            }
        }
        // Evidence by location over the whole register, for locations moved between activities.
        let mut known: BTreeMap<String, ScanLocation> = BTreeMap::new();
        for (_, a) in &activities {
            for l in &a.scan.location {
                known
                    .entry(l.reference.clone())
                    .or_insert_with(|| l.clone());
            }
        }
        for (_, a) in &mut activities {
            let listed: Vec<String> = match &a.locations {
                Some(list) => list
                    .iter()
                    .map(|r| super::refs::shown_reference(&super::refs::normalise(&root, r)))
                    .collect(),
                None => a
                    .scan
                    .location
                    .iter()
                    .map(|l| l.reference.clone())
                    .collect(),
            };
            let mut seen = std::collections::BTreeSet::new();
            let own = std::mem::take(&mut a.scan.location);
            a.scan.location = listed
                .into_iter()
                .filter(|r| seen.insert(r.clone()))
                .map(|r| {
                    own.iter()
                        .find(|l| l.reference == r)
                        .or_else(|| known.get(&r))
                        .cloned()
                        .unwrap_or(ScanLocation {
                            reference: r,
                            ..ScanLocation::default()
                        })
                })
                .collect();
        }
        Ok(Register {
            dir: dir.to_path_buf(),
            root,
            organisation,
            activities,
        })
    }
}

/// A proposed activity: locations of one subject in one folder.
#[derive(Debug, Clone)]
pub struct Proposal {
    /// The id (file name).
    pub id: String,
    /// Its name.
    pub name: String,
    /// The subject.
    pub subject: String,
    /// Why.
    pub subject_reason: String,
    /// The locations.
    pub locations: Vec<Location>,
}

/// Letters and digits, lower-cased, joined by `-`.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// The folder a location sits in (its file's parent directory name; the file stem for a file
/// at the top).
fn folder(dataset: &str) -> String {
    let p = Path::new(dataset);
    p.parent()
        .and_then(|d| d.file_name())
        .map(|d| d.to_string_lossy().into_owned())
        .unwrap_or_else(|| crate::source::table::stem(p))
}

/// Clusters locations by data subject and folder into proposed activities.
pub fn cluster(locations: &[Location], lang: Lang) -> Vec<Proposal> {
    let mut groups: BTreeMap<String, Proposal> = BTreeMap::new();
    for l in locations {
        let place = folder(&l.dataset);
        let id = slug(&format!("{}-{place}", l.subject));
        let p = groups.entry(id.clone()).or_insert_with(|| Proposal {
            id,
            name: format!("{} ({place})", labels::subject(&l.subject, lang)),
            subject: l.subject.clone(),
            subject_reason: l.subject_reason.clone(),
            locations: Vec::new(),
        });
        p.locations.push(l.clone());
    }
    groups.into_values().collect()
}

fn str_array<'a>(items: impl IntoIterator<Item = &'a str>) -> Array {
    let mut a = Array::new();
    for i in items {
        a.push(i);
    }
    a
}

/// The `[suggest]` table of a proposal.
pub fn suggest_table(p_subject: &str, reason: &str, categories: &[String], lang: Lang) -> Table {
    let mut t = Table::new();
    t.decor_mut().set_prefix(format!(
        "\n# {}\n",
        lang.pick(
            "piiscan stelt voor (herschreven bij elke update; neem over in de velden van de activiteit wat klopt):",
            "piiscan suggests (rewritten on every update; copy into the fields of the activity what is right):"
        )
    ));
    t.insert("subjects", value(str_array([p_subject])));
    t.insert("subject_reason", value(reason));
    t.insert(
        "categories",
        value(str_array(categories.iter().map(String::as_str))),
    );
    t
}

/// The `[scan]` table: what the scan evidences, and the drift.
pub fn scan_table(locations: &[ScanLocation], drift: &[Drift], date: &str, lang: Lang) -> Table {
    let mut t = Table::new();
    t.decor_mut().set_prefix(format!(
        "\n# {}\n",
        lang.pick(
            "Wat de scan aantoont (van piiscan: herschreven bij elke update, nooit een waarde of een hash ervan).",
            "What the scan evidences (piiscan's: rewritten on every update, never a value or a hash of one)."
        )
    ));
    t.insert("last", value(date));
    let found: Vec<&String> = {
        let mut v: Vec<&String> = locations
            .iter()
            .filter(|l| !l.gone)
            .flat_map(|l| l.categories.keys())
            .collect();
        v.sort();
        v.dedup();
        v
    };
    t.insert(
        "special_categories",
        value(str_array(
            found
                .iter()
                .filter(|c| labels::is_special(c))
                .map(|c| c.as_str()),
        )),
    );
    t.insert(
        "criminal_data",
        value(found.iter().any(|c| labels::is_criminal(c))),
    );
    t.insert(
        "national_id",
        value(str_array(
            found
                .iter()
                .filter(|c| labels::is_national_id(c))
                .map(|c| c.as_str()),
        )),
    );
    let youngest = locations
        .iter()
        .filter(|l| !l.gone)
        .filter_map(|l| l.youngest_age)
        .min();
    t.insert("children", value(youngest.is_some_and(|a| a < 16)));
    let mut locs = ArrayOfTables::new();
    for l in locations {
        let mut lt = Table::new();
        lt.insert("ref", value(l.reference.as_str()));
        let mut cats = InlineTable::new();
        for (c, n) in &l.categories {
            cats.insert(c, i64::try_from(*n).unwrap_or(i64::MAX).into());
        }
        lt.insert("categories", value(cats));
        if !l.fields.is_empty() {
            let mut f = InlineTable::new();
            for (k, cats) in &l.fields {
                let mut c = InlineTable::new();
                for (cat, n) in cats {
                    c.insert(cat, i64::try_from(*n).unwrap_or(i64::MAX).into());
                }
                f.insert(k, toml_edit::Value::InlineTable(c));
            }
            lt.insert("fields", value(f));
        }
        if let Some(d) = &l.oldest_record {
            lt.insert("oldest_record", value(d.as_str()));
        }
        if let Some(d) = &l.newest_record {
            lt.insert("newest_record", value(d.as_str()));
        }
        if let Some(a) = l.youngest_age {
            lt.insert("youngest_age", value(i64::from(a)));
        }
        if l.gone {
            lt.insert("gone", value(true));
        }
        locs.push(lt);
    }
    t.insert("location", Item::ArrayOfTables(locs));
    let mut dr = ArrayOfTables::new();
    for d in drift {
        let mut dt = Table::new();
        dt.insert("code", value(d.code.as_str()));
        dt.insert("severity", value(d.severity.as_str()));
        dt.insert("detail", value(d.detail.as_str()));
        dr.push(dt);
    }
    if !drift.is_empty() {
        t.insert("drift", Item::ArrayOfTables(dr));
    }
    t
}

/// A location as the `[scan]` table records it.
pub fn scan_location(l: &Location) -> ScanLocation {
    ScanLocation {
        reference: l.reference.clone(),
        categories: l.categories.clone(),
        fields: l.fields.clone(),
        oldest_record: l.oldest.map(|d| d.to_string()),
        newest_record: l.newest.map(|d| d.to_string()),
        youngest_age: l.youngest_age,
        gone: false,
    }
}

/// A TOML string literal.
fn quoted(s: &str) -> String {
    toml_edit::Value::from(s).to_string().trim().to_string()
}

/// The `locations` key of an activity file, with its comment: one reference a line.
fn locations_text(refs: &[String], lang: Lang) -> String {
    let mut s = format!(
        "# {}\n# {}\nlocations = [\n",
        lang.pick(
            "Locaties van deze verwerking (pad#tabel, vanaf de projectmap); wat piiscan erin vond staat in evidence/.",
            "Locations of this activity (path#table, from the project folder); what piiscan found in them is in evidence/."
        ),
        lang.pick(
            "Een locatie verplaatsen: haal haar regel hier weg en zet die in `locations` van de andere activiteit.",
            "To move a location: take its line out here and put it in `locations` of the other activity."
        )
    );
    for r in refs {
        let _ = writeln!(s, "  {},", quoted(r));
    }
    s.push_str("]\n");
    s
}

/// The text of a new activity file (the person's): every human field present, empty and
/// explained, and the locations it covers. piiscan never writes it again.
pub fn activity_text(p: &Proposal, lang: Lang) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# {}\n# {}\n# {}\n",
        lang.pick(
            "Verwerkingsactiviteit in het register van verwerkingen (AVG art. 30 lid 1).",
            "Processing activity in the record of processing activities (GDPR Art. 30(1))."
        ),
        lang.pick(
            "Dit bestand is van u: piiscan schreef dit voorstel en verandert het nooit meer. Wat de scans aantonen staat in evidence/ (van piiscan).",
            "This file is yours: piiscan wrote this draft and never changes it again. What the scans evidence is in evidence/ (piiscan's)."
        ),
        lang.pick(
            "Vul de lege velden in; `piiscan register check` zegt wat nog ontbreekt.",
            "Fill in the empty fields; `piiscan register check` says what is still missing."
        )
    );
    let _ = writeln!(
        s,
        "id = {}                  # {}",
        quoted(&p.id),
        lang.pick("kenmerk: verandert nooit", "id: never changes")
    );
    let _ = writeln!(
        s,
        "name = {}\n# {}\nstatus = \"concept\"\n",
        quoted(&p.name),
        lang.pick(
            "Status: concept | in_review | vastgesteld | vervallen",
            "Status: concept | in_review | vastgesteld (adopted) | vervallen (ended)"
        )
    );
    let refs: Vec<String> = p.locations.iter().map(|l| l.reference.clone()).collect();
    let _ = writeln!(s, "{}", locations_text(&refs, lang));
    for f in FIELDS {
        let _ = writeln!(
            s,
            "# {} ({}): {}",
            lang.pick(f.nl, f.en),
            f.basis,
            lang.pick(f.help_nl, f.help_en)
        );
        let empty = if f.key == "retention_days" {
            "0"
        } else if f.list {
            "[]"
        } else {
            "\"\""
        };
        let _ = writeln!(s, "{} = {empty}\n", f.key);
    }
    s
}

/// The text of an evidence file: piiscan's `[suggest]` and `[scan]` for activity `id`.
pub fn evidence_text(id: &str, suggest: Table, scan: Table, lang: Lang) -> String {
    let head = format!(
        "# {}\n# {}\n",
        lang.pick(
            &format!("Van piiscan: wat de scans aantonen voor activities/{id}.toml. Niet bewerken: elke `piiscan register update` herschrijft dit bestand."),
            &format!("piiscan's: what the scans evidence for activities/{id}.toml. Do not edit: every `piiscan register update` rewrites this file."),
        ),
        lang.pick(
            "Een locatie naar een andere activiteit verplaatsen doet u in `locations` van de activiteitbestanden.",
            "To move a location to another activity, edit `locations` in the activity files."
        )
    );
    let mut doc = DocumentMut::new();
    doc.insert("suggest", Item::Table(suggest));
    doc.insert("scan", Item::Table(scan));
    head + &doc.to_string()
}

/// The texts of a new activity: the person's file and piiscan's evidence file.
pub fn draft_texts(p: &Proposal, today: chrono::NaiveDate, lang: Lang) -> (String, String) {
    let date = today.to_string();
    let locations: Vec<ScanLocation> = p.locations.iter().map(scan_location).collect();
    let mut cats: Vec<String> = locations
        .iter()
        .flat_map(|l| l.categories.keys().cloned())
        .collect();
    cats.sort();
    cats.dedup();
    let as_read = Activity {
        id: p.id.clone(),
        name: p.name.clone(),
        status: "concept".into(),
        suggest: Suggest {
            subjects: vec![p.subject.clone()],
            subject_reason: p.subject_reason.clone(),
            categories: cats.clone(),
        },
        scan: ScanSection {
            last: date.clone(),
            location: locations.clone(),
            drift: Vec::new(),
        },
        ..Activity::default()
    };
    let drift = super::drift::recorded(&as_read, today, lang);
    (
        activity_text(p, lang),
        evidence_text(
            &p.id,
            suggest_table(&p.subject, &p.subject_reason, &cats, lang),
            scan_table(&locations, &drift, &date, lang),
            lang,
        ),
    )
}

/// The keys piiscan writes in each of its tables of the older layout.
const TOOL_KEYS: [(&str, &[&str]); 4] = [
    ("suggest", &["subjects", "subject_reason", "categories"]),
    (
        "scan",
        &[
            "last",
            "special_categories",
            "criminal_data",
            "national_id",
            "children",
            "location",
            "drift",
        ],
    ),
    (
        "scan.location",
        &[
            "ref",
            "categories",
            "fields",
            "oldest_record",
            "newest_record",
            "youngest_age",
            "gone",
        ],
    ),
    ("scan.drift", &["code", "severity", "detail"]),
];

/// Keys a person wrote inside piiscan's tables of the older layout (a key appended at the end
/// of the file lands in the last `[[scan.drift]]`), with their comments.
fn foreign_keys(doc: &DocumentMut) -> Vec<(toml_edit::Key, Item)> {
    let known = |table: &str| {
        TOOL_KEYS
            .iter()
            .find(|(t, _)| *t == table)
            .map_or(&[][..], |(_, k)| *k)
    };
    let mut out = Vec::new();
    let mut take = |name: &str, t: &Table| {
        for (k, item) in t.iter() {
            if !known(name).contains(&k) {
                if let Some((key, _)) = t.get_key_value(k) {
                    out.push((key.clone(), item.clone()));
                }
            }
        }
    };
    if let Some(t) = doc.get("suggest").and_then(Item::as_table) {
        take("suggest", t);
    }
    if let Some(scan) = doc.get("scan").and_then(Item::as_table) {
        take("scan", scan);
        for sub in ["location", "drift"] {
            if let Some(list) = scan.get(sub).and_then(Item::as_array_of_tables) {
                for t in list.iter() {
                    take(&format!("scan.{sub}"), t);
                }
            }
        }
    }
    out
}

/// Migrates an activity file of the older layout: its `[suggest]` and `[scan]` tables (now in
/// the evidence file) are taken out and a `locations` list of `refs` is added after the last
/// key; everything else stays as written, and keys a person wrote inside those tables move to
/// the top level of the file.
///
/// # Errors
/// The text is not TOML.
pub fn migrate_text(
    text: &str,
    refs: &[String],
    lang: Lang,
) -> Result<String, toml_edit::TomlError> {
    let mut doc: DocumentMut = text.parse()?;
    let rescued = foreign_keys(&doc);
    doc.remove("suggest");
    doc.remove("scan");
    for (key, item) in rescued {
        if !doc.contains_key(key.get()) {
            doc.insert_formatted(&key, item);
        }
    }
    let has_tables = doc
        .iter()
        .any(|(_, i)| i.is_table() || i.is_array_of_tables());
    if has_tables {
        // A person's own table after the keys: the list goes with the keys, before it.
        let frag: DocumentMut = locations_text(refs, lang).parse()?;
        if let Some((key, item)) = frag.as_table().get_key_value("locations") {
            doc.insert_formatted(key, item.clone());
        }
        return Ok(doc.to_string());
    }
    let mut out = doc.to_string();
    out.truncate(out.trim_end().len());
    out.push_str("\n\n");
    out.push_str(&locations_text(refs, lang));
    Ok(out)
}

/// The text of a new `register.toml`.
pub fn organisation_text(lang: Lang) -> String {
    let q = |nl: &str, en: &str| lang.pick(nl, en).to_string();
    format!(
        "# {}\n# {}\n\n# {}\ncontroller_name = \"\"\ncontroller_address = \"\"\ncontroller_contact = \"\"\n# {}\norg_number = \"\"\n\n# {}\ndpo_name = \"\"\ndpo_contact = \"\"\n# {}\nrepresentative = \"\"\n",
        q("Register van verwerkingen: de organisatie (AVG art. 30 lid 1 sub a).", "Record of processing activities: the organisation (GDPR Art. 30(1)(a))."),
        q("Dit bestand is van u: piiscan verandert het nooit.", "This file is yours: piiscan never changes it."),
        q("Verwerkingsverantwoordelijke: naam, adres en contactgegevens.", "Controller: name, address and contact details."),
        q("KvK-nummer of KBO-ondernemingsnummer.", "Chamber of Commerce (KvK) or KBO number."),
        q("Functionaris voor gegevensbescherming (art. 37), indien aangesteld.", "Data protection officer (Art. 37), if appointed."),
        q("Vertegenwoordiger in de EU (art. 27), indien van toepassing.", "Representative in the EU (Art. 27), if any."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A field's categories are written with their counts and read back; a register of the
    /// older layout (`field = "category"`) still reads.
    #[test]
    fn fields_keep_every_category_with_its_count() {
        let loc = ScanLocation {
            reference: "crm.csv#klanten".into(),
            categories: BTreeMap::from([
                ("user.contact.email".into(), 120),
                ("user.contact.phone_number".into(), 45),
            ]),
            fields: BTreeMap::from([(
                "contact".into(),
                BTreeMap::from([
                    ("user.contact.email".into(), 120),
                    ("user.contact.phone_number".into(), 45),
                ]),
            )]),
            ..ScanLocation::default()
        };
        let t = scan_table(std::slice::from_ref(&loc), &[], "2026-01-01", Lang::En);
        let mut doc = DocumentMut::new();
        doc.insert("scan", Item::Table(t));
        let text = doc.to_string();
        assert!(
            text.contains(
                r#"contact = { "user.contact.email" = 120, "user.contact.phone_number" = 45 }"#
            ),
            "{text}"
        );
        #[derive(Deserialize)]
        struct Doc {
            scan: ScanSection,
        }
        let back: Doc = toml::from_str(&text).expect("reads back");
        assert_eq!(back.scan.location[0].fields, loc.fields);
        let old: ScanLocation =
            toml::from_str("ref = \"a#b\"\nfields = { contact = \"user.contact.email\" }\n")
                .expect("older layout");
        assert_eq!(
            old.fields["contact"],
            BTreeMap::from([("user.contact.email".to_string(), 0)])
        );
    }
}
