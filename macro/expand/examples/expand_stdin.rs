//! `cargo run -p clockwork-expand --example expand_stdin < file.rs`: expands every async fn.
use std::io::Read;

fn main() {
    let mut src = String::new();
    std::io::stdin().read_to_string(&mut src).unwrap();
    let mut file = syn::parse_file(&src).expect("parse");
    let machine = clockwork_expand::default_support_path();
    if let Err(errs) = clockwork_expand::expand_file(&mut file, true, &machine) {
        for e in errs {
            let lc = e.span().start();
            eprintln!("{}:{}: {}", lc.line, lc.column + 1, e);
        }
        std::process::exit(1);
    }
    let text = prettyplease::unparse(&file).replace("/// // ", "// ");
    print!("{text}");
}
