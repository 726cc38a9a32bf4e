//! Table data: the length-prefixed chunks of a custom archive, the decompressors (zlib or
//! gzip, LZ4 frames, Zstandard frames), and the rows of pg_dump's COPY text format.

use super::header::{corrupt, Primitives};
use crate::source::table::sqldump::binary::{pg_value, Hint, View};
use crate::source::table::sqldump::copy_text_field as copy_field;
use crate::source::table::TableSink;
use std::io::{self, BufRead, BufReader, Read};

/// Most bytes of one large object kept for scanning.
pub const MAX_BLOB: u64 = 64 * 1024 * 1024;

/// The data of one block of a custom archive: chunks of an integer length and that many
/// bytes, ended by a zero length.
pub struct Chunks<'p, R> {
    src: &'p mut Primitives<R>,
    left: u64,
    done: bool,
}

impl<'p, R: Read> Chunks<'p, R> {
    /// The chunks that start at the reader's position.
    pub fn new(src: &'p mut Primitives<R>) -> Self {
        Chunks {
            src,
            left: 0,
            done: false,
        }
    }

    /// Reads past what is left of the block (without decompressing it).
    pub fn drain(&mut self) -> io::Result<()> {
        io::copy(self, &mut io::sink()).map(|_| ())
    }
}

impl<R: Read> Read for Chunks<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.done || buf.is_empty() {
            return Ok(0);
        }
        while self.left == 0 {
            let at = self.src.pos;
            let len = self.src.int()?;
            if len == 0 {
                self.done = true;
                return Ok(0);
            }
            if len < 0 {
                return Err(corrupt(at, "negative data chunk length"));
            }
            self.left = len as u64;
        }
        let want = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let got = self.src.inner().read(&mut buf[..want])?;
        if got == 0 {
            return Err(corrupt(
                self.src.pos,
                "the archive ends inside a data chunk (truncated)",
            ));
        }
        self.src.pos += got as u64;
        self.left -= got as u64;
        Ok(got)
    }
}

/// How a data stream is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    /// Stored as is.
    Plain,
    /// zlib or gzip (told apart by the first bytes).
    Deflate,
    /// LZ4 frames.
    Lz4,
    /// Zstandard frames.
    Zstd,
}

impl Codec {
    /// The codec a directory or tar data file's name says (`.gz`, `.lz4`, `.zst`).
    pub fn of_name(name: &str) -> Codec {
        if name.ends_with(".gz") {
            Codec::Deflate
        } else if name.ends_with(".lz4") {
            Codec::Lz4
        } else if name.ends_with(".zst") {
            Codec::Zstd
        } else {
            Codec::Plain
        }
    }
}

/// Zstandard frames one after another.
struct ZstdFrames<R: BufRead> {
    current: Option<ruzstd::decoding::StreamingDecoder<R, ruzstd::decoding::FrameDecoder>>,
}

fn zstd_error(e: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("zstd data broken: {e}"))
}

impl<R: BufRead> Read for ZstdFrames<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let Some(dec) = self.current.as_mut() else {
                return Ok(0);
            };
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
        }
    }
}

/// A decompressing reader over `raw`.
///
/// # Errors
/// The start of the stream is not valid for the codec.
pub fn decoder<'r>(codec: Codec, raw: impl Read + 'r) -> io::Result<Box<dyn Read + 'r>> {
    Ok(match codec {
        Codec::Plain => Box::new(raw),
        Codec::Deflate => {
            let mut raw = BufReader::with_capacity(64 * 1024, raw);
            if raw.fill_buf()?.starts_with(&[0x1F, 0x8B]) {
                Box::new(flate2::bufread::MultiGzDecoder::new(raw))
            } else {
                Box::new(flate2::bufread::ZlibDecoder::new(raw))
            }
        }
        Codec::Lz4 => Box::new(lz4_flex::frame::FrameDecoder::new(raw)),
        Codec::Zstd => {
            let mut raw = BufReader::with_capacity(64 * 1024, raw);
            if raw.fill_buf()?.is_empty() {
                return Ok(Box::new(io::empty()));
            }
            let first = ruzstd::decoding::StreamingDecoder::new(raw).map_err(zstd_error)?;
            Box::new(ZstdFrames {
                current: Some(first),
            })
        }
    })
}

/// Rows read from one data stream.
#[derive(Debug, Default, Clone, Copy)]
pub struct Copied {
    /// Data rows passed to the sink.
    pub rows: u64,
    /// The sink asked for no more rows (the rest of the stream was not parsed).
    pub stopped: bool,
}

/// Reads COPY text rows (tab-separated fields, `\N` for NULL, backslash escapes) until the
/// `\.` line, pushing each to `sink`.
///
/// # Errors
/// Read or decompression errors, and a stream that ends without the `\.` line pg_dump
/// writes after the last row (a cut archive); the rows before are already in `sink`.
/// `hints` says what each column is declared as: `bytea` values are decoded and scanned as
/// text when they are text, else passed as NULL and told to the sink
/// ([`TableSink::binary`]).
pub fn copy_rows(
    data: &mut dyn Read,
    hints: &[Hint],
    sink: &mut dyn TableSink,
) -> io::Result<Copied> {
    let mut input = BufReader::with_capacity(64 * 1024, data);
    let mut line = Vec::new();
    let mut fields: Vec<Vec<u8>> = Vec::new();
    let mut nulls: Vec<bool> = Vec::new();
    let mut binary: Vec<usize> = Vec::new();
    let mut out = Copied::default();
    loop {
        line.clear();
        let read = input
            .read_until(b'\n', &mut line)
            .map_err(|e| io::Error::new(e.kind(), format!("after data row {}: {e}", out.rows)))?;
        if read == 0 || line.last() != Some(&b'\n') {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "the table data ends after row {} without pg_dump's end marker (truncated)",
                    out.rows
                ),
            ));
        }
        let text = &line[..line.len() - 1];
        if text == b"\\." {
            return Ok(out);
        }
        let mut n = 0;
        binary.clear();
        for raw in text.split(|&b| b == b'\t') {
            if fields.len() <= n {
                fields.push(Vec::new());
                nulls.push(false);
            }
            nulls[n] = !copy_field(raw, &mut fields[n]);
            let hint = hints.get(n).copied().unwrap_or(Hint::Unknown);
            if !nulls[n] && pg_value(&mut fields[n], hint) == View::Binary {
                nulls[n] = true;
                binary.push(n);
            }
            n += 1;
        }
        let cells: Vec<Option<&[u8]>> = fields[..n]
            .iter()
            .zip(&nulls[..n])
            .map(|(f, &null)| if null { None } else { Some(f.as_slice()) })
            .collect();
        out.rows += 1;
        let more = sink.row(&cells);
        for &i in &binary {
            sink.binary(i);
        }
        if !more {
            out.stopped = true;
            return Ok(out);
        }
    }
}

/// The bytes of one large object, at most [`MAX_BLOB`]; whether it was longer.
///
/// # Errors
/// Read or decompression errors.
pub fn blob(data: &mut dyn Read) -> io::Result<(Vec<u8>, bool)> {
    let mut out = Vec::new();
    data.take(MAX_BLOB).read_to_end(&mut out)?;
    let longer = io::copy(data, &mut io::sink())? > 0;
    Ok((out, longer))
}
