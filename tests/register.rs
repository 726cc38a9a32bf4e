//! The processing register end to end on the fixture organisation (`fixtures/register-org`):
//! golden files for the draft and the exports, updates that never touch a person's file (nor
//! depend on how the project path is spelled), locations moved between activities, an older
//! register migrated, every drift code triggered and cleared, and the HTML export printed to
//! PDF by headless Chromium (where `.ci/run` installed it).

use crate::common::{piiscan, root, stderr, stdout};
use std::path::{Path, PathBuf};
use std::process::Output;

/// 2025-11-29: reproducible scan dates.
const EPOCH: &str = "1764374400";

fn run_in(dir: &Path, args: &[&str]) -> Output {
    piiscan()
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .args(args)
        .output()
        .expect("run piiscan")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

/// A copy of the fixture organisation in a temporary folder.
fn organisation() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = root().join("fixtures/register-org");
    for sub in ["crm", "hr", "marketing", "webshop"] {
        std::fs::create_dir_all(dir.path().join("org").join(sub)).expect("mkdir");
        for e in std::fs::read_dir(src.join(sub)).expect("fixture").flatten() {
            std::fs::copy(
                e.path(),
                dir.path().join("org").join(sub).join(e.file_name()),
            )
            .expect("copy");
        }
    }
    dir
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
    {
        if e.file_type().is_file() {
            out.push(e.path().strip_prefix(dir).expect("inside").to_path_buf());
        }
    }
    out
}

/// Compares `actual` with its golden file in tests/golden/register.
fn golden(name: &str, actual: &[u8]) {
    crate::common::golden(&format!("register/{name}"), actual);
}

#[test]
fn a_draft_and_its_exports_match_the_golden_files() {
    let dir = organisation();
    let d = dir.path();
    let o = run_in(d, &["register", "draft", "org"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let reg = d.join("register");
    let written = files(&reg);
    assert_eq!(written.len(), 9, "{written:?}");
    for f in &written {
        golden(
            &format!("draft/{}", f.display()),
            &std::fs::read(reg.join(f)).expect("read"),
        );
    }
    for (format, name) in [
        ("md", "register.md"),
        ("csv", "register.csv"),
        ("inventory-csv", "inventory.csv"),
        ("json", "register.json"),
        ("html", "register.html"),
    ] {
        let o = run_in(d, &["register", "export", "--format", format]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        golden(&format!("export/{name}"), &o.stdout);
    }
    let o = run_in(d, &["register", "export", "--format", "md", "--lang", "en"]);
    golden("export/register.en.md", &o.stdout);
    // The CSV opens in Dutch Excel: a byte order mark and semicolons.
    let csv = run_in(d, &["register", "export", "--format", "csv"]).stdout;
    assert!(csv.starts_with(b"\xEF\xBB\xBFKenmerk;"));
    // No value from the data in any file of the register or its exports.
    let mut all = String::new();
    for f in &written {
        all.push_str(&std::fs::read_to_string(reg.join(f)).expect("read"));
    }
    for format in ["md", "csv", "inventory-csv", "json", "html"] {
        all.push_str(&stdout(&run_in(
            d,
            &["register", "export", "--format", format],
        )));
    }
    // Every value of the personal columns of the fixture files (names, e-mail, phone, IBAN,
    // BSN, sick-leave notes, IP addresses): none is in the register or its exports.
    let personal = [
        "voornaam",
        "achternaam",
        "email",
        "telefoon",
        "iban",
        "naam",
        "bsn",
        "verzuimreden",
        "ip",
    ];
    let mut checked = 0;
    for file in [
        "crm/klanten.csv",
        "hr/medewerkers.csv",
        "marketing/nieuwsbrief_abonnees.csv",
        "webshop/sessies.csv",
    ] {
        let text = std::fs::read_to_string(d.join("org").join(file)).expect("fixture");
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().expect("header").split(',').collect();
        for line in lines {
            for (name, value) in header.iter().zip(line.split(',')) {
                if personal.contains(name) && value.len() > 3 {
                    checked += 1;
                    assert!(
                        !all.contains(value),
                        "{file}: {name} value {value} in the register"
                    );
                }
            }
        }
    }
    assert!(checked > 100, "{checked}");
}

/// The evidence file of an activity file.
fn evidence_of(activity: &Path) -> PathBuf {
    let stem = activity.file_stem().expect("stem");
    activity
        .parent()
        .and_then(Path::parent)
        .expect("register")
        .join("evidence")
        .join(stem)
        .with_extension("toml")
}

/// Fills every human field of an activity file, as a person would (values and comments),
/// copying piiscan's suggestions from the evidence file.
fn fill(path: &Path) {
    let text = std::fs::read_to_string(path).expect("activity");
    let evidence = std::fs::read_to_string(evidence_of(path)).expect("evidence");
    let parsed: toml::Value = toml::from_str(&evidence).expect("toml");
    let suggested: Vec<String> = parsed["suggest"]["categories"]
        .as_array()
        .expect("suggested")
        .iter()
        .filter_map(|v| v.as_str().map(|s| format!("{s:?}")))
        .collect();
    let subject = parsed["suggest"]["subjects"][0]
        .as_str()
        .expect("subject")
        .to_string();
    let filled = text
        .replace("purposes = []", "purposes = [\"Uitvoeren van de overeenkomst\"]  # afgestemd met de proceseigenaar")
        .replace("legal_basis = \"\"", "legal_basis = \"contract\"")
        .replace("subjects = []", &format!("subjects = [{subject:?}]"))
        .replace("categories = []", &format!("categories = [\n  {},\n]", suggested.join(",\n  ")))
        .replace("art9_condition = \"\"", "art9_condition = \"UAVG art. 30 lid 1 (re-integratie)\"")
        .replace("national_id_law = \"\"", "national_id_law = \"Wet op de loonbelasting 1964, art. 28\"")
        .replace("recipients = []", "recipients = [\"Boekhouding (intern)\"]")
        .replace("retention = \"\"", "retention = \"7 jaar (fiscale bewaarplicht)\"")
        .replace("security = []", "security = ['Versleutelde schijven', \"Toegang op rol\"]\n# Notitie van de FG: herzien in 2026.");
    std::fs::write(path, filled).expect("write");
}

/// The part of an activity file of the older layout above piiscan's tables.
fn human_part(text: &str) -> &str {
    let cut = text
        .find("\n# piiscan stelt voor")
        .or_else(|| text.find("\n# piiscan suggests"))
        .expect("tool sections");
    &text[..cut]
}

/// Every file of a folder with its bytes.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    files(dir)
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(dir.join(&f)).expect("read");
            (f, bytes)
        })
        .collect()
}

fn check_codes(d: &Path, extra: &[&str]) -> (i32, Vec<(String, String)>) {
    let mut args = vec!["register", "check", "--format", "json"];
    args.extend_from_slice(extra);
    let o = run_in(d, &args);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| {
        let hr = std::fs::read_to_string(d.join("register/activities/employee-hr.toml"))
            .unwrap_or_default();
        panic!("{e}: {}\n{hr}", stderr(&o))
    });
    let codes = v
        .as_array()
        .expect("array")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or("").to_string(),
                f["place"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    (code(&o), codes)
}

fn has(codes: &[(String, String)], code: &str) -> bool {
    codes.iter().any(|(c, _)| c == code)
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{from} not in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).expect("write");
}

#[test]
fn an_update_keeps_every_human_edit_byte_for_byte() {
    let dir = organisation();
    let d = dir.path();
    assert_eq!(code(&run_in(d, &["register", "draft", "org"])), 0);
    let hr = d.join("register/activities/employee-hr.toml");
    fill(&hr);
    edit(
        &hr,
        "name = \"Medewerkers (hr)\"",
        "name = \"Personeelsadministratie\"   # hernoemd door HR",
    );
    // A key and a comment appended at the end of the file (once lost in [[scan.drift]]).
    let mut text = std::fs::read_to_string(&hr).expect("read");
    text.push_str("\n# Eigenaar afgesproken in het MT van maart.\nowner = \"HR-manager\"\n");
    std::fs::write(&hr, &text).expect("write");
    let before = snapshot(&d.join("register/activities"));
    // New data in the HR folder and in a new folder; one location vanishes.
    std::fs::write(
        d.join("org/hr/medewerkers.csv"),
        std::fs::read_to_string(d.join("org/hr/medewerkers.csv"))
            .expect("hr")
            .replace(",Developer,", ",Developer (06-11223344),"),
    )
    .expect("write");
    std::fs::remove_file(d.join("org/webshop/sessies.csv")).expect("rm");
    std::fs::create_dir_all(d.join("org/werving")).expect("mkdir");
    std::fs::write(
        d.join("org/werving/sollicitanten.csv"),
        "naam,email,telefoon\nKees Mulder,kees.mulder@mailbox.nl,06-99887766\nIris Bos,iris.bos@mailbox.nl,06-55443322\n",
    )
    .expect("write");
    let hr_evidence = std::fs::read(evidence_of(&hr)).expect("evidence");
    let o = run_in(d, &["register", "update", "org"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // Every activity file that existed is byte for byte as the person left it.
    for (f, bytes) in &before {
        let now = std::fs::read(d.join("register/activities").join(f)).expect("read");
        assert!(&now == bytes, "{} changed", f.display());
    }
    assert!(
        std::fs::read(evidence_of(&hr)).expect("evidence") != hr_evidence,
        "the evidence of the changed location was not updated"
    );
    // The vanished location is marked, its activity kept.
    let web =
        std::fs::read_to_string(d.join("register/evidence/visitor-webshop.toml")).expect("kept");
    assert!(
        web.contains("gone = true") && web.contains("GONE_LOCATION"),
        "{web}"
    );
    // The new location is a new activity, status concept.
    let new = std::fs::read_to_string(d.join("register/activities/job-applicant-werving.toml"))
        .expect("new activity");
    assert!(new.contains("status = \"concept\""));
    // A second update with nothing new changes nothing at all.
    let all = snapshot(&d.join("register"));
    assert_eq!(code(&run_in(d, &["register", "update", "org"])), 0);
    for (f, bytes) in all {
        assert!(
            std::fs::read(d.join("register").join(&f)).expect("read") == bytes,
            "{}",
            f.display()
        );
    }
}

#[test]
fn every_drift_code_is_triggered_and_cleared() {
    let dir = organisation();
    let d = dir.path();
    std::fs::write(
        d.join("org/hr/vog_registratie.csv"),
        "personeelsnummer,naam,vog_datum,strafblad\nP100,Sanne de Vries,2024-01-10,geen\nP101,Peter Jansen,2024-02-11,geen\n",
    )
    .expect("write");
    assert_eq!(code(&run_in(d, &["register", "draft", "org"])), 0);
    let (status, codes) = check_codes(d, &[]);
    assert_eq!(status, 1);
    for c in [
        "MISSING_REQUIRED",
        "MISSING_RECOMMENDED",
        "NATID_NO_LAW",
        "ART9_NO_CONDITION",
        "ART10_NO_BASIS",
    ] {
        assert!(has(&codes, c), "{c} not triggered: {codes:?}");
    }
    // Filled in completely: no error, no warning.
    edit(
        &d.join("register/register.toml"),
        "controller_name = \"\"",
        "controller_name = \"Fietsenwinkel De Spaak B.V.\"",
    );
    edit(
        &d.join("register/register.toml"),
        "controller_contact = \"\"",
        "controller_contact = \"privacy@despaak.example\"",
    );
    for f in files(&d.join("register/activities")) {
        fill(&d.join("register/activities").join(f));
    }
    let hr = d.join("register/activities/employee-hr.toml");
    edit(
        &hr,
        "art10_basis = \"\"",
        "art10_basis = \"UAVG art. 33 lid 5 (VOG)\"",
    );
    let (status, codes) = check_codes(d, &["org"]);
    assert_eq!((status, codes.clone()), (0, vec![]), "{codes:?}");

    // Each code, on and off again.
    let cases: &[(&str, &str, &str)] = &[
        (
            "MISSING_REQUIRED",
            "recipients = [\"Boekhouding (intern)\"]",
            "recipients = []",
        ),
        (
            "MISSING_RECOMMENDED",
            "retention = \"7 jaar (fiscale bewaarplicht)\"",
            "retention = \"\"",
        ),
        (
            "INVALID_VALUE",
            "legal_basis = \"contract\"",
            "legal_basis = \"toestemming\"",
        ),
        (
            "NATID_NO_LAW",
            "national_id_law = \"Wet op de loonbelasting 1964, art. 28\"",
            "national_id_law = \"\"",
        ),
        (
            "ART9_NO_CONDITION",
            "art9_condition = \"UAVG art. 30 lid 1 (re-integratie)\"",
            "art9_condition = \"\"",
        ),
        (
            "ART10_NO_BASIS",
            "art10_basis = \"UAVG art. 33 lid 5 (VOG)\"",
            "art10_basis = \"\"",
        ),
        (
            "NEW_CATEGORY",
            "  \"user.health_and_medical\",\n",
            "  # health data taken out\n",
        ),
        (
            "STALE_CATEGORY",
            "categories = [\n",
            "categories = [\n  \"user.financial.income\",\n",
        ),
        (
            "SUBJECT_MISMATCH",
            "subjects = [\"employee\"]",
            "subjects = [\"job_applicant\"]",
        ),
        (
            "RETENTION_EXCEEDED",
            "retention_days = 0",
            "retention_days = 365",
        ),
    ];
    for (code_, good, bad) in cases {
        edit(&hr, good, bad);
        let (_, codes) = check_codes(d, &[]);
        assert!(has(&codes, code_), "{code_} not triggered: {codes:?}");
        edit(&hr, bad, good);
        let (status, codes) = check_codes(d, &[]);
        assert!(
            !has(&codes, code_) && status == 0,
            "{code_} not cleared: {codes:?}"
        );
    }
    // STALE_CATEGORY is cleared by declaring the category unscannable (paper files).
    edit(
        &hr,
        "categories = [\n",
        "unscannable = [\"user.financial.income\"]\ncategories = [\n  \"user.financial.income\",\n",
    );
    let (status, _) = check_codes(d, &[]);
    assert_eq!(status, 0);

    // A new location no activity covers: UNASSIGNED_LOCATION, until an update adds it.
    std::fs::create_dir_all(d.join("org/leden")).expect("mkdir");
    std::fs::write(
        d.join("org/leden/leden.csv"),
        "naam,email\nJoost Smit,joost.smit@mailbox.nl\nLisa Vos,lisa.vos@mailbox.nl\n",
    )
    .expect("write");
    let (status, codes) = check_codes(d, &["org"]);
    assert!(
        status == 1 && has(&codes, "UNASSIGNED_LOCATION"),
        "{codes:?}"
    );
    assert_eq!(code(&run_in(d, &["register", "update", "org"])), 0);
    let (_, codes) = check_codes(d, &["org"]);
    assert!(!has(&codes, "UNASSIGNED_LOCATION"), "{codes:?}");
    fill(&d.join("register/activities/member-leden.toml"));

    // A vanished location: GONE_LOCATION (a warning), cleared when the data is back.
    let sessions = std::fs::read(d.join("org/webshop/sessies.csv")).expect("read");
    std::fs::remove_file(d.join("org/webshop/sessies.csv")).expect("rm");
    let (_, codes) = check_codes(d, &["org"]);
    assert!(
        codes.contains(&("GONE_LOCATION".to_string(), "visitor-webshop".to_string())),
        "{codes:?}"
    );
    std::fs::write(d.join("org/webshop/sessies.csv"), sessions).expect("write");
    let (status, codes) = check_codes(d, &["org"]);
    assert_eq!((status, codes.clone()), (0, vec![]), "{codes:?}");
}

#[test]
fn the_html_export_prints_to_pdf_in_chromium() {
    let Some(chromium) = crate::common::chromium("HTML-to-PDF test") else {
        return;
    };
    let dir = organisation();
    let d = dir.path();
    assert_eq!(code(&run_in(d, &["register", "draft", "org"])), 0);
    let pdf_text = |name: &str| -> String {
        let html = d.join(format!("{name}.html"));
        let o = run_in(
            d,
            &[
                "register",
                "export",
                "--format",
                "html",
                "--out",
                html.to_str().expect("utf-8"),
            ],
        );
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        crate::common::print_to_pdf(chromium, &html).0
    };
    let text = pdf_text("concept");
    for want in [
        "Register van verwerkingen",
        "CONCEPT",
        "Medewerkers (hr)",
        "Doeleinden",
        "Burgerservicenummer",
        "art. 30(1)(b)",
    ] {
        assert!(text.contains(want), "{want} not in the PDF:\n{text}");
    }
    for f in files(&d.join("register/activities")) {
        edit(
            &d.join("register/activities").join(f),
            "status = \"concept\"",
            "status = \"vastgesteld\"",
        );
    }
    let text = pdf_text("adopted");
    assert!(
        text.contains("Register van verwerkingen") && !text.contains("CONCEPT"),
        "{text}"
    );
}

#[test]
fn a_draft_from_an_inventory_file_equals_a_draft_from_a_scan() {
    let dir = organisation();
    let d = dir.path();
    let o = run_in(d, &["inventory", "org", "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    std::fs::write(d.join("inventory.json"), &o.stdout).expect("write");
    assert_eq!(
        code(&run_in(d, &["register", "draft", "org", "--register", "a"])),
        0
    );
    let o = run_in(
        d,
        &[
            "register",
            "draft",
            "--inventory",
            "inventory.json",
            "--register",
            "b",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let (a, b) = (files(&d.join("a")), files(&d.join("b")));
    assert_eq!(a, b);
    for f in a {
        assert_eq!(
            std::fs::read(d.join("a").join(&f)).expect("a"),
            std::fs::read(d.join("b").join(&f)).expect("b"),
            "{}",
            f.display()
        );
    }
    // A second draft into a register that exists is refused: updates keep human text.
    let o = run_in(d, &["register", "draft", "org", "--register", "a"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("register update"), "{}", stderr(&o));
}

/// How the project path is spelled does not matter: `register draft org`, then `update ./org`,
/// `update /abs/path/org` and `update .` from inside it, give the same register (once, a
/// second spelling duplicated every activity and marked every location gone).
#[test]
fn the_project_path_spelled_any_way_gives_the_same_references() {
    let dir = organisation();
    let d = dir.path();
    assert_eq!(code(&run_in(d, &["register", "draft", "org"])), 0);
    let hr = d.join("register/activities/employee-hr.toml");
    edit(&hr, "status = \"concept\"", "status = \"vervallen\"");
    assert_eq!(code(&run_in(d, &["register", "update", "org"])), 0);
    let reg = d.join("register");
    let first = snapshot(&reg);
    let abs = d.join("org").canonicalize().expect("absolute");
    let abs = abs.to_str().expect("utf-8");
    let register = reg.canonicalize().expect("absolute");
    let register = register.to_str().expect("utf-8");
    for (cwd, args) in [
        (d.to_path_buf(), vec!["register", "update", "./org"]),
        (d.to_path_buf(), vec!["register", "update", abs]),
        (d.to_path_buf(), vec!["register", "update", "org/"]),
        (
            d.join("org"),
            vec!["register", "update", ".", "--register", "../register"],
        ),
        (
            d.join("org/crm"),
            vec!["register", "update", "..", "--register", register],
        ),
    ] {
        let o = run_in(&cwd, &args);
        assert_eq!(code(&o), 0, "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("0 new") && stderr(&o).contains("0 locations no longer found"),
            "{args:?}: {}",
            stderr(&o)
        );
        assert_eq!(snapshot(&reg), first, "{args:?} changed the register");
        let (_, codes) = check_codes(d, &[abs]);
        assert!(
            !has(&codes, "UNASSIGNED_LOCATION") && !has(&codes, "GONE_LOCATION"),
            "{args:?}: {codes:?}"
        );
    }
    // No reference is absolute.
    for (f, bytes) in &first {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains(abs), "{}: {text}", f.display());
    }
}

/// A location moves to another activity by moving its line between two `locations` lists:
/// piiscan's evidence files need no edit, check and update follow.
#[test]
fn a_location_moves_by_editing_the_persons_lists_only() {
    let dir = organisation();
    let d = dir.path();
    assert_eq!(code(&run_in(d, &["register", "draft", "org"])), 0);
    let acts = d.join("register/activities");
    fill(&acts.join("customer-crm.toml"));
    let sessions = "  \"org/webshop/sessies.csv#sessies\",\n";
    edit(&acts.join("visitor-webshop.toml"), sessions, "");
    edit(
        &acts.join("customer-crm.toml"),
        "locations = [\n",
        &format!("locations = [\n{sessions}"),
    );
    let persons = snapshot(&acts);
    // Before any update, check reads the moved location's evidence where it was recorded.
    let o = run_in(d, &["register", "export", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let text = v.to_string();
    assert!(text.contains("org/webshop/sessies.csv#sessies"), "{text}");
    let (_, codes) = check_codes(d, &["org"]);
    assert!(!has(&codes, "UNASSIGNED_LOCATION"), "{codes:?}");
    assert!(
        codes
            .iter()
            .any(|(c, p)| c == "NEW_CATEGORY" && p == "customer-crm"),
        "the webshop's IP addresses now count for customer-crm: {codes:?}"
    );
    let o = run_in(d, &["register", "update", "org"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("0 new"), "{}", stderr(&o));
    assert_eq!(snapshot(&acts), persons, "a person's file was rewritten");
    let crm = std::fs::read_to_string(d.join("register/evidence/customer-crm.toml")).expect("crm");
    let web =
        std::fs::read_to_string(d.join("register/evidence/visitor-webshop.toml")).expect("web");
    assert!(
        crm.contains("ref = \"org/webshop/sessies.csv#sessies\""),
        "{crm}"
    );
    assert!(!web.contains("sessies.csv"), "{web}");
}

/// A register written before the evidence files existed (the `[suggest]` and `[scan]` tables
/// inside the activity files; one with absolute references) is migrated by `update`: the
/// person's text is kept, the tables move to `evidence/` (equal to a fresh draft's), and the
/// references become relative.
#[test]
fn an_older_register_is_migrated_by_update() {
    let dir = organisation();
    let d = dir.path();
    let legacy = root().join("fixtures/register-legacy");
    std::fs::create_dir_all(d.join("register/activities")).expect("mkdir");
    std::fs::copy(
        legacy.join("register.toml"),
        d.join("register/register.toml"),
    )
    .expect("copy");
    let abs = d.join("org").canonicalize().expect("absolute");
    let mut before = Vec::new();
    for f in files(&legacy.join("activities")) {
        let mut text = std::fs::read_to_string(legacy.join("activities").join(&f)).expect("read");
        if f.to_str() == Some("customer-crm.toml") {
            text = text.replace("ref = \"org/", &format!("ref = \"{}/", abs.display()));
        }
        let mut text = text.replace(
            "purposes = []",
            "purposes = [\"Bestellingen\"]  # van de FG",
        );
        // Appended by a person: it sits inside piiscan's last table, yet is kept.
        text.push_str("\n# Eigenaar afgesproken in het MT.\nowner = \"HR-manager\"\n");
        std::fs::write(d.join("register/activities").join(&f), &text).expect("write");
        before.push((f, text));
    }
    let o = run_in(d, &["register", "update", "org"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("migrated") && stderr(&o).contains("0 new"),
        "{}",
        stderr(&o)
    );
    for (f, old) in &before {
        let new = std::fs::read_to_string(d.join("register/activities").join(f)).expect("read");
        assert!(new.starts_with(human_part(old)), "{}: {new}", f.display());
        assert!(
            new.contains("\n# Eigenaar afgesproken in het MT.\nowner = \"HR-manager\"\n"),
            "{}: {new}",
            f.display()
        );
        assert!(
            new.contains("locations = [\n  \"org/"),
            "{}: {new}",
            f.display()
        );
        assert!(
            !new.contains("\n[scan]") && !new.contains("\n[suggest]"),
            "{new}"
        );
        assert!(!new.contains(&abs.display().to_string()), "{new}");
        let evidence = std::fs::read(d.join("register/evidence").join(f)).expect("evidence");
        golden(&format!("draft/evidence/{}", f.display()), &evidence);
    }
    let (_, codes) = check_codes(d, &["org"]);
    assert!(
        !has(&codes, "UNASSIGNED_LOCATION") && !has(&codes, "GONE_LOCATION"),
        "{codes:?}"
    );
    let all = snapshot(&d.join("register"));
    assert_eq!(code(&run_in(d, &["register", "update", "org"])), 0);
    assert_eq!(
        snapshot(&d.join("register")),
        all,
        "a second update changed something"
    );
}

/// A sick-leave sheet's `reden` column (burn-out, zwangerschap) is health data: the draft's
/// evidence lists it among the special categories (art. 9), and a VOG column makes criminal
/// data (art. 10) true. Before the health and criminal-record rules both stayed empty.
#[test]
fn a_sick_leave_sheet_and_a_vog_column_set_the_art_9_and_art_10_flags() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::create_dir_all(d.join("org/hr")).expect("mkdir");
    std::fs::write(
        d.join("org/hr/verzuim.csv"),
        "medewerker,reden,van,tot\nIlse Brouwer,burn-out,2024-01-08,2024-03-01\n\
         Koen Hendriks,zwangerschap,2024-02-01,2024-06-01\nSanne de Vries,griep,2024-02-12,2024-02-16\n\
         Bas Vermeulen,rugklachten,2024-03-04,2024-03-08\n",
    )
    .expect("write");
    std::fs::write(
        d.join("org/hr/onboarding.csv"),
        "kandidaat,opmerking\nJeroen Kuipers,VOG aangevraagd op 3 maart\n\
         Femke Verbeek,strafblad opgevraagd bij Justis\nDaan Mulder,VOG ontvangen\n",
    )
    .expect("write");
    let o = run_in(d, &["register", "draft", "org"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let evidence: String = files(&d.join("register/evidence"))
        .iter()
        .map(|f| std::fs::read_to_string(d.join("register/evidence").join(f)).expect("read"))
        .collect();
    assert!(
        evidence.contains("special_categories = [\"user.health_and_medical\"]"),
        "{evidence}"
    );
    assert!(evidence.contains("criminal_data = true"), "{evidence}");
}

/// A field holding several kinds of personal data is recorded with each of them and its
/// count: a `contact` column with e-mail addresses and phone numbers, a `notities` column with
/// names and health data. Before, the evidence kept one category per field.
#[test]
fn a_field_with_several_categories_lists_each_with_its_count() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::create_dir_all(d.join("org/crm")).expect("mkdir");
    let mut csv = String::from("klantnummer,contact,notities\n");
    for i in 0..12 {
        let contact = if i % 3 == 0 {
            format!("+31 6 1234 56{i:02}")
        } else {
            format!("klant{i}@voorbeeld.nl")
        };
        let note = match i {
            0 => "Belde namens Sanne de Vries, zij is thuis met een burn-out".to_string(),
            1 => "Medewerker meldt dat hij ziek is met griep".to_string(),
            _ => format!("Gesprek met Peter Jansen over order {i}"),
        };
        csv.push_str(&format!("K{i:03},{contact},\"{note}\"\n"));
    }
    std::fs::write(d.join("org/crm/klanten.csv"), csv).expect("write");
    let o = run_in(d, &["register", "draft", "org"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let evidence: String = files(&d.join("register/evidence"))
        .iter()
        .map(|f| std::fs::read_to_string(d.join("register/evidence").join(f)).expect("read"))
        .collect();
    assert!(
        evidence
            .contains(r#"contact = { "user.contact.email" = 8, "user.contact.phone_number" = 4 }"#),
        "{evidence}"
    );
    let notes = evidence
        .lines()
        .find(|l| l.starts_with("fields"))
        .and_then(|l| l.split("notities = ").nth(1))
        .unwrap_or_default();
    assert!(
        notes.contains("\"user.health_and_medical\" = 2"),
        "{evidence}"
    );
    assert!(notes.contains("\"user.name\""), "{evidence}");
}

/// The `locations` of an activity file, as written.
fn listed(d: &Path, id: &str) -> Vec<String> {
    let text = std::fs::read_to_string(d.join(format!("register/activities/{id}.toml")))
        .unwrap_or_else(|e| panic!("{id}: {e}"));
    let doc: toml::Table = text.parse().expect("toml");
    doc["locations"]
        .as_array()
        .expect("locations")
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

#[test]
fn activities_are_regrouped_by_move_merge_and_split_keeping_human_edits() {
    let dir = organisation();
    let d = dir.path();
    assert_eq!(code(&run_in(d, &["register", "draft", "org"])), 0);
    let crm = d.join("register/activities/customer-crm.toml");
    fill(&crm);
    let before = std::fs::read_to_string(&crm).expect("read");
    // Move: the webshop's sessions belong to the customer administration.
    let o = run_in(
        d,
        &[
            "register",
            "move",
            "org/webshop/sessies.csv#sessies",
            "customer-crm",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(listed(d, "customer-crm").contains(&"org/webshop/sessies.csv#sessies".to_string()));
    assert!(listed(d, "visitor-webshop").is_empty());
    // Every byte of the person's file but the list stays (comments, filled fields).
    let after = std::fs::read_to_string(&crm).expect("read");
    let strip = |t: &str| -> String {
        let start = t.find("locations = [").expect("locations");
        let end = start + t[start..].find(']').expect("end");
        format!("{}{}", &t[..start], &t[end..])
    };
    assert_eq!(strip(&before), strip(&after));
    // The evidence followed: the customer activity's evidence lists the sessions' fields,
    // and check reports no location as unassigned or missing evidence.
    let ev = std::fs::read_to_string(d.join("register/evidence/customer-crm.toml")).expect("ev");
    assert!(ev.contains("org/webshop/sessies.csv#sessies"), "{ev}");
    let (_, codes) = check_codes(d, &["org"]);
    assert!(!has(&codes, "UNASSIGNED_LOCATION"), "{codes:?}");
    // Merge: marketing's subscribers into the customer administration; its lists join, its
    // files go.
    let mkt = d.join("register/activities/subscriber-marketing.toml");
    edit(
        &mkt,
        "purposes = []",
        "purposes = [\"Nieuwsbrief versturen\"]",
    );
    let o = run_in(
        d,
        &[
            "register",
            "merge",
            "subscriber-marketing",
            "--into",
            "customer-crm",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!mkt.exists());
    assert!(!d
        .join("register/evidence/subscriber-marketing.toml")
        .exists());
    let merged = std::fs::read_to_string(&crm).expect("read");
    assert!(merged.contains("Nieuwsbrief versturen"), "{merged}");
    assert!(
        listed(d, "customer-crm")
            .iter()
            .any(|l| l.contains("nieuwsbrief")),
        "{merged}"
    );
    let (_, codes) = check_codes(d, &["org"]);
    assert!(!has(&codes, "UNASSIGNED_LOCATION"), "{codes:?}");
    // Two different lawful bases are for a person to settle: refused, nothing changed.
    let hr = d.join("register/activities/employee-hr.toml");
    edit(
        &hr,
        "legal_basis = \"\"",
        "legal_basis = \"legal_obligation\"",
    );
    let crm_now = std::fs::read(&crm).expect("read");
    let o = run_in(
        d,
        &["register", "merge", "employee-hr", "--into", "customer-crm"],
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("legal_basis"), "{}", stderr(&o));
    assert!(hr.exists());
    assert_eq!(std::fs::read(&crm).expect("read"), crm_now);
    // Split: the sessions off again, into a new activity of their own.
    let o = run_in(
        d,
        &[
            "register",
            "split",
            "customer-crm",
            "org/webshop/*",
            "--name",
            "Webshopbezoek",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        listed(d, "webshopbezoek"),
        vec!["org/webshop/sessies.csv#sessies"]
    );
    assert!(!listed(d, "customer-crm")
        .iter()
        .any(|l| l.contains("webshop")));
    assert!(d.join("register/evidence/webshopbezoek.toml").exists());
    let (_, codes) = check_codes(d, &["org"]);
    assert!(!has(&codes, "UNASSIGNED_LOCATION"), "{codes:?}");
    // A pattern that matches nothing is named.
    let o = run_in(d, &["register", "move", "org/nergens/*", "customer-crm"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("org/nergens/*"), "{}", stderr(&o));
}
