//! Words of the register in Dutch and English: field headings and their explanations,
//! category and data-subject names, the six lawful bases, statuses.

/// The language of headings and comments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Dutch (the default).
    Nl,
    /// English.
    En,
}

impl Lang {
    /// Parses `nl` or `en`.
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "nl" => Some(Lang::Nl),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// Picks the Dutch or the English text.
    pub fn pick<'a>(self, nl: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Nl => nl,
            Lang::En => en,
        }
    }
}

/// A human-owned field of an activity: key, Dutch and English heading, the GDPR article, and
/// the explanation written above it in a draft.
pub struct Field {
    /// The TOML key.
    pub key: &'static str,
    /// Dutch heading.
    pub nl: &'static str,
    /// English heading.
    pub en: &'static str,
    /// The article it answers.
    pub basis: &'static str,
    /// Dutch explanation.
    pub help_nl: &'static str,
    /// English explanation.
    pub help_en: &'static str,
    /// A list (`[]`) rather than text (`""`).
    pub list: bool,
}

/// The fields a person fills, in Article 30(1) order.
pub const FIELDS: &[Field] = &[
    Field { key: "purposes", nl: "Doeleinden", en: "Purposes", basis: "art. 30(1)(b)", help_nl: "Waarvoor worden deze gegevens verwerkt? Eén doel per regel, concreet (\"Uitvoeren van bestellingen\").", help_en: "What are these data processed for? One purpose per item, concrete (\"Fulfilling orders\").", list: true },
    Field { key: "legal_basis", nl: "Rechtsgrond", en: "Lawful basis", basis: "art. 6(1)", help_nl: "Eén van: consent (toestemming), contract (overeenkomst), legal_obligation (wettelijke plicht), vital_interests (vitaal belang), public_task (publieke taak), legitimate_interests (gerechtvaardigd belang).", help_en: "One of: consent, contract, legal_obligation, vital_interests, public_task, legitimate_interests.", list: false },
    Field { key: "legal_basis_ref", nl: "Toelichting rechtsgrond", en: "Lawful basis: reference", basis: "art. 6(3)", help_nl: "Welke overeenkomst of wet; bij gerechtvaardigd belang: de afweging (link).", help_en: "Which contract or law; for legitimate interests: the balancing test (link).", list: false },
    Field { key: "subjects", nl: "Categorieën betrokkenen", en: "Categories of data subjects", basis: "art. 30(1)(c)", help_nl: "Wie zijn de betrokkenen (customer, employee, subscriber, ...)? piiscan stelt voor in [suggest] van evidence/.", help_en: "Whose data are these (customer, employee, subscriber, ...)? piiscan suggests in [suggest] of evidence/.", list: true },
    Field { key: "categories", nl: "Categorieën persoonsgegevens", en: "Categories of personal data", basis: "art. 30(1)(c)", help_nl: "Welke soorten gegevens (ids als user.contact.email)? piiscan stelt voor in [suggest] van evidence/; voeg toe wat een scan niet ziet (papier).", help_en: "Which kinds of data (ids such as user.contact.email)? piiscan suggests in [suggest] of evidence/; add what a scan cannot see (paper).", list: true },
    Field { key: "art9_condition", nl: "Uitzonderingsgrond bijzondere persoonsgegevens", en: "Condition for special categories", basis: "art. 9(2); UAVG §3.1", help_nl: "Alleen bij bijzondere persoonsgegevens (gezondheid, ...): de uitzondering die de verwerking toestaat.", help_en: "Only for special categories (health, ...): the exception that allows the processing.", list: false },
    Field { key: "art10_basis", nl: "Grondslag strafrechtelijke gegevens", en: "Basis for criminal data", basis: "art. 10; UAVG §3.2", help_nl: "Alleen bij strafrechtelijke gegevens (VOG, strafblad): de wettelijke grondslag.", help_en: "Only for criminal data (certificates of conduct, records): the legal basis.", list: false },
    Field { key: "national_id_law", nl: "Wettelijke grondslag BSN / rijksregisternummer", en: "Law allowing the national number", basis: "UAVG art. 46; Rijksregisterwet art. 8", help_nl: "Het BSN of rijksregisternummer mag alleen worden gebruikt als een wet dat toestaat: welke?", help_en: "A BSN or Belgian national number may only be used where a law allows it: which?", list: false },
    Field { key: "recipients", nl: "Ontvangers", en: "Recipients", basis: "art. 30(1)(d)", help_nl: "Aan wie worden de gegevens verstrekt (intern, extern, verwerkers)?", help_en: "Who receives the data (internal, external, processors)?", list: true },
    Field { key: "processors", nl: "Verwerkers", en: "Processors", basis: "art. 28", help_nl: "Verwerkers met verwerkersovereenkomst (naam en link).", help_en: "Processors with a data processing agreement (name and link).", list: true },
    Field { key: "transfers", nl: "Doorgifte buiten de EER", en: "Transfers outside the EEA", basis: "art. 30(1)(e)", help_nl: "Land en waarborg (adequaatheidsbesluit, SCC, BCR, art. 49); leeg als er geen doorgifte is.", help_en: "Country and safeguard (adequacy, SCC, BCR, art. 49); empty when there is none.", list: true },
    Field { key: "retention", nl: "Bewaartermijn", en: "Retention period", basis: "art. 30(1)(f)", help_nl: "Hoe lang, of volgens welk criterium (\"7 jaar na laatste factuur, fiscale bewaarplicht\").", help_en: "How long, or by which criterion (\"7 years after the last invoice, tax law\").", list: false },
    Field { key: "retention_days", nl: "Bewaartermijn in dagen", en: "Retention in days", basis: "art. 5(1)(e)", help_nl: "Als getal, zodat `piiscan register check` te oude records meldt; 0: niet controleren.", help_en: "As a number, so `piiscan register check` reports records older than this; 0: not checked.", list: false },
    Field { key: "security", nl: "Beveiligingsmaatregelen", en: "Security measures", basis: "art. 30(1)(g), 32", help_nl: "Technische en organisatorische maatregelen (versleuteling, toegangsbeheer, ...).", help_en: "Technical and organisational measures (encryption, access control, ...).", list: true },
    Field { key: "dpia", nl: "DPIA", en: "DPIA", basis: "art. 35", help_nl: "Is een DPIA nodig? Status en link.", help_en: "Is a DPIA required? Status and link.", list: false },
];

/// The six lawful bases of Art. 6(1), as ids with Dutch and English names and the letter.
pub const LEGAL_BASES: &[(&str, &str, &str, char)] = &[
    ("consent", "toestemming", "consent", 'a'),
    (
        "contract",
        "uitvoering van een overeenkomst",
        "performance of a contract",
        'b',
    ),
    (
        "legal_obligation",
        "wettelijke verplichting",
        "legal obligation",
        'c',
    ),
    ("vital_interests", "vitaal belang", "vital interests", 'd'),
    (
        "public_task",
        "taak van algemeen belang of openbaar gezag",
        "public task",
        'e',
    ),
    (
        "legitimate_interests",
        "gerechtvaardigd belang",
        "legitimate interests",
        'f',
    ),
];

/// Statuses of an activity.
pub const STATUSES: &[&str] = &["concept", "in_review", "vastgesteld", "vervallen"];

/// The Dutch and English name of a data subject id.
pub fn subject(id: &str, lang: Lang) -> &str {
    let (nl, en) = match id {
        "customer" => ("Klanten", "Customers"),
        "prospect" => ("Leads / prospects", "Leads / prospects"),
        "subscriber" => ("Nieuwsbriefabonnees", "Newsletter subscribers"),
        "user" => ("Gebruikers", "Users"),
        "member" => ("Leden", "Members"),
        "employee" => ("Medewerkers", "Employees"),
        "job_applicant" => ("Sollicitanten", "Job applicants"),
        "consultant" => ("Zzp'ers en inhuur", "Contractors"),
        "trainee" => ("Stagiairs", "Interns"),
        "patient" => ("Patiënten", "Patients"),
        "student" => ("Leerlingen en studenten", "Pupils and students"),
        "guardian" => ("Ouders en contactpersonen", "Parents and contacts"),
        "supplier_vendor" => ("Leveranciers", "Suppliers"),
        "visitor" => ("Websitebezoekers", "Website visitors"),
        "shareholder" => ("Aandeelhouders", "Shareholders"),
        "donor" => ("Donateurs", "Donors"),
        "tenant" => ("Huurders", "Tenants"),
        _ => ("Onbekende betrokkenen", "Unknown data subjects"),
    };
    lang.pick(nl, en)
}

/// The Dutch and English name of a category id (the id itself when unknown).
pub fn category(id: &str, lang: Lang) -> String {
    let known: &[(&str, &str, &str)] = &[
        ("user.name", "Naam", "Name"),
        ("user.contact.email", "E-mailadres", "E-mail address"),
        (
            "user.contact.phone_number",
            "Telefoonnummer",
            "Phone number",
        ),
        ("user.contact.address.street", "Adres", "Street address"),
        (
            "user.contact.address.postal_code",
            "Postcode",
            "Postal code",
        ),
        ("user.contact.address.city", "Woonplaats", "City"),
        (
            "user.demographic.date_of_birth",
            "Geboortedatum",
            "Date of birth",
        ),
        ("user.demographic.gender", "Geslacht", "Gender"),
        (
            "user.government_id.national_identification_number.nl_bsn",
            "Burgerservicenummer (BSN)",
            "Dutch citizen service number (BSN)",
        ),
        (
            "user.government_id.national_identification_number.be_rrn",
            "Rijksregisternummer",
            "Belgian national number",
        ),
        (
            "user.government_id.passport_number",
            "Paspoort-/ID-kaartnummer",
            "Passport or ID card number",
        ),
        (
            "user.government_id.vehicle_registration",
            "Kenteken",
            "Licence plate",
        ),
        (
            "user.government_id.vat_number",
            "Btw-nummer (eenmanszaak)",
            "VAT number (sole trader)",
        ),
        (
            "user.financial.bank_account",
            "Bankrekeningnummer (IBAN)",
            "Bank account (IBAN)",
        ),
        (
            "user.financial.credit_card",
            "Creditcardnummer",
            "Payment card number",
        ),
        (
            "user.financial.income",
            "Salaris en inkomen",
            "Salary and income",
        ),
        ("user.device.ip_address", "IP-adres", "IP address"),
        ("user.device.device_id", "Apparaat-ID", "Device id"),
        ("user.device.cookie_id", "Cookie-ID", "Cookie id"),
        (
            "user.unique_id",
            "Klant-, personeels- of relatienummer",
            "Customer, personnel or user number",
        ),
        ("user.account.username", "Gebruikersnaam", "Username"),
        (
            "user.authorization.credentials",
            "Inloggegevens",
            "Credentials",
        ),
        (
            "user.job_title",
            "Functie en dienstverband",
            "Job and employment",
        ),
        (
            "user.health_and_medical",
            "Gezondheidsgegevens",
            "Health data",
        ),
        (
            "user.criminal_history",
            "Strafrechtelijke gegevens",
            "Criminal records",
        ),
        (
            "user.content.private",
            "Vrije tekst en notities",
            "Free text and notes",
        ),
    ];
    match known.iter().find(|(k, _, _)| *k == id) {
        Some((_, nl, en)) => lang.pick(nl, en).to_string(),
        None => id.to_string(),
    }
}

/// Is the category special (Art. 9)?
pub fn is_special(category: &str) -> bool {
    const SPECIAL: &[&str] = &[
        "user.health_and_medical",
        "user.biometric",
        "user.demographic.race_ethnicity",
        "user.demographic.political_opinion",
        "user.demographic.religious_belief",
        "user.demographic.philosophical_belief",
        "user.demographic.trade_union_membership",
        "user.demographic.sexual_orientation",
        "user.demographic.sex_life",
    ];
    SPECIAL
        .iter()
        .any(|s| category == *s || category.starts_with(&format!("{s}.")))
}

/// Is the category criminal data (Art. 10)?
pub fn is_criminal(category: &str) -> bool {
    category == "user.criminal_history" || category.starts_with("user.criminal_history.")
}

/// Is the category a national identification number (BSN, rijksregisternummer)?
pub fn is_national_id(category: &str) -> bool {
    category.starts_with("user.government_id.national_identification_number")
}
