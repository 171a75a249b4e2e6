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

/// `M: StateOf<S>`: optimizer state of type `S` (momentum, Adam's moments) is state for model
/// `M`, which holds only when `S` is `M`.
///
/// Optimizers state their bound in this direction, with the model as `Self`, so that the
/// compiler learns the model's type from the model a program passes (not from the optimizer)
/// and reports an optimizer made for another model as exactly that.
#[diagnostic::on_unimplemented(
    message = "this optimizer's state belongs to a model of type `{S}`, not `{Self}`",
    label = "optimizer state of another model"
)]
pub trait StateOf<S> {
    /// The state, seen as a value of the model's type.
    fn state_mut(state: &mut S) -> &mut Self;
}

impl<M> StateOf<M> for M {
    #[inline(always)]
    fn state_mut(state: &mut M) -> &mut M {
        state
    }
}

/// `F: CheckedOptimizer<O, M>`: optimizer `O` updates model `M`, whose numbers are `F`.
///
/// Implemented for every [`Optimizer`]. [`Trainer`](crate::train::Trainer) states its
/// optimizer bound this way, with the model's float type as `Self`, so that the optimizer is
/// checked only for a model whose shapes fit: a mis-wired model is one error, not two.
#[doc(hidden)]
pub trait CheckedOptimizer<O, M> {
    /// [`Optimizer::step`].
    fn step(optimizer: &mut O, model: &mut M, grads: &mut M);
}

impl<F, O: Optimizer<M>, M> CheckedOptimizer<O, M> for F {
    #[inline(always)]
    fn step(optimizer: &mut O, model: &mut M, grads: &mut M) {
        optimizer.step(model, grads)
    }
}

/// Updates a model `M` from gradients of the same type.
///
/// An optimizer with state (momentum, Adam's moments) belongs to one model type, and every
/// optimizer to one float type: using it for another model is a compile error that names both.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot update a model of type `{M}`",
    label = "this optimizer cannot update `{M}`",
    note = "an optimizer's learning rate has the model's float type (`f32` unless its layers say `f64`), and an optimizer with state belongs to the model type it was made for"
)]
pub trait Optimizer<M> {
    /// How many copies of the model's parameters the optimizer keeps as state: 0 for SGD, 1
    /// for momentum, 2 for Adam.
    const STATE_COPIES: usize;

    /// One update step from the gradients, which it then resets to zero, ready for the next
    /// backward pass to add into: PyTorch's `step()` and `zero_grad()` in one pass over memory.
    fn step(&mut self, model: &mut M, grads: &mut M);
}
