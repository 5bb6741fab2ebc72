//! Helpers shared by the integration tests that run the examples.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

/// Path of a compiled example: `cargo test` builds the examples next to the test binaries;
/// when only one test target was built, build the example first.
pub(crate) fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    let path = dir.join("examples").join(name);
    if !path.exists() {
        let status = Command::new(env!("CARGO"))
            .args(["build", "--example", name])
            .status()
            .unwrap();
        assert!(status.success(), "building example {name}");
    }
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
