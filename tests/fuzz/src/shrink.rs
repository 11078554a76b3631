//! Shrinking: from a failing program to a small one that fails the same way.
//!
//! Greedy, one step at a time: all the programs one cut smaller ([`Program::shrink_steps`],
//! biggest cuts first) are checked in chunks, each chunk as one batch crate, and the first that
//! still fails with the same class of failure (and still compiles as plain Rust) becomes the new
//! program. It stops when no cut keeps the failure, or after [`TIME_LIMIT`].
//!
//! A macro panic or a rejection by the transform shows without compiling, so candidates are
//! first sorted out in this process and only those that keep the failure are compiled, to check
//! that they are still valid plain Rust.

use crate::driver::{Driver, Verdict};
use crate::program::Program;
use crate::{Outcome, check, expand_in_process};
use std::time::{Duration, Instant};

/// Candidates compiled together in one batch.
const CHUNK: usize = 40;
/// Time one failure may take to shrink.
const TIME_LIMIT: Duration = Duration::from_secs(150);

/// The smallest program found that fails like `failing`, with its own outcome.
pub fn shrink(driver: &Driver, failing: &Program, outcome: &Outcome) -> (Program, Outcome) {
    let class = outcome.class();
    let in_process = matches!(outcome, Outcome::MacroPanic(_) | Outcome::Rejected(_));
    let started = Instant::now();
    let mut best = (failing.clone(), outcome.clone());
    'smaller: while started.elapsed() < TIME_LIMIT {
        let steps = best.0.shrink_steps();
        for chunk in steps.chunks(CHUNK) {
            if started.elapsed() >= TIME_LIMIT {
                break 'smaller;
            }
            let found = if in_process {
                first_valid_in_process(driver, chunk, &class)
            } else {
                let programs = named(chunk.iter());
                check(driver, &programs)
                    .into_iter()
                    .enumerate()
                    .find(|(_, o)| o.class() == class)
                    .map(|(k, o)| (chunk[k].clone(), o))
            };
            if let Some(smaller) = found {
                best = smaller;
                continue 'smaller;
            }
        }
        break;
    }
    best
}

/// The first candidate that keeps the in-process failure and whose plain copy compiles.
fn first_valid_in_process(
    driver: &Driver,
    chunk: &[Program],
    class: &str,
) -> Option<(Program, Outcome)> {
    let keep: Vec<(&Program, Outcome)> = chunk
        .iter()
        .filter_map(|p| {
            expand_in_process(p)
                .filter(|o| o.class() == class)
                .map(|o| (p, o))
        })
        .collect();
    if keep.is_empty() {
        return None;
    }
    let programs = named(keep.iter().map(|(p, _)| *p));
    let cases: Vec<_> = programs
        .iter()
        .map(|(id, p)| crate::driver::Case {
            id: id.clone(),
            native: p.native(),
            machine: p.machine(),
            output_ty: p.output.rust().to_string(),
        })
        .collect();
    driver
        .check(&cases)
        .iter()
        .position(|v| !matches!(v, Verdict::NativeCompileError(_)))
        .map(|k| (keep[k].0.clone(), keep[k].1.clone()))
}

fn named<'a>(programs: impl Iterator<Item = &'a Program>) -> Vec<(String, Program)> {
    programs
        .enumerate()
        .map(|(k, p)| (format!("s{k}"), p.clone()))
        .collect()
}
