//! The format decision for compressed streams, archives and documents, in one place: which
//! compression a stream has (from its magic bytes), what name the file inside it has, and
//! whether an input is a container whose members or text are read by
//! [`crate::source::container`]. Tables (CSV, dumps, SQLite, workbooks, Parquet) are decided
//! by [`crate::source::table::detect`], which looks through the compression suffixes named here.

use std::io::{self, BufRead, Read};

/// The URL of a live database, when an input given names one (`postgres://…`,
/// `postgresql://…`, `mysql://…`, `mariadb://…`) rather than a file: the one place that
/// decides it.
pub fn database_url(input: &std::path::Path) -> Option<&str> {
    input
        .to_str()
        .filter(|s| crate::source::database::is_database_url(s))
}

/// A compression of a whole stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    /// gzip (`.gz`, `.tgz`), concatenated members included.
    Gzip,
    /// bzip2 (`.bz2`, `.tbz2`).
    Bzip2,
    /// xz (`.xz`, `.txz`).
    Xz,
    /// Zstandard (`.zst`, `.tzst`).
    Zstd,
}

impl Codec {
    /// The codec's name, as messages show it.
    pub fn name(self) -> &'static str {
        match self {
            Codec::Gzip => "gzip",
            Codec::Bzip2 => "bzip2",
            Codec::Xz => "xz",
            Codec::Zstd => "zstd",
        }
    }
}

/// How many leading bytes [`codec`] needs.
pub const MAGIC_LEN: usize = 6;

/// The compression of a stream, told by its first bytes (never by its name alone: a file
/// called `.gz` that is not gzip is read as it is).
pub fn codec(head: &[u8]) -> Option<Codec> {
    if head.starts_with(&[0x1F, 0x8B]) {
        Some(Codec::Gzip)
    } else if head.len() >= 4 && head.starts_with(b"BZh") && (b'1'..=b'9').contains(&head[3]) {
        Some(Codec::Bzip2)
    } else if head.starts_with(&[0xFD, b'7', b'z', b'X', b'Z', 0x00]) {
        Some(Codec::Xz)
    } else if head.starts_with(&[0x28, 0xB5, 0x2F, 0xFD]) {
        Some(Codec::Zstd)
    } else {
        None
    }
}

/// A decompressing reader over `raw` (a reader that can move between threads).
pub fn decompress(codec: Codec, raw: Box<dyn Read + Send>) -> Box<dyn Read + Send> {
    let buffered = io::BufReader::with_capacity(256 * 1024, raw);
    match codec {
        Codec::Gzip => Box::new(flate2::read::MultiGzDecoder::new(buffered)),
        Codec::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(buffered)),
        Codec::Xz => Box::new(liblzma::read::XzDecoder::new_multi_decoder(buffered)),
        Codec::Zstd => Box::new(ZstdReader::new(buffered)),
    }
}

/// A decompressing reader over `raw`, for a stream that stays on its thread.
pub fn decompress_local<'a>(codec: Codec, raw: Box<dyn Read + 'a>) -> Box<dyn Read + 'a> {
    let buffered = io::BufReader::with_capacity(256 * 1024, raw);
    match codec {
        Codec::Gzip => Box::new(flate2::read::MultiGzDecoder::new(buffered)),
        Codec::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(buffered)),
        Codec::Xz => Box::new(liblzma::read::XzDecoder::new_multi_decoder(buffered)),
        Codec::Zstd => Box::new(ZstdReader::new(buffered)),
    }
}

/// Zstandard through ruzstd, frame after frame; its errors as `InvalidData`. The first
/// frame's header is read at the first `read`.
struct ZstdReader<R: BufRead> {
    source: Option<R>,
    current: Option<ruzstd::decoding::StreamingDecoder<R, ruzstd::decoding::FrameDecoder>>,
}

impl<R: BufRead> ZstdReader<R> {
    fn new(source: R) -> Self {
        ZstdReader {
            source: Some(source),
            current: None,
        }
    }
}

fn zstd_error(e: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("zstd data broken: {e}"))
}

impl<R: BufRead> Read for ZstdReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if let Some(dec) = self.current.as_mut() {
                let n = dec.read(buf)?;
                if n > 0 || buf.is_empty() {
                    return Ok(n);
                }
                let Some(dec) = self.current.take() else {
                    return Ok(0);
                };
                let (mut src, frame) = dec.into_parts();
                if src.fill_buf()?.is_empty() {
                    return Ok(0);
                }
                self.current = Some(
                    ruzstd::decoding::StreamingDecoder::new_with_decoder(src, frame)
                        .map_err(zstd_error)?,
                );
                continue;
            }
            let Some(mut src) = self.source.take() else {
                return Ok(0);
            };
            if src.fill_buf()?.is_empty() {
                return Ok(0);
            }
            self.current = Some(ruzstd::decoding::StreamingDecoder::new(src).map_err(zstd_error)?);
        }
    }
}

/// The name a compressed file's content has: `a.csv.gz` → `a.csv`, `b.tgz` → `b.tar`.
pub fn inner_name(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    for (suffix, replacement) in [
        (".tgz", ".tar"),
        (".tbz2", ".tar"),
        (".tbz", ".tar"),
        (".txz", ".tar"),
        (".tzst", ".tar"),
    ] {
        if lower.ends_with(suffix) {
            return format!("{}{replacement}", &name[..name.len() - suffix.len()]);
        }
    }
    for suffix in [".gz", ".bz2", ".xz", ".zst"] {
        if lower.ends_with(suffix) {
            return name[..name.len() - suffix.len()].to_string();
        }
    }
    name.to_string()
}

/// Whether the text read from the file at `path` is not its bytes: it is compressed (by its
/// magic bytes, or a `.gz` name as [`crate::source::open::open_path`] reads it) or a document
/// whose text is extracted. A short read of such a file says nothing about the file changing.
pub fn text_is_not_bytes(path: &std::path::Path) -> bool {
    let gz = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    gz || std::fs::File::open(path)
        .and_then(|f| {
            let limit = crate::source::sniff::SNIFF_LEN;
            crate::source::open::read_up_to(&mut f.take(limit as u64), limit)
        })
        .is_ok_and(|head| codec(&head).is_some() || container(&name, &head).is_some())
}

/// Whether a name ends in a compression suffix [`inner_name`] looks through.
pub fn has_codec_suffix(name: &str) -> bool {
    inner_name(name) != name
}

/// A document whose text is read (its parts joined, markup removed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document {
    /// Word (`.docx`, `.docm`, `.dotx`).
    Docx,
    /// PowerPoint (`.pptx`, `.pptm`, `.potx`).
    Pptx,
    /// OpenDocument text or presentation (`.odt`, `.ott`, `.odp`, `.otp`).
    OpenDocument,
}

/// An input whose content is not one stream of text or one table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// A ZIP archive (also JAR, WAR, APK, EPUB and other ZIP-based files that are no
    /// document piiscan reads as text): its members are read as files.
    Zip,
    /// A tar archive (after any compression): its members are read as files.
    Tar,
    /// A 7z archive: its members are read as files, block by block.
    SevenZ,
    /// An office document read as text.
    Document(Document),
    /// An e-mail message (`.eml`): headers and bodies as text, attachments as files.
    Mail,
    /// A mailbox (mbox): its messages, each read as [`Container::Mail`].
    Mbox,
    /// An Outlook message (`.msg`, an OLE compound file): read like a mail.
    Msg,
    /// HTML or XML read as text, tags removed.
    Markup(crate::source::container::markup::Markup),
    /// A PDF: the text of its pages and its metadata.
    Pdf,
    /// An image (PNG, JPEG, TIFF): read by OCR with `--ocr`, else skipped as an image.
    Image,
    /// A format piiscan does not read: the input is named as not scanned, with this reason.
    Unreadable(&'static str),
}

fn lower_ext(name: &str) -> String {
    name.rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default()
}

/// Whether `head` starts like a ZIP archive (a local file header, or the end record of an
/// empty archive).
pub fn is_zip(head: &[u8]) -> bool {
    head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06")
}

/// Whether `head` is a POSIX or GNU tar header (`ustar` magic at byte 257).
pub fn is_tar(head: &[u8]) -> bool {
    head.get(257..262) == Some(b"ustar")
}

/// Whether `head` is a PDF: `%PDF-` within its first 1024 bytes, where readers accept it.
pub fn is_pdf(head: &[u8]) -> bool {
    memchr::memmem::find(&head[..head.len().min(1024)], b"%PDF-").is_some()
}

/// Whether `head` is a PNG, JPEG or TIFF image (what `--ocr` reads).
pub fn is_image(head: &[u8]) -> bool {
    head.starts_with(b"\x89PNG\r\n\x1a\n")
        || head.starts_with(&[0xFF, 0xD8, 0xFF])
        || head.starts_with(b"II*\0")
        || head.starts_with(b"MM\0*")
}

/// Whether `head` is an OLE compound file (legacy `.doc`, `.xls`, `.ppt`, `.msg`).
fn is_ole(head: &[u8]) -> bool {
    head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
}

/// What container an input is, from its (decompressed) first block and its name, or `None`
/// for everything else. Workbooks (`.xlsx`, `.ods`, `.xls`) are tables and are decided by
/// [`crate::source::table::detect`] before this is asked.
pub fn container(name: &str, head: &[u8]) -> Option<Container> {
    let ext = lower_ext(name);
    if is_zip(head) {
        return Some(match ext.as_str() {
            "docx" | "docm" | "dotx" | "dotm" => Container::Document(Document::Docx),
            "pptx" | "pptm" | "potx" | "ppsx" => Container::Document(Document::Pptx),
            "odt" | "ott" | "odp" | "otp" => Container::Document(Document::OpenDocument),
            _ => Container::Zip,
        });
    }
    if is_tar(head) {
        return Some(Container::Tar);
    }
    if is_pdf(head) {
        return Some(Container::Pdf);
    }
    if is_image(head) {
        return Some(Container::Image);
    }
    if is_ole(head) {
        if ext == "msg" {
            return Some(Container::Msg);
        }
        return Some(Container::Unreadable(match ext.as_str() {
            "doc" | "dot" => "a legacy Word document (.doc): no maintained reader; not scanned (save it as .docx)",
            "ppt" | "pps" => "a legacy PowerPoint file (.ppt): no maintained reader; not scanned (save it as .pptx)",
            _ => "an OLE compound file (legacy Office format): not read; not scanned",
        }));
    }
    if let Some(kind) = mail_or_markup(&ext, head) {
        return Some(kind);
    }
    if head.starts_with(b"7z\xBC\xAF\x27\x1C") {
        return Some(Container::SevenZ);
    }
    if head.starts_with(b"Rar!\x1A\x07") {
        return Some(Container::Unreadable(
            "a RAR archive: not read; not scanned (repack it as .zip or .tar)",
        ));
    }
    None
}

/// Whether `line` is a header line (`Name: value`, the name printable ASCII without spaces).
fn is_header_line(line: &[u8]) -> bool {
    let Some(colon) = memchr::memchr(b':', line) else {
        return false;
    };
    colon > 0 && line[..colon].iter().all(|&b| b.is_ascii_graphic())
}

/// The first bytes of a text past a byte order mark, white space and (UTF-16) NUL bytes.
fn first_bytes(head: &[u8]) -> Vec<u8> {
    let start = head
        .strip_prefix(b"\xEF\xBB\xBF")
        .or_else(|| head.strip_prefix(b"\xFF\xFE"))
        .or_else(|| head.strip_prefix(b"\xFE\xFF"))
        .unwrap_or(head);
    start
        .iter()
        .copied()
        .filter(|&b| b != 0)
        .skip_while(u8::is_ascii_whitespace)
        .take(16)
        .map(|b| b.to_ascii_lowercase())
        .collect()
}

/// Mail (by name and a header block; an mbox also by its `From ` line and a header after it)
/// and markup (by name and a `<`, or by a doctype, `<html` or `<?xml`).
fn mail_or_markup(ext: &str, head: &[u8]) -> Option<Container> {
    use crate::source::container::markup::Markup;
    let mut lines = head.split(|&b| b == b'\n');
    let first = lines.next().unwrap_or_default();
    if first.starts_with(b"From ") {
        let second_is_header = lines.next().is_some_and(is_header_line);
        if second_is_header || matches!(ext, "mbox" | "mbx") {
            return Some(Container::Mbox);
        }
    }
    if matches!(ext, "eml" | "mht" | "mhtml") && is_header_line(first) {
        return Some(Container::Mail);
    }
    let start = first_bytes(head);
    if start.starts_with(b"<!doctype html") || start.starts_with(b"<html") {
        return Some(Container::Markup(Markup::Html));
    }
    if start.starts_with(b"<") {
        if matches!(ext, "html" | "htm" | "xhtml" | "shtml") {
            return Some(Container::Markup(Markup::Html));
        }
        if start.starts_with(b"<?xml")
            || matches!(
                ext,
                "xml"
                    | "svg"
                    | "xsd"
                    | "xsl"
                    | "rss"
                    | "atom"
                    | "plist"
                    | "xlf"
                    | "xliff"
                    | "kml"
                    | "gpx"
                    | "xmi"
                    | "resx"
            )
        {
            return Some(Container::Markup(Markup::Xml));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codecs_are_told_by_magic_and_names_looked_through() {
        assert_eq!(codec(b"\x1F\x8B\x08\0"), Some(Codec::Gzip));
        assert_eq!(codec(b"BZh91AY&SY"), Some(Codec::Bzip2));
        assert_eq!(codec(b"\xFD7zXZ\0\0"), Some(Codec::Xz));
        assert_eq!(codec(b"\x28\xB5\x2F\xFD\0"), Some(Codec::Zstd));
        assert_eq!(codec(b"BZh"), None);
        assert_eq!(codec(b"name,email"), None);
        assert_eq!(inner_name("a.csv.gz"), "a.csv");
        assert_eq!(inner_name("A.CSV.BZ2"), "A.CSV");
        assert_eq!(inner_name("b.tgz"), "b.tar");
        assert_eq!(inner_name("c.tar.zst"), "c.tar");
        assert_eq!(inner_name("d.txz"), "d.tar");
        assert_eq!(inner_name("plain.log"), "plain.log");
        assert!(has_codec_suffix("x.xz") && !has_codec_suffix("x.txt"));
    }

    #[test]
    fn containers_are_told_by_content_then_name() {
        assert_eq!(container("a.zip", b"PK\x03\x04"), Some(Container::Zip));
        assert_eq!(container("app.jar", b"PK\x03\x04"), Some(Container::Zip));
        assert_eq!(
            container("cv.DOCX", b"PK\x03\x04"),
            Some(Container::Document(Document::Docx))
        );
        assert_eq!(
            container("deck.odp", b"PK\x03\x04"),
            Some(Container::Document(Document::OpenDocument))
        );
        // A name alone makes nothing a container.
        assert_eq!(container("cv.docx", b"plain text"), None);
        let mut tar = vec![0u8; 512];
        tar[257..262].copy_from_slice(b"ustar");
        assert_eq!(container("x", &tar), Some(Container::Tar));
        assert_eq!(
            container("inbox", b"From a@b Mon Jan 1 2024\nReturn-Path: <a@b>\n"),
            Some(Container::Mbox)
        );
        assert_eq!(container("a.mbox", b"From a@b\n\n"), Some(Container::Mbox));
        assert_eq!(container("notes.txt", b"From me to you\nhello\n"), None);
        assert_eq!(
            container("m.EML", b"From: a@b\nTo: c@d\n"),
            Some(Container::Mail)
        );
        assert_eq!(container("m.eml", b"just text"), None);
        use crate::source::container::markup::Markup;
        assert_eq!(
            container("x", b"\xEF\xBB\xBF  <!DOCTYPE HTML><p>"),
            Some(Container::Markup(Markup::Html))
        );
        assert_eq!(
            container("p.htm", b"<p>hi"),
            Some(Container::Markup(Markup::Html))
        );
        assert_eq!(
            container("d", b"<?xml version=\"1.0\"?><a/>"),
            Some(Container::Markup(Markup::Xml))
        );
        assert_eq!(
            container("k.xml", b"\xFF\xFE<\0k\0>\0"),
            Some(Container::Markup(Markup::Xml))
        );
        assert_eq!(container("k.xml", b"not markup"), None);
        assert_eq!(container("a.txt", b"<b>bold</b>"), None);
        assert_eq!(container("scan", b"%PDF-1.7\n"), Some(Container::Pdf));
        assert_eq!(container("x.pdf", b"\r\n%PDF-1.4"), Some(Container::Pdf));
        assert_eq!(container("x.pdf", b"not a pdf"), None);
        assert_eq!(
            container("a.png", b"\x89PNG\r\n\x1a\n\0"),
            Some(Container::Image)
        );
        assert_eq!(container("b", b"\xFF\xD8\xFF\xE0"), Some(Container::Image));
        assert_eq!(container("c.tif", b"II*\0\x08"), Some(Container::Image));
        assert!(matches!(
            container("old.doc", b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"),
            Some(Container::Unreadable(m)) if m.contains(".doc")
        ));
    }
}
