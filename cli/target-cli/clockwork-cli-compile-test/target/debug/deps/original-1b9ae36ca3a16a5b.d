/work/main/cli/target-cli/clockwork-cli-compile-test/target/debug/deps/original-1b9ae36ca3a16a5b.d: src/bin/original.rs

/work/main/cli/target-cli/clockwork-cli-compile-test/target/debug/deps/original-1b9ae36ca3a16a5b: src/bin/original.rs

src/bin/original.rs:
