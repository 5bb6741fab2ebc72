//! Smoke tests of the figure pipelines: `scaling --quick` and `yinyang --plots` on tiny
//! sizes write their CSV tables and PNG figures.

mod common;

use std::path::Path;
use std::process::Command;

use common::example;

fn run(name: &str, args: &[&str]) -> String {
    let out = Command::new(example(name)).args(args).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{name} {args:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn assert_png(path: &Path) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "{}",
        path.display()
    );
    assert!(
        bytes.len() > 5000,
        "{}: {} bytes",
        path.display(),
        bytes.len()
    );
}

#[test]
fn scaling_quick_writes_tables_and_plots() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("new/scaling");
    let stdout = run(
        "scaling",
        &["--quick", "--threads", "2", "--out", out.to_str().unwrap()],
    );
    assert!(stdout.contains("fitted slopes vs hidden: FP"), "{stdout}");
    assert!(stdout.contains("efficiency at 2 threads"), "{stdout}");
    for csv in ["simulation.csv", "gradients.csv", "threads.csv"] {
        let text = std::fs::read_to_string(out.join(csv)).unwrap();
        assert!(text.lines().count() >= 3, "{csv}: {text}");
    }
    for png in [
        "simulation_vs_neurons",
        "simulation_vs_input_spikes",
        "gradient_vs_hidden",
        "gradient_vs_depth",
        "gradient_vs_spikes",
        "gradient_vs_bound",
        "thread_scaling",
    ] {
        assert_png(&out.join(format!("{png}.png")));
    }
    // Forward propagation and the adjoint agree on every configuration.
    let gradients = std::fs::read_to_string(out.join("gradients.csv")).unwrap();
    for line in gradients.lines().skip(1) {
        let diff: f64 = line.rsplit(',').next().unwrap().parse().unwrap();
        assert!(diff < 1e-9, "{line}");
    }
}

#[test]
fn yinyang_plots_writes_all_five_kinds() {
    let dir = tempfile::tempdir().unwrap();
    let plots = dir.path().join("figures");
    run(
        "yinyang",
        &[
            "--epochs",
            "1",
            "--hidden",
            "12",
            "--quiet",
            "--plots",
            plots.to_str().unwrap(),
        ],
    );
    for png in [
        "training_curves",
        "first_spike_histograms",
        "decision_map",
        "raster",
        "membrane_potential",
    ] {
        assert_png(&plots.join(format!("{png}.png")));
    }
}
