//! SGD's check and update in one pass, for small models.
//!
//! For a model of a few hundred parameters a separate pass over the gradients costs as much as
//! the update itself: it reads every gradient right after the backward pass has stored it,
//! and waits for those stores. Here one pass reads each parameter and its gradient once,
//! writes the updated parameter, and keeps the old one in the gradient's place. A step that
//! passes clears the gradients (as every step does); a step that is refused puts every old
//! parameter back, so the model is exactly as it was.

use crate::float::Float;
use crate::module::Params;
use crate::optim::StepError;

/// `p -= lr * g` for every parameter when every `|g|` is at most `bound`; otherwise the model
/// unchanged and the first gradient beyond the bound in the error. The gradients are zero
/// afterwards when `CLEAR` or the step is refused; an update without `CLEAR` leaves the old
/// parameters in their place (for a model whose next backward pass writes its gradients).
///
/// The gradients are overwritten by the pass, so a refused step's error gives the gradient's
/// value as recovered from the update it made, `(old - new) / lr`: exactly NaN for a NaN,
/// infinite for an infinity (or for an update that overflowed), within rounding otherwise.
#[inline(always)]
pub(crate) fn sgd_in_one_pass<F: Float, M: Params<F>, const CLEAR: bool>(
    lr: F,
    bound: F,
    model: &mut M,
    grads: &mut M,
) -> Result<(), StepError> {
    // Eight lanes of summed magnitudes, so that the pass vectorises: each bounds every
    // magnitude summed into it, and a NaN makes its lane NaN, which fails the comparison.
    let mut sums = [F::ZERO; 8];
    model.zip_mut([&mut *grads], &mut |p, [g]| {
        for (p, g) in p.chunks_mut(8).zip(g.chunks_mut(8)) {
            for ((sum, p), g) in sums.iter_mut().zip(p).zip(g) {
                *sum += g.abs();
                let old = *p;
                *p = old - lr * *g;
                *g = old;
            }
        }
    });
    if sums.iter().all(|&sum| sum <= bound) {
        if CLEAR {
            grads.set_zero();
        }
        Ok(())
    } else {
        undo(lr, bound, model, grads)
    }
}

/// After [`sgd_in_one_pass`] found a lane's sum beyond `bound`: the first gradient beyond it,
/// with every old parameter put back, or, when the sum alone went beyond it, the step kept.
#[cold]
#[inline(never)]
fn undo<F: Float, M: Params<F>>(
    lr: F,
    bound: F,
    model: &mut M,
    grads: &mut M,
) -> Result<(), StepError> {
    let (mut index, mut first) = (0, None);
    model.zip_mut([&mut *grads], &mut |p, [old]| {
        if first.is_none() {
            let recovered = p.iter().zip(old.iter()).map(|(&p, &old)| (old - p) / lr);
            if let Some((at, g)) = recovered
                .enumerate()
                .find(|(_, g)| g.is_nan() || g.abs() > bound)
            {
                first = Some((index + at, g));
            }
        }
        index += p.len();
    });
    let Some((index, value)) = first else {
        grads.set_zero();
        return Ok(());
    };
    model.zip_mut([&mut *grads], &mut |p, [old]| {
        p.copy_from_slice(old);
        old.fill(F::ZERO);
    });
    Err(StepError::Gradient {
        index,
        value: value.as_f64(),
        bound: bound.as_f64(),
    })
}
