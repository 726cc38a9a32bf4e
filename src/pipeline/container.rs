//! Scanning containers: the members of an archive are read as the files they are (a CSV is a
//! table, a log is text, an archive is opened in turn), a document's text is scanned as text.
//! Each member becomes an input of its own, named `archive!member` (`a.zip!b.tar.gz!c.csv`),
//! reported before the container itself. Everything read is held to the scan's
//! [`Limits`](crate::source::container::Limits) through one [`Budget`] per input given.
//!
//! Members that need a path (SQLite, workbooks, Parquet, a ZIP or document inside another
//! container) are copied to a temporary file first, within the same limits.

use crate::finding::fingerprint::Fingerprinter;
use crate::pipeline::run::run_text;
use crate::pipeline::{mark_found, run_opened, run_table_path, Ctx, InputStatus, UnitResult};
use crate::ruleset::RuleSet;
use crate::source::container::markup::{Markup, MarkupReader};
use crate::source::container::{
    self, clean_name, limit_hit, mail, mbox, office, pdf, Budget, Guard, Visitor,
};
use crate::source::input::{self, Container};
use crate::source::ocr::OcrText;
use crate::source::open::{open_local, read_up_to, LocalOpened, Opened};
use crate::source::sniff::{sniff, Sniffed, SNIFF_LEN};
use std::fs::File;
use std::io::{self, Cursor, Read, Seek};
use std::path::Path;

/// One member of a container, with what reading it gave.
pub(crate) struct MemberResult {
    /// Its location below the input given: `inner/file.csv`, `b.tar!c.csv`.
    pub(crate) location: String,
    /// What reading it gave (its own members are flattened into the container's list).
    pub(crate) result: UnitResult,
    /// A part of the container's own text (a PDF's page or metadata), not a file: its findings
    /// are located under `container!location`, but it is counted and reported as part of the
    /// container, which is the one input (and the one dataset of the inventory).
    pub(crate) part: bool,
}

/// Hands the members read so far on while the container is still being read: the callee
/// takes them (and so bounds the memory a large archive or mailbox holds) or leaves them for
/// later; what is left at the end goes out with the container's own result.
pub(crate) type MemberFlush<'f> = &'f mut dyn FnMut(&mut Vec<MemberResult>);

impl MemberResult {
    /// How many hits it holds.
    pub(crate) fn hit_count(&self) -> usize {
        let r = &self.result;
        r.region.as_ref().map_or(0, |g| g.hits.len())
            + r.table
                .as_ref()
                .map_or(0, |t| t.hits.len() + t.text_hits.len())
    }
}

/// Fills in fingerprints and masks of every member's findings, each under its own location.
pub(crate) fn mark_members(
    result: &mut UnitResult,
    rules: &RuleSet,
    project_path: &str,
    fingerprints: Option<&Fingerprinter>,
) {
    mark_member_list(&mut result.members, rules, project_path, fingerprints);
}

/// [`mark_members`] for a list of members.
pub(crate) fn mark_member_list(
    members: &mut [MemberResult],
    rules: &RuleSet,
    project_path: &str,
    fingerprints: Option<&Fingerprinter>,
) {
    for m in members.iter_mut() {
        let path = format!("{project_path}!{}", m.location);
        if let Some(region) = m.result.region.as_mut() {
            mark_found(
                region.hits.iter_mut().map(|h| &mut h.found),
                rules,
                &path,
                fingerprints,
            );
        }
        if let Some(table) = m.result.table.as_mut() {
            mark_found(
                table
                    .hits
                    .iter_mut()
                    .map(|h| &mut h.found)
                    .chain(table.text_hits.iter_mut().map(|h| &mut h.found)),
                rules,
                &path,
                fingerprints,
            );
        }
    }
}

/// Reads the container `opened` (an input given to the scan, or standard input).
pub(crate) fn run(
    kind: Container,
    opened: LocalOpened<'_>,
    path: Option<&Path>,
    ctx: &Ctx<'_>,
    scratch: &mut crate::detect::Scratch,
    flush: MemberFlush<'_>,
) -> UnitResult {
    let budget = Budget::new(ctx.limits);
    let name = path
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "-".into());
    // A plain file on disk is read in place; anything else is spooled when it must seek.
    let on_disk = path.filter(|_| !opened.compressed);
    let stored = on_disk
        .and_then(|p| std::fs::metadata(p).ok())
        .map(|m| m.len());
    let mut walker = Walker {
        ctx,
        scratch,
        budget: &budget,
        depth: 1,
        members: Vec::new(),
        seen: 0,
        flush,
    };
    let mut result = match (kind, on_disk) {
        (Container::Zip | Container::SevenZ | Container::Document(_) | Container::Msg, Some(p)) => {
            match File::open(p) {
                Ok(file) => walker.seekable(kind, &name, file),
                Err(e) => UnitResult::status(InputStatus::Failed(e.to_string())),
            }
        }
        (Container::Image, _) if ctx.ocr.is_none() => UnitResult::status(InputStatus::SkippedImage),
        (Container::Image, Some(p)) => walker.image(&name, OcrInput::File(p)),
        (Container::Pdf, Some(p)) => match std::fs::read(p) {
            Ok(bytes) => walker.pdf(&name, bytes),
            Err(e) => UnitResult::status(InputStatus::Failed(e.to_string())),
        },
        _ => {
            let reader: Box<dyn Read + '_> = match (opened.compressed, stored) {
                (true, Some(stored)) => Box::new(Guard::ratio_only(opened.reader, &budget, stored)),
                _ => opened.reader,
            };
            walker.stream(kind, &name, reader)
        }
    };
    result.members = walker.members;
    result
}

/// Walks one input's containers, collecting member results.
struct Walker<'c, 's, 'b, 'f> {
    ctx: &'c Ctx<'c>,
    scratch: &'s mut crate::detect::Scratch,
    budget: &'b Budget,
    /// 1 for the members of the input given.
    depth: u32,
    /// Members read and not yet handed on.
    members: Vec<MemberResult>,
    /// Members read in all, handed on or not.
    seen: usize,
    /// Offered the members after each one (a nested walker keeps them for its parent).
    flush: MemberFlush<'f>,
}

/// The status of a container whose walk ended with `outcome`.
fn container_status(outcome: io::Result<()>, read_any: bool) -> InputStatus {
    match outcome {
        Ok(()) => InputStatus::Scanned,
        Err(e) => match limit_hit(&e) {
            Some(limit) => InputStatus::Partial(limit.to_string()),
            None if read_any => {
                InputStatus::Partial(format!("{e}; the members before it were scanned"))
            }
            None => InputStatus::Failed(e.to_string()),
        },
    }
}

impl Walker<'_, '_, '_, '_> {
    /// Adds a member read, and offers what is held to the flush.
    fn push(&mut self, member: MemberResult) {
        self.members.push(member);
        self.seen += 1;
        (self.flush)(&mut self.members);
    }

    /// A ZIP archive or document that can seek.
    fn seekable<R: Read + Seek>(&mut self, kind: Container, name: &str, reader: R) -> UnitResult {
        match kind {
            Container::Document(doc) => match office::text(reader, doc, self.budget) {
                Ok(text) => self.text(name, text),
                Err(e) => UnitResult::status(match limit_hit(&e) {
                    Some(limit) => InputStatus::Failed(limit.to_string()),
                    None => InputStatus::Failed(format!("not a readable document: {e}")),
                }),
            },
            Container::Msg => match container::msg::read(reader) {
                Ok(msg) => self.parsed_message(msg, ""),
                Err(e) => failed(format!("not a readable Outlook message: {e}")),
            },
            Container::SevenZ => {
                let before = self.seen;
                let outcome = container::sevenz::walk(reader, self.budget, self);
                let read_any = self.seen > before;
                UnitResult::status(container_status(outcome, read_any))
            }
            _ => {
                let before = self.seen;
                let outcome = container::zip::walk(reader, self.budget, self);
                let read_any = self.seen > before;
                UnitResult::status(container_status(outcome, read_any))
            }
        }
    }

    /// A container given as a stream: a tar is streamed, the others spooled to a file.
    fn stream(
        &mut self,
        kind: Container,
        name: &str,
        mut reader: Box<dyn Read + '_>,
    ) -> UnitResult {
        match kind {
            Container::Unreadable(why) => UnitResult::status(InputStatus::Failed(why.to_string())),
            Container::Tar => {
                let before = self.seen;
                let outcome = container::tar::walk(&mut reader, self.budget, self);
                let read_any = self.seen > before;
                UnitResult::status(container_status(outcome, read_any))
            }
            Container::Zip | Container::SevenZ | Container::Document(_) | Container::Msg => {
                match spool(&mut reader) {
                    Ok(file) => self.seekable(kind, name, file),
                    Err(e) => UnitResult::status(InputStatus::Failed(describe(&e))),
                }
            }
            Container::Markup(markup) => self.markup(markup, reader),
            Container::Mail => self.eml(reader),
            Container::Mbox => self.mbox(reader),
            Container::Image if self.ctx.ocr.is_none() => {
                UnitResult::status(InputStatus::SkippedImage)
            }
            Container::Pdf | Container::Image => {
                let mut bytes = Vec::new();
                match reader.read_to_end(&mut bytes) {
                    Ok(_) if kind == Container::Pdf => self.pdf(name, bytes),
                    Ok(_) => self.image(name, OcrInput::Bytes(&bytes)),
                    Err(e) => UnitResult::status(InputStatus::Failed(describe(&e))),
                }
            }
        }
    }

    /// An image read by OCR (`--ocr` only).
    fn image(&mut self, name: &str, input: OcrInput<'_>) -> UnitResult {
        let Some(ocr) = self.ctx.ocr else {
            return UnitResult::status(InputStatus::SkippedImage);
        };
        let (read, size) = match input {
            OcrInput::File(path) => (
                ocr.image(path),
                std::fs::metadata(path).map(|m| m.len()).unwrap_or(0),
            ),
            OcrInput::Bytes(bytes) => (ocr.image_bytes(bytes), bytes.len() as u64),
        };
        let mut result = match read {
            Ok(text) => self.ocr_text(name, &text),
            Err(e) => failed(format!("OCR failed: {e}")),
        };
        result.bytes = size;
        result
    }

    /// Scans text read by OCR: each finding's confidence lowered by its line's OCR
    /// confidence, and dropped when that puts it below the scan's minimum.
    fn ocr_text(&mut self, name: &str, ocr: &OcrText) -> UnitResult {
        let mut result = self.text(name, ocr.text.clone());
        let min = self.ctx.tables.min_confidence;
        if let Some(region) = result.region.as_mut() {
            for h in &mut region.hits {
                let line = usize::try_from(h.newlines_before).unwrap_or(usize::MAX);
                h.found.confidence =
                    crate::source::ocr::lowered(h.found.confidence, ocr.confidence_of_line(line));
            }
            region.hits.retain(|h| h.found.confidence >= min);
        }
        result
    }

    /// A PDF: each page's text is a part (`report.pdf!page 2`, lines counted from the top of
    /// the page), and so are its metadata (`report.pdf!metadata`); pages that show only
    /// images (a scan) are named as having no text layer.
    fn pdf(&mut self, name: &str, bytes: Vec<u8>) -> UnitResult {
        let size = bytes.len() as u64;
        let doc = match pdf::read(&bytes) {
            Ok(doc) => doc,
            Err(e) => return failed(e.to_string()),
        };
        // Pages without a text layer are rendered from a private copy for OCR.
        let ocr = match self.ctx.ocr {
            Some(ocr) if doc.pages.iter().any(pdf::Page::needs_ocr) => {
                let copy = tempfile::Builder::new()
                    .prefix("piiscan-ocr-")
                    .suffix(".pdf")
                    .tempfile()
                    .and_then(|mut f| io::Write::write_all(&mut f, &bytes).map(|()| f));
                match copy {
                    Ok(f) => Some((ocr, f)),
                    Err(e) => return failed(format!("temporary copy for OCR: {e}")),
                }
            }
            _ => None,
        };
        drop(bytes);
        let mut problems = Vec::new();
        if doc.truncated {
            problems.push("it is cut short (no %%EOF at its end)".to_string());
        }
        if doc.repaired {
            problems.push(
                "its cross-reference table is broken and was rebuilt by scanning the file; \
                 objects may be missing"
                    .to_string(),
            );
        }
        if !doc.metadata.is_empty() {
            let result = self.text(name, doc.metadata.clone());
            self.part("metadata", result);
        }
        let mut without_text = Vec::new();
        for (i, page) in doc.pages.iter().enumerate() {
            let number = i + 1;
            let mut result = match (&ocr, page.needs_ocr()) {
                (Some((ocr, copy)), true) => match ocr.pdf_page(copy.path(), number) {
                    Ok(text) => self.ocr_text(name, &text),
                    Err(e) => failed(format!("OCR failed: {e}")),
                },
                (None, true) => {
                    without_text.push(number);
                    self.text(name, page.text.clone())
                }
                _ => self.text(name, page.text.clone()),
            };
            if let Some(problem) = &page.problem {
                result.status = InputStatus::Partial(problem.clone());
            }
            self.part(&format!("page {number}"), result);
        }
        if !without_text.is_empty() {
            problems.push(no_text_layer(&without_text, doc.pages.len()));
        }
        let mut result = UnitResult::status(if problems.is_empty() {
            InputStatus::Scanned
        } else {
            InputStatus::Partial(problems.join("; "))
        });
        result.bytes = size;
        result
    }

    /// Adds a part of the container being read.
    fn part(&mut self, location: &str, result: UnitResult) {
        self.push(MemberResult {
            location: location.to_string(),
            result,
            part: true,
        });
    }

    /// Scans a document's text.
    fn text(&mut self, _name: &str, text: String) -> UnitResult {
        self.text_stream(Box::new(Cursor::new(text.into_bytes())))
    }

    /// Scans extracted text as text (never again as a container or table).
    fn text_stream(&mut self, reader: Box<dyn Read + '_>) -> UnitResult {
        match open_local(reader, true) {
            Ok(opened) => run_text(opened, self.ctx, self.scratch, &mut |_| {}),
            Err(e) => failed(describe(&e)),
        }
    }

    /// HTML or XML: decoded from its encoding, tags stripped on the fly, scanned as text.
    fn markup(&mut self, kind: Markup, mut reader: Box<dyn Read + '_>) -> UnitResult {
        let head = match read_up_to(&mut reader, SNIFF_LEN) {
            Ok(h) => h,
            Err(e) => return failed(describe(&e)),
        };
        let (encoding, bom) = match sniff(&head) {
            Sniffed::Binary => return UnitResult::status(InputStatus::SkippedBinary),
            Sniffed::Text { encoding, bom } => (encoding, bom),
        };
        let mut whole: Box<dyn Read + '_> = Box::new(Cursor::new(head).chain(reader));
        if let Err(e) = read_up_to(&mut whole, bom) {
            return failed(describe(&e));
        }
        let decoded = crate::source::decode::DecodingReader::new(whole, encoding);
        self.text_stream(Box::new(MarkupReader::new(decoded, kind)))
    }

    /// An e-mail message: held in memory (up to [`mbox::MAX_MESSAGE`] bytes), its text scanned,
    /// its attachments read as members `attachment NAME`.
    fn eml(&mut self, reader: Box<dyn Read + '_>) -> UnitResult {
        let mut raw = Vec::new();
        let limit = mbox::MAX_MESSAGE as u64;
        if let Err(e) = reader.take(limit + 1).read_to_end(&mut raw) {
            if raw.is_empty() {
                return failed(describe(&e));
            }
            let mut result = self.message(&raw, "");
            add_problem(
                &mut result.status,
                format!("{}; the part before it was scanned", describe(&e)),
            );
            return result;
        }
        let cut = raw.len() as u64 > limit;
        raw.truncate(mbox::MAX_MESSAGE);
        let mut result = self.message(&raw, "");
        if cut {
            add_problem(&mut result.status, too_large());
        }
        result
    }

    /// A mailbox: message after message, each a member `message N` (its attachments
    /// `message N!attachment NAME`), in the memory of one message.
    fn mbox(&mut self, reader: Box<dyn Read + '_>) -> UnitResult {
        let mut buffered = io::BufReader::with_capacity(256 * 1024, reader);
        let outcome = mbox::walk(&mut buffered, &mut |n, raw, cut| {
            let location = format!("message {n}");
            let mut result = self.message(raw, &format!("{location}!"));
            if cut {
                add_problem(&mut result.status, too_large());
            }
            self.push(MemberResult {
                location,
                result,
                part: false,
            });
        });
        let read_any = self.seen > 0;
        UnitResult::status(container_status(outcome.map(|_| ()), read_any))
    }

    /// One message: its attachments as members under `prefix`, then its own text's result.
    fn message(&mut self, raw: &[u8], prefix: &str) -> UnitResult {
        self.parsed_message(mail::read_message(raw), prefix)
    }

    /// A message read (mail or Outlook): its attachments as members under `prefix`, then its
    /// own text's result.
    fn parsed_message(&mut self, msg: mail::Message, prefix: &str) -> UnitResult {
        let mut problems = msg.problems_text();
        for att in msg.attachments {
            let location = format!("{prefix}attachment {}", clean_name(&att.name));
            if let Err(limit) = self.budget.entry() {
                problems = Some(limit.0.clone());
                self.push(MemberResult {
                    location,
                    result: failed(limit.0),
                    part: false,
                });
                break;
            }
            let stored = att.data.len() as u64;
            let mut guarded = Guard::new(Cursor::new(att.data), self.budget, None);
            let (result, nested) = self.read_member(&att.name, &mut guarded, Some(stored));
            for m in nested {
                self.push(MemberResult {
                    location: format!("{location}!{}", m.location),
                    result: m.result,
                    part: m.part,
                });
            }
            self.push(MemberResult {
                location,
                result,
                part: false,
            });
        }
        let mut result = self.text(prefix, msg.text);
        if let Some(p) = problems {
            add_problem(&mut result.status, p);
        }
        result
    }

    /// Reads one member as the file it is.
    fn read_member(
        &mut self,
        name: &str,
        reader: &mut dyn Read,
        stored: Option<u64>,
    ) -> (UnitResult, Vec<MemberResult>) {
        let mut name = name.to_string();
        let mut reader: Box<dyn Read + '_> = Box::new(reader);
        let mut head = match read_up_to(&mut reader, SNIFF_LEN) {
            Ok(h) => h,
            Err(e) => {
                return (
                    UnitResult::status(InputStatus::Failed(describe(&e))),
                    Vec::new(),
                )
            }
        };
        // A compressed member (`x.csv.gz`, `y.tar.xz`): decompressed, held to the ratio of
        // the member's stored size.
        for _ in 0..3 {
            let Some(codec) = input::codec(&head) else {
                break;
            };
            let raw: Box<dyn Read + '_> = Box::new(Cursor::new(head).chain(reader));
            let decoded = input::decompress_local(codec, raw);
            reader = Box::new(Guard::new(decoded, self.budget, stored));
            name = input::inner_name(&name);
            head = match read_up_to(&mut reader, SNIFF_LEN) {
                Ok(h) => h,
                Err(e) => {
                    return (
                        UnitResult::status(InputStatus::Failed(describe(&e))),
                        Vec::new(),
                    )
                }
            };
        }
        let base = Path::new(&name)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "member".into());
        let mut whole: Box<dyn Read + '_> = Box::new(Cursor::new(head.clone()).chain(reader));
        // Tables read from a path.
        if let Some(format) =
            crate::source::table::detect(Path::new(&base), &head).filter(|f| f.needs_path())
        {
            let dir = match tempfile::Builder::new().prefix("piiscan-member-").tempdir() {
                Ok(d) => d,
                Err(e) => return (failed(format!("temporary directory: {e}")), Vec::new()),
            };
            let tmp = dir.path().join(&base);
            let copied = File::create(&tmp).and_then(|mut f| io::copy(&mut whole, &mut f));
            if let Err(e) = copied {
                return (failed(describe(&e)), Vec::new());
            }
            return (
                run_table_path(format, &tmp, self.ctx, self.scratch),
                Vec::new(),
            );
        }
        if let Some(kind) = input::container(&base, &head) {
            if let Container::Unreadable(why) = kind {
                return (failed(why.to_string()), Vec::new());
            }
            if self.depth >= self.budget.limits.max_depth {
                return (
                    failed(format!(
                        "a container nested {} deep (--archive-max-depth {}); not scanned",
                        self.depth + 1,
                        self.budget.limits.max_depth
                    )),
                    Vec::new(),
                );
            }
            let mut keep = |_: &mut Vec<MemberResult>| {};
            let mut inner = Walker {
                ctx: self.ctx,
                scratch: &mut *self.scratch,
                budget: self.budget,
                depth: self.depth + 1,
                members: Vec::new(),
                seen: 0,
                flush: &mut keep,
            };
            let result = inner.stream(kind, &base, whole);
            return (result, inner.members);
        }
        let opened: LocalOpened<'_> = Opened {
            sniffed: sniff(&head),
            head,
            reader: whole,
            compressed: true,
        };
        (
            run_opened(
                Ok(opened),
                Some(Path::new(&name)),
                self.ctx,
                self.scratch,
                &mut |_| {},
                &mut |_| {},
            ),
            Vec::new(),
        )
    }
}

/// Adds what could not be read to a status: a scanned input becomes partly scanned.
fn add_problem(status: &mut InputStatus, problem: String) {
    *status = match std::mem::replace(status, InputStatus::Scanned) {
        InputStatus::Scanned => InputStatus::Partial(problem),
        InputStatus::Partial(p) => InputStatus::Partial(format!("{p}; {problem}")),
        other => other,
    };
}

fn too_large() -> String {
    format!(
        "a message larger than {} MiB: the rest of it was not scanned",
        mbox::MAX_MESSAGE >> 20
    )
}

/// What a PDF's pages without text are told with.
fn no_text_layer(pages: &[usize], total: usize) -> String {
    if pages.len() == total {
        return format!(
            "no text layer: its {total} page(s) show only images (a scan?) and were not read \
             (--ocr reads them)"
        );
    }
    let list: Vec<String> = pages.iter().take(20).map(|p| p.to_string()).collect();
    let more = if pages.len() > 20 { ", ..." } else { "" };
    format!(
        "no text layer on page(s) {}{more}: they show only images and were not read \
         (--ocr reads them)",
        list.join(", ")
    )
}

/// What OCR reads: a file, or bytes read from a container.
enum OcrInput<'a> {
    File(&'a Path),
    Bytes(&'a [u8]),
}

fn failed(why: String) -> UnitResult {
    UnitResult::status(InputStatus::Failed(why))
}

fn describe(e: &io::Error) -> String {
    match limit_hit(e) {
        Some(limit) => limit.to_string(),
        None => e.to_string(),
    }
}

/// Copies a stream into an anonymous temporary file, rewound, for a reader that must seek.
fn spool(reader: &mut dyn Read) -> io::Result<File> {
    let mut file = tempfile::tempfile()?;
    io::copy(reader, &mut file)?;
    file.rewind()?;
    Ok(file)
}

impl Visitor for Walker<'_, '_, '_, '_> {
    fn member(&mut self, name: &str, reader: &mut dyn Read, stored: Option<u64>) {
        let (result, nested) = self.read_member(name, reader, stored);
        for m in nested {
            self.push(MemberResult {
                location: format!("{name}!{}", m.location),
                result: m.result,
                part: m.part,
            });
        }
        self.push(MemberResult {
            location: name.to_string(),
            result,
            part: false,
        });
    }

    fn not_scanned(&mut self, name: &str, reason: String) {
        self.push(MemberResult {
            location: name.to_string(),
            result: failed(reason),
            part: false,
        });
    }
}
