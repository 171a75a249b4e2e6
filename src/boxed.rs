//! Models and training state on the heap, built there directly.
//!
//! `Box::new(value)` builds the value on the stack first. A 784-256-10 network with Adam's
//! state is over 3 MB, more than a test thread's 2 MiB stack (and in debug builds every move
//! copies it again). The constructors here allocate zeroed memory and fill it in place, so
//! nothing large ever passes through the stack.

use alloc::boxed::Box;
use core::ptr::addr_of_mut;

use crate::chain::for_each_tuple;
use crate::float::Float;
use crate::optim::{Adam, Optimizer, SgdMomentum, StepError, adam};
use crate::tensor::Zero;
use crate::train::{StepBuffers, Trainer};

/// Types whose all-zero bytes are a valid value, which [`settle_zeroed`](Self::settle_zeroed)
/// turns into [`Zero::ZERO`] in place: for most (floats, layers of floats, layers without
/// settings), the zero bytes are `ZERO` already; a layer with a setting whose default is not
/// zero ([`LeakyReLU`](crate::LeakyReLU)'s slope) writes its default.
///
/// # Safety
/// Implement only for types made of floats, integers, arrays and tuples of such, and
/// zero-sized layers, for which zeroed memory is a valid value, and `settle_zeroed` makes it
/// exactly `Self::ZERO`.
pub unsafe trait ZeroBits: Zero {
    /// Whether [`settle_zeroed`](Self::settle_zeroed) writes anything: false (the default)
    /// when the zero bytes are `ZERO` already, so that an array of such values is not walked.
    const SETTLES: bool = false;

    /// Makes a value whose bytes were all zero equal to [`Zero::ZERO`]. Nothing by default.
    #[inline(always)]
    fn settle_zeroed(&mut self) {}
}

/// Implements [`ZeroBits`] for types with no fields other than zero-bits ones.
macro_rules! zero_bits {
    ($($t:ty),*) => {$(
        // SAFETY: zero bytes are 0 (or the only value of a zero-sized type).
        unsafe impl ZeroBits for $t {}
    )*};
}
zero_bits!(f32, f64, usize, ());
zero_bits!(
    crate::Sigmoid,
    crate::Tanh,
    crate::ReLU,
    crate::Identity,
    crate::Softmax
);

// SAFETY: zero bytes are a slope of 0.0, a valid `f64`; settling writes the default slope,
// which is what `ZERO` holds.
unsafe impl ZeroBits for crate::LeakyReLU {
    const SETTLES: bool = true;
    fn settle_zeroed(&mut self) {
        *self = Self::ZERO;
    }
}
// SAFETY: a zero-sized layer.
unsafe impl<const N: usize> ZeroBits for crate::Flatten<N> {}
// SAFETY: a zero-sized layer.
unsafe impl<const N: usize> ZeroBits for crate::FlattenChannels<N> {}
// SAFETY: an array of zero-bits values, each settled.
unsafe impl<T: ZeroBits + Copy, const N: usize> ZeroBits for [T; N] {
    const SETTLES: bool = T::SETTLES;
    #[inline(always)]
    fn settle_zeroed(&mut self) {
        if T::SETTLES {
            self.iter_mut().for_each(T::settle_zeroed);
        }
    }
}
// SAFETY: two arrays of floats.
unsafe impl<const IN: usize, const OUT: usize, F: Float> ZeroBits for crate::Linear<IN, OUT, F> {}
// SAFETY: fields of zero-bits types, each settled.
unsafe impl<C: ZeroBits, O: ZeroBits> ZeroBits for crate::chain::Link<C, O> {
    const SETTLES: bool = C::SETTLES || O::SETTLES;
    #[inline(always)]
    fn settle_zeroed(&mut self) {
        self.cache.settle_zeroed();
        self.out.settle_zeroed();
        self.grad.settle_zeroed();
    }
}
// SAFETY: fields of zero-bits types, each settled.
unsafe impl<C: ZeroBits, O: ZeroBits> ZeroBits for StepBuffers<C, O> {
    const SETTLES: bool = C::SETTLES || O::SETTLES;
    #[inline(always)]
    fn settle_zeroed(&mut self) {
        self.cache.settle_zeroed();
        self.out.settle_zeroed();
        self.d_out.settle_zeroed();
    }
}

macro_rules! tuple_zero_bits {
    ($($L:ident),+) => {
        // SAFETY: every field is zero-bits, and each is settled.
        unsafe impl<$($L: ZeroBits),+> ZeroBits for ($($L,)+) {
            const SETTLES: bool = false $(|| $L::SETTLES)+;
            #[inline(always)]
            #[allow(non_snake_case)]
            fn settle_zeroed(&mut self) {
                let ($($L,)+) = self;
                $($L.settle_zeroed();)+
            }
        }
    };
}
for_each_tuple!(tuple_zero_bits);

/// `T::ZERO` on the heap, never on the stack.
///
/// ```
/// use typed_nn::boxed::zeroed;
/// use typed_nn::{Linear, ReLU, Zero};
/// type Mnist = (Linear<784, 256>, ReLU, Linear<256, 10>);
/// let net: Box<Mnist> = zeroed();
/// assert_eq!(net.2.bias, [0.0; 10]);
/// ```
pub fn zeroed<T: ZeroBits>() -> Box<T> {
    // SAFETY: `ZeroBits` guarantees zeroed memory is a valid `T`, which settling makes
    // `T::ZERO`.
    let mut value = unsafe { Box::<T>::new_zeroed().assume_init() };
    value.settle_zeroed();
    value
}

// As for `Adam::new`, the float type is checked where the optimizer meets the model.
impl<M: ZeroBits, F: Float> Adam<M, F> {
    /// [`Adam::new`] on the heap: the moments are zeroed in place.
    pub fn boxed(lr: F) -> Box<Self> {
        let mut adam = Box::<Self>::new_uninit();
        let p = adam.as_mut_ptr();
        // SAFETY: every field is written once before `assume_init`; the moments are zero-bits.
        unsafe {
            addr_of_mut!((*p).lr).write(lr);
            addr_of_mut!((*p).beta1).write(F::from_f64(adam::BETA1));
            addr_of_mut!((*p).beta2).write(F::from_f64(adam::BETA2));
            addr_of_mut!((*p).eps).write(F::from_f64(adam::EPS));
            addr_of_mut!((*p).weight_decay).write(F::ZERO);
            addr_of_mut!((*p).t).write(0);
            addr_of_mut!((*p).m).write_bytes(0, 1);
            addr_of_mut!((*p).v).write_bytes(0, 1);
            let mut adam = adam.assume_init();
            adam.m.settle_zeroed();
            adam.v.settle_zeroed();
            adam
        }
    }
}

// As for `SgdMomentum::new`, the float type is checked where the optimizer meets the model.
impl<M: ZeroBits, F: Float> SgdMomentum<M, F> {
    /// [`SgdMomentum::new`] on the heap: the velocity is zeroed in place.
    ///
    /// ```
    /// use typed_nn::optim::SgdMomentum;
    /// use typed_nn::{Linear, ReLU};
    /// type Mnist = (Linear<784, 512>, ReLU, Linear<512, 10>); // 1.6 MB
    /// let sgd = SgdMomentum::<Mnist>::boxed(0.01, 0.9);
    /// assert_eq!(sgd.velocity.2.bias, [0.0; 10]);
    /// ```
    pub fn boxed(lr: F, momentum: F) -> Box<Self> {
        let mut sgd = Box::<Self>::new_uninit();
        let p = sgd.as_mut_ptr();
        // SAFETY: every field is written once before `assume_init`; the velocity is zero-bits.
        unsafe {
            addr_of_mut!((*p).lr).write(lr);
            addr_of_mut!((*p).momentum).write(momentum);
            addr_of_mut!((*p).velocity).write_bytes(0, 1);
            let mut sgd = sgd.assume_init();
            sgd.velocity.settle_zeroed();
            sgd
        }
    }
}

impl<M, X, O, C, Out> Trainer<M, X, O, StepBuffers<C, Out>>
where
    M: ZeroBits,
    C: ZeroBits,
    Out: ZeroBits,
{
    /// [`Trainer::new`] on the heap: gradients, cache and output buffers are zeroed in place.
    /// Pair it with a boxed optimizer such as [`Adam::boxed`] for large models.
    ///
    /// ```
    /// use typed_nn::optim::Adam;
    /// use typed_nn::train::Trainer;
    /// use typed_nn::{Linear, ReLU, boxed::zeroed};
    /// type Mnist = (Linear<784, 256>, ReLU, Linear<256, 10>);
    /// let trainer = Trainer::<Mnist, [[f32; 784]; 64], _>::boxed(Adam::<Mnist>::boxed(1e-3));
    /// assert_eq!(trainer.steps, 0);
    /// ```
    pub fn boxed(optimizer: O) -> Box<Self> {
        let mut trainer = Box::<Self>::new_uninit();
        // SAFETY: the zero-bits fields are zeroed, the others written, before `assume_init`.
        unsafe {
            trainer.as_mut_ptr().write_bytes(0, 1);
            addr_of_mut!((*trainer.as_mut_ptr()).optimizer).write(optimizer);
            let mut trainer = trainer.assume_init();
            trainer.grads.settle_zeroed();
            trainer.settle_buffers();
            trainer
        }
    }
}

/// A boxed optimizer is an optimizer, so large optimizer state can live on the heap. Every
/// method is the boxed optimizer's own, those with default bodies included (a default here
/// would run in place of the optimizer's faster one).
#[diagnostic::do_not_recommend]
impl<M, O: Optimizer<M>> Optimizer<M> for Box<O> {
    const STATE_COPIES: usize = O::STATE_COPIES;
    const USES_SCAN: bool = O::USES_SCAN;
    #[inline(always)]
    fn step(&mut self, model: &mut M, grads: &mut M) {
        (**self).step(model, grads)
    }
    #[inline(always)]
    fn step_unzeroed(&mut self, model: &mut M, grads: &mut M) {
        (**self).step_unzeroed(model, grads)
    }
    #[inline(always)]
    fn check(&self, grads: &mut M) -> Result<(), StepError> {
        (**self).check(grads)
    }
    #[inline(always)]
    fn checked_step(
        &mut self,
        model: &mut M,
        grads: &mut M,
        largest: Option<f64>,
    ) -> Result<(), StepError> {
        (**self).checked_step(model, grads, largest)
    }
    #[inline(always)]
    fn checked_step_unzeroed(
        &mut self,
        model: &mut M,
        grads: &mut M,
        largest: Option<f64>,
    ) -> Result<(), StepError> {
        (**self).checked_step_unzeroed(model, grads, largest)
    }
    #[cfg(feature = "alloc")]
    #[inline(always)]
    fn checked_step_deferred<F: Float>(
        &mut self,
        model: &mut M,
        grads: &mut M,
        largest: Option<f64>,
        deferred: crate::module::Deferred<'_, F>,
    ) -> Result<(), StepError>
    where
        M: crate::Params<F>,
    {
        (**self).checked_step_deferred(model, grads, largest, deferred)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::{Adam, Optimizer};
    use crate::train::Trainer;
    use crate::{Linear, ParamCount, Params, Sigmoid, SoftmaxCrossEntropy};

    type Net = (Linear<3, 4>, Sigmoid, Linear<4, 2>);

    /// The heap constructors build what the value constructors build, and a boxed optimizer
    /// keeps its checks (Miri runs this: the unsafe writes into uninitialised boxes).
    #[test]
    fn boxed_values_equal_built_values_and_train_alike() {
        let zero: Box<Net> = zeroed();
        assert!(*zero == Net::ZERO);
        let adam: Box<Adam<Net>> = Adam::boxed(0.1);
        assert!(*adam == Adam::new(0.1));
        let (mut boxed, mut by_value) = (zeroed::<Net>(), Net::ZERO);
        boxed.0.bias = [0.5, -0.5, 0.25, 0.0];
        by_value.0.bias = boxed.0.bias;
        let mut t1 = Trainer::<Net, [f32; 3], _>::boxed(adam);
        let mut t2 = Trainer::<Net, [f32; 3], _>::new(Adam::<Net>::new(0.1));
        // Miri varies the last bits of `exp`, as it may: equal within rounding.
        let close = |a: f32, b: f32| (a - b).abs() <= 1e-5;
        for _ in 0..3 {
            let a = t1.step(&mut boxed, &[0.1, 0.2, 0.3], &1, &SoftmaxCrossEntropy);
            let b = t2.step(&mut by_value, &[0.1, 0.2, 0.3], &1, &SoftmaxCrossEntropy);
            assert!(close(a.unwrap(), b.unwrap()));
        }
        for i in 0..Net::PARAM_COUNT {
            assert!(close(boxed.param(i).unwrap(), by_value.param(i).unwrap()));
        }
        let mut nan = Net::ZERO;
        nan.set_param(0, f32::NAN);
        assert!(Optimizer::<Net>::check(&t1.optimizer, &mut nan).is_err());
    }

    /// A layer whose zero bytes are not its `ZERO` (`LeakyReLU`'s default slope) is built on
    /// the heap as `ZERO` builds it, in a model, an optimizer's state and a trainer's buffers.
    #[test]
    fn leaky_layers_built_on_the_heap_keep_their_default_slope() {
        use crate::optim::SgdMomentum;
        use crate::{LeakyReLU, Mse};
        type Leaky = (Linear<3, 4>, LeakyReLU, Linear<4, 2>, LeakyReLU);
        let model: Box<Leaky> = zeroed();
        assert!(*model == Leaky::ZERO);
        assert_eq!(model.1.slope, LeakyReLU::DEFAULT_SLOPE);
        let many: Box<[[LeakyReLU; 2]; 3]> = zeroed();
        assert!(
            many.iter()
                .flatten()
                .all(|l| l.slope == LeakyReLU::DEFAULT_SLOPE)
        );
        let adam = Adam::<Leaky>::boxed(0.1);
        assert!(*adam == Adam::new(0.1));
        let sgd = SgdMomentum::<Leaky>::boxed(0.1, 0.9);
        assert!(*sgd == SgdMomentum::new(0.1, 0.9));
        // The boxed trainer steps as the one built by value.
        let (mut boxed, mut by_value) = (zeroed::<Leaky>(), Leaky::ZERO);
        boxed.0.bias = [-0.5, 0.5, -0.25, 1.0];
        by_value.0.bias = boxed.0.bias;
        let mut t1 = Trainer::<Leaky, [f32; 3], _>::boxed(sgd);
        let mut t2 = Trainer::<Leaky, [f32; 3], _>::new(SgdMomentum::<Leaky>::new(0.1, 0.9));
        for _ in 0..3 {
            let a = t1.step(&mut boxed, &[0.1, 0.2, 0.3], &[0.5, -0.5], &Mse);
            let b = t2.step(&mut by_value, &[0.1, 0.2, 0.3], &[0.5, -0.5], &Mse);
            assert_eq!(a.unwrap(), b.unwrap());
        }
        assert!(*boxed == by_value);
        assert!(t1.output() == t2.output());
    }
}
