//! Office documents as text: placeholder replaced below.
use super::super::input::Document;
use super::Budget;
use std::io::{self, Read, Seek};

/// The text of a document.
///
/// # Errors
/// The document cannot be read.
pub fn text<R: Read + Seek>(_reader: R, _doc: Document, _budget: &Budget) -> io::Result<String> {
    Err(io::Error::other("not yet"))
}
