//! Helpers shared by the integration tests that run the examples.
#![allow(dead_code)]

use std::path::PathBuf;

/// Path of a compiled example, as `cargo test` builds them (beside the test binary's
/// directory, with the same profile and features). Tests never build anything themselves.
/// Running one test target alone (`cargo test --test cli`) does not build the examples:
/// build them first (`cargo build --examples`, with the same profile), or the test stops
/// here and says so.
pub(crate) fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    // target/<profile dir>/deps/<test binary>
    let dir = exe.parent().unwrap().parent().unwrap();
    let path = dir.join("examples").join(name);
    assert!(
        path.exists(),
        "example `{name}` is not built at {}: `cargo test` builds the examples; when running \
         one test target alone, run `cargo build --examples` (same profile) first",
        path.display()
    );
    path
}

/// The small 2-2-2 network and its input, shared with the crates' tests (not every test
/// binary that includes this module uses them).
#[allow(unused_imports)]
pub(crate) use fpsnn_testkit::{INPUT, NET};
