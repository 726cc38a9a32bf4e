//! The commands whose argument handling is more than a few lines.

pub mod anonymise;
pub mod args;
pub mod breach;
pub mod datamap;
pub mod erase;
pub mod exit;
pub mod pipe;
pub mod register;
pub mod risk;
pub mod scan;
pub mod settings;
pub mod subject;

use crate::cli::exit::Exit;
use anyhow::{bail, Context, Result};
use piiscan::guard::config::{FILE_NAME, STARTER};

/// `piiscan init`: writes the commented starter configuration in the current directory.
pub fn init(force: bool) -> Result<Exit> {
    let path = std::path::Path::new(FILE_NAME);
    if path.exists() && !force {
        bail!("{FILE_NAME} exists already (use --force to overwrite it)");
    }
    std::fs::write(path, STARTER).with_context(|| format!("writing {FILE_NAME}"))?;
    eprintln!("piiscan: wrote {FILE_NAME}; edit it, then run `piiscan scan .`");
    Ok(Exit::Clean)
}

/// Refuses an output path that is one of the inputs or an existing file inside them (through
/// links and `..` too: both sides are compared canonical).
pub fn refuse_input_as_output(out: &std::path::Path, inputs: &[std::path::PathBuf]) -> Result<()> {
    let Ok(out) = out.canonicalize() else {
        return Ok(()); // does not exist yet: it cannot be an input
    };
    for input in inputs {
        if let Ok(input) = input.canonicalize() {
            if out == input || out.starts_with(&input) {
                bail!(
                    "--out {} is one of the inputs (or inside them): choose a new file",
                    out.display()
                );
            }
        }
    }
    Ok(())
}
