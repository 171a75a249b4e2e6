//! Softmax over the innermost axis: turns logits into probabilities.

use crate::float::Float;
use crate::kernels::{Compiled, ELEMENT_WORK, INLINE_MAX_WORK, dispatch};
use crate::math::flush_tiny;
use crate::module::{Backward, Forward, Squash};
use crate::parameterless;
use crate::tensor::{Tensor, Zero};

/// Softmax over the innermost axis: `y_i = e^{x_i} / sum_j e^{x_j}`, for one sample `[F; C]`
/// or for each row of a batch `[[F; C]; B]`.
///
/// It is stable for logits of any magnitude (the row maximum is subtracted first). Use it as
/// the output layer of a classifier at inference. For training, prefer
/// [`SoftmaxCrossEntropy`](crate::SoftmaxCrossEntropy) on the logits: it fuses softmax and
/// cross-entropy into the gradient `p - t`, exact and finite where a separate softmax followed
/// by `-ln p` would divide by probabilities that underflow to zero. A trained logit model
/// `net` becomes a probability model as `(net, Softmax)`.
///
/// ```
/// use typed_nn::{Forward, Softmax};
/// let p = Softmax.infer(&[0.0f64, 0.0]);
/// assert_eq!(p, [0.5, 0.5]);
/// let p = Softmax.infer(&[[1e4f32, 0.0], [0.0, 1e4]]);
/// assert_eq!(p, [[1.0, 0.0], [0.0, 1.0]]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Softmax;

impl Zero for Softmax {
    const ZERO: Self = Softmax;
}

parameterless!(Softmax);

impl<T: Tensor> crate::describe::Describe<T> for Softmax {}

/// Writes the softmax of `logits` into `out`, both of the same length, and returns
/// `logsumexp(logits)` as its two terms, the largest logit and the logarithm of the sum
/// relative to it, which the normalisation computes anyway (cross-entropy needs them apart:
/// summed first, `ln 3` vanishes beside logits of 1e8).
#[inline(always)]
pub(crate) fn softmax_row<F: Float>(logits: &[F], out: &mut [F]) -> (F, F) {
    let max = logits.iter().fold(F::neg_infinity(), |m, &v| m.max(v));
    let mut sum = F::ZERO;
    for (y, &x) in out.iter_mut().zip(logits) {
        *y = (x - max).exp_fast();
        sum += *y;
    }
    let inv = F::ONE / sum;
    out.iter_mut().for_each(|y| *y *= inv);
    (max, sum.ln())
}

/// Softmax of each row of `row` values.
#[inline(always)]
pub(crate) fn softmax_rows<F: Float>(row: usize, x: &[F], y: &mut [F]) {
    for (x, y) in x.chunks_exact(row).zip(y.chunks_exact_mut(row)) {
        softmax_row(x, y);
    }
}

impl<T: Tensor> Forward<T> for Softmax {
    type Output = T;
    type Cache = ();
    const CACHE_FLOATS: usize = 0;
    const SQUASH: Squash = Squash::Softmax;

    fn infer(&self, x: &T) -> T {
        let mut y = T::ZERO;
        self.forward(x, &mut y, &mut ());
        y
    }

    fn non_finite_input(x: &T) -> Option<crate::module::NonFinite> {
        crate::module::first_non_finite(x)
    }

    fn forward(&self, x: &T, out: &mut T, _: &mut ()) {
        if const { T::LEN * ELEMENT_WORK <= INLINE_MAX_WORK } {
            // The shape is written inside the kernel closure, so that it stays a constant.
            dispatch!(T::LEN * ELEMENT_WORK, |_level| {
                softmax_rows(T::ROW, x.flat(), out.flat_mut())
            })
        } else {
            T::Elem::softmax_rows(T::ROW, x.flat(), out.flat_mut())
        }
    }
}

impl<T: Tensor> Backward<T> for Softmax {
    /// The Jacobian of softmax is `diag(y) - y y^T`, so `dx = y * (dy - <dy, y>)`, row by row.
    fn backward(&self, _: &T, out: &T, d_out: &T, _: &mut (), _: &mut Self, d_x: Option<&mut T>) {
        let Some(d_x) = d_x else { return };
        let rows = out
            .flat()
            .chunks_exact(T::ROW)
            .zip(d_out.flat().chunks_exact(T::ROW));
        for ((y, dy), dx) in rows.zip(d_x.flat_mut().chunks_exact_mut(T::ROW)) {
            let inner = dy
                .iter()
                .zip(y)
                .fold(T::Elem::ZERO, |s, (&d, &y)| s + d * y);
            for ((dx, &y), &dy) in dx.iter_mut().zip(y).zip(dy) {
                *dx = flush_tiny(y * (dy - inner));
            }
        }
    }

    crate::module::scanned_without_parameters!(T);
}
