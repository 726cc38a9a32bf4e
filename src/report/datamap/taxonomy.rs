//! How the data map groups categories into columns: the roll-up Dutch registers use
//! (copied from the project's taxonomy notes so the repository stands alone):
//!
//! - NAW-gegevens: name and address leaves (`user.name`, `user.contact.address.*`);
//! - contactgegevens: e-mail and phone;
//! - identificatienummers: `user.government_id.*` except the vehicle registration;
//! - kentekengegevens: `user.government_id.vehicle_registration`;
//! - betaalgegevens: `user.financial.*`;
//! - online identificatoren: `user.device.*`, `user.unique_id`, `user.account.*`;
//! - bijzondere persoonsgegevens: every special category (Art. 9);
//! - strafrechtelijke gegevens: every criminal-data category (Art. 10).
//!
//! Categories the roll-up leaves out (date of birth, gender, job, credentials, free text) go to
//! "personal characteristics" (`user.demographic.*`) or "other data".

use crate::register::labels::{self, Lang};

/// A group of categories, in the order the matrix shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Group {
    /// Name and address.
    NameAddress,
    /// E-mail and phone.
    Contact,
    /// Government identifiers (BSN, rijksregisternummer, passport, VAT).
    Identifiers,
    /// Licence plates.
    Vehicle,
    /// Bank accounts, cards, income.
    Financial,
    /// Devices, cookies, customer numbers, accounts.
    Online,
    /// Date of birth, gender and other non-special demographics.
    Characteristics,
    /// Everything the roll-up does not name.
    Other,
    /// Special categories (Art. 9).
    Special,
    /// Criminal data (Art. 10).
    Criminal,
}

/// The group of a category id.
pub fn group_of(category: &str) -> Group {
    let under = |prefix: &str| category == prefix || category.starts_with(&format!("{prefix}."));
    if labels::is_special(category) {
        Group::Special
    } else if labels::is_criminal(category) {
        Group::Criminal
    } else if under("user.name") || under("user.contact.address") {
        Group::NameAddress
    } else if under("user.contact") {
        Group::Contact
    } else if under("user.government_id.vehicle_registration") {
        Group::Vehicle
    } else if under("user.government_id") {
        Group::Identifiers
    } else if under("user.financial") {
        Group::Financial
    } else if under("user.device") || under("user.unique_id") || under("user.account") {
        Group::Online
    } else if under("user.demographic") {
        Group::Characteristics
    } else {
        Group::Other
    }
}

impl Group {
    /// The group's name, with soft hyphens where a narrow column may break it.
    pub fn label(self, lang: Lang) -> &'static str {
        let (nl, en) = match self {
            Group::NameAddress => ("NAW-gegevens", "Name and address"),
            Group::Contact => ("Contact\u{ad}gegevens", "Contact details"),
            Group::Identifiers => ("Identificatie\u{ad}nummers", "Identification numbers"),
            Group::Vehicle => ("Kenteken\u{ad}gegevens", "Vehicle regis\u{ad}tration"),
            Group::Financial => ("Betaal\u{ad}gegevens", "Financial data"),
            Group::Online => ("Online identifi\u{ad}catoren", "Online identi\u{ad}fiers"),
            Group::Characteristics => ("Persoons\u{ad}kenmerken", "Personal charac\u{ad}teristics"),
            Group::Other => ("Overige gegevens", "Other data"),
            Group::Special => (
                "Bijzondere persoons\u{ad}gegevens",
                "Special categories (Art. 9)",
            ),
            Group::Criminal => ("Strafrechtelijke gegevens", "Criminal data (Art. 10)"),
        };
        lang.pick(nl, en)
    }

    /// A short id for HTML classes.
    pub fn id(self) -> &'static str {
        match self {
            Group::NameAddress => "naw",
            Group::Contact => "contact",
            Group::Identifiers => "ids",
            Group::Vehicle => "vehicle",
            Group::Financial => "financial",
            Group::Online => "online",
            Group::Characteristics => "traits",
            Group::Other => "other",
            Group::Special => "special",
            Group::Criminal => "criminal",
        }
    }
}

/// The order of known categories inside their groups (the taxonomy table's order); unknown
/// categories follow, by id.
const ORDER: &[&str] = &[
    "user.name",
    "user.contact.address.street",
    "user.contact.address.postal_code",
    "user.contact.address.city",
    "user.contact.email",
    "user.contact.phone_number",
    "user.government_id.national_identification_number.nl_bsn",
    "user.government_id.national_identification_number.be_rrn",
    "user.government_id.passport_number",
    "user.government_id.vat_number",
    "user.government_id.vehicle_registration",
    "user.financial.bank_account",
    "user.financial.credit_card",
    "user.financial.income",
    "user.device.ip_address",
    "user.device.device_id",
    "user.device.cookie_id",
    "user.unique_id",
    "user.account.username",
    "user.demographic.date_of_birth",
    "user.demographic.gender",
];

/// The sort key of a category: group, then the taxonomy order, then the id.
pub fn sort_key(category: &str) -> (Group, usize, String) {
    let rank = ORDER
        .iter()
        .position(|c| *c == category)
        .unwrap_or(ORDER.len());
    (group_of(category), rank, category.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_fall_in_the_registers_groups() {
        assert_eq!(group_of("user.name"), Group::NameAddress);
        assert_eq!(group_of("user.contact.address.city"), Group::NameAddress);
        assert_eq!(group_of("user.contact.email"), Group::Contact);
        assert_eq!(
            group_of("user.government_id.national_identification_number.nl_bsn"),
            Group::Identifiers
        );
        assert_eq!(
            group_of("user.government_id.vehicle_registration"),
            Group::Vehicle
        );
        assert_eq!(group_of("user.financial.income"), Group::Financial);
        assert_eq!(group_of("user.unique_id"), Group::Online);
        assert_eq!(group_of("user.health_and_medical"), Group::Special);
        assert_eq!(group_of("user.criminal_history"), Group::Criminal);
        assert_eq!(group_of("user.demographic.gender"), Group::Characteristics);
        assert_eq!(group_of("user.job_title"), Group::Other);
        assert!(sort_key("user.name") < sort_key("user.contact.address.street"));
    }
}
