//! insta snapshots of expansions: the seed example, the examples folder, and representative
//! inputs in tests/expand/. A change in the generated code shows up as a reviewable diff.
use std::path::Path;

fn expand(path: &Path) -> String {
    let src = std::fs::read_to_string(path).unwrap();
    let mut file = syn::parse_file(&src).unwrap();
    let machine = clockwork_expand::default_support_path();
    clockwork_expand::expand_file(&mut file, true, &machine)
        .unwrap_or_else(|e| panic!("{}: {}", path.display(), e[0]));
    prettyplease::unparse(&file)
}

fn snapshot_dir(dir: &str) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut paths: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    paths.sort();
    snapshot_files(&paths)
}

fn snapshot_files(paths: &[std::path::PathBuf]) -> usize {
    for p in paths {
        let name = p.file_stem().unwrap().to_str().unwrap().to_string();
        insta::assert_snapshot!(name, expand(p));
    }
    paths.len()
}

#[test]
fn representative_inputs() {
    assert!(snapshot_dir("expand") >= 4);
}

#[test]
fn examples() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_suffix("example");
    // The examples that show `#[state_machine]` (the I/O examples only run the runtime).
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let files: Vec<_> = ["seed_example.rs", "seed_timer.rs", "spawn_and_join.rs"]
        .iter()
        .map(|f| root.join(f))
        .collect();
    settings.bind(|| assert_eq!(snapshot_files(&files), 3));
}
