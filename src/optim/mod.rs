//! Optimizers: update a model's parameters from its gradients.
//!
//! Gradients and optimizer state (momentum, Adam's moments) are values of the model's own type,
//! so an optimizer needs no allocation and its size is known at compile time.

pub mod adam;
mod sgd;

pub use adam::Adam;
pub use sgd::{Sgd, SgdMomentum};

/// Updates a model `M` from gradients of the same type.
pub trait Optimizer<M> {
    /// How many copies of the model's parameters the optimizer keeps as state: 0 for SGD, 1
    /// for momentum, 2 for Adam.
    const STATE_COPIES: usize;

    /// One update step from the gradients, which it then resets to zero, ready for the next
    /// backward pass to add into: PyTorch's `step()` and `zero_grad()` in one pass over memory.
    fn step(&mut self, model: &mut M, grads: &mut M);
}

/// `x`, or zero when `x` is subnormal: optimizer state decaying towards zero would otherwise
/// spend its last hundred steps in the subnormal range, where arithmetic is very slow.
#[inline(always)]
pub(crate) fn flush_subnormal<F: crate::Float>(x: F) -> F {
    if x.abs() < F::min_positive_value() {
        F::ZERO
    } else {
        x
    }
}
