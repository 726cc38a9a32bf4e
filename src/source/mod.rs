//! Inputs: walking paths ([`walk`]), telling text from binary and which encoding ([`sniff`]),
//! decoding to UTF-8 ([`decode`]) and opening files, gzip-compressed or not ([`open`]), and naming them
//! independently of how they were reached ([`project`]); text read from images by OCR ([`ocr`]);
//! live PostgreSQL and MySQL databases named by a URL ([`database`]).

pub mod container;
pub mod database;
pub mod decode;
pub mod input;
pub mod ocr;
pub mod open;
pub mod parse_error;
pub mod project;
pub mod sniff;
pub mod table;
pub mod walk;
