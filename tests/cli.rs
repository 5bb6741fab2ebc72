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
        use fpsnn::train::{Setup, flatten_weights};
        let t = Setup::yin_yang_paper()
            .resume(std::path::Path::new(&path(name)))
            .unwrap();
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

/// `--threads` beyond 4 x the available cores (`fpsnn::core::check_threads`) is refused at
/// once by every example that builds a thread pool, with the rule in the message.
#[test]
fn examples_refuse_thread_counts_the_machine_cannot_honour() {
    let (net, input) = (data("xor_net.json"), data("xor_input.json"));
    let simulate = ["--net", net.as_str(), "--input", input.as_str()];
    let expected = "--threads: thread count 100000 exceeds the limit of";
    for (name, args) in [
        ("simulate", &simulate[..]),
        ("yinyang", &["--quiet"][..]),
        ("xor", &["--quiet"][..]),
        ("iris", &["--quiet"][..]),
        ("digits", &["--quiet"][..]),
        ("fashion", &["--quiet"][..]),
        ("scaling", &["--quick"][..]),
    ] {
        example(name); // built outside the timed run
        let started = std::time::Instant::now();
        assert_rejected(
            name,
            &[args, &["--threads", "100000"][..]].concat(),
            expected,
        );
        // a hang guard, not a benchmark: unchecked, this count spent over a minute
        // spawning threads; the check itself takes microseconds
        let seconds = started.elapsed().as_secs_f64();
        assert!(seconds < 20.0, "{name}: rejected only after {seconds} s");
    }
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    assert_rejected(
        "simulate",
        &[
            &simulate[..],
            &["--threads", &(4 * cores + 1).to_string()][..],
        ]
        .concat(),
        &format!(
            "exceeds the limit of {} (4 x the {cores} available cores)",
            4 * cores
        ),
    );
    // the limit itself and 0 (all cores) are accepted
    for threads in ["0", "1", &(4 * cores).to_string()] {
        let (code, _, stderr) = run(&[&simulate[..], &["--threads", threads][..]].concat());
        assert_eq!(code, 0, "--threads {threads}: {stderr}");
    }
}

/// Path of a file in `examples/data`.
fn data(name: &str) -> String {
    format!("{}/examples/data/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// The non-blank lines of an `--inputs` file, each parsed.
fn jsonl(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Runs `simulate` and returns its stdout, checking it succeeded.
fn simulate_ok(args: &[&str]) -> String {
    let (code, stdout, stderr) = run(args);
    assert_eq!(code, 0, "{args:?}: {stderr}");
    stdout
}

/// `--inputs`: one output line per input line, each equal to what `--input` prints for
/// that line alone; a line's label overrides `--label`, which serves lines without one.
#[test]
fn simulate_inputs_prints_one_line_per_input_equal_to_single_runs() {
    let dir = tempfile::tempdir().unwrap();
    let (net, inputs) = (data("xor_net.json"), data("xor_inputs.jsonl"));
    let lines = jsonl(&std::fs::read_to_string(&inputs).unwrap());
    assert_eq!(lines.len(), 4);
    let loss = ["--grad", "--loss", "first-spike-ce"];
    // every line has its own label, so --label 0 is overridden where a line says 1
    let batch = simulate_ok(
        &[
            &["--net", &net, "--inputs", &inputs, "--label", "0"][..],
            &loss[..],
        ]
        .concat(),
    );
    let outputs = jsonl(&batch);
    assert_eq!(batch.lines().count(), lines.len(), "{batch}");
    assert_eq!(outputs.len(), lines.len());
    for (k, (line, output)) in lines.iter().zip(&outputs).enumerate() {
        let label = line["label"].as_u64().unwrap().to_string();
        let single = write(
            &dir,
            &format!("in{k}.json"),
            &serde_json::json!({"input_spikes": line["input_spikes"]}).to_string(),
        );
        let alone = simulate_ok(
            &[
                &["--net", &net, "--input", &single, "--label", &label][..],
                &loss[..],
            ]
            .concat(),
        );
        let alone: serde_json::Value = serde_json::from_str(&alone).unwrap();
        assert_eq!(output, &alone, "line {}", k + 1);
        assert!(output["jacobian"]["output"].is_array());
        assert!(output["loss"].as_f64().is_some_and(f64::is_finite));
    }
    // without labels (and with blank lines between), --label serves every line
    let mut text = String::from("\n");
    for line in &lines {
        text += &format!(
            "{}\n  \n",
            serde_json::json!({"input_spikes": line["input_spikes"]})
        );
    }
    let unlabelled = write(&dir, "unlabelled.jsonl", &text);
    let out = simulate_ok(&[
        "--net",
        &net,
        "--inputs",
        &unlabelled,
        "--loss",
        "first-spike-ce",
        "--label",
        "1",
    ]);
    assert_eq!(out.lines().count(), 4, "{out}");
    let single = write(
        &dir,
        "second.json",
        &serde_json::json!({"input_spikes": lines[1]["input_spikes"]}).to_string(),
    );
    let alone = simulate_ok(&[
        "--net",
        &net,
        "--input",
        &single,
        "--loss",
        "first-spike-ce",
        "--label",
        "1",
    ]);
    let alone: serde_json::Value = serde_json::from_str(&alone).unwrap();
    assert_eq!(jsonl(&out)[1], alone);
    // spikes only, and the same bytes for any thread count
    let spikes =
        |threads: &str| simulate_ok(&["--net", &net, "--inputs", &inputs, "--threads", threads]);
    let one = spikes("1");
    assert_eq!(one, spikes("2"));
    assert!(
        jsonl(&one)
            .iter()
            .all(|o| o.as_object().unwrap().len() == 1 && o["spikes"].is_object())
    );
}

/// `--batch-gradient`: the trainer's minibatch mean of the loss and its weight gradient,
/// equal to the mean of the per-line `--loss` results, and the same bytes for 1 and 2
/// threads.
#[test]
fn simulate_batch_gradient_is_the_mean_of_the_line_gradients() {
    let (net, inputs) = (data("xor_net.json"), data("xor_inputs.jsonl"));
    let per_line = simulate_ok(&[
        "--net",
        &net,
        "--inputs",
        &inputs,
        "--loss",
        "first-spike-ce",
    ]);
    let per_line = jsonl(&per_line);
    let n = per_line.len() as f64;
    let floats = |v: &serde_json::Value| -> Vec<f64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect()
    };
    let mut mean = vec![0.0; floats(&per_line[0]["loss_grad"]).len()];
    for out in &per_line {
        for (m, g) in mean.iter_mut().zip(floats(&out["loss_grad"])) {
            *m += g / n;
        }
    }
    let mean_loss: f64 = per_line
        .iter()
        .map(|o| o["loss"].as_f64().unwrap())
        .sum::<f64>()
        / n;
    let batch_gradient = |method: &str, threads: &str| {
        simulate_ok(&[
            "--net",
            &net,
            "--inputs",
            &inputs,
            "--loss",
            "first-spike-ce",
            "--batch-gradient",
            "--method",
            method,
            "--threads",
            threads,
        ])
    };
    for method in ["fp", "adjoint"] {
        let one = batch_gradient(method, "1");
        assert_eq!(
            one,
            batch_gradient(method, "2"),
            "--method {method}: 1 vs 2 threads"
        );
        let out: serde_json::Value = serde_json::from_str(&one).unwrap();
        assert_eq!(out["samples"], 4);
        assert_eq!(out["skipped"], 0);
        // the per-line runs and the batch differ only by rounding (the batch simulates
        // outputs up to their first spike, as the trainer does, and sums in line order)
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-12;
        assert!(
            close(out["loss"].as_f64().unwrap(), mean_loss),
            "{method}: {out}"
        );
        let grad = floats(&out["loss_grad"]);
        assert_eq!(grad.len(), mean.len());
        assert!(grad.iter().any(|g| g.abs() > 1e-3), "{out}");
        for (j, (a, b)) in grad.iter().zip(&mean).enumerate() {
            assert!(close(*a, *b), "{method}: weight {j}: {a} vs {b}");
        }
    }
}

/// Bad `--inputs` files and settings: one error line naming the line number, status 2,
/// nothing printed (the good lines before the bad one included).
#[test]
fn simulate_inputs_rejects_bad_lines_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let net = data("xor_net.json");
    let good = r#"{"input_spikes": [[0.0], [2.0]], "label": 1}"#;
    for (name, bad, expected) in [
        (
            "malformed",
            r#"{"input_spikes": [[0.0], [2.0]"#,
            "EOF while parsing",
        ),
        ("not an object", "[[0.0], [2.0]]", "expected a JSON object"),
        (
            "channels",
            r#"{"input_spikes": [[0.0]], "label": 0}"#,
            "input has 1 channels, the network expects 2",
        ),
        (
            "unsorted",
            r#"{"input_spikes": [[1.0, 0.5], [2.0]], "label": 0}"#,
            "must be sorted",
        ),
        (
            "unknown field",
            r#"{"input_spikes": [[0.0], [2.0]], "lable": 0}"#,
            "unknown field `lable`",
        ),
        (
            "negative label",
            r#"{"input_spikes": [[0.0], [2.0]], "label": -1}"#,
            "\"label\" must be a non-negative integer, got -1",
        ),
        (
            "fractional label",
            r#"{"input_spikes": [[0.0], [2.0]], "label": 1.5}"#,
            "\"label\" must be a non-negative integer",
        ),
        (
            "string label",
            r#"{"input_spikes": [[0.0], [2.0]], "label": "1"}"#,
            "\"label\" must be a non-negative integer",
        ),
        (
            "label out of range",
            r#"{"input_spikes": [[0.0], [2.0]], "label": 2}"#,
            "label 2 is out of range for 2 output neurons",
        ),
        (
            "no label",
            r#"{"input_spikes": [[0.0], [2.0]]}"#,
            "no label: give \"label\" in the line or --label",
        ),
    ] {
        // the bad line is line 4: two good lines and a blank one before it
        let path = write(
            &dir,
            "bad.jsonl",
            &format!("{good}\n{good}\n\n{bad}\n{good}\n"),
        );
        for extra in [&[][..], &["--batch-gradient"][..]] {
            let args = [
                &["--net", &net, "--inputs", &path, "--loss", "first-spike-ce"][..],
                extra,
            ]
            .concat();
            let (code, stdout, stderr) = run(&args);
            assert_eq!(code, 2, "{name}: {stderr}");
            assert!(stdout.is_empty(), "{name}: printed {stdout}");
            assert_eq!(stderr.lines().count(), 1, "{name}: {stderr}");
            assert!(
                stderr.contains("bad.jsonl line 4: ") && stderr.contains(expected),
                "{name}: {stderr}"
            );
            assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        }
    }
    let inputs = data("xor_inputs.jsonl");
    let input = data("xor_input.json");
    let empty = write(&dir, "empty.jsonl", "\n\n");
    for (args, expected) in [
        (
            &["--input", &input, "--inputs", &inputs][..],
            "--input and --inputs are mutually exclusive",
        ),
        (&[][..], "missing --input IN.json (or --inputs IN.jsonl)"),
        (
            &["--inputs", &inputs, "--batch-gradient"][..],
            "--batch-gradient needs --loss",
        ),
        (
            &[
                "--input",
                &input,
                "--loss",
                "first-spike-ce",
                "--label",
                "1",
                "--batch-gradient",
            ][..],
            "--batch-gradient needs --inputs",
        ),
        (
            &[
                "--inputs",
                &inputs,
                "--loss",
                "first-spike-ce",
                "--batch-gradient",
                "--grad",
            ][..],
            "drop --grad",
        ),
        (
            &[
                "--inputs",
                &empty,
                "--loss",
                "first-spike-ce",
                "--batch-gradient",
            ][..],
            "no input lines",
        ),
        (
            &["--inputs", "/nonexistent/in.jsonl"][..],
            "/nonexistent/in.jsonl",
        ),
    ] {
        assert_rejected("simulate", &[&["--net", &net][..], args].concat(), expected);
    }
    // an empty batch without --batch-gradient has no output, and no error
    assert_eq!(simulate_ok(&["--net", &net, "--inputs", &empty]), "");
}

/// `throughput --quick` prints one table row per network, mode and thread count, with the
/// work model; `--net/--input` times one simulation of a given network (here a sparse one).
#[test]
fn throughput_prints_the_work_model_and_times_a_given_network() {
    let out = Command::new(example("throughput"))
        .args(["--quick", "--threads", "1"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| network"))
        .collect();
    // 3 networks x 2 modes x 1 thread count
    assert_eq!(rows.len(), 6, "{stdout}");
    for row in &rows {
        let cells: Vec<&str> = row.trim_matches('|').split('|').map(str::trim).collect();
        assert_eq!(cells.len(), 9, "{row}");
        // A N, E and the timings are positive numbers
        for cell in [cells[1], cells[2], cells[6], cells[7]] {
            assert!(cell.parse::<f64>().is_ok_and(|v| v > 0.0), "{row}");
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let net = write(
        &dir,
        "net.json",
        r#"{"neuron": {"alpha": 2.0, "beta": 1.0, "theta": 1.0}, "inputs": 2,
        "populations": [{"name": "r", "size": 3}],
        "projections": [
          {"from": "input", "to": "r", "synapses": [[0, 0, 4.0], [1, 2, 4.0]]},
          {"from": "r", "to": "r", "synapses": [[0, 1, 3.0], [2, 1, 3.0]], "delay": 0.5}],
        "t_max": 10.0}"#,
    );
    let input = write(&dir, "in.json", r#"{"input_spikes": [[0.5], [1.0]]}"#);
    let out = Command::new(example("throughput"))
        .args(["--net", &net, "--input", &input, "--repeats", "2"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("3 neurons, 4 synapses, 2 input spikes")
            && stdout.contains(" ms (fastest of 2)"),
        "{stdout}"
    );
    let out = Command::new(example("throughput"))
        .args(["--net", &net])
        .output()
        .unwrap();
    assert!(!out.status.success(), "--net without --input must fail");
}

/// Writes a Fashion-MNIST-like fixture into `dir`: 28x28 images, 40 training images
/// (gzipped, as Debian ships them) and 20 test images (plain); class `c` is a bright band
/// over rows `2c..2c + 3` on a faint textured background.
fn idx_fixture(dir: &std::path::Path) {
    use fpsnn::datasets::{ImageSet, MNIST_FILES, write_idx_image_set};
    let set = |count: usize, offset: usize| {
        let labels: Vec<u8> = (0..count).map(|k| (k % 10) as u8).collect();
        let pixels = labels
            .iter()
            .enumerate()
            .flat_map(|(k, &c)| {
                (0..784).map(move |p| {
                    let row = p / 28;
                    if (2 * usize::from(c)..2 * usize::from(c) + 3).contains(&row) {
                        180 + ((p + k) % 60) as u8
                    } else {
                        ((p * 7 + k + offset) % 23) as u8
                    }
                })
            })
            .collect();
        ImageSet::try_new(28, 28, 255, 10, pixels, labels).unwrap()
    };
    let path = |k: usize, gz: bool| {
        let name = MNIST_FILES[k];
        dir.join(if gz {
            format!("{name}.gz")
        } else {
            name.to_owned()
        })
    };
    write_idx_image_set(&set(40, 0), &path(0, true), &path(1, true)).unwrap();
    write_idx_image_set(&set(20, 5), &path(2, false), &path(3, false)).unwrap();
}

/// Runs `fashion` on the fixture in `data` with small settings and `args`; returns the
/// run line without its wall time, and the whole stdout.
fn fashion(data: &str, args: &[&str]) -> (String, String) {
    let small = [
        "--data",
        data,
        "--validation",
        "10",
        "--limit",
        "20",
        "--hidden",
        "12",
    ];
    let out = Command::new(example("fashion"))
        .args(small)
        .args(args)
        .arg("--quiet")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{args:?}: {stdout} {stderr}");
    let line = stdout
        .lines()
        .find(|l| l.starts_with("run 0"))
        .and_then(|l| l.split("  wall").next())
        .unwrap_or_else(|| panic!("{args:?}: no run line in {stdout}"))
        .to_owned();
    (line, stdout)
}

/// `fashion` on a small IDX fixture: it trains, prints the validation and test accuracy and
/// writes its history and figures; a run saved after epoch 2 and resumed to epoch 3 ends
/// with the same accuracies and the same checkpoint (weights and optimiser state, bit for
/// bit) as 3 epochs straight; `--dataset mnist` reads the same files the same way.
#[test]
fn fashion_trains_on_an_idx_fixture_and_resumes_bit_for_bit() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    idx_fixture(&data);
    let data = data.display().to_string();
    let path = |name: &str| dir.path().join(name).display().to_string();
    let plots = path("plots");
    let (straight, stdout) = fashion(
        &data,
        &[
            "--epochs",
            "3",
            "--save",
            &path("straight.ckpt"),
            "--history",
            &path("history.csv"),
            "--plots",
            &plots,
        ],
    );
    assert!(straight.contains("test accuracy "), "{straight}");
    assert!(straight.contains("validation "), "{straight}");
    assert!(straight.contains("epochs 3  train images 20"), "{straight}");
    assert!(stdout.contains("test accuracy over 1 run(s): "), "{stdout}");
    let history = std::fs::read_to_string(path("history.csv")).unwrap();
    assert_eq!(history.lines().count(), 4, "{history}");
    for figure in [
        "training_curves",
        "first_spike_histograms",
        "raster",
        "membrane_potential",
        "confusion_matrix",
    ] {
        let bytes = std::fs::read(dir.path().join("plots").join(format!("{figure}.png")))
            .unwrap_or_else(|e| panic!("{figure}: {e}"));
        assert!(bytes.starts_with(b"\x89PNG"), "{figure}");
    }
    fashion(&data, &["--epochs", "2", "--save", &path("first.ckpt")]);
    let (resumed, _) = fashion(
        &data,
        &[
            "--resume",
            &path("first.ckpt"),
            "--epochs",
            "3",
            "--save",
            &path("resumed.ckpt"),
        ],
    );
    assert_eq!(resumed, straight);
    let load = |name: &str| {
        use fpsnn::train::{Setup, flatten_weights};
        let t = Setup::fashion_mnist()
            .resume(std::path::Path::new(&path(name)))
            .unwrap();
        let bits: Vec<u64> = flatten_weights(t.network())
            .iter()
            .map(|x| x.to_bits())
            .collect();
        (t.epoch(), bits, t.optimizer_state().clone())
    };
    let (epoch, weights, state) = load("resumed.ckpt");
    assert_eq!(epoch, 3);
    assert_eq!((epoch, weights, state), load("straight.ckpt"));
    // MNIST's files have the same format: the same settings give the same run
    let (mnist, _) = fashion(&data, &["--dataset", "mnist", "--epochs", "3"]);
    assert_eq!(mnist, straight);
}

/// Missing or broken data, and bad settings: one line on stderr that says what to do,
/// status 2, no panic.
#[test]
fn fashion_says_where_to_get_missing_files_and_rejects_bad_data() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().display().to_string();
    assert_rejected(
        "fashion",
        &["--data", &empty, "--quiet"],
        "apt-get install dataset-fashion-mnist",
    );
    assert_rejected(
        "fashion",
        &["--dataset", "mnist", "--data", &empty, "--quiet"],
        "t10k-labels-idx1-ubyte",
    );
    assert_rejected(
        "fashion",
        &["--dataset", "mnist", "--data", &empty, "--quiet"],
        "original MNIST distribution",
    );
    assert_rejected(
        "fashion",
        &["--dataset", "mnist", "--quiet"],
        "--dataset mnist needs --data DIR",
    );
    idx_fixture(dir.path());
    let quick = [
        "--data",
        empty.as_str(),
        "--validation",
        "10",
        "--epochs",
        "1",
        "--quiet",
    ];
    for (args, expected) in [
        (&["--dataset", "kmnist"][..], "unknown --dataset `kmnist`"),
        (&["--encoding", "off"][..], "unknown --encoding `off`"),
        (&["--validation", "40"][..], "`validation` = 40 is invalid"),
        (&["--limit", "0"][..], "no sample"),
        (&["--encode-t", "0"][..], "t_max"),
        (
            &["--runs", "2", "--save", "x"][..],
            "--save/--resume work with a single run",
        ),
    ] {
        assert_rejected("fashion", &[&quick[..], args].concat(), expected);
    }
    // a truncated image file is a typed error naming the file
    let images = dir.path().join("t10k-images-idx3-ubyte");
    let bytes = std::fs::read(&images).unwrap();
    std::fs::write(&images, &bytes[..bytes.len() - 5]).unwrap();
    assert_rejected(
        "fashion",
        &quick,
        "t10k-images-idx3-ubyte: IDX payload should be",
    );
}
