//! A fast `exp` and `tanh` for `f32` that the compiler can vectorise, and the flush of
//! subnormal numbers.
//!
//! `exp` from libm is a function call per element and stops a loop from being vectorised; a
//! sigmoid layer spends most of its time there. This version is branch-free arithmetic:
//! reduce `x = k ln 2 + r` with `|r| <= ln 2 / 2` (ln 2 split in two parts, after Cody and
//! Waite, so that `k ln 2` is exact), evaluate the degree-6 Taylor polynomial of `e^r`
//! (truncation error below `0.347^7 / 7! < 1.3e-7`) by Estrin's scheme, and scale by `2^k`
//! through the exponent bits. The relative error is below 3e-7 (two units in the last place), checked against
//! `f64::exp` on a dense grid by this module's tests.
//!
//! `tanh` from libm is a call per element too, and made a tanh layer four times slower than a
//! sigmoid layer. [`tanh_f32`] is built on the `exp` above: `tanh |x| = (1 - e) / (1 + e)`
//! with `e = e^(-2|x|)`, and for `|x| < 1/2`, where `1 - e` would cancel, the odd Taylor
//! series `x - x^3/3 + 2x^5/15 - 17x^7/315 + 62x^9/2835 - 1382x^11/155925 +
//! 21844x^13/6081075` (Abramowitz and Stegun, 4.5.64; the next term is below `9e-8 |x|`
//! there). Both are computed and one chosen, so that the loop has no branch.

/// Inputs above this overflow `f32` after scaling; the result is infinity.
const HIGH: f32 = 88.37;
/// Inputs below this would need a subnormal scale; the result is 0.
const LOW: f32 = -87.33;

/// `e^x` with relative error below 3e-7. Infinity above 88.37 (where the true value is at
/// least 2.5e38), 0 below -87.33 (where it is below 1.2e-38), NaN for NaN.
#[inline(always)]
pub(crate) fn exp_f32(x: f32) -> f32 {
    exp_f32_with(x, |a, b, c| a * b + c)
}

/// [`exp_f32`] with fused multiply-adds, for code compiled where the CPU has them: the same
/// steps with half the operations and half the chain of dependent ones, and the same bound
/// on the error (checked by this module's tests on CPUs with FMA).
#[inline(always)]
pub(crate) fn exp_f32_fused(x: f32) -> f32 {
    exp_f32_with(x, <f32 as crate::Float>::fused_mul_add)
}

/// The steps of [`exp_f32`], with `mul_add(a, b, c) = a * b + c` rounded once or twice.
#[inline(always)]
fn exp_f32_with(x: f32, mul_add: impl Fn(f32, f32, f32) -> f32) -> f32 {
    const LOG2_E: f32 = core::f32::consts::LOG2_E;
    // ln 2 = LN2_HI + LN2_LO, with LN2_HI short enough that k * LN2_HI is exact for |k| < 256.
    const LN2_HI: f32 = 0.693_145_75;
    const LN2_LO: f32 = 1.428_606_8e-6;
    // Adding 1.5 * 2^23 rounds to an integer and leaves it in the low mantissa bits.
    const SHIFT: f32 = 12_582_912.0;
    // `clamp` keeps NaN, which therefore flows through to the result.
    let clamped = x.clamp(LOW, HIGH);
    let shifted = mul_add(clamped, LOG2_E, SHIFT);
    let k = shifted - SHIFT;
    let r = mul_add(-k, LN2_LO, mul_add(-k, LN2_HI, clamped));
    // Estrin's scheme, (1 + r + r^2/2 + r^3/6) + r^4 (1/24 + r/120 + r^2/720): three levels
    // of dependent multiply-adds where Horner's rule takes six. A step of one sample waits
    // on this chain for every sigmoid it computes.
    let r2 = r * r;
    let low = mul_add(r2, mul_add(r, 1.0 / 6.0, 1.0 / 2.0), r + 1.0);
    let high = mul_add(r2, 1.0 / 720.0, mul_add(r, 1.0 / 120.0, 1.0 / 24.0));
    let p = mul_add(r2 * r2, high, low);
    // 2^k from its exponent bits: k is in [-126, 127], so the exponent field is in [1, 254].
    let k_bits = shifted.to_bits().wrapping_sub(SHIFT.to_bits());
    let scale = f32::from_bits(k_bits.wrapping_add(127) << 23);
    let y = p * scale;
    if x > HIGH {
        f32::INFINITY
    } else if x < LOW {
        0.0
    } else {
        y
    }
}

/// `tanh x` with relative error below 4e-7 (see the module's documentation); NaN for NaN,
/// `±1` for infinities.
#[inline(always)]
pub(crate) fn tanh_f32(x: f32) -> f32 {
    tanh_f32_with(x, |a, b, c| a * b + c, exp_f32)
}

/// [`tanh_f32`] with fused multiply-adds, for code compiled where the CPU has them.
#[inline(always)]
pub(crate) fn tanh_f32_fused(x: f32) -> f32 {
    tanh_f32_with(x, <f32 as crate::Float>::fused_mul_add, exp_f32_fused)
}

/// The steps of [`tanh_f32`], with `mul_add` and `exp` rounded as the caller's code is.
#[inline(always)]
fn tanh_f32_with(x: f32, mul_add: impl Fn(f32, f32, f32) -> f32, exp: impl Fn(f32) -> f32) -> f32 {
    // The series' coefficients, highest power first, after the leading 1.
    const SERIES: [f32; 6] = [
        21844.0 / 6081075.0,
        -1382.0 / 155925.0,
        62.0 / 2835.0,
        -17.0 / 315.0,
        2.0 / 15.0,
        -1.0 / 3.0,
    ];
    // Each formula in its own branch: a vectorised loop computes both and selects, while
    // scalar code (a microcontroller) computes only the one it needs. NaN compares false,
    // and takes the second, which is NaN.
    if x.abs() < 0.5 {
        let x2 = x * x;
        let p = SERIES[1..]
            .iter()
            .fold(SERIES[0], |p, &c| mul_add(p, x2, c));
        // x (1 + x^2 p), not x + x^3 p, which would turn -0 into +0.
        x * mul_add(x2, p, 1.0)
    } else {
        // e^(-2|x|) is in [0, e^-1] here: 1 - e keeps all but a bit of its precision.
        let e = exp(-2.0 * x.abs());
        ((1.0 - e) / (1.0 + e)).copysign(x)
    }
}

/// `x`, or zero when `x` is smaller in magnitude than 2^24 times the smallest normal float
/// (about 2e-31 for `f32`).
///
/// An operation that reads or produces a subnormal number costs the processor about a hundred
/// times a normal one. Subnormals appear where values decay towards zero: optimizer moments
/// of parameters whose gradient stays zero, gradients of probabilities near 1e-38 or of
/// saturated sigmoids. Flushing at the subnormal boundary itself is not enough, since the
/// next product (a moment times 0.9, a gradient times a weight) would fall below it; with
/// 2^24 of headroom, products with any factor above 6e-8 stay normal. Nothing this small
/// moves a parameter; `torch.set_flush_denormal(True)` makes the same trade.
#[inline(always)]
pub(crate) fn flush_tiny<F: crate::Float>(x: F) -> F {
    let tiny = F::min_positive_value() * F::from_f64(16_777_216.0);
    if x.abs() < tiny { F::ZERO } else { x }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The largest relative error of `exp` against `f64::exp` on a dense grid of the range.
    fn worst_relative_error(exp: impl Fn(f32) -> f32) -> f64 {
        let mut worst = 0.0f64;
        let steps = 2_000_000;
        for i in 0..=steps {
            let x = (LOW + (HIGH - LOW) * i as f32 / steps as f32).clamp(LOW, HIGH);
            let exact = (x as f64).exp();
            let err = ((exp(x) as f64 - exact) / exact).abs();
            worst = worst.max(err);
        }
        worst
    }

    #[test]
    fn relative_error_is_below_3e_7_over_the_whole_range() {
        let worst = worst_relative_error(exp_f32);
        assert!(worst < 3e-7, "worst relative error {worst:e}");
    }

    /// `f` compiled with AVX2 and FMA, as the kernels that call the fused versions are, where
    /// the CPU has them.
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    fn compiled_with_fma(f: impl Fn(f32) -> f32) -> Option<impl Fn(f32) -> f32> {
        #[target_feature(enable = "avx2,fma")]
        fn call(f: &impl Fn(f32) -> f32, x: f32) -> f32 {
            f(x)
        }
        let has = std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma");
        // SAFETY: the CPU has AVX2 and FMA, detected here.
        has.then_some(move |x| unsafe { call(&f, x) })
    }

    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    #[test]
    fn the_fused_version_has_the_same_bound_and_edges() {
        let Some(fused) = compiled_with_fma(exp_f32_fused) else {
            return;
        };
        let worst = worst_relative_error(&fused);
        assert!(worst < 3e-7, "worst relative error {worst:e}");
        assert_eq!(fused(0.0), 1.0);
        assert_eq!(fused(1e4), f32::INFINITY);
        assert_eq!(fused(-1e4), 0.0);
        assert_eq!(fused(f32::NEG_INFINITY), 0.0);
        assert!(fused(f32::NAN).is_nan());
    }

    /// The largest relative error of `tanh` against `f64::tanh` on a dense grid of
    /// [-10, 10], where it leaves 1 (and on both sides of 1/2, where it changes formula).
    fn worst_tanh_error(tanh: impl Fn(f32) -> f32) -> f64 {
        let steps = 2_000_000;
        let grid = (0..=steps).map(|i| -10.0 + 20.0 * i as f32 / steps as f32);
        let near_half = (-2000..=2000).map(|i| 0.5 + i as f32 * 1e-7);
        let tiny = [1e-30f32, -1e-20, 1e-10, 1e-5, -0.001, f32::MIN_POSITIVE];
        grid.chain(near_half)
            .chain(tiny)
            .map(|x| {
                let exact = (x as f64).tanh();
                ((tanh(x) as f64 - exact) / exact.abs().max(f64::MIN_POSITIVE)).abs()
            })
            .fold(0.0, f64::max)
    }

    #[test]
    fn tanh_relative_error_is_below_4e_7_and_its_edges_hold() {
        let worst = worst_tanh_error(tanh_f32);
        assert!(worst < 4e-7, "worst relative error {worst:e}");
        assert_eq!(tanh_f32(0.0), 0.0);
        assert!(tanh_f32(-0.0).is_sign_negative());
        assert_eq!(tanh_f32(f32::INFINITY), 1.0);
        assert_eq!(tanh_f32(-1e4), -1.0);
        assert_eq!(tanh_f32(f32::NEG_INFINITY), -1.0);
        assert!(tanh_f32(f32::NAN).is_nan());
        // Odd, and never past 1 in magnitude.
        for x in [0.1f32, 0.4999, 0.5, 0.7, 3.0, 9.0, 20.0] {
            assert_eq!(tanh_f32(-x), -tanh_f32(x));
            assert!(tanh_f32(x) <= 1.0);
        }
    }

    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    #[test]
    fn the_fused_tanh_has_the_same_bound() {
        let Some(fused) = compiled_with_fma(tanh_f32_fused) else {
            return;
        };
        let worst = worst_tanh_error(&fused);
        assert!(worst < 4e-7, "worst relative error {worst:e}");
        assert!(fused(f32::NAN).is_nan());
        assert_eq!(fused(f32::INFINITY), 1.0);
    }

    #[test]
    fn edges_and_special_values() {
        assert_eq!(exp_f32(0.0), 1.0);
        assert_eq!(exp_f32(1e4), f32::INFINITY);
        assert_eq!(exp_f32(f32::INFINITY), f32::INFINITY);
        assert_eq!(exp_f32(-1e4), 0.0);
        assert_eq!(exp_f32(f32::NEG_INFINITY), 0.0);
        assert!(exp_f32(f32::NAN).is_nan());
        assert!((exp_f32(1.0) - core::f32::consts::E).abs() <= f32::EPSILON * 3.0);
    }
}
