//! Losses and their gradients with respect to the prediction.
//!
//! Each loss is the mean over a sample's outputs (and over the samples of a batch), as in
//! PyTorch's default `reduction='mean'`, so a learning rate means the same whatever the batch
//! size. Each is stable: loss and gradient stay finite for logits of magnitude 1e4. Gradients
//! of cross-entropy below about 2e-31 (for `f32`) are flushed to zero, so that the backward
//! pass never computes on subnormal numbers.

use crate::float::{Float, Readable};
use crate::layers::softmax_row;
use crate::math::flush_tiny;
use crate::module::Squash;
use crate::shape::SoftmaxClasses;
use crate::tensor::Tensor;
use crate::tensor::Zero;
use num_traits::Float as _;

/// A loss comparing a prediction `P` with a target `T`.
///
/// ```
/// use typed_nn::{Loss, Mse};
/// let mut grad = [0.0f32; 2];
/// let loss = Mse.loss_grad(&[1.0, 3.0], &[1.0, 1.0], &mut grad);
/// assert_eq!(loss, 2.0); // ((1-1)^2 + (3-1)^2) / 2
/// assert_eq!(grad, [0.0, 2.0]); // 2 (p - t) / 2
/// ```
#[diagnostic::on_unimplemented(
    message = "loss `{Self}` cannot compare prediction `{P}` with target `{T}`",
    label = "`{Self}` cannot compare `{P}` with `{T}`",
    note = "the target must have the prediction's shape, `{P}` (for a model of one output, `[f32; 1]` a sample: `Dataset::target_rows` gives them), or, for `SoftmaxCrossEntropy`, be a class index `usize` a sample (`[usize; B]` a batch, from `Dataset::classes`); targets of a batch against the prediction of one sample mean that the input was taken for one sample: a trainer's input type is fixed where it is named or first used (`Trainer::<_, [_; B], _>` names a batch of B), and a model that begins with `Flatten` takes `[[F; C]; R]` as one image (a batch of images is `[[[F; C]; R]; B]`; flat rows need no `Flatten`)"
)]
pub trait Loss<P: Tensor, T> {
    /// The loss value.
    fn loss(&self, pred: &P, target: &T) -> P::Elem;

    /// The loss value; writes the gradient of the loss with respect to `pred` into `grad`.
    fn loss_grad(&self, pred: &P, target: &T, grad: &mut P) -> P::Elem;

    /// The loss value over the first `rows` rows (samples) of a batch only, each weighted
    /// once: what [`Trainer::epoch`](crate::train::Trainer::epoch) reports for a last batch
    /// that the data set does not fill, whose other rows repeat samples. The default is
    /// [`loss`](Self::loss) over every row, which a loss that does not treat rows alike
    /// keeps; the crate's losses, means over rows, override it.
    fn loss_of_rows(&self, pred: &P, target: &T, rows: usize) -> P::Elem {
        let _ = rows;
        self.loss(pred, target)
    }

    /// Whether `target` is one this loss is defined for: an error names the first value that
    /// is not (a probability outside [0, 1], a distribution that does not sum to 1, a class
    /// the prediction has no score for). [`Trainer`](crate::train::Trainer) checks before
    /// each step. Every target is valid by default.
    fn check_target(&self, target: &T) -> Result<(), TargetError> {
        let _ = target;
        Ok(())
    }

    /// For a classification loss, how many of the first `samples` samples of `pred` are
    /// classified as `target` says, out of how many decisions: `None` for losses that do not
    /// classify (the default). [`Trainer::epoch`](crate::train::Trainer::epoch) reports it as
    /// the training accuracy.
    fn correct(&self, pred: &P, target: &T, samples: usize) -> Option<(usize, usize)> {
        let _ = (pred, target, samples);
        None
    }

    /// The function the loss applies to the prediction itself, which a model must not end
    /// in ([`shape::AppliedTwice`](crate::shape::AppliedTwice)).
    #[doc(hidden)]
    const SQUASH: Squash = Squash::None;
}

/// A target a loss is not defined for ([`Loss::check_target`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TargetError {
    /// The target value's index (row-major; for class indices, the sample). In
    /// [`Trainer::epoch`](crate::train::Trainer::epoch) and `fit`, counted in the whole data
    /// set's targets, not in the batch.
    pub index: usize,
    /// How many target values each sample has (1 for class indices): the sample is
    /// `index / row`.
    pub row: usize,
    /// The value (for a distribution that does not sum to 1, the sum of its row, with
    /// `index` at the row's first value and `expected` [`TargetError::DISTRIBUTION`]).
    pub value: f64,
    /// What it must be.
    pub expected: &'static str,
    /// For a class index, the number of classes of the model's output (0 otherwise).
    pub classes: usize,
}

impl TargetError {
    /// What a soft target's row must be, when its sum is the value at fault.
    pub const DISTRIBUTION: &'static str = "a distribution: its row sums to 1";

    /// What the target must be, as a message says it: [`expected`](Self::expected), with
    /// the number of classes for a class index.
    pub(crate) fn requirement(&self) -> impl core::fmt::Display + '_ {
        struct Requirement<'a>(&'a TargetError);
        impl core::fmt::Display for Requirement<'_> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                match self.0.classes {
                    0 => f.write_str(self.0.expected),
                    c => write!(f, "{}, {c} (0 to {})", self.0.expected, c - 1),
                }
            }
        }
        Requirement(self)
    }
}

impl core::fmt::Display for TargetError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        if self.expected == Self::DISTRIBUTION {
            // The value is the row's sum, not the value at `index`; it was summed in f64 from
            // values of the target's own type, so seven digits say all it holds.
            write!(
                f,
                "the targets of sample {} sum to {:.7}, not 1: a soft target must be a distribution",
                self.index / self.row.max(1),
                self.value
            )
        } else if self.row > 1 {
            write!(
                f,
                "target value {} (sample {}) is {}: it must be {}",
                self.index,
                self.index / self.row,
                Readable(self.value),
                self.expected
            )
        } else if self.classes > 0 {
            write!(
                f,
                "sample {}'s target is class {}: it must be {}",
                self.index,
                ClassIndex(self.value),
                self.requirement()
            )
        } else {
            write!(
                f,
                "sample {}'s target is {}: it must be {}",
                self.index,
                Readable(self.value),
                self.requirement()
            )
        }
    }
}

/// A class index, kept as `f64`: in digits while `f64` holds it exactly, and near `usize::MAX`
/// as what such an index most often is.
struct ClassIndex(f64);

impl core::fmt::Display for ClassIndex {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        const EXACT: f64 = (1u64 << 53) as f64;
        match self.0 {
            v if v < EXACT => write!(f, "{v:.0}"),
            v if v >= usize::MAX as f64 / 2.0 => write!(
                f,
                "{v:e}, about `usize::MAX` (an index computed from a negative number?)"
            ),
            v => write!(f, "{v:e}"),
        }
    }
}

impl core::error::Error for TargetError {}

/// The first of `values` (with their indices) that fails `ok`, as a [`TargetError`].
fn first_bad<F: Float>(
    values: impl Iterator<Item = (usize, F)>,
    row: usize,
    ok: impl Fn(F) -> bool,
    expected: &'static str,
) -> Result<(), TargetError> {
    for (index, v) in values {
        if !ok(v) {
            return Err(TargetError {
                index,
                row,
                value: v.as_f64(),
                expected,
                classes: 0,
            });
        }
    }
    Ok(())
}

/// Each row of a soft target: no value below 0, and a sum of 1 (within 1e-4 for `f32`
/// rounding, 1e-10 for `f64`).
fn check_distributions<F: Float>(target: &[F], row: usize) -> Result<(), TargetError> {
    let values = target.iter().copied().enumerate();
    first_bad(
        values,
        row,
        |v| v >= F::ZERO && v.is_finite(),
        "a probability, at least 0",
    )?;
    let tolerance = if F::BYTES == 4 { 1e-4 } else { 1e-10 };
    for (r, values) in target.chunks_exact(row.max(1)).enumerate() {
        let sum: f64 = values.iter().map(|v| v.as_f64()).sum();
        if (sum - 1.0).abs() > tolerance {
            return Err(TargetError {
                index: r * row,
                row,
                value: sum,
                expected: TargetError::DISTRIBUTION,
                classes: 0,
            });
        }
    }
    Ok(())
}

/// `P: ScoredBy<L, T>`: loss `L` compares prediction `P` with target `T`. Implemented for
/// every [`Loss`].
///
/// [`Trainer`](crate::train::Trainer) states its loss bound this way, with the prediction as
/// `Self`, so that a model whose shapes do not fit (whose prediction type is unknown) is
/// reported once, for the shapes, and not again for the loss.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{L}` is not a loss that scores prediction `{Self}` against target `{T}`",
    label = "not a loss",
    note = "the target comes before the loss: `trainer.step(&mut model, &x, &target, &Mse)`, and so in `epoch`, `fit`, `eval::mean_loss` and `gradcheck`; a loss is `Mse`, `BinaryCrossEntropy`, `SoftmaxCrossEntropy` or a type that implements `Loss`"
)]
pub trait ScoredBy<L, T>: Tensor {
    /// [`Loss::loss_grad`].
    fn loss_grad(loss: &L, pred: &Self, target: &T, grad: &mut Self) -> Self::Elem;
    /// [`Loss::correct`].
    fn correct(loss: &L, pred: &Self, target: &T, samples: usize) -> Option<(usize, usize)>;
    /// [`Loss::check_target`].
    fn check_target(loss: &L, target: &T) -> Result<(), TargetError>;
    /// [`Loss::loss_of_rows`].
    fn loss_of_rows(loss: &L, pred: &Self, target: &T, rows: usize) -> Self::Elem;
    /// [`Loss::SQUASH`].
    const SQUASH: Squash;
}

impl<P: Tensor, L: Loss<P, T>, T> ScoredBy<L, T> for P {
    const SQUASH: Squash = L::SQUASH;

    #[inline(always)]
    fn loss_grad(loss: &L, pred: &P, target: &T, grad: &mut P) -> P::Elem {
        loss.loss_grad(pred, target, grad)
    }

    fn correct(loss: &L, pred: &P, target: &T, samples: usize) -> Option<(usize, usize)> {
        loss.correct(pred, target, samples)
    }

    fn check_target(loss: &L, target: &T) -> Result<(), TargetError> {
        loss.check_target(target)
    }

    fn loss_of_rows(loss: &L, pred: &P, target: &T, rows: usize) -> P::Elem {
        loss.loss_of_rows(pred, target, rows)
    }
}

/// The first `rows` rows of `values`, rows of `row` values each (all of them when `rows` is
/// larger), and how many rows that is (at least 1, so that a mean divides by it).
fn first_rows<F>(values: &[F], row: usize, rows: usize) -> (&[F], usize) {
    let rows = rows.min(values.len() / row.max(1)).max(1);
    (&values[..rows.saturating_mul(row).min(values.len())], rows)
}

/// How many of the first `samples` rows of `pred` have their largest value where `target`'s
/// row does (or, with `classes`, at the row's class index).
fn argmax_matches<F: Float>(
    pred: &[F],
    row: usize,
    samples: usize,
    target: impl Fn(usize) -> usize,
) -> (usize, usize) {
    let rows = pred.chunks_exact(row).take(samples);
    let right = rows
        .enumerate()
        .filter(|(i, z)| crate::train::argmax(z) == target(*i))
        .count();
    (right, samples.min(pred.len() / row.max(1)))
}

/// Mean squared error, `mean((p - t)^2)`, for regression.
///
/// ```
/// use typed_nn::{Loss, Mse};
/// assert_eq!(Mse.loss(&[[0.0f64], [2.0]], &[[1.0], [1.0]]), 1.0);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mse;

/// Binary cross-entropy on logits: `mean(max(z, 0) - z t + ln(1 + e^-|z|))`, the negative
/// log-likelihood of targets `t` in `[0, 1]` under probabilities `sigmoid(z)`. Its gradient is
/// `sigmoid(z) - t` (over the number of outputs): logistic regression is `Linear<D, 1>`
/// trained with this loss.
///
/// The loss applies the sigmoid itself: a model that ends in a [`Sigmoid`](crate::Sigmoid)
/// layer would be scored on `sigmoid(sigmoid(z))`, which never falls below 0.5, and learns
/// to call every sample positive. End the model in a `Linear` layer, and apply the sigmoid
/// at inference (or use [`eval::binary_accuracy`](crate::eval::binary_accuracy), which
/// reads logits). A [`Trainer`](crate::train::Trainer) given a model that ends in `Sigmoid`
/// with this loss stops `cargo build` ([`AppliedTwice`](crate::shape::AppliedTwice)).
///
/// ```
/// use typed_nn::{BinaryCrossEntropy, Loss};
/// let l = BinaryCrossEntropy.loss(&[0.0f64], &[1.0]);
/// assert!((l - core::f64::consts::LN_2).abs() < 1e-15);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BinaryCrossEntropy;

/// Softmax cross-entropy on logits, `logsumexp(z) - <t, z>` per sample: softmax and
/// cross-entropy fused, with gradient `softmax(z) - t`.
///
/// The target is a class index (`usize` for one sample, `[usize; B]` for a batch) or a
/// distribution of the logits' shape (one-hot, or soft labels summing to one). A class index
/// that is not below the number of classes gives a NaN loss and a zero gradient for that
/// sample: wrong, visibly, and reported as an error by [`Trainer`](crate::train::Trainer).
///
/// The loss applies the softmax itself: a model that ends in a [`Softmax`](crate::Softmax)
/// layer would be scored on the softmax of probabilities, which hardly moves, and trains
/// slowly or not at all. End the model in a `Linear` layer; a [`Trainer`](crate::train::Trainer)
/// given a model that ends in `Softmax` with this loss stops `cargo build`
/// ([`AppliedTwice`](crate::shape::AppliedTwice)). A model of one output is a compile error
/// ([`SoftmaxClasses`](crate::shape::SoftmaxClasses)).
///
/// ```
/// use typed_nn::{Loss, SoftmaxCrossEntropy};
/// let logits = [2.0f64, 0.0, 0.0];
/// let by_index = SoftmaxCrossEntropy.loss(&logits, &0);
/// let by_one_hot = SoftmaxCrossEntropy.loss(&logits, &[1.0, 0.0, 0.0]);
/// assert_eq!(by_index, by_one_hot);
/// assert!(SoftmaxCrossEntropy.loss(&logits, &7).is_nan());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SoftmaxCrossEntropy;

#[diagnostic::do_not_recommend]
impl<P: Tensor> Loss<P, P> for Mse {
    fn loss(&self, pred: &P, target: &P) -> P::Elem {
        self.loss_of_rows(pred, target, usize::MAX)
    }

    fn loss_of_rows(&self, pred: &P, target: &P, rows: usize) -> P::Elem {
        let (pred, _) = first_rows(pred.flat(), P::ROW, rows);
        let mut sum = P::Elem::ZERO;
        for (&p, &t) in pred.iter().zip(target.flat()) {
            sum += (p - t) * (p - t);
        }
        sum / P::Elem::from_usize(pred.len())
    }

    fn loss_grad(&self, pred: &P, target: &P, grad: &mut P) -> P::Elem {
        let n = P::Elem::from_usize(P::LEN);
        let scale = P::Elem::from_f64(2.0) / n;
        let mut sum = P::Elem::ZERO;
        let pairs = pred.flat().iter().zip(target.flat());
        for (g, (&p, &t)) in grad.flat_mut().iter_mut().zip(pairs) {
            sum += (p - t) * (p - t);
            *g = scale * (p - t);
        }
        sum / n
    }

    /// Targets are finite: a NaN or an infinity is named here, not found later as a loss
    /// that is not finite.
    fn check_target(&self, target: &P) -> Result<(), TargetError> {
        let values = target.flat().iter().copied().enumerate();
        first_bad(
            values,
            P::ROW,
            |t: P::Elem| t.is_finite(),
            "a finite number",
        )
    }
}

#[diagnostic::do_not_recommend]
impl<P: Tensor> Loss<P, P> for BinaryCrossEntropy {
    const SQUASH: Squash = Squash::Sigmoid;

    fn loss(&self, logits: &P, target: &P) -> P::Elem {
        self.loss_of_rows(logits, target, usize::MAX)
    }

    fn loss_of_rows(&self, logits: &P, target: &P, rows: usize) -> P::Elem {
        let (logits, _) = first_rows(logits.flat(), P::ROW, rows);
        let mut sum = P::Elem::ZERO;
        for (&z, &t) in logits.iter().zip(target.flat()) {
            sum += z.max(P::Elem::ZERO) - z * t + (-z.abs()).exp().ln_1p();
        }
        sum / P::Elem::from_usize(logits.len())
    }

    fn loss_grad(&self, logits: &P, target: &P, grad: &mut P) -> P::Elem {
        let one = P::Elem::ONE;
        let scale = one / P::Elem::from_usize(P::LEN);
        let mut sum = P::Elem::ZERO;
        let pairs = logits.flat().iter().zip(target.flat());
        for (g, (&z, &t)) in grad.flat_mut().iter_mut().zip(pairs) {
            // One exp serves both: e = e^-|z| gives ln(1 + e^-|z|) and sigmoid(z).
            let e = (-z.abs()).exp();
            sum += z.max(P::Elem::ZERO) - z * t + e.ln_1p();
            let p = if z >= P::Elem::ZERO {
                one / (one + e)
            } else {
                e / (one + e)
            };
            *g = flush_tiny(scale * (p - t));
        }
        sum * scale
    }

    /// Targets are probabilities: in [0, 1]. (Outside it, the loss goes negative.)
    fn check_target(&self, target: &P) -> Result<(), TargetError> {
        let values = target.flat().iter().copied().enumerate();
        let ok = |t: P::Elem| t >= P::Elem::ZERO && t <= P::Elem::ONE;
        first_bad(values, P::ROW, ok, "a probability, in [0, 1]")
    }

    /// Each output is a yes-or-no decision: logit above 0 against target above 1/2.
    fn correct(&self, logits: &P, target: &P, samples: usize) -> Option<(usize, usize)> {
        let outputs = (samples * P::ROW).min(P::LEN);
        let pairs = logits.flat().iter().zip(target.flat()).take(outputs);
        let half = P::Elem::from_f64(0.5);
        let right = pairs
            .filter(|(z, t)| (**z > P::Elem::ZERO) == (**t > half))
            .count();
        Some((right, outputs))
    }
}

/// Class indices below `C`.
fn check_classes<const C: usize>(classes: impl Iterator<Item = usize>) -> Result<(), TargetError> {
    for (index, class) in classes.enumerate() {
        if class >= C {
            return Err(TargetError {
                index,
                row: 1,
                value: class as f64,
                expected: "a class index below the number of classes",
                classes: C,
            });
        }
    }
    Ok(())
}

/// `logsumexp(z)` computed without overflow, as its two terms: the largest logit, and the
/// logarithm of the sum relative to it ([`softmax_row`]).
fn log_sum_exp<F: Float>(z: &[F]) -> (F, F) {
    let max = z.iter().fold(F::neg_infinity(), |m, &v| m.max(v));
    let sum = z.iter().fold(F::ZERO, |s, &v| s + (v - max).exp_fast());
    (max, sum.ln())
}

/// One sample's cross-entropy against a distribution `t`, and its gradient scaled by `scale`.
///
/// `sum t_k (logsumexp(z) - z_k)`, summed as `sum t_k (max - z_k) + ln_sum * sum t_k`: the
/// differences from the largest logit are exact where the logits are close, and large
/// logits do not swallow the logarithm.
fn soft_target_row<F: Float>(z: &[F], t: &[F], grad: Option<(&mut [F], F)>) -> F {
    let total: F = t.iter().fold(F::ZERO, |s, &v| s + v);
    let (max, ln_sum) = match grad {
        Some((g, scale)) => {
            let lse = softmax_row(z, g);
            for (g, &t) in g.iter_mut().zip(t) {
                *g = flush_tiny(scale * (*g * total - t));
            }
            lse
        }
        None => log_sum_exp(z),
    };
    let below_max = z
        .iter()
        .zip(t)
        .fold(F::ZERO, |s, (&z, &t)| s + (max - z) * t);
    below_max + ln_sum * total
}

/// One sample's cross-entropy against class `c`, and its gradient scaled by `scale`.
fn class_row<F: Float>(z: &[F], c: usize, grad: Option<(&mut [F], F)>) -> F {
    let Some(&zc) = z.get(c) else {
        if let Some((g, _)) = grad {
            g.fill(F::ZERO);
        }
        return F::nan();
    };
    let (max, ln_sum) = match grad {
        Some((g, scale)) => {
            let lse = softmax_row(z, g);
            g[c] -= F::ONE;
            g.iter_mut().for_each(|g| *g = flush_tiny(*g * scale));
            lse
        }
        None => log_sum_exp(z),
    };
    // `logsumexp(z) - z_c` as `(max - z_c) + ln_sum`: see `soft_target_row`.
    (max - zc) + ln_sum
}

#[diagnostic::do_not_recommend]
impl<P: Tensor> Loss<P, P> for SoftmaxCrossEntropy {
    const SQUASH: Squash = Squash::Softmax;

    fn loss(&self, logits: &P, target: &P) -> P::Elem {
        self.loss_of_rows(logits, target, usize::MAX)
    }

    fn loss_of_rows(&self, logits: &P, target: &P, rows: usize) -> P::Elem {
        let () = SoftmaxClasses::<P>::HOLD;
        let (logits, rows) = first_rows(logits.flat(), P::ROW, rows);
        let pairs = logits
            .chunks_exact(P::ROW)
            .zip(target.flat().chunks_exact(P::ROW));
        let sum = pairs.fold(P::Elem::ZERO, |s, (z, t)| s + soft_target_row(z, t, None));
        sum / P::Elem::from_usize(rows)
    }

    fn loss_grad(&self, logits: &P, target: &P, grad: &mut P) -> P::Elem {
        let () = SoftmaxClasses::<P>::HOLD;
        let scale = P::Elem::ONE / P::Elem::from_usize(P::LEN / P::ROW);
        let rows = logits
            .flat()
            .chunks_exact(P::ROW)
            .zip(target.flat().chunks_exact(P::ROW));
        let grads = grad.flat_mut().chunks_exact_mut(P::ROW);
        let sum = rows.zip(grads).fold(P::Elem::ZERO, |s, ((z, t), g)| {
            s + soft_target_row(z, t, Some((g, scale)))
        });
        sum * scale
    }

    /// Each row is a distribution: no value below 0, summing to 1.
    fn check_target(&self, target: &P) -> Result<(), TargetError> {
        check_distributions(target.flat(), P::ROW)
    }

    /// Right when the largest logit is at the target distribution's largest value.
    fn correct(&self, logits: &P, target: &P, samples: usize) -> Option<(usize, usize)> {
        let t = target.flat();
        let at = |i: usize| crate::train::argmax(&t[i * P::ROW..][..P::ROW]);
        Some(argmax_matches(logits.flat(), P::ROW, samples, at))
    }
}

#[diagnostic::do_not_recommend]
impl<F: Float, const C: usize> Loss<[F; C], usize> for SoftmaxCrossEntropy {
    const SQUASH: Squash = Squash::Softmax;

    fn loss(&self, logits: &[F; C], class: &usize) -> F {
        let () = SoftmaxClasses::<[F; C]>::HOLD;
        class_row(logits, *class, None)
    }

    fn loss_grad(&self, logits: &[F; C], class: &usize, grad: &mut [F; C]) -> F {
        let () = SoftmaxClasses::<[F; C]>::HOLD;
        class_row(logits, *class, Some((grad, F::ONE)))
    }

    fn correct(&self, logits: &[F; C], class: &usize, samples: usize) -> Option<(usize, usize)> {
        Some(argmax_matches(logits, C, samples, |_| *class))
    }

    fn check_target(&self, class: &usize) -> Result<(), TargetError> {
        check_classes::<C>([*class].into_iter())
    }
}

#[diagnostic::do_not_recommend]
impl<F: Float, const C: usize, const B: usize> Loss<[[F; C]; B], [usize; B]>
    for SoftmaxCrossEntropy
{
    const SQUASH: Squash = Squash::Softmax;

    fn loss(&self, logits: &[[F; C]; B], classes: &[usize; B]) -> F {
        self.loss_of_rows(logits, classes, B)
    }

    fn loss_of_rows(&self, logits: &[[F; C]; B], classes: &[usize; B], rows: usize) -> F {
        let () = SoftmaxClasses::<[[F; C]; B]>::HOLD;
        let rows = rows.min(B).max(1);
        let pairs = logits.iter().zip(classes).take(rows);
        let sum = pairs.fold(F::ZERO, |s, (z, &c)| s + class_row(z, c, None));
        sum / F::from_usize(rows)
    }

    fn loss_grad(&self, logits: &[[F; C]; B], classes: &[usize; B], grad: &mut [[F; C]; B]) -> F {
        let () = SoftmaxClasses::<[[F; C]; B]>::HOLD;
        let scale = F::ONE / F::from_usize(B);
        let rows = logits.iter().zip(classes).zip(grad.iter_mut());
        let sum = rows.fold(F::ZERO, |s, ((z, &c), g)| {
            s + class_row(z, c, Some((g, scale)))
        });
        sum * scale
    }

    fn correct(
        &self,
        logits: &[[F; C]; B],
        classes: &[usize; B],
        samples: usize,
    ) -> Option<(usize, usize)> {
        let flat = logits.as_flattened();
        Some(argmax_matches(flat, C, samples, |i| classes[i]))
    }

    fn check_target(&self, classes: &[usize; B]) -> Result<(), TargetError> {
        check_classes::<C>(classes.iter().copied())
    }
}
