//! The command line, as clap definitions only: no logic here. `main.rs` turns these into the
//! library's options.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// piiscan: find personal data (GDPR / AVG) in files, exports, logs and datasets.
#[derive(Debug, Parser)]
#[command(name = "piiscan", version, about, long_about = None)]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files and directories for personal data.
    Scan(Box<ScanArgs>),
    /// Write the inventory: which personal data each file, table and column holds.
    Inventory(InventoryArgs),
    /// Draft, update, check and export the record of processing activities (GDPR Art. 30).
    Register {
        /// What to do with the register.
        #[command(subcommand)]
        action: RegisterAction,
    },
    /// Anonymise or pseudonymise datasets, dumps and logs by a policy, into new files.
    Anonymise(AnonymiseArgs),
    /// Size a data breach for the 72-hour notification: kinds of data, records, people.
    Breach(BreachArgs),
    /// A data subject's request: find one person everywhere.
    Subject {
        /// What to do.
        #[command(subcommand)]
        action: SubjectAction,
    },
    /// Measure k-anonymity and re-identification risk of a dataset over quasi-identifiers.
    Risk(RiskArgs),
    /// Write a commented starter `.piiscan.toml` in the current directory.
    Init {
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// List, explain and test the detection rules.
    Rules {
        /// What to do with the rules.
        #[command(subcommand)]
        action: RulesAction,
    },
}

/// What to read and with which rules: the flags `scan`, `inventory` and `register
/// draft|update|check` share. `cli::settings` merges them with `.piiscan.toml` (flags win;
/// a list flag replaces the configuration's list, rule packs add up).
#[derive(Debug, Args, Clone, Default)]
pub struct ScopeArgs {
    /// The configuration file (default: `.piiscan.toml` in the scanned directory or a parent).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Ignore any `.piiscan.toml`.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// Add a rule pack: a TOML rule file or a directory of them (repeatable).
    #[arg(long = "rules", value_name = "PATH")]
    pub rules: Vec<PathBuf>,
    /// Run only these rule ids (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub only: Vec<String>,
    /// Do not run these rule ids (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub disable: Vec<String>,
    /// Only scan files matching this glob (repeatable), e.g. '*.log', 'acme/logs/**'; matched
    /// against the path below each path given, below the project root, and the file name;
    /// for a live database, against `schema.table`.
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// Skip files and directories matching this glob (repeatable), matched as --include is.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Also scan hidden files and directories.
    #[arg(long)]
    pub hidden: bool,
    /// Follow symbolic links (loops are detected and reported).
    #[arg(long)]
    pub follow_symlinks: bool,
    /// Skip files larger than this (e.g. 500K, 20M, 2G).
    #[arg(long, value_name = "SIZE")]
    pub max_filesize: Option<String>,
    /// Rows read per table (CSV, TSV, SQL dumps) to classify columns; 0 reads every row
    /// [default: 10000; every row for `scan --fail-on`].
    #[arg(long, value_name = "N")]
    pub sample_rows: Option<u64>,
    /// Live databases: read the catalog only (tables, columns, row estimates) and judge
    /// columns by their names, reading no rows (for a user with no right to read them).
    #[arg(long)]
    pub schema_only: bool,
    /// What all members of one archive given may expand to, nested archives included
    /// (e.g. 500M, 4G) [default: 4G].
    #[arg(long, value_name = "SIZE")]
    pub archive_max_size: Option<String>,
    /// How many times its stored size an archive member may expand to (checked past 1 MiB)
    /// [default: 200].
    #[arg(long, value_name = "N")]
    pub archive_max_ratio: Option<u64>,
    /// How deep archives inside archives are opened (1: the members of the archive given
    /// only) [default: 6].
    #[arg(long, value_name = "N")]
    pub archive_max_depth: Option<u32>,
    /// How many members all archives of one input given may have [default: 100000].
    #[arg(long, value_name = "N")]
    pub archive_max_entries: Option<u64>,
}

/// Options of `piiscan scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files or directories to scan; `-` reads standard input; a URL
    /// (`postgres://user@host:5432/db`, `mysql://user@host:3306/db`) reads a live database.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// What to read, with which rules (shared with inventory and register).
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// Output format.
    #[arg(long, default_value = "table", value_parser = ["table", "json", "ndjson", "csv", "sarif", "github", "junit"])]
    pub format: String,
    /// Exit with status 1 when a new finding at or above this confidence is reported (the
    /// last one given wins).
    #[arg(long, value_parser = ["low", "medium", "high"], overrides_with = "fail_on")]
    pub fail_on: Option<String>,
    /// Report findings at or above this confidence [default: medium].
    #[arg(long, value_parser = ["low", "medium", "high"])]
    pub min_confidence: Option<String>,
    /// Report only findings that are not in this baseline.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record the findings of this run (after allowlists) as the new baseline.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Scan only files changed between this git revision and the working tree (plus new
    /// untracked files), below the paths given.
    #[arg(long, value_name = "REF", conflicts_with = "staged")]
    pub changed_since: Option<String>,
    /// Scan the staged version of staged files, below the paths given (for pre-commit hooks).
    #[arg(long)]
    pub staged: bool,
    /// Print detected values in full (they are masked by default).
    #[arg(long)]
    pub show_values: bool,
    /// Table format: print every finding (by default the first few of each table column and
    /// of each rule in a text file, then a count of the rest).
    #[arg(long)]
    pub all: bool,
    /// Add to each finding the pattern, the validator's verdict and the context word that counted.
    #[arg(long)]
    pub explain: bool,
    /// Number of worker threads (default: all cores).
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
    /// Cell findings printed per column; the inventory keeps exact counts. 0: no cap.
    #[arg(long, default_value_t = 1_000, value_name = "N")]
    pub max_findings_per_column: u64,
    /// Read images (PNG, JPEG, TIFF) and PDF pages without a text layer by OCR, with the
    /// tesseract program (Debian: tesseract-ocr, tesseract-ocr-nld, tesseract-ocr-fra) and
    /// pdftoppm (poppler-utils). Without it images are skipped and counted as images.
    #[arg(long)]
    pub ocr: bool,
    /// No progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Options of `piiscan inventory`.
#[derive(Debug, Args)]
pub struct InventoryArgs {
    /// Files, directories or database URLs (`postgres://…`, `mysql://…`) to scan.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Output format (html: a self-contained data map page).
    #[arg(long, default_value = "md", value_parser = ["md", "csv", "json", "html"])]
    pub format: String,
    /// What to read, with which rules (as `scan` takes them).
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// Number of worker threads (default: all cores).
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
    /// No progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// With --format html: write the page to FILE (else standard output).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// With --format html: the page's language.
    #[arg(long, default_value = "nl", value_parser = ["nl", "en"])]
    pub lang: String,
}

/// Options of `piiscan anonymise`.
#[derive(Debug, Args)]
pub struct AnonymiseArgs {
    /// Files or directories to anonymise (CSV/TSV, NDJSON, Parquet, SQL dumps, SQLite, text);
    /// `-` alone: a SQL dump on standard input, streamed to standard output (or `--out`).
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// The policy (TOML): a method per column and per text rule.
    #[arg(long, value_name = "FILE", required_unless_present = "suggest_policy")]
    pub policy: Option<PathBuf>,
    /// Where to write: a file for one file input, else a folder (created if needed); a folder
    /// input always gives a folder. For standard input (`-`): standard output when absent or
    /// `-`, else a file.
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// With `-`: the dump format standard input holds, checked against its first lines
    /// (it is told from them when this is not given).
    #[arg(long, value_name = "DUMP", value_parser = ["pg_dump", "mysqldump", "mariadb-dump"])]
    pub from: Option<String>,
    /// The master key (hex or text, at least 16 bytes); else `PIISCAN_KEY`. Never an argument.
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
    /// Output format for tables: csv, tsv, ndjson or parquet (default: the input's).
    #[arg(long, value_name = "FORMAT", value_parser = ["csv", "tsv", "ndjson", "parquet"])]
    pub to: Option<String>,
    /// Measure k-anonymity of the output over these columns (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "COLS")]
    pub quasi: Vec<String>,
    /// With --quasi: the column identifying an entity (several rows per person).
    #[arg(long, value_name = "COL")]
    pub entity: Option<String>,
    /// Replace existing outputs.
    #[arg(long)]
    pub force: bool,
    /// Print a starter policy for the inputs instead of anonymising.
    #[arg(long)]
    pub suggest_policy: bool,
    /// With --suggest-policy: rows per table read to propose methods (default 10,000; 0
    /// reads every row). Anonymising itself always reads every row, before and after.
    #[arg(long, value_name = "N", requires = "suggest_policy")]
    pub sample_rows: Option<u64>,
    /// Worker threads for CSV (default: all cores).
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
    /// Report format (`text` or `json`); with `-`, `pg_dump`, `mysqldump` or `mariadb-dump`
    /// says the dump format of standard input, as --from does (the report is then text).
    #[arg(long, default_value = "text", value_parser = ["text", "json", "pg_dump", "mysqldump", "mariadb-dump"])]
    pub format: String,
    /// Add a rule pack (repeatable).
    #[arg(long = "rules", value_name = "PATH")]
    pub rules: Vec<PathBuf>,
    /// No progress bar (it is shown only on a terminal, and never when `CI` is set).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Options every `piiscan register` command shares.
#[derive(Debug, Args)]
pub struct RegisterCommon {
    /// The register folder.
    #[arg(long = "register", default_value = "register", value_name = "DIR")]
    pub dir: PathBuf,
    /// Language of headings and comments.
    #[arg(long, default_value = "nl", value_parser = ["nl", "en"])]
    pub lang: String,
}

/// Where the evidence for a draft or an update comes from.
#[derive(Debug, Args)]
pub struct RegisterScanArgs {
    /// Files, directories or database URLs (`postgres://…`, `mysql://…`) to scan.
    #[arg(required_unless_present = "inventory")]
    pub paths: Vec<PathBuf>,
    /// Use this inventory (`piiscan inventory --format json`) instead of scanning.
    #[arg(long, value_name = "FILE", conflicts_with = "paths")]
    pub inventory: Option<PathBuf>,
    /// What to read, with which rules (as `scan` takes them).
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// Register folder and language.
    #[command(flatten)]
    pub common: RegisterCommon,
}

/// `piiscan register …`
#[derive(Debug, Subcommand)]
pub enum RegisterAction {
    /// Propose processing activities from a scan and write a new register folder.
    Draft(RegisterScanArgs),
    /// Re-scan and merge: tool sections replaced, human values and comments kept byte for byte.
    Update(RegisterScanArgs),
    /// Report missing fields and drift; exit 1 on errors (with PATHs: against a fresh scan).
    Check {
        /// Files, directories or database URLs to scan again (optional).
        paths: Vec<PathBuf>,
        /// Report format.
        #[arg(long, default_value = "text", value_parser = ["text", "json"])]
        format: String,
        /// What to read, with which rules (as `scan` takes them; the rules also name the
        /// categories of user packs).
        #[command(flatten)]
        scope: ScopeArgs,
        /// Register folder and language.
        #[command(flatten)]
        common: RegisterCommon,
    },
    /// Move locations to another activity: `register move LOCATION... ACTIVITY` (a reference
    /// as `register check` shows it, or a glob such as 'crm/*').
    Move {
        /// The locations, then the activity they go to.
        #[arg(required = true, num_args = 2.., value_name = "LOCATION... ACTIVITY")]
        args: Vec<String>,
        /// Register folder and language.
        #[command(flatten)]
        common: RegisterCommon,
    },
    /// Merge activities into one: their locations and list fields join it, their files go.
    Merge {
        /// The activities merged (ids).
        #[arg(required = true)]
        from: Vec<String>,
        /// The activity they are merged into.
        #[arg(long, value_name = "ACTIVITY")]
        into: String,
        /// Register folder and language.
        #[command(flatten)]
        common: RegisterCommon,
    },
    /// Split locations off an activity into a new one (status concept, fields to fill in).
    Split {
        /// The activity split.
        activity: String,
        /// The locations that go to the new activity (references or globs).
        #[arg(required = true)]
        locations: Vec<String>,
        /// The new activity's name.
        #[arg(long)]
        name: String,
        /// Its id (default: from the name).
        #[arg(long)]
        id: Option<String>,
        /// Register folder and language.
        #[command(flatten)]
        common: RegisterCommon,
    },
    /// Export the register: md, csv (with --out also FILE-inventory.csv), inventory-csv, html, json.
    Export {
        /// The format.
        #[arg(long, value_parser = ["md", "csv", "inventory-csv", "html", "json"])]
        format: String,
        /// Write to this file (default: standard output).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Register folder and language.
        #[command(flatten)]
        common: RegisterCommon,
    },
}

/// Options of `piiscan risk`.
#[derive(Debug, Args)]
pub struct RiskArgs {
    /// The dataset (CSV/TSV, NDJSON, Parquet, SQL dump, SQLite).
    pub file: PathBuf,
    /// The quasi-identifiers (comma-separated; `table.column` in dumps and SQLite).
    #[arg(long, value_delimiter = ',', value_name = "COLS", required = true)]
    pub quasi: Vec<String>,
    /// The column identifying a person (several rows per person): k then counts persons, each
    /// known by all their rows together. Named as --quasi names columns.
    #[arg(long, value_name = "COL")]
    pub entity: Option<String>,
    /// A sensitive column: l-diversity (the fewest distinct values in any class) is measured.
    #[arg(long, value_name = "COL")]
    pub sensitive: Option<String>,
    /// Exit with status 1 when k is below N.
    #[arg(long, value_name = "N")]
    pub min_k: Option<u64>,
    /// Exit with status 1 when the highest prosecutor risk (1/k) is above R (0 to 1).
    #[arg(long, value_name = "R")]
    pub max_risk: Option<f64>,
    /// Exit with status 1 when l is below N (needs --sensitive).
    #[arg(long, value_name = "N", requires = "sensitive")]
    pub min_l: Option<u64>,
    /// Search the least generalisation of the quasi-identifiers that reaches k = N (and
    /// --min-l, if given), and print it as policy entries for `anonymise`.
    #[arg(long, value_name = "N")]
    pub target_k: Option<u64>,
    /// With --target-k: how a column may be generalised, COL=date|number|postcode|drop|none
    /// (comma-separated or repeated; others are inferred from their values).
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "COL=LADDER",
        requires = "target_k"
    )]
    pub generalise: Vec<String>,
    /// Report format.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    pub format: String,
}

/// Options of `piiscan breach`.
#[derive(Debug, Args)]
pub struct BreachArgs {
    /// The leaked files or directories (every row of every table is read).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// When the breach was discovered (`YYYY-MM-DD HH:MM`): gives the 72-hour deadline, and
    /// the day at which children are counted.
    #[arg(long, value_name = "WHEN")]
    pub discovered: Option<String>,
    /// The report's language.
    #[arg(long, default_value = "nl", value_parser = ["nl", "en"])]
    pub lang: String,
    /// Report format.
    #[arg(long, default_value = "md", value_parser = ["md", "html", "json"])]
    pub format: String,
    /// Write the report to FILE (else standard output); never over an input.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// What to read, with which rules (as for scan; every row is read, so `--sample-rows`
    /// takes only 0).
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// Number of worker threads (default: all cores).
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
    /// No progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// `piiscan subject …`
#[derive(Debug, Subcommand)]
pub enum SubjectAction {
    /// Every place that holds the person, with the other personal data of the rows found.
    Find(SubjectFindArgs),
    /// New files without the person's rows and lines (or with their values replaced by keyed
    /// tokens), checked after writing.
    Erase(SubjectEraseArgs),
}

/// The person a subject command is about: one subject file, or a list of people.
#[derive(Debug, Args)]
pub struct WhoArgs {
    /// The subject file (TOML): rule ids with lists of the person's values, e.g.
    /// `email = ["jan@example.nl"]`. Values are read from this file only, never from arguments.
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "subjects",
        conflicts_with = "subjects"
    )]
    pub subject: Option<PathBuf>,
    /// A list of people (CSV, one person per row; columns named by rule id, or by the data's
    /// column for an identifier no rule knows), all matched in one run.
    #[arg(long, value_name = "FILE.csv")]
    pub subjects: Option<PathBuf>,
}

/// Options of `piiscan subject erase`.
#[derive(Debug, Args)]
pub struct SubjectEraseArgs {
    /// Who is erased: one person, or everyone on a list, in one run.
    #[command(flatten)]
    pub who: WhoArgs,
    /// Files or directories holding the person.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The folder the new files go into (mirroring the inputs' paths); it may exist, but no
    /// file in it is replaced.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// `delete` drops the person's rows and lines; `pseudonymise` replaces their values by
    /// keyed tokens (in every file form erase rewrites; not in a live database).
    #[arg(long, default_value = "delete", value_parser = ["delete", "pseudonymise"])]
    pub method: String,
    /// The key for pseudonymise tokens (else `PIISCAN_FINGERPRINT_KEY`).
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
    /// Follow the keys of matched rows into other tables, N levels deep, as `subject find`.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub follow: u32,
    /// Also write the report as JSON to this file (no values).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// For a live database (piiscan never writes to one): write the SQL statements that
    /// delete the person's rows to this new file (`-`: standard output), for a person to
    /// review and run. They hold the person's values, as the database stores them.
    #[arg(long, value_name = "FILE")]
    pub sql: Option<PathBuf>,
    /// What to read, with which rules (as for scan).
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// Number of worker threads (default: all cores).
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
    /// No progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Options of `piiscan subject find`.
#[derive(Debug, Args)]
pub struct SubjectFindArgs {
    /// Who is looked for: one person, or anyone of a list.
    #[command(flatten)]
    pub who: WhoArgs,
    /// Exit 1 when the person (anyone of the list) is found: for a check that erased people
    /// are gone from a backup.
    #[arg(long)]
    pub fail_if_found: bool,
    /// Write the person's records for an access or portability request into a new folder:
    /// one JSON file per source with the fields and values of the rows found, and a summary
    /// (summary.md, summary.html) to send. The one output holding values in full.
    #[arg(long, value_name = "DIR", conflicts_with = "subjects")]
    pub export: Option<PathBuf>,
    /// The register whose activities give the summary's purposes, lawful basis, recipients
    /// and retention (used when it exists).
    #[arg(long = "register", default_value = "register", value_name = "DIR")]
    pub register: PathBuf,
    /// The summary's language.
    #[arg(long, default_value = "nl", value_parser = ["nl", "en"])]
    pub lang: String,
    /// Files or directories to search (every row of every table is read).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = ["text", "ndjson"])]
    pub format: String,
    /// Follow the keys of matched rows (customer number, order id) into other tables, N levels
    /// deep; 0 does not follow.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub follow: u32,
    /// What to read, with which rules (as for scan; every row is read, so `--sample-rows`
    /// takes only 0).
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// Number of worker threads (default: all cores).
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
    /// No progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// `piiscan rules …`
#[derive(Debug, Subcommand)]
pub enum RulesAction {
    /// List the rules: id, pack, category, validator.
    List {
        /// Include a user pack (file or directory).
        #[arg(long = "rules", value_name = "PATH")]
        rules: Vec<PathBuf>,
        /// `text` (a table) or `markdown` (the full reference, as in docs/rules.md).
        #[arg(long, default_value = "text", value_parser = ["text", "markdown"])]
        format: String,
    },
    /// Show a rule's documentation, patterns, context words and examples.
    Explain {
        /// The rule id, e.g. nl.bsn.
        id: String,
        /// Include a user pack (file or directory).
        #[arg(long = "rules", value_name = "PATH")]
        rules: Vec<PathBuf>,
    },
    /// Run every rule's examples against the full rule set (built-in packs, or the pack at PATH).
    Test {
        /// A user pack (file or directory) whose examples to run; default: the built-in packs.
        path: Option<PathBuf>,
    },
}

/// Parses sizes such as `500`, `500K`, `20M`, `2G` (powers of 1024).
pub fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let (num, mult) = match s.char_indices().last()? {
        (i, 'k' | 'K') => (&s[..i], 1024),
        (i, 'm' | 'M') => (&s[..i], 1024 * 1024),
        (i, 'g' | 'G') => (&s[..i], 1024 * 1024 * 1024),
        _ => (s, 1),
    };
    num.trim().parse::<u64>().ok()?.checked_mul(mult)
}
