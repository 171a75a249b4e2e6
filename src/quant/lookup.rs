//! Sigmoid and tanh on integers: one table of tanh, read with linear interpolation.
//!
//! A linear layer followed by a sigmoid or a tanh hands it `i16` pre-activations on a fixed
//! grid instead of int8 ones: `x = v * 2^-13` before a tanh (so [-4, 4)), `x = v * 2^-12`
//! before a sigmoid ([-8, 8)). Beyond those ranges the int8 output no longer changes. With
//! 65,536 levels there, rounding the pre-activation costs nothing next to the output's int8
//! step, where 256 levels shared by a layer's outputs cost the most of the whole int8 model's
//! error (on the 1-16-16-1 sine network, most of it).
//!
//! Both functions read the same table: `sigmoid(x) = (1 + tanh(x / 2)) / 2`, so on
//! [`QuantParams::SIGMOID`](super::QuantParams::SIGMOID) (`q = 256 sigmoid(x) - 128`) the
//! sigmoid's int8 output is `128 tanh(x / 2)`, the tanh's on
//! [`QuantParams::TANH`](super::QuantParams::TANH) for the same integer `v`.

/// tanh on [0, 4] at 129 knots 1/32 apart, in units of 2^-15, odd symmetry giving the negative
/// half. Computed by the compiler (258 bytes, shared by every sigmoid and tanh layer of a
/// program).
///
/// Linear interpolation between knots on the curve would sag below tanh, which is concave on
/// [0, 4], by up to `h^2 / 8 |tanh''|` mid-way (`h = 1/32`): always toward 0, a bias that the
/// next layer sums over its inputs. So each knot is raised by half that sag,
/// `h^2 / 16 |tanh''(x)|` with `tanh'' = -2 tanh (1 - tanh^2)`: the error then swings evenly
/// around 0, and is at most 5e-5, a hundredth of an int8 step of 1/128. (Knots 1/16 apart
/// would save 128 bytes, and cost the sine network 0.002 of accuracy.)
pub(crate) static TANH: [i16; KNOTS] = {
    let mut table = [0i16; KNOTS];
    let mut k = 0;
    while k < KNOTS {
        table[k] = (knot(k) * 32768.0 + 0.5) as i16; // knots >= 0: rounds to nearest
        k += 1;
    }
    table
};

/// The table's knots: 1/32 apart on [0, 4].
const KNOTS: usize = 129;

/// Knot `k`'s value: tanh at `k / 32`, raised by half the interpolation's sag there.
const fn knot(k: usize) -> f64 {
    let t = tanh(k as f64 / 32.0);
    let h = 1.0 / 32.0;
    t + h * h / 16.0 * 2.0 * t * (1.0 - t * t)
}

/// The step of the `i16` pre-activation a tanh takes, `2^-13`.
pub(crate) const TANH_STEP: f32 = 1.0 / 8192.0;
/// The step of the `i16` pre-activation a sigmoid takes, `2^-12`.
pub(crate) const SIGMOID_STEP: f32 = 1.0 / 4096.0;

/// `tanh(x)` for x in [0, 4], in `const` context: `exp(2x)` by its Taylor series at `2x /
/// 64`, squared six times. Relative error below 1e-14, far below the table's rounding.
const fn tanh(x: f64) -> f64 {
    let y = 2.0 * x / 64.0;
    let (mut term, mut sum, mut n) = (1.0f64, 1.0f64, 1);
    while n < 20 {
        term = term * y / n as f64;
        sum += term;
        n += 1;
    }
    let mut squarings = 0;
    while squarings < 6 {
        sum *= sum;
        squarings += 1;
    }
    (sum - 1.0) / (sum + 1.0)
}

/// `round(128 tanh(v * 2^-13))`, saturated to int8: the tanh's output on
/// [`QuantParams::TANH`](super::QuantParams::TANH), and the sigmoid's on its scale for an
/// input on the sigmoid's grid. Integers only: the table's two knots around `|v|`, linear
/// interpolation between them, one rounding.
#[inline]
pub(crate) fn tanh_int8(v: i16) -> i8 {
    let a = v.unsigned_abs() as usize; // 0..=32768, 256 steps between knots
    let (k, frac) = (a >> 8, (a & 255) as i32);
    let low = TANH[k] as i32;
    let high = TANH[(k + 1).min(KNOTS - 1)] as i32;
    // In units of 2^-23; the largest, 2^23, fits easily.
    let y = low * 256 + (high - low) * frac;
    let magnitude = (y + (1 << 15)) >> 16; // to 2^-7, nearest
    if v < 0 {
        (-magnitude).max(-128) as i8
    } else {
        magnitude.min(127) as i8
    }
}

/// [`tanh_int8`] of each of `x` into `y`, compiled once for every width and layer.
#[inline(never)]
pub(crate) fn tanh_all(x: &[i16], y: &mut [i8]) {
    for (y, &x) in y.iter_mut().zip(x) {
        *y = tanh_int8(x);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_tanh_raised_by_half_its_sag() {
        for (k, &entry) in TANH.iter().enumerate() {
            let t = (k as f64 / 32.0).tanh();
            let sag = 2.0 * t * (1.0 - t * t) / 1024.0 / 8.0;
            let want = ((t + sag / 2.0) * 32768.0).round();
            assert_eq!(entry as f64, want, "knot {k}");
        }
    }

    /// Every one of the 65,536 inputs within half an int8 step of tanh plus the
    /// interpolation's error (a hundredth of a step): as good as rounding tanh. And no bias:
    /// the mean error over the inputs is a small fraction of a step.
    #[test]
    fn interpolation_follows_tanh_at_every_input() {
        let (mut worst, mut sum) = (0.0f64, 0.0f64);
        for v in 0..=i16::MAX {
            let want = ((v as f64 / 8192.0).tanh() * 128.0).min(127.0);
            let error = tanh_int8(v) as f64 - want;
            worst = worst.max(error.abs());
            sum += error;
        }
        assert!(worst <= 0.5 + 1.0 / 100.0, "{worst}");
        let mean = sum / 32768.0;
        assert!(mean.abs() < 0.01, "{mean}");
    }

    #[test]
    fn tanh_is_odd_and_saturates() {
        for v in [1i16, 100, 5000, 20000] {
            assert_eq!(tanh_int8(-v), -tanh_int8(v), "{v}");
        }
        assert_eq!(tanh_int8(0), 0);
        assert_eq!([tanh_int8(i16::MAX), tanh_int8(i16::MIN)], [127, -128]);
    }
}
