//! Tiny command-line helpers shared by the examples.
#![allow(dead_code, unreachable_pub)]

use std::collections::HashMap;
use std::process::ExitCode;
use std::str::FromStr;

/// Parsed `--key value` and `--flag` arguments.
pub struct Args {
    values: HashMap<String, String>,
    flags: Vec<String>,
}

/// A command-line error: printed as one line, exit code 2.
#[derive(Debug)]
pub struct CliError(pub String);

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CliError {}

impl Args {
    /// Parses the process arguments; `flags` lists the options without a value.
    pub fn parse(flags: &[&str], options: &[&str]) -> Result<Self, CliError> {
        let mut values = HashMap::new();
        let mut seen = Vec::new();
        let mut it = std::env::args().skip(1);
        while let Some(arg) = it.next() {
            let Some(name) = arg.strip_prefix("--") else {
                return Err(CliError(format!("unexpected argument `{arg}`")));
            };
            if flags.contains(&name) {
                seen.push(name.to_owned());
            } else if options.contains(&name) {
                let value = it
                    .next()
                    .ok_or_else(|| CliError(format!("--{name} needs a value")))?;
                values.insert(name.to_owned(), value);
            } else {
                return Err(CliError(format!("unknown option `--{name}`")));
            }
        }
        Ok(Self {
            values,
            flags: seen,
        })
    }

    /// As [`Args::parse`], with the names as whitespace-separated lists.
    pub fn parse_words(flags: &str, options: &str) -> Result<Self, CliError> {
        let flags: Vec<&str> = flags.split_whitespace().collect();
        let options: Vec<&str> = options.split_whitespace().collect();
        Self::parse(&flags, &options)
    }

    /// Whether `--name` was given.
    pub fn flag(&self, name: &str) -> bool {
        self.flags.iter().any(|f| f == name)
    }

    /// The raw value of `--name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// The value of `--name` parsed as `T`, or `default`.
    pub fn parse_or<T: FromStr>(&self, name: &str, default: T) -> Result<T, CliError> {
        match self.values.get(name) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| CliError(format!("--{name}: cannot parse `{v}`"))),
        }
    }

    /// The value of `--name`, which must be given.
    pub fn required(&self, name: &str) -> Result<&str, CliError> {
        self.get(name)
            .ok_or_else(|| CliError(format!("missing --{name}")))
    }
}

/// Runs `main`, printing any error as one line on stderr with exit code 2.
pub fn run(main: impl FnOnce() -> Result<(), Box<dyn std::error::Error>>) -> ExitCode {
    match main() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // one line whatever the message holds (a name read from a file may hold a newline)
            let message = err.to_string().replace(['\n', '\r'], "\\n");
            eprintln!("error: {message}");
            if SHARED.get().is_some_and(|&ranks| ranks > 1) {
                // leave without finalising MPI: the launcher then ends the job, where a
                // finalised rank would leave a peer that has not failed waiting
                std::process::exit(2);
            }
            ExitCode::from(2)
        }
    }
}

/// What the training examples that run several seeds share: `--seed` (the first run's),
/// `--runs` (at least 1; `default_runs` when not given), `--threads`, `--quiet`, and the
/// ranks ([`ranks`]; only rank 0 reports, so the others are quiet).
pub struct Runs {
    /// Seed of the first run; run `k` uses `seed + k`.
    pub seed: u64,
    /// Number of runs.
    pub runs: usize,
    /// The processes training shares its minibatches with.
    pub ranks: std::sync::Arc<dyn fpsnn::train::distributed::Collective>,
    /// This is rank 0 (it prints and writes files).
    pub root: bool,
    /// No progress bars.
    pub quiet: bool,
}

impl Runs {
    /// Reads the options and sets the thread count; `--save`/`--resume`, where the example
    /// has them, need a single run.
    pub fn parse(args: &Args, default_runs: usize) -> Result<Self, Box<dyn std::error::Error>> {
        let seed: u64 = args.parse_or("seed", 0)?;
        let runs: usize = args.parse_or("runs", default_runs)?;
        let ranks = ranks()?;
        let root = ranks.rank() == 0;
        let quiet = args.flag("quiet") || !root;
        set_threads(args.parse_or("threads", 0)?)?;
        if runs == 0 {
            return Err(CliError("--runs must be >= 1".into()).into());
        }
        if runs > 1 && (args.get("save").is_some() || args.get("resume").is_some()) {
            return Err(CliError("--save/--resume work with a single run".into()).into());
        }
        Ok(Self {
            seed,
            runs,
            ranks,
            root,
            quiet,
        })
    }
}

/// The number of ranks [`ranks`] found, once it has run.
static SHARED: std::sync::OnceLock<usize> = std::sync::OnceLock::new();

/// The processes this program trains with (`docs/distributed.md`): with the cargo feature
/// `mpi`, MPI's world (initialised here; call once, and give it to every trainer with
/// `Trainer::set_collective`), otherwise this process alone. Under `mpirun -np N` every
/// rank runs the whole program; only rank 0 should print and write files.
pub fn ranks()
-> Result<std::sync::Arc<dyn fpsnn::train::distributed::Collective>, Box<dyn std::error::Error>> {
    #[cfg(feature = "mpi")]
    let world: std::sync::Arc<dyn fpsnn::train::distributed::Collective> =
        std::sync::Arc::new(fpsnn::train::MpiCollective::init()?);
    #[cfg(not(feature = "mpi"))]
    let world: std::sync::Arc<dyn fpsnn::train::distributed::Collective> =
        std::sync::Arc::new(fpsnn::train::distributed::SingleProcess);
    let _ = SHARED.set(world.size());
    Ok(world)
}

/// Reads a file with the path in the error message.
pub fn read(path: &str) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|e| CliError(format!("{path}: {e}")))
}

/// Checks `--threads N` with the library's rule ([`fpsnn::core::check_threads`]: 0 or
/// `1..=4 x` the available cores), so that an absurd count is refused at once instead of
/// spending minutes spawning threads.
pub fn check_threads(threads: usize) -> Result<usize, CliError> {
    fpsnn::core::check_threads(threads).map_err(|e| CliError(format!("--threads: {e}")))
}

/// Sets the global rayon pool to `threads` threads (0: rayon's default, all available
/// cores or `RAYON_NUM_THREADS`), after checking the count, and `RAYON_NUM_THREADS` when
/// it decides, with [`check_threads`].
pub fn set_threads(threads: usize) -> Result<(), Box<dyn std::error::Error>> {
    check_threads(threads)?;
    if threads == 0 {
        // rayon would size its default pool from this variable (a number; anything else
        // it ignores), so the same rule applies to it
        if let Some(n) = std::env::var("RAYON_NUM_THREADS")
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
        {
            fpsnn::core::check_threads(n)
                .map_err(|e| CliError(format!("RAYON_NUM_THREADS: {e}")))?;
        }
    }
    if threads > 0 {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global()?;
    }
    Ok(())
}

/// A progress bar over the samples of an epoch, and one line per epoch; silent with
/// `quiet` or when stderr is not a terminal.
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
    quiet: bool,
    epochs: usize,
}

impl Progress {
    pub fn new(quiet: bool, epochs: usize) -> Self {
        use std::io::IsTerminal;
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg}")
                    .expect("valid template")
                    .progress_chars("=> "),
            );
            bar
        });
        Self { bar, quiet, epochs }
    }
}

impl fpsnn::train::Observer for Progress {
    fn on_batch(&mut self, done: usize, total: usize) {
        if let Some(bar) = &self.bar {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
    }

    fn on_epoch(&mut self, r: &fpsnn::train::EpochRecord) {
        let line = format!(
            "epoch {:>4}/{}  loss {:.4}  train {:.2}%  val {}  test {}  silent {:.3}  skipped {}  {:.2}s",
            r.epoch,
            self.epochs,
            r.train_loss,
            100.0 * r.train_accuracy,
            r.validation_accuracy
                .map_or("-".into(), |a| format!("{:.2}%", 100.0 * a)),
            r.test_accuracy
                .map_or("-".into(), |a| format!("{:.2}%", 100.0 * a)),
            r.silent_fraction,
            r.skipped,
            r.seconds
        );
        match &self.bar {
            Some(bar) => bar.println(line),
            None if !self.quiet => eprintln!("{line}"),
            None => {}
        }
    }
}

/// Mean and sample standard deviation.
pub fn mean_sd(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = if xs.len() > 1 {
        xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    (mean, var.sqrt())
}

/// The `--lr-decay F --lr-every N` staircase: a factor of exactly 1 is a constant rate;
/// anything else (NaN included) goes to the trainer, which rejects a factor outside
/// `(0, 1]`.
pub fn step_schedule(factor: f64, every: usize) -> fpsnn::train::LrSchedule {
    if factor.to_bits() == 1.0_f64.to_bits() {
        fpsnn::train::LrSchedule::Constant
    } else {
        fpsnn::train::LrSchedule::Step { factor, every }
    }
}

/// `--lr-decay F --lr-every N` over the preset's schedule: a constant preset rate is
/// factor 1 every `every` epochs (the example's default period), a staircase its own
/// factor and period.
pub fn lr_schedule(
    args: &Args,
    preset: fpsnn::train::LrSchedule,
    every: usize,
) -> Result<fpsnn::train::LrSchedule, CliError> {
    use fpsnn::train::LrSchedule;
    let (factor, every) = match preset {
        LrSchedule::Constant => (1.0, every),
        LrSchedule::Step { factor, every } => (factor, every),
    };
    Ok(step_schedule(
        args.parse_or("lr-decay", factor)?,
        args.parse_or("lr-every", every)?,
    ))
}

/// The options the training examples share, applied to a preset: `--epochs`, `--batch`,
/// `--lr`, `--hidden` (one hidden layer), `--t-max`, `--alpha`, `--beta`, `--init-hidden`,
/// `--init-hidden-sd`, `--init-output`, `--init-output-sd`, `--tau0`, `--tau1`, `--gamma`,
/// `--silent-penalty`, each defaulting to the preset's value (an example accepts only the
/// ones it lists).
pub fn apply_options(args: &Args, setup: &mut fpsnn::train::Setup) -> Result<(), CliError> {
    setup.epochs = args.parse_or("epochs", setup.epochs)?;
    setup.config.batch_size = args.parse_or("batch", setup.config.batch_size)?;
    setup.optimizer.lr = args.parse_or("lr", setup.optimizer.lr)?;
    if let Some(hidden) = setup.network.hidden.first().copied() {
        setup.network.hidden = vec![args.parse_or("hidden", hidden)?];
    }
    setup.network.t_max = args.parse_or("t-max", setup.network.t_max)?;
    let neuron = &mut setup.network.neuron;
    neuron.alpha = args.parse_or("alpha", neuron.alpha)?;
    neuron.beta = args.parse_or("beta", neuron.beta)?;
    if let [hidden, output] = &mut setup.network.init[..] {
        hidden.0 = args.parse_or("init-hidden", hidden.0)?;
        hidden.1 = args.parse_or("init-hidden-sd", hidden.1)?;
        output.0 = args.parse_or("init-output", output.0)?;
        output.1 = args.parse_or("init-output-sd", output.1)?;
    }
    let loss = &mut setup.loss;
    loss.tau0 = args.parse_or("tau0", loss.tau0)?;
    loss.tau1 = args.parse_or("tau1", loss.tau1)?;
    loss.gamma = args.parse_or("gamma", loss.gamma)?;
    loss.silent_label = args.parse_or("silent-penalty", loss.silent_label)?;
    Ok(())
}

/// `--average-from E`: the first epoch whose weights enter the reported mean (weight
/// averaging), `default` when not given; 0 turns averaging off. An `E` after the last
/// epoch would average nothing and report the last weights unasked, so it is an error.
pub fn average_from(args: &Args, default: usize, epochs: usize) -> Result<usize, CliError> {
    let from: usize = args.parse_or("average-from", default)?;
    if from > epochs && args.get("average-from").is_some() {
        return Err(CliError(format!(
            "--average-from {from} is after the last epoch ({epochs}); 0 turns averaging off"
        )));
    }
    Ok(from)
}

/// The `--validation F [--validation-seed S]` hold-out: a stratified fraction `F` of the
/// training set (split seed `S`, default 1; `SetupData::hold_out`) becomes the validation
/// set to choose settings on, so the test split stays for reporting. Several seeds give
/// several hold-outs of the same training part, which averages out the luck of one small
/// hold-out. `F = 0` (the default) keeps the data as it is; `--validation-seed` without
/// `--validation` is an error rather than silently ignored.
pub fn hold_out_validation(
    data: fpsnn::train::SetupData,
    args: &Args,
) -> Result<fpsnn::train::SetupData, Box<dyn std::error::Error>> {
    let fraction: f64 = args.parse_or("validation", 0.0)?;
    let seed: u64 = args.parse_or("validation-seed", 1)?;
    if !(0.0..1.0).contains(&fraction) {
        return Err(CliError(format!(
            "--validation must be a fraction in [0, 1), got {fraction}"
        ))
        .into());
    }
    if fraction == 0.0 {
        if args.get("validation-seed").is_some() {
            return Err(
                CliError("--validation-seed needs --validation F with F > 0".into()).into(),
            );
        }
        return Ok(data);
    }
    Ok(data.hold_out(fraction, seed)?)
}
