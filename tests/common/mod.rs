//! Helpers shared by the integration tests that run the examples.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;
use std::sync::Mutex;

/// Path of a compiled example, built (once per test process) with the profile of the
/// test binary, so that running one test target alone never uses a stale example.
/// `cargo test` has released its build lock by the time tests run, so this does not block.
pub(crate) fn example(name: &str) -> PathBuf {
    static BUILT: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    let path = dir.join("examples").join(name);
    let mut built = BUILT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if !built.iter().any(|b| b == name) {
        // target/<profile dir>/deps/<test binary>: "debug" is the dev profile
        let profile = match dir.file_name().and_then(|n| n.to_str()) {
            Some("debug") | None => "dev",
            Some(other) => other,
        };
        let out = Command::new(env!("CARGO"))
            .args(["build", "--quiet", "--profile", profile, "--example", name])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "building example {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        built.push(name.to_owned());
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
