//! A fast `exp` for `f32` that the compiler can vectorise, and the flush of subnormal numbers.
//!
//! `exp` from libm is a function call per element and stops a loop from being vectorised; a
//! sigmoid layer spends most of its time there. This version is branch-free arithmetic:
//! reduce `x = k ln 2 + r` with `|r| <= ln 2 / 2` (ln 2 split in two parts, after Cody and
//! Waite, so that `k ln 2` is exact), evaluate the degree-6 Taylor polynomial of `e^r`
//! (truncation error below `0.347^7 / 7! < 1.3e-7`), and scale by `2^k` through the exponent
//! bits. The relative error is below 3e-7 (two units in the last place), checked against
//! `f64::exp` on a dense grid by this module's tests.

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
    let p = [1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 1.0 / 2.0, 1.0, 1.0]
        .iter()
        .fold(1.0 / 720.0, |p, &c| mul_add(p, r, c));
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

    /// The fused version, compiled with FMA as the kernels that call it are, on CPUs that
    /// have it.
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    #[test]
    fn the_fused_version_has_the_same_bound_and_edges() {
        #[target_feature(enable = "avx2,fma")]
        fn fused(x: f32) -> f32 {
            exp_f32_fused(x)
        }
        if !(std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma"))
        {
            return;
        }
        // SAFETY: the CPU has AVX2 and FMA, detected above.
        let fused = |x| unsafe { fused(x) };
        let worst = worst_relative_error(fused);
        assert!(worst < 3e-7, "worst relative error {worst:e}");
        assert_eq!(fused(0.0), 1.0);
        assert_eq!(fused(1e4), f32::INFINITY);
        assert_eq!(fused(-1e4), 0.0);
        assert_eq!(fused(f32::NEG_INFINITY), 0.0);
        assert!(fused(f32::NAN).is_nan());
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
