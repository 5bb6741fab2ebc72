//! Data-parallel training across MPI ranks, checked bit for bit against one process
//! (`docs/distributed.md`).
//!
//! ```text
//! cargo build --release --features mpi --example distributed
//! mpirun -np 3 target/release/examples/distributed [--epochs E] [--samples N] [--batch B]
//!     [--threads T] [--save CKPT] [--resume CKPT] [--fail-rank R] [--panic-rank R]
//! ```
//!
//! Built without the feature `mpi` it runs as one process (no MPI needed), which gives the
//! reference of the non-MPI build: the last line printed, `weights FNV-1a ...`, is the same
//! for every build and every number of ranks.
//!
//! Every rank trains the paper's 5-150-3 Yin-Yang network (`Setup::yin_yang_paper`) on
//! the first `N` training points (default 600, minibatches of `B` = 150) until epoch `E`
//! (default 1), sharing each
//! minibatch with the other ranks. Rank 0 then trains the same network on its own, from
//! scratch, and prints whether the weights are bit-identical; the exit status is non-zero if
//! they are not. `--save` writes a checkpoint (rank 0); `--resume` continues one, with any
//! number of ranks (the reference still trains from scratch, so an interrupted run is
//! checked against an uninterrupted one). `--fail-rank R` gives rank `R` a dataset with no
//! sample in it and `--panic-rank R` makes rank `R` panic: in both cases every rank must end
//! (with an error), none may hang.

mod common;

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use common::Args;
use fpsnn::datasets::{Dataset, LatencyEncoder, Sample, SpikeDataset, YinYangSplit, yin_yang};
use fpsnn::prelude::*;
#[cfg(feature = "mpi")]
use fpsnn::train::MpiCollective;
use fpsnn::train::distributed::Collective;
#[cfg(not(feature = "mpi"))]
use fpsnn::train::distributed::SingleProcess;
use fpsnn::train::flatten_weights;

type Error = Box<dyn std::error::Error>;

/// A dataset that has lost every sample (what `--fail-rank` gives one rank).
struct Lost(usize);

impl Dataset for Lost {
    fn len(&self) -> usize {
        self.0
    }
    fn num_inputs(&self) -> usize {
        5
    }
    fn num_classes(&self) -> usize {
        3
    }
    fn get(&self, _index: usize) -> Option<Sample> {
        None
    }
}

/// The paper's Yin-Yang set-up with minibatches of `batch`.
fn setup(batch: usize) -> Setup {
    let mut setup = Setup::yin_yang_paper();
    setup.config.batch_size = batch;
    setup
}

fn bits(network: &Network) -> Vec<u64> {
    flatten_weights(network)
        .iter()
        .map(|w| w.to_bits())
        .collect()
}

/// FNV-1a over the weights' bits.
fn fingerprint(network: &Network) -> u64 {
    bits(network)
        .iter()
        .flat_map(|b| b.to_le_bytes())
        .fold(0xcbf2_9ce4_8422_2325, |h, byte| {
            (h ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
        })
}

#[cfg(feature = "mpi")]
fn world() -> Result<Arc<MpiCollective>, fpsnn::train::TrainError> {
    MpiCollective::init().map(Arc::new)
}

#[cfg(not(feature = "mpi"))]
#[allow(clippy::unnecessary_wraps, reason = "the same signature as with MPI")]
fn world() -> Result<Arc<SingleProcess>, fpsnn::train::TrainError> {
    Ok(Arc::new(SingleProcess))
}

fn main() -> ExitCode {
    let world = match world() {
        Ok(world) => world,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    match run(&world) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("rank {}: error: {e}", world.rank());
            // leave without finalising MPI: the launcher then ends the job, where a
            // finalised rank would leave a peer that has not failed waiting
            std::process::exit(1)
        }
    }
}

fn run<C: Collective + 'static>(world: &Arc<C>) -> Result<bool, Error> {
    let args = Args::parse(
        &[],
        &[
            "epochs",
            "samples",
            "batch",
            "threads",
            "save",
            "resume",
            "fail-rank",
            "panic-rank",
        ],
    )?;
    let epochs: usize = args.parse_or("epochs", 1)?;
    let samples: usize = args.parse_or("samples", 600)?;
    let batch: usize = args.parse_or("batch", 150)?;
    common::set_threads(args.parse_or("threads", 0)?)?;
    let (rank, size) = (world.rank(), world.size());
    if args
        .get("panic-rank")
        .map(str::parse::<usize>)
        .transpose()?
        == Some(rank)
    {
        panic!("rank {rank} panics (--panic-rank)");
    }
    let full = yin_yang(YinYangSplit::Train, &LatencyEncoder::yin_yang())?;
    let data = SpikeDataset::try_new(
        (0..samples.min(full.len()))
            .filter_map(|i| full.get(i))
            .collect(),
        5,
        3,
    )?;
    let lost = Lost(data.len());
    let failing = args.get("fail-rank").map(str::parse::<usize>).transpose()? == Some(rank);
    let mine: &dyn Dataset = if failing { &lost } else { &data };
    let mut t = match args.get("resume") {
        Some(path) => setup(batch).resume(Path::new(path))?,
        None => setup(batch).trainer()?,
    };
    let collective: Arc<dyn Collective> = world.clone();
    t.set_collective(collective);
    let from = t.epoch();
    let start = std::time::Instant::now();
    t.fit(mine, FitOptions::new(epochs))?;
    let seconds = start.elapsed().as_secs_f64();
    if let Some(path) = args.get("save") {
        t.save(Path::new(path))?;
    }
    if rank != 0 {
        return Ok(true);
    }
    let mut reference = setup(batch).trainer()?;
    reference.fit(&data, FitOptions::new(epochs))?;
    let same = bits(t.network()) == bits(reference.network());
    println!(
        "{size} rank(s), epochs {from}..{epochs} on {} samples in {seconds:.2} s: weights {} one process trained from scratch",
        data.len(),
        if same {
            "bit-identical to"
        } else {
            "DIFFER from"
        }
    );
    println!("weights FNV-1a {:016x}", fingerprint(t.network()));
    Ok(same)
}
