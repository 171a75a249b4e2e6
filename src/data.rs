//! Tabular data sets: CSV loading, the train/test split, standardisation.
//!
//! A data set has a compile-time number of features `D`: a file with another number of columns
//! is an error that names the line, never a silently truncated sample.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use crate::float::Float;

/// What went wrong reading a data set.
#[derive(Clone, Debug, PartialEq)]
pub enum DataError {
    /// The file could not be read.
    Io {
        /// The path that was opened.
        path: String,
        /// The operating system's message.
        message: String,
    },
    /// The text holds no header row.
    Empty,
    /// A row has the wrong number of columns.
    Width {
        /// The 1-based line number.
        line: usize,
        /// Features plus one target column.
        expected: usize,
        /// Columns found.
        found: usize,
    },
    /// A field is not a number.
    NotANumber {
        /// The 1-based line number.
        line: usize,
        /// The 1-based column number.
        column: usize,
        /// The field as written.
        text: String,
    },
    /// A target meant to be a class index is not a non-negative integer.
    NotAClass {
        /// The index of the sample (0-based, header excluded).
        row: usize,
        /// The value found.
        value: f64,
    },
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataError::Io { path, message } => write!(f, "cannot read {path}: {message}"),
            DataError::Empty => write!(f, "no header row: the data set is empty"),
            DataError::Width {
                line,
                expected,
                found,
            } => write!(
                f,
                "line {line}: {found} columns, expected {expected} ({} features and a target)",
                expected - 1
            ),
            DataError::NotANumber { line, column, text } => {
                write!(f, "line {line}, column {column}: {text:?} is not a number")
            }
            DataError::NotAClass { row, value } => {
                write!(
                    f,
                    "row {row}: target {value} is not a class index (0, 1, 2, ...)"
                )
            }
        }
    }
}

impl core::error::Error for DataError {}

/// Samples of `D` features, each with one numeric target.
///
/// ```
/// use typed_nn::data::Dataset;
/// let csv = "a,b,y\n1,2,0\n3,4,1\n";
/// let data = Dataset::<2>::from_csv(csv)?;
/// assert_eq!(data.features, vec![[1.0, 2.0], [3.0, 4.0]]);
/// assert_eq!(data.classes()?, vec![0, 1]);
/// assert!(Dataset::<3>::from_csv(csv).is_err()); // 3 features need 4 columns
/// # Ok::<(), typed_nn::data::DataError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset<const D: usize, F = f32> {
    /// One row of features per sample.
    pub features: Vec<[F; D]>,
    /// One target per sample.
    pub targets: Vec<F>,
}

impl<const D: usize, F: Float> Dataset<D, F> {
    /// Parses CSV text: a header row, then rows of `D` feature columns and a target column.
    /// Blank lines are skipped.
    pub fn from_csv(text: &str) -> Result<Self, DataError> {
        let mut lines = text.lines().enumerate();
        lines.next().ok_or(DataError::Empty)?;
        let mut data = Dataset {
            features: Vec::new(),
            targets: Vec::new(),
        };
        for (index, line) in lines {
            if line.trim().is_empty() {
                continue;
            }
            let line_no = index + 1;
            let mut row = [F::ZERO; D];
            let mut target = F::ZERO;
            let mut found = 0;
            for (column, field) in line.split(',').enumerate() {
                let value = field
                    .trim()
                    .parse::<f64>()
                    .map_err(|_| DataError::NotANumber {
                        line: line_no,
                        column: column + 1,
                        text: field.to_string(),
                    })?;
                match column {
                    c if c < D => row[c] = F::from_f64(value),
                    c if c == D => target = F::from_f64(value),
                    _ => {}
                }
                found += 1;
            }
            if found != D + 1 {
                return Err(DataError::Width {
                    line: line_no,
                    expected: D + 1,
                    found,
                });
            }
            data.features.push(row);
            data.targets.push(target);
        }
        Ok(data)
    }

    /// Reads and parses a CSV file; see [`Dataset::from_csv`].
    #[cfg(feature = "std")]
    pub fn load(path: impl AsRef<std::path::Path>) -> Result<Self, DataError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| DataError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Self::from_csv(&text)
    }

    /// The number of samples.
    pub fn len(&self) -> usize {
        self.features.len()
    }

    /// True when there are no samples.
    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }

    /// Splits into (train, test): sample `i` is a test sample when `i % every == 0`. With
    /// `every = 5` this is the canonical split of the bundled data sets. `every = 0` puts
    /// everything in train.
    pub fn split_every(&self, every: usize) -> (Self, Self) {
        let mut train = Dataset {
            features: Vec::new(),
            targets: Vec::new(),
        };
        let mut test = Dataset {
            features: Vec::new(),
            targets: Vec::new(),
        };
        for (i, (x, t)) in self.features.iter().zip(&self.targets).enumerate() {
            let part = if every != 0 && i % every == 0 {
                &mut test
            } else {
                &mut train
            };
            part.features.push(*x);
            part.targets.push(*t);
        }
        (train, test)
    }

    /// The canonical split of the bundled data sets (every fifth sample is a test sample), with
    /// features standardised by the training samples' mean and standard deviation.
    ///
    /// ```
    /// use typed_nn::data::Dataset;
    /// let data = Dataset::<1>::from_csv("x,y\n10,0\n1,0\n3,0\n1,0\n3,0\n")?;
    /// let (train, test) = data.standardized_split();
    /// assert_eq!(train.features, vec![[-1.0], [1.0], [-1.0], [1.0]]);
    /// assert_eq!(test.features, vec![[8.0]]);
    /// # Ok::<(), typed_nn::data::DataError>(())
    /// ```
    pub fn standardized_split(&self) -> (Self, Self) {
        let (mut train, mut test) = self.split_every(5);
        let scaler = Standardizer::fit(&train.features);
        scaler.apply(&mut train.features);
        scaler.apply(&mut test.features);
        (train, test)
    }

    /// The targets as class indices, or an error naming the first that is not one.
    pub fn classes(&self) -> Result<Vec<usize>, DataError> {
        self.targets
            .iter()
            .enumerate()
            .map(|(row, &t)| {
                let value = t.as_f64();
                let whole = num_traits::Float::fract(value) == 0.0;
                if value >= 0.0 && whole && value < usize::MAX as f64 {
                    Ok(value as usize)
                } else {
                    Err(DataError::NotAClass { row, value })
                }
            })
            .collect()
    }

    /// Multiplies every feature by `factor` (for example `1.0 / 16.0` for the digits' pixels).
    pub fn scale(&mut self, factor: F) {
        self.features
            .iter_mut()
            .flatten()
            .for_each(|v| *v *= factor);
    }
}

/// Per-feature mean and standard deviation, fitted on training data and applied to any data,
/// so that every feature has mean 0 and variance 1 on the training set.
///
/// ```
/// use typed_nn::data::{Dataset, Standardizer};
/// let mut train = Dataset::<1>::from_csv("x,y\n1,0\n3,0\n")?;
/// let s = Standardizer::fit(&train.features);
/// s.apply(&mut train.features);
/// assert_eq!(train.features, vec![[-1.0], [1.0]]);
/// # Ok::<(), typed_nn::data::DataError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Standardizer<const D: usize, F = f32> {
    /// The mean of each feature.
    pub mean: [F; D],
    /// The standard deviation of each feature (1 where a feature is constant, so that
    /// applying it never divides by zero).
    pub std: [F; D],
}

impl<const D: usize, F: Float> Standardizer<D, F> {
    /// Fits means and (population) standard deviations in `f64`.
    pub fn fit(features: &[[F; D]]) -> Self {
        let n = features.len().max(1) as f64;
        let mut mean = [0.0f64; D];
        let mut var = [0.0f64; D];
        for row in features {
            row.iter()
                .zip(&mut mean)
                .for_each(|(v, m)| *m += v.as_f64() / n);
        }
        for row in features {
            for ((v, m), s) in row.iter().zip(&mean).zip(&mut var) {
                *s += (v.as_f64() - m) * (v.as_f64() - m) / n;
            }
        }
        Standardizer {
            mean: mean.map(F::from_f64),
            std: var.map(|v| {
                F::from_f64(if v > 0.0 {
                    num_traits::Float::sqrt(v)
                } else {
                    1.0
                })
            }),
        }
    }

    /// Replaces each feature `x` by `(x - mean) / std`.
    pub fn apply(&self, features: &mut [[F; D]]) {
        for row in features {
            for ((v, &m), &s) in row.iter_mut().zip(&self.mean).zip(&self.std) {
                *v = (*v - m) / s;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn errors_name_the_line_and_column() {
        let bad_width = Dataset::<2, f32>::from_csv("a,b,y\n1,2,3\n1,2\n");
        assert_eq!(
            bad_width,
            Err(DataError::Width {
                line: 3,
                expected: 3,
                found: 2
            })
        );
        let bad_number = Dataset::<2, f32>::from_csv("a,b,y\n1,x,3\n");
        assert_eq!(
            bad_number,
            Err(DataError::NotANumber {
                line: 2,
                column: 2,
                text: "x".to_string()
            })
        );
        assert!(
            bad_number
                .unwrap_err()
                .to_string()
                .contains("line 2, column 2")
        );
        assert_eq!(Dataset::<2, f32>::from_csv(""), Err(DataError::Empty));
        let not_class = Dataset::<1, f32>::from_csv("a,y\n1,0.5\n")
            .unwrap()
            .classes();
        assert_eq!(not_class, Err(DataError::NotAClass { row: 0, value: 0.5 }));
    }

    #[test]
    fn canonical_split_takes_every_fifth_row_for_test() {
        let csv: String = core::iter::once("x,y\n".to_string())
            .chain((0..10).map(|i| alloc::format!("{i},0\n")))
            .collect();
        let data = Dataset::<1, f64>::from_csv(&csv).unwrap();
        let (train, test) = data.split_every(5);
        assert_eq!(test.features, vec![[0.0], [5.0]]);
        assert_eq!(train.len(), 8);
    }

    #[test]
    fn standardised_training_features_have_mean_0_and_variance_1() {
        let mut rows = vec![[1.0f64, 5.0], [2.0, 5.0], [6.0, 5.0]];
        let s = Standardizer::fit(&rows);
        s.apply(&mut rows);
        let mean: f64 = rows.iter().map(|r| r[0]).sum::<f64>() / 3.0;
        let var: f64 = rows.iter().map(|r| r[0] * r[0]).sum::<f64>() / 3.0;
        assert!(mean.abs() < 1e-12 && (var - 1.0).abs() < 1e-12);
        assert_eq!(rows[0][1], 0.0, "a constant feature becomes 0, not NaN");
    }
}
