//! Small fixtures shared by the crates' tests and the top-level tests: a 2-2-2 network in the
//! JSON format of `docs/formats.md`, an input for it, and edits of it.

/// A small 2-2-2 network in the JSON format of `docs/formats.md`.
pub const NET: &str = r#"{"neuron": {"alpha": 1.0, "beta": 0.9, "theta": 1.0}, "inputs": 2,
  "populations": [{"name": "h", "size": 2}, {"name": "o", "size": 2}],
  "projections": [{"from": "input", "to": "h", "weights": [[3.0, 2.0], [2.5, 3.5]]},
                  {"from": "h", "to": "o", "weights": [[2.0, 1.5], [1.5, 2.0]]}],
  "t_max": 10.0}"#;

/// Input spikes for [`NET`].
pub const INPUT: &str = r#"{"input_spikes": [[0.0], [1.0]]}"#;

/// [`NET`] with the first `from` replaced by `to`.
///
/// # Panics
/// If [`NET`] does not contain `from`.
#[track_caller]
#[must_use]
pub fn edit_net(from: &str, to: &str) -> String {
    assert!(NET.contains(from), "fixture lacks {from}");
    NET.replacen(from, to, 1)
}
