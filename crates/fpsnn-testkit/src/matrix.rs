//! The bad-input matrix: a table of cases that must each fail with a typed error.
//!
//! Each crate's integration tests walk the rows of its own error contract (`docs/robustness.md`
//! lists them per crate); the top-level tests add the rows that run the examples. A row is
//! recorded, not asserted on the spot, so one run reports every failed row, and
//! [`Matrix::finish`] prints the count per family, fails on any failed row and checks the
//! total against the count `docs/robustness.md` gives for that layer.
//!
//! ```
//! use fpsnn_testkit::Matrix;
//! let mut m = Matrix::default();
//! m.api(
//!     "negative numbers",
//!     "-1",
//!     "-1".parse::<u32>(),
//!     |_| true,
//!     "invalid digit",
//! );
//! assert_eq!(m.len(), 1);
//! ```

use std::fmt::Display;
use std::path::Path;

/// One row of the bad-input matrix.
#[derive(Clone, Debug)]
pub struct Row {
    /// The family of cases (one line of the table in `docs/robustness.md`).
    pub family: &'static str,
    /// This instance.
    pub case: String,
    /// What went wrong, if the row failed.
    pub failure: Option<String>,
}

/// The rows walked so far.
#[derive(Clone, Debug, Default)]
pub struct Matrix {
    rows: Vec<Row>,
}

impl Matrix {
    /// An API call that must fail with an error `is` accepts and whose message contains
    /// `needle` (case-insensitive) on one line.
    pub fn api<T, E: Display>(
        &mut self,
        family: &'static str,
        case: impl Into<String>,
        result: Result<T, E>,
        is: impl Fn(&E) -> bool,
        needle: &str,
    ) {
        let failure = match result {
            Ok(_) => Some("accepted".to_owned()),
            Err(err) if !is(&err) => Some(format!("wrong error: {err}")),
            Err(err)
                if !err
                    .to_string()
                    .to_lowercase()
                    .contains(&needle.to_lowercase()) =>
            {
                Some(format!("message `{err}` does not mention `{needle}`"))
            }
            Err(err) if err.to_string().contains('\n') => Some(format!("multi-line `{err}`")),
            Err(_) => None,
        };
        self.push(family, case, failure);
    }

    /// A row whose check the caller made (a run of an example, say): `failure` says what went
    /// wrong, `None` if the row passed.
    pub fn push(&mut self, family: &'static str, case: impl Into<String>, failure: Option<String>) {
        self.rows.push(Row {
            family,
            case: case.into(),
            failure,
        });
    }

    /// The number of rows so far.
    #[must_use]
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether no row was walked yet.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The rows so far.
    #[must_use]
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// Prints the per-family counts, fails on any failed row and returns the number of rows.
    ///
    /// # Panics
    /// If a row failed, or if the number of rows is not the one `docs/robustness.md` gives
    /// for `layer` (see [`documented_rows`]).
    #[track_caller]
    pub fn finish(self, layer: &str) -> usize {
        let mut families: Vec<(&str, usize)> = Vec::new();
        for row in &self.rows {
            match families.iter_mut().find(|(f, _)| *f == row.family) {
                Some((_, n)) => *n += 1,
                None => families.push((row.family, 1)),
            }
        }
        for (family, n) in &families {
            println!("  {layer} | {family} | {n}");
        }
        let failed: Vec<String> = self
            .rows
            .iter()
            .filter_map(|r| {
                r.failure
                    .as_ref()
                    .map(|f| format!("[{}] {}: {f}", r.family, r.case))
            })
            .collect();
        println!(
            "bad-input matrix, {layer}: {} rows in {} families, {} pass",
            self.rows.len(),
            families.len(),
            self.rows.len() - failed.len()
        );
        assert!(failed.is_empty(), "failed rows:\n{}", failed.join("\n"));
        let documented = documented_rows(layer);
        assert_eq!(
            self.rows.len(),
            documented,
            "docs/robustness.md gives {documented} rows for `{layer}`: a row was lost or added \
             without updating the table"
        );
        self.rows.len()
    }
}

/// The row count `docs/robustness.md` gives for `layer` in its table of rows per crate: the
/// last cell of the line that starts with `` | `layer` | `` (digits only, so `16,291` reads
/// as 16291).
///
/// # Panics
/// If the file cannot be read or has no such line.
#[track_caller]
#[must_use]
pub fn documented_rows(layer: &str) -> usize {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/robustness.md");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let start = format!("| `{layer}` |");
    let line = text
        .lines()
        .find(|l| l.starts_with(&start))
        .unwrap_or_else(|| panic!("{} has no line starting `{start}`", path.display()));
    let last = line
        .trim_end_matches([' ', '|'])
        .rsplit('|')
        .next()
        .unwrap_or_default();
    let digits: String = last.chars().filter(char::is_ascii_digit).collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("no count in `{line}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_record_what_went_wrong() {
        let mut m = Matrix::default();
        let ok: Result<(), String> = Ok(());
        m.api("f", "accepted", ok, |_| true, "");
        m.api("f", "wrong error", Err::<(), _>("x"), |e| *e == "y", "x");
        m.api("f", "needle", Err::<(), _>("bad lr"), |_| true, "beta");
        m.api("f", "two lines", Err::<(), _>("a\nb"), |_| true, "a");
        m.api("g", "good", Err::<(), _>("Bad LR"), |_| true, "lr");
        let failures: Vec<Option<&str>> = m.rows().iter().map(|r| r.failure.as_deref()).collect();
        assert_eq!(
            failures,
            [
                Some("accepted"),
                Some("wrong error: x"),
                Some("message `bad lr` does not mention `beta`"),
                Some("multi-line `a\nb`"),
                None,
            ]
        );
    }

    #[test]
    fn documented_counts_add_up_to_the_total() {
        let crates = ["fpsnn-sim", "fpsnn-losses", "fpsnn-datasets", "fpsnn-train"];
        let sum: usize = crates.iter().map(|c| documented_rows(c)).sum();
        assert_eq!(sum, documented_rows("API total"));
        assert_eq!(sum + documented_rows("examples"), documented_rows("total"));
    }
}
