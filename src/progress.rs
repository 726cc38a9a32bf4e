//! Progress on a terminal: files and bytes, with indicatif. Silent when standard error is not a
//! terminal, under CI (`CI` set), or with `--quiet`.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// A progress display that may be switched off.
#[derive(Debug, Clone)]
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A progress bar for `total_bytes`, shown only on an interactive terminal.
    pub fn new(total_bytes: u64, quiet: bool) -> Progress {
        let interactive = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
        if quiet || !interactive {
            return Progress::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(total_bytes), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:30} {bytes}/{total_bytes} ({bytes_per_sec}) {msg}",
        ) {
            bar.set_style(style);
        }
        Progress { bar: Some(bar) }
    }

    /// No display at all.
    pub fn hidden() -> Progress {
        Progress { bar: None }
    }

    /// Adds scanned bytes.
    pub fn add_bytes(&self, n: u64) {
        if let Some(b) = &self.bar {
            b.inc(n);
        }
    }

    /// Shows the number of files done.
    pub fn set_files(&self, done: usize, total: usize) {
        if let Some(b) = &self.bar {
            b.set_message(format!("{done}/{total} files"));
        }
    }

    /// Sets the text after the bar (`2/5 files: tickets.csv: rewriting`).
    pub fn set_message(&self, msg: String) {
        if let Some(b) = &self.bar {
            b.set_message(msg);
        }
    }

    /// Sets the bytes done (when a phase read a file by path, not through a reader).
    pub fn set_position(&self, bytes: u64) {
        if let Some(b) = &self.bar {
            b.set_position(bytes);
        }
    }

    /// Runs `f` with the bar hidden, so text written meanwhile is not drawn over.
    pub fn suspend<T>(&self, f: impl FnOnce() -> T) -> T {
        match &self.bar {
            Some(b) => b.suspend(f),
            None => f(),
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

/// A reader that adds the bytes read through it to a [`Progress`].
#[derive(Debug)]
pub struct ProgressReader<R> {
    inner: R,
    progress: Progress,
}

impl<R> ProgressReader<R> {
    /// Counts what is read from `inner` on `progress`.
    pub fn new(inner: R, progress: Progress) -> ProgressReader<R> {
        ProgressReader { inner, progress }
    }
}

impl<R: std::io::Read> std::io::Read for ProgressReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.add_bytes(n as u64);
        Ok(n)
    }
}
