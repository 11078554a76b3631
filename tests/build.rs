//! Collects the differential case files for the `sizes` report, so that every case is measured
//! without keeping a list by hand.
use std::fmt::Write;

fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    println!("cargo::rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("differential") && n.ends_with(".rs"))
        })
        // The `sizes` binary has no tokio (a dev-dependency): its cases are left out.
        .filter(|p| !std::fs::read_to_string(p).is_ok_and(|t| t.contains("tokio::")))
        .collect();
    files.sort();
    let mut out = String::new();
    let mut mods = Vec::new();
    let out_dir = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap());
    for f in &files {
        let stem = f.file_stem().unwrap().to_str().unwrap().to_string();
        // `include!` cannot take inner doc comments (`//!`): drop them from a copy.
        let text: String = std::fs::read_to_string(f)
            .unwrap()
            .lines()
            .filter(|l| !l.trim_start().starts_with("//!"))
            .map(|l| format!("{l}\n"))
            .collect();
        let copy = out_dir.join(format!("{stem}.rs"));
        std::fs::write(&copy, text).unwrap();
        writeln!(
            out,
            "#[allow(unused, clippy::all)] mod {stem} {{ include!({:?}); }}",
            copy.display().to_string()
        )
        .unwrap();
        mods.push(stem);
    }
    writeln!(
        out,
        "/// Every differential case's (name, rustc size, our size)."
    )
    .unwrap();
    writeln!(
        out,
        "pub fn every_case() -> Vec<(&'static str, usize, usize)> {{"
    )
    .unwrap();
    writeln!(out, "    let mut v = Vec::new();").unwrap();
    for m in &mods {
        writeln!(out, "    v.extend({m}::all_sizes());").unwrap();
    }
    writeln!(out, "    v\n}}").unwrap();
    let dest = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("cases.rs");
    std::fs::write(dest, out).unwrap();
}
