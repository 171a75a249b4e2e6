//! Adam and its PyTorch defaults.

use crate::float::Float;
use crate::kernels::dispatch;
#[cfg(feature = "alloc")]
use crate::module::Deferred;
use crate::module::Params;
use crate::optim::adam_step::AdamStep;
use crate::optim::in_halves;
use crate::optim::{
    HyperparameterError, Optimizer, StateOf, StepError, check_lr, check_rate, max_update, refuse,
    require, scanned_within,
};
use crate::tensor::Zero;

/// Adam (Kingma and Ba, 2015) with PyTorch's semantics: bias-corrected moments and epsilon
/// added after the square root,
///
/// ```text
/// m = b1 m + (1 - b1) g          m^ = m / (1 - b1^t)
/// v = b2 v + (1 - b2) g^2        v^ = v / (1 - b2^t)
/// p -= lr m^ / (sqrt(v^) + eps)
/// ```
///
/// with PyTorch's defaults b1 = 0.9, b2 = 0.999, eps = 1e-8, and optional L2 weight decay
/// (`g += weight_decay * p`, as in `torch.optim.Adam`). The moments have the model's type.
///
/// Moments below about 2e-31 (for `f32`) are stored as zero, as with PyTorch's
/// `torch.set_flush_denormal(True)`. A moment whose gradient stays zero (a ReLU unit that no
/// longer fires) decays geometrically towards the subnormal range, where each operation costs
/// the processor about a hundred times more; the update it contributes there is below 1e-30.
///
/// ```
/// use typed_nn::{Linear, optim::{Adam, Optimizer}};
/// let mut layer = Linear::<1, 1>::from_parts([[1.0]], [1.0]);
/// let mut grads = Linear::<1, 1>::from_parts([[3.0]], [-0.001]);
/// let mut adam = Adam::new(0.1);
/// adam.step(&mut layer, &mut grads);
/// // After bias correction the first step moves every parameter by lr against its gradient.
/// assert!((layer.weight[0][0] - 0.9).abs() < 1e-6);
/// assert!((layer.bias[0] - 1.1).abs() < 1e-4);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Adam<M, F = f32> {
    /// The learning rate.
    pub lr: F,
    /// Decay rate of the first moment.
    pub beta1: F,
    /// Decay rate of the second moment.
    pub beta2: F,
    /// Added to the root of the second moment, for numerical stability.
    pub eps: F,
    /// L2 penalty added to the gradient, in [0, 1]. Its term `weight_decay * p` enters the
    /// second moment squared, so the guarantee that a step leaves nothing infinite holds for
    /// parameters below 1e15 in `f32` (1e150 in `f64`) when it is not 0.
    pub weight_decay: F,
    /// Steps taken so far.
    pub t: u32,
    /// First moment (mean of gradients).
    pub m: M,
    /// Second moment (mean of squared gradients).
    pub v: M,
}

/// PyTorch's default decay rate of the first moment.
pub const BETA1: f64 = 0.9;
/// PyTorch's default decay rate of the second moment.
pub const BETA2: f64 = 0.999;
/// PyTorch's default epsilon.
pub const EPS: f64 = 1e-8;

// Only `Zero` here: whether the model holds `F` parameters is checked where the optimizer
// updates it, so that a learning rate of another float type is one error there (naming both
// types), not a second one at the constructor.
impl<F: Float, M: Zero> Adam<M, F> {
    /// Adam with learning rate `lr`, PyTorch's other defaults, and every hyperparameter
    /// checked: `lr` finite and positive, betas in [0, 1), `eps` finite and positive, weight
    /// decay in [0, 1], and the first step's size `lr / (1 - beta1)` at most [`max_update`]
    /// (1e30 in `f32`). Set fields by hand and the same checks run before every step
    /// ([`Optimizer::check`]).
    ///
    /// ```
    /// use typed_nn::{Linear, optim::Adam};
    /// let err = Adam::<Linear<2, 1>>::try_new(f32::INFINITY).unwrap_err();
    /// assert_eq!(err.to_string(), "learning rate is inf: it must be finite and positive");
    /// ```
    pub fn try_new(lr: F) -> Result<Self, HyperparameterError> {
        let adam = Self::new(lr);
        adam.check_hyperparameters()?;
        Ok(adam)
    }

    /// Adam with learning rate `lr` and PyTorch's other defaults. They are checked before
    /// every step a [`Trainer`](crate::train::Trainer) takes ([`Optimizer::checked_step`];
    /// the bare [`Optimizer::step`] does not check); [`try_new`](Self::try_new) checks them
    /// now.
    pub fn new(lr: F) -> Self {
        Self {
            lr,
            beta1: F::from_f64(BETA1),
            beta2: F::from_f64(BETA2),
            eps: F::from_f64(EPS),
            weight_decay: F::ZERO,
            t: 0,
            m: M::ZERO,
            v: M::ZERO,
        }
    }

    /// Adam with every hyperparameter given (no weight decay), as a `const fn`: for a
    /// trainer in a `static`, which [`new`](Self::new) cannot build (it converts PyTorch's
    /// defaults to `F` at run time). They are checked before every step, as `new`'s are.
    ///
    /// ```
    /// use typed_nn::{Linear, Mse, Tanh, optim::Adam, train::Trainer};
    /// type Net = (Linear<1, 4>, Tanh, Linear<4, 1>);
    /// // The trainer's buffers, the gradients and both moments, in a static (in firmware, in
    /// // `.bss` or `.data` rather than on the stack).
    /// static mut TRAINER: Trainer<Net, [f32; 1], Adam<Net>> =
    ///     Trainer::new(Adam::with_betas(1e-2, 0.9, 0.999, 1e-8));
    /// static mut NET: Net = <Net as typed_nn::Zero>::ZERO;
    ///
    /// // SAFETY: one thread, and no other reference to either static.
    /// let (trainer, net) = unsafe { (&mut *&raw mut TRAINER, &mut *&raw mut NET) };
    /// assert_eq!(trainer.optimizer, Adam::new(1e-2)); // PyTorch's defaults, as `new` gives
    /// assert!(trainer.step(net, &[0.5], &[0.25], &Mse).is_ok());
    /// ```
    pub const fn with_betas(lr: F, beta1: F, beta2: F, eps: F) -> Self {
        Self {
            lr,
            beta1,
            beta2,
            eps,
            weight_decay: F::ZERO,
            t: 0,
            m: M::ZERO,
            v: M::ZERO,
        }
    }
}

impl<M, F: Float> Adam<M, F> {
    /// [`Optimizer::check`], without reading the gradients when `largest` is within bound.
    fn check_scanned<P: Params<F>>(
        &self,
        grads: &mut P,
        largest: Option<f64>,
    ) -> Result<(), StepError> {
        refuse(grads, self.check_hyperparameters())?;
        scanned_within(grads, self.gradient_limit(), largest)
    }

    /// The largest gradient magnitude [`Optimizer::check`] lets through: `g^2` and the
    /// update it can make both at most [`max_update`].
    fn gradient_limit(&self) -> F {
        let limit = max_update::<F>();
        let by_update = limit * self.eps * (F::ONE - self.beta1) / self.lr;
        limit.sqrt().min(by_update)
    }

    /// Whether the step's check is known to pass from what the backward pass found
    /// (`largest`, over every gradient but the deferred product's) and from the product's
    /// operands alone, with room for the product's rounding: then the product can be computed
    /// inside the update, after which nothing could be refused.
    #[cfg(feature = "alloc")]
    fn passes_before<G: Float>(&self, largest: Option<f64>, deferred: &Deferred<'_, G>) -> bool {
        if self.check_hyperparameters().is_err() {
            return false;
        }
        let limit = self.gradient_limit().as_f64();
        largest.is_some_and(|l| l <= limit) && deferred.bound() <= 0.5 * limit
    }

    /// Checks each hyperparameter; see [`try_new`](Adam::try_new).
    pub fn check_hyperparameters(&self) -> Result<(), HyperparameterError> {
        check_lr(self.lr)?;
        check_rate("beta1", self.beta1)?;
        check_rate("beta2", self.beta2)?;
        // The first step's size is lr / (1 - beta1): beyond `max_update` (1e30 in `f32`) it
        // overflows, or leaves no gradient that the check could pass but zero, and 0 times
        // an infinite step is NaN.
        let first_step = self.lr.as_f64() / (1.0 - self.beta1.as_f64());
        let step_ok = first_step <= max_update::<F>().as_f64();
        require(
            "learning rate",
            self.lr,
            step_ok,
            if F::BYTES == 4 {
                "at most 1e30 * (1 - beta1) (`optim::max_update` for `f32`), so that the first step's size lr / (1 - beta1) stays below 1e30"
            } else {
                "at most 1e300 * (1 - beta1) (`optim::max_update` for `f64`), so that the first step's size lr / (1 - beta1) stays below 1e300"
            },
        )?;
        let eps_ok = self.eps.is_finite() && self.eps > F::ZERO;
        require("eps", self.eps, eps_ok, "finite and positive")?;
        // A decay above 1 would add more than the parameter itself to its gradient, and its
        // square to the second moment, past what the gradient check bounds.
        let wd_ok = self.weight_decay >= F::ZERO && self.weight_decay <= F::ONE;
        require("weight decay", self.weight_decay, wd_ok, "in [0, 1]")
    }
}

// Reported as "cannot update", not as the model's unmet `Params` bound.
#[diagnostic::do_not_recommend]
impl<F: Float, M: Params<F> + StateOf<S>, S> Optimizer<M> for Adam<S, F> {
    const STATE_COPIES: usize = 2;
    const USES_SCAN: bool = true;

    checked_by_scan! {
        /// The hyperparameters ([`Adam::check_hyperparameters`]), and each gradient `g` with
        /// `g^2` at most [`max_update`] (so the second moment stays finite) and
        /// `lr / (1 - beta1) |g| / eps` at most `max_update` (a bound on the update, whose
        /// first moment is an average of gradients, over at least `eps`).
    }

    /// The product computed strip by strip inside the update, each strip's parameters and
    /// moments updated while its gradients are in the caches, when the check is known to
    /// pass beforehand (the hyperparameters, `largest`, and a bound on the product from its
    /// operands: see [`Deferred`]); otherwise the default, which computes the product and
    /// then checks every gradient. The numbers are the same either way, to the last bit.
    #[cfg(feature = "alloc")]
    fn checked_step_deferred<G: Float>(
        &mut self,
        model: &mut M,
        grads: &mut M,
        largest: Option<f64>,
        deferred: Deferred<'_, G>,
    ) -> Result<(), StepError>
    where
        M: Params<G>,
    {
        if let Some(fused) = deferred.cast::<F>()
            && self.passes_before(largest, &fused)
        {
            self.update_fused(model, grads, fused);
            return Ok(());
        }
        let largest = deferred.compute_into(grads, largest);
        self.checked_step_unzeroed(model, grads, largest)
    }
}

impl<S, F: Float> Adam<S, F> {
    /// The constants of the next update, counting it as taken.
    pub(crate) fn next_step(&mut self) -> AdamStep<F> {
        self.t = self.t.saturating_add(1);
        // Past 2^31 steps both corrections are 1 to every digit (0.999^(2^31) is 0 in f64).
        let t = self.t.min(i32::MAX as u32) as i32;
        // Bias corrections in f64, as PyTorch computes them in Python floats.
        let correction1 = 1.0 - num_traits::Float::powi(self.beta1.as_f64(), t);
        let correction2 = 1.0 - num_traits::Float::powi(self.beta2.as_f64(), t);
        AdamStep {
            beta1: self.beta1,
            beta2: self.beta2,
            eps: self.eps,
            weight_decay: self.weight_decay,
            step_size: F::from_f64(self.lr.as_f64() / correction1),
            inv_root_c2: F::from_f64(1.0 / num_traits::Float::sqrt(correction2)),
        }
    }

    /// One update; the gradients are set to zero when `CLEAR`, left as they are otherwise.
    fn update<M: Params<F> + StateOf<S>, const CLEAR: bool>(
        &mut self,
        model: &mut M,
        grads: &mut M,
    ) {
        let step = self.next_step();
        let update = |p: &mut [F], [g, m, v]: [&mut [F]; 3]| {
            dispatch!(8 * p.len(), |_level| step.apply::<CLEAR>(p, g, m, v))
        };
        let (m, v) = (M::state_mut(&mut self.m), M::state_mut(&mut self.v));
        model.zip_mut([grads, m, v], &mut |p, state| {
            in_halves(8 * p.len(), p, state, &update)
        });
    }

    /// [`update`](Self::update) without clearing, with the first slice's gradients the
    /// product `deferred`, computed inside its update ([`Deferred`]).
    #[cfg(feature = "alloc")]
    fn update_fused<M: Params<F> + StateOf<S>>(
        &mut self,
        model: &mut M,
        grads: &mut M,
        deferred: Deferred<'_, F>,
    ) {
        let step = self.next_step();
        let update = |p: &mut [F], [g, m, v]: [&mut [F]; 3]| {
            dispatch!(8 * p.len(), |_level| step.apply::<false>(p, g, m, v))
        };
        let (m, v) = (M::state_mut(&mut self.m), M::state_mut(&mut self.v));
        let mut first = Some(deferred);
        model.zip_mut([grads, m, v], &mut |p, [g, m, v]| match first.take() {
            Some(product) => product.adam_update(g, [p, m, v], step),
            None => in_halves(8 * p.len(), p, [g, m, v], &update),
        });
    }
}
