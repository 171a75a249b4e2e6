//! A weight gradient left for the optimizer's update to compute (see [`Deferred`]).

use core::any::TypeId;

use crate::float::Float;
use crate::kernels::{Layout, Start};
use crate::module::{Params, larger_scan};
use crate::optim::adam_step::AdamStep;

/// An operand of the blocked product, with where its values are.
type Operand<'a, F> = (&'a [F], Layout);

/// What [`Backward::backward_deferred`](crate::Backward::backward_deferred) returns: the
/// largest magnitude among the gradients it wrote (as
/// [`Backward::backward_scanned`](crate::Backward::backward_scanned) returns it), and the
/// product it left for the update, if any.
pub type DeferredPass<'a, F> = (Option<f64>, Option<Deferred<'a, F>>);

/// The gradient of a model's first parameters, `dW = dy^T x` over a batch, left for the
/// optimizer's update to compute: the weights of the model's first layer with parameters (a
/// [`Linear`](crate::Linear) whose product is blocked for the caches), made by
/// [`Backward::backward_deferred`](crate::Backward::backward_deferred).
///
/// [`Adam`](crate::optim::Adam) computes it strip by strip of rows and updates the
/// parameters of each strip while its gradients are still in the caches, so that they are
/// not read back from memory by a pass of their own
/// ([`Optimizer::checked_step_deferred`](crate::optim::Optimizer::checked_step_deferred));
/// any other optimizer has it computed into the gradients first. Either way the gradients
/// hold it afterwards, and the step is checked as every step is: before any parameter
/// changes.
#[derive(Clone, Copy, Debug)]
pub struct Deferred<'a, F> {
    /// Rows of the gradient (the layer's outputs), its columns (the inputs) and the samples.
    dims: (usize, usize, usize),
    /// `samples x rows`, row by row.
    dy: &'a [F],
    /// `samples x columns`, row by row.
    x: &'a [F],
}

impl<'a, F: Float> Deferred<'a, F> {
    /// `dW = dy^T x` for `(rows, columns, samples)` sizes.
    ///
    /// # Panics
    /// When `dy` or `x` is shorter than its size.
    pub(crate) fn new(dims: (usize, usize, usize), dy: &'a [F], x: &'a [F]) -> Self {
        let (rows, cols, samples) = dims;
        assert!(dy.len() >= samples * rows && x.len() >= samples * cols);
        Self { dims, dy, x }
    }

    /// How many gradients the product gives: the length of the model's first parameter slice.
    pub(crate) fn len(&self) -> usize {
        self.dims.0 * self.dims.1
    }

    /// The same product for a float type `G`, when `G` is `F`.
    pub(crate) fn cast<G: Float>(self) -> Option<Deferred<'a, G>> {
        if TypeId::of::<F>() != TypeId::of::<G>() {
            return None;
        }
        // SAFETY: `G` is `F`.
        let cast = |s: &'a [F]| unsafe { core::slice::from_raw_parts(s.as_ptr().cast(), s.len()) };
        Some(Deferred {
            dims: self.dims,
            dy: cast(self.dy),
            x: cast(self.x),
        })
    }

    /// A bound on every gradient's magnitude, from the operands alone: the sum over samples
    /// of the largest `|dy|` times the largest `|x|` (each gradient is a sum over samples of
    /// one of each). Not finite when an operand is not.
    pub(crate) fn bound(&self) -> f64 {
        let (rows, cols, samples) = self.dims;
        // A NaN stays: `a > NaN` fails, and a NaN `a` is taken.
        let largest = |s: &[F]| {
            s.iter().fold(0.0f64, |m, v| {
                let a = v.as_f64().abs();
                if a > m || a.is_nan() { a } else { m }
            })
        };
        (0..samples)
            .map(|k| {
                let dy = largest(&self.dy[k * rows..][..rows]);
                let x = largest(&self.x[k * cols..][..cols]);
                dy * x
            })
            .sum()
    }

    /// The product's operands for the blocked kernel: `a = dy^T`, `b = x`.
    fn operands(&self) -> (Operand<'a, F>, Operand<'a, F>) {
        let (rows, cols, _) = self.dims;
        let dy_t_at = Layout { row: 1, col: rows };
        let x_at = Layout { row: cols, col: 1 };
        ((self.dy, dy_t_at), (self.x, x_at))
    }

    /// Writes the product into `grads`' first parameter slice, and returns `largest`
    /// combined with the largest magnitude among the values written (as
    /// [`Backward::backward_scanned`](crate::Backward::backward_scanned) does).
    ///
    /// # Panics
    /// When the first slice does not have the product's size: a layer that deferred another
    /// slice than its first.
    pub(crate) fn compute_into<M: Params<F>>(
        self,
        grads: &mut M,
        largest: Option<f64>,
    ) -> Option<f64> {
        let (rows, cols, samples) = self.dims;
        let (a, b) = self.operands();
        let mut found = None;
        grads.visit_mut(&mut |slice| {
            if found.is_none() {
                assert_eq!(
                    slice.len(),
                    self.len(),
                    "a deferred product of another size"
                );
                let start = Start::Zero;
                let l = F::blocked_scanned((rows, cols, samples), a, b, start, slice, cols);
                found = Some(l.as_f64());
            }
        });
        larger_scan(largest, found)
    }

    /// Writes the product into `grads` and takes one Adam step for `params` and the moments
    /// (`state`: parameters, first and second moments), strip by strip.
    ///
    /// # Panics
    /// When a slice does not have the product's size.
    pub(crate) fn adam_update(self, grads: &mut [F], state: [&mut [F]; 3], step: AdamStep<F>) {
        let sizes_match = grads.len() == self.len() && state.iter().all(|s| s.len() == self.len());
        assert!(sizes_match, "a deferred product of another size");
        let (rows, cols, samples) = self.dims;
        let (a, b) = self.operands();
        let dims = (rows, cols, samples);
        F::blocked_adam(dims, a, b, Start::Zero, grads, cols, state, step);
    }
}
