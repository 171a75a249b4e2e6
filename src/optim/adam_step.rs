//! The arithmetic of one Adam update, shared by the optimizer's pass over a model and the
//! update fused into a weight-gradient product. Public only to the crate's kernels (the
//! module is private).

use crate::float::Float;
use crate::math::flush_tiny;

/// One Adam update's constants: the hyperparameters and the bias corrections of its step
/// count, applied to slices of parameters, gradients and moments by [`AdamStep::apply`]. The
/// same code serves the update over the whole model and the one fused into a weight-gradient
/// product, so that both give the same numbers to the last bit.
#[derive(Clone, Copy, Debug)]
pub struct AdamStep<F> {
    pub(crate) beta1: F,
    pub(crate) beta2: F,
    pub(crate) eps: F,
    pub(crate) weight_decay: F,
    /// `lr / (1 - beta1^t)`.
    pub(crate) step_size: F,
    /// `1 / sqrt(1 - beta2^t)`.
    pub(crate) inv_root_c2: F,
}

impl<F: Float> AdamStep<F> {
    /// Updates `p`, `m` and `v` from `g`, which is set to zero when `CLEAR`. The slices have
    /// one length.
    #[inline(always)]
    pub(crate) fn apply<const CLEAR: bool>(
        self,
        p: &mut [F],
        g: &mut [F],
        m: &mut [F],
        v: &mut [F],
    ) {
        let (b1, b2, eps, wd) = (self.beta1, self.beta2, self.eps, self.weight_decay);
        let (step_size, inv_root_c2) = (self.step_size, self.inv_root_c2);
        let slices = p
            .iter_mut()
            .zip(g.iter_mut())
            .zip(m.iter_mut())
            .zip(v.iter_mut());
        for (((p, g), m), v) in slices {
            let g = if CLEAR {
                core::mem::replace(g, F::ZERO)
            } else {
                *g
            } + wd * *p;
            *m = flush_tiny(b1 * *m + (F::ONE - b1) * g);
            *v = flush_tiny(b2 * *v + (F::ONE - b2) * g * g);
            // m over its denominator first: the quotient of a tiny moment stays normal.
            *p -= step_size * (*m / (v.sqrt_fast() * inv_root_c2 + eps));
        }
    }
}
