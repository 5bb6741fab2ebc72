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
            eprintln!("error: {err}");
            ExitCode::from(2)
        }
    }
}

/// Reads a file with the path in the error message.
pub fn read(path: &str) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|e| CliError(format!("{path}: {e}")))
}
