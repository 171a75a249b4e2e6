//! Fixed-point requantization: an `i32` accumulator times a real factor, in integers only.
//!
//! The scheme is TensorFlow Lite's: the factor `m` is stored as a 31-bit fraction `m0 / 2^31`
//! in [1/2, 1) and a power of two, `m = m0 / 2^31 * 2^shift`, so that a product needs one
//! 32 x 32 multiply and one rounding shift. Reference: Jacob et al., "Quantization and Training of
//! Neural Networks for Efficient Integer-Arithmetic-Only Inference" (CVPR 2018), section 2.2.

const TWO_POW_31: f64 = 2_147_483_648.0;
const TWO_POW_MINUS_32: f64 = 1.0 / (TWO_POW_31 * 2.0);

/// A real factor as a fixed-point multiplier and a power of two.
///
/// Packed into 5 bytes (not 8): a layer keeps one per output, in flash on a microcontroller.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C, packed)]
pub struct Multiplier {
    /// The fraction's numerator over 2^31, in [2^30, 2^31), or 0 for the factor 0.
    pub m0: i32,
    /// The power of two: positive shifts left, negative right.
    pub shift: i8,
}

impl Multiplier {
    /// The multiplier nearest to `factor`. Factors that are not finite or not positive, and
    /// factors below 2^-32 (whose products are below one half for any accumulator), give the
    /// factor 0; factors of 2^30 and above are clamped just below it (an `i32` times such a
    /// factor saturates anyway, unless it is 0 or 1). So the product's shift is 1 to 62 bits.
    pub fn from_factor(factor: f64) -> Self {
        if !(factor.is_finite() && factor >= TWO_POW_MINUS_32) {
            return Self::default();
        }
        let factor = factor.min(TWO_POW_31 / 2.0 - 1.0);
        // factor = q 2^shift with q in [1/2, 1).
        let mut shift = 0i32;
        let mut q = factor;
        while q >= 1.0 {
            q /= 2.0;
            shift += 1;
        }
        while q < 0.5 {
            q *= 2.0;
            shift -= 1;
        }
        let mut m0 = round_half_away(q * TWO_POW_31) as i64;
        if m0 == 1 << 31 {
            m0 /= 2;
            shift += 1;
        }
        Self {
            m0: m0 as i32,
            shift: shift as i8,
        }
    }

    /// The factor this multiplier stands for.
    pub fn factor(self) -> f64 {
        let mut f = self.m0 as f64 / TWO_POW_31;
        let mut shift = self.shift as i32;
        while shift > 0 {
            f *= 2.0;
            shift -= 1;
        }
        while shift < 0 {
            f /= 2.0;
            shift += 1;
        }
        f
    }

    /// `acc * factor`, rounded to nearest (ties upward) and saturated to `i32`.
    ///
    /// One 32 x 32 -> 64-bit multiply, one addition and one shift: TensorFlow Lite's
    /// single-rounding form (`TFLITE_SINGLE_ROUNDING`), exact for every accumulator, where the
    /// older double-rounding form can be one off and overflows for large factors.
    #[inline(always)]
    pub fn apply(self, acc: i32) -> i32 {
        // product / 2^(31 - shift), the shift in 1..=62 for multipliers `from_factor` makes;
        // others (built by hand) are clamped into it.
        let right = (31 - self.shift as i32).clamp(1, 62);
        let product = acc as i64 * self.m0 as i64 + (1i64 << (right - 1));
        (product >> right).clamp(i32::MIN as i64, i32::MAX as i64) as i32
    }
}

/// Rounds half away from zero, without `std`.
pub(crate) fn round_half_away(x: f64) -> f64 {
    let t = x as i64 as f64; // truncation; callers stay well inside i64
    let frac = x - t;
    if frac >= 0.5 {
        t + 1.0
    } else if frac <= -0.5 {
        t - 1.0
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn products_match_real_arithmetic_within_one() {
        let factors = [1e-9, 3.7e-5, 0.0123, 0.5, 0.999_999, 1.0, 1.5, 7.25, 1000.0];
        let accs = [0, 1, -1, 37, -12_345, 1 << 20, -(1 << 24), i32::MAX / 4];
        for &f in &factors {
            let m = Multiplier::from_factor(f);
            assert!((m.factor() - f).abs() <= f * 1e-9, "{f}: {m:?}");
            for &a in &accs {
                let exact = (a as f64 * f).clamp(i32::MIN as f64, i32::MAX as f64);
                let got = m.apply(a) as f64;
                assert!((got - exact).abs() <= 1.0, "{a} * {f}: {got} vs {exact}");
            }
        }
    }

    #[test]
    fn ties_round_upward_as_tensorflow_lite_does() {
        let half = Multiplier::from_factor(0.5);
        assert_eq!([half.apply(3), half.apply(-3), half.apply(5)], [2, -1, 3]);
    }

    #[test]
    fn degenerate_factors_are_zero_or_saturate() {
        for f in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e-10] {
            assert_eq!(Multiplier::from_factor(f).apply(i32::MAX), 0, "{f}");
        }
        let huge = Multiplier::from_factor(1e12);
        assert_eq!([huge.apply(3), huge.apply(-3)], [i32::MAX, i32::MIN]);
    }
}
