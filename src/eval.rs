//! Evaluation on held-out data: mean loss, accuracy (and the binary accuracy of a model of one
//! logit), confusion matrix, mean squared error and R squared.
//!
//! Every function compares a model's outputs with targets given as two slices of the same
//! length; different lengths, an empty set, a class index the model cannot predict, a target
//! the loss is not defined for and a model output that is not finite (a NaN or an infinity)
//! are errors, never a number that looks like a result.

use core::fmt;

use crate::float::Float;
use crate::loss::{Loss, TargetError};
use crate::module::Forward;
use crate::tensor::Tensor;
use crate::train::{Classifier, argmax};

/// Why an evaluation has no result.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum EvalError {
    /// Inputs and targets of different lengths were given.
    LengthMismatch {
        /// The number of inputs.
        inputs: usize,
        /// The number of targets.
        targets: usize,
    },
    /// No samples were given.
    Empty,
    /// A target class is not one of the model's outputs.
    ClassOutOfRange {
        /// The sample's index (0-based).
        sample: usize,
        /// The class found.
        class: usize,
        /// The number of classes the model scores.
        classes: usize,
    },
    /// An output's targets are all equal, so R squared (which divides by their variance) is
    /// not defined.
    ConstantTarget {
        /// The output (0-based).
        output: usize,
    },
    /// The model's output for a sample is not finite (a NaN or an infinity): its weights or
    /// the input hold one, and no score means anything.
    NotFinite {
        /// The sample's index (0-based).
        sample: usize,
    },
    /// The result is not finite though every output is: it overflows `f64` (for [`mse`],
    /// outputs or targets beyond about 1e154, whose squares overflow; for [`r_squared`],
    /// which measures in units of the targets' spread, predictions off by more than about
    /// 1e154 spreads), or, for a loss, the model's float type.
    Overflow,
    /// The model has one output: the argmax of one score is always class 0, so it classifies
    /// nothing. A single logit (trained with
    /// [`BinaryCrossEntropy`](crate::loss::BinaryCrossEntropy)) is scored by
    /// [`binary_accuracy`].
    OneOutput,
    /// A target the loss is not defined for ([`Loss::check_target`]).
    Target {
        /// The sample's index (0-based).
        sample: usize,
        /// Which value, and why.
        error: TargetError,
    },
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvalError::LengthMismatch { inputs, targets } => write!(
                f,
                "{inputs} inputs but {targets} targets: each input needs one target"
            ),
            EvalError::Empty => write!(f, "no samples to evaluate"),
            EvalError::ClassOutOfRange {
                sample,
                class,
                classes,
            } => write!(
                f,
                "sample {sample}: class {class} is out of range for a model of {classes} classes (0 to {})",
                classes.saturating_sub(1)
            ),
            EvalError::ConstantTarget { output } => write!(
                f,
                "output {output}: every target is the same, so R squared is not defined"
            ),
            EvalError::NotFinite { sample } => write!(
                f,
                "sample {sample}: the model's output is not finite (its weights or the input hold a NaN or an infinity, or are so large that the output overflows)"
            ),
            // The error counts within this sample's target, so its own wording (which
            // counts samples from the target's index) would name sample 0 for every sample.
            EvalError::Target { sample, error } if error.expected == TargetError::DISTRIBUTION => {
                write!(
                    f,
                    "sample {sample}: the targets sum to {:.7}, not 1: a soft target must be a distribution",
                    error.value
                )
            }
            EvalError::Target { sample, error } if error.row <= 1 => write!(
                f,
                "sample {sample}: the target is {}: it must be {}",
                error.value,
                error.requirement()
            ),
            EvalError::Target { sample, error } => write!(
                f,
                "sample {sample}: target value {} is {}: it must be {}",
                error.index, error.value, error.expected
            ),
            EvalError::OneOutput => write!(
                f,
                "the model has one output, whose argmax is always class 0: score a single logit with `eval::binary_accuracy`, or give the model one output per class"
            ),
            EvalError::Overflow => write!(
                f,
                "the result overflows: the outputs or targets are too large for their squares (scale the data)"
            ),
        }
    }
}

impl core::error::Error for EvalError {}

/// Checks that there are as many targets as inputs, and at least one.
fn paired<X, T>(inputs: &[X], targets: &[T]) -> Result<(), EvalError> {
    if inputs.len() != targets.len() {
        return Err(EvalError::LengthMismatch {
            inputs: inputs.len(),
            targets: targets.len(),
        });
    }
    if inputs.is_empty() {
        return Err(EvalError::Empty);
    }
    Ok(())
}

/// The mean of `loss` over the inputs (each input, a sample or a batch, weighs the same).
///
/// ```
/// use typed_nn::{eval::mean_loss, Linear, Mse};
/// let model = Linear::<1, 1>::from_parts([[2.0]], [0.0]);
/// let loss = mean_loss(&model, &[[1.0], [2.0]], &[[2.0], [5.0]], &Mse)?;
/// assert_eq!(loss, 0.5); // (0 + 1) / 2
/// # Ok::<(), typed_nn::eval::EvalError>(())
/// ```
///
/// A model that ends in the function its loss applies itself (`Softmax` before
/// [`SoftmaxCrossEntropy`](crate::SoftmaxCrossEntropy), `Sigmoid` before
/// [`BinaryCrossEntropy`](crate::BinaryCrossEntropy)) stops `cargo build`, as it does for a
/// trainer ([`shape::AppliedTwice`](crate::shape::AppliedTwice)): its loss would be that of
/// the function applied twice, not the model's.
pub fn mean_loss<M, X, T, L>(
    model: &M,
    inputs: &[X],
    targets: &[T],
    loss: &L,
) -> Result<f64, EvalError>
where
    M: Forward<X>,
    L: Loss<M::Output, T>,
{
    // Here, so that the message points at the caller's line.
    let () = crate::shape::AppliedTwice::<M, X, L, T>::HOLD;
    paired(inputs, targets)?;
    let mut sum = 0.0;
    for (sample, (x, t)) in inputs.iter().zip(targets).enumerate() {
        loss.check_target(t)
            .map_err(|error| EvalError::Target { sample, error })?;
        let y = finite(sample, model.infer(x))?;
        sum += loss.loss(&y, t).as_f64();
    }
    result(sum / inputs.len() as f64)
}

/// The fraction of samples whose predicted class (the [`argmax`] of `model.infer(x)`) is the
/// target class.
///
/// ```
/// use typed_nn::{eval::{EvalError, accuracy}, Linear};
/// let model = Linear::<1, 2>::from_parts([[1.0], [-1.0]], [0.0, 0.0]);
/// assert_eq!(accuracy(&model, &[[1.0], [-1.0]], &[0, 0]), Ok(0.5));
/// assert_eq!(
///     accuracy(&model, &[[1.0]], &[0, 1]),
///     Err(EvalError::LengthMismatch { inputs: 1, targets: 2 })
/// );
/// assert!(accuracy(&model, &[[1.0]], &[5]).is_err()); // the model has classes 0 and 1
/// ```
pub fn accuracy<M: Classifier<X>, X>(
    model: &M,
    inputs: &[X],
    classes: &[usize],
) -> Result<f64, EvalError> {
    paired(inputs, classes)?;
    two_classes::<M, X>()?;
    let mut right = 0;
    for (sample, (x, &class)) in inputs.iter().zip(classes).enumerate() {
        check_class::<M, X>(sample, class)?;
        let predicted = model
            .predict_finite(x)
            .ok_or(EvalError::NotFinite { sample })?;
        right += usize::from(predicted == class);
    }
    Ok(right as f64 / inputs.len() as f64)
}

/// `y`, if every value of it is finite.
fn finite<T: Tensor>(sample: usize, y: T) -> Result<T, EvalError> {
    if y.flat().iter().all(|v| num_traits::Float::is_finite(*v)) {
        Ok(y)
    } else {
        Err(EvalError::NotFinite { sample })
    }
}

/// A classifier's argmax chooses between at least two classes.
fn two_classes<M: Classifier<X>, X>() -> Result<(), EvalError> {
    if M::CLASSES >= 2 {
        Ok(())
    } else {
        Err(EvalError::OneOutput)
    }
}

/// The fraction of samples that a model of one output classifies as their target does: a
/// sample is predicted positive when the output is a logit `z > 0` (a probability
/// `sigmoid(z)` above one half), or, for a model that ends in [`Sigmoid`](crate::Sigmoid)
/// (followed by nothing but layers that leave probabilities as they are:
/// [`Identity`](crate::Identity), [`Flatten`](crate::Flatten), [`ReLU`](crate::ReLU) or
/// [`LeakyReLU`](crate::LeakyReLU)), a probability above one half; and is positive when its
/// target, a probability in `[0, 1]` as
/// [`BinaryCrossEntropy`](crate::loss::BinaryCrossEntropy) takes, is above one half.
///
/// ```
/// use typed_nn::{eval::binary_accuracy, Linear, Sigmoid};
/// let model = Linear::<1, 1>::from_parts([[1.0]], [0.0]); // z = x
/// let xs = [[2.0], [-1.0], [0.5], [-3.0]];
/// let ts = [[1.0], [0.0], [0.0], [0.0]];
/// assert_eq!(binary_accuracy(&model, &xs, &ts), Ok(0.75));
/// // The same model ending in a sigmoid predicts the same classes (but for logits within
/// // rounding of 0: in f32, sigmoid(1e-8) is 0.5 exactly).
/// assert_eq!(binary_accuracy(&(model.clone(), Sigmoid), &xs, &ts), Ok(0.75));
/// assert!(binary_accuracy(&model, &xs[..1], &[[2.0]]).is_err()); // not a probability
/// ```
pub fn binary_accuracy<M, X, F>(
    model: &M,
    inputs: &[X],
    targets: &[[F; 1]],
) -> Result<f64, EvalError>
where
    M: Forward<X, Output = [F; 1]>,
    F: Float,
{
    paired(inputs, targets)?;
    // A probability is split at one half, a logit at zero.
    let threshold = match M::SQUASH {
        crate::module::Squash::Sigmoid => F::HALF,
        _ => F::ZERO,
    };
    let mut right = 0;
    for (sample, (x, t)) in inputs.iter().zip(targets).enumerate() {
        Loss::<[F; 1], [F; 1]>::check_target(&crate::loss::BinaryCrossEntropy, t)
            .map_err(|error| EvalError::Target { sample, error })?;
        let [z] = finite(sample, model.infer(x))?;
        right += usize::from((z > threshold) == (t[0] > F::HALF));
    }
    Ok(right as f64 / inputs.len() as f64)
}

fn check_class<M: Classifier<X>, X>(sample: usize, class: usize) -> Result<(), EvalError> {
    if class < M::CLASSES {
        Ok(())
    } else {
        Err(EvalError::ClassOutOfRange {
            sample,
            class,
            classes: M::CLASSES,
        })
    }
}

/// Counts of (true class, predicted class) pairs: row `t`, column `p` counts the samples of
/// class `t` the model predicted as `p`. It prints as a table.
///
/// ```
/// use typed_nn::{eval::confusion_matrix, Linear};
/// let model = Linear::<1, 2>::from_parts([[1.0], [-1.0]], [0.0, 0.0]);
/// let m = confusion_matrix(&model, &[[1.0], [-1.0], [2.0]], &[0, 0, 1])?;
/// assert_eq!(m.counts, [[1, 1], [1, 0]]);
/// assert_eq!(m.accuracy(), 1.0 / 3.0);
/// print!("{m}");
/// # Ok::<(), typed_nn::eval::EvalError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfusionMatrix<const C: usize> {
    /// `counts[true][predicted]`.
    pub counts: [[usize; C]; C],
}

impl<const C: usize> ConfusionMatrix<C> {
    /// The number of samples counted.
    pub fn total(&self) -> usize {
        self.counts.iter().flatten().sum()
    }

    /// The fraction on the diagonal (0 when empty).
    pub fn accuracy(&self) -> f64 {
        let right: usize = (0..C).map(|c| self.counts[c][c]).sum();
        right as f64 / self.total().max(1) as f64
    }

    /// Of the samples of class `c`, the fraction predicted as `c` (`None` if there are none).
    pub fn recall(&self, c: usize) -> Option<f64> {
        let row: usize = self.counts.get(c)?.iter().sum();
        (row > 0).then(|| self.counts[c][c] as f64 / row as f64)
    }

    /// Of the samples predicted as class `c`, the fraction that are `c` (`None` if there are
    /// none).
    pub fn precision(&self, c: usize) -> Option<f64> {
        let column: usize = self
            .counts
            .iter()
            .map(|row| *row.get(c).unwrap_or(&0))
            .sum();
        (c < C && column > 0).then(|| self.counts[c][c] as f64 / column as f64)
    }
}

impl<const C: usize> fmt::Display for ConfusionMatrix<C> {
    /// A Markdown table: one row per true class, one column per predicted class, the recall
    /// of each class in the last column, and a last row with the precision of each predicted
    /// class and, in the recall column, the accuracy.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = |mut n: usize| {
            let mut d = 1;
            while n >= 10 {
                n /= 10;
                d += 1;
            }
            d
        };
        let width = digits(self.total().max(C.saturating_sub(1)));
        write!(f, "| true \\ predicted |")?;
        for c in 0..C {
            write!(f, " {c:>width$} |")?;
        }
        writeln!(f, " recall |")?;
        write!(f, "|---|")?;
        for _ in 0..C {
            write!(f, "---:|")?;
        }
        writeln!(f, "---:|")?;
        for (t, row) in self.counts.iter().enumerate() {
            write!(f, "| {t} |")?;
            for n in row {
                write!(f, " {n:>width$} |")?;
            }
            match self.recall(t) {
                Some(r) => writeln!(f, " {r:.3} |")?,
                None => writeln!(f, " - |")?,
            }
        }
        write!(f, "| precision |")?;
        for c in 0..C {
            match self.precision(c) {
                Some(p) => write!(f, " {p:.3} |")?,
                None => write!(f, " - |")?,
            }
        }
        if self.total() > 0 {
            writeln!(f, " accuracy {:.3} |", self.accuracy())
        } else {
            writeln!(f, " - |")
        }
    }
}

/// The confusion matrix of a classifier of `C` classes on single samples.
pub fn confusion_matrix<M, X, F, const C: usize>(
    model: &M,
    inputs: &[X],
    classes: &[usize],
) -> Result<ConfusionMatrix<C>, EvalError>
where
    M: Forward<X, Output = [F; C]>,
    F: Float,
{
    paired(inputs, classes)?;
    two_classes::<M, X>()?;
    let mut counts = [[0; C]; C];
    for (sample, (x, &class)) in inputs.iter().zip(classes).enumerate() {
        check_class::<M, X>(sample, class)?;
        counts[class][argmax(&finite(sample, model.infer(x))?)] += 1;
    }
    Ok(ConfusionMatrix { counts })
}

/// The mean squared error of the model's outputs against the targets, over every output of
/// every sample, summed in `f64`: an error too large for the model's float type (an `f32`
/// output of 1e20, whose square is 1e40) is still a number here, while
/// [`mean_loss`] with [`Mse`](crate::Mse), which computes in the model's type, reports it as
/// [`EvalError::Overflow`].
///
/// ```
/// use typed_nn::{eval::mse, Linear};
/// let model = Linear::<1, 1>::from_parts([[2.0]], [0.0]);
/// assert_eq!(mse(&model, &[[1.0], [2.0]], &[[2.0], [5.0]]), Ok(0.5));
/// ```
pub fn mse<M: Forward<X>, X>(
    model: &M,
    inputs: &[X],
    targets: &[M::Output],
) -> Result<f64, EvalError> {
    paired(inputs, targets)?;
    finite_targets(targets)?;
    let mut sum = 0.0;
    for (sample, (x, t)) in inputs.iter().zip(targets).enumerate() {
        let y = finite(sample, model.infer(x))?;
        for (p, t) in y.flat().iter().zip(t.flat()) {
            sum += (p.as_f64() - t.as_f64()) * (p.as_f64() - t.as_f64());
        }
    }
    result(sum / (inputs.len() * <M::Output as Tensor>::LEN) as f64)
}

/// The coefficient of determination, `1 - SS_res / SS_tot`, of each output (over all
/// samples, batches counted sample by sample), averaged over the outputs with equal weights
/// (scikit-learn's `r2_score` with its default `multioutput='uniform_average'`). 1 is a
/// perfect fit; 0 is no better than predicting each output's mean; it is negative for a
/// model worse than that.
///
/// ```
/// use typed_nn::{eval::r_squared, Linear};
/// let model = Linear::<1, 1>::from_parts([[2.0]], [0.0]);
/// let r2 = r_squared(&model, &[[1.0], [2.0], [3.0]], &[[2.0], [4.0], [7.0]])?;
/// assert!((r2 - (1.0 - 3.0 / 38.0)).abs() < 1e-12); // SS_res 1, SS_tot 38 / 3
/// # Ok::<(), typed_nn::eval::EvalError>(())
/// ```
pub fn r_squared<M: Forward<X>, X>(
    model: &M,
    inputs: &[X],
    targets: &[M::Output],
) -> Result<f64, EvalError> {
    paired(inputs, targets)?;
    finite_targets(targets)?;
    let row = <M::Output as Tensor>::ROW;
    let samples = (inputs.len() * <M::Output as Tensor>::LEN / row) as f64;
    let mut total = 0.0;
    for output in 0..row {
        // Values of this output across every sample row.
        let column = |t: &M::Output| -> f64 {
            let flat = t.flat();
            (0..flat.len() / row)
                .map(|r| flat[r * row + output].as_f64())
                .sum()
        };
        // Compared exactly: the mean of a constant 0.1 in f64 is not 0.1 to the last bit, and
        // the squares of those differences would make R^2 a number like -7e33.
        let values = || {
            targets.iter().flat_map(|t| {
                let flat = t.flat();
                (0..flat.len() / row).map(move |r| flat[r * row + output])
            })
        };
        let first = values().next();
        if values().all(|v| Some(v) == first) {
            return Err(EvalError::ConstantTarget { output });
        }
        let mean = targets.iter().map(column).sum::<f64>() / samples;
        // Differences are squared in units of the largest deviation from the mean (R^2 does
        // not depend on the unit), so that targets of 1e-170 do not square to zero, nor
        // targets of 1e170 to infinity.
        let unit = values()
            .map(|v| (v.as_f64() - mean).abs())
            .fold(0.0, f64::max);
        let (mut res, mut tot) = (0.0, 0.0);
        for (sample, (x, t)) in inputs.iter().zip(targets).enumerate() {
            let y = finite(sample, model.infer(x))?;
            let (y, t) = (y.flat(), t.flat());
            for r in 0..t.len() / row {
                let (p, v) = (y[r * row + output].as_f64(), t[r * row + output].as_f64());
                let (miss, spread) = ((v - p) / unit, (v - mean) / unit);
                res += miss * miss;
                tot += spread * spread;
            }
        }
        total += 1.0 - res / tot;
    }
    result(total / row as f64)
}

/// Every target finite, as [`Mse`](crate::Mse) requires: a NaN or an infinity is named by its
/// sample, not reported later as a result that overflowed.
fn finite_targets<T: Tensor>(targets: &[T]) -> Result<(), EvalError> {
    for (sample, t) in targets.iter().enumerate() {
        Loss::<T, T>::check_target(&crate::Mse, t)
            .map_err(|error| EvalError::Target { sample, error })?;
    }
    Ok(())
}

/// `Ok(value)` if it is finite: a score that overflowed is no score.
fn result(value: f64) -> Result<f64, EvalError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(EvalError::Overflow)
    }
}
