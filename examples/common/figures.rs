//! `--plots DIR` for the examples: the figures of `fpsnn-plots` from a network before and
//! after training. Included with `#[path = "common/figures.rs"] mod figures;`.
#![allow(dead_code, unreachable_pub)]

use std::error::Error;
use std::path::{Path, PathBuf};

use fpsnn::datasets::{Dataset, LatencyEncoder, SpikeEncoder, YinYangPoints, YinYangSplit};
use fpsnn::losses::predict_first_spike;
use fpsnn::prelude::*;
use fpsnn_plots::{
    ConfusionMatrix, DecisionGrid, DecisionMap, FirstSpikeSet, HistogramOptions, PotentialOptions,
    plot_confusion_matrix, plot_decision_map, plot_first_spike_histograms, plot_membrane_potential,
    plot_raster, plot_training_curves, read_history_csv,
};
use rayon::prelude::*;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// Creates the figure directory if missing.
pub fn prepare(dir: &str) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).map_err(|e| format!("--plots {dir}: {e}"))?;
    Ok(PathBuf::from(dir))
}

/// The simulation the figures show: to `t_max`, the output neurons stopped after their
/// first spike as in training (an untrained output can fire hundreds of times, past the
/// spike cap, and a first-spike loss reads only the first).
pub fn options(output: usize) -> SimOptions {
    SimOptions::default().with_first_spike_only(output)
}

/// [`options`] with every hidden population stopped after its first spike too (a
/// time-to-first-spike network, `GradientOptions::hidden_first_spike_only`).
pub fn first_spike_options(network: &Network) -> SimOptions {
    SimOptions {
        first_spike_only: (0..network.populations().len()).collect(),
        ..SimOptions::default()
    }
}

/// Simulates every sample of `data`, in parallel ([`options`]).
pub fn simulate_all(network: &Network, output: usize, data: &dyn Dataset) -> Result<Vec<SimTrace>> {
    let traces = (0..data.len())
        .into_par_iter()
        .map(|k| {
            let input = InputSpikes::try_new(data.sample(k).input_spikes)?;
            simulate(network, &input, &options(output))
        })
        .collect::<std::result::Result<Vec<_>, SimError>>()?;
    Ok(traces)
}

/// The output first spikes of every sample of `data`.
pub fn first_spikes(
    title: &str,
    network: &Network,
    output: usize,
    data: &dyn Dataset,
) -> Result<FirstSpikeSet> {
    first_spikes_with(title, network, output, data, &options(output))
}

/// [`first_spikes`] simulated with `sim`, keeping only the first spikes of each sample
/// (not its trace: a large test set's traces would take hundreds of MB).
pub fn first_spikes_with(
    title: &str,
    network: &Network,
    output: usize,
    data: &dyn Dataset,
    sim: &SimOptions,
) -> Result<FirstSpikeSet> {
    let rows = (0..data.len())
        .into_par_iter()
        .map(|k| {
            let sample = data.sample(k);
            let input = InputSpikes::try_new(sample.input_spikes)?;
            let trace = simulate(network, &input, sim)?;
            Ok((trace.populations[output].first_spikes(), sample.label))
        })
        .collect::<std::result::Result<Vec<_>, SimError>>()?;
    let (first_spikes, labels) = rows.into_iter().unzip();
    Ok(FirstSpikeSet {
        title: title.to_owned(),
        first_spikes,
        labels,
    })
}

/// The figures every training example writes into `dir`: training curves from
/// `dir/history.csv` (written by the caller with `Trainer::write_history_csv`), first-spike
/// histograms before (`initial`) and after training on `data`, and the spike raster and
/// membrane potentials of sample `index` of `data`.
#[allow(clippy::too_many_arguments)]
pub fn after_training(
    dir: &Path,
    name: &str,
    network: &Network,
    output: usize,
    data: &dyn Dataset,
    initial: FirstSpikeSet,
    class_names: &[&str],
    index: usize,
) -> Result<()> {
    let sim = options(output);
    after_training_with(
        dir,
        name,
        network,
        output,
        &sim,
        data,
        initial,
        class_names,
        index,
    )
}

/// [`after_training`] with the samples simulated under `sim` (whose `first_spike_only`
/// populations the potentials also end at the first spike).
#[allow(clippy::too_many_arguments)]
pub fn after_training_with(
    dir: &Path,
    name: &str,
    network: &Network,
    output: usize,
    sim: &SimOptions,
    data: &dyn Dataset,
    initial: FirstSpikeSet,
    class_names: &[&str],
    index: usize,
) -> Result<()> {
    let history = read_history_csv(&dir.join("history.csv"))?;
    plot_training_curves(&dir.join("training_curves.png"), &history, name)?;
    let trained = first_spikes_with("after training", network, output, data, sim)?;
    plot_first_spike_histograms(
        &dir.join("first_spike_histograms.png"),
        &[initial, trained],
        &HistogramOptions {
            bins: 40,
            range: None,
            class_names: class_names.iter().map(|s| (*s).to_owned()).collect(),
            title: format!(
                "{name}: first output spike times per class ({} samples)",
                data.len()
            ),
        },
    )?;
    sample_figures(dir, name, network, output, sim, data, index, class_names)
}

/// Raster and membrane potentials of sample `index` of `data`: the outputs of the true and
/// the predicted class (or the first two outputs) and the busiest neuron of the first
/// hidden population, simulated under `sim`.
#[allow(clippy::too_many_arguments)]
pub fn sample_figures(
    dir: &Path,
    name: &str,
    network: &Network,
    output: usize,
    sim: &SimOptions,
    data: &dyn Dataset,
    index: usize,
    class_names: &[&str],
) -> Result<()> {
    let sample = data
        .get(index)
        .ok_or_else(|| format!("sample {index} out of range"))?;
    let input = InputSpikes::try_new(sample.input_spikes)?;
    let trace = simulate(network, &input, sim)?;
    let predicted = predict_first_spike(&trace.populations[output].spikes);
    let class = |c: usize| {
        class_names
            .get(c)
            .map_or(format!("{c}"), |s| (*s).to_owned())
    };
    plot_raster(
        &dir.join("raster.png"),
        network,
        &input,
        &trace,
        &format!(
            "{name}, sample {index}: class {}, predicted {} (outputs stop at their first spike)",
            class(sample.label),
            predicted.map_or("none".to_owned(), class)
        ),
    )?;
    let mut neurons = Vec::new();
    if output > 0 {
        let busiest = (0..network.populations()[0].size())
            .max_by_key(|&i| trace.populations[0].spikes[i].len())
            .unwrap_or(0);
        neurons.push((0, busiest));
    }
    neurons.push((output, sample.label));
    match predicted {
        Some(p) if p != sample.label => neurons.push((output, p)),
        _ => {
            let other = (0..network.populations()[output].size()).find(|&c| c != sample.label);
            neurons.extend(other.map(|c| (output, c)));
        }
    }
    plot_membrane_potential(
        &dir.join("membrane_potential.png"),
        network,
        &trace,
        &neurons,
        &PotentialOptions {
            title: format!(
                "{name}: exact membrane potentials, test sample {index} (class {})",
                class(sample.label)
            ),
            first_spike_only: sim.first_spike_only.clone(),
            ..PotentialOptions::default()
        },
    )?;
    Ok(())
}

/// `confusion_matrix.png`: the trainer's predictions on `data` against the labels.
pub fn confusion_matrix<L, O>(
    dir: &Path,
    title: &str,
    trainer: &Trainer<L, O>,
    data: &dyn Dataset,
    class_names: &[&str],
) -> Result<()>
where
    L: fpsnn::losses::Loss<Target = usize>,
    O: fpsnn::train::Optimizer,
{
    let predictions = trainer.predict_batch(data)?;
    let labels: Vec<usize> = (0..data.len()).map(|k| data.sample(k).label).collect();
    let mut matrix = ConfusionMatrix::from_predictions(&labels, &predictions, data.num_classes())?;
    matrix.class_names = class_names.iter().map(|s| (*s).to_owned()).collect();
    matrix.title = title.to_owned();
    plot_confusion_matrix(&dir.join("confusion_matrix.png"), &matrix)?;
    Ok(())
}

/// The Yin-Yang decision map: the official test points and the class regions over a
/// `cells x cells` grid of the unit square (cells outside the big circle left blank), each
/// point classified by `trainer.predict` (the rule and the simulation training uses).
pub fn yin_yang_map<L, O>(dir: &Path, trainer: &Trainer<L, O>, cells: usize) -> Result<()>
where
    L: fpsnn::losses::Loss<Target = usize>,
    O: fpsnn::train::Optimizer,
{
    let encoder = LatencyEncoder::yin_yang();
    let predict = |x: f64, y: f64| -> Result<Option<usize>> {
        let input = encoder.encode(&[x, y, 1.0 - x, 1.0 - y])?;
        Ok(trainer.predict(&Sample::new(input, 0))?)
    };
    let test = YinYangPoints::official(YinYangSplit::Test);
    let points: Vec<(f64, f64)> = test.points().iter().map(|p| (p.x, p.y)).collect();
    let predictions = points
        .par_iter()
        .map(|&(x, y)| predict(x, y).map_err(|e| e.to_string()))
        .collect::<std::result::Result<Vec<_>, String>>()?;
    let mut grid = DecisionGrid {
        x_range: (0.0, 1.0),
        y_range: (0.0, 1.0),
        nx: cells,
        ny: cells,
        classes: Vec::new(),
    };
    grid.classes = (0..cells * cells)
        .into_par_iter()
        .map(|k| {
            let (x, y) = grid.centre(k % cells, k / cells);
            if (x - 0.5).hypot(y - 0.5) > 0.5 {
                Ok(None)
            } else {
                predict(x, y).map_err(|e| e.to_string())
            }
        })
        .collect::<std::result::Result<Vec<_>, String>>()?;
    plot_decision_map(
        &dir.join("decision_map.png"),
        &DecisionMap {
            points,
            labels: test.points().iter().map(|p| p.class).collect(),
            predictions,
            grid: Some(grid),
            class_names: fpsnn::datasets::YIN_YANG_CLASS_NAMES
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            title: "Yin-Yang test set: true classes and the trained network's decisions".to_owned(),
        },
    )?;
    Ok(())
}
