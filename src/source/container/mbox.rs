//! Mailboxes in the mbox format (mboxo, mboxrd, mboxcl: Thunderbird, mutt, Google Takeout,
//! `formail`): messages separated by `From ` lines, read one message at a time so that memory
//! holds one message however large the mailbox (a message beyond [`MAX_MESSAGE`] bytes is
//! cut, and that is said). A `>From ` line of a body is unquoted one level, as mboxrd writes it.

use memchr::memchr;
use std::io::{self, BufRead};

/// The bytes of one message held in memory at most; the rest of a longer one is not read.
pub const MAX_MESSAGE: usize = 256 << 20;

/// One line, at most `cap` bytes kept of it (the rest is passed over). Returns the bytes the
/// line had (0 at the end), and whether any were passed over.
fn read_line(
    reader: &mut dyn BufRead,
    line: &mut Vec<u8>,
    cap: usize,
) -> io::Result<(usize, bool)> {
    line.clear();
    let mut total = 0;
    let mut dropped = false;
    loop {
        let buf = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok((total, dropped));
        }
        let (used, done) = match memchr(b'\n', buf) {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        let room = cap.saturating_sub(line.len());
        line.extend_from_slice(&buf[..used.min(room)]);
        dropped |= used > room;
        total += used;
        reader.consume(used);
        if done {
            return Ok((total, dropped));
        }
    }
}

/// Whether a line is an mbox separator (`From ` followed by a sender and a date).
fn is_separator(line: &[u8]) -> bool {
    line.starts_with(b"From ")
}

/// Reads the messages of a mailbox in order, handing each (numbered from 1, without its `From `
/// line) to `on_message` with whether it was cut at [`MAX_MESSAGE`]. Returns the number of
/// messages.
///
/// # Errors
/// Reading failed; the messages before the failure were handed on.
pub fn walk(
    reader: &mut dyn BufRead,
    on_message: &mut dyn FnMut(u64, &[u8], bool),
) -> io::Result<u64> {
    let mut message: Vec<u8> = Vec::new();
    let mut line = Vec::new();
    let mut number = 0u64;
    let mut cut = false;
    let mut after_blank = true;
    loop {
        let (len, dropped) = read_line(reader, &mut line, MAX_MESSAGE + 1)?;
        if len == 0 {
            break;
        }
        if after_blank && is_separator(&line) {
            if number > 0 || !message.iter().all(u8::is_ascii_whitespace) {
                number += 1;
                finish(&mut message, number, cut, on_message);
            }
            cut = false;
            after_blank = false;
            continue;
        }
        after_blank = line == b"\n" || line == b"\r\n";
        // mboxrd: `>From `, `>>From `: one `>` less.
        let quoted = line.iter().take_while(|&&b| b == b'>').count();
        let body: &[u8] = if quoted > 0 && line[quoted..].starts_with(b"From ") {
            &line[1..]
        } else {
            &line
        };
        if dropped || message.len() + body.len() > MAX_MESSAGE {
            cut = true;
            let room = MAX_MESSAGE - message.len().min(MAX_MESSAGE);
            message.extend_from_slice(&body[..room.min(body.len())]);
        } else {
            message.extend_from_slice(body);
        }
    }
    if number > 0 || !message.iter().all(u8::is_ascii_whitespace) {
        number += 1;
        finish(&mut message, number, cut, on_message);
    }
    Ok(number)
}

/// Hands on one message; the blank line before the next separator is the separator's.
fn finish(
    message: &mut Vec<u8>,
    number: u64,
    cut: bool,
    on_message: &mut dyn FnMut(u64, &[u8], bool),
) {
    on_message(number, message, cut);
    message.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(data: &[u8]) -> Vec<(u64, String, bool)> {
        let mut out = Vec::new();
        let mut r = io::Cursor::new(data);
        walk(&mut r, &mut |n, raw, cut| {
            out.push((n, String::from_utf8_lossy(raw).into_owned(), cut))
        })
        .unwrap();
        out
    }

    #[test]
    fn messages_are_split_at_from_lines_after_a_blank_line() {
        let data = b"From a@b Mon Jan  1 00:00:00 2024\nSubject: one\n\nbody\nFrom here on, text\n\n>From the body\n\n\
            From c@d Tue Jan  2 00:00:00 2024\nSubject: two\n\nsecond\n";
        let m = messages(data);
        assert_eq!(m.len(), 2, "{m:?}");
        assert!(m[0].1.starts_with("Subject: one\n"));
        assert!(
            m[0].1.contains("From here on, text\n"),
            "not after a blank line: no separator"
        );
        assert!(m[0].1.contains("\nFrom the body\n"), "{:?}", m[0].1);
        assert_eq!(m[1].0, 2);
        assert!(m[1].1.contains("second"));
        assert!(messages(b"").is_empty());
    }

    #[test]
    fn a_long_line_is_cut_not_held() {
        let mut data = b"From x\nSubject: s\n\n".to_vec();
        data.extend(std::iter::repeat_n(b'a', 3000));
        let mut line = Vec::new();
        let mut r = io::Cursor::new(&data[19..]);
        let (len, dropped) = read_line(&mut r, &mut line, 100).unwrap();
        assert_eq!((len, dropped, line.len()), (3000, true, 100));
    }
}
