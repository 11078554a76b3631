//! Random-mutation fuzzing of the whole CLI path (parse, select, expand, explain, graph,
//! render, highlight, error rendering): mutated versions of the test inputs must never panic.
//! Deterministic (fixed seeds), small and fast.

use clockwork_cli::app;
use clockwork_cli::cli::Action;
use clockwork_cli::error::{self, CliError};
use clockwork_cli::graph::Format;
use clockwork_cli::select::Unit;
use clockwork_cli::source::Source;

/// xorshift64*: enough randomness for mutations, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const SNIPPETS: &[&str] = &[
    ".await",
    "?",
    "{",
    "}",
    "(",
    ")",
    ";",
    "loop { ",
    "break",
    "continue",
    "return ",
    "async ",
    "move ",
    "match x { _ => ",
    "if c { ",
    "} else { ",
    "let _ = ",
    "'a",
    "\"",
    "é",
    "\t",
    "\n",
    "self",
    "&mut ",
    "|| ",
    "async { ",
    "for i in 0..n { ",
    "while let Some(v) = it.next().await { ",
    "#[state_machine]",
    "impl S { ",
    "mod m { ",
    "r#\"",
    "/*",
    "*/",
    "//",
    "'",
    "0x",
    "::",
    "<T>",
    "-> ",
    "where T: Send ",
    "unsafe ",
    "const ",
    "dyn ",
    "yield ",
    "try_it()?.await",
    "(a, b) = ",
    "[0u8; 4]",
];

fn mutate(rng: &mut Rng, base: &str) -> String {
    let mut s: Vec<char> = base.chars().collect();
    for _ in 0..1 + rng.below(2) {
        let at = rng.below(s.len() + 1);
        match rng.below(4) {
            0 => {
                // Insert a snippet.
                let snip: Vec<char> = SNIPPETS[rng.below(SNIPPETS.len())].chars().collect();
                s.splice(at..at, snip);
            }
            1 if !s.is_empty() => {
                // Delete a run.
                let end = (at + 1 + rng.below(8)).min(s.len());
                let at = at.min(end);
                s.drain(at..end);
            }
            2 if !s.is_empty() => {
                // Duplicate a run elsewhere.
                let a = rng.below(s.len());
                let b = (a + 1 + rng.below(30)).min(s.len());
                let run: Vec<char> = s[a..b].to_vec();
                let at = rng.below(s.len() + 1);
                s.splice(at..at, run);
            }
            _ => {
                // Replace a char by a random printable one.
                if at < s.len() {
                    s[at] = char::from(b' ' + (rng.below(95) as u8));
                }
            }
        }
    }
    s.into_iter().collect()
}

fn run_all(text: &str) -> (usize, usize) {
    let source = Source::new("fuzz.rs", text);
    let ast = match source.parse() {
        Ok(ast) => ast,
        Err(e) => {
            assert!(error::render(&e, true).contains("error"));
            return (0, 1);
        }
    };
    let unit = || {
        vec![Unit {
            prefix: vec![],
            source: source.clone(),
            ast: ast.clone(),
        }]
    };
    let mut ok = 0;
    let actions = [
        Action::Expand {
            item: None,
            all: true,
            ugly: false,
            standalone: false,
        },
        Action::Expand {
            item: None,
            all: false,
            ugly: true,
            standalone: false,
        },
        Action::Expand {
            item: Some("0".into()),
            all: false,
            ugly: false,
            standalone: false,
        },
        Action::Explain { item: "1".into() },
        Action::Graph {
            item: "example".into(),
            format: Format::Mermaid,
        },
        Action::Graph {
            item: "0".into(),
            format: Format::Dot,
        },
        Action::Graph {
            item: "S::tick".into(),
            format: Format::Json,
        },
    ];
    for action in &actions {
        match app::execute(unit(), action, true) {
            Ok(_) => ok += 1,
            Err(CliError::Internal { message, .. }) => {
                panic!("the transform panicked on:\n{text}\n{message}")
            }
            Err(e) => {
                assert!(!error::render(&e, false).is_empty());
            }
        }
    }
    (ok, 0)
}

#[test]
fn mutated_inputs_never_panic() {
    let bases = [
        include_str!("inputs/seed.rs"),
        include_str!("inputs/read_loop.rs"),
        include_str!("inputs/method.rs"),
        include_str!("inputs/runnable.rs"),
    ];
    let (mut ok, mut unparsed, mut cases) = (0, 0, 0);
    for seed in 1..=400u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let base = bases[rng.below(bases.len())];
        let text = mutate(&mut rng, base);
        let (o, u) = run_all(&text);
        ok += o;
        unparsed += u;
        cases += 1;
        proc_macro2::extra::invalidate_current_thread_spans();
    }
    eprintln!("fuzz: {cases} mutated inputs, {unparsed} did not parse, {ok} commands succeeded");
    assert!(
        ok > 0 && unparsed > 0,
        "the mutations reach both the parser's errors and the transform"
    );
}

#[test]
fn highlight_and_comment_rewriting_are_total() {
    let mut rng = Rng(42);
    for _ in 0..300 {
        let text = mutate(&mut rng, include_str!("inputs/runnable.rs"));
        let h = clockwork_cli::highlight::highlight(&text);
        assert_eq!(clockwork_cli::highlight::strip(&h), text);
        clockwork_cli::render::doc_comments_to_comments(&text);
        let doc = mutate(
            &mut rng,
            "    #[doc = \"// SAFETY: `a` \\\"b\\\" \\u{e9} \\n c\"]\n    let x = 1;\n",
        );
        clockwork_cli::render::doc_comments_to_comments(&doc);
    }
}
