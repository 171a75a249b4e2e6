//! Elementwise non-linearities. Each takes a tensor of any shape and returns the same shape, so
//! the width is never restated: `(Linear<2, 16>, Sigmoid, Linear<16, 1>)`.

use crate::float::Float;
use crate::kernels::{Compiled, ELEMENT_WORK, INLINE_MAX_WORK, Level, dispatch};
use crate::math::flush_tiny;
use crate::module::{Backward, Forward, Squash};
use crate::parameterless;
use crate::tensor::{Tensor, Zero};

/// A function applied to every element, with its derivative.
trait Pointwise {
    /// The function, as the argument of the kernels compiled in this crate.
    fn kind(&self) -> Activation;
    /// f(x).
    fn value<F: Float>(&self, x: F) -> F;
    /// f'(x), given x and y = f(x); each activation uses whichever is cheaper.
    fn slope<F: Float>(&self, x: F, y: F) -> F;
    /// f(x) in code compiled for `level`: where that has fused multiply-adds, a function
    /// built on `exp` takes the fused one.
    #[inline(always)]
    fn value_at<F: Float>(&self, level: Level, x: F) -> F {
        let _ = level;
        self.value(x)
    }
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

/// The hyperbolic tangent, with derivative `1 - y^2`. In `f32`, the crate's vectorised
/// `tanh` ([`Float::tanh_fast`], relative error below 4e-7); in `f64`, the accurate one.
///
/// ```
/// use typed_nn::{Forward, Tanh};
/// assert_eq!(Tanh.infer(&[0.0f64]), [0.0]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tanh;

/// The rectifier `max(0, x)`. Its derivative at 0 is taken as 0; a NaN input gives NaN, as in
/// PyTorch, so that it shows up in the loss instead of being hidden as 0.
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
    /// PyTorch's and Flax's default negative slope, 0.01. (Keras's `LeakyReLU` layer
    /// defaults to 0.3 and TensorFlow's `tf.nn.leaky_relu` to 0.2: a network from them needs
    /// [`LeakyReLU::new`] with its own.)
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
    fn kind(&self) -> Activation {
        Activation::Sigmoid
    }
    #[inline(always)]
    fn value<F: Float>(&self, x: F) -> F {
        F::ONE / (F::ONE + (-x).exp_fast())
    }
    #[inline(always)]
    fn value_at<F: Float>(&self, level: Level, x: F) -> F {
        match level {
            Level::Portable => self.value(x),
            Level::Avx2 | Level::Avx512 => F::ONE / (F::ONE + (-x).exp_fast_fused()),
        }
    }
    #[inline(always)]
    fn slope<F: Float>(&self, _: F, y: F) -> F {
        y * (F::ONE - y)
    }
}

impl Pointwise for Tanh {
    fn kind(&self) -> Activation {
        Activation::Tanh
    }
    #[inline(always)]
    fn value<F: Float>(&self, x: F) -> F {
        x.tanh_fast()
    }
    #[inline(always)]
    fn value_at<F: Float>(&self, level: Level, x: F) -> F {
        match level {
            Level::Portable => self.value(x),
            Level::Avx2 | Level::Avx512 => x.tanh_fast_fused(),
        }
    }
    #[inline(always)]
    fn slope<F: Float>(&self, _: F, y: F) -> F {
        F::ONE - y * y
    }
}

impl Pointwise for ReLU {
    fn kind(&self) -> Activation {
        Activation::ReLU
    }
    /// NaN stays NaN, as in PyTorch: a NaN input shows up as a NaN loss.
    #[inline(always)]
    fn value<F: Float>(&self, x: F) -> F {
        if x < F::ZERO { F::ZERO } else { x }
    }
    #[inline(always)]
    fn slope<F: Float>(&self, x: F, _: F) -> F {
        if x > F::ZERO { F::ONE } else { F::ZERO }
    }
}

impl Pointwise for LeakyReLU {
    fn kind(&self) -> Activation {
        Activation::LeakyReLU(self.slope)
    }
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
    fn kind(&self) -> Activation {
        Activation::Identity
    }
    #[inline(always)]
    fn value<F: Float>(&self, x: F) -> F {
        x
    }
    #[inline(always)]
    fn slope<F: Float>(&self, _: F, _: F) -> F {
        F::ONE
    }
}

/// Which elementwise function: the argument of the kernels compiled in this crate
/// ([`Compiled`]), so that each is compiled once per float type, not once per layer shape.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Activation {
    /// [`Sigmoid`].
    Sigmoid,
    /// [`Tanh`].
    Tanh,
    /// [`ReLU`].
    ReLU,
    /// [`LeakyReLU`] with its slope.
    LeakyReLU(f64),
    /// [`Identity`].
    Identity,
}

impl Activation {
    /// `y = f(x)` elementwise.
    #[inline(always)]
    pub(crate) fn values<F: Float>(self, level: Level, x: &[F], y: &mut [F]) {
        match self {
            Activation::Sigmoid => values_loop(&Sigmoid, level, x, y),
            Activation::Tanh => values_loop(&Tanh, level, x, y),
            Activation::ReLU => values_loop(&ReLU, level, x, y),
            Activation::LeakyReLU(slope) => values_loop(&LeakyReLU::new(slope), level, x, y),
            Activation::Identity => values_loop(&Identity, level, x, y),
        }
    }

    /// `dx = dy f'(x)` elementwise, from `[x, y, dy]`.
    #[inline(always)]
    pub(crate) fn slopes<F: Float>(self, xy_dy: [&[F]; 3], dx: &mut [F]) {
        match self {
            Activation::Sigmoid => slopes_loop(&Sigmoid, xy_dy, dx),
            Activation::Tanh => slopes_loop(&Tanh, xy_dy, dx),
            Activation::ReLU => slopes_loop(&ReLU, xy_dy, dx),
            Activation::LeakyReLU(slope) => slopes_loop(&LeakyReLU::new(slope), xy_dy, dx),
            Activation::Identity => slopes_loop(&Identity, xy_dy, dx),
        }
    }
}

#[inline(always)]
fn values_loop<A: Pointwise, F: Float>(act: &A, level: Level, x: &[F], y: &mut [F]) {
    for (y, &x) in y.iter_mut().zip(x) {
        *y = act.value_at(level, x);
    }
}

#[inline(always)]
fn slopes_loop<A: Pointwise, F: Float>(act: &A, [x, y, dy]: [&[F]; 3], dx: &mut [F]) {
    for (dx, ((&x, &y), &dy)) in dx.iter_mut().zip(x.iter().zip(y).zip(dy)) {
        *dx = flush_tiny(dy * act.slope(x, y));
    }
}

macro_rules! elementwise_layer {
    ($($layer:ty = $zero:expr, $squash:expr);*) => {$(
        impl Zero for $layer {
            /// The layer itself: it has no trainable numbers to zero.
            const ZERO: Self = $zero;
        }

        impl<T: Tensor> Forward<T> for $layer {
            type Output = T;
            type Cache = ();
            const CACHE_FLOATS: usize = 0;
            const SQUASH: Squash = $squash;

            fn infer(&self, x: &T) -> T {
                let mut y = T::ZERO;
                self.forward(x, &mut y, &mut ());
                y
            }

            fn non_finite_input(x: &T) -> Option<$crate::module::NonFinite> {
                $crate::module::first_non_finite(x)
            }

            fn forward(&self, x: &T, out: &mut T, _: &mut ()) {
                // Short tensors: a loop compiled for this shape, its length written inside the
                // kernel closure so that it stays a constant. Long ones: the library's copy.
                if const { T::LEN * ELEMENT_WORK <= INLINE_MAX_WORK } {
                    dispatch!(T::LEN * ELEMENT_WORK, |level| {
                        values_loop(self, level, x.flat(), out.flat_mut())
                    })
                } else {
                    T::Elem::values(self.kind(), x.flat(), out.flat_mut())
                }
            }
        }

        impl<T: Tensor> Backward<T> for $layer {
            fn backward(&self, x: &T, out: &T, d_out: &T, _: &mut (), _: &mut Self, d_x: Option<&mut T>) {
                let Some(d_x) = d_x else { return };
                if const { T::LEN * ELEMENT_WORK <= INLINE_MAX_WORK } {
                    dispatch!(T::LEN * ELEMENT_WORK, |_level| {
                        slopes_loop(self, [x.flat(), out.flat(), d_out.flat()], d_x.flat_mut())
                    })
                } else {
                    T::Elem::slopes(self.kind(), [x.flat(), out.flat(), d_out.flat()], d_x.flat_mut())
                }
            }

            $crate::module::scanned_without_parameters!(T);
        }

        parameterless!($layer);

        impl<T: Tensor> $crate::describe::Describe<T> for $layer {}
    )*};
}

elementwise_layer!(
    Sigmoid = Sigmoid, Squash::Sigmoid;
    Tanh = Tanh, Squash::None;
    ReLU = ReLU, Squash::Rectified;
    // Non-negative values pass unchanged, and every squash gives only those.
    LeakyReLU = LeakyReLU::new(LeakyReLU::DEFAULT_SLOPE), Squash::Keep;
    Identity = Identity, Squash::Keep
);
