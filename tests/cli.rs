//! The examples' command lines on bad input: one-line message, exit status 2, no panic.

mod common;

use std::process::Command;

use common::{INPUT, NET, example};

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(example("simulate"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn simulate_prints_spikes_jacobian_and_loss() {
    let dir = tempfile::tempdir().unwrap();
    let net = write(&dir, "net.json", NET);
    let input = write(&dir, "in.json", INPUT);
    let (code, stdout, stderr) = run(&[
        "--net",
        &net,
        "--input",
        &input,
        "--grad",
        "--loss",
        "first-spike-ce",
        "--label",
        "1",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(json["spikes"]["o"].is_array());
    assert!(
        json["jacobian"]["o"][0][0]
            .as_array()
            .is_some_and(|row| row.len() == 8)
    );
    assert!(json["loss"].as_f64().is_some_and(f64::is_finite));
    assert_eq!(json["loss_grad"].as_array().map(Vec::len), Some(8));
    // the adjoint gives the same loss gradient
    let (code, adj, _) = run(&[
        "--net",
        &net,
        "--input",
        &input,
        "--method",
        "adjoint",
        "--loss",
        "first-spike-ce",
        "--label",
        "1",
    ]);
    assert_eq!(code, 0);
    let adj: serde_json::Value = serde_json::from_str(&adj).unwrap();
    for (a, b) in json["loss_grad"]
        .as_array()
        .unwrap()
        .iter()
        .zip(adj["loss_grad"].as_array().unwrap())
    {
        let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
        assert!(
            (a - b).abs() <= 1e-10 * a.abs().max(1e-12) + 1e-15,
            "{a} vs {b}"
        );
    }
}

#[test]
fn simulate_rejects_bad_input_with_one_line_and_status_2() {
    let dir = tempfile::tempdir().unwrap();
    let good_net = write(&dir, "net.json", NET);
    let good_in = write(&dir, "in.json", INPUT);
    let nets = [
        ("malformed", "{\"neuron\": "),
        (
            "unknown population",
            &NET.replace("\"to\": \"o\"", "\"to\": \"nope\""),
        ),
        (
            "wrong shape",
            &NET.replace("[[2.0, 1.5], [1.5, 2.0]]", "[[2.0, 1.5]]"),
        ),
        ("infinite weight", &NET.replace("3.5", "1e999")),
        (
            "alpha <= 0",
            &NET.replace("\"alpha\": 1.0", "\"alpha\": 0.0"),
        ),
        (
            "theta < 0",
            &NET.replace("\"theta\": 1.0", "\"theta\": -1.0"),
        ),
        (
            "t_max <= 0",
            &NET.replace("\"t_max\": 10.0", "\"t_max\": 0.0"),
        ),
    ];
    let inputs = [
        ("unsorted", r#"{"input_spikes": [[1.0, 0.5], [1.0]]}"#),
        ("negative", r#"{"input_spikes": [[-1.0], [1.0]]}"#),
        ("channels", r#"{"input_spikes": [[1.0]]}"#),
        ("truncated", r#"{"input_spikes": [[1.0"#),
    ];
    let mut cases: Vec<(String, Vec<String>)> = Vec::new();
    for (name, text) in nets {
        let path = write(&dir, &format!("{}.json", name.replace(' ', "_")), text);
        cases.push((
            name.to_owned(),
            vec!["--net".into(), path, "--input".into(), good_in.clone()],
        ));
    }
    for (name, text) in inputs {
        let path = write(&dir, &format!("in_{name}.json"), text);
        cases.push((
            name.to_owned(),
            vec!["--net".into(), good_net.clone(), "--input".into(), path],
        ));
    }
    cases.push((
        "missing file".into(),
        vec![
            "--net".into(),
            "/nonexistent/net.json".into(),
            "--input".into(),
            good_in.clone(),
        ],
    ));
    cases.push(("unknown option".into(), vec!["--bogus".into()]));
    cases.push((
        "bad method".into(),
        vec![
            "--net".into(),
            good_net.clone(),
            "--input".into(),
            good_in.clone(),
            "--method".into(),
            "newton".into(),
        ],
    ));
    cases.push((
        "label out of range".into(),
        vec![
            "--net".into(),
            good_net.clone(),
            "--input".into(),
            good_in.clone(),
            "--loss".into(),
            "first-spike-ce".into(),
            "--label".into(),
            "7".into(),
        ],
    ));
    for (name, args) in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, stdout, stderr) = run(&args);
        assert_eq!(code, 2, "{name}: status {code}, stderr {stderr}");
        assert!(stdout.is_empty(), "{name}: printed {stdout}");
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        let lines: Vec<&str> = stderr.lines().collect();
        assert!(
            lines.len() == 1 && lines[0].starts_with("error: "),
            "{name}: {stderr}"
        );
    }
    assert_eq!(cases.len(), 15);
}

#[test]
fn digits_holds_out_a_validation_split_and_rejects_bad_settings() {
    let out = Command::new(example("digits"))
        .args([
            "--epochs",
            "1",
            "--hidden",
            "8",
            "--validation",
            "0.2",
            "--quiet",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("validation"), "{stdout}");
    for (args, expected) in [
        (["--encoding", "bogus"], "unknown --encoding `bogus`"),
        (["--validation", "1"], "--validation must be a fraction"),
        (["--validation", "NaN"], "--validation must be a fraction"),
        (
            ["--validation-seed", "1"],
            "--validation-seed needs --validation",
        ),
    ] {
        assert_rejected("digits", &[&args[..], &["--quiet"]].concat(), expected);
    }
}

/// Runs an example with `args` and checks it fails with status 2 and one error line that
/// holds `expected`, without a panic.
fn assert_rejected(name: &str, args: &[&str], expected: &str) {
    let out = Command::new(example(name)).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{name} {args:?}: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{name} {args:?}: {stderr}");
    assert!(stderr.contains(expected), "{name} {args:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{name} {args:?}: {stderr}");
}

#[test]
fn iris_holds_out_a_validation_split_and_rejects_bad_settings() {
    let out = Command::new(example("iris"))
        .args([
            "--runs",
            "2",
            "--epochs",
            "2",
            "--validation",
            "0.2",
            "--validation-seed",
            "3",
            "--quiet",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert_eq!(stdout.matches("  validation ").count(), 2, "{stdout}");
    assert!(
        stdout.contains("iris validation accuracy over 2 run(s)"),
        "{stdout}"
    );
    for (args, expected) in [
        (
            &["--validation", "1"][..],
            "--validation must be a fraction",
        ),
        (
            &["--validation", "-0.1"][..],
            "--validation must be a fraction",
        ),
        (&["--lr-decay", "0", "--lr-every", "5"][..], "schedule"),
        (&["--alpha", "-1"][..], "alpha"),
        (&["--bias", "0,x"][..], "--bias: cannot parse `x`"),
        (
            &["--average-from", "2"][..],
            "--average-from 2 is after the last epoch (1)",
        ),
        (&["--bias", "0,-1"][..], "bias"),
        (
            &["--split-seed", "-1"][..],
            "--split-seed: cannot parse `-1`",
        ),
        (
            &["--validation-seed", "2"][..],
            "--validation-seed needs --validation",
        ),
        (
            &["--validation", "0.2", "--validation-seed", "x"][..],
            "--validation-seed: cannot parse `x`",
        ),
    ] {
        let quick = ["--runs", "1", "--epochs", "1", "--quiet"];
        assert_rejected("iris", &[args, &quick[..]].concat(), expected);
    }
}

/// `yinyang --average-from`: a run saved after epoch 2 and resumed to epoch 3 reports the
/// same accuracies, and saves the same last weights, optimiser state and average, as a run
/// of 3 epochs straight.
#[test]
fn yinyang_averages_weights_across_a_resume() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).display().to_string();
    let yinyang = |args: &[&str]| {
        let small = ["--hidden", "8", "--average-from", "2", "--quiet"];
        let out = Command::new(example("yinyang"))
            .args(args)
            .args(small)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(out.status.success(), "{args:?}: {stdout}");
        // the accuracy line without its wall time
        stdout
            .lines()
            .find(|l| l.starts_with("run 0"))
            .and_then(|l| l.split("  wall").next())
            .unwrap()
            .to_owned()
    };
    let straight = yinyang(&["--epochs", "3", "--save", &path("straight.ckpt")]);
    yinyang(&["--epochs", "2", "--save", &path("first.ckpt")]);
    let resumed = yinyang(&[
        "--resume",
        &path("first.ckpt"),
        "--epochs",
        "3",
        "--save",
        &path("resumed.ckpt"),
    ]);
    assert_eq!(resumed, straight);
    // the same last weights, optimiser state and average (the histories differ: the first
    // part evaluated its last epoch, 2)
    let load = |name: &str| {
        use fpsnn::train::{AdamConfig, Trainer, flatten_weights};
        let loss = fpsnn::losses::FirstSpikeCrossEntropy::try_new(1.0, 1.0, 0.0, 2.0).unwrap();
        let config = fpsnn::train::TrainConfig {
            batch_size: 1,
            seed: 0,
            schedule: Default::default(),
            gradient: Default::default(),
        };
        let adam = AdamConfig::default().build().unwrap();
        let t = Trainer::resume(std::path::Path::new(&path(name)), loss, adam, config).unwrap();
        let average = t.weight_average().unwrap().clone();
        assert_eq!((average.from_epoch(), average.count()), (2, 2));
        let bits = |v: Vec<f64>| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        (
            bits(flatten_weights(t.network())),
            t.optimizer_state().clone(),
            bits(average.mean().unwrap()),
        )
    };
    assert_eq!(load("resumed.ckpt"), load("straight.ckpt"));
    // averaging from epoch 1 again on the resumed run: its first epochs' weights are gone
    assert_rejected(
        "yinyang",
        &[
            "--resume",
            &path("first.ckpt"),
            "--epochs",
            "3",
            "--hidden",
            "8",
            "--average-from",
            "1",
            "--quiet",
        ],
        "average from epoch",
    );
    // an average that would start after the last epoch is refused, not silently skipped
    assert_rejected(
        "yinyang",
        &["--epochs", "3", "--average-from", "4", "--quiet"],
        "--average-from 4 is after the last epoch (3)",
    );
}
