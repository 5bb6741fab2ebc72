//! Every figure writes a non-empty PNG and SVG; bad input gives a typed error; text is
//! really rasterised; the exact potential curve hits the threshold at each spike and
//! misses no peak.
#![allow(missing_docs)]

use std::path::Path;

use fpsnn_plots::*;
use fpsnn_sim::{InputSpikes, Network, SimOptions, SimTrace, simulate};

const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";

fn network() -> Network {
    Network::from_json(
        r#"{
      "neuron": {"alpha": 1.0, "beta": 0.9, "theta": 1.0}, "inputs": 3,
      "populations": [{"name": "hidden", "size": 3}, {"name": "out", "size": 2}],
      "projections": [
        {"from": "input", "to": "hidden", "weights": [[3.0, 2.0, 0.8], [3.0, -1.0, 0.5], [1.0, 2.5, 0.3]]},
        {"from": "hidden", "to": "out", "weights": [[2.0, 1.0], [2.0, -0.5], [1.0, 0.7]]}],
      "t_max": 12.0}"#,
    )
    .expect("valid network")
}

fn sample() -> (Network, InputSpikes, SimTrace) {
    let net = network();
    let input =
        InputSpikes::try_new(vec![vec![0.0, 3.0], vec![0.5], vec![1.0, 1.2]]).expect("input");
    let trace = simulate(&net, &input, &SimOptions::default()).expect("simulation");
    (net, input, trace)
}

fn assert_png(path: &Path) {
    let bytes = std::fs::read(path).expect("file written");
    assert!(
        bytes.len() > 1000,
        "{}: {} bytes",
        path.display(),
        bytes.len()
    );
    assert_eq!(&bytes[..8], PNG_MAGIC, "{}", path.display());
}

fn assert_svg(path: &Path) {
    let text = std::fs::read_to_string(path).expect("file written");
    assert!(text.contains("<svg"), "{}", path.display());
    assert!(text.contains("<text"), "{}: no text", path.display());
}

fn history() -> Vec<HistoryRow> {
    parse_history_csv(
        "epoch,lr,train_loss,train_accuracy,silent_fraction,skipped,validation_accuracy,test_accuracy,seconds\n\
         1,0.1,1.2,0.4,0,0,,,0.1\n\
         2,0.1,0.9,0.6,0,0,0.55,0.5,0.1\n\
         3,0.1,NaN,0.7,0,0,,,0.1\n\
         4,0.1,0.5,0.8,0,0,0.8,0.75,0.1\n",
    )
    .expect("valid history")
}

fn decision_map() -> DecisionMap {
    let points: Vec<(f64, f64)> = (0..200)
        .map(|k| {
            let t = f64::from(k) * 0.37;
            (
                0.5 + 0.45 * t.sin() * (k as f64 / 200.0),
                0.5 + 0.45 * t.cos(),
            )
        })
        .collect();
    let labels: Vec<usize> = points.iter().map(|p| usize::from(p.0 > 0.5)).collect();
    let predictions = points
        .iter()
        .enumerate()
        .map(|(k, p)| (k % 17 != 0).then_some(usize::from(p.0 > 0.52)))
        .collect();
    let grid = DecisionGrid {
        x_range: (0.0, 1.0),
        y_range: (0.0, 1.0),
        nx: 20,
        ny: 20,
        classes: (0..400)
            .map(|k| {
                let (x, _) = (k % 20, k / 20);
                (k % 7 != 0).then_some(usize::from(x >= 10))
            })
            .collect(),
    };
    DecisionMap {
        points,
        labels,
        predictions,
        grid: Some(grid),
        class_names: vec!["left".into(), "right".into()],
        title: "decision map".into(),
    }
}

fn spike_sets() -> Vec<FirstSpikeSet> {
    let (net, _, _) = sample();
    let traces: Vec<SimTrace> = (0..12)
        .map(|k| {
            let d = f64::from(k) * 0.3;
            let input =
                InputSpikes::try_new(vec![vec![d], vec![0.5], vec![1.0 + d / 2.0]]).expect("input");
            simulate(&net, &input, &SimOptions::default()).expect("simulation")
        })
        .collect();
    let labels: Vec<usize> = (0..12).map(|k| k % 3).collect();
    vec![
        FirstSpikeSet::from_traces("init", &traces, 1, &labels).expect("set"),
        FirstSpikeSet::from_traces("trained", &traces[..6], 1, &labels[..6]).expect("set"),
    ]
}

/// Ten named classes, most samples on the diagonal, some confused and two without a
/// prediction.
fn confusion() -> ConfusionMatrix {
    let labels: Vec<usize> = (0..300).map(|k| k % 10).collect();
    let predictions: Vec<Option<usize>> = labels
        .iter()
        .enumerate()
        .map(|(k, &l)| match k % 13 {
            0 => Some((l + 1) % 10),
            5 if k < 40 => None,
            _ => Some(l),
        })
        .collect();
    let mut matrix =
        ConfusionMatrix::from_predictions(&labels, &predictions, 10).expect("valid predictions");
    matrix.class_names = fpsnn_datasets::FASHION_MNIST_CLASS_NAMES
        .map(str::to_owned)
        .to_vec();
    matrix.title = "Test set".to_owned();
    matrix
}

fn line_plot() -> LinePlot {
    let points: Vec<(f64, f64)> = (1..6)
        .map(|k| (f64::from(k) * 50.0, f64::from(k * k)))
        .collect();
    let (slope, b) = fit_loglog(&points).expect("fit");
    let fit = points
        .iter()
        .map(|p| (p.0, (b + slope * p.0.ln()).exp()))
        .collect();
    LinePlot {
        title: "cost".into(),
        x_label: "size".into(),
        y_label: "seconds".into(),
        log_x: true,
        log_y: true,
        series: vec![
            Series::new("measured", points.clone(), 0),
            Series::new("scatter", points, 1).markers_only(),
            Series::new(format!("fit, slope {slope:.2}"), fit, 0).dashed(),
        ],
    }
}

/// Writes every figure in both formats.
fn write_all(dir: &Path, ext: &str) -> Result<(), PlotError> {
    let (net, input, trace) = sample();
    plot_membrane_potential(
        &dir.join(format!("potential.{ext}")),
        &net,
        &trace,
        &[(0, 0), (0, 2), (1, 0)],
        &PotentialOptions::default(),
    )?;
    plot_raster(
        &dir.join(format!("raster.{ext}")),
        &net,
        &input,
        &trace,
        "raster",
    )?;
    plot_first_spike_histograms(
        &dir.join(format!("hist.{ext}")),
        &spike_sets(),
        &HistogramOptions {
            range: Some((0.0, 12.0)),
            ..HistogramOptions::default()
        },
    )?;
    plot_first_spike_histograms(
        &dir.join(format!("hist_auto.{ext}")),
        &spike_sets(),
        &HistogramOptions::default(),
    )?;
    plot_decision_map(&dir.join(format!("map.{ext}")), &decision_map())?;
    plot_training_curves(&dir.join(format!("curves.{ext}")), &history(), "history")?;
    plot_lines(&dir.join(format!("lines.{ext}")), &line_plot())?;
    plot_confusion_matrix(&dir.join(format!("confusion.{ext}")), &confusion())?;
    Ok(())
}

const NAMES: [&str; 7] = [
    "potential",
    "raster",
    "hist",
    "map",
    "curves",
    "lines",
    "confusion",
];

/// With `FPSNN_PLOTS_KEEP=DIR` the figures are also kept in `DIR`, to look at them.
#[test]
fn every_figure_writes_png_and_svg() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_all(dir.path(), "png").expect("png figures");
    write_all(dir.path(), "svg").expect("svg figures");
    for name in NAMES {
        assert_png(&dir.path().join(format!("{name}.png")));
        assert_svg(&dir.path().join(format!("{name}.svg")));
    }
    if let Some(keep) = std::env::var_os("FPSNN_PLOTS_KEEP") {
        std::fs::create_dir_all(&keep).expect("keep dir");
        write_all(Path::new(&keep), "png").expect("kept figures");
    }
}

/// The title band of the curves figure holds only the title's text: dark pixels there
/// mean the embedded font really rasterised glyphs.
#[test]
fn png_text_is_rendered() {
    let dir = tempfile::tempdir().expect("temp dir");
    let count_dark = |title: &str| {
        let path = dir.path().join("t.png");
        plot_training_curves(&path, &history(), title).expect("figure");
        let decoder = png::Decoder::new(std::io::BufReader::new(
            std::fs::File::open(&path).expect("open"),
        ));
        let mut reader = decoder.read_info().expect("png header");
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).expect("png frame");
        let width = info.width as usize * 3;
        buf[..24 * width]
            .chunks(3)
            .filter(|px| px.iter().all(|&c| c < 128))
            .count()
    };
    assert_eq!(count_dark(""), 0);
    assert!(count_dark("Training history of a long title") > 200);
}

#[test]
fn potential_curve_is_exact_at_spikes_and_peaks() {
    let (net, _, trace) = sample();
    for (p, pop) in net.populations().iter().enumerate() {
        let theta = pop.params().theta;
        for i in 0..pop.size() {
            let curve = potential_curve(&net, &trace, p, i, trace.t_end, 50).expect("curve");
            assert!(curve.windows(2).all(|w| w[0].0 <= w[1].0), "sorted");
            for &f in &trace.populations[p].spikes[i] {
                let at: Vec<f64> = curve
                    .iter()
                    .filter(|q| q.0.total_cmp(&f).is_eq())
                    .map(|q| q.1)
                    .collect();
                assert!(at.len() >= 2, "both sides of the spike at {f}");
                assert!((at[0] - theta).abs() < 1e-9, "V(f-) = theta, got {}", at[0]);
                assert!(at.last().expect("point").abs() < 1e-9, "reset to 0");
            }
            // A coarse 50-point grid plus the exact peaks finds the maximum of a
            // 20000-point grid.
            let fine_max = (0..20_000)
                .map(|k| {
                    let t = trace.t_end * f64::from(k) / 20_000.0;
                    fpsnn_sim::membrane_potential(&net, &trace, p, i, t)
                })
                .fold(f64::NEG_INFINITY, f64::max);
            let curve_max = curve.iter().map(|q| q.1).fold(f64::NEG_INFINITY, f64::max);
            assert!(curve_max >= fine_max - 1e-12, "{curve_max} < {fine_max}");
        }
    }
}

#[test]
fn bad_input_gives_typed_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (net, input, trace) = sample();
    let missing = dir.path().join("no/such/dir/x.png");
    assert!(matches!(
        plot_training_curves(&missing, &history(), "t"),
        Err(PlotError::Io { .. })
    ));
    assert!(matches!(
        plot_lines(&dir.path().join("no/such.svg"), &line_plot()),
        Err(PlotError::Io { .. })
    ));
    assert!(matches!(
        plot_training_curves(&dir.path().join("x.jpg"), &history(), "t"),
        Err(PlotError::Format { .. })
    ));
    let png = dir.path().join("x.png");
    assert!(matches!(
        plot_training_curves(&png, &[], "t"),
        Err(PlotError::Empty(_))
    ));
    assert!(matches!(
        plot_membrane_potential(&png, &net, &trace, &[], &PotentialOptions::default()),
        Err(PlotError::Empty(_))
    ));
    assert!(matches!(
        plot_membrane_potential(&png, &net, &trace, &[(0, 7)], &PotentialOptions::default()),
        Err(PlotError::Invalid(_))
    ));
    assert!(matches!(
        plot_membrane_potential(&png, &net, &trace, &[(5, 0)], &PotentialOptions::default()),
        Err(PlotError::Invalid(_))
    ));
    assert!(matches!(
        potential_curve(&net, &trace, 0, 0, f64::NAN, 100),
        Err(PlotError::Invalid(_))
    ));
    let short = InputSpikes::try_new(vec![vec![0.0]]).expect("input");
    assert!(matches!(
        plot_raster(&png, &net, &short, &trace, "r"),
        Err(PlotError::Invalid(_))
    ));
    assert!(matches!(
        plot_raster(&png, &net, &input, &SimTrace::default(), "r"),
        Err(PlotError::Invalid(_))
    ));
    assert!(matches!(
        plot_first_spike_histograms(&png, &[], &HistogramOptions::default()),
        Err(PlotError::Empty(_))
    ));
    assert!(matches!(
        plot_first_spike_histograms(
            &png,
            &spike_sets(),
            &HistogramOptions {
                range: Some((1.0, 1.0)),
                ..HistogramOptions::default()
            }
        ),
        Err(PlotError::Invalid(_))
    ));
    let mut sets = spike_sets();
    sets[0].labels.pop();
    assert!(matches!(
        plot_first_spike_histograms(&png, &sets, &HistogramOptions::default()),
        Err(PlotError::Invalid(_))
    ));
    let mut map = decision_map();
    map.points.clear();
    map.labels.clear();
    map.predictions.clear();
    assert!(matches!(
        plot_decision_map(&png, &map),
        Err(PlotError::Empty(_))
    ));
    let mut map = decision_map();
    map.predictions.pop();
    assert!(matches!(
        plot_decision_map(&png, &map),
        Err(PlotError::Invalid(_))
    ));
    let mut map = decision_map();
    map.points[3].0 = f64::INFINITY;
    assert!(matches!(
        plot_decision_map(&png, &map),
        Err(PlotError::Invalid(_))
    ));
    let mut map = decision_map();
    if let Some(grid) = &mut map.grid {
        grid.nx = 3;
    }
    assert!(matches!(
        plot_decision_map(&png, &map),
        Err(PlotError::Invalid(_))
    ));
    let mut plot = line_plot();
    plot.series.iter_mut().for_each(|s| s.points.clear());
    assert!(matches!(plot_lines(&png, &plot), Err(PlotError::Empty(_))));
    assert!(matches!(parse_history_csv(""), Err(PlotError::Empty(_))));
    assert!(matches!(
        ConfusionMatrix::from_predictions(&[], &[], 3),
        Err(PlotError::Empty(_))
    ));
    for (labels, predictions, classes) in [
        (&[0, 1][..], &[Some(0)][..], 2),
        (&[0, 2][..], &[Some(0), Some(1)][..], 2),
        (&[0, 1][..], &[Some(0), Some(5)][..], 2),
        (&[0][..], &[None][..], 0),
    ] {
        assert!(matches!(
            ConfusionMatrix::from_predictions(labels, predictions, classes),
            Err(PlotError::Invalid(_))
        ));
    }
    let mut matrix = confusion();
    matrix.counts[3].pop();
    assert!(matches!(
        plot_confusion_matrix(&png, &matrix),
        Err(PlotError::Invalid(_))
    ));
    let mut matrix = confusion();
    matrix.counts.iter_mut().flatten().for_each(|c| *c = 0);
    matrix.no_prediction.iter_mut().for_each(|c| *c = 0);
    assert!(matches!(
        plot_confusion_matrix(&png, &matrix),
        Err(PlotError::Empty(_))
    ));
    assert!(matches!(
        parse_history_csv("epoch,train_loss\n1,0.5\n"),
        Err(PlotError::Csv { line: 1, .. })
    ));
    assert!(matches!(
        parse_history_csv("epoch,train_loss,train_accuracy\n1,0.5,0.2\n2,x,0.3\n"),
        Err(PlotError::Csv { line: 3, .. })
    ));
    assert!(matches!(
        parse_history_csv("epoch,train_loss,train_accuracy\n1,0.5\n"),
        Err(PlotError::Csv { line: 2, .. })
    ));
    assert!(matches!(
        read_history_csv(&dir.path().join("none.csv")),
        Err(PlotError::Io { .. })
    ));
    // Nothing was written by the failed calls.
    assert!(!png.exists());
}

#[test]
fn the_confusion_matrix_counts_every_sample_once() {
    let matrix = confusion();
    assert_eq!(matrix.total(), 300);
    // every 13th sample is confused, and samples 5, 18 and 31 have no prediction
    assert_eq!(matrix.no_prediction.iter().sum::<usize>(), 3);
    assert_eq!(matrix.correct(), 300 - 24 - 3);
    assert_eq!(
        matrix.counts[0][1],
        (0..300).filter(|k| k % 13 == 0 && k % 10 == 0).count()
    );
    let accuracy = matrix.accuracy();
    assert!((accuracy - 273.0 / 300.0).abs() < 1e-15, "{accuracy}");
}

#[test]
fn history_csv_columns_are_read_by_name() {
    let rows = history();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[1].validation_accuracy, Some(0.55));
    assert_eq!(rows[0].test_accuracy, None);
    assert!(rows[2].train_loss.is_nan());
    let reordered =
        parse_history_csv("train_accuracy,epoch,train_loss\n0.5,7,0.25\n").expect("parses");
    assert_eq!(reordered[0].epoch, 7);
    assert_eq!(reordered[0].validation_accuracy, None);
}
