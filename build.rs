//! Embeds every rule pack and lexicon under `rules/` into the binary, so that adding a rule is
//! adding a data file: no code lists the rules.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, ext, out);
        } else if path.extension().and_then(|e| e.to_str()) == Some(ext) {
            out.push(path);
        }
    }
}

fn main() {
    let root =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let rules = root.join("rules");
    println!("cargo:rerun-if-changed=rules");
    let mut code = String::new();
    for (name, ext) in [("EMBEDDED_RULES", "toml"), ("EMBEDDED_LEXICONS", "txt")] {
        let mut files = Vec::new();
        collect(&rules, ext, &mut files);
        files.sort();
        code.push_str(&format!(
            "/// Files under `rules/` ending in `.{ext}`, as (relative path, text).\n"
        ));
        code.push_str(&format!("pub static {name}: &[(&str, &str)] = &[\n"));
        for file in &files {
            println!("cargo:rerun-if-changed={}", file.display());
            let rel = file
                .strip_prefix(&rules)
                .expect("under rules/")
                .to_string_lossy()
                .replace('\\', "/");
            code.push_str(&format!(
                "    ({rel:?}, include_str!({:?})),\n",
                file.display().to_string()
            ));
        }
        code.push_str("];\n");
    }
    let out =
        PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded_rules.rs");
    fs::write(out, code).expect("write embedded_rules.rs");
}
