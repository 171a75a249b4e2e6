//! The inner loops every layer is built from, written so the compiler can vectorise them.
//!
//! A float sum in one accumulator cannot be reordered, so it runs one add at a time; `dot` keeps
//! eight independent partial sums instead. `axpy` accumulates along the contiguous dimension,
//! which vectorises as it stands.

use crate::float::Float;

/// Number of independent partial sums in [`dot`].
const LANES: usize = 8;

/// The dot product of two slices of equal length.
#[inline(always)]
pub(crate) fn dot<F: Float>(a: &[F], b: &[F]) -> F {
    debug_assert_eq!(a.len(), b.len());
    let mut acc = [F::ZERO; LANES];
    let (a_body, a_tail) = a.as_chunks::<LANES>();
    let (b_body, b_tail) = b.as_chunks::<LANES>();
    for (ca, cb) in a_body.iter().zip(b_body) {
        for k in 0..LANES {
            acc[k] += ca[k] * cb[k];
        }
    }
    let mut sum = F::ZERO;
    for (&x, &y) in a_tail.iter().zip(b_tail) {
        sum += x * y;
    }
    // Pairwise reduction of the lanes.
    let mut width = LANES / 2;
    while width > 0 {
        for k in 0..width {
            acc[k] += acc[k + width];
        }
        width /= 2;
    }
    acc[0] + sum
}

/// `y += alpha * x`, elementwise.
#[inline(always)]
pub(crate) fn axpy<F: Float>(alpha: F, x: &[F], y: &mut [F]) {
    debug_assert_eq!(x.len(), y.len());
    for (yi, &xi) in y.iter_mut().zip(x) {
        *yi += alpha * xi;
    }
}

/// `y += x`, elementwise.
#[inline(always)]
pub(crate) fn add_assign<F: Float>(y: &mut [F], x: &[F]) {
    debug_assert_eq!(x.len(), y.len());
    for (yi, &xi) in y.iter_mut().zip(x) {
        *yi += xi;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_matches_a_plain_sum_for_every_length() {
        for n in 0..40 {
            let a: [f64; 40] = core::array::from_fn(|i| (i as f64 * 0.37).sin());
            let b: [f64; 40] = core::array::from_fn(|i| (i as f64 * 0.11).cos());
            let plain: f64 = a[..n].iter().zip(&b[..n]).map(|(x, y)| x * y).sum();
            assert!((dot(&a[..n], &b[..n]) - plain).abs() < 1e-12, "length {n}");
        }
    }

    #[test]
    fn axpy_and_add_assign_accumulate() {
        let mut y = [1.0f32, 2.0, 3.0];
        axpy(2.0, &[1.0, 0.5, -1.0], &mut y);
        assert_eq!(y, [3.0, 3.0, 1.0]);
        add_assign(&mut y, &[1.0, 1.0, 1.0]);
        assert_eq!(y, [4.0, 4.0, 2.0]);
    }
}
