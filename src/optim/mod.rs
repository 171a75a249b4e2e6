//! Optimizers: update a model's parameters from its gradients.
//!
//! Gradients and optimizer state (momentum, Adam's moments) are values of the model's own type,
//! so an optimizer needs no allocation and its size is known at compile time.

use core::fmt;

use crate::float::Float;
use crate::kernels::{both, split};
#[cfg(feature = "alloc")]
use crate::module::Deferred;
use crate::module::Params;

/// The [`Optimizer`] methods of an optimizer with state, inside its `impl Optimizer<M>`: it
/// has `check_scanned(grads, largest)`, which checks the hyperparameters and the gradients
/// (reading them only when `largest` is `None`), and `update::<M, CLEAR>(model, grads)`.
/// The attributes given (the check's documentation) go on [`Optimizer::check`].
macro_rules! checked_by_scan {
    ($(#[$check:meta])*) => {
        fn step(&mut self, model: &mut M, grads: &mut M) {
            self.update::<M, true>(model, grads);
        }

        fn step_unzeroed(&mut self, model: &mut M, grads: &mut M) {
            self.update::<M, false>(model, grads);
        }

        $(#[$check])*
        fn check(&self, grads: &mut M) -> Result<(), StepError> {
            self.check_scanned(grads, None)
        }

        #[inline(always)]
        fn checked_step(
            &mut self,
            model: &mut M,
            grads: &mut M,
            largest: Option<f64>,
        ) -> Result<(), StepError> {
            self.check_scanned(grads, largest)?;
            self.update::<M, true>(model, grads);
            Ok(())
        }

        /// As [`checked_step`](Self::checked_step), without the stores of zeros over the
        /// gradients.
        #[inline(always)]
        fn checked_step_unzeroed(
            &mut self,
            model: &mut M,
            grads: &mut M,
            largest: Option<f64>,
        ) -> Result<(), StepError> {
            self.check_scanned(grads, largest)?;
            self.update::<M, false>(model, grads);
            Ok(())
        }
    };
}

pub mod adam;
pub(crate) mod adam_step;
mod fused;
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
    /// [`Optimizer::USES_SCAN`].
    const USES_SCAN: bool;
    /// [`Optimizer::step`].
    fn step(optimizer: &mut O, model: &mut M, grads: &mut M);
    /// [`Optimizer::check`].
    fn check(optimizer: &O, grads: &mut M) -> Result<(), StepError>;
    /// [`Optimizer::checked_step`].
    fn checked_step(
        optimizer: &mut O,
        model: &mut M,
        grads: &mut M,
        largest: Option<f64>,
    ) -> Result<(), StepError>;

    /// [`Optimizer::checked_step_unzeroed`].
    fn checked_step_unzeroed(
        optimizer: &mut O,
        model: &mut M,
        grads: &mut M,
        largest: Option<f64>,
    ) -> Result<(), StepError>;

    /// [`Optimizer::checked_step_deferred`].
    #[cfg(feature = "alloc")]
    fn checked_step_deferred(
        optimizer: &mut O,
        model: &mut M,
        grads: &mut M,
        largest: Option<f64>,
        deferred: Deferred<'_, Self>,
    ) -> Result<(), StepError>
    where
        Self: Sized;
}

impl<F: Float, O: Optimizer<M>, M: Params<F>> CheckedOptimizer<O, M> for F {
    const USES_SCAN: bool = O::USES_SCAN;

    #[inline(always)]
    fn step(optimizer: &mut O, model: &mut M, grads: &mut M) {
        optimizer.step(model, grads)
    }

    #[inline(always)]
    fn check(optimizer: &O, grads: &mut M) -> Result<(), StepError> {
        optimizer.check(grads)
    }

    #[inline(always)]
    fn checked_step(
        optimizer: &mut O,
        model: &mut M,
        grads: &mut M,
        largest: Option<f64>,
    ) -> Result<(), StepError> {
        optimizer.checked_step(model, grads, largest)
    }

    #[inline(always)]
    fn checked_step_unzeroed(
        optimizer: &mut O,
        model: &mut M,
        grads: &mut M,
        largest: Option<f64>,
    ) -> Result<(), StepError> {
        optimizer.checked_step_unzeroed(model, grads, largest)
    }

    #[cfg(feature = "alloc")]
    #[inline(always)]
    fn checked_step_deferred(
        optimizer: &mut O,
        model: &mut M,
        grads: &mut M,
        largest: Option<f64>,
        deferred: Deferred<'_, F>,
    ) -> Result<(), StepError> {
        optimizer.checked_step_deferred(model, grads, largest, deferred)
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

    /// Whether [`checked_step`](Self::checked_step) uses the largest gradient a backward
    /// pass found: a [`Trainer`](crate::train::Trainer) asks the backward pass for it only
    /// then. `false` unless an optimizer says otherwise.
    const USES_SCAN: bool = false;

    /// One update step from the gradients, which it then resets to zero, ready for the next
    /// backward pass to add into: PyTorch's `step()` and `zero_grad()` in one pass over memory.
    ///
    /// Unchecked, as PyTorch's: hyperparameters out of range or gradients that are not finite
    /// write NaN or infinities into the model. Call [`checked_step`](Self::checked_step), as
    /// [`Trainer`](crate::train::Trainer) does, for a step that refuses them and changes
    /// nothing.
    fn step(&mut self, model: &mut M, grads: &mut M);

    /// [`step`](Self::step), except that the gradients need not be set back to zero: for a
    /// loop whose model writes every gradient in its next backward pass
    /// ([`Backward::WRITES_GRADIENTS`](crate::Backward::WRITES_GRADIENTS) and
    /// [`Pass::write`](crate::module::Pass)), where zeros would be overwritten unread. The
    /// gradients hold unspecified values afterwards. The default calls `step`.
    #[inline(always)]
    fn step_unzeroed(&mut self, model: &mut M, grads: &mut M) {
        self.step(model, grads);
    }

    /// Whether [`step`](Self::step) with these hyperparameters and gradients keeps every
    /// parameter and every value of its state finite: an error names the hyperparameter out of
    /// range, or the first gradient that is not finite or so large that the update would
    /// overflow, and sets the gradients to zero (as a step would) so that the next backward
    /// pass starts clean. [`Trainer`](crate::train::Trainer) calls it before each update
    /// (through [`checked_step`](Self::checked_step)), so that a step it refuses changes
    /// neither the model nor the optimizer's state.
    fn check(&self, grads: &mut M) -> Result<(), StepError> {
        let _ = grads;
        Ok(())
    }

    /// [`check`](Self::check), then [`step`](Self::step) when the check passes: what
    /// [`Trainer`](crate::train::Trainer) calls for each update. `largest` is the largest
    /// magnitude among the gradients when the backward pass found it
    /// ([`Backward::backward_scanned`](crate::Backward::backward_scanned)), so that the
    /// check need not read them again. An optimizer may do both in fewer passes over memory,
    /// as [`Sgd`] does for small models, provided a refused step leaves the model and the
    /// optimizer's state exactly as they were and the gradients zero.
    ///
    /// The default ignores `largest`, which is always correct.
    #[inline(always)]
    fn checked_step(
        &mut self,
        model: &mut M,
        grads: &mut M,
        largest: Option<f64>,
    ) -> Result<(), StepError> {
        let _ = largest;
        self.check(grads)?;
        self.step(model, grads);
        Ok(())
    }

    /// [`checked_step`](Self::checked_step), except that an update need not set the
    /// gradients back to zero: what a [`Trainer`](crate::train::Trainer) calls when its
    /// model writes every gradient in its next backward pass
    /// ([`Backward::WRITES_GRADIENTS`](crate::Backward::WRITES_GRADIENTS)), where zeros
    /// would be overwritten unread. After an update the gradients hold unspecified values; a
    /// refused step still sets them to zero.
    ///
    /// The default calls `checked_step`, which is always correct.
    #[inline(always)]
    fn checked_step_unzeroed(
        &mut self,
        model: &mut M,
        grads: &mut M,
        largest: Option<f64>,
    ) -> Result<(), StepError> {
        self.checked_step(model, grads, largest)
    }

    /// [`checked_step_unzeroed`](Self::checked_step_unzeroed) for gradients whose first
    /// slice is not computed yet: it is the product `deferred`
    /// ([`Backward::backward_deferred`](crate::Backward::backward_deferred)), and `largest`
    /// covers the other gradients only. What a [`Trainer`](crate::train::Trainer) calls when
    /// its model deferred a product. Afterwards the gradients hold the product too, and a
    /// refused step leaves the model and the optimizer's state as they were, as
    /// `checked_step_unzeroed` does.
    ///
    /// The default computes the product into the gradients, then calls
    /// `checked_step_unzeroed`, which is always correct. [`Adam`] computes it strip by strip
    /// of rows inside its update, when the gradients are known to pass its check from the
    /// product's operands alone (see [`Deferred`]).
    #[cfg(feature = "alloc")]
    #[inline(always)]
    fn checked_step_deferred<F: Float>(
        &mut self,
        model: &mut M,
        grads: &mut M,
        largest: Option<f64>,
        deferred: Deferred<'_, F>,
    ) -> Result<(), StepError>
    where
        M: Params<F>,
    {
        let largest = deferred.compute_into(grads, largest);
        self.checked_step_unzeroed(model, grads, largest)
    }
}

/// Largest change one update may make to a parameter: `1e30` for `f32` (its largest value is
/// 3.4e38), `1e300` for `f64`. A gradient that would move a parameter further is refused
/// ([`StepError::Gradient`]). The guarantee that no step leaves a non-finite number assumes
/// the parameters themselves stay below this bound.
pub fn max_update<F: Float>() -> F {
    F::from_f64(if F::BYTES == 4 { 1e30 } else { 1e300 })
}

/// A gradient bound worked out from the hyperparameters, at most the largest finite value: a
/// learning rate below `max_update / F::MAX` (about 3e-9 in `f32`) would make it infinite,
/// and an infinite gradient would pass.
pub(crate) fn update_bound<F: Float>(bound: F) -> F {
    bound.min(<F as num_traits::Float>::max_value())
}

/// A hyperparameter outside the range where the update is defined.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HyperparameterError {
    /// Which: `"learning rate"`, `"beta1"`, `"beta2"`, `"eps"`, `"momentum"`,
    /// `"weight decay"`.
    pub name: &'static str,
    /// Its value.
    pub value: f64,
    /// The range it must be in.
    pub expected: &'static str,
}

impl fmt::Display for HyperparameterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Scientific notation where plain digits would run long (1e30, 1e-9); an `f32`
        // hyperparameter, widened to `f64` here, with its own shortest digits (-0.1, not
        // -0.10000000149011612).
        let (v, name, expected) = (self.value, self.name, self.expected);
        let narrow = v as f32;
        let from_f32 = narrow as f64 == v;
        match (
            v != 0.0 && v.is_finite() && !(1e-4..1e16).contains(&v.abs()),
            from_f32,
        ) {
            (true, true) => write!(f, "{name} is {narrow:e}: it must be {expected}"),
            (true, false) => write!(f, "{name} is {v:e}: it must be {expected}"),
            (false, true) => write!(f, "{name} is {narrow}: it must be {expected}"),
            (false, false) => write!(f, "{name} is {v}: it must be {expected}"),
        }
    }
}

impl core::error::Error for HyperparameterError {}

/// Why an optimizer refuses a step ([`Optimizer::check`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum StepError {
    /// A hyperparameter is out of range.
    Hyperparameter(HyperparameterError),
    /// A gradient is not finite, or larger than the update allows.
    Gradient {
        /// Its index, in [`Params`] order.
        index: usize,
        /// Its value.
        value: f64,
        /// The largest magnitude this optimizer accepts with these hyperparameters.
        bound: f64,
    },
}

impl fmt::Display for StepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StepError::Hyperparameter(e) => write!(f, "{e}"),
            StepError::Gradient {
                index,
                value,
                bound,
            } if value.is_finite() => write!(
                f,
                "gradient {index} is {}, beyond {}, the largest these hyperparameters take without the update overflowing (lower the learning rate, or scale the data)",
                Shortest(*value),
                Shortest(*bound)
            ),
            StepError::Gradient { index, value, .. } if value.is_nan() => write!(
                f,
                "gradient {index} is NaN: the data, the loss or the model holds a NaN or an infinity"
            ),
            StepError::Gradient { index, value, .. } => write!(
                f,
                "gradient {index} is {}: it overflowed (scale the data or the targets), or the data, the loss or the model holds an infinity",
                crate::float::Readable(*value)
            ),
        }
    }
}

impl core::error::Error for StepError {}

/// An `f64` in scientific notation with the fewest digits that give it back, or that give
/// back the `f32` it was widened from (an `f32` bound or gradient would otherwise print
/// with the digits of its binary value, `9.99999986991104e14` for `1e15f32`).
struct Shortest(f64);

impl fmt::Display for Shortest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let narrow = self.0 as f32;
        if narrow as f64 == self.0 {
            write!(f, "{narrow:e}")
        } else {
            write!(f, "{:e}", self.0)
        }
    }
}

impl From<HyperparameterError> for StepError {
    fn from(e: HyperparameterError) -> Self {
        StepError::Hyperparameter(e)
    }
}

/// `Ok` when `value` satisfies `ok`, else the error naming it.
pub(crate) fn require<F: Float>(
    name: &'static str,
    value: F,
    ok: bool,
    expected: &'static str,
) -> Result<(), HyperparameterError> {
    if ok {
        Ok(())
    } else {
        Err(HyperparameterError {
            name,
            value: value.as_f64(),
            expected,
        })
    }
}

/// A learning rate: finite and positive.
pub(crate) fn check_lr<F: Float>(lr: F) -> Result<(), HyperparameterError> {
    let ok = lr.is_finite() && lr > F::ZERO;
    require("learning rate", lr, ok, "finite and positive")
}

/// A decay rate (momentum, Adam's betas): in [0, 1).
pub(crate) fn check_rate<F: Float>(name: &'static str, rate: F) -> Result<(), HyperparameterError> {
    require(name, rate, rate >= F::ZERO && rate < F::ONE, "in [0, 1)")
}

/// [`gradients_within`], without reading the gradients when `largest` (found by the backward
/// pass, not finite when one is not) is within `bound`.
#[inline(always)]
pub(crate) fn scanned_within<F: Float, M: Params<F>>(
    grads: &mut M,
    bound: F,
    largest: Option<f64>,
) -> Result<(), StepError> {
    match largest {
        // A NaN fails the comparison, and an infinity is beyond any bound; both sides are
        // exact in `f64`.
        Some(largest) if largest <= bound.as_f64() => Ok(()),
        _ => gradients_within(grads, bound),
    }
}

/// Parameters up to which [`gradients_within`] scans inline, in the model's step, and SGD
/// checks and updates in one pass.
pub(crate) const SMALL_MODEL: usize = 256;

/// `Ok` when every gradient's magnitude is at most `bound` (a NaN never is); else the first
/// that is not, with the gradients cleared (see [`Optimizer::check`]). One pass over the
/// gradients, which vectorises: for a small model, inlined, the sum of the magnitudes (every
/// magnitude is at most the sum); for the others, eight running maxima of the magnitudes'
/// bits, compiled once in the library. The offender is searched for only when the pass finds
/// one could exist.
pub(crate) fn gradients_within<F: Float, M: Params<F>>(
    grads: &mut M,
    bound: F,
) -> Result<(), StepError> {
    if M::PARAM_COUNT <= SMALL_MODEL {
        // For a model this small, the call and the dispatch cost more than the scan. Each
        // lane's sum bounds the magnitudes summed into it, and a NaN makes its lane NaN, which
        // fails the comparison; a lane beyond the bound with every gradient within it is
        // settled by the exact search. The lanes are compared without being added up: adding
        // eight lanes for every slice is a chain of dependent additions longer than the scan.
        let mut total = [F::ZERO; 8];
        grads.visit(&mut |s| {
            for (lane, sum) in total.iter_mut().zip(magnitude_sums(s)) {
                *lane += sum;
            }
        });
        return if total.iter().all(|lane| *lane <= bound) {
            Ok(())
        } else {
            gradient_outside(grads, bound)
        };
    }
    let mut largest = F::Bits::default();
    // Compiled for the widest instruction set on long slices (AVX2 has an unsigned 32-bit
    // maximum; SSE2 does not), once per float type.
    grads.visit(&mut |s| {
        // A large slice is scanned in halves on two threads, as the update that follows it
        // is (the same measure of work: a pass over memory).
        let slice_largest = if split(8 * s.len()) {
            let (lo, hi) = s.split_at(s.len() / 2);
            let (mut lo_largest, mut hi_largest) = (F::Bits::default(), F::Bits::default());
            both(
                || lo_largest = F::max_magnitude(lo),
                || hi_largest = F::max_magnitude(hi),
            );
            lo_largest.max(hi_largest)
        } else {
            F::max_magnitude(s)
        };
        largest = largest.max(slice_largest);
    });
    if largest <= bound.magnitude_bits() {
        Ok(())
    } else {
        gradient_outside(grads, bound)
    }
}

/// The magnitudes of `values` summed in eight lanes, held in registers (the caller's
/// accumulator may live in memory, behind a closure).
#[inline(always)]
fn magnitude_sums<F: Float>(values: &[F]) -> [F; 8] {
    let mut sums = [F::ZERO; 8];
    let chunks = values.chunks_exact(8);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (sum, g) in sums.iter_mut().zip(chunk) {
            *sum += g.abs();
        }
    }
    for (sum, g) in sums.iter_mut().zip(rest) {
        *sum += g.abs();
    }
    sums
}

/// The error of [`gradients_within`], on its own cold path.
#[cold]
#[inline(never)]
fn gradient_outside<F: Float, M: Params<F>>(grads: &mut M, bound: F) -> Result<(), StepError> {
    let (mut index, mut found) = (0, None);
    grads.visit(&mut |s| {
        if found.is_none()
            && let Some(at) = s.iter().position(|g| g.is_nan() || g.abs() > bound)
        {
            found = Some((index + at, s[at]));
        }
        index += s.len();
    });
    // Only the small models' sum of magnitudes may send every gradient in bounds here.
    let Some((index, value)) = found else {
        return Ok(());
    };
    grads.set_zero();
    Err(StepError::Gradient {
        index,
        value: value.as_f64(),
        bound: bound.as_f64(),
    })
}

/// [`Optimizer::check`] for a hyperparameter check that failed: clears the gradients.
pub(crate) fn refuse<F: Float, M: Params<F>>(
    grads: &mut M,
    checked: Result<(), HyperparameterError>,
) -> Result<(), StepError> {
    if checked.is_err() {
        grads.set_zero();
    }
    Ok(checked?)
}
