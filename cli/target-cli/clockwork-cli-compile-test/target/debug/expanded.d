/work/main/cli/target-cli/clockwork-cli-compile-test/target/debug/expanded: /work/main/cli/target-cli/clockwork-cli-compile-test/crate/src/bin/expanded.rs
