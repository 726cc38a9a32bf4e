//! Integration tests: one binary, one module per area.

mod accuracy;
mod anonymise;
mod anonymise_safety;
mod bad_input;
mod cli;
mod common;
mod encodings;
mod guard;
mod output;
mod parallel;
mod register;
mod restore;
mod structured;
