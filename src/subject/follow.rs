//! Following a person's rows through the keys they share with other tables, and finding rows
//! by identifiers no rule knows (a customer number in a named column).
//!
//! Which keys are followed decides whether the answer stays one person's: following an order's
//! `product_id` would bring in every other buyer of that product, following a ticket's
//! `employee_id` the employee's other customers. So a row's keys are followed only where they
//! name the row's own record or the person:
//! - its own key (the `id` of table `klanten`, `klantnummer` in table `klant`, `InvoiceId` in
//!   `Invoice`): rows elsewhere that refer to this record (the customer's orders, an order's
//!   lines) are the person's;
//! - in a row that holds the person's identifier, the one key naming a person (`klantnummer` in
//!   an orders row with the person's e-mail address): the person's record and their other rows.
//!   A row naming two people (`customer_id` and `employee_id`) follows neither: whose would they
//!   be?
//!
//! Key columns are recognised by name (`id`, `*_id`, `*nummer`, `*number`, `*nr`, `*_no`),
//! less names that only look like keys (`huisnummer`, `telefoonnummer`, `valid`), and joined
//! by what they identify, spelled exactly: `klantnummer`, `klant_id` and the `id` of table
//! `klanten` are one key. Values are compared as keyed fingerprints under the run's key. One
//! level deep by default; each level starts from the rows the previous one found.

use super::{CustomId, Person, Place};
use crate::detect::engine::{Engine, Scratch};
use crate::finding::fingerprint::Fingerprinter;
use crate::finding::Confidence;
use crate::ruleset::RuleSet;
use crate::source::table::TableSink;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

/// A row of a table of one input: (input, table, row).
pub type RowAt = (String, String, u64);

/// The personal-data columns of a table, with their rule and category (from the scan's column
/// verdicts; rule `column_name` when the name decided): what a found row is reported with.
pub type DataColumns = HashMap<(String, String), Vec<(String, String, String)>>;

/// Rows and the people they belong to (positions in the subject list; one person for a
/// subject file).
pub type RowsOf = HashMap<RowAt, BTreeSet<Person>>;

/// Column names that end like keys but hold data or a place in a list, never a record's key
/// (lower case, letters and digits only).
const NOT_KEYS: &[&str] = &[
    "huisnummer",
    "housenumber",
    "streetnumber",
    "volgnummer",
    "sequencenumber",
    "regelnummer",
    "linenumber",
    "telefoonnummer",
    "telnummer",
    "mobielnummer",
    "mobilenumber",
    "phonenumber",
    "faxnummer",
    "faxnumber",
    "rekeningnummer",
    "accountnumber",
    "accountnummer",
    "accountno",
    "accountnr",
    "burgerservicenummer",
    "rijksregisternummer",
    "paspoortnummer",
    "passportnumber",
    "documentnummer",
    "documentnumber",
    "btwnummer",
    "vatnumber",
    "kvknummer",
    "postnummer",
    "valid",
    "paid",
    "void",
];

/// What a key naming a person identifies (after [`key_of`]): a key of one of these is the
/// person's own key when their identifier sits in the row.
const PERSON_KEYS: &[&str] = &[
    "klant",
    "customer",
    "client",
    "cliënt",
    "user",
    "gebruiker",
    "gebruikers",
    "member",
    "lid",
    "leden",
    "account",
    "person",
    "persoon",
    "patient",
    "patiënt",
    "subscriber",
    "abonnee",
    "relatie",
    "student",
    "leerling",
    "debiteur",
    "debtor",
    "employee",
    "medewerker",
    "werknemer",
    "buyer",
    "koper",
    "guest",
    "gast",
    "applicant",
    "sollicitant",
    "candidate",
    "kandidaat",
    "profile",
    "profiel",
];

fn squash(name: &str) -> String {
    name.to_lowercase()
        .chars()
        .filter(|ch| ch.is_alphanumeric())
        .collect()
}

/// The thing a key column identifies, or `None` when it is no key: `klantnummer` → `klant`,
/// the `id` of table `klanten` → `klant`.
pub fn key_of(table: &str, column: &str) -> Option<String> {
    let c = squash(column);
    if NOT_KEYS.contains(&c.as_str()) {
        return None;
    }
    if c == "id" || c == "nr" || c == "nummer" || c == "number" {
        return Some(entity_of(table));
    }
    for suffix in ["nummer", "number", "id", "nr", "no"] {
        if let Some(base) = c.strip_suffix(suffix) {
            if base.chars().count() >= 3 {
                return Some(singular(base));
            }
        }
    }
    None
}

/// What the records of a table are: `klanten` → `klant`, `public.customers` → `customer`.
pub fn entity_of(table: &str) -> String {
    let last = table.rsplit('.').next().unwrap_or(table);
    singular(&squash(last))
}

/// `klanten` → `klant`, `orders` → `order`, `customers` → `customer`.
fn singular(word: &str) -> String {
    for plural in ["en", "s"] {
        if let Some(base) = word.strip_suffix(plural) {
            if base.chars().count() >= 3 {
                return base.to_string();
            }
        }
    }
    word.to_string()
}

/// Which columns of a table's rows are followed: `Some(key)` for the table's own key always,
/// and for the one key naming a person when the row holds the person's identifier (`direct`).
fn followed_keys(table: &str, columns: &[String], direct: bool) -> Vec<Option<String>> {
    let own = entity_of(table);
    let keys: Vec<Option<String>> = columns.iter().map(|c| key_of(table, c)).collect();
    let people: HashSet<&str> = keys
        .iter()
        .flatten()
        .map(String::as_str)
        .filter(|k| *k != own && PERSON_KEYS.contains(k))
        .collect();
    let person = (direct && people.len() == 1).then(|| people.into_iter().next());
    keys.iter()
        .map(|k| {
            k.as_ref()
                .filter(|k| **k == own || person.flatten() == Some(k.as_str()))
                .cloned()
        })
        .collect()
}

/// Numbers rows as the scan does: per table (a table may come back later in a dump), or as
/// the reader numbers them (a large object by its oid).
#[derive(Default)]
struct RowNumbers {
    table: String,
    counts: HashMap<String, u64>,
}

impl RowNumbers {
    fn begin(&mut self, table: &str) {
        self.table = table.to_string();
    }

    fn next(&mut self, label: Option<u64>) -> u64 {
        let n = self.counts.entry(self.table.clone()).or_default();
        *n += 1;
        label.unwrap_or(*n)
    }
}

/// A key value of a followed row: (what it identifies, its fingerprint).
type Key = (String, String);

/// Reads the followed key values of chosen rows.
struct KeyCollector<'a> {
    path: &'a str,
    rows: &'a RowsOf,
    direct: bool,
    fingerprints: &'a Fingerprinter,
    numbers: RowNumbers,
    keys_of_columns: Vec<Option<String>>,
    found: HashMap<Key, BTreeSet<Person>>,
}

impl KeyCollector<'_> {
    fn take(&mut self, label: Option<u64>, cells: &[Option<&[u8]>]) -> bool {
        let row = self.numbers.next(label);
        let at = (self.path.to_string(), self.numbers.table.clone(), row);
        let Some(people) = self.rows.get(&at) else {
            return true;
        };
        for (key, cell) in self.keys_of_columns.iter().zip(cells) {
            if let (Some(key), Some(v)) = (key, cell) {
                let v = String::from_utf8_lossy(v);
                if !v.trim().is_empty() {
                    let fp = self.fingerprints.fingerprint("key", key, "", v.trim());
                    self.found
                        .entry((key.clone(), fp))
                        .or_default()
                        .extend(people.iter().copied());
                }
            }
        }
        true
    }
}

impl TableSink for KeyCollector<'_> {
    fn begin(&mut self, table: &str, columns: &[String]) {
        self.numbers.begin(table);
        self.keys_of_columns = followed_keys(table, columns, self.direct);
    }
    fn row(&mut self, cells: &[Option<&[u8]>]) -> bool {
        self.take(None, cells)
    }
    fn row_at(&mut self, row: u64, cells: &[Option<&[u8]>]) -> bool {
        self.take(Some(row), cells)
    }
    fn end(&mut self) {}
}

/// What makes a row one of the person's.
enum Wanted<'a> {
    /// A key column holding a key of a row already found.
    Keys(&'a HashMap<Key, BTreeSet<Person>>),
    /// A named column holding an identifier no rule knows.
    Custom(&'a [CustomId]),
}

/// Finds rows holding what is wanted and reports their personal data.
struct RowFinder<'a> {
    wanted: Wanted<'a>,
    fingerprints: &'a Fingerprinter,
    engine: Engine<'a>,
    scratch: &'a mut Scratch,
    path: &'a str,
    data: &'a DataColumns,
    known: &'a RowsOf,
    numbers: RowNumbers,
    columns: Vec<String>,
    /// Per column: the key it holds (any key: rows refer to a record by any of them).
    keys_of_columns: Vec<Option<String>>,
    /// Per column: the custom identifiers it may hold.
    custom_of_columns: Vec<Vec<usize>>,
    places: Vec<Place>,
    rows: RowsOf,
}

impl RowFinder<'_> {
    /// The column that makes the row wanted, the people it belongs to, and whether it is the
    /// person's identifier itself (a custom identifier) rather than a key followed.
    fn wanted_by(&self, cells: &[Option<&[u8]>]) -> Option<(usize, BTreeSet<Person>, bool)> {
        for (i, cell) in cells.iter().enumerate() {
            let Some(v) = cell else { continue };
            let v = String::from_utf8_lossy(v);
            let v = v.trim();
            if v.is_empty() {
                continue;
            }
            match &self.wanted {
                Wanted::Keys(keys) => {
                    let Some(key) = self.keys_of_columns.get(i).and_then(Option::as_ref) else {
                        continue;
                    };
                    let fp = self.fingerprints.fingerprint("key", key, "", v);
                    if let Some(people) = keys.get(&(key.clone(), fp)) {
                        return Some((i, people.clone(), false));
                    }
                }
                Wanted::Custom(ids) => {
                    for &c in self.custom_of_columns.get(i).into_iter().flatten() {
                        if let Some(people) = ids[c].people_of(self.fingerprints, v) {
                            return Some((i, people, true));
                        }
                    }
                }
            }
        }
        None
    }

    fn take(&mut self, label: Option<u64>, cells: &[Option<&[u8]>]) -> bool {
        let row = self.numbers.next(label);
        let Some((via, mut people, identifier)) = self.wanted_by(cells) else {
            return true;
        };
        let at = (self.path.to_string(), self.numbers.table.clone(), row);
        if let Some(known) = self.known.get(&at) {
            people.retain(|p| !known.contains(p));
        }
        if people.is_empty() {
            return true;
        }
        let table = self.numbers.table.clone();
        let via_name = self.columns[via].clone();
        let by_name: HashMap<&str, (&str, &str)> = self
            .data
            .get(&(self.path.to_string(), table.clone()))
            .into_iter()
            .flatten()
            .filter(|(_, rule, _)| rule == "column_name")
            .map(|(c, r, cat)| (c.as_str(), (r.as_str(), cat.as_str())))
            .collect();
        let mut found: Vec<(usize, String, String, String)> = Vec::new();
        for (i, cell) in cells.iter().enumerate() {
            let Some(bytes) = cell else { continue };
            if i == via && identifier {
                continue;
            }
            let mut any = false;
            let rules = self.engine.rules();
            self.engine.scan(self.scratch, bytes, 0, bytes.len(), |h| {
                let r = &rules.rules[h.rule];
                let value = String::from_utf8_lossy(&bytes[h.start..h.end]).into_owned();
                found.push((i, r.id.to_string(), r.category.to_string(), value));
                any = true;
            });
            let name = self.columns.get(i).map(String::as_str).unwrap_or("");
            if !any {
                if let Some((rule, category)) = by_name.get(name) {
                    let v = String::from_utf8_lossy(bytes);
                    if !v.trim().is_empty() {
                        found.push((i, rule.to_string(), category.to_string(), v.into_owned()));
                    }
                }
            }
        }
        let id_name = match &self.wanted {
            Wanted::Custom(ids) if identifier => {
                let v = cells[via].map(String::from_utf8_lossy).unwrap_or_default();
                ids.iter()
                    .find(|c| c.holds(self.fingerprints, v.trim()))
                    .map(|c| c.name.clone())
            }
            _ => None,
        };
        let via_cell = cells[via].map(String::from_utf8_lossy).unwrap_or_default();
        for person in &people {
            let place = |column: &str, rule: &str, category: &str, value: &str| Place {
                path: self.path.to_string(),
                table: Some(table.clone()),
                column: Some(column.to_string()),
                row: Some(row),
                line: None,
                rule: rule.to_string(),
                category: category.to_string(),
                evidence: crate::finding::mask::mask(rule, value),
                matched: false,
                via: (!identifier).then(|| via_name.clone()),
                person: *person,
                value: None,
            };
            if let Some(id) = &id_name {
                let mut p = place(&via_name, id, "user.unique_id", &via_cell);
                p.matched = true;
                self.places.push(p);
            } else if found.is_empty() {
                self.places
                    .push(place(&via_name, "relation", "user.unique_id", &via_cell));
            }
            for (i, rule, category, value) in &found {
                let column = self.columns.get(*i).map(String::as_str).unwrap_or("");
                self.places.push(place(column, rule, category, value));
            }
        }
        self.rows.entry(at).or_default().extend(people);
        true
    }
}

impl TableSink for RowFinder<'_> {
    fn begin(&mut self, table: &str, columns: &[String]) {
        self.numbers.begin(table);
        self.columns = columns.to_vec();
        self.keys_of_columns = columns.iter().map(|c| key_of(table, c)).collect();
        self.custom_of_columns = match &self.wanted {
            Wanted::Custom(ids) => columns
                .iter()
                .map(|c| {
                    let c = squash(c);
                    ids.iter()
                        .enumerate()
                        .filter(|(_, id)| id.columns.contains(&c))
                        .map(|(i, _)| i)
                        .collect()
                })
                .collect(),
            Wanted::Keys(_) => Vec::new(),
        };
    }
    fn row(&mut self, cells: &[Option<&[u8]>]) -> bool {
        self.take(None, cells)
    }
    fn row_at(&mut self, row: u64, cells: &[Option<&[u8]>]) -> bool {
        self.take(Some(row), cells)
    }
    fn end(&mut self) {}
}

/// Reads a table input again, as the scan read it. A live database is not: without an order
/// its rows need not come back in the same order, so rows found by number would be others'.
pub fn read_again(path: &str, sink: &mut dyn TableSink) -> std::io::Result<()> {
    if crate::source::database::url::is_database_url(path) {
        return Err(std::io::Error::other(
            "a live database is not read a second time (its rows need not come back in the same order), so keys are not followed and rows not copied there; dump it and search the dump for that",
        ));
    }
    crate::source::table::read_file(Path::new(path), sink).map(|_| ())
}

/// What following or a lookup found, and the inputs that could not be read again.
#[derive(Debug, Default)]
pub struct Followed {
    /// The places of the rows found.
    pub places: Vec<Place>,
    /// The rows found, with their people: where following goes on from.
    pub rows: RowsOf,
    /// Inputs that could not be read again: (path, why).
    pub not_read: Vec<(String, String)>,
}

/// What every pass over the table inputs needs.
pub struct Tables<'a> {
    /// The inputs read as tables, as the scan named them.
    pub inputs: &'a [String],
    /// Their personal-data columns.
    pub data: &'a DataColumns,
    /// The rules, to report the personal data of a row found.
    pub rules: &'a RuleSet,
    /// The run's key.
    pub fingerprints: &'a Fingerprinter,
}

impl Tables<'_> {
    /// Reads every table input with a [`RowFinder`] for `wanted`, skipping `known` rows.
    fn find(&self, wanted: Wanted<'_>, known: &RowsOf, out: &mut Followed) -> RowsOf {
        let engine = Engine::new(self.rules, Confidence::Low, false);
        let mut scratch = engine.scratch();
        let mut rows = RowsOf::new();
        for path in self.inputs {
            let wanted = match &wanted {
                Wanted::Keys(k) => Wanted::Keys(k),
                Wanted::Custom(c) => Wanted::Custom(c),
            };
            let mut f = RowFinder {
                wanted,
                fingerprints: self.fingerprints,
                engine,
                scratch: &mut scratch,
                path,
                data: self.data,
                known,
                numbers: RowNumbers::default(),
                columns: Vec::new(),
                keys_of_columns: Vec::new(),
                custom_of_columns: Vec::new(),
                places: Vec::new(),
                rows: RowsOf::new(),
            };
            if let Err(e) = read_again(path, &mut f) {
                out.not_read
                    .push((path.clone(), format!("not searched again: {e}")));
                continue;
            }
            out.places.append(&mut f.places);
            for (at, people) in f.rows {
                rows.entry(at).or_default().extend(people);
            }
        }
        rows
    }

    /// Finds the rows whose named columns hold one of the person's identifiers that no rule
    /// knows (`klantnummer = ["K-1001"]` with `columns = ["klantnummer"]`), skipping rows the
    /// scan already matched.
    pub fn find_custom(&self, ids: &[CustomId], matched: &RowsOf) -> Followed {
        let mut out = Followed::default();
        if ids.is_empty() {
            return out;
        }
        out.rows = self.find(Wanted::Custom(ids), matched, &mut out);
        out
    }

    /// Follows the keys of `matched` rows (those holding the person's identifiers) through
    /// every table input, `levels` deep.
    pub fn follow(&self, matched: &RowsOf, levels: u32) -> Followed {
        let mut out = Followed::default();
        let mut known: RowsOf = matched.clone();
        let mut frontier: RowsOf = matched.clone();
        let mut followed: HashSet<Key> = HashSet::new();
        for level in 0..levels {
            let mut by_input: HashMap<&str, RowsOf> = HashMap::new();
            for (at, people) in &frontier {
                by_input
                    .entry(at.0.as_str())
                    .or_default()
                    .insert(at.clone(), people.clone());
            }
            let mut keys: HashMap<Key, BTreeSet<Person>> = HashMap::new();
            for (path, rows) in &by_input {
                let mut c = KeyCollector {
                    path,
                    rows,
                    direct: level == 0,
                    fingerprints: self.fingerprints,
                    numbers: RowNumbers::default(),
                    keys_of_columns: Vec::new(),
                    found: HashMap::new(),
                };
                if let Err(e) = read_again(path, &mut c) {
                    out.not_read
                        .push((path.to_string(), format!("not followed: {e}")));
                }
                for (key, people) in c.found {
                    keys.entry(key).or_default().extend(people);
                }
            }
            keys.retain(|k, _| followed.insert(k.clone()));
            if keys.is_empty() {
                break;
            }
            let next = self.find(Wanted::Keys(&keys), &known, &mut out);
            if next.is_empty() {
                break;
            }
            for (at, people) in &next {
                known
                    .entry(at.clone())
                    .or_default()
                    .extend(people.iter().copied());
                out.rows
                    .entry(at.clone())
                    .or_default()
                    .extend(people.iter().copied());
            }
            frontier = next;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_columns_are_joined_by_what_they_identify() {
        assert_eq!(key_of("orders", "klantnummer").as_deref(), Some("klant"));
        assert_eq!(key_of("orders", "klant_id").as_deref(), Some("klant"));
        assert_eq!(key_of("klanten", "id").as_deref(), Some("klant"));
        assert_eq!(
            key_of("public.customers", "id").as_deref(),
            Some("customer")
        );
        assert_eq!(key_of("orders", "customer_id").as_deref(), Some("customer"));
        assert_eq!(key_of("orders", "order_no").as_deref(), Some("order"));
        assert_eq!(key_of("Invoice", "InvoiceId").as_deref(), Some("invoice"));
        assert_eq!(key_of("orders", "email"), None);
        assert_eq!(key_of("orders", "bedrag"), None);
    }

    #[test]
    fn names_that_only_end_like_keys_are_no_keys() {
        for column in [
            "huisnummer",
            "Huis_Nummer",
            "volgnummer",
            "telefoonnummer",
            "phone_number",
            "rekeningnummer",
            "valid",
            "paid",
        ] {
            assert_eq!(key_of("klanten", column), None, "{column}");
        }
    }

    #[test]
    fn only_a_rows_own_key_and_the_one_person_it_names_are_followed() {
        let cols = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        // An order holding the person's e-mail: its own key and the customer it names, never
        // the product (other buyers) .
        let order = cols(&["id", "klantnummer", "product_id", "email"]);
        assert_eq!(
            followed_keys("orders", &order, true),
            vec![Some("order".into()), Some("klant".into()), None, None]
        );
        // Found through a key, it follows only its own key.
        assert_eq!(
            followed_keys("orders", &order, false),
            vec![Some("order".into()), None, None, None]
        );
        // A ticket naming a customer and an employee: whose would the other rows be?
        let ticket = cols(&["ticket_id", "customer_id", "employee_id"]);
        assert_eq!(
            followed_keys("tickets", &ticket, true),
            vec![Some("ticket".into()), None, None]
        );
        // Chinook: a customer's support representative is someone else.
        let customer = cols(&["CustomerId", "Email", "SupportRepId"]);
        assert_eq!(
            followed_keys("Customer", &customer, true),
            vec![Some("customer".into()), None, None]
        );
    }
}
