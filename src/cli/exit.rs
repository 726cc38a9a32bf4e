//! The exit statuses of the contract, in one place: 0 the run is clean (nothing at or above
//! `--fail-on`, an output verified, a register in sync), 1 a check failed (findings at or above
//! `--fail-on`, an unexpected leftover, register drift), 2 the verdict is incomplete (a usage
//! error, or an input that could not be read completely).

use std::process::ExitCode;

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: ran, and every check passed.
    Clean,
    /// 1: ran, and a check failed.
    CheckFailed,
    /// 2: something was not read or done, or the command line or configuration was unusable.
    Incomplete,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        match exit {
            Exit::Clean => ExitCode::SUCCESS,
            Exit::CheckFailed => ExitCode::from(1),
            Exit::Incomplete => ExitCode::from(2),
        }
    }
}
