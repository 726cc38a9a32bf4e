//! Integration tests: one binary, one module per area.

mod accuracy;
mod anonymise;
mod anonymise_safety;
mod bad_input;
mod cli;
mod common;
mod containers;
mod datamap;
mod documents;
mod dump_conformance;
mod encodings;
mod guard;
mod keys;
mod output;
mod parallel;
mod pgarchive;
mod readers;
mod register;
mod restore;
mod sampling;
mod structured;
mod terminal;
