/work/main/cli/target-cli/clockwork-cli-compile-test/target/debug/deps/expanded-5f918402e41e60b5.d: src/bin/expanded.rs

/work/main/cli/target-cli/clockwork-cli-compile-test/target/debug/deps/expanded-5f918402e41e60b5: src/bin/expanded.rs

src/bin/expanded.rs:
