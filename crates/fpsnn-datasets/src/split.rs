//! Seeded stratified train/test splits.

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use crate::DatasetError;

/// A train part and a test part of one dataset.
#[derive(Clone, Debug, PartialEq)]
pub struct Split<D> {
    /// The training part.
    pub train: D,
    /// The held-out test part.
    pub test: D,
}

impl<D> Split<D> {
    /// Applies `f` to both parts.
    pub fn map<E>(self, mut f: impl FnMut(D) -> E) -> Split<E> {
        Split {
            train: f(self.train),
            test: f(self.test),
        }
    }

    /// Applies a fallible `f` to both parts (train first).
    ///
    /// # Errors
    /// The first error of `f`.
    pub fn try_map<E, Err>(self, mut f: impl FnMut(D) -> Result<E, Err>) -> Result<Split<E>, Err> {
        Ok(Split {
            train: f(self.train)?,
            test: f(self.test)?,
        })
    }
}

/// Seeded stratified split of the row indices `0..labels.len()`.
///
/// The rule: one [`StdRng`] seeded with `seed_from_u64(seed)`; for each class `c` in
/// increasing order, the indices of class `c` (in their original order) are shuffled with
/// that generator, and the first `round(n_c * test_fraction)` of them go to the test part,
/// the rest to the train part (`n_c` is the class size; `round` rounds halves away from
/// zero). Both parts are then sorted, so they list rows in their original order. With
/// `test_fraction = 0.2`, Iris (50 per class) splits 40/10 per class.
///
/// The result depends only on `labels`, `test_fraction` and `seed` (and on `rand`'s
/// `StdRng`, pinned by the workspace `Cargo.lock`).
///
/// # Errors
/// [`DatasetError::InvalidParameter`] unless `0 <= test_fraction <= 1`;
/// [`DatasetError::LabelOutOfRange`] for a label `>= num_classes`.
///
/// # Examples
/// ```
/// let labels = [0, 0, 0, 0, 1, 1, 1, 1, 1];
/// let split = fpsnn_datasets::stratified_split(&labels, 2, 0.5, 7)?;
/// assert_eq!(split.test.len(), 2 + 3); // round(2.0) + round(2.5)
/// assert_eq!(split.train.len() + split.test.len(), labels.len());
/// # Ok::<(), fpsnn_datasets::DatasetError>(())
/// ```
pub fn stratified_split(
    labels: &[usize],
    num_classes: usize,
    test_fraction: f64,
    seed: u64,
) -> Result<Split<Vec<usize>>, DatasetError> {
    if !(0.0..=1.0).contains(&test_fraction) {
        return Err(DatasetError::InvalidParameter {
            name: "test_fraction",
            value: test_fraction,
            expected: "a fraction in [0, 1]",
        });
    }
    let mut by_class = vec![Vec::new(); num_classes];
    for (index, &label) in labels.iter().enumerate() {
        by_class
            .get_mut(label)
            .ok_or(DatasetError::LabelOutOfRange {
                sample: index,
                label,
                num_classes,
            })?
            .push(index);
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let mut train = Vec::with_capacity(labels.len());
    let mut test = Vec::new();
    for mut indices in by_class {
        indices.shuffle(&mut rng);
        // The product is at most `indices.len()`, so the cast cannot truncate.
        let num_test = (indices.len() as f64 * test_fraction).round() as usize;
        test.extend_from_slice(&indices[..num_test]);
        train.extend_from_slice(&indices[num_test..]);
    }
    train.sort_unstable();
    test.sort_unstable();
    Ok(Split { train, test })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_is_reproducible_and_stratified() {
        let labels: Vec<usize> = (0..30).map(|i| i % 3).collect();
        let a = stratified_split(&labels, 3, 0.2, 1).unwrap();
        let b = stratified_split(&labels, 3, 0.2, 1).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.test.len(), 6);
        for class in 0..3 {
            assert_eq!(a.test.iter().filter(|&&i| labels[i] == class).count(), 2);
        }
        let c = stratified_split(&labels, 3, 0.2, 2).unwrap();
        assert_ne!(a.test, c.test);
    }

    #[test]
    fn split_rejects_bad_input() {
        assert!(stratified_split(&[0], 1, 1.5, 0).is_err());
        assert!(stratified_split(&[0], 1, f64::NAN, 0).is_err());
        assert!(matches!(
            stratified_split(&[0, 2], 2, 0.5, 0),
            Err(DatasetError::LabelOutOfRange {
                sample: 1,
                label: 2,
                ..
            })
        ));
    }
}
