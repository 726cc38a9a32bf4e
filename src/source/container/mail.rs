//! E-mail messages (RFC 5322 with MIME): the text of one message, its attachments as files.
//!
//! The text holds the headers, RFC 2047 encoded words decoded: those that name people (From,
//! To, Cc, Bcc, Reply-To, Sender, Return-Path, Delivered-To, Resent-*,
//! Disposition-Notification-To) as `Display Name <address>`, and every other header but the
//! identifiers, signatures and MIME structure machines write (Message-ID, References,
//! DKIM-Signature, Content-Type, Date, …); then the body of every text
//! part, quoted-printable and base64 decoded, from its charset to UTF-8 (`encoding_rs`), HTML
//! parts reduced to text ([`super::markup`]). Every header and part starts on the line where
//! it starts in the message, so a finding's line is the message's line (inside a part whose
//! transfer encoding was decoded, the lines are those of the decoded text). Parts that are
//! files (an attachment, or any part that is not text, a forwarded `message/rfc822`
//! included) are handed back as attachments, to be read as the files they are.
//!
//! Header parsing, encoded words, addresses and parameters are `mailparse`'s; the MIME tree is
//! walked here, iteratively bounded in depth and parts and linear in the message, so that a
//! broken or hostile message is read as far as it goes: what could not be read is named in
//! [`Message::problems`], never a panic or a hang.

use super::markup::{self, Markup};
use mailparse::{MailHeader, ParsedContentType};

/// MIME parts nested deeper than this are scanned as raw text.
pub const MAX_DEPTH: usize = 64;
/// Parts of one message beyond this are scanned as raw text.
pub const MAX_PARTS: usize = 20_000;
/// Problems named per message at most (the rest are counted).
const MAX_PROBLEMS: usize = 5;

/// A part that is a file.
#[derive(Debug)]
pub struct Attachment {
    /// Its file name (from `Content-Disposition` or `Content-Type`), or one made from its
    /// number and type (`part 3.pdf`).
    pub name: String,
    /// Its decoded bytes.
    pub data: Vec<u8>,
}

/// What reading one message gave.
#[derive(Debug, Default)]
pub struct Message {
    /// The headers and text parts, each from the line it starts on in the message.
    pub text: String,
    /// The parts that are files, in message order.
    pub attachments: Vec<Attachment>,
    /// What could not be read as it should (broken MIME, an unknown or wrong charset).
    pub problems: Vec<String>,
    /// Problems beyond the ones named.
    pub more_problems: usize,
}

impl Message {
    fn problem(&mut self, p: String) {
        if self.problems.contains(&p) {
            return;
        }
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(p);
        } else {
            self.more_problems += 1;
        }
    }

    /// The problems in one sentence, or `None`.
    pub fn problems_text(&self) -> Option<String> {
        if self.problems.is_empty() {
            return None;
        }
        let mut s = self.problems.join("; ");
        if self.more_problems > 0 {
            s.push_str(&format!("; and {} more", self.more_problems));
        }
        Some(s)
    }
}

/// The headers whose values are written into the text. Addresses are written as
/// `Display Name <address>`.
const ADDRESS_HEADERS: &[&str] = &[
    "from",
    "to",
    "cc",
    "bcc",
    "reply-to",
    "sender",
    "return-path",
    "delivered-to",
    "x-original-to",
    "resent-from",
    "resent-to",
    "resent-cc",
    "resent-bcc",
    "resent-sender",
    "disposition-notification-to",
    "x-sender",
];
/// Headers that are identifiers, signatures or MIME structure written by machines: not
/// written into the text. Every other header is (a custom `X-Klant-BSN` included).
const MACHINE_HEADERS: &[&str] = &[
    "message-id",
    "in-reply-to",
    "references",
    "content-id",
    "resent-message-id",
    "content-type",
    "content-transfer-encoding",
    "content-disposition",
    "content-length",
    "mime-version",
    "date",
    "resent-date",
    "dkim-signature",
    "domainkey-signature",
    "arc-seal",
    "arc-message-signature",
    "x-google-dkim-signature",
    "x-gm-message-state",
    "x-google-smtp-source",
    "x-gm-gg",
    "x-gm-features",
    "thread-index",
    "x-ms-tnef-correlator",
    "x-mozilla-status",
    "x-mozilla-status2",
    "x-uid",
    "status",
];

/// Whether a header is written into the text.
fn is_text_header(key: &str) -> bool {
    !(MACHINE_HEADERS.contains(&key)
        || key.starts_with("x-ms-exchange-")
        || key.starts_with("x-microsoft-antispam")
        || key.starts_with("x-forefront-"))
}

/// Builds the text, each piece on its line of the message.
struct Lines<'m> {
    raw: &'m [u8],
    /// Line of the message at byte `at`.
    at: usize,
    line: usize,
    text: String,
    /// Lines in `text`.
    text_lines: usize,
}

impl Lines<'_> {
    /// The 0-based line of byte `offset` of the message (offsets only grow).
    fn line_of(&mut self, offset: usize) -> usize {
        let offset = offset.min(self.raw.len());
        if offset > self.at {
            self.line += memchr::memchr_iter(b'\n', &self.raw[self.at..offset]).count();
            self.at = offset;
        }
        self.line
    }

    /// Writes `piece` from the line of byte `offset` (or the next free line).
    fn put(&mut self, offset: usize, piece: &str) {
        if piece.trim().is_empty() {
            return;
        }
        let line = self.line_of(offset);
        while self.text_lines < line {
            self.text.push('\n');
            self.text_lines += 1;
        }
        self.text.push_str(piece);
        self.text_lines += piece.matches('\n').count();
        if !piece.ends_with('\n') {
            self.text.push('\n');
            self.text_lines += 1;
        }
    }
}

/// One part to read: its bytes' range in the message and its depth.
struct Pending {
    start: usize,
    end: usize,
    depth: usize,
    /// Inside a `multipart/digest`, where parts default to `message/rfc822`.
    digest: bool,
    /// Text outside any part (a multipart's epilogue): read as it is.
    text_only: bool,
}

/// Reads one message (its raw bytes, the `From ` line of an mbox excluded).
pub fn read_message(raw: &[u8]) -> Message {
    let mut msg = Message::default();
    let mut lines = Lines {
        raw,
        at: 0,
        line: 0,
        text: String::new(),
        text_lines: 0,
    };
    // Depth first, in message order: a stack of parts still to read, last first.
    let mut stack = vec![Pending {
        start: 0,
        end: raw.len(),
        depth: 0,
        digest: false,
        text_only: false,
    }];
    let mut parts = 0usize;
    while let Some(p) = stack.pop() {
        let bytes = &raw[p.start..p.end];
        if p.text_only {
            lines.put(p.start, &String::from_utf8_lossy(bytes));
            continue;
        }
        parts += 1;
        if parts > MAX_PARTS || p.depth > MAX_DEPTH {
            // Named whatever else was: the scan's promise depends on it.
            msg.problems.push(format!(
                "more than {MAX_PARTS} MIME parts or parts nested deeper than {MAX_DEPTH}: \
                 the rest was scanned as raw text"
            ));
            lines.put(p.start, &String::from_utf8_lossy(bytes));
            // The parts still queued lie after this one: raw text too.
            let end = stack
                .iter()
                .map(|q| q.end)
                .max()
                .unwrap_or(p.end)
                .max(p.end);
            lines.put(p.end, &String::from_utf8_lossy(&raw[p.end..end]));
            break;
        }
        read_part(
            raw,
            &p,
            parts,
            &mut msg,
            &mut lines,
            &mut |child: Pending| stack.push(child),
        );
    }
    msg.text = lines.text;
    msg
}

/// The headers of a part and where its body starts; broken headers end the header block.
fn headers<'a>(bytes: &'a [u8], msg: &mut Message) -> (Vec<MailHeader<'a>>, usize) {
    let mut list = Vec::new();
    let mut ix = 0;
    loop {
        match bytes.get(ix) {
            None => return (list, ix),
            Some(b'\n') => return (list, ix + 1),
            Some(b'\r') if bytes.get(ix + 1) == Some(&b'\n') => return (list, ix + 2),
            _ => {}
        }
        match mailparse::parse_header(&bytes[ix..]) {
            Ok((header, used)) if used > 0 => {
                list.push(header);
                ix += used;
            }
            _ => {
                // Not a header: the rest is the body (read as text).
                if !list.is_empty() {
                    msg.problem(
                        "a header line is broken: the rest of that part was read as its body"
                            .into(),
                    );
                }
                return (list, ix);
            }
        }
    }
}

fn first<'h, 'a>(headers: &'h [MailHeader<'a>], key: &str) -> Option<&'h MailHeader<'a>> {
    headers
        .iter()
        .find(|h| h.get_key_ref().eq_ignore_ascii_case(key))
}

/// An address header as `Name <address>, …`, or its decoded value when it does not parse.
fn addresses(header: &MailHeader<'_>) -> String {
    let flat = |v: String| v.replace(['\r', '\n'], " ");
    let Ok(list) = mailparse::addrparse_header(header) else {
        return flat(header.get_value());
    };
    let mut out: Vec<String> = Vec::new();
    let single = |s: &mailparse::SingleInfo| match &s.display_name {
        Some(name) if !name.trim().is_empty() => format!("{name} <{}>", s.addr),
        _ => s.addr.clone(),
    };
    for a in list.iter() {
        match a {
            mailparse::MailAddr::Single(s) => out.push(single(s)),
            mailparse::MailAddr::Group(g) => {
                let members: Vec<String> = g.addrs.iter().map(single).collect();
                out.push(format!("{}: {}", g.group_name, members.join(", ")));
            }
        }
    }
    if out.is_empty() {
        return flat(header.get_value());
    }
    flat(out.join(", "))
}

/// The byte offset of `header` in the message (its slice lies inside `raw`).
fn offset_in(raw: &[u8], part: &[u8]) -> usize {
    (part.as_ptr() as usize).saturating_sub(raw.as_ptr() as usize)
}

fn read_part(
    raw: &[u8],
    p: &Pending,
    number: usize,
    msg: &mut Message,
    lines: &mut Lines<'_>,
    push: &mut dyn FnMut(Pending),
) {
    let bytes = &raw[p.start..p.end];
    let (hs, body_at) = headers(bytes, msg);
    for h in &hs {
        let key = h.get_key_ref().to_ascii_lowercase();
        let value = if ADDRESS_HEADERS.contains(&key.as_str()) {
            addresses(h)
        } else if is_text_header(&key) {
            h.get_value().replace(['\r', '\n'], " ")
        } else {
            continue;
        };
        let at = offset_in(raw, h.get_key_raw());
        lines.put(at, &format!("{}: {value}", h.get_key()));
    }
    let default_type = if p.digest {
        "message/rfc822"
    } else {
        "text/plain; charset=us-ascii"
    };
    let ctype = mailparse::parse_content_type(
        &first(&hs, "content-type")
            .map(|h| h.get_value())
            .unwrap_or_else(|| default_type.into()),
    );
    let disposition = first(&hs, "content-disposition")
        .map(|h| mailparse::parse_content_disposition(&h.get_value()));
    let cte =
        first(&hs, "content-transfer-encoding").map(|h| h.get_value().trim().to_ascii_lowercase());
    let body_start = p.start + body_at.min(bytes.len());
    let body = &raw[body_start..p.end];
    let mime = ctype.mimetype.to_ascii_lowercase();

    if mime.starts_with("multipart/") {
        match ctype.params.get("boundary").filter(|b| !b.is_empty()) {
            Some(boundary) => {
                let children = split(body, boundary.as_bytes());
                if !children.closed {
                    msg.problem(
                        "a multipart's closing boundary is missing: the message may be cut short"
                            .into(),
                    );
                }
                if children.parts.is_empty() {
                    msg.problem(format!(
                        "a multipart has none of its boundaries (part {number}): read as text"
                    ));
                    lines.put(body_start, &String::from_utf8_lossy(body));
                    return;
                }
                // The preamble and epilogue are text someone may have written.
                lines.put(
                    body_start,
                    &String::from_utf8_lossy(&body[..children.preamble_end]),
                );
                // Last out of the stack: the epilogue, after the parts.
                if let Some(epilogue) = children.epilogue {
                    push(Pending {
                        start: body_start + epilogue,
                        end: p.end,
                        depth: p.depth + 1,
                        digest: false,
                        text_only: true,
                    });
                }
                let digest = mime == "multipart/digest";
                for &(s, e) in children.parts.iter().rev() {
                    push(Pending {
                        start: body_start + s,
                        end: body_start + e,
                        depth: p.depth + 1,
                        digest,
                        text_only: false,
                    });
                }
            }
            None => {
                msg.problem(format!(
                    "a multipart has no boundary parameter (part {number}): read as text"
                ));
                lines.put(body_start, &String::from_utf8_lossy(body));
            }
        }
        return;
    }

    let decoded = decode_transfer(body, cte.as_deref(), number, msg);
    let filename = disposition
        .as_ref()
        .and_then(|d| d.params.get("filename"))
        .or_else(|| ctype.params.get("name"))
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    let is_attachment = matches!(
        disposition.as_ref().map(|d| &d.disposition),
        Some(mailparse::DispositionType::Attachment)
    );
    let is_text = mime.starts_with("text/") || mime.is_empty();
    if is_text && !is_attachment && filename.is_none() {
        let text = decode_charset(&decoded, &ctype, number, msg);
        let text = if mime == "text/html" {
            markup::to_text(Markup::Html, &text)
        } else {
            text
        };
        lines.put(body_start, &text);
        return;
    }
    let name = filename.unwrap_or_else(|| format!("part {number}.{}", extension(&mime)));
    msg.attachments.push(Attachment {
        name,
        data: decoded,
    });
}

/// A file extension for a part without a name, so that it is read as what it is.
fn extension(mime: &str) -> &'static str {
    match mime {
        "message/rfc822" | "message/global" => "eml",
        "text/html" => "html",
        "text/csv" => "csv",
        "application/pdf" => "pdf",
        "application/zip" => "zip",
        "application/json" => "json",
        "application/xml" | "text/xml" => "xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "docx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => "xlsx",
        m if m.starts_with("text/") => "txt",
        _ => "bin",
    }
}

/// The body's bytes with its transfer encoding undone; what cannot be decoded is named and
/// kept as it is.
fn decode_transfer(body: &[u8], cte: Option<&str>, number: usize, msg: &mut Message) -> Vec<u8> {
    match cte {
        Some("base64") => {
            let clean: Vec<u8> = body
                .iter()
                .copied()
                .filter(|b| !b.is_ascii_whitespace())
                .collect();
            let spec = data_encoding::BASE64_MIME_PERMISSIVE;
            match spec.decode(&clean) {
                Ok(v) => v,
                Err(e) => {
                    // The part before the break, then the rest as it is.
                    msg.problem(format!(
                        "base64 broken in part {number} near byte {} of it: the rest was read undecoded",
                        e.position
                    ));
                    let good = e.position / 4 * 4;
                    let mut out = spec.decode(&clean[..good]).unwrap_or_default();
                    out.push(b'\n');
                    out.extend_from_slice(body);
                    out
                }
            }
        }
        Some("quoted-printable") => {
            quoted_printable::decode(body, quoted_printable::ParseMode::Robust)
                .unwrap_or_else(|_| body.to_vec())
        }
        Some("7bit" | "8bit" | "binary") | None => body.to_vec(),
        Some(other) => {
            msg.problem(format!(
                "part {number} has the unknown transfer encoding {:?}: read as it is",
                crate::source::container::clean_name(other)
            ));
            body.to_vec()
        }
    }
}

/// Decodes a text part to UTF-8 by its charset. A charset that is unknown, or that the bytes
/// do not fit (a "UTF-8" body with Latin-1 bytes), is named and the bytes are read as
/// UTF-8 where they are, Windows-1252 otherwise.
fn decode_charset(
    bytes: &[u8],
    ctype: &ParsedContentType,
    number: usize,
    msg: &mut Message,
) -> String {
    let label = ctype.charset.trim();
    let fallback = |bytes: &[u8]| match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    };
    let ascii_label = label.is_empty()
        || label.eq_ignore_ascii_case("us-ascii")
        || label.eq_ignore_ascii_case("ascii");
    if ascii_label {
        // Undeclared 8-bit text is common and no error of the reader's.
        return fallback(bytes);
    }
    match encoding_rs::Encoding::for_label(label.as_bytes()) {
        Some(enc) => {
            let (text, had_errors) = enc.decode_without_bom_handling(bytes);
            if had_errors {
                msg.problem(format!(
                    "part {number} is not valid {}, the charset it declares: read as UTF-8 or Windows-1252",
                    enc.name()
                ));
                fallback(bytes)
            } else {
                text.into_owned()
            }
        }
        None => {
            msg.problem(format!(
                "part {number} declares the unknown charset {:?}: read as UTF-8 or Windows-1252",
                crate::source::container::clean_name(label)
            ));
            fallback(bytes)
        }
    }
}

/// The parts of a multipart body, as ranges of it.
struct Split {
    parts: Vec<(usize, usize)>,
    /// The closing delimiter was found.
    closed: bool,
    /// Where the epilogue starts (after the closing delimiter's line).
    epilogue: Option<usize>,
    /// Where the preamble ends (at the first delimiter).
    preamble_end: usize,
}

/// Splits a multipart body at its delimiter lines (`--boundary`, `--boundary--`), in one pass.
fn split(body: &[u8], boundary: &[u8]) -> Split {
    let mut delim = Vec::with_capacity(boundary.len() + 3);
    delim.extend_from_slice(b"\n--");
    delim.extend_from_slice(boundary);
    let finder = memchr::memmem::Finder::new(&delim);
    // Delimiter lines: (start of the line break before it, end of its line, closing).
    let mut found: Vec<(usize, usize, bool)> = Vec::new();
    let mut candidates: Vec<usize> = Vec::new();
    if body.starts_with(&delim[1..]) {
        candidates.push(0);
    }
    candidates.extend(finder.find_iter(body).map(|i| i + 1));
    for line_start in candidates {
        // After `--boundary`: `--` closes; only white space may follow on the line.
        let after = line_start + delim.len() - 1;
        let closing = body[after..].starts_with(b"--");
        let tail = after + if closing { 2 } else { 0 };
        let line_end = memchr::memchr(b'\n', &body[tail..]).map_or(body.len(), |i| tail + i + 1);
        if !body[tail..line_end].iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        // The line break before the delimiter belongs to it.
        let mut before = line_start.saturating_sub(1);
        if before > 0 && body.get(before - 1) == Some(&b'\r') {
            before -= 1;
        }
        if line_start == 0 {
            before = 0;
        }
        found.push((before, line_end, closing));
        if closing {
            break;
        }
    }
    let mut parts = Vec::new();
    let mut closed = false;
    let mut epilogue = None;
    for (i, &(_, end, closing)) in found.iter().enumerate() {
        if closing {
            closed = true;
            epilogue = (end < body.len()).then_some(end);
            break;
        }
        let next = found.get(i + 1).map_or(body.len(), |&(b, _, _)| b);
        parts.push((end, next.max(end)));
    }
    Split {
        parts,
        closed,
        epilogue,
        preamble_end: found.first().map_or(0, |f| f.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_with_names_and_encoded_words_on_their_lines() {
        let raw = b"Return-Path: <x@example.nl>\r\nFrom: \"Jansen, Jan\" <jan@example.nl>\r\n\
            To: =?ISO-8859-1?Q?Ren=E9e_M=FCller?= <renee@example.nl>,\r\n piet@example.nl\r\n\
            Message-ID: <abc@host>\r\nSubject: =?UTF-8?B?QlNOIDExMTIyMjMzMw==?=\r\n\r\nHallo\r\n";
        let m = read_message(raw);
        let lines: Vec<&str> = m.text.lines().collect();
        assert_eq!(lines[1], "From: Jansen, Jan <jan@example.nl>", "{lines:?}");
        assert_eq!(
            lines[2],
            "To: Renée Müller <renee@example.nl>, piet@example.nl"
        );
        assert_eq!(lines[3], "", "the folded line stays a line");
        assert!(!m.text.contains("abc@host"), "Message-ID is no person");
        let m = read_message(b"X-Klant-BSN: 111222333\nDate: Mon, 6 Jan 2025\n\n");
        assert_eq!(
            m.text, "X-Klant-BSN: 111222333\n",
            "every header but machine ones"
        );
        assert_eq!(lines[5], "Subject: BSN 111222333");
        assert_eq!(lines[7], "Hallo");
        assert!(m.problems.is_empty(), "{:?}", m.problems);
    }

    #[test]
    fn multipart_alternative_qp_base64_latin1_and_attachments() {
        let raw = "From: a@example.nl\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"XX\"\n\n\
            preamble\n--XX\nContent-Type: multipart/alternative; boundary=YY\n\n\
            --YY\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\n\
            Caf=E9 sj=\nef\n--YY\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: base64\n\n\
            PHA+amFuQGV4YW1wbGUubmw8L3A+\n--YY--\n\
            --XX\nContent-Type: text/csv; name=\"klanten.csv\"\nContent-Disposition: attachment; filename=\"klanten.csv\"\n\n\
            naam,email\nJan,jan@example.nl\n--XX\nContent-Type: application/pdf\n\n%PDF-1.4\n--XX--\nepilogue\n";
        let m = read_message(raw.as_bytes());
        assert!(m.text.contains("Café sjef"), "{:?}", m.text);
        assert!(
            m.text.contains("jan@example.nl") && !m.text.contains("<p>"),
            "{:?}",
            m.text
        );
        assert!(
            m.text.contains("preamble") && m.text.contains("epilogue"),
            "{:?}",
            m.text
        );
        assert_eq!(m.attachments.len(), 2);
        assert_eq!(m.attachments[0].name, "klanten.csv");
        assert_eq!(m.attachments[0].data, b"naam,email\nJan,jan@example.nl");
        assert!(
            m.attachments[1].name.ends_with(".pdf"),
            "{}",
            m.attachments[1].name
        );
        assert!(m.problems.is_empty(), "{:?}", m.problems);
        // The QP part starts on its line of the message.
        let cafe = raw.lines().position(|l| l.starts_with("Caf=E9")).unwrap();
        assert_eq!(
            m.text.lines().position(|l| l.contains("Café")),
            Some(cafe),
            "{:?}",
            m.text
        );
    }

    #[test]
    fn broken_mail_is_read_as_far_as_it_goes_and_named() {
        // A wrong charset, an unknown charset, a missing closing boundary, broken base64.
        let raw = b"Content-Type: multipart/mixed; boundary=B\n\n--B\n\
            Content-Type: text/plain; charset=utf-8\n\nM\xFCller\n--B\n\
            Content-Type: text/plain; charset=x-nonsense\n\nJansen\n--B\n\
            Content-Transfer-Encoding: base64\n\namFu!!!!QGV4\n";
        let m = read_message(raw);
        let p = m.problems.join("; ");
        assert!(p.contains("not valid UTF-8"), "{p}");
        assert!(p.contains("unknown charset"), "{p}");
        assert!(p.contains("closing boundary"), "{p}");
        assert!(p.contains("base64 broken"), "{p}");
        assert!(
            m.text.contains("Müller") && m.text.contains("Jansen"),
            "{:?}",
            m.text
        );
        // No boundary at all.
        let m = read_message(b"Content-Type: multipart/mixed\n\nJan Jansen\n");
        assert!(m.problems_text().unwrap().contains("no boundary"));
        assert!(m.text.contains("Jan Jansen"));
    }

    #[test]
    fn ten_thousand_nested_or_sibling_parts_are_fast() {
        let mut deep = String::new();
        for i in 0..10_000 {
            deep.push_str(&format!(
                "Content-Type: multipart/mixed; boundary=b{i}\n\n--b{i}\n"
            ));
        }
        deep.push_str("\njan@example.nl\n");
        let start = std::time::Instant::now();
        let m = read_message(deep.as_bytes());
        assert!(
            m.text.contains("jan@example.nl"),
            "the innermost text is still read"
        );
        assert!(m.problems_text().unwrap().contains("nested deeper"));
        let mut wide = String::from("Content-Type: multipart/mixed; boundary=w\n\n");
        for i in 0..10_000 {
            wide.push_str(&format!("--w\nContent-Type: text/plain\n\nline {i}\n"));
        }
        wide.push_str("--w--\n");
        let m = read_message(wide.as_bytes());
        assert!(m.text.contains("line 9999") && m.problems.is_empty());
        assert!(start.elapsed().as_secs() < 5, "{:?}", start.elapsed());
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_never_panic(data in proptest::collection::vec(proptest::sample::select(
            b"--B\r\n: =?Content-Type multipart/mixed; boundary=B base64 quoted-printable ==41\xff".to_vec()), 0..600)) {
            let _ = read_message(&data);
        }
    }
}
