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
