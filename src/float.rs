//! The scalar type of a model: `f32` by default, `f64` for gradient checks.

use core::fmt::{Debug, Display};
use core::ops::{AddAssign, DivAssign, MulAssign, SubAssign};

use crate::tensor::Zero;

/// A floating-point scalar a model can be built from.
///
/// Implemented for `f32` and `f64`. The elementary functions come from [`num_traits::Float`],
/// which routes them through `libm` when the standard library is absent, so the same code runs
/// on a host and on a microcontroller.
///
/// ```
/// use typed_nn::Float;
/// fn logistic<F: Float>(x: F) -> F {
///     F::ONE / (F::ONE + (-x).exp())
/// }
/// assert_eq!(logistic(0.0f32), 0.5);
/// assert_eq!(logistic(0.0f64), 0.5);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a float type: `f32` and `f64` are",
    label = "expected `f32` or `f64`, found `{Self}`",
    note = "an integer (`{{integer}}`, as in `Sgd::new(1)`) is written as a float with a point: `1.0`; an array where a float is expected is often a batch given to code that takes one sample: a layer written by hand for `[F; N]` only (implement `Forward` and `Backward` for `[[F; N]; B]` too), or `eval::accuracy`, which takes samples"
)]
pub trait Float:
    num_traits::Float
    + Zero
    + Default
    + Debug
    + Display
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
    + Send
    + Sync
    + 'static
    + crate::simd::HasLanes
    + crate::kernels::Compiled
{
    /// The number one.
    const ONE: Self;
    /// The number one half.
    const HALF: Self;
    /// The machine epsilon of the type.
    const EPSILON: Self;
    /// The size of one value in bytes.
    const BYTES: usize;
    /// Converts from `f64`, rounding to the nearest representable value.
    fn from_f64(v: f64) -> Self;
    /// Converts to `f64` without loss.
    fn as_f64(self) -> f64;
    /// The little-endian bytes of the value, in the first `BYTES` bytes of `out`.
    /// `out` must hold at least `BYTES` bytes.
    fn write_le(self, out: &mut [u8]);
    /// The value whose little-endian bytes start `bytes`, which must hold at least `BYTES`.
    fn read_le(bytes: &[u8]) -> Self;
    /// The bits of a value's magnitude as an integer: their order is the magnitudes' order,
    /// with infinity and then NaN above every finite number, and an integer maximum
    /// vectorises where a float maximum (which must treat NaN) does not.
    type Bits: Copy + Ord + Default + Send;
    /// See [`Float::Bits`].
    fn magnitude_bits(self) -> Self::Bits;
    /// The value whose bits are `bits`: the inverse of [`magnitude_bits`](Float::magnitude_bits)
    /// for values that are not negative.
    fn from_magnitude_bits(bits: Self::Bits) -> Self;
    /// The largest [`magnitude_bits`](Float::magnitude_bits) of `values` (0 for none): a NaN
    /// is larger than any other value.
    ///
    /// ```
    /// use typed_nn::Float;
    /// assert_eq!(f32::max_magnitude(&[1.0, -3.0, 2.0]), 3.0f32.to_bits());
    /// assert!(f32::max_magnitude(&[f32::NEG_INFINITY, f32::NAN]) > f32::INFINITY.to_bits());
    /// ```
    fn max_magnitude(values: &[Self]) -> Self::Bits;
    /// `e^x` for the hot paths (sigmoid, softmax). For `f32`, a vectorisable approximation
    /// with relative error below 3e-7 (see the crate's `math` module): 0 below -87.33,
    /// infinity above 88.37, NaN for NaN. For `f64`, the accurate `exp`, so that gradient
    /// checks see exact functions.
    fn exp_fast(self) -> Self;
    /// [`exp_fast`](Float::exp_fast) for code compiled where the CPU has fused multiply-adds
    /// (the crate calls it only there): for `f32` the same approximation with each
    /// multiply-add fused, within the same error bound; for `f64`, the accurate `exp`.
    fn exp_fast_fused(self) -> Self;
    /// `tanh x` for the hot path (the tanh layer). For `f32`, a vectorisable approximation
    /// built on [`exp_fast`](Float::exp_fast), with relative error below 4e-7 (see the
    /// crate's `math` module): `±1` for infinities, NaN for NaN. For `f64`, the accurate
    /// `tanh`, so that gradient checks see exact functions.
    ///
    /// ```
    /// use typed_nn::Float;
    /// let y = 0.7f32.tanh_fast();
    /// assert!((y as f64 - 0.7f64.tanh()).abs() < 4e-7 * 0.7f64.tanh());
    /// assert_eq!(0.7f64.tanh_fast(), 0.7f64.tanh());
    /// ```
    fn tanh_fast(self) -> Self;
    /// [`tanh_fast`](Float::tanh_fast) for code compiled where the CPU has fused
    /// multiply-adds (the crate calls it only there), within the same bound.
    fn tanh_fast_fused(self) -> Self;
    /// `self * a + b` with a single rounding, as the hardware's fused multiply-add computes it.
    /// The crate's kernels call it only where the CPU was found to have FMA; elsewhere (and
    /// without `std`) it is `self * a + b`.
    fn fused_mul_add(self, a: Self, b: Self) -> Self;
    /// The square root, with the processor's instruction where the standard library provides
    /// it (so that loops over it vectorise), through libm otherwise.
    fn sqrt_fast(self) -> Self;
    /// Converts from a count, rounding to the nearest representable value.
    fn from_usize(n: usize) -> Self {
        Self::from_f64(n as f64)
    }
}

macro_rules! impl_float {
    ($t:ty, $exp:expr, $exp_fused:expr, $tanh:expr, $tanh_fused:expr, $bits:ty) => {
        impl Zero for $t {
            const ZERO: Self = 0.0;
        }
        // Left out of the compiler's list of types that implement `Float` when a type does not:
        // the message already names `f32` and `f64`.
        #[diagnostic::do_not_recommend]
        impl Float for $t {
            const ONE: Self = 1.0;
            const HALF: Self = 0.5;
            const EPSILON: Self = <$t>::EPSILON;
            const BYTES: usize = core::mem::size_of::<$t>();
            #[inline(always)]
            fn from_f64(v: f64) -> Self {
                v as $t
            }
            #[inline(always)]
            fn as_f64(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn exp_fast(self) -> Self {
                $exp(self)
            }
            #[inline(always)]
            fn exp_fast_fused(self) -> Self {
                $exp_fused(self)
            }
            #[inline(always)]
            fn tanh_fast(self) -> Self {
                $tanh(self)
            }
            #[inline(always)]
            fn tanh_fast_fused(self) -> Self {
                $tanh_fused(self)
            }
            #[inline(always)]
            fn fused_mul_add(self, a: Self, b: Self) -> Self {
                #[cfg(feature = "std")]
                return <$t>::mul_add(self, a, b);
                #[cfg(not(feature = "std"))]
                return self * a + b;
            }
            #[inline(always)]
            fn sqrt_fast(self) -> Self {
                #[cfg(feature = "std")]
                return <$t>::sqrt(self);
                #[cfg(not(feature = "std"))]
                return num_traits::Float::sqrt(self);
            }
            fn write_le(self, out: &mut [u8]) {
                out[..Self::BYTES].copy_from_slice(&self.to_le_bytes());
            }
            fn read_le(bytes: &[u8]) -> Self {
                let mut raw = [0u8; core::mem::size_of::<$t>()];
                raw.copy_from_slice(&bytes[..Self::BYTES]);
                <$t>::from_le_bytes(raw)
            }
            type Bits = $bits;
            #[inline(always)]
            fn magnitude_bits(self) -> $bits {
                self.to_bits() & (<$bits>::MAX >> 1)
            }
            #[inline(always)]
            fn from_magnitude_bits(bits: $bits) -> Self {
                <$t>::from_bits(bits)
            }
            // Compiled once, here, for each instruction set: inlined into a model's step, it
            // would be compiled again for every layer the model's parameters visit.
            #[inline(never)]
            fn max_magnitude(values: &[Self]) -> $bits {
                crate::kernels::dispatch!(values.len(), |_level| {
                    // An integer maximum is associative, so the compiler splits this into as
                    // many vector accumulators as it likes; eight lanes kept by hand were
                    // vectorised across iterations, with transposes, at a sixth of the speed.
                    values
                        .iter()
                        .fold(0, |largest, v| largest.max(v.magnitude_bits()))
                })
            }
        }
    };
}

impl_float!(
    f32,
    crate::math::exp_f32,
    crate::math::exp_f32_fused,
    crate::math::tanh_f32,
    crate::math::tanh_f32_fused,
    u32
);
impl_float!(
    f64,
    num_traits::Float::exp,
    num_traits::Float::exp,
    num_traits::Float::tanh,
    num_traits::Float::tanh,
    u64
);

/// A number as a person writes it in a message: in full from 1e-4 to 1e16, in exponent form
/// beyond (where `f64`'s `Display` writes hundreds of digits: `1e300` would be 301).
pub(crate) struct Readable(pub(crate) f64);

impl core::fmt::Display for Readable {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let size = self.0.abs();
        if size == 0.0 || !size.is_finite() || (1e-4..1e16).contains(&size) {
            write!(f, "{}", self.0)
        } else {
            write!(f, "{:e}", self.0)
        }
    }
}
