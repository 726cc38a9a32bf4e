//! Masking values for reports: enough to recognise a finding, not enough to recover it.
//! E-mail addresses keep the first letter of the local part and the top-level domain
//! (`j***@v*********.nl`); IP addresses their first part; names their initials; other values
//! their separators and, when long enough, their last two characters.

/// Masks a value found by `rule`.
pub fn mask(rule: &str, value: &str) -> String {
    match rule {
        "email" => mask_email(value),
        "ipv4" => mask_after_first(value, '.'),
        "ipv6" => mask_after_first(value, ':'),
        "person_name" => mask_words(value),
        _ => mask_generic(value),
    }
}

fn stars(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_alphanumeric() { '*' } else { c })
        .collect()
}

fn mask_email(value: &str) -> String {
    let Some((local, domain)) = value.rsplit_once('@') else {
        return mask_generic(value);
    };
    let first = local.chars().next().map(String::from).unwrap_or_default();
    let (name, tld) = domain.rsplit_once('.').unwrap_or((domain, ""));
    let dfirst = name.chars().next().map(String::from).unwrap_or_default();
    let drest = "*".repeat(name.chars().count().saturating_sub(1));
    format!("{first}***@{dfirst}{drest}.{tld}")
}

fn mask_after_first(value: &str, sep: char) -> String {
    match value.split_once(sep) {
        Some((head, rest)) => format!("{head}{sep}{}", stars(rest)),
        None => stars(value),
    }
}

fn mask_words(value: &str) -> String {
    value
        .split(' ')
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(c) if c.is_uppercase() => format!(
                    "{c}{}",
                    cs.map(|c| if c.is_alphanumeric() { '*' } else { c })
                        .collect::<String>()
                ),
                Some(_) => w.to_string(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn mask_generic(value: &str) -> String {
    let alnum = value.chars().filter(|c| c.is_alphanumeric()).count();
    let keep = if alnum >= 8 { 2 } else { 0 };
    let mut seen = 0;
    value
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                seen += 1;
                if seen > alnum - keep {
                    return c;
                }
                '*'
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::mask;

    #[test]
    fn masks_keep_shape_not_value() {
        assert_eq!(
            mask("email", "jan.jansen@voorbeeld.nl"),
            "j***@v********.nl"
        );
        assert_eq!(mask("nl.bsn", "111222333"), "*******33");
        assert_eq!(
            mask("iban", "NL91 ABNA 0417 1643 00"),
            "**** **** **** **** 00"
        );
        assert_eq!(mask("ipv4", "84.241.12.7"), "84.***.**.*");
        assert_eq!(mask("person_name", "Sanne de Vries"), "S**** de V****");
        assert_eq!(mask("phone", "06-1234"), "**-****");
    }
}
