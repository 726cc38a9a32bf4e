//! HTML and XML as text: tags removed, entities decoded, every newline of the original kept so
//! that a finding's line is the line of the file. One streaming pass, linear in the input, in
//! bounded memory, never failing (broken markup is read as far as it goes, a `<` that opens
//! no tag is text).
//!
//! HTML: the contents of `<script>` and `<style>` are dropped (JSON in a script, such as
//! `application/ld+json`, is data and kept); comments are kept (text someone wrote); of the
//! attributes, the values that carry text are kept: `href` (a `mailto:` address), `title`,
//! `alt`, `content` (a `<meta name="author">`), `value`, `placeholder`, `label`, `aria-label`,
//! `summary` and every `data-*`. XML: element and attribute names are kept as words (they are
//! the context that tells a BSN from any nine digits: `<bsn>111222333</bsn>` reads
//! `bsn 111222333`), every attribute value is kept except namespace declarations, and CDATA is
//! text.

use std::io::{self, Read};

/// Which markup a text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Markup {
    /// HTML (and XHTML read as HTML).
    Html,
    /// XML of any vocabulary.
    Xml,
}

/// Longest tag, attribute or entity name kept to decide on (longer ones are cut).
const NAME_CAP: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Text,
    /// Just after `<`.
    Lt,
    /// After `<!`, deciding between a comment, CDATA and a declaration.
    Bang,
    Comment,
    CData,
    /// `<!DOCTYPE …>`, `<?xml …?>`: dropped up to `>`.
    Decl,
    TagName {
        closing: bool,
    },
    /// Inside a tag, between attributes.
    InTag,
    AttrName,
    AfterAttrName,
    BeforeValue,
    Value {
        quote: Option<u8>,
    },
    /// The contents of `<script>` or `<style>`, up to their end tag.
    Raw,
}

/// The streaming tag stripper.
#[derive(Debug)]
pub struct Stripper {
    kind: Markup,
    state: State,
    /// The tag or attribute name being read, lowercased.
    name: Vec<u8>,
    /// The tag name of the tag being read.
    tag: Vec<u8>,
    /// Whether the tag being read is an end tag.
    closing: bool,
    /// The last byte inside the tag was `/` (a self-closing tag).
    slash: bool,
    /// Whether the attribute value being read is kept.
    keep_value: bool,
    /// `type` of a `<script>` says JSON: its contents are kept.
    script_json: bool,
    /// The end tag that ends the raw contents (`</script`), and how much of it matched.
    raw_end: &'static [u8],
    raw_matched: usize,
    raw_keep: bool,
    /// The bytes of `<!` read so far, to decide.
    bang: Vec<u8>,
    /// `-` (comment) or `]` (CDATA) seen before a possible end.
    closers: usize,
    /// An entity being read (after `&`), and where it was met.
    entity: Option<Vec<u8>>,
    /// The attribute value that an entity is in is kept (`None`: the entity is in text).
    entity_in_value: Option<bool>,
    /// The type attribute of a script was being read.
    reading_type: bool,
    type_value: Vec<u8>,
}

impl Stripper {
    /// A stripper for `kind`.
    pub fn new(kind: Markup) -> Self {
        Stripper {
            kind,
            state: State::Text,
            name: Vec::new(),
            tag: Vec::new(),
            closing: false,
            slash: false,
            keep_value: false,
            script_json: false,
            raw_end: b"",
            raw_matched: 0,
            raw_keep: false,
            bang: Vec::new(),
            closers: 0,
            entity: None,
            entity_in_value: None,
            reading_type: false,
            type_value: Vec::new(),
        }
    }

    fn keep_attribute(&self) -> bool {
        let n = self.name.as_slice();
        match self.kind {
            Markup::Xml => !(n == b"xmlns" || n.starts_with(b"xmlns:")),
            Markup::Html => {
                matches!(
                    n,
                    b"href"
                        | b"title"
                        | b"alt"
                        | b"content"
                        | b"value"
                        | b"placeholder"
                        | b"label"
                        | b"aria-label"
                        | b"summary"
                ) || n.starts_with(b"data-")
            }
        }
    }

    /// The local name (after a namespace prefix).
    fn local(name: &[u8]) -> &[u8] {
        match name.iter().rposition(|&b| b == b':') {
            Some(i) => &name[i + 1..],
            None => name,
        }
    }

    fn push_name(buf: &mut Vec<u8>, b: u8) {
        if buf.len() < NAME_CAP {
            buf.push(b.to_ascii_lowercase());
        }
    }

    /// The start tag just read ended (`>`).
    fn tag_ended(&mut self, out: &mut Vec<u8>) {
        out.push(b' ');
        self.state = State::Text;
        if self.kind == Markup::Html && !self.closing && !self.slash {
            let end: Option<&'static [u8]> = match self.tag.as_slice() {
                b"script" => Some(b"</script"),
                b"style" => Some(b"</style"),
                _ => None,
            };
            if let Some(end) = end {
                self.raw_end = end;
                self.raw_matched = 0;
                self.raw_keep = end == b"</script" && self.script_json;
                self.state = State::Raw;
            }
        }
        self.script_json = false;
    }

    /// The attribute name just read is complete.
    fn attribute_named(&mut self, out: &mut Vec<u8>) {
        self.keep_value = self.keep_attribute();
        self.reading_type =
            self.kind == Markup::Html && self.tag == b"script" && self.name == b"type";
        self.type_value.clear();
        if self.kind == Markup::Xml && self.keep_value {
            out.push(b' ');
            out.extend_from_slice(Self::local(&self.name));
            out.push(b' ');
        }
    }

    fn value_ended(&mut self, out: &mut Vec<u8>) {
        if self.keep_value {
            out.push(b' ');
        }
        if self.reading_type {
            self.script_json = self
                .type_value
                .windows(4)
                .any(|w| w.eq_ignore_ascii_case(b"json"));
            self.reading_type = false;
        }
        self.keep_value = false;
        self.state = State::InTag;
    }

    /// Resolves the entity read (without `&` and `;`), or `None`.
    fn resolve(&self, name: &[u8]) -> Option<String> {
        let name = std::str::from_utf8(name).ok()?;
        if let Some(num) = name.strip_prefix('#') {
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse::<u32>().ok()?,
            };
            return Some(char::from_u32(code).unwrap_or('\u{FFFD}').to_string());
        }
        match self.kind {
            Markup::Xml => quick_xml::escape::resolve_xml_entity(name).map(str::to_string),
            Markup::Html => quick_xml::escape::resolve_html5_entity(name).map(str::to_string),
        }
    }

    /// Ends an entity: `terminated` when a `;` ended it. Returns whether the byte that ended
    /// it was used.
    fn end_entity(&mut self, terminated: bool, out: &mut Vec<u8>) {
        let Some(name) = self.entity.take() else {
            return;
        };
        let keep = self.entity_in_value.take().unwrap_or(true);
        if !keep {
            return;
        }
        match self.resolve(&name).filter(|_| terminated) {
            // A newline written as an entity is a space: lines stay the file's.
            // So is a no-break space: numbers written with `&nbsp;` read as with spaces.
            Some(s) => out.extend_from_slice(s.replace(['\n', '\r', '\u{A0}'], " ").as_bytes()),
            None => {
                out.push(b'&');
                out.extend_from_slice(&name);
                if terminated {
                    out.push(b';');
                }
            }
        }
    }

    /// Feeds the next bytes of the markup (UTF-8), appending text to `out`.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) {
        let mut i = 0;
        while i < input.len() {
            let b = input[i];
            // An entity in text or in an attribute value.
            if let Some(name) = self.entity.as_mut() {
                if (b.is_ascii_alphanumeric() || (b == b'#' && name.is_empty()))
                    && name.len() < NAME_CAP
                {
                    name.push(b);
                    i += 1;
                    continue;
                }
                let terminated = b == b';';
                self.end_entity(terminated, out);
                if terminated {
                    i += 1;
                }
                continue;
            }
            match self.state {
                State::Text => match b {
                    b'<' => self.state = State::Lt,
                    b'&' => {
                        self.entity = Some(Vec::new());
                        self.entity_in_value = None;
                    }
                    _ => out.push(b),
                },
                State::Lt => match b {
                    b'!' => {
                        self.bang.clear();
                        self.state = State::Bang;
                    }
                    b'?' => self.state = State::Decl,
                    b'/' => {
                        self.start_tag(true);
                    }
                    b if b.is_ascii_alphabetic() => {
                        self.start_tag(false);
                        Self::push_name(&mut self.name, b);
                    }
                    _ => {
                        // Not a tag: the `<` is text; this byte is read again as text.
                        out.push(b'<');
                        self.state = State::Text;
                        continue;
                    }
                },
                State::Bang => {
                    self.bang.push(b);
                    if self.bang == b"--" {
                        self.closers = 0;
                        self.state = State::Comment;
                        out.push(b' ');
                    } else if self.bang == b"[CDATA[" {
                        self.closers = 0;
                        self.state = State::CData;
                    } else if !(b"--".starts_with(&self.bang) || b"[CDATA[".starts_with(&self.bang))
                    {
                        self.state = State::Decl;
                        continue;
                    }
                }
                State::Comment | State::CData => {
                    let closer = if self.state == State::Comment {
                        b'-'
                    } else {
                        b']'
                    };
                    if b == closer {
                        self.closers += 1;
                    } else if b == b'>' && self.closers >= 2 {
                        // Closers beyond the two of the end are text.
                        out.extend(std::iter::repeat_n(closer, self.closers - 2));
                        out.push(b' ');
                        self.closers = 0;
                        self.state = State::Text;
                    } else {
                        out.extend(std::iter::repeat_n(closer, self.closers));
                        self.closers = 0;
                        out.push(b);
                    }
                }
                State::Decl => match b {
                    b'>' => {
                        out.push(b' ');
                        self.state = State::Text;
                    }
                    b'\n' => out.push(b'\n'),
                    _ => {}
                },
                State::TagName { closing } => match b {
                    b'>' => {
                        self.tag_named(closing, out);
                        self.tag_ended(out);
                    }
                    b'/' if !self.name.is_empty() => {
                        self.tag_named(closing, out);
                        self.slash = true;
                        self.state = State::InTag;
                    }
                    b if b.is_ascii_whitespace() => {
                        if b == b'\n' {
                            out.push(b'\n');
                        }
                        self.tag_named(closing, out);
                        self.state = State::InTag;
                    }
                    _ => Self::push_name(&mut self.name, b),
                },
                State::InTag => match b {
                    b'>' => self.tag_ended(out),
                    b'/' => self.slash = true,
                    b'\n' => out.push(b'\n'),
                    b if b.is_ascii_whitespace() => {}
                    _ => {
                        self.slash = false;
                        self.name.clear();
                        Self::push_name(&mut self.name, b);
                        self.state = State::AttrName;
                    }
                },
                State::AttrName => match b {
                    b'=' => {
                        self.attribute_named(out);
                        self.state = State::BeforeValue;
                    }
                    b'>' | b'/' => {
                        self.state = State::InTag;
                        continue;
                    }
                    b if b.is_ascii_whitespace() => {
                        if b == b'\n' {
                            out.push(b'\n');
                        }
                        self.state = State::AfterAttrName;
                    }
                    _ => Self::push_name(&mut self.name, b),
                },
                State::AfterAttrName => match b {
                    b'=' => {
                        self.attribute_named(out);
                        self.state = State::BeforeValue;
                    }
                    b'\n' => out.push(b'\n'),
                    b if b.is_ascii_whitespace() => {}
                    _ => {
                        // An attribute without a value; this byte starts the next.
                        self.state = State::InTag;
                        continue;
                    }
                },
                State::BeforeValue => match b {
                    b'"' | b'\'' => self.state = State::Value { quote: Some(b) },
                    b'\n' => out.push(b'\n'),
                    b if b.is_ascii_whitespace() => {}
                    b'>' => {
                        self.value_ended(out);
                        continue;
                    }
                    _ => {
                        self.state = State::Value { quote: None };
                        continue;
                    }
                },
                State::Value { quote } => {
                    let ends = match quote {
                        Some(q) => b == q,
                        None => b.is_ascii_whitespace() || b == b'>',
                    };
                    if ends {
                        self.value_ended(out);
                        if quote.is_none() {
                            continue;
                        }
                    } else if b == b'\n' {
                        out.push(b'\n');
                    } else if b == b'&' {
                        self.entity = Some(Vec::new());
                        self.entity_in_value = Some(self.keep_value);
                    } else {
                        if self.reading_type && self.type_value.len() < NAME_CAP {
                            self.type_value.push(b);
                        }
                        if self.keep_value {
                            out.push(b);
                        }
                    }
                }
                State::Raw => {
                    let want = self.raw_end[self.raw_matched];
                    if b.to_ascii_lowercase() == want {
                        self.raw_matched += 1;
                        if self.raw_matched == self.raw_end.len() {
                            // The end tag: its name is read as a tag's.
                            self.raw_matched = 0;
                            self.start_tag(true);
                            self.name
                                .extend_from_slice(&self.raw_end[2..self.raw_end.len()]);
                        }
                    } else {
                        let matched = self.raw_matched;
                        self.raw_matched = 0;
                        if self.raw_keep {
                            out.extend_from_slice(&self.raw_end[..matched]);
                        }
                        if matched > 0 {
                            // This byte may start the end tag again.
                            continue;
                        }
                        if b == b'\n' || self.raw_keep {
                            out.push(b);
                        }
                    }
                }
            }
            i += 1;
        }
    }

    fn start_tag(&mut self, closing: bool) {
        self.name.clear();
        self.closing = closing;
        self.slash = false;
        self.script_json = false;
        self.state = State::TagName { closing };
    }

    /// The tag's name is complete.
    fn tag_named(&mut self, closing: bool, out: &mut Vec<u8>) {
        self.tag.clear();
        self.tag.extend_from_slice(&self.name);
        if self.kind == Markup::Xml && !closing {
            out.push(b' ');
            out.extend_from_slice(Self::local(&self.tag));
        }
    }

    /// Ends the input: what is pending is written out (an unfinished entity as it was).
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        self.end_entity(false, out);
        if self.state == State::Lt {
            out.push(b'<');
        }
        self.state = State::Text;
    }
}

/// The text of a whole markup document.
pub fn to_text(kind: Markup, markup: &str) -> String {
    let mut stripper = Stripper::new(kind);
    let mut out = Vec::with_capacity(markup.len());
    stripper.feed(markup.as_bytes(), &mut out);
    stripper.finish(&mut out);
    // Only ASCII bytes were removed or added and whole entities decoded: still UTF-8.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// A reader of the text of the markup (UTF-8) that `inner` reads.
pub struct MarkupReader<R> {
    inner: R,
    stripper: Stripper,
    raw: Vec<u8>,
    out: Vec<u8>,
    pos: usize,
    done: bool,
}

impl<R: Read> MarkupReader<R> {
    /// Strips the markup `inner` reads.
    pub fn new(inner: R, kind: Markup) -> Self {
        MarkupReader {
            inner,
            stripper: Stripper::new(kind),
            raw: vec![0; 64 * 1024],
            out: Vec::new(),
            pos: 0,
            done: false,
        }
    }
}

impl<R: Read> Read for MarkupReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.out.len() && !self.done {
            self.out.clear();
            self.pos = 0;
            let n = self.inner.read(&mut self.raw)?;
            if n == 0 {
                self.done = true;
                self.stripper.finish(&mut self.out);
            } else {
                self.stripper.feed(&self.raw[..n], &mut self.out);
            }
        }
        let n = buf.len().min(self.out.len() - self.pos);
        buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(s: &str) -> usize {
        s.matches('\n').count()
    }

    #[test]
    fn html_tags_go_text_entities_and_kept_attributes_stay() {
        let html = "<!DOCTYPE html>\n<html><head><title>Dossier</title>\n\
            <style>p { color: red }\n.x{}</style>\n\
            <script>var bsn = \"111222333\";\n</script>\n\
            <meta name=\"author\" content=\"Jan Jansen\">\n\
            </head><body>\n<p>Caf&eacute; &amp; co&#64;x &#x41; &nope; &amp</p>\n\
            <a href=\"mailto:jan@example.nl\" class=\"btn\" title='Mail &quot;Jan&quot;'>mail</a>\n\
            <img src=x.png alt=Pasfoto>\n<!-- oud: piet@example.nl -->\n 3 < 4 </body></html>\n";
        let t = to_text(Markup::Html, html);
        assert_eq!(lines(&t), lines(html), "{t:?}");
        assert!(!t.contains("color") && !t.contains("111222333"), "{t:?}");
        assert!(t.contains("Jan Jansen"), "{t:?}");
        assert!(t.contains("Café & co@x A &nope; &amp"), "{t:?}");
        assert!(t.contains("mailto:jan@example.nl"), "{t:?}");
        assert!(t.contains("Mail \"Jan\"") && !t.contains("btn"), "{t:?}");
        assert!(t.contains("Pasfoto") && !t.contains("x.png"), "{t:?}");
        assert!(t.contains("piet@example.nl"), "{t:?}");
        assert!(t.contains("3 < 4"), "{t:?}");
        // Each value on the line it is on in the file.
        let line_of = |s: &str, needle: &str| s.lines().position(|l| l.contains(needle)).unwrap();
        for (text, source) in [
            ("Jan Jansen", "Jan Jansen"),
            ("jan@example.nl", "jan@example.nl"),
            ("Pasfoto", "Pasfoto"),
            ("piet@example.nl", "piet@example.nl"),
            ("Café", "Caf&eacute;"),
        ] {
            assert_eq!(line_of(&t, text), line_of(html, source), "{text}");
        }
    }

    #[test]
    fn json_scripts_are_data_and_end_tags_are_found_in_any_case() {
        let html = "<script type=\"application/ld+json\">{\"email\":\"a@b.nl\"}</script>\
                    <script>x</SCRIPT >after<style>a</sTyle>end";
        let t = to_text(Markup::Html, html);
        assert!(t.contains("{\"email\":\"a@b.nl\"}"), "{t:?}");
        assert!(
            t.contains("after") && t.contains("end") && !t.contains(" x "),
            "{t:?}"
        );
    }

    #[test]
    fn xml_keeps_names_as_context_cdata_and_attributes() {
        let xml = "<?xml version=\"1.0\"?>\n<k:klanten xmlns:k=\"urn:x\">\n\
            <klant id=\"7\" naam=\"Jan &amp; Piet\">\n<bsn>111222333</bsn>\n\
            <notitie><![CDATA[mail <jan@example.nl>]]></notitie>\n</klant></k:klanten>\n";
        let t = to_text(Markup::Xml, xml);
        assert_eq!(lines(&t), lines(xml));
        assert!(t.contains("bsn 111222333"), "{t:?}");
        assert!(t.contains("naam Jan & Piet"), "{t:?}");
        assert!(t.contains("mail <jan@example.nl>"), "{t:?}");
        assert!(!t.contains("urn:x") && t.contains("klanten"), "{t:?}");
    }

    #[test]
    fn chunk_boundaries_change_nothing() {
        let html =
            "<p title=\"a&amp;b\">x&eacute;y<!-- c --d --><![CDATA[q]]]></p><script>1</script>z";
        let whole = to_text(Markup::Html, html);
        for split in 0..html.len() {
            let mut s = Stripper::new(Markup::Html);
            let mut out = Vec::new();
            s.feed(&html.as_bytes()[..split], &mut out);
            s.feed(&html.as_bytes()[split..], &mut out);
            s.finish(&mut out);
            assert_eq!(String::from_utf8(out).unwrap(), whole, "split at {split}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_input_keeps_its_newlines_and_never_panics(
            data in proptest::collection::vec(proptest::sample::select(
                b"<>/!-[]CDATA?&#;x=\"' \nscript\xc3\xa9".to_vec()), 0..400)
        ) {
            for kind in [Markup::Html, Markup::Xml] {
                let mut s = Stripper::new(kind);
                let mut out = Vec::new();
                s.feed(&data, &mut out);
                s.finish(&mut out);
                let nl = |v: &[u8]| v.iter().filter(|&&b| b == b'\n').count();
                proptest::prop_assert_eq!(nl(&out), nl(&data));
            }
        }
    }
}
