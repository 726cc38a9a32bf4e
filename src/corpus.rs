//! Deterministic synthetic corpora for the accuracy tests and the benchmarks.
//!
//! * [`labelled`]: realistic mixed Dutch/Belgian/English text (web access logs, application
//!   logs, letters and e-mails, CSV exports) with every planted value's rule and byte span
//!   recorded, plus traps that must not be reported: order numbers, timestamps, version
//!   strings, OIDs, UUIDs, hashes, invoice dates, service numbers.
//! * [`sparse`], [`dense`], [`clean`]: the three benchmark corpora.
//!
//! All values are generated with their checksums from a seeded generator: they belong to
//! nobody. Person names come from this module's own list (deliberately not the detection
//! lexicon, and including names the lexicon lacks), so recall on names is measured honestly.

use std::fmt::Write as _;

/// A small, fast, seeded generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
    /// One of the items.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    /// One of the strings.
    pub fn pick_str(&mut self, items: &[&'static str]) -> &'static str {
        items[self.below(items.len() as u64) as usize]
    }
    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
}

/// Text with the spans of planted personal data.
#[derive(Debug, Default, Clone)]
pub struct Labelled {
    /// The text.
    pub text: String,
    /// (rule id, byte start, byte end) of each planted value.
    pub spans: Vec<(&'static str, usize, usize)>,
}

impl Labelled {
    fn push(&mut self, s: &str) {
        self.text.push_str(s);
    }
    fn value(&mut self, rule: &'static str, v: &str) {
        let start = self.text.len();
        self.text.push_str(v);
        self.spans.push((rule, start, self.text.len()));
    }
}

// Corpus names: common Dutch, Belgian and English names (some absent from the lexicons).
const FIRST: &[&str] = &[
    "Jan",
    "Sanne",
    "Pieter",
    "Fleur",
    "Daan",
    "Lotte",
    "Bram",
    "Noor",
    "Willem",
    "Emma",
    "Thijs",
    "Lieke",
    "Koen",
    "Anouk",
    "Maarten",
    "Ilse",
    "Seppe",
    "Lien",
    "Wout",
    "Femke",
    "Jeroen",
    "Marloes",
    "Hugo",
    "Elif",
    "Mohamed",
    "Charlotte",
    "Robin",
    "Joost",
    "Esther",
    "Sophie",
    "Arjen",
    "Tessa",
];
const LAST: &[&str] = &[
    "Jansen",
    "de Vries",
    "van den Berg",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "Bos",
    "Peeters",
    "Maes",
    "Claes",
    "Wouters",
    "Willems",
    "Goossens",
    "Dekker",
    "Brouwer",
    "Hoekstra",
    "Kramer",
    "van Wijngaarden",
    "Oosterhuis",
    "Verbruggen",
    "Dijkhuizen",
    "Schreurs",
    "Lambrechts",
    "Postma",
    "Timmermans",
];
const STREETS: &[&str] = &[
    "Kerkstraat",
    "Dorpsstraat",
    "Stationsweg",
    "Molenweg",
    "Julianalaan",
    "Prinsengracht",
    "Oudegracht",
    "Marktplein",
    "Schoolstraat",
    "Beukenlaan",
    "Nieuwe Binnenweg",
    "Lange Nieuwstraat",
    "Grote Markt",
    "Meir",
    "Vlaamsekaai",
    "Kapelsestraat",
];
const CITIES: &[&str] = &[
    "Amsterdam",
    "Utrecht",
    "Rotterdam",
    "Den Haag",
    "Zwolle",
    "Groningen",
    "Eindhoven",
    "Leiden",
    "Tilburg",
    "Haarlem",
];
const DOMAINS: &[&str] = &[
    "voorbeeld.nl",
    "mail.be",
    "webshop.nl",
    "klant.eu",
    "example.org",
    "bedrijf.com",
    "telenet.be",
    "ziggo.nl",
];
const WORDS: &[&str] = &[
    "de",
    "het",
    "een",
    "en",
    "van",
    "met",
    "voor",
    "op",
    "bestelling",
    "levering",
    "factuur",
    "klant",
    "the",
    "order",
    "delivery",
    "account",
    "we",
    "hebben",
    "uw",
    "your",
    "is",
    "verzonden",
    "shipped",
    "retour",
    "vraag",
    "question",
    "update",
    "status",
    "pakket",
    "parcel",
    "betaling",
    "payment",
    "ontvangen",
    "received",
    "morgen",
    "tomorrow",
    "la",
    "le",
    "commande",
    "livraison",
    "merci",
    "bedankt",
    "thanks",
    "Graag",
    "Please",
    "Vandaag",
];

/// Generators of valid identifiers.
pub mod gen {
    use super::Rng;

    /// A BSN passing the 11-proef (never 000000000).
    pub fn bsn(r: &mut Rng) -> String {
        loop {
            let d: Vec<u64> = (0..8)
                .map(|i| if i == 0 { r.range(1, 9) } else { r.below(10) })
                .collect();
            let sum: u64 = d.iter().enumerate().map(|(i, x)| (9 - i as u64) * x).sum();
            let last = sum % 11;
            if last <= 9 {
                return d.iter().map(|x| x.to_string()).collect::<String>() + &last.to_string();
            }
        }
    }

    fn mod97(s: &str) -> u64 {
        s.bytes().fold(0u64, |acc, b| {
            if b.is_ascii_digit() {
                (acc * 10 + u64::from(b - b'0')) % 97
            } else {
                (acc * 100 + u64::from(b - b'A') + 10) % 97
            }
        })
    }

    /// An IBAN with correct check digits for `country` and `bban`.
    pub fn iban_with(country: &str, bban: &str) -> String {
        let check = 98 - mod97(&format!("{bban}{country}00"));
        format!("{country}{check:02}{bban}")
    }

    /// A Dutch IBAN.
    pub fn iban_nl(r: &mut Rng) -> String {
        let bank = *r.pick(&[
            "ABNA", "RABO", "INGB", "TRIO", "SNSB", "ASNB", "KNAB", "BUNQ",
        ]);
        iban_with("NL", &format!("{bank}{}", r.digits(10)))
    }

    /// A Belgian IBAN (with the national check).
    pub fn iban_be(r: &mut Rng) -> String {
        let first: u64 = r.range(1_000_000_000, 9_999_999_999);
        let check = match first % 97 {
            0 => 97,
            c => c,
        };
        iban_with("BE", &format!("{first}{check:02}"))
    }

    /// Groups an IBAN in fours, as printed.
    pub fn spaced(s: &str) -> String {
        s.as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// A Visa-like card number passing Luhn.
    pub fn card(r: &mut Rng) -> String {
        let mut d: Vec<u8> = vec![4];
        d.extend((0..14).map(|_| r.below(10) as u8));
        let sum: u32 = d
            .iter()
            .rev()
            .enumerate()
            .map(|(i, &x)| {
                let x = u32::from(x);
                if i % 2 == 0 {
                    let y = x * 2;
                    if y > 9 {
                        y - 9
                    } else {
                        y
                    }
                } else {
                    x
                }
            })
            .sum();
        d.push(((10 - sum % 10) % 10) as u8);
        d.iter().map(|x| x.to_string()).collect()
    }

    /// A Belgian national number (formatted YY.MM.DD-SSS.CC), born 1940..2015.
    pub fn be_nn(r: &mut Rng) -> String {
        let year = r.range(1940, 2015);
        let (m, d, s) = (r.range(1, 12), r.range(1, 28), r.range(1, 997));
        let body = (year % 100) * 10_000_000 + m * 100_000 + d * 1000 + s;
        let n = if year >= 2000 {
            2_000_000_000 + body
        } else {
            body
        };
        let cc = 97 - n % 97;
        format!("{:02}.{:02}.{:02}-{:03}.{:02}", year % 100, m, d, s, cc)
    }

    /// A public-looking IPv4 address (no private, documentation or reserved ranges).
    pub fn ipv4(r: &mut Rng) -> String {
        loop {
            let a = r.range(1, 223);
            if [10, 127, 172, 192, 198, 203, 100, 169].contains(&a) {
                continue;
            }
            return format!("{a}.{}.{}.{}", r.below(256), r.below(256), r.range(1, 254));
        }
    }

    /// A global unicast IPv6 address.
    pub fn ipv6(r: &mut Rng) -> String {
        let prefix = *r.pick(&["2a02", "2a10", "2a01", "2c0f", "2001"]);
        let groups: Vec<String> = (0..7)
            .map(|_| format!("{:x}", r.range(1, 0xffff)))
            .collect();
        if r.chance(0.3) {
            // Compressed form: a run of zero groups written as ::
            format!("{prefix}:{}::{}", groups[0], groups[6])
        } else {
            format!("{prefix}:{}", groups.join(":"))
        }
    }

    /// A MAC address.
    pub fn mac(r: &mut Rng) -> String {
        (0..6)
            .map(|i| {
                format!(
                    "{:02X}",
                    if i == 5 {
                        r.range(1, 254)
                    } else {
                        r.below(256)
                    }
                )
            })
            .collect::<Vec<_>>()
            .join(":")
    }

    /// A Dutch mobile number in one of the usual notations.
    pub fn phone_nl(r: &mut Rng) -> String {
        let n = r.digits(8);
        match r.below(4) {
            0 => format!("06-{n}"),
            1 => format!("+31 6 {}", n),
            2 => format!("06 {} {} {} {}", &n[..2], &n[2..4], &n[4..6], &n[6..]),
            _ => format!("020-{}", &r.digits(7)),
        }
    }

    /// A Belgian mobile number.
    pub fn phone_be(r: &mut Rng) -> String {
        let n = r.digits(6);
        let p = r.range(460, 499);
        if r.below(2) == 0 {
            format!("+32 {p} {} {} {}", &n[..2], &n[2..4], &n[4..])
        } else {
            format!("0{p} {} {} {}", &n[..2], &n[2..4], &n[4..])
        }
    }

    /// A Dutch postcode with allowed letters.
    pub fn postcode(r: &mut Rng) -> String {
        loop {
            let l1 = b'A' + r.below(26) as u8;
            let l2 = b'A' + r.below(26) as u8;
            if l1 == b'S' && matches!(l2, b'A' | b'D' | b'S') {
                continue;
            }
            return format!("{} {}{}", r.range(1000, 9999), l1 as char, l2 as char);
        }
    }

    /// A Dutch licence plate in a recent sidecode.
    pub fn plate(r: &mut Rng) -> String {
        const L: &[u8] = b"BDFGHJKLNPRSTVXZ";
        fn letters(r: &mut Rng, n: usize) -> String {
            (0..n).map(|_| *r.pick(L) as char).collect()
        }
        let (a, b, c) = (letters(r, 3), letters(r, 2), letters(r, 1));
        match r.below(3) {
            0 => format!("{}-{a}-{}", r.range(10, 99), r.below(10)),
            1 => format!("{}-{a}-{}", r.range(1, 9), r.range(10, 99)),
            _ => format!("{b}-{}-{c}", r.range(100, 999)),
        }
    }

    /// A Dutch VAT number (pre-2020 form, 11-proef on the nine digits).
    pub fn nl_vat(r: &mut Rng) -> String {
        format!("NL{}B01", bsn(r))
    }

    /// A Belgian enterprise / VAT number.
    pub fn be_vat(r: &mut Rng) -> String {
        // Ten digits: eight (starting with 0) and a mod-97 check of two.
        let body = r.range(2_000_000, 9_999_999);
        let check = 97 - body % 97;
        format!("BE{:08}{:02}", body, check)
    }

    /// A Dutch passport number (no letter O, digits present).
    pub fn id_document(r: &mut Rng) -> String {
        const L: &[u8] = b"ABCDEFGHIJKLMNPQRSTUVWXYZ";
        let mut s: String = (0..2).map(|_| *r.pick(L) as char).collect();
        for _ in 0..6 {
            if r.below(2) == 0 {
                s.push(*r.pick(L) as char);
            } else {
                s.push(char::from(b'0' + r.below(10) as u8));
            }
        }
        s.push(char::from(b'1' + r.below(9) as u8));
        if s.bytes().filter(|b| b.is_ascii_digit()).count() < 2 {
            s.replace_range(2..3, "7");
        }
        s
    }

    /// A Google Analytics client id.
    pub fn ga(r: &mut Rng) -> String {
        format!(
            "GA1.2.{}.{}",
            r.range(100_000_000, 2_147_483_647),
            r.range(1_500_000_000, 1_750_000_000)
        )
    }
}

fn word(r: &mut Rng, out: &mut Labelled, n: usize) {
    for _ in 0..n {
        out.push(r.pick_str(WORDS));
        out.push(" ");
    }
}

fn full_name(r: &mut Rng) -> String {
    format!("{} {}", r.pick(FIRST), r.pick(LAST))
}

fn email_of(r: &mut Rng) -> String {
    let first = r.pick(FIRST).to_lowercase();
    let last = r.pick(LAST).to_lowercase().replace(' ', "");
    format!("{first}.{last}{}@{}", r.below(100), r.pick(DOMAINS))
}

fn date(r: &mut Rng, year_lo: u64, year_hi: u64) -> String {
    format!(
        "{:02}-{:02}-{}",
        r.range(1, 28),
        r.range(1, 12),
        r.range(year_lo, year_hi)
    )
}

fn timestamp(r: &mut Rng) -> String {
    format!(
        "2025-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        r.range(1, 12),
        r.range(1, 28),
        r.below(24),
        r.below(60),
        r.below(60),
        r.below(1000)
    )
}

fn access_log(r: &mut Rng, out: &mut Labelled) {
    if r.chance(0.15) {
        out.value("ipv6", &gen::ipv6(r));
    } else {
        out.value("ipv4", &gen::ipv4(r));
    }
    let path = *r.pick(&[
        "/",
        "/winkelwagen",
        "/api/v2/orders/88231",
        "/static/app.3f9a1c.js",
        "/product/4711",
        "/account/login",
    ]);
    let ua = *r.pick(&[
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.109 Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 Version/17.2 Mobile/15E148 Safari/604.1",
        "curl/8.4.0",
    ]);
    let _ = write!(
        out.text,
        " - - [{:02}/Mar/2025:{:02}:{:02}:{:02} +0100] \"GET {path} HTTP/1.1\" {} {} \"-\" \"{ua}\"",
        r.range(1, 28),
        r.below(24),
        r.below(60),
        r.below(60),
        r.pick(&[200, 200, 304, 404, 500]),
        r.range(200, 90_000)
    );
    if r.chance(0.2) {
        out.push(" _ga=");
        out.value("ga_client_id", &gen::ga(r));
    }
    out.push("\n");
}

fn app_log(r: &mut Rng, out: &mut Labelled) {
    out.push(&timestamp(r));
    out.push(r.pick_str(&[" INFO ", " WARN ", " DEBUG ", " ERROR "]));
    match r.below(9) {
        0 => {
            out.push("auth: login ok for user=");
            out.value("email", &email_of(r));
            out.push(" from ");
            out.value("ipv4", &gen::ipv4(r));
        }
        1 => {
            let _ = write!(
                out.text,
                "orders: order ORD-2025-{:06} created, total EUR {},{:02}",
                r.below(999_999),
                r.range(1, 999),
                r.below(100)
            );
        }
        2 => {
            let _ = write!(
                out.text,
                "http: request id {:08x}-{:04x}-4{:03x}-a{:03x}-{:012x} took {} ms",
                r.next_u64() as u32,
                r.below(65536),
                r.below(4096),
                r.below(4096),
                r.next_u64() & 0xffff_ffff_ffff,
                r.range(1, 900)
            );
        }
        3 => {
            out.push("device registered mac=");
            out.value("mac_address", &gen::mac(r));
        }
        4 => {
            let _ = write!(
                out.text,
                "build: version {}.{}.{} (commit {:016x}{:024x})",
                r.below(5),
                r.below(30),
                r.below(200),
                r.next_u64(),
                r.next_u64() as u128
            );
        }
        5 => {
            out.push("sms: verification sent to ");
            out.value("phone", &gen::phone_nl(r));
        }
        6 => {
            let _ = write!(
                out.text,
                "snmp: polled OID 1.3.6.1.4.1.{}.{}.{} value {}",
                r.range(1000, 50_000),
                r.below(10),
                r.below(10),
                r.digits(9)
            );
        }
        7 => {
            let _ = write!(
                out.text,
                "batch: processed {} records in {} s, invoice run {}",
                r.range(1000, 999_999),
                r.range(1, 600),
                date(r, 2020, 2025)
            );
        }
        _ => {
            let _ = write!(
                out.text,
                "cache: key session:{:x} expired after {}s",
                r.next_u64(),
                r.range(60, 86400)
            );
        }
    }
    out.push("\n");
}

fn free_text(r: &mut Rng, out: &mut Labelled) {
    match r.below(12) {
        0 => {
            out.push(r.pick_str(&["Geachte heer ", "Beste ", "Dear Mr ", "Geachte mevrouw "]));
            let last = *r.pick(LAST);
            let first = *r.pick(FIRST);
            let name = if r.chance(0.5) {
                format!("{first} {last}")
            } else {
                last.to_string()
            };
            out.value("person_name", &name);
            out.push(",\n");
            word(r, out, 8);
            out.push("\n");
        }
        1 => {
            out.push("Ons adres: ");
            let street = format!("{} {}", r.pick(STREETS), r.range(1, 250));
            out.value("street_address", &street);
            out.push(", ");
            out.value("nl.postcode", &gen::postcode(r));
            out.push(" ");
            out.push(r.pick_str(CITIES));
            out.push(".\n");
        }
        2 => {
            out.push("U kunt ons bereiken op ");
            out.value("phone", &gen::phone_nl(r));
            out.push(" of via ");
            out.value("email", &email_of(r));
            out.push(".\n");
        }
        3 => {
            out.push("Graag het bedrag overmaken naar rekening ");
            let iban = gen::iban_nl(r);
            let printed = if r.chance(0.5) {
                gen::spaced(&iban)
            } else {
                iban
            };
            out.value("iban", &printed);
            out.push(" t.n.v. de stichting.\n");
        }
        4 => {
            out.push("Het BSN van de medewerker is ");
            out.value("nl.bsn", &gen::bsn(r));
            out.push(", zie het dossier.\n");
        }
        5 => {
            out.push("Rijksregisternummer: ");
            out.value("be.national_number", &gen::be_nn(r));
            out.push("\n");
        }
        6 => {
            out.push(r.pick_str(&[
                "Geboortedatum: ",
                "geboren op ",
                "Date of birth: ",
                "né le ",
            ]));
            out.value("date_of_birth", &date(r, 1940, 2010));
            out.push("\n");
        }
        7 => {
            out.push("Kenteken van de leaseauto: ");
            out.value("nl.licence_plate", &gen::plate(r));
            out.push(".\n");
        }
        8 => {
            out.push("Betaald met creditcard ");
            out.value("credit_card", &gen::card(r));
            out.push(" op ");
            let _ = write!(out.text, "{}", date(r, 2023, 2025));
            out.push(".\n");
        }
        9 => {
            out.push("Paspoortnummer ");
            out.value("nl.id_document", &gen::id_document(r));
            out.push(" gecontroleerd.\n");
        }
        10 => {
            out.push("Btw-nummer eenmanszaak: ");
            if r.chance(0.5) {
                out.value("nl.vat", &gen::nl_vat(r));
            } else {
                out.value("be.vat", &gen::be_vat(r));
            }
            out.push("\n");
        }
        _ => {
            out.push("Bel mij gerust op ");
            out.value("phone", &gen::phone_be(r));
            out.push(". ");
            word(r, out, 6);
            out.push("\n");
        }
    }
}

fn csv_export(r: &mut Rng, out: &mut Labelled) {
    let _ = write!(out.text, "{};", r.range(10_000, 99_999));
    let name = full_name(r);
    out.value("person_name", &name);
    out.push(";");
    out.value("email", &email_of(r));
    out.push(";");
    out.value("phone", &gen::phone_nl(r));
    out.push(";");
    out.value("nl.postcode", &gen::postcode(r));
    out.push(" ");
    out.push(r.pick_str(CITIES));
    let _ = writeln!(out.text, ";{}", r.range(1, 40));
}

/// Look-alikes that are not personal data; none may be reported at `medium` or above.
fn trap(r: &mut Rng, out: &mut Labelled) {
    let t = match r.below(16) {
        0 => format!("Ordernummer {} is verzonden.", r.digits(9)),
        1 => format!(
            "Factuurdatum {} betaaltermijn 30 dagen.",
            date(r, 2020, 2025)
        ),
        2 => format!(
            "Upgraded to version {}.{}.{}.{} yesterday.",
            r.below(20),
            r.below(20),
            r.range(1000, 30_000),
            r.range(100, 999)
        ),
        3 => format!(
            "Certificate OID 1.2.840.113549.1.1.{} accepted.",
            r.range(1, 14)
        ),
        4 => format!(
            "uuid {:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
            r.next_u64() as u32,
            r.below(65536),
            r.below(4096),
            r.below(4096),
            r.next_u64() & 0xffff_ffff_ffff
        ),
        5 => format!(
            "sha256 {:016x}{:016x}{:016x}{:016x}",
            r.next_u64(),
            r.next_u64(),
            r.next_u64(),
            r.next_u64()
        ),
        6 => format!(
            "Gebeld naar de klantenservice 0800-{} (gratis).",
            r.digits(4)
        ),
        7 => format!(
            "Timestamp {} epoch {}",
            timestamp(r),
            r.range(1_600_000_000, 1_760_000_000)
        ),
        8 => format!("Het jaar 2024 QA-rapport, hoofdstuk {}.", r.range(1, 20)),
        9 => format!(
            "Artikel {}-{} op voorraad: {} stuks.",
            r.digits(6),
            r.digits(3),
            r.range(1, 500)
        ),
        10 => format!("Server draait op 192.0.2.{} en 127.0.0.1.", r.range(1, 254)),
        11 => format!(
            "Bedrag EUR {}.{:03},{:02}",
            r.range(1, 999),
            r.below(1000),
            r.below(100)
        ),
        12 => format!(
            "Ticket #{} geopend om {:02}:{:02}:{:02}.",
            r.digits(7),
            r.below(24),
            r.below(60),
            r.below(60)
        ),
        13 => format!(
            "Zie sectie {}.{}.{} van de handleiding.",
            r.range(1, 9),
            r.range(1, 9),
            r.range(1, 9)
        ),
        14 => format!("Batch {}{} gestart.", r.digits(4), r.digits(8)),
        _ => format!("Geleverd op {} volgens planning.", date(r, 2021, 2025)),
    };
    out.push(&t);
    out.push("\n");
}

/// A labelled mixed corpus of about `bytes` bytes.
pub fn labelled(seed: u64, bytes: usize) -> Labelled {
    let mut r = Rng::new(seed);
    let mut out = Labelled::default();
    while out.text.len() < bytes {
        match r.below(10) {
            0..=2 => access_log(&mut r, &mut out),
            3..=4 => app_log(&mut r, &mut out),
            5..=6 => free_text(&mut r, &mut out),
            7 => csv_export(&mut r, &mut out),
            _ => trap(&mut r, &mut out),
        }
    }
    out
}

/// The sparse benchmark corpus: mostly logs and prose, personal data every few hundred bytes.
pub fn sparse(seed: u64, bytes: usize) -> String {
    let mut r = Rng::new(seed);
    let mut out = Labelled::default();
    while out.text.len() < bytes {
        match r.below(20) {
            0..=5 => access_log(&mut r, &mut out),
            6..=11 => app_log(&mut r, &mut out),
            12..=14 => free_text(&mut r, &mut out),
            15 => csv_export(&mut r, &mut out),
            _ => {
                word(&mut r, &mut out, 14);
                out.push("\n");
                trap(&mut r, &mut out);
            }
        }
        out.spans.clear();
    }
    out.text
}

/// The dense benchmark corpus: an item of personal data about every 60 bytes.
pub fn dense(seed: u64, bytes: usize) -> String {
    let mut r = Rng::new(seed);
    let mut out = String::with_capacity(bytes + 256);
    while out.len() < bytes {
        let item = match r.below(8) {
            0 => format!("mail {}", email_of(&mut r)),
            1 => format!("ip {}", gen::ipv4(&mut r)),
            2 => format!("tel {}", gen::phone_nl(&mut r)),
            3 => format!("iban {}", gen::iban_nl(&mut r)),
            4 => format!("bsn {}", gen::bsn(&mut r)),
            5 => format!("adres {} {}", r.pick(STREETS), r.range(1, 200)),
            6 => format!("klant {}", full_name(&mut r)),
            _ => format!("postcode {} {}", gen::postcode(&mut r), r.pick(CITIES)),
        };
        // Each item starts 60 bytes after the previous one: the item, filler words, and a
        // space or a line break as the 60th byte.
        let start = out.len();
        out.push_str(&item);
        while out.len() - start < 56 {
            out.push(' ');
            out.push_str(r.pick_str(&["ok", "en", "de", "is", "op"]));
        }
        while out.len() - start < 59 {
            out.push(' ');
        }
        out.push(if r.below(2) == 0 { '\n' } else { ' ' });
    }
    out
}

/// The clean benchmark corpus: look-alikes and prose, no personal data.
pub fn clean(seed: u64, bytes: usize) -> String {
    let mut r = Rng::new(seed);
    let mut out = Labelled::default();
    while out.text.len() < bytes {
        if r.below(3) == 0 {
            word(&mut r, &mut out, 12);
            out.push("\n");
        } else {
            trap(&mut r, &mut out);
        }
    }
    out.text
}

/// The table formats the benchmark generates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableKind {
    /// A `;`-separated CSV export with a header.
    Csv,
    /// A pg_dump plain dump with a `COPY … FROM stdin` block.
    PgDump,
    /// A mysqldump with extended INSERT statements of 1,000 rows.
    MySqlDump,
}

fn crm_row(r: &mut Rng, id: u64) -> [String; 9] {
    let first = r.pick_str(FIRST).to_string();
    let last = r.pick_str(LAST).to_string();
    [
        id.to_string(),
        first,
        last,
        email_of(r),
        gen::phone_nl(r),
        gen::iban_nl(r),
        gen::postcode(r),
        date(r, 1940, 2005),
        if r.chance(0.1) {
            format!("terugbellen op {}", gen::phone_nl(r))
        } else {
            "geen bijzonderheden".to_string()
        },
    ]
}

const CRM_COLUMNS: [&str; 9] = [
    "klantnummer",
    "voornaam",
    "achternaam",
    "email",
    "telefoon",
    "iban",
    "postcode",
    "geboortedatum",
    "opmerking",
];

/// Writes a CRM-like customer table of about `bytes` bytes in `kind`'s format.
///
/// # Errors
/// Writing failed.
pub fn write_crm_table(
    kind: TableKind,
    out: &mut dyn std::io::Write,
    bytes: u64,
    seed: u64,
) -> std::io::Result<()> {
    let mut r = Rng::new(seed);
    let mut written = 0u64;
    let mut id = 0u64;
    let mut line = match kind {
        TableKind::Csv => CRM_COLUMNS.join(";") + "\n",
        TableKind::PgDump => format!(
                "--\n-- PostgreSQL database dump\n--\n\nSET client_encoding = 'UTF8';\n\nCREATE TABLE public.klanten (\n{}\n);\n\nCOPY public.klanten ({}) FROM stdin;\n",
                CRM_COLUMNS.iter().map(|c| format!("    {c} text")).collect::<Vec<_>>().join(",\n"),
                CRM_COLUMNS.join(", ")
            ),
        TableKind::MySqlDump => format!(
                "-- MySQL dump 10.13\n\nCREATE TABLE `klanten` (\n{}\n) ENGINE=InnoDB;\n",
                CRM_COLUMNS.iter().map(|c| format!("  `{c}` varchar(255)")).collect::<Vec<_>>().join(",\n")
            ),
    };
    while written < bytes {
        out.write_all(line.as_bytes())?;
        written += line.len() as u64;
        line.clear();
        match kind {
            TableKind::Csv => {
                id += 1;
                line = crm_row(&mut r, id).join(";") + "\n";
            }
            TableKind::PgDump => {
                id += 1;
                line = crm_row(&mut r, id).join("\t") + "\n";
            }
            TableKind::MySqlDump => {
                line.push_str("INSERT INTO `klanten` VALUES ");
                for i in 0..1000 {
                    id += 1;
                    let row = crm_row(&mut r, id);
                    let values: Vec<String> = row
                        .iter()
                        .map(|v| format!("'{}'", v.replace('\'', "\\'")))
                        .collect();
                    if i > 0 {
                        line.push(',');
                    }
                    line.push('(');
                    line.push_str(&values.join(","));
                    line.push(')');
                }
                line.push_str(";\n");
            }
        }
    }
    if kind == TableKind::PgDump {
        out.write_all(b"\\.\n")?;
    }
    out.flush()
}

/// Writes a web-analytics event table as CSV (the anonymisation benchmark's input): `id`,
/// `ip` (four in five IPv4, the rest IPv6), `email`, `timestamp`, `url`, `user_agent`, one
/// row per event, `rows` rows. Visitors repeat, so pseudonyms must be consistent.
///
/// # Errors
/// Writing failed.
pub fn write_web_events(out: &mut dyn std::io::Write, seed: u64, rows: u64) -> std::io::Result<()> {
    const PAGES: &[&str] = &[
        "/",
        "/winkelwagen",
        "/account",
        "/product/fietsbel-chroom",
        "/zoeken?q=zadelpen",
        "/afrekenen",
        "/api/v2/orders",
        "/contact",
    ];
    const AGENTS: &[&str] = &[
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0.6099.109 Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
        "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
        "curl/8.4.0",
    ];
    let mut r = Rng::new(seed);
    let mut w = std::io::BufWriter::with_capacity(1 << 20, out);
    use std::io::Write as _;
    w.write_all(b"id,ip,email,timestamp,url,user_agent\n")?;
    let visitors: Vec<(String, String)> = (0..50_000)
        .map(|i| {
            let ip = if i % 5 == 4 {
                gen::ipv6(&mut r)
            } else {
                gen::ipv4(&mut r)
            };
            (ip, email_of(&mut r))
        })
        .collect();
    let mut t = 1_735_689_600u64; // 2025-01-01T00:00:00Z
    for id in 1..=rows {
        let (ip, email) = &visitors[r.below(visitors.len() as u64) as usize];
        t += r.below(3);
        let (days, secs) = (t / 86_400, t % 86_400);
        // 2025-01-01 plus days, within one year: month lengths of 2025.
        const MONTHS: [u64; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        let (mut month, mut day) = (0usize, days - 20_089);
        while month < 11 && day >= MONTHS[month] {
            day -= MONTHS[month];
            month += 1;
        }
        let line = format!(
            "{id},{ip},{email},2025-{:02}-{:02}T{:02}:{:02}:{:02}Z,https://www.voorbeeld-webshop.nl{},\"{}\"\n",
            month + 1,
            day + 1,
            secs / 3600,
            secs / 60 % 60,
            secs % 60,
            r.pick_str(PAGES),
            r.pick_str(AGENTS)
        );
        w.write_all(line.as_bytes())?;
    }
    w.flush()
}
