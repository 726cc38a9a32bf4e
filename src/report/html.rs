//! HTML shared by the printable pages (breach assessment, access summary, register, data
//! map): escaping, and the A4 page the short reports print on.

/// Escapes text for HTML content and attribute values (control characters other than newline
/// and tab become U+FFFD).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// A self-contained A4 page (portrait, 18 mm margins, DejaVu Sans) around `body` (HTML),
/// with `css` added to the base style. `lang` is the page's language code, `title` plain text.
pub fn a4_page(lang: &str, title: &str, css: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n@page {{ size: A4; margin: 18mm; }}\nbody {{ font-family: 'DejaVu Sans', sans-serif; font-size: 10.5pt; line-height: 1.4; }}\ntd {{ border: 1px solid #999; padding: 2px 6px; }}\n{css}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        escape(lang),
        escape(title),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn markup_is_escaped() {
        assert_eq!(
            super::escape("<a href=\"x\">Tom & 'Jerry'</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;"
        );
    }
}
