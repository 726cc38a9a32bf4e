//! The CI guard: what turns a scan into a build gate. A project configuration
//! ([`config`], `.piiscan.toml`), allowlists ([`allow`]), baselines of accepted findings
//! ([`baseline`]), scanning only what git says changed ([`git`]), and the [`gate`] that filters
//! a scan's findings through all of them before they are reported.

pub mod allow;
pub mod baseline;
pub mod config;
pub mod gate;
pub mod git;
