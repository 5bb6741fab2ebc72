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

/// A small 2-2-2 network in the JSON format of `docs/formats.md`.
pub(crate) const NET: &str = r#"{"neuron": {"alpha": 1.0, "beta": 0.9, "theta": 1.0}, "inputs": 2,
  "populations": [{"name": "h", "size": 2}, {"name": "o", "size": 2}],
  "projections": [{"from": "input", "to": "h", "weights": [[3.0, 2.0], [2.5, 3.5]]},
                  {"from": "h", "to": "o", "weights": [[2.0, 1.5], [1.5, 2.0]]}],
  "t_max": 10.0}"#;

/// Input spikes for [`NET`].
pub(crate) const INPUT: &str = r#"{"input_spikes": [[0.0], [1.0]]}"#;
