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
            // Every value read before any is written: stored first, the moments would be read
            // back from memory, since the compiler cannot tell the four slices apart.
            let (old, grad, m_old, v_old) = (*p, *g, *m, *v);
            if CLEAR {
                *g = F::ZERO;
            }
            let grad = grad + wd * old;
            let m_new = flush_tiny(b1 * m_old + (F::ONE - b1) * grad);
            let v_new = flush_tiny(b2 * v_old + (F::ONE - b2) * grad * grad);
            *m = m_new;
            *v = v_new;
            // m over its denominator first: the quotient of a tiny moment stays normal.
            *p = old - step_size * (m_new / (v_new.sqrt_fast() * inv_root_c2 + eps));
        }
    }
}
