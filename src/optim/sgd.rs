use crate::float::Float;
use crate::kernels::dispatch;
use crate::math::flush_tiny;
use crate::module::Params;
use crate::optim::fused::sgd_in_one_pass;
use crate::optim::{
    HyperparameterError, Optimizer, SMALL_MODEL, StateOf, StepError, check_lr, check_rate,
    in_halves, max_update, refuse, scanned_within, update_bound,
};
use crate::tensor::Zero;

/// Plain stochastic gradient descent: `p -= lr * g`.
///
/// ```
/// use typed_nn::{Linear, optim::{Optimizer, Sgd}};
/// let mut layer = Linear::<1, 1>::from_parts([[1.0]], [0.0]);
/// let mut grads = Linear::<1, 1>::from_parts([[2.0]], [-1.0]);
/// Sgd::new(0.5).step(&mut layer, &mut grads);
/// assert_eq!(layer, Linear::from_parts([[0.0]], [0.5]));
/// assert_eq!(grads, Linear::from_parts([[0.0]], [0.0])); // cleared for the next step
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sgd<F = f32> {
    /// The learning rate.
    pub lr: F,
}

impl<F: Float> Sgd<F> {
    /// SGD with learning rate `lr`. It is checked before every step a
    /// [`Trainer`](crate::train::Trainer) takes ([`Optimizer::checked_step`]; the bare
    /// [`Optimizer::step`] does not check); [`try_new`](Self::try_new) checks it now.
    pub const fn new(lr: F) -> Self {
        Self { lr }
    }

    /// SGD with learning rate `lr`, which must be finite and positive.
    ///
    /// ```
    /// use typed_nn::optim::Sgd;
    /// let err = Sgd::try_new(f32::NAN).unwrap_err();
    /// assert_eq!(err.to_string(), "learning rate is NaN: it must be finite and positive");
    /// assert!(Sgd::try_new(-0.1f32).is_err() && Sgd::try_new(0.1f32).is_ok());
    /// ```
    pub fn try_new(lr: F) -> Result<Self, HyperparameterError> {
        check_lr(lr)?;
        Ok(Self { lr })
    }
}

/// Checks at compile time, for optimizers in `const` and `static` items (firmware).
macro_rules! const_sgd {
    ($($t:ty),*) => {$(
        impl Sgd<$t> {
            /// SGD with learning rate `lr`, checked when evaluated: in a `const` or `static`
            /// item, a learning rate that is not finite and positive stops the build.
            ///
            /// ```
            /// use typed_nn::optim::Sgd;
            #[doc = concat!("const OPTIMIZER: Sgd<", stringify!($t), "> = Sgd::<", stringify!($t), ">::checked(0.5);")]
            /// ```
            ///
            /// # Panics
            /// At run time, on a learning rate out of range: use [`try_new`](Self::try_new)
            /// for values known only then.
            pub const fn checked(lr: $t) -> Self {
                assert!(lr.is_finite() && lr > 0.0, "the learning rate must be finite and positive");
                Self { lr }
            }
        }
    )*};
}
const_sgd!(f32, f64);

impl<F: Float> Sgd<F> {
    /// [`Optimizer::check`], without reading the gradients when `largest` is within bound.
    fn check_scanned<M: Params<F>>(
        &self,
        grads: &mut M,
        largest: Option<f64>,
    ) -> Result<(), StepError> {
        refuse(grads, check_lr(self.lr))?;
        scanned_within(grads, update_bound(max_update::<F>() / self.lr), largest)
    }

    /// `p -= lr * g` for every parameter; the gradients are set to zero when `CLEAR`, left
    /// as they are otherwise.
    fn update<M: Params<F>, const CLEAR: bool>(&mut self, model: &mut M, grads: &mut M) {
        let lr = self.lr;
        let update = |p: &mut [F], [g]: [&mut [F]; 1]| {
            dispatch!(2 * p.len(), |_level| {
                for (p, g) in p.iter_mut().zip(g.iter_mut()) {
                    *p -= lr * *g;
                    if CLEAR {
                        *g = F::ZERO;
                    }
                }
            })
        };
        model.zip_mut([grads], &mut |p, state| {
            in_halves(2 * p.len(), p, state, &update)
        });
    }

    /// [`Optimizer::checked_step`] (`CLEAR`) or [`Optimizer::checked_step_unzeroed`].
    #[inline(always)]
    fn checked_step_clearing<M: Params<F>, const CLEAR: bool>(
        &mut self,
        model: &mut M,
        grads: &mut M,
        largest: Option<f64>,
    ) -> Result<(), StepError> {
        if M::PARAM_COUNT > SMALL_MODEL {
            self.check_scanned(grads, largest)?;
            self.update::<M, CLEAR>(model, grads);
            return Ok(());
        }
        refuse(grads, check_lr(self.lr))?;
        let bound = update_bound(max_update::<F>() / self.lr);
        sgd_in_one_pass::<F, M, CLEAR>(self.lr, bound, model, grads)
    }
}

// Reported as "cannot update", not as the model's unmet `Params` bound.
#[diagnostic::do_not_recommend]
impl<F: Float, M: Params<F>> Optimizer<M> for Sgd<F> {
    const STATE_COPIES: usize = 0;
    /// A small model's step checks its gradients in its own pass.
    const USES_SCAN: bool = M::PARAM_COUNT > SMALL_MODEL;

    fn step(&mut self, model: &mut M, grads: &mut M) {
        self.update::<M, true>(model, grads);
    }

    fn step_unzeroed(&mut self, model: &mut M, grads: &mut M) {
        self.update::<M, false>(model, grads);
    }

    /// The learning rate is finite and positive, and `lr |g|` at most [`max_update`].
    fn check(&self, grads: &mut M) -> Result<(), StepError> {
        self.check_scanned(grads, None)
    }

    /// For a model of at most 256 parameters, the check and the update in one pass, which
    /// keeps the old parameters in the gradients' place until the step is known to pass; a
    /// refused step's error then gives the offending gradient as recovered from the update
    /// (within rounding; NaN and infinities exactly). Larger models: [`check`](Self::check),
    /// then [`step`](Self::step).
    #[inline(always)]
    fn checked_step(
        &mut self,
        model: &mut M,
        grads: &mut M,
        largest: Option<f64>,
    ) -> Result<(), StepError> {
        self.checked_step_clearing::<M, true>(model, grads, largest)
    }

    /// As [`checked_step`](Self::checked_step), without the stores of zeros over the
    /// gradients (for a small model, the old parameters are left in their place).
    #[inline(always)]
    fn checked_step_unzeroed(
        &mut self,
        model: &mut M,
        grads: &mut M,
        largest: Option<f64>,
    ) -> Result<(), StepError> {
        self.checked_step_clearing::<M, false>(model, grads, largest)
    }
}

/// SGD with momentum, as PyTorch defines it (no dampening): `v = momentum * v + g`,
/// `p -= lr * v`. The velocity `v` has the model's type; like [`Adam`](crate::optim::Adam)'s
/// moments, a velocity below about 2e-31 (for `f32`) is stored as zero.
///
/// ```
/// use typed_nn::{Linear, optim::{Optimizer, SgdMomentum}};
/// let mut layer = Linear::<1, 1>::from_parts([[0.0]], [0.0]);
/// let grads = Linear::<1, 1>::from_parts([[1.0]], [0.0]);
/// let mut opt = SgdMomentum::new(0.1, 0.9);
/// opt.step(&mut layer, &mut grads.clone()); // v = 1,   p = -0.1
/// opt.step(&mut layer, &mut grads.clone()); // v = 1.9, p = -0.29
/// assert!((layer.weight[0][0] + 0.29).abs() < 1e-6);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct SgdMomentum<M, F = f32> {
    /// The learning rate.
    pub lr: F,
    /// The momentum factor, usually 0.9.
    pub momentum: F,
    /// The velocity, one value per parameter.
    pub velocity: M,
}

// Only `Zero`, as for `Adam::new`: the float type is checked where the optimizer meets the
// model, as one error.
impl<F: Float, M: Zero> SgdMomentum<M, F> {
    /// SGD with learning rate `lr` and momentum factor `momentum`, starting at rest. Both are
    /// checked before every step a [`Trainer`](crate::train::Trainer) takes
    /// ([`Optimizer::checked_step`]; the bare [`Optimizer::step`] does not check);
    /// [`try_new`](Self::try_new) checks them now.
    pub const fn new(lr: F, momentum: F) -> Self {
        Self {
            lr,
            momentum,
            velocity: M::ZERO,
        }
    }

    /// SGD with momentum; `lr` must be finite and positive, `momentum` in [0, 1).
    pub fn try_new(lr: F, momentum: F) -> Result<Self, HyperparameterError> {
        check_lr(lr)?;
        check_rate("momentum", momentum)?;
        Ok(Self::new(lr, momentum))
    }
}

impl<S, F: Float> SgdMomentum<S, F> {
    /// [`Optimizer::check`], without reading the gradients when `largest` is within bound.
    fn check_scanned<P: Params<F>>(
        &self,
        grads: &mut P,
        largest: Option<f64>,
    ) -> Result<(), StepError> {
        let hyper = check_lr(self.lr).and_then(|()| check_rate("momentum", self.momentum));
        refuse(grads, hyper)?;
        let bound = (F::ONE - self.momentum) * max_update::<F>() / self.lr;
        scanned_within(grads, update_bound(bound), largest)
    }
}

// Reported as "cannot update", not as the model's unmet `Params` bound.
#[diagnostic::do_not_recommend]
impl<F: Float, M: Params<F> + StateOf<S>, S> Optimizer<M> for SgdMomentum<S, F> {
    const STATE_COPIES: usize = 1;
    const USES_SCAN: bool = true;

    checked_by_scan! {
        /// The learning rate is finite and positive, the momentum in [0, 1), and each
        /// gradient at most `(1 - momentum) max_update / lr`: then the velocity, a geometric
        /// sum of gradients, stays below `max_update / lr`, and each update below
        /// [`max_update`].
    }
}

impl<S, F: Float> SgdMomentum<S, F> {
    /// One update; the gradients are set to zero when `CLEAR`, left as they are otherwise.
    fn update<M: Params<F> + StateOf<S>, const CLEAR: bool>(
        &mut self,
        model: &mut M,
        grads: &mut M,
    ) {
        let (lr, mu) = (self.lr, self.momentum);
        let update = |p: &mut [F], [g, v]: [&mut [F]; 2]| {
            dispatch!(3 * p.len(), |_level| {
                for ((p, g), v) in p.iter_mut().zip(g.iter_mut()).zip(v.iter_mut()) {
                    *v = flush_tiny(mu * *v + *g);
                    *p -= lr * *v;
                    if CLEAR {
                        *g = F::ZERO;
                    }
                }
            })
        };
        let velocity = M::state_mut(&mut self.velocity);
        model.zip_mut([grads, velocity], &mut |p, state| {
            in_halves(3 * p.len(), p, state, &update)
        });
    }
}
