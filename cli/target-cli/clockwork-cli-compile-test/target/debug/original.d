/work/main/cli/target-cli/clockwork-cli-compile-test/target/debug/original: /work/main/cli/target-cli/clockwork-cli-compile-test/crate/src/bin/original.rs
