//! The kinds of personal data of the Autoriteit Persoonsgegevens' breach notification form,
//! each taxonomy category mapped onto one, and the ENISA data-processing context of each.

use crate::register::labels::{is_criminal, is_special, Lang};
use serde::Serialize;

/// A kind of personal data as the notification form asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FormKind {
    /// Names and addresses.
    NameAddress,
    /// E-mail addresses and phone numbers.
    Contact,
    /// BSN, rijksregisternummer and other national numbers.
    NationalNumber,
    /// Passports, identity cards, driving licences and their numbers.
    IdDocument,
    /// Bank accounts, payment cards.
    Financial,
    /// Dates of birth, age.
    BirthDate,
    /// IP addresses, cookies, device ids, licence plates.
    OnlineIdentifier,
    /// Login data: user names, passwords.
    Login,
    /// Special categories of Art. 9 GDPR.
    Special,
    /// Criminal data (Art. 10 GDPR).
    Criminal,
    /// Anything else the rules call personal data.
    Other,
}

impl FormKind {
    /// The form kind of a taxonomy category.
    pub fn of(category: &str) -> FormKind {
        let has = |p: &str| category == p || category.starts_with(&format!("{p}."));
        if is_special(category) {
            FormKind::Special
        } else if is_criminal(category) {
            FormKind::Criminal
        } else if has("user.government_id.national_identification_number") {
            FormKind::NationalNumber
        } else if has("user.government_id.passport_number")
            || has("user.government_id.driver_license_number")
            || has("user.government_id.id_card")
        {
            FormKind::IdDocument
        } else if has("user.name") || has("user.contact.address") {
            FormKind::NameAddress
        } else if has("user.contact") {
            FormKind::Contact
        } else if has("user.financial") {
            FormKind::Financial
        } else if has("user.demographic.date_of_birth") || has("user.demographic.age") {
            FormKind::BirthDate
        } else if has("user.device")
            || has("user.government_id.vehicle_registration")
            || has("user.unique_id")
        {
            FormKind::OnlineIdentifier
        } else if has("user.authorization") || has("user.account") {
            FormKind::Login
        } else {
            FormKind::Other
        }
    }

    /// The kind as the form words it.
    pub fn label(self, lang: Lang) -> &'static str {
        let (nl, en) = match self {
            FormKind::NameAddress => ("Naam- en adresgegevens", "Name and address data"),
            FormKind::Contact => (
                "Contactgegevens (e-mail, telefoon)",
                "Contact data (e-mail, phone)",
            ),
            FormKind::NationalNumber => (
                "Burgerservicenummer (BSN) of ander nationaal identificatienummer",
                "Citizen service number (BSN) or other national identification number",
            ),
            FormKind::IdDocument => (
                "Paspoort- of identiteitsbewijsgegevens",
                "Passport or identity document data",
            ),
            FormKind::Financial => ("Financiële gegevens", "Financial data"),
            FormKind::BirthDate => ("Geboortedatum of leeftijd", "Date of birth or age"),
            FormKind::OnlineIdentifier => (
                "Online identificatoren (IP-adres, cookie, apparaat, kenteken, klantnummer)",
                "Online identifiers (IP address, cookie, device, licence plate, customer number)",
            ),
            FormKind::Login => ("Inloggegevens", "Login data"),
            FormKind::Special => (
                "Bijzondere persoonsgegevens (art. 9 AVG)",
                "Special categories of personal data (Art. 9 GDPR)",
            ),
            FormKind::Criminal => (
                "Strafrechtelijke gegevens (art. 10 AVG)",
                "Criminal data (Art. 10 GDPR)",
            ),
            FormKind::Other => ("Overige persoonsgegevens", "Other personal data"),
        };
        lang.pick(nl, en)
    }

    /// ENISA's data-processing context score of the kind (1 simple, 2 behavioural, 3
    /// financial, 4 sensitive), before adjustments.
    pub fn enisa_dpc(self) -> u8 {
        match self {
            FormKind::NameAddress | FormKind::Contact | FormKind::BirthDate | FormKind::Other => 1,
            FormKind::OnlineIdentifier | FormKind::Login => 2,
            // National numbers and identity documents open the door to identity fraud: ENISA
            // scores them with financial data.
            FormKind::Financial | FormKind::NationalNumber | FormKind::IdDocument => 3,
            FormKind::Special | FormKind::Criminal => 4,
        }
    }

    /// Does a value of this kind identify one person (counted for the number of people)?
    pub fn identifies(self) -> bool {
        matches!(
            self,
            FormKind::NationalNumber
                | FormKind::IdDocument
                | FormKind::Contact
                | FormKind::Financial
                | FormKind::NameAddress
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_land_in_the_forms_kinds() {
        assert_eq!(
            FormKind::of("user.government_id.national_identification_number.nl_bsn"),
            FormKind::NationalNumber
        );
        assert_eq!(FormKind::of("user.contact.email"), FormKind::Contact);
        assert_eq!(
            FormKind::of("user.contact.address.street"),
            FormKind::NameAddress
        );
        assert_eq!(FormKind::of("user.health_and_medical"), FormKind::Special);
        assert_eq!(FormKind::of("user.criminal_history"), FormKind::Criminal);
        assert_eq!(
            FormKind::of("user.device.ip_address"),
            FormKind::OnlineIdentifier
        );
        assert_eq!(
            FormKind::of("user.financial.bank_account"),
            FormKind::Financial
        );
        assert_eq!(
            FormKind::of("user.government_id.passport_number"),
            FormKind::IdDocument
        );
    }
}
