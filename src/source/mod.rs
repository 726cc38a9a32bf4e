//! Inputs: walking paths ([`walk`]), telling text from binary and which encoding ([`sniff`]),
//! decoding to UTF-8 ([`decode`]) and opening files, gzip-compressed or not ([`open`]), and naming them
//! independently of how they were reached ([`project`]).

pub mod container;
pub mod decode;
pub mod input;
pub mod open;
pub mod parse_error;
pub mod project;
pub mod sniff;
pub mod table;
pub mod walk;
