//! Optimizers: update a model's parameters from its gradients.
//!
//! Gradients and optimizer state (momentum, Adam's moments) are values of the model's own type,
//! so an optimizer needs no allocation and its size is known at compile time.

use crate::kernels::{both, split};

pub mod adam;
mod sgd;

pub use adam::Adam;
pub use sgd::{Sgd, SgdMomentum};

/// Applies `update` to a parameter slice and its `K` companions (gradients, moments) at once,
/// or, when the feature `parallel` is on and the slice is large, to each half on its own
/// thread.
pub(crate) fn in_halves<F: Send, const K: usize>(
    work: usize,
    p: &mut [F],
    state: [&mut [F]; K],
    update: &(impl Fn(&mut [F], [&mut [F]; K]) + Sync),
) {
    if !split(work) {
        return update(p, state);
    }
    let half = p.len() / 2;
    let (p_lo, p_hi) = p.split_at_mut(half);
    let mut lo: [&mut [F]; K] = state;
    let hi: [&mut [F]; K] = lo.each_mut().map(|s| {
        let (a, b) = core::mem::take(s).split_at_mut(half);
        *s = a;
        b
    });
    both(|| update(p_lo, lo), || update(p_hi, hi));
}

/// Updates a model `M` from gradients of the same type.
pub trait Optimizer<M> {
    /// How many copies of the model's parameters the optimizer keeps as state: 0 for SGD, 1
    /// for momentum, 2 for Adam.
    const STATE_COPIES: usize;

    /// One update step from the gradients, which it then resets to zero, ready for the next
    /// backward pass to add into: PyTorch's `step()` and `zero_grad()` in one pass over memory.
    fn step(&mut self, model: &mut M, grads: &mut M);
}
