//! The anonymisation policy (TOML; the contract in ARCHITECTURE.md): which method each column
//! gets, chosen by column name (a glob; `table.column` for dumps and SQLite, `Sheet.column`
//! for workbooks), by the category the scanner detected, or by rule id; and which method each
//! rule's spans get in text and logs. Fail-closed: a column with personal data that no entry names stops the run unless
//! `on_unlisted = "keep"` (or an entry with `method = "keep"` names it).

use super::keys::{read_hex_key, MasterKey, Secret};
use super::transform::{Generalise, Normalise, Op, TokenFormat};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;
use std::path::{Path, PathBuf};

/// What to do with a value the method cannot read (an IP method on `-`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum OnInvalid {
    /// Replace it with NULL (empty in CSV), and count it (the default: fail-safe).
    #[default]
    Redact,
    /// Keep it as it is, and count it.
    Keep,
    /// Stop the run, naming the file, row and column.
    Fail,
}

/// One `[[column]]` or `[[text]]` entry as written.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct EntryDef {
    /// Column-name glob (`email`, `*_ip`, `customer.email`).
    pub name: Option<String>,
    /// Detected category (`user.contact.email`); a prefix matches its sub-categories.
    pub category: Option<String>,
    /// Detected rule id (`ipv4`).
    pub rule: Option<String>,
    /// The method.
    pub method: String,
    /// A key as hex text, used as is (no derivation).
    pub key_file: Option<String>,
    /// The label the subkey is derived with (entries with one label share pseudonyms).
    pub key_label: Option<String>,
    /// hmac: `hex` or `base32`.
    pub format: Option<String>,
    /// hmac: characters of the token (default 64 for hex, 26 for base32).
    pub length: Option<usize>,
    /// hmac: text put before the token.
    pub prefix: Option<String>,
    /// hmac: `auto`, `none`, `trim`, `lower`, `email`, `digits`, `alnum` (default: from the
    /// entry's rule or category, else `auto`).
    pub normalise: Option<String>,
    /// mask: characters kept at the start.
    pub keep_first: Option<usize>,
    /// mask: characters kept at the end.
    pub keep_last: Option<usize>,
    /// mask: keep an e-mail address's domain.
    pub keep_domain: Option<bool>,
    /// mask: the mask character.
    pub mask_char: Option<char>,
    /// redact: the constant (absent: NULL).
    pub value: Option<String>,
    /// ip_truncate: IPv4 bits kept (default 24).
    pub ipv4_prefix: Option<u8>,
    /// ip_truncate: IPv6 bits kept (default 48).
    pub ipv6_prefix: Option<u8>,
    /// generalise: `year`, `month`, `age_band`, `postcode4`, `bucket`.
    pub to: Option<String>,
    /// generalise age_band: years per band (default 10).
    pub band: Option<u32>,
    /// generalise age_band: the date ages are counted at (default: today).
    pub reference_date: Option<String>,
    /// generalise bucket: width (default 10).
    pub size: Option<f64>,
    /// date_shift: the column whose value decides the shift (one shift per entity).
    pub entity: Option<String>,
    /// date_shift: largest shift in days (default 365).
    pub max_days: Option<u32>,
    /// fake: what to write (`name`, `email`, `iban`, `bsn`, …; default: from the entry's
    /// rule or category).
    pub kind: Option<String>,
    /// Unreadable values: `redact` (default), `keep` or `fail`.
    pub on_invalid: Option<OnInvalid>,
}

/// The policy file as written.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PolicyDef {
    /// `fail` (default) or `keep`: columns with personal data that no entry names.
    #[serde(default)]
    pub on_unlisted: Option<String>,
    /// Column entries, first match wins.
    #[serde(default)]
    pub column: Vec<EntryDef>,
    /// Text entries, by rule.
    #[serde(default)]
    pub text: Vec<EntryDef>,
}

/// How an entry picks columns.
#[derive(Debug, Clone)]
pub enum Selector {
    /// A glob over `column` or `table.column`.
    Name(globset::GlobMatcher, bool),
    /// A detected category (or a parent of it).
    Category(String),
    /// A detected rule.
    Rule(String),
}

/// A compiled entry.
#[derive(Debug, Clone)]
pub struct Entry {
    /// How it picks.
    pub selector: Selector,
    /// As written, for messages (`name = "*.email"`).
    pub describe: String,
    /// The transform.
    pub op: Op,
    /// date_shift: the entity column.
    pub entity: Option<String>,
    /// Unreadable values.
    pub on_invalid: OnInvalid,
    /// Which key: `master key id / label` or `key_file PATH (id …)`.
    pub key_note: Option<String>,
}

/// A compiled policy.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Keep columns with personal data that no entry names.
    pub keep_unlisted: bool,
    /// Column entries.
    pub columns: Vec<Entry>,
    /// Text entries.
    pub text: Vec<Entry>,
}

/// What the scanner knows of a column, to match `category` and `rule` entries.
#[derive(Debug, Clone, Default)]
pub struct Detected {
    /// Categories found in it.
    pub categories: Vec<String>,
    /// Rules found in it (`column_name` for a name verdict).
    pub rules: Vec<String>,
    /// Categories found in its values (cell findings), not only in its name.
    pub in_values: Vec<String>,
    /// The rules found in its values, each with its category (for `spans` columns: each
    /// needs a `[[text]]` entry).
    pub value_rules: Vec<(String, String)>,
}

impl Policy {
    /// The entry for a column of a table (first match wins).
    pub fn for_column(&self, table: &str, column: &str, detected: &Detected) -> Option<&Entry> {
        self.column_index(table, column, detected)
            .map(|i| &self.columns[i])
    }

    /// The index of the entry for a column of a table (first match wins).
    pub fn column_index(&self, table: &str, column: &str, detected: &Detected) -> Option<usize> {
        let qualified = format!("{table}.{column}").to_lowercase();
        let bare = column.to_lowercase();
        self.columns.iter().position(|e| match &e.selector {
            // A dotted glob names `table.column`, or a nested key of NDJSON (`user.email`).
            Selector::Name(g, dotted) => g.is_match(&bare) || (*dotted && g.is_match(&qualified)),
            Selector::Category(c) => detected
                .categories
                .iter()
                .any(|d| d == c || d.starts_with(&format!("{c}."))),
            Selector::Rule(r) => detected.rules.iter().any(|d| d == r),
        })
    }

    /// This policy with every `spans` entry given its rewriter over `rules` (a fresh one, so
    /// its counts are those of one run).
    pub fn bind_spans(&self, rules: &std::sync::Arc<crate::ruleset::RuleSet>) -> Policy {
        let mut bound = self.clone();
        if bound.columns.iter().any(|e| matches!(e.op, Op::Spans(_))) {
            let rewriter = std::sync::Arc::new(super::spans::SpanRewriter::new(
                std::sync::Arc::clone(rules),
                self,
            ));
            for e in &mut bound.columns {
                if let Op::Spans(slot) = &mut e.op {
                    slot.0 = Some(std::sync::Arc::clone(&rewriter));
                }
            }
        }
        bound
    }

    /// The spans replaced inside `spans` columns in this run, per rule.
    pub fn span_reports(&self) -> Vec<super::text::SpanReport> {
        self.columns
            .iter()
            .find_map(|e| match &e.op {
                Op::Spans(slot) => slot.0.as_ref().map(|r| r.reports()),
                _ => None,
            })
            .unwrap_or_default()
    }

    /// Does a `[[text]]` entry name this rule by id (`rule = "nl.bsn"`)? Then every match of
    /// the rule is transformed, at any confidence.
    pub fn names_rule(&self, rule: &str) -> bool {
        self.text
            .iter()
            .any(|e| matches!(&e.selector, Selector::Rule(r) if r == rule))
    }

    /// The entry for spans of a rule in text.
    pub fn for_rule(&self, rule: &str, category: &str) -> Option<&Entry> {
        self.text.iter().find(|e| match &e.selector {
            Selector::Rule(r) => r == rule,
            Selector::Category(c) => category == c || category.starts_with(&format!("{c}.")),
            Selector::Name(..) => false,
        })
    }
}

/// The shortest value of the built-in rules whose values have a fixed shape, in characters
/// (compact form), with their category: a `mask` keeping this many characters or more leaves
/// such a value whole.
const SHORTEST: &[(&str, &str, usize)] = &[
    (
        "nl.bsn",
        "user.government_id.national_identification_number.nl_bsn",
        8,
    ),
    (
        "be.national_number",
        "user.government_id.national_identification_number.be_rrn",
        11,
    ),
    ("credit_card", "user.financial.credit_card", 12),
    ("iban", "user.financial.bank_account", 15),
    ("nl.vat", "user.government_id.vat_number", 14),
    ("be.vat", "user.government_id.vat_number", 10),
    ("nl.id_document", "user.government_id.passport_number", 9),
    (
        "nl.licence_plate",
        "user.government_id.vehicle_registration",
        6,
    ),
    ("nl.postcode", "user.contact.address.postal_code", 6),
    ("ipv4", "user.device.ip_address", 7),
    ("mac_address", "user.device.device_id", 12),
    ("date_of_birth", "user.demographic.date_of_birth", 8),
];

/// The shortest value (in characters) a rule's matches have, when the rule's values have a
/// fixed shape.
pub fn shortest_value(rule: &str) -> Option<usize> {
    SHORTEST.iter().find(|(r, _, _)| *r == rule).map(|s| s.2)
}

/// The shortest value of the rules of a category (or of its sub-categories).
fn shortest_in_category(category: &str) -> Option<(&'static str, usize)> {
    SHORTEST
        .iter()
        .filter(|(_, c, _)| *c == category || c.starts_with(&format!("{category}.")))
        .map(|(r, _, n)| (*r, *n))
        .min_by_key(|(_, n)| *n)
}

/// Why a `mask` keeping `keep_first` and `keep_last` characters would leave values of
/// `rule` whole, if it would.
pub fn mask_keeps_whole(keep_first: usize, keep_last: usize, rule: &str) -> Option<String> {
    let shortest = shortest_value(rule)?;
    (keep_first.saturating_add(keep_last) >= shortest).then(|| {
        format!(
            "keep_first + keep_last = {} keeps the whole of a {rule} value ({shortest} \
             characters or more); keep fewer so that part of every value is masked",
            keep_first.saturating_add(keep_last)
        )
    })
}

fn hmac_from(key: &Secret) -> Hmac<Sha256> {
    <Hmac<Sha256> as Mac>::new_from_slice(key.bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"))
}

/// Compiles a policy file.
///
/// # Errors
/// TOML errors (with the line), unknown methods or parameters, a key the method needs but
/// nobody gave, a bad key file. Messages name the policy file and the entry, never a key.
pub fn load(path: &Path, master: Option<&MasterKey>) -> crate::Result<Policy> {
    let text = std::fs::read_to_string(path).map_err(|e| crate::Error::io(path, e))?;
    let def: PolicyDef = toml::from_str(&text).map_err(|e| {
        crate::Error::Usage(crate::source::parse_error::toml(
            &path.display().to_string(),
            &text,
            &e,
        ))
    })?;
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    compile(&def, &dir, master, &path.display().to_string(), Some(&text))
}

/// Compiles a parsed policy; key files are resolved from `dir`. `text`, the file as read,
/// lets messages give the line of the entry they are about. Messages never quote a value of
/// the file (it may be the wrong file, holding keys or personal data): they name the file,
/// the entry and its line, the parameter, and the values allowed.
///
/// # Errors
/// As [`load`].
pub fn compile(
    def: &PolicyDef,
    dir: &Path,
    master: Option<&MasterKey>,
    file: &str,
    text: Option<&str>,
) -> crate::Result<Policy> {
    let keep_unlisted = match def.on_unlisted.as_deref() {
        None | Some("fail") => false,
        Some("keep") => true,
        Some(_) => {
            let line = text
                .and_then(|t| {
                    t.lines()
                        .position(|l| l.trim_start().starts_with("on_unlisted"))
                })
                .map(|i| format!(" line {}:", i + 1))
                .unwrap_or_default();
            return Err(crate::Error::Usage(format!(
                "{file}:{line} on_unlisted is neither of the allowed values: use \"fail\" or \"keep\""
            )));
        }
    };
    let at = |header: &str, i: usize| {
        let line = text
            .and_then(|t| crate::source::parse_error::nth_header_line(t, header, i))
            .map(|l| format!(" line {l}:"))
            .unwrap_or_default();
        format!("{file}:{line} [[{header}]] #{}", i + 1)
    };
    let mut columns = Vec::new();
    for (i, e) in def.column.iter().enumerate() {
        columns.push(entry(e, dir, master, &at("column", i), true)?);
    }
    let mut text = Vec::new();
    for (i, e) in def.text.iter().enumerate() {
        text.push(entry(e, dir, master, &at("text", i), false)?);
    }
    Ok(Policy {
        keep_unlisted,
        columns,
        text,
    })
}

fn entry(
    e: &EntryDef,
    dir: &Path,
    master: Option<&MasterKey>,
    at: &str,
    column: bool,
) -> crate::Result<Entry> {
    let fail = |m: String| crate::Error::Usage(format!("{at}: {m}"));
    let (selector, describe) = match (&e.name, &e.category, &e.rule) {
        (Some(n), None, None) if column => {
            let g = globset::GlobBuilder::new(&n.to_lowercase())
                .literal_separator(false)
                .build()
                .map_err(|err| fail(format!("name: {}", crate::source::parse_error::glob(&err))))?;
            (
                Selector::Name(g.compile_matcher(), n.contains('.')),
                format!("name = {n:?}"),
            )
        }
        (None, Some(c), None) => (Selector::Category(c.clone()), format!("category = {c:?}")),
        (None, None, Some(r)) => (Selector::Rule(r.clone()), format!("rule = {r:?}")),
        _ if column => {
            return Err(fail(
                "give exactly one of name, category or rule".to_string(),
            ))
        }
        _ => return Err(fail("give exactly one of rule or category".to_string())),
    };
    let rule_hint = e.rule.as_deref().unwrap_or_else(|| {
        e.category
            .as_deref()
            .map(|c| {
                if c.contains("email") {
                    "email"
                } else if c.contains("phone") {
                    "phone"
                } else {
                    ""
                }
            })
            .unwrap_or("")
    });
    let label = e.key_label.clone().unwrap_or_else(|| describe.clone());
    let mut key_note = None;
    let mut key = |method: &str, len: usize| -> crate::Result<Secret> {
        if let Some(kf) = &e.key_file {
            let p = if Path::new(kf).is_absolute() {
                PathBuf::from(kf)
            } else {
                dir.join(kf)
            };
            let k = read_hex_key(&p)?;
            key_note = Some(format!(
                "key_file {} (key id {})",
                p.display(),
                super::keys::key_id(k.bytes())
            ));
            return Ok(k);
        }
        let m = master.ok_or_else(|| {
            fail(format!(
                "method {method} needs a key: give --key-file FILE or set {} (or key_file in the entry)",
                super::keys::KEY_ENV
            ))
        })?;
        key_note = Some(format!("master key {} / {label}", m.key_id()));
        Ok(m.derive(method, &label, len))
    };
    let op = match e.method.as_str() {
        "keep" => Op::Keep,
        "drop" => Op::Drop,
        "redact" => Op::Redact(e.value.clone()),
        "mask" => {
            let (keep_first, keep_last) = (e.keep_first.unwrap_or(1), e.keep_last.unwrap_or(0));
            let target = match (&e.rule, &e.category) {
                (Some(r), _) => Some(r.clone()),
                (None, Some(c)) => shortest_in_category(c).map(|(r, _)| r.to_string()),
                _ => None,
            };
            if let Some(why) = target.and_then(|r| mask_keeps_whole(keep_first, keep_last, &r)) {
                return Err(fail(why));
            }
            Op::Mask {
                keep_first,
                keep_last,
                keep_domain: e.keep_domain.unwrap_or(false),
                with: e.mask_char.unwrap_or('*'),
            }
        }
        "hmac" => {
            let format = match e.format.as_deref() {
                None | Some("hex") => TokenFormat::Hex,
                Some("base32") => TokenFormat::Base32,
                Some(_) => return Err(fail("format: use hex or base32".to_string())),
            };
            let full = if format == TokenFormat::Hex { 64 } else { 52 };
            let length = e
                .length
                .unwrap_or(if format == TokenFormat::Hex { 64 } else { 26 });
            if !(16..=full).contains(&length) {
                return Err(fail(format!(
                    "length {length}: keep at least 16 characters (64 or more bits), at most {full}"
                )));
            }
            let normalise = match e.normalise.as_deref() {
                None => Normalise::for_rule(rule_hint),
                Some(n) => Normalise::parse(n).ok_or_else(|| {
                    fail(
                        "normalise: use auto, none, trim, lower, email, digits or alnum"
                            .to_string(),
                    )
                })?,
            };
            Op::Hmac {
                mac: hmac_from(&key("hmac", 32)?),
                format,
                length,
                prefix: e.prefix.clone().unwrap_or_default(),
                normalise,
            }
        }
        "fake" => {
            use super::fake::{FakeKind, KINDS};
            let kind = match e.kind.as_deref() {
                Some(k) => {
                    FakeKind::parse(k).ok_or_else(|| fail(format!("kind: use one of {KINDS}")))?
                }
                None => FakeKind::for_rule_or_category(e.rule.as_deref(), e.category.as_deref())
                    .ok_or_else(|| {
                        fail(format!(
                            "fake needs kind = one of {KINDS} (it cannot be told from the entry)"
                        ))
                    })?,
            };
            let rule = match kind {
                super::fake::FakeKind::Email => "email",
                super::fake::FakeKind::Phone => "phone",
                super::fake::FakeKind::Iban => "iban",
                super::fake::FakeKind::Bsn => "nl.bsn",
                super::fake::FakeKind::BeNationalNumber => "be.national_number",
                super::fake::FakeKind::Postcode => "nl.postcode",
                _ => "",
            };
            Op::Fake {
                mac: hmac_from(&key("fake", 32)?),
                kind,
                normalise: Normalise::for_rule(if rule.is_empty() { rule_hint } else { rule }),
            }
        }
        "ip_truncate" => {
            let v4 = e.ipv4_prefix.unwrap_or(24);
            let v6 = e.ipv6_prefix.unwrap_or(48);
            if v4 >= 32 || v6 >= 128 {
                return Err(fail(
                    "ipv4_prefix is at most 31 and ipv6_prefix at most 127: a full prefix \
                     keeps the whole address"
                        .into(),
                ));
            }
            Op::IpTruncate { v4, v6 }
        }
        "ip_prefix_preserving" => {
            let k = key("ip_prefix_preserving", 32)?;
            let cp = super::cryptopan::CryptoPan::new(k.bytes()).ok_or_else(|| {
                fail("Crypto-PAn needs a key of exactly 32 bytes (64 hex digits)".into())
            })?;
            Op::IpPrefixPreserving(Box::new(cp))
        }
        "generalise" => {
            let g = match e.to.as_deref() {
                Some("year") => Generalise::Year,
                Some("month") => Generalise::Month,
                Some("age_band") => Generalise::AgeBand {
                    band: match e.band.unwrap_or(10) {
                        0 => return Err(fail("band 0: a band is at least one year".into())),
                        b => b,
                    },
                    reference: match &e.reference_date {
                        Some(d) => chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                            .map_err(|_| fail("reference_date: use YYYY-MM-DD".to_string()))?,
                        None => chrono::Local::now().date_naive(),
                    },
                },
                Some("postcode4") => Generalise::Postcode4,
                Some("bucket") => Generalise::Bucket {
                    size: match e.size {
                        None => 10.0,
                        Some(s) if s.is_finite() && s > 0.0 => s,
                        Some(_) => {
                            return Err(fail("size: a bucket width is a number above 0".into()))
                        }
                    },
                },
                other => {
                    return Err(fail(format!(
                        "generalise needs to = year, month, age_band, postcode4 or bucket ({})",
                        if other.is_some() {
                            "got another value"
                        } else {
                            "to is missing"
                        }
                    )))
                }
            };
            Op::Generalise(g)
        }
        "date_shift" => Op::DateShift {
            mac: hmac_from(&key("date_shift", 32)?),
            max_days: match e.max_days.unwrap_or(365) {
                0 => {
                    return Err(fail(
                        "max_days 0 would not move any date; give 1 or more".into(),
                    ))
                }
                d => d,
            },
        },
        "spans" if !column => return Err(fail(
            "spans is for [[column]] entries: in text every span already gets its rule's method"
                .into(),
        )),
        "spans" => {
            if e.on_invalid.is_some() {
                return Err(fail(
                    "on_invalid does not apply to spans: each span follows the on_invalid of its [[text]] entry"
                        .into(),
                ));
            }
            Op::Spans(super::spans::SpanSlot::default())
        }
        _ => {
            return Err(fail(
                "method is none of the known ones: use keep, drop, redact, mask, hmac, fake, \
                 ip_truncate, ip_prefix_preserving, generalise, date_shift or spans (columns)"
                    .to_string(),
            ))
        }
    };
    // A spans cell fails only when one of its spans fails with on_invalid = "fail".
    let on_invalid = if matches!(op, Op::Spans(_)) {
        OnInvalid::Fail
    } else {
        e.on_invalid.unwrap_or_default()
    };
    if !column && matches!(op, Op::Drop) {
        return Err(fail("drop is for columns; in text use redact".into()));
    }
    Ok(Entry {
        selector,
        describe,
        op,
        entity: e.entity.clone(),
        on_invalid,
        key_note,
    })
}
