//! PDF documents through `lopdf`: the text layer of every page, the document information
//! dictionary and the XMP metadata. `lopdf` parses the objects (repairing a damaged
//! cross-reference table by scanning for objects), decrypts documents that open without a
//! password, bounds every decompression, and maps font encodings (`ToUnicode` CMaps,
//! `Differences`, the standard encodings) to Unicode. The content streams are interpreted here,
//! with the text and graphics state that decides where a line ends and where a space falls: a
//! run moved by `Td`/`Tm` to another baseline starts a new line, a gap of a quarter em or more
//! on the same baseline is a space (the glyph widths come from the font's `Widths` or `W`),
//! so that `jan.jansen@e` + `xample.nl`, drawn as two runs, reads as one address.
//!
//! Time is linear in the file: every page's content is decoded once, a form XObject is drawn
//! at most once per page (which also stops forms that draw themselves), forms nest at most
//! [`MAX_FORM_DEPTH`] deep, and a document runs at most [`MAX_OPERATIONS`] operators. The
//! whole reading runs under `catch_unwind`, so that a panic in the parser on a hostile file
//! names the file instead of ending the scan.

use lopdf::content::{Content, Operation};
use lopdf::{Dictionary, Document, Encoding, Object, ObjectId};
use std::collections::{HashMap, HashSet};

/// Bytes one page's content (or one form, or the XMP packet) may decompress to.
pub const MAX_STREAM: usize = 64 << 20;
/// Form XObjects inside form XObjects.
pub const MAX_FORM_DEPTH: usize = 8;
/// Content operators interpreted in one document, all pages together.
pub const MAX_OPERATIONS: u64 = 20_000_000;
/// Graphics states saved (`q`) without being restored that are tracked.
const MAX_STATE_STACK: usize = 256;

/// Why a PDF could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdfError {
    /// It needs a password to open.
    #[error("an encrypted PDF (it needs a password to open); not scanned")]
    Encrypted,
    /// Its structure could not be read.
    #[error("not a readable PDF: {0}")]
    Broken(String),
    /// The parser panicked on it.
    #[error("the PDF reader failed on it ({0}); not scanned")]
    ReaderFailed(String),
}

/// One page of a PDF.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Page {
    /// Its text, lines separated by `\n`.
    pub text: String,
    /// Images drawn on it (image XObjects and inline images).
    pub images: u32,
    /// What on it could not be read, if anything.
    pub problem: Option<String>,
}

impl Page {
    /// Whether the page shows no text but images: a scan, or a picture of text.
    pub fn needs_ocr(&self) -> bool {
        self.text.trim().is_empty() && self.images > 0
    }
}

/// What a PDF holds as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PdfText {
    /// The pages, in order (page 1 first).
    pub pages: Vec<Page>,
    /// The information dictionary (`Title: ...`, `Author: ...`, one entry a line) and the
    /// text of the XMP metadata packet, one value a line.
    pub metadata: String,
    /// Set when the file does not end with `%%EOF`: it was cut short.
    pub truncated: bool,
    /// Set when the cross-reference table could not be read and was rebuilt by scanning the
    /// file for objects (some may be missing, or come from an older revision).
    pub repaired: bool,
}

impl PdfText {
    /// Whether no page has text.
    pub fn no_text_layer(&self) -> bool {
        self.pages.iter().all(|p| p.text.trim().is_empty())
    }
}

/// Reads the text of the PDF in `bytes`.
///
/// # Errors
/// The PDF needs a password, its structure cannot be read, or the parser failed on it.
pub fn read(bytes: &[u8]) -> Result<PdfText, PdfError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_inner(bytes))) {
        Ok(result) => result,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic".into());
            Err(PdfError::ReaderFailed(what.chars().take(200).collect()))
        }
    }
}

fn read_inner(bytes: &[u8]) -> Result<PdfText, PdfError> {
    let options = lopdf::LoadOptions {
        max_decompressed_size: Some(MAX_STREAM),
        ..lopdf::LoadOptions::default()
    };
    let doc = match Document::load_mem_with_options(bytes, options) {
        Ok(doc) => doc,
        Err(e) if is_password_error(&e) => return Err(PdfError::Encrypted),
        Err(e) => return Err(PdfError::Broken(e.to_string())),
    };
    if doc.is_encrypted() {
        return Err(PdfError::Encrypted);
    }
    let page_ids: Vec<ObjectId> = doc.page_iter().collect();
    if page_ids.is_empty() {
        return Err(PdfError::Broken("it has no pages that can be read".into()));
    }
    let mut out = PdfText {
        repaired: matches!(
            doc.xref_recovery,
            Some(lopdf::xref::XrefRecovery::Reconstructed)
        ),
        metadata: metadata(&doc),
        truncated: memchr::memmem::find(&bytes[bytes.len().saturating_sub(1024)..], b"%%EOF")
            .is_none(),
        ..PdfText::default()
    };
    let mut reader = TextReader {
        doc: &doc,
        fonts: HashMap::new(),
        operations: 0,
    };
    for id in page_ids {
        out.pages.push(reader.page(id));
    }
    Ok(out)
}

fn is_password_error(e: &lopdf::Error) -> bool {
    matches!(
        e,
        lopdf::Error::InvalidPassword | lopdf::Error::Decryption(_)
    ) || e.to_string().to_ascii_lowercase().contains("password")
}

/// The information dictionary's text entries and the XMP packet's values.
fn metadata(doc: &Document) -> String {
    let mut out = String::new();
    let info = doc
        .trailer
        .get(b"Info")
        .and_then(|o| doc.dereference(o))
        .and_then(|(_, o)| o.as_dict());
    if let Ok(info) = info {
        for (key, value) in info.iter() {
            // Dates and the trapping flag say nothing about a person.
            if matches!(key.as_slice(), b"CreationDate" | b"ModDate" | b"Trapped") {
                continue;
            }
            let value = doc.dereference(value).map(|(_, o)| o);
            if let Ok(text) = value.and_then(lopdf::decode_text_string) {
                let text = text.replace(['\r', '\n'], " ");
                if !text.trim().is_empty() {
                    out.push_str(&String::from_utf8_lossy(key));
                    out.push_str(": ");
                    out.push_str(text.trim());
                    out.push('\n');
                }
            }
        }
    }
    let xmp = doc
        .catalog()
        .and_then(|c| c.get_deref(b"Metadata", doc))
        .and_then(Object::as_stream);
    if let Ok(stream) = xmp {
        let xml = stream
            .decompressed_content_with_limit(MAX_STREAM)
            .unwrap_or_else(|_| stream.content.clone());
        let mut text = String::new();
        // A broken packet keeps the text before the break.
        let _ = super::office::xml_text(&xml, true, &mut text);
        out.push_str(&text);
    }
    out
}

/// What the widths of a font's glyphs are, and how its strings split into codes.
struct Font<'d> {
    encoding: Option<Encoding<'d>>,
    /// Two bytes a code (composite `Type0` fonts).
    two_byte: bool,
    widths: HashMap<u32, f64>,
    default_width: f64,
}

impl Font<'_> {
    fn width(&self, code: u32) -> f64 {
        self.widths
            .get(&code)
            .copied()
            .unwrap_or(self.default_width)
    }
}

fn number(o: &Object) -> Option<f64> {
    o.as_float().ok().map(f64::from).filter(|v| v.is_finite())
}

fn load_font<'d>(doc: &'d Document, dict: &'d Dictionary) -> Font<'d> {
    let encoding = dict.get_font_encoding_with_limit(doc, MAX_STREAM).ok();
    let two_byte = dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Type0");
    let mut widths = HashMap::new();
    let mut default_width = 500.0;
    if two_byte {
        let descendant = dict
            .get_deref(b"DescendantFonts", doc)
            .and_then(Object::as_array)
            .ok()
            .and_then(|a| a.first())
            .and_then(|o| doc.dereference(o).ok())
            .and_then(|(_, o)| o.as_dict().ok());
        if let Some(cid) = descendant {
            default_width = cid
                .get_deref(b"DW", doc)
                .ok()
                .and_then(number)
                .unwrap_or(1000.0);
            if let Ok(w) = cid.get_deref(b"W", doc).and_then(Object::as_array) {
                cid_widths(doc, w, &mut widths);
            }
        }
    } else {
        let first = dict
            .get_deref(b"FirstChar", doc)
            .ok()
            .and_then(number)
            .unwrap_or(0.0)
            .max(0.0) as u32;
        if let Ok(w) = dict.get_deref(b"Widths", doc).and_then(Object::as_array) {
            for (i, v) in w.iter().take(65_536).enumerate() {
                if let Some(v) = doc.dereference(v).ok().and_then(|(_, o)| number(o)) {
                    widths.insert(first + i as u32, v);
                }
            }
        }
        if let Some(missing) = dict
            .get_deref(b"FontDescriptor", doc)
            .and_then(Object::as_dict)
            .and_then(|d| d.get_deref(b"MissingWidth", doc))
            .ok()
            .and_then(number)
            .filter(|w| *w > 0.0)
        {
            default_width = missing;
        }
    }
    Font {
        encoding,
        two_byte,
        widths,
        default_width,
    }
}

/// The `W` array of a CID font: `c [w1 w2 ...]` and `c_first c_last w`.
fn cid_widths(doc: &Document, w: &[Object], widths: &mut HashMap<u32, f64>) {
    let resolve = |o: &Object| doc.dereference(o).ok().map(|(_, o)| o.clone());
    let items: Vec<Object> = w.iter().filter_map(resolve).collect();
    let mut i = 0;
    while i < items.len() && widths.len() < 65_536 {
        let Some(first) = number(&items[i]) else {
            i += 1;
            continue;
        };
        let first = first.max(0.0) as u32;
        match items.get(i + 1) {
            Some(Object::Array(list)) => {
                for (k, v) in list.iter().take(65_536).enumerate() {
                    if let Some(v) = resolve(v).as_ref().and_then(number) {
                        widths.insert(first + k as u32, v);
                    }
                }
                i += 2;
            }
            Some(last) => {
                let (Some(last), Some(v)) = (number(last), items.get(i + 2).and_then(number))
                else {
                    break;
                };
                let last = (last.max(0.0) as u32).min(first.saturating_add(65_536));
                for c in first..=last {
                    widths.insert(c, v);
                }
                i += 3;
            }
            None => break,
        }
    }
}

/// An affine matrix `[a b c d e f]`.
type Matrix = [f64; 6];
const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// `m` then `n`: the product m × n.
fn mul(m: &Matrix, n: &Matrix) -> Matrix {
    [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]
}

fn matrix(operands: &[Object]) -> Option<Matrix> {
    if operands.len() < 6 {
        return None;
    }
    let mut m = [0.0; 6];
    for (slot, o) in m.iter_mut().zip(operands) {
        *slot = number(o)?;
    }
    Some(m)
}

/// Reads the pages of one document, sharing the fonts they use.
struct TextReader<'d> {
    doc: &'d Document,
    fonts: HashMap<ObjectId, std::rc::Rc<Font<'d>>>,
    operations: u64,
}

/// The text state of one page while its content runs.
struct PageState<'d> {
    out: String,
    images: u32,
    problem: Option<String>,
    ctm: Matrix,
    stack: Vec<(Matrix, TextParams)>,
    tm: Matrix,
    tlm: Matrix,
    params: TextParams,
    font: Option<std::rc::Rc<Font<'d>>>,
    /// Where the last run shown ended, in device space, and its font height there.
    last: Option<(f64, f64, f64)>,
    forms_drawn: HashSet<ObjectId>,
}

#[derive(Clone, Copy)]
struct TextParams {
    size: f64,
    char_spacing: f64,
    word_spacing: f64,
    scale: f64,
    leading: f64,
}

impl Default for TextParams {
    fn default() -> Self {
        TextParams {
            size: 0.0,
            char_spacing: 0.0,
            word_spacing: 0.0,
            scale: 1.0,
            leading: 0.0,
        }
    }
}

impl<'d> TextReader<'d> {
    fn page(&mut self, id: ObjectId) -> Page {
        let doc = self.doc;
        let mut state = PageState {
            out: String::new(),
            images: 0,
            problem: None,
            ctm: IDENTITY,
            stack: Vec::new(),
            tm: IDENTITY,
            tlm: IDENTITY,
            params: TextParams::default(),
            font: None,
            last: None,
            forms_drawn: HashSet::new(),
        };
        let resources = page_resources(doc, id);
        let missing = doc
            .get_page_contents(id)
            .into_iter()
            .filter(|c| doc.get_object(*c).and_then(Object::as_stream).is_err())
            .count();
        if missing > 0 {
            state.problem = Some(format!(
                "{missing} of its content streams are missing or broken (the file is cut short or damaged)"
            ));
        }
        match doc.get_page_content_with_limit(id, MAX_STREAM) {
            Ok(content) => self.run(&content, &resources, &mut state, 0),
            Err(e) => state.problem = Some(format!("its content cannot be read: {e}")),
        }
        let mut text = state.out;
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        Page {
            text,
            images: state.images,
            problem: state.problem,
        }
    }

    fn font(&mut self, resources: &[&'d Dictionary], name: &[u8]) -> Option<std::rc::Rc<Font<'d>>> {
        let doc = self.doc;
        for res in resources {
            let Ok(fonts) = res.get_deref(b"Font", doc).and_then(Object::as_dict) else {
                continue;
            };
            let Ok(entry) = fonts.get(name) else {
                continue;
            };
            let (id, obj) = doc.dereference(entry).ok()?;
            let dict = obj.as_dict().ok()?;
            let key = id.unwrap_or((u32::MAX, 0));
            if let Some(f) = self.fonts.get(&key).filter(|_| id.is_some()) {
                return Some(f.clone());
            }
            let font = std::rc::Rc::new(load_font(doc, dict));
            if id.is_some() {
                self.fonts.insert(key, font.clone());
            }
            return Some(font);
        }
        None
    }

    fn run(
        &mut self,
        content: &[u8],
        resources: &[&'d Dictionary],
        st: &mut PageState<'d>,
        depth: usize,
    ) {
        let ops = match Content::decode(content) {
            Ok(c) => c.operations,
            Err(e) => {
                st.problem
                    .get_or_insert_with(|| format!("its content stream is broken: {e}"));
                return;
            }
        };
        for op in &ops {
            self.operations += 1;
            if self.operations > MAX_OPERATIONS {
                st.problem.get_or_insert_with(|| {
                    format!(
                        "the document runs more than {MAX_OPERATIONS} drawing operations; \
                         the rest was not read"
                    )
                });
                return;
            }
            self.operation(op, resources, st, depth);
        }
    }

    fn operation(
        &mut self,
        op: &Operation,
        resources: &[&'d Dictionary],
        st: &mut PageState<'d>,
        depth: usize,
    ) {
        let args = &op.operands;
        let num = |i: usize| args.get(i).and_then(number).unwrap_or(0.0);
        match op.operator.as_str() {
            "q" if st.stack.len() < MAX_STATE_STACK => st.stack.push((st.ctm, st.params)),
            "Q" => {
                if let Some((ctm, params)) = st.stack.pop() {
                    st.ctm = ctm;
                    st.params = params;
                }
            }
            "cm" => {
                if let Some(m) = matrix(args) {
                    st.ctm = mul(&m, &st.ctm);
                }
            }
            "BT" => {
                st.tm = IDENTITY;
                st.tlm = IDENTITY;
            }
            "Tf" => {
                st.params.size = num(1);
                st.font = args
                    .first()
                    .and_then(|n| n.as_name().ok())
                    .and_then(|n| self.font(resources, n));
            }
            "Tc" => st.params.char_spacing = num(0),
            "Tw" => st.params.word_spacing = num(0),
            "Tz" => st.params.scale = num(0) / 100.0,
            "TL" => st.params.leading = num(0),
            "Td" => st.move_line(num(0), num(1)),
            "TD" => {
                st.params.leading = -num(1);
                st.move_line(num(0), num(1));
            }
            "T*" => st.move_line(0.0, -st.params.leading),
            "Tm" => {
                if let Some(m) = matrix(args) {
                    st.tm = m;
                    st.tlm = m;
                }
            }
            "Tj" => {
                if let Some(s) = args.first() {
                    st.show(s);
                }
            }
            "'" => {
                st.move_line(0.0, -st.params.leading);
                if let Some(s) = args.first() {
                    st.show(s);
                }
            }
            "\"" => {
                st.params.word_spacing = num(0);
                st.params.char_spacing = num(1);
                st.move_line(0.0, -st.params.leading);
                if let Some(s) = args.get(2) {
                    st.show(s);
                }
            }
            "TJ" => {
                if let Some(Object::Array(items)) = args.first() {
                    for item in items {
                        match item {
                            Object::String(..) => st.show(item),
                            other => {
                                let adjust = number(other).unwrap_or(0.0);
                                // A move right of a quarter em or more is a space.
                                if adjust < -250.0
                                    && !st.out.ends_with([' ', '\n'])
                                    && st.last.is_some()
                                {
                                    st.out.push(' ');
                                }
                                let tx = -adjust / 1000.0 * st.params.size * st.params.scale;
                                st.advance(tx);
                            }
                        }
                    }
                }
            }
            "BI" => st.images += 1,
            "Do" => {
                if let Some(name) = args.first().and_then(|n| n.as_name().ok()) {
                    self.draw(name, resources, st, depth);
                }
            }
            _ => {}
        }
    }

    /// `Do`: an image is counted, a form's content runs (once per page).
    fn draw(
        &mut self,
        name: &[u8],
        resources: &[&'d Dictionary],
        st: &mut PageState<'d>,
        depth: usize,
    ) {
        let doc = self.doc;
        let found = resources.iter().find_map(|res| {
            let xobjects = res
                .get_deref(b"XObject", doc)
                .and_then(Object::as_dict)
                .ok()?;
            let entry = xobjects.get(name).ok()?;
            let (id, obj) = doc.dereference(entry).ok()?;
            Some((id, obj.as_stream().ok()?))
        });
        let Some((id, stream)) = found else {
            return;
        };
        match stream.dict.get(b"Subtype").and_then(Object::as_name) {
            Ok(b"Image") => st.images += 1,
            Ok(b"Form") => {
                let Some(id) = id else { return };
                if depth >= MAX_FORM_DEPTH || !st.forms_drawn.insert(id) {
                    return;
                }
                let content = match stream.decompressed_content_with_limit(MAX_STREAM) {
                    Ok(c) => c,
                    Err(_) if stream.dict.get(b"Filter").is_err() => stream.content.clone(),
                    Err(e) => {
                        st.problem
                            .get_or_insert_with(|| format!("a form on it cannot be read: {e}"));
                        return;
                    }
                };
                let mut inner: Vec<&'d Dictionary> = Vec::new();
                if let Ok(r) = stream
                    .dict
                    .get_deref(b"Resources", doc)
                    .and_then(Object::as_dict)
                {
                    inner.push(r);
                }
                inner.extend_from_slice(resources);
                let saved = (st.ctm, st.params, st.tm, st.tlm, st.font.clone());
                if let Some(m) = stream
                    .dict
                    .get(b"Matrix")
                    .ok()
                    .and_then(|m| m.as_array().ok())
                    .and_then(|a| matrix(a))
                {
                    st.ctm = mul(&m, &st.ctm);
                }
                self.run(&content, &inner, st, depth + 1);
                (st.ctm, st.params, st.tm, st.tlm, st.font) = saved;
            }
            _ => {}
        }
    }
}

/// The resource dictionaries of a page, nearest first.
fn page_resources(doc: &Document, id: ObjectId) -> Vec<&Dictionary> {
    let mut out = Vec::new();
    if let Ok((inline, ids)) = doc.get_page_resources(id) {
        out.extend(inline);
        out.extend(ids.into_iter().filter_map(|i| doc.get_dictionary(i).ok()));
    }
    out
}

impl PageState<'_> {
    fn move_line(&mut self, tx: f64, ty: f64) {
        self.tlm = mul(&[1.0, 0.0, 0.0, 1.0, tx, ty], &self.tlm);
        self.tm = self.tlm;
    }

    fn advance(&mut self, tx: f64) {
        self.tm = mul(&[1.0, 0.0, 0.0, 1.0, tx, 0.0], &self.tm);
    }

    /// The current text position in device space, and the font's height there.
    fn position(&self) -> (f64, f64, f64) {
        let m = mul(&self.tm, &self.ctm);
        let height = self.params.size * (m[2] * m[2] + m[3] * m[3]).sqrt();
        (m[4], m[5], height.abs().max(0.01))
    }

    /// Shows a string: a separator from the run before, its text, and the move past it.
    fn show(&mut self, s: &Object) {
        let Ok(bytes) = s.as_str() else { return };
        let (x, y, height) = self.position();
        if let Some((lx, ly, lh)) = self.last {
            let h = height.max(lh);
            if (y - ly).abs() > h * 0.5 {
                if !self.out.ends_with('\n') {
                    self.out.push('\n');
                }
            } else if ((x - lx).abs() > h * 0.25) && !self.out.ends_with([' ', '\n']) {
                self.out.push(' ');
            }
        } else if !self.out.is_empty() && !self.out.ends_with('\n') {
            self.out.push('\n');
        }
        let Some(font) = self.font.clone() else {
            // No font: printable ASCII as it stands.
            self.out.extend(
                bytes
                    .iter()
                    .filter(|b| b.is_ascii_graphic() || **b == b' ')
                    .map(|&b| b as char),
            );
            self.last = Some(self.position());
            return;
        };
        let text = match &font.encoding {
            Some(enc) => Document::decode_text(enc, bytes).unwrap_or_default(),
            None => bytes
                .iter()
                .filter(|b| b.is_ascii_graphic() || **b == b' ')
                .map(|&b| b as char)
                .collect(),
        };
        // Control characters of a broken encoding are no text.
        self.out.extend(text.chars().map(|c| match c {
            '\t' => ' ',
            c if c.is_control() => ' ',
            c => c,
        }));
        let p = self.params;
        let mut tx = 0.0;
        let codes: Vec<u32> = if font.two_byte {
            bytes
                .chunks(2)
                .map(|c| (u32::from(c[0]) << 8) | u32::from(*c.get(1).unwrap_or(&0)))
                .collect()
        } else {
            bytes.iter().map(|&b| u32::from(b)).collect()
        };
        for code in codes {
            let w = font.width(code) / 1000.0 * p.size;
            let space = if code == 32 && !font.two_byte {
                p.word_spacing
            } else {
                0.0
            };
            tx += (w + p.char_spacing + space) * p.scale;
        }
        self.advance(tx);
        self.last = Some(self.position());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-font PDF whose page content is `content`, with an information dictionary.
    pub(crate) fn pdf_with(content: &str, info: &str) -> Vec<u8> {
        let mut objects = vec![
            "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>".to_string(),
            format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len() + 1),
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_string(),
        ];
        objects.push(info.to_string());
        let mut out = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (i, o) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
        }
        let xref = out.len();
        out.extend_from_slice(
            format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
        );
        for o in offsets {
            out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
        }
        out.extend_from_slice(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R /Info 6 0 R >>\nstartxref\n{xref}\n%%EOF\n",
                objects.len() + 1
            )
            .as_bytes(),
        );
        out
    }

    #[test]
    fn lines_spaces_and_split_runs() {
        let content = "BT /F1 12 Tf 1 0 0 1 72 700 Tm (Naam: Jan) Tj ( Jansen) Tj \
                       0 -20 Td (jan.jansen@e) Tj 71.3 0 Td (xample.nl) Tj ET \
                       BT /F1 12 Tf 72 640 Td [(IBAN:) -300 (NL91ABNA0417164300)] TJ ET";
        let pdf = pdf_with(content, "<< /Author (Sanne Bakker) /Title (Dossier) >>");
        let text = read(&pdf).unwrap();
        assert_eq!(text.pages.len(), 1);
        let page = &text.pages[0].text;
        assert!(page.contains("Naam: Jan Jansen\n"), "{page:?}");
        assert!(page.contains("IBAN: NL91ABNA0417164300"), "{page:?}");
        assert!(
            text.metadata.contains("Author: Sanne Bakker\n"),
            "{:?}",
            text.metadata
        );
        assert!(
            text.metadata.contains("Title: Dossier\n"),
            "{:?}",
            text.metadata
        );
    }

    #[test]
    fn a_form_that_draws_itself_ends() {
        // Object 7 is a form whose content draws object 7 again.
        let mut pdf = pdf_with("BT /F1 12 Tf 72 700 Td (Jan) Tj ET /X1 Do", "<< >>");
        let s = String::from_utf8_lossy(&pdf).into_owned();
        let s = s.replace(
            "/Font << /F1 5 0 R >> >>",
            "/Font << /F1 5 0 R >> /XObject << /X1 7 0 R >> >>",
        );
        pdf = s.into_bytes();
        // Append the form and a rebuilt table is found by lopdf's repair.
        let form = "7 0 obj\n<< /Type /XObject /Subtype /Form /BBox [0 0 10 10] /Resources << /XObject << /X1 7 0 R >> >> /Length 6 >>\nstream\n/X1 Do\nendstream\nendobj\n";
        let at = pdf.windows(4).rposition(|w| w == b"xref").unwrap();
        pdf.splice(at..at, form.bytes());
        let started = std::time::Instant::now();
        let text = read(&pdf).unwrap();
        assert!(started.elapsed().as_secs() < 5);
        assert!(text.pages[0].text.contains("Jan"), "{:?}", text.pages);
    }

    #[test]
    fn garbage_and_cut_files_are_errors() {
        assert!(matches!(
            read(b"%PDF-1.4\n garbage"),
            Err(PdfError::Broken(_))
        ));
        let pdf = pdf_with("BT /F1 12 Tf 72 700 Td (Jan Jansen) Tj ET", "<< >>");
        for cut in [10, pdf.len() / 3, pdf.len() / 2, pdf.len() - 30] {
            // Cut anywhere: an error or the text before the cut, never a panic.
            let _ = read(&pdf[..cut]);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
        #[test]
        fn mutated_pdfs_never_panic(
            edits in proptest::collection::vec((proptest::prelude::any::<usize>(), proptest::prelude::any::<u8>()), 0..12),
            cut in proptest::prelude::any::<usize>(),
        ) {
            let mut pdf = pdf_with("BT /F1 12 Tf 72 700 Td (Jan Jansen) Tj [(a) -300 (b)] TJ ET", "<< /Author (X) >>");
            for (at, b) in edits {
                let i = at % pdf.len();
                pdf[i] = b;
            }
            pdf.truncate(cut % (pdf.len() + 1));
            // An error or text, never a panic out of `read` (a panic inside lopdf is caught
            // and named) and never a hang.
            let started = std::time::Instant::now();
            let _ = read(&pdf);
            proptest::prop_assert!(started.elapsed().as_secs() < 10);
        }
    }
}
