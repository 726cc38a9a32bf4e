//! Integration tests: one binary, one module per area.

mod accuracy;
mod anonymise;
mod bad_input;
mod cli;
mod common;
mod datamap;
mod encodings;
mod guard;
mod output;
mod parallel;
mod register;
mod restore;
mod sampling;
mod structured;
mod terminal;
