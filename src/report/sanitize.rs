//! Escaping control, bidirectional and zero-width characters before text reaches a terminal:
//! scanned files are other people's data, and a crafted value must not rewrite the screen.

/// Replaces characters that could alter a terminal's display with `\u{…}` escapes.
pub fn sanitize(s: &str) -> std::borrow::Cow<'_, str> {
    fn bad(c: char) -> bool {
        c.is_control()
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
    }
    if !s.chars().any(bad) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if bad(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_terminal_tricks() {
        assert_eq!(super::sanitize("a\x1b[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(super::sanitize("x\u{202E}y"), "x\\u{202e}y");
        assert_eq!(super::sanitize("plain"), "plain");
    }
}
