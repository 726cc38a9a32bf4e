//! Outlook messages (`.msg`, MS-OXMSG): an OLE compound file read with the `cfb` crate, its
//! properties turned into the same [`Message`] an e-mail gives. The text holds the sender and
//! recipients as `Display Name <address>` (From, To, Cc, Bcc from the recipient table),
//! the Subject, the internet headers the message arrived with (where kept), the plain body and
//! the HTML body reduced to text. Attachments are handed back as files by their long file
//! name; an attached Outlook message is read in turn, its text after the message's own and its
//! attachments named `attached message NAME/FILE`. Lines are those of that text.

use super::mail::{Attachment, Message};
use super::markup::{self, Markup};
use std::io::{self, Read, Seek};
use std::path::{Path, PathBuf};

/// Bytes of one property stream read at most (the rest is not read, and that is said).
const MAX_STREAM: u64 = 256 << 20;
/// Attached messages inside attached messages read at most.
const MAX_NESTING: usize = 8;

// Property ids (MS-OXPROPS).
const SUBJECT: u16 = 0x0037;
const TRANSPORT_HEADERS: u16 = 0x007D;
const SENT_REPRESENTING_NAME: u16 = 0x0042;
const SENT_REPRESENTING_EMAIL: u16 = 0x0065;
const SENDER_NAME: u16 = 0x0C1A;
const SENDER_EMAIL: u16 = 0x0C1F;
const SENDER_SMTP: u16 = 0x5D01;
const BODY: u16 = 0x1000;
const BODY_HTML: u16 = 0x1013;
const DISPLAY_NAME: u16 = 0x3001;
const EMAIL_ADDRESS: u16 = 0x3003;
const SMTP_ADDRESS: u16 = 0x39FE;
const RECIPIENT_TYPE: u16 = 0x0C15;
const ATTACH_DATA: u16 = 0x3701;
const ATTACH_FILENAME: u16 = 0x3704;
const ATTACH_LONG_FILENAME: u16 = 0x3707;

struct Reader<F> {
    cf: cfb::CompoundFile<F>,
    msg: Message,
}

fn stream_name(id: u16, kind: &str) -> String {
    format!("__substg1.0_{id:04X}{kind}")
}

impl<F: Read + Seek> Reader<F> {
    fn bytes(&mut self, path: &Path) -> Option<Vec<u8>> {
        if !self.cf.is_stream(path) {
            return None;
        }
        let mut out = Vec::new();
        let read = self
            .cf
            .open_stream(path)
            .and_then(|s| s.take(MAX_STREAM + 1).read_to_end(&mut out));
        if let Err(e) = read {
            self.msg
                .problems
                .push(format!("the stream {} is broken: {e}", path.display()));
        }
        if out.len() as u64 > MAX_STREAM {
            out.truncate(MAX_STREAM as usize);
            self.msg.problems.push(format!(
                "the stream {} is larger than {} MiB: the rest was not read",
                path.display(),
                MAX_STREAM >> 20
            ));
        }
        Some(out)
    }

    /// A string property (UTF-16, or 8-bit read as Windows-1252), or a binary one as text.
    fn string(&mut self, base: &Path, id: u16) -> Option<String> {
        if let Some(b) = self.bytes(&base.join(stream_name(id, "001F"))) {
            let (text, _) = encoding_rs::UTF_16LE.decode_without_bom_handling(&b);
            return Some(text.trim_end_matches('\0').to_string());
        }
        for kind in ["001E", "0102"] {
            if let Some(b) = self.bytes(&base.join(stream_name(id, kind))) {
                let text = match std::str::from_utf8(&b) {
                    Ok(s) => s.to_string(),
                    Err(_) => encoding_rs::WINDOWS_1252
                        .decode_without_bom_handling(&b)
                        .0
                        .into_owned(),
                };
                return Some(text.trim_end_matches('\0').to_string());
            }
        }
        None
    }

    /// A 32-bit property from the fixed-size entries of a `__properties_version1.0` stream.
    fn int(&mut self, base: &Path, id: u16, header: usize) -> Option<u32> {
        let b = self.bytes(&base.join("__properties_version1.0"))?;
        b.get(header..)?.chunks_exact(16).find_map(|e| {
            let tag = u32::from_le_bytes(e[0..4].try_into().ok()?);
            (tag >> 16 == u32::from(id))
                .then(|| u32::from_le_bytes(e[8..12].try_into().unwrap_or_default()))
        })
    }

    fn children(&mut self, base: &Path, prefix: &str) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = match self.cf.read_storage(base) {
            Ok(entries) => entries
                .filter(|e| e.is_storage() && e.name().starts_with(prefix))
                .map(|e| e.path().to_path_buf())
                .collect(),
            Err(_) => Vec::new(),
        };
        out.sort();
        out
    }

    fn put(&mut self, line: String) {
        let line = line.replace(['\r', '\n'], " ");
        if !line.trim().is_empty() {
            self.msg.text.push_str(&line);
            self.msg.text.push('\n');
        }
    }

    fn message(&mut self, base: &Path, label: &str, depth: usize) {
        let name = self
            .string(base, SENT_REPRESENTING_NAME)
            .or_else(|| self.string(base, SENDER_NAME));
        let addr = self
            .string(base, SENDER_SMTP)
            .or_else(|| self.string(base, SENT_REPRESENTING_EMAIL))
            .or_else(|| self.string(base, SENDER_EMAIL));
        match (name, addr) {
            (Some(n), Some(a)) if n != a => self.put(format!("From: {n} <{a}>")),
            (Some(x), _) | (None, Some(x)) => self.put(format!("From: {x}")),
            (None, None) => {}
        }
        for recip in self.children(base, "__recip_version1.0_#") {
            let kind = match self.int(&recip, RECIPIENT_TYPE, 8) {
                Some(2) => "Cc",
                Some(3) => "Bcc",
                _ => "To",
            };
            let name = self.string(&recip, DISPLAY_NAME);
            let addr = self
                .string(&recip, SMTP_ADDRESS)
                .or_else(|| self.string(&recip, EMAIL_ADDRESS));
            match (name, addr) {
                (Some(n), Some(a)) if n != a => self.put(format!("{kind}: {n} <{a}>")),
                (Some(x), _) | (None, Some(x)) => self.put(format!("{kind}: {x}")),
                (None, None) => {}
            }
        }
        if let Some(s) = self.string(base, SUBJECT) {
            self.put(format!("Subject: {s}"));
        }
        if let Some(h) = self.string(base, TRANSPORT_HEADERS) {
            // The internet headers as they arrived: read like a mail's.
            let m = super::mail::read_message(format!("{}\n\n", h.trim_end()).as_bytes());
            self.msg.text.push_str(&m.text);
        }
        if let Some(body) = self.string(base, BODY) {
            self.msg.text.push_str(&body.replace("\r\n", "\n"));
            self.msg.text.push('\n');
        }
        if let Some(html) = self.string(base, BODY_HTML) {
            self.msg
                .text
                .push_str(&markup::to_text(Markup::Html, &html));
            self.msg.text.push('\n');
        }
        for att in self.children(base, "__attach_version1.0_#") {
            let file = self
                .string(&att, ATTACH_LONG_FILENAME)
                .or_else(|| self.string(&att, ATTACH_FILENAME))
                .or_else(|| self.string(&att, DISPLAY_NAME))
                .map(|n| n.trim().to_string())
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| {
                    format!(
                        "attachment {}",
                        att.file_name().map_or(String::new(), |n| n
                            .to_string_lossy()
                            .trim_start_matches("__attach_version1.0_#")
                            .to_string())
                    )
                });
            let name = format!("{label}{file}");
            let embedded = att.join(stream_name(ATTACH_DATA, "000D"));
            if self.cf.is_storage(&embedded) {
                if depth + 1 >= MAX_NESTING {
                    self.msg.problems.push(format!(
                        "messages attached inside {MAX_NESTING} levels of messages: {name} was not read"
                    ));
                    continue;
                }
                self.put(format!("Attached message: {file}"));
                self.message(&embedded, &format!("{name}/"), depth + 1);
                continue;
            }
            match self.bytes(&att.join(stream_name(ATTACH_DATA, "0102"))) {
                Some(data) => self.msg.attachments.push(Attachment { name, data }),
                None => self.msg.problems.push(format!(
                    "the attachment {name} is neither a file nor a message (an OLE object or a link): not read"
                )),
            }
        }
    }
}

/// Reads an Outlook message.
///
/// # Errors
/// The file is not a readable compound file.
pub fn read<F: Read + Seek>(file: F) -> io::Result<Message> {
    let cf = cfb::CompoundFile::open(file)?;
    let mut r = Reader {
        cf,
        msg: Message::default(),
    };
    if !r.cf.is_stream("/__properties_version1.0") {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "a compound file without the properties of an Outlook message",
        ));
    }
    r.message(Path::new("/"), "", 0);
    Ok(r.msg)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::{Cursor, Write};

    fn utf16(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    fn put(cf: &mut cfb::CompoundFile<Cursor<Vec<u8>>>, path: &str, data: &[u8]) {
        cf.create_stream(path).unwrap().write_all(data).unwrap();
    }

    /// An Outlook message built to MS-OXMSG with `cfb`'s writer (no tool here writes .msg).
    pub(crate) fn sample() -> Vec<u8> {
        let mut cf = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
        put(&mut cf, "/__properties_version1.0", &[0u8; 32]);
        put(&mut cf, "/__substg1.0_0C1A001F", &utf16("Renée Müller"));
        put(
            &mut cf,
            "/__substg1.0_5D01001F",
            &utf16("renee.muller@example.nl"),
        );
        put(&mut cf, "/__substg1.0_0037001F", &utf16("BSN 111222333"));
        put(
            &mut cf,
            "/__substg1.0_1000001F",
            &utf16("Rekening NL91ABNA0417164300\r\nGroet"),
        );
        put(
            &mut cf,
            "/__substg1.0_1013001F",
            &utf16("<p>Bel +31 6 12345678</p>"),
        );
        cf.create_storage("/__recip_version1.0_#00000000").unwrap();
        let mut props = vec![0u8; 8];
        props.extend_from_slice(&(0x0C15_0003u32).to_le_bytes());
        props.extend_from_slice(&[0, 0, 0, 0]);
        props.extend_from_slice(&2u32.to_le_bytes());
        props.extend_from_slice(&[0, 0, 0, 0]);
        put(
            &mut cf,
            "/__recip_version1.0_#00000000/__properties_version1.0",
            &props,
        );
        put(
            &mut cf,
            "/__recip_version1.0_#00000000/__substg1.0_3001001F",
            &utf16("Kees Smit"),
        );
        put(
            &mut cf,
            "/__recip_version1.0_#00000000/__substg1.0_39FE001F",
            &utf16("kees.smit@example.nl"),
        );
        cf.create_storage("/__attach_version1.0_#00000000").unwrap();
        put(
            &mut cf,
            "/__attach_version1.0_#00000000/__substg1.0_3707001F",
            &utf16("klanten.csv"),
        );
        put(
            &mut cf,
            "/__attach_version1.0_#00000000/__substg1.0_37010102",
            b"naam,email\nSanne Bakker,sanne.bakker@example.nl\n",
        );
        cf.create_storage("/__attach_version1.0_#00000001").unwrap();
        put(
            &mut cf,
            "/__attach_version1.0_#00000001/__substg1.0_3707001F",
            &utf16("fw.msg"),
        );
        let inner = "/__attach_version1.0_#00000001/__substg1.0_3701000D";
        cf.create_storage(inner).unwrap();
        put(
            &mut cf,
            &format!("{inner}/__properties_version1.0"),
            &[0u8; 24],
        );
        put(
            &mut cf,
            &format!("{inner}/__substg1.0_1000001F"),
            &utf16("doorgestuurd: piet@example.nl"),
        );
        cf.create_storage(format!("{inner}/__attach_version1.0_#00000000"))
            .unwrap();
        put(
            &mut cf,
            &format!("{inner}/__attach_version1.0_#00000000/__substg1.0_3707001F"),
            &utf16("a.txt"),
        );
        put(
            &mut cf,
            &format!("{inner}/__attach_version1.0_#00000000/__substg1.0_37010102"),
            b"jan@example.nl\n",
        );
        cf.flush().unwrap();
        cf.into_inner().into_inner()
    }

    #[test]
    fn sender_recipients_bodies_and_attachments() {
        let m = read(Cursor::new(sample())).unwrap();
        let t = &m.text;
        assert!(
            t.contains("From: Renée Müller <renee.muller@example.nl>\n"),
            "{t}"
        );
        assert!(t.contains("Cc: Kees Smit <kees.smit@example.nl>\n"), "{t}");
        assert!(t.contains("Subject: BSN 111222333\n"), "{t}");
        assert!(t.contains("Rekening NL91ABNA0417164300\nGroet"), "{t}");
        assert!(
            t.contains("Bel +31 6 12345678") && !t.contains("<p>"),
            "{t}"
        );
        assert!(t.contains("doorgestuurd: piet@example.nl"), "{t}");
        let names: Vec<&str> = m.attachments.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["klanten.csv", "fw.msg/a.txt"]);
        assert!(m.problems.is_empty(), "{:?}", m.problems);
    }

    #[test]
    fn broken_files_are_errors_not_panics() {
        let good = sample();
        assert!(read(Cursor::new(
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 not really".to_vec()
        ))
        .is_err());
        for cut in [0, 100, 512, 1000, good.len() / 2, good.len() - 1] {
            let _ = read(Cursor::new(good[..cut].to_vec()));
        }
        let mut flipped = good.clone();
        for i in (0..flipped.len()).step_by(97) {
            flipped[i] ^= 0x5A;
            let _ = read(Cursor::new(flipped.clone()));
        }
    }
}
