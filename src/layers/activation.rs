//! Elementwise non-linearities. Each takes a tensor of any shape and returns the same shape, so
//! the width is never restated: `(Linear<2, 16>, Sigmoid, Linear<16, 1>)`.

use crate::float::Float;
use crate::kernels::{ELEMENT_WORK, dispatch};
use crate::math::flush_tiny;
use crate::module::{Backward, Forward, parameterless};
use crate::tensor::{Tensor, Zero};

/// A function applied to every element, with its derivative.
trait Pointwise {
    /// f(x).
    fn value<F: Float>(&self, x: F) -> F;
    /// f'(x), given x and y = f(x); each activation uses whichever is cheaper.
    fn slope<F: Float>(&self, x: F, y: F) -> F;
}

/// The logistic sigmoid `1 / (1 + e^-x)`, with derivative `y (1 - y)`.
///
/// A pair of steep sigmoids makes a bump, and a sum of bumps approximates any continuous
/// function: the universal approximation construction.
///
/// ```
/// use typed_nn::{Forward, Sigmoid};
/// let y = Sigmoid.infer(&[0.0f32, 1e4, -1e4]);
/// assert_eq!(y, [0.5, 1.0, 0.0]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sigmoid;

/// The hyperbolic tangent, with derivative `1 - y^2`.
///
/// ```
/// use typed_nn::{Forward, Tanh};
/// assert_eq!(Tanh.infer(&[0.0f64]), [0.0]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tanh;

/// The rectifier `max(0, x)`. Its derivative at 0 is taken as 0.
///
/// ```
/// use typed_nn::{Forward, ReLU};
/// assert_eq!(ReLU.infer(&[[-1.0f32, 2.0]]), [[0.0, 2.0]]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReLU;

/// The leaky rectifier: `x` for positive `x`, `slope * x` otherwise.
///
/// ```
/// use typed_nn::{Forward, LeakyReLU};
/// assert_eq!(LeakyReLU::new(0.5).infer(&[-2.0f32, 3.0]), [-1.0, 3.0]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LeakyReLU {
    /// The gradient for negative inputs, rounded to the model's float type when used (kept in
    /// `f64` so that `f64` models see exactly the slope written).
    pub slope: f64,
}

impl LeakyReLU {
    /// PyTorch's default negative slope, 0.01.
    pub const DEFAULT_SLOPE: f64 = 0.01;

    /// A leaky rectifier with the given negative slope.
    pub const fn new(slope: f64) -> Self {
        Self { slope }
    }
}

impl Default for LeakyReLU {
    fn default() -> Self {
        Self::new(Self::DEFAULT_SLOPE)
    }
}

/// The identity map: a linear output layer for regression.
///
/// ```
/// use typed_nn::{Forward, Identity};
/// assert_eq!(Identity.infer(&[1.5f32]), [1.5]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Identity;

impl Pointwise for Sigmoid {
    #[inline(always)]
    fn value<F: Float>(&self, x: F) -> F {
        F::ONE / (F::ONE + (-x).exp_fast())
    }
    #[inline(always)]
    fn slope<F: Float>(&self, _: F, y: F) -> F {
        y * (F::ONE - y)
    }
}

impl Pointwise for Tanh {
    #[inline(always)]
    fn value<F: Float>(&self, x: F) -> F {
        x.tanh()
    }
    #[inline(always)]
    fn slope<F: Float>(&self, _: F, y: F) -> F {
        F::ONE - y * y
    }
}

impl Pointwise for ReLU {
    #[inline(always)]
    fn value<F: Float>(&self, x: F) -> F {
        if x > F::ZERO { x } else { F::ZERO }
    }
    #[inline(always)]
    fn slope<F: Float>(&self, x: F, _: F) -> F {
        if x > F::ZERO { F::ONE } else { F::ZERO }
    }
}

impl Pointwise for LeakyReLU {
    #[inline(always)]
    fn value<F: Float>(&self, x: F) -> F {
        if x > F::ZERO {
            x
        } else {
            F::from_f64(self.slope) * x
        }
    }
    #[inline(always)]
    fn slope<F: Float>(&self, x: F, _: F) -> F {
        if x > F::ZERO {
            F::ONE
        } else {
            F::from_f64(self.slope)
        }
    }
}

impl Pointwise for Identity {
    #[inline(always)]
    fn value<F: Float>(&self, x: F) -> F {
        x
    }
    #[inline(always)]
    fn slope<F: Float>(&self, _: F, _: F) -> F {
        F::ONE
    }
}

macro_rules! elementwise_layer {
    ($($layer:ty = $zero:expr),*) => {$(
        impl Zero for $layer {
            /// The layer itself: it has no trainable numbers to zero.
            const ZERO: Self = $zero;
        }

        impl<T: Tensor> Forward<T> for $layer {
            type Output = T;
            type Cache = ();
            const CACHE_FLOATS: usize = 0;

            fn infer(&self, x: &T) -> T {
                let mut y = T::ZERO;
                self.forward(x, &mut y, &mut ());
                y
            }

            fn forward(&self, x: &T, out: &mut T, _: &mut ()) {
                dispatch!(T::LEN * ELEMENT_WORK, |_level| {
                    for (y, &x) in out.flat_mut().iter_mut().zip(x.flat()) {
                        *y = self.value(x);
                    }
                })
            }
        }

        impl<T: Tensor> Backward<T> for $layer {
            fn backward(&self, x: &T, out: &T, d_out: &T, _: &mut (), _: &mut Self, d_x: Option<&mut T>) {
                let Some(d_x) = d_x else { return };
                dispatch!(T::LEN * ELEMENT_WORK, |_level| {
                    let inputs = x.flat().iter().zip(out.flat()).zip(d_out.flat());
                    for (dx, ((&x, &y), &dy)) in d_x.flat_mut().iter_mut().zip(inputs) {
                        *dx = flush_tiny(dy * self.slope(x, y));
                    }
                })
            }
        }

        parameterless!($layer);
    )*};
}

elementwise_layer!(
    Sigmoid = Sigmoid,
    Tanh = Tanh,
    ReLU = ReLU,
    LeakyReLU = LeakyReLU::new(LeakyReLU::DEFAULT_SLOPE),
    Identity = Identity
);
