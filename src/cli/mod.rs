//! The commands whose argument handling is more than a few lines.

pub mod anonymise;
pub mod args;
pub mod datamap;
pub mod register;
pub mod scan;
pub mod settings;

use anyhow::{bail, Context, Result};
use piiscan::guard::config::{FILE_NAME, STARTER};
use std::process::ExitCode;

/// `piiscan init`: writes the commented starter configuration in the current directory.
pub fn init(force: bool) -> Result<ExitCode> {
    let path = std::path::Path::new(FILE_NAME);
    if path.exists() && !force {
        bail!("{FILE_NAME} exists already (use --force to overwrite it)");
    }
    std::fs::write(path, STARTER).with_context(|| format!("writing {FILE_NAME}"))?;
    eprintln!("piiscan: wrote {FILE_NAME}; edit it, then run `piiscan scan .`");
    Ok(ExitCode::SUCCESS)
}
