//! The crate's training step without its checks: forward, loss gradient, backward and update
//! through the public traits, as [`Trainer::step`](typed_nn::train::Trainer::step) does them,
//! leaving out the target, hyperparameter, loss and gradient checks. Timed beside the checked
//! step in the same run, it shows what the checks cost.

use typed_nn::ScoredBy;
use typed_nn::boxed::{ZeroBits, zeroed};
use typed_nn::module::Pass;
use typed_nn::prelude::*;

/// What one unchecked step needs besides the model: the buffers a trainer keeps, on the heap.
pub struct Unchecked<M: Forward<X>, X, O> {
    optimizer: Box<O>,
    grads: Box<M>,
    cache: Box<M::Cache>,
    out: Box<M::Output>,
    d_out: Box<M::Output>,
}

impl<M, X, O> Unchecked<M, X, O>
where
    M: Backward<X> + ZeroBits,
    M::Cache: ZeroBits,
    M::Output: ZeroBits,
    O: Optimizer<M>,
{
    pub fn new(optimizer: Box<O>) -> Self {
        Self {
            optimizer,
            grads: zeroed(),
            cache: zeroed(),
            out: zeroed(),
            d_out: zeroed(),
        }
    }

    /// One step; returns the loss before the update.
    #[inline(always)]
    pub fn step<T, L>(&mut self, model: &mut M, x: &X, target: &T, loss: &L) -> f64
    where
        M::Output: ScoredBy<L, T>,
    {
        model.forward(x, &mut self.out, &mut self.cache);
        let value = ScoredBy::loss_grad(loss, &*self.out, target, &mut self.d_out);
        // Written or added as the trainer does (see `Backward::WRITES_GRADIENTS`).
        let write = M::WRITES_GRADIENTS;
        let pass = Pass { scan: false, write };
        let (out, d_out, cache) = (&*self.out, &*self.d_out, &mut *self.cache);
        model.backward_scanned(x, out, d_out, cache, &mut self.grads, None, pass);
        if const { M::WRITES_GRADIENTS } {
            self.optimizer.step_unzeroed(model, &mut self.grads);
        } else {
            self.optimizer.step(model, &mut self.grads);
        }
        value.as_f64()
    }
}
