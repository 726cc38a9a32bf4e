//! Tests of the archive reader: the pg_dump 15, 16 and 17 fixtures (1.14, 1.15, 1.16; gzip,
//! LZ4, Zstandard, none), archives built here, and damaged archives.

use super::*;
use std::io::Write;
use std::path::PathBuf;

type Rows = Vec<Vec<Option<String>>>;

#[derive(Default)]
struct Tables(Vec<(String, Vec<String>, Rows)>);

impl TableSink for Tables {
    fn begin(&mut self, t: &str, columns: &[String]) {
        self.0.push((t.to_string(), columns.to_vec(), Vec::new()));
    }
    fn row(&mut self, cells: &[Option<&[u8]>]) -> bool {
        let row = cells
            .iter()
            .map(|c| c.map(|b| String::from_utf8_lossy(b).into_owned()))
            .collect();
        if let Some(t) = self.0.last_mut() {
            t.2.push(row);
        }
        true
    }
    fn end(&mut self) {}
}

impl Tables {
    /// The cell at a table's column and 1-based row.
    fn cell(&self, table: &str, column: &str, row: usize) -> Option<String> {
        let (_, cols, rows) = self.0.iter().find(|t| t.0 == table)?;
        let i = cols.iter().position(|c| c == column)?;
        rows.get(row - 1)?.get(i)?.clone()
    }
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/pgarchive")
        .join(name)
}

fn read(path: &Path) -> (Tables, io::Result<()>) {
    let mut t = Tables::default();
    let r = read_path(path, &mut t);
    (t, r)
}

/// Every planted value at its table, column and row.
fn assert_planted(t: &Tables) {
    let want = [
        ("klant", "email", 1, "jan.jansen@example.nl"),
        ("klant", "iban", 1, "NL91ABNA0417164300"),
        ("klant", "telefoon", 1, "+31 6 12345678"),
        ("klant", "email", 2, "piet@example.com"),
        ("klant", "naam", 2, "Piet O'Brien"),
        ("klant", "telefoon", 2, "06-87654321"),
        ("klant", "notitie", 2, "regel een\nregel\ttwee \\ slash"),
        ("klant", "naam", 3, "Zoë Anna"),
        ("klant", "iban", 3, "NL20INGB0001234567"),
        ("archief.klant", "email", 1, "oud@example.org"),
        ("archief.klant", "bsn", 1, "111222333"),
        ("archief.klant", "bsn", 2, "123456782"),
        ("klant gegevens", "e-mail adres", 1, "spatie@example.nl"),
    ];
    for (table, column, row, value) in want {
        assert_eq!(
            t.cell(table, column, row).as_deref(),
            Some(value),
            "{table}.{column}[{row}]"
        );
    }
    assert_eq!(t.cell("klant", "notitie", 1), None, "NULL stays NULL");
    assert_eq!(t.cell("klant", "email", 3), None);
    let lo =
        t.0.iter()
            .find(|x| x.0 == LARGE_OBJECTS)
            .expect("large objects");
    assert!(lo.2[0][1]
        .as_deref()
        .is_some_and(|d| d.contains("lo@example.nl")));
}

#[test]
fn pg_dump_15_archives_in_every_format() {
    for name in ["custom.dump", "custom-z0.dump", "dir", "dir-z0", "tar.tar"] {
        let (t, r) = read(&fixture(name));
        r.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_planted(&t);
    }
}

#[test]
fn pg_dump_16_and_17_archives_rows_and_definitions_in_every_compression() {
    for name in [
        "pg16/custom-gzip.dump",
        "pg16/custom-none.dump",
        "pg16/dir-gzip",
        "pg16/tar.tar",
        "pg17/custom-gzip.dump",
        "pg17/custom-lz4.dump",
        "pg17/custom-zstd.dump",
        "pg17/custom-none.dump",
        "pg17/dir-gzip",
        "pg17/dir-lz4",
        "pg17/dir-zstd",
        "pg17/tar.tar",
    ] {
        let path = fixture(name);
        let (t, r) = read(&path);
        r.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_planted(&t);
        let mut texts = Texts::default();
        read_path(&path, &mut texts).unwrap_or_else(|e| panic!("{name}: {e}"));
        let all: String = texts.0.iter().map(|x| x.0.as_str()).collect();
        for value in [
            "commentaar@example.nl",
            "standaard@example.nl",
            "verboden@example.nl",
            "view@example.nl",
            "functie@example.nl",
        ] {
            assert!(all.contains(value), "{name}: {value} not passed on as text");
        }
        assert!(
            !all.contains("jan.jansen@example.nl"),
            "{name}: a row as text"
        );
    }
    let head = std::fs::read(fixture("pg16/custom-gzip.dump")).expect("fixture");
    assert_eq!(
        &head[5..8],
        &[1, 15, 0],
        "pg_dump 16 writes archive version 1.15"
    );
    let head = std::fs::read(fixture("pg17/custom-zstd.dump")).expect("fixture");
    assert_eq!(
        &head[5..8],
        &[1, 16, 0],
        "pg_dump 17 writes archive version 1.16"
    );
    // The compression byte of 1.15+: 2 is LZ4, 3 is Zstandard.
    let lz4 = std::fs::read(fixture("pg17/custom-lz4.dump")).expect("fixture");
    assert_eq!((lz4[11], head[11]), (2, 3));
}

#[test]
fn inserts_archives_take_names_from_the_toc_and_columns_from_create_table() {
    let (t, r) = read(&fixture("custom-inserts.dump"));
    r.expect("read");
    assert_eq!(
        t.cell("klant", "email", 1).as_deref(),
        Some("jan.jansen@example.nl")
    );
    assert_eq!(
        t.cell("archief.klant", "bsn", 2).as_deref(),
        Some("123456782")
    );
}

#[test]
fn recognised_by_head_and_directory() {
    let head = std::fs::read(fixture("custom.dump")).expect("fixture");
    assert!(is_archive_head(&head));
    let tar = std::fs::read(fixture("tar.tar")).expect("fixture");
    assert!(is_archive_head(&tar[..8192]));
    assert!(is_directory_archive(&fixture("dir")));
    assert!(!is_directory_archive(&fixture("")));
    assert!(!is_archive_head(b"-- PostgreSQL database dump\n"));
}

#[test]
fn copy_statement_columns_and_table_names() {
    assert_eq!(
        copy_columns("COPY public.\"a (b\" (id, \"e-mail, adres\", \"x\"\"y\") FROM stdin;\n"),
        ["id", "e-mail, adres", "x\"y"]
    );
    assert!(copy_columns("COPY public.t  FROM stdin;").is_empty());
    assert_eq!(table_name("public", "klant"), "klant");
    assert_eq!(table_name("archief", "klant"), "archief.klant");
}

/// Writes archives the way pg_dump does, for versions and compressions the fixtures lack.
struct Builder {
    out: Vec<u8>,
}

impl Builder {
    fn int(&mut self, v: i64) {
        self.out.push(u8::from(v < 0));
        self.out
            .extend_from_slice(&(v.unsigned_abs() as u32).to_le_bytes());
    }
    fn str(&mut self, s: Option<&str>) {
        match s {
            None => self.int(-1),
            Some(s) => {
                self.int(s.len() as i64);
                self.out.extend_from_slice(s.as_bytes());
            }
        }
    }
    /// A custom archive of version 1.`minor` with one table and one large object.
    fn custom(minor: u8, method: u8, compress: impl Fn(&[u8]) -> Vec<u8>) -> Vec<u8> {
        let mut b = Builder {
            out: b"PGDMP".to_vec(),
        };
        b.out.extend_from_slice(&[1, minor, 0, 4, 8, 1]);
        if minor >= 15 {
            b.out.push(method);
        } else {
            b.int(if method == 0 { 0 } else { -1 });
        }
        for v in [1, 2, 3, 4, 5, 124, 0] {
            b.int(v);
        }
        for s in ["db", "17.0", "17.0"] {
            b.str(Some(s));
        }
        b.int(4);
        let entries = [
            (
                7,
                "klant",
                "TABLE DATA",
                "COPY archief.klant (id, email) FROM stdin;\n",
                "",
            ),
            (8, "BLOBS", "BLOBS", "", ""),
            (
                9,
                "COLUMN klant.email",
                "COMMENT",
                "",
                "COMMENT ON COLUMN archief.klant.email IS 'Contact: toc@voorbeeld.nl';\n",
            ),
            (
                10,
                "klant email",
                "DEFAULT",
                "",
                "ALTER TABLE ONLY archief.klant ALTER COLUMN email SET DEFAULT\n    'std@voorbeeld.nl'::text;\n",
            ),
        ];
        for (id, tag, desc, copy, defn) in entries {
            b.int(id);
            b.int(1);
            b.str(Some("0"));
            b.str(Some("0"));
            b.str(Some(tag));
            b.str(Some(desc));
            b.int(3);
            b.str(Some(defn));
            b.str(Some(""));
            b.str(Some(copy));
            b.str(Some("archief"));
            b.str(Some(""));
            b.str(Some("heap"));
            if minor >= 16 {
                b.int(i64::from(b'r'));
            }
            b.str(Some("owner"));
            b.str(Some("false"));
            b.str(Some("3"));
            b.str(None);
            // Offset not set (read in order), or no data.
            b.out.push(if desc == "COMMENT" || desc == "DEFAULT" {
                3
            } else {
                1
            });
            b.out.extend_from_slice(&[0; 8]);
        }
        let chunks = |b: &mut Builder, data: &[u8]| {
            let packed = compress(data);
            for part in packed.chunks(7) {
                b.int(part.len() as i64);
                b.out.extend_from_slice(part);
            }
            b.int(0);
        };
        b.out.push(1);
        b.int(7);
        chunks(&mut b, b"1\tklant@voorbeeld.nl\n2\t\\N\n\\.\n\n");
        b.out.push(3);
        b.int(8);
        b.int(16400);
        chunks(&mut b, b"blob met lo@voorbeeld.nl");
        b.int(0);
        b.out
    }
}

fn read_bytes(bytes: &[u8]) -> (Tables, io::Result<()>) {
    let mut f = tempfile::NamedTempFile::new().expect("temp");
    f.write_all(bytes).expect("write");
    read(f.path())
}

fn assert_built(t: &Tables) {
    assert_eq!(
        t.cell("archief.klant", "email", 1).as_deref(),
        Some("klant@voorbeeld.nl")
    );
    assert_eq!(t.cell("archief.klant", "email", 2), None);
    assert_eq!(
        t.cell(LARGE_OBJECTS, "data", 1).as_deref(),
        Some("blob met lo@voorbeeld.nl")
    );
    assert_eq!(t.cell(LARGE_OBJECTS, "loid", 1).as_deref(), Some("16400"));
}

#[test]
fn versions_1_14_to_1_16_with_every_compression() {
    let zlib = |d: &[u8]| {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(d).expect("zlib");
        e.finish().expect("zlib")
    };
    let lz4 = |d: &[u8]| {
        let mut e = lz4_flex::frame::FrameEncoder::new(Vec::new());
        e.write_all(d).expect("lz4");
        e.finish().expect("lz4")
    };
    let zstd = |d: &[u8]| {
        ruzstd::encoding::compress_to_vec(d, ruzstd::encoding::CompressionLevel::Fastest)
    };
    let plain = |d: &[u8]| d.to_vec();
    for minor in [14, 15, 16] {
        for (method, name) in [(0u8, "none"), (1, "gzip")] {
            let codec: &dyn Fn(&[u8]) -> Vec<u8> = if method == 0 { &plain } else { &zlib };
            let (t, r) = read_bytes(&Builder::custom(minor, method, codec));
            r.unwrap_or_else(|e| panic!("1.{minor} {name}: {e}"));
            assert_built(&t);
        }
    }
    for minor in [15, 16] {
        let (t, r) = read_bytes(&Builder::custom(minor, 2, lz4));
        r.unwrap_or_else(|e| panic!("1.{minor} lz4: {e}"));
        assert_built(&t);
        let (t, r) = read_bytes(&Builder::custom(minor, 3, zstd));
        r.unwrap_or_else(|e| panic!("1.{minor} zstd: {e}"));
        assert_built(&t);
    }
}

/// The text a reader passed on as non-data text, with where it starts.
#[derive(Default)]
struct Texts(Vec<(String, crate::source::table::TextAt)>);

impl TableSink for Texts {
    fn begin(&mut self, _: &str, _: &[String]) {}
    fn row(&mut self, _: &[Option<&[u8]>]) -> bool {
        true
    }
    fn text(&mut self, text: &[u8], at: crate::source::table::TextAt) {
        self.0
            .push((String::from_utf8_lossy(text).into_owned(), at));
    }
    fn end(&mut self) {}
}

#[test]
fn toc_definitions_are_passed_on_as_text_numbered_as_one_script() {
    let bytes = Builder::custom(16, 0, |d: &[u8]| d.to_vec());
    let mut f = tempfile::NamedTempFile::new().expect("temp");
    f.write_all(&bytes).expect("write");
    let mut t = Texts::default();
    read_path(f.path(), &mut t).expect("read");
    assert_eq!(t.0.len(), 2, "{:?}", t.0);
    assert!(t.0[0].0.contains("toc@voorbeeld.nl"));
    assert_eq!(t.0[0].1.line, 1);
    assert!(t.0[1].0.contains("std@voorbeeld.nl"));
    assert_eq!(t.0[1].1.line, 2, "the second definition starts on line 2");
    // Rows are never passed as text.
    assert!(!t.0.iter().any(|x| x.0.contains("klant@voorbeeld.nl")));
}

#[test]
fn a_newer_archive_version_is_named_not_guessed() {
    let mut bytes = Builder::custom(16, 0, |d: &[u8]| d.to_vec());
    bytes[6] = 17;
    let (_, r) = read_bytes(&bytes);
    let e = r.expect_err("1.17 is refused").to_string();
    assert!(e.contains("version 1.17"), "{e}");
}

#[test]
fn every_truncation_of_a_custom_archive_is_an_error_and_keeps_earlier_rows() {
    let full = std::fs::read(fixture("custom-z0.dump")).expect("fixture");
    let mut kept_rows = false;
    for len in 0..full.len() {
        let (t, r) = read_bytes(&full[..len]);
        let e = r.expect_err("a cut archive is an error").to_string();
        assert!(e.contains("cut or damaged"), "{len}: {e}");
        kept_rows |= t.0.iter().any(|x| !x.2.is_empty());
    }
    assert!(kept_rows, "rows before the cut are passed on");
}

#[test]
fn a_directory_with_a_missing_data_file_names_it_and_reads_the_others() {
    let dir = tempfile::tempdir().expect("temp");
    for e in std::fs::read_dir(fixture("dir")).expect("fixture") {
        let e = e.expect("entry");
        std::fs::copy(e.path(), dir.path().join(e.file_name())).expect("copy");
    }
    std::fs::remove_file(dir.path().join("3353.dat.gz")).expect("remove");
    let (t, r) = read(dir.path());
    let e = r.expect_err("missing file").to_string();
    assert!(e.contains("3353.dat"), "{e}");
    assert_eq!(
        t.cell("klant", "iban", 1).as_deref(),
        Some("NL91ABNA0417164300")
    );
}

#[test]
fn a_toc_dat_named_alone_reads_its_directory() {
    let (t, r) = read(&fixture("dir/toc.dat"));
    r.expect("read");
    assert_planted(&t);
}

#[test]
fn toc_file_names_cannot_leave_the_directory() {
    assert!(plain_name("../../etc/passwd").is_err());
    assert!(plain_name("/etc/passwd").is_err());
    assert!(plain_name("3352.dat").is_ok());
}

mod damaged {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        /// Bit flips and cuts in any fixture never panic or hang; the result is rows or an
        /// error, never both silently.
        #[test]
        fn flipped_and_cut_archives_never_panic(
            which in 0usize..3,
            flips in proptest::collection::vec((any::<usize>(), 0u8..8), 0..4),
            cut in any::<usize>(),
        ) {
            let name = ["custom.dump", "custom-z0.dump", "tar.tar"][which];
            let mut bytes = std::fs::read(fixture(name)).expect("fixture");
            for (at, bit) in flips {
                let i = at % bytes.len();
                bytes[i] ^= 1 << bit;
            }
            if cut % 2 == 0 {
                bytes.truncate(cut % (bytes.len() + 1));
            }
            let (_, r) = read_bytes(&bytes);
            if let Err(e) = r {
                prop_assert!(!e.to_string().is_empty());
            }
        }
    }
}
