//! Future sizes: rustc's own future for each differential case next to `#[state_machine]`'s.
//!
//! `cargo run -p clockwork-tests --bin sizes` prints one line per case and a summary. The target:
//! ours ≤ rustc's on at least 90% of the cases and never above 1.25×.

include!(concat!(env!("OUT_DIR"), "/cases.rs"));

fn main() {
    let mut cases = every_case();
    cases.sort_by(|a, b| a.0.cmp(b.0));
    println!("{:<40} {:>8} {:>8} {:>7}", "case", "rustc", "ours", "ratio");
    let mut ratios = Vec::new();
    for (name, rustc, ours) in &cases {
        let ratio = *ours as f64 / *rustc as f64;
        ratios.push(ratio);
        println!("{name:<40} {rustc:>8} {ours:>8} {ratio:>7.3}");
    }
    let n = ratios.len();
    let at_most = ratios.iter().filter(|r| **r <= 1.0).count();
    let mut sorted = ratios.clone();
    sorted.sort_by(f64::total_cmp);
    let median = if n == 0 { 0.0 } else { sorted[n / 2] };
    let max = sorted.last().copied().unwrap_or(0.0);
    println!();
    println!(
        "cases: {n}; ours <= rustc on {at_most} ({:.0}%); median ratio {median:.3}; max ratio {max:.3}",
        100.0 * at_most as f64 / n.max(1) as f64
    );
}
