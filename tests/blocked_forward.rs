//! The forward pass of layers large enough for the blocked product, at every kind of batch:
//! up to 128 samples, with at least three inputs a sample, it runs weights first (`W x^T`,
//! the weights read where they are, the result copied transposed), otherwise with the
//! weights' transpose packed. Both sides of each boundary (128 and 129 samples; three inputs
//! a sample and one fewer), one sample, odd batches, depths that leave a partial block,
//! widths that leave a partial tile, in `f32` and `f64`, against plain sums in `f64`.

use rand::{RngExt, SeedableRng, rngs::SmallRng};
use typed_nn::Float;
use typed_nn::boxed::{ZeroBits, zeroed};
use typed_nn::prelude::*;

/// Runs `Linear<IN, OUT>` forward on a batch of `B` and compares every output with the plain
/// sum `bias[o] + sum_i x[b][i] w[o][i]` in `f64`, within `tol` of the sum of magnitudes.
fn check<F: Float + ZeroBits, const IN: usize, const OUT: usize, const B: usize>(tol: f64) {
    let mut rng = SmallRng::seed_from_u64((IN * 31 + OUT * 7 + B) as u64);
    let mut layer: Box<Linear<IN, OUT, F>> = zeroed();
    layer.visit_mut(&mut |p: &mut [F]| {
        p.iter_mut()
            .for_each(|v| *v = F::from_f64(rng.random_range(-1.0..1.0)))
    });
    let mut x: Box<[[F; IN]; B]> = zeroed();
    x.as_flattened_mut()
        .iter_mut()
        .for_each(|v| *v = F::from_f64(rng.random_range(-1.0..1.0)));
    let mut y: Box<[[F; OUT]; B]> = zeroed();
    // Poison: every output must be written.
    y.as_flattened_mut()
        .iter_mut()
        .for_each(|v| *v = F::from_f64(f64::NAN));
    layer.forward(&*x, &mut *y, &mut ());
    for (b, (x, y)) in x.iter().zip(y.iter()).enumerate() {
        for (o, (w, &got)) in layer.weight.iter().zip(y).enumerate() {
            let terms = w.iter().zip(x).map(|(w, x)| w.as_f64() * x.as_f64());
            let (sum, size) = terms.fold((0.0, 0.0), |(s, m), t| (s + t, m + t.abs()));
            let want = layer.bias[o].as_f64() + sum;
            let err = (got.as_f64() - want).abs();
            assert!(
                err <= tol * (1.0 + size),
                "Linear<{IN}, {OUT}> batch {B}: output [{b}][{o}] = {got:?}, expected {want}"
            );
        }
    }
}

#[test]
fn one_sample_of_a_wide_layer() {
    // 1024 x 1024 is the smallest square layer whose single sample is a blocked product.
    check::<f32, 1024, 1024, 1>(1e-5);
    check::<f32, 1024, 1024, 2>(1e-5);
}

#[test]
fn batches_up_to_the_weights_first_limit() {
    // 640 x 250: a depth of one block and a part, 250 outputs in 41 tiles of 6 and one of 4.
    check::<f32, 640, 250, 7>(1e-5);
    check::<f32, 640, 250, 64>(1e-5);
    check::<f32, 640, 250, 100>(1e-5);
    check::<f32, 640, 250, 128>(1e-5);
}

#[test]
fn depths_on_both_sides_of_three_inputs_a_sample() {
    check::<f32, 192, 100, 64>(1e-5);
    check::<f32, 191, 100, 64>(1e-5);
    check::<f32, 384, 100, 128>(1e-5);
    check::<f32, 383, 100, 128>(1e-5);
}

#[test]
fn batches_past_the_weights_first_limit() {
    check::<f32, 640, 250, 129>(1e-5);
    check::<f32, 640, 250, 200>(1e-5);
}

#[test]
fn in_f64_on_both_sides_of_the_limit() {
    // A block of f64 is half as deep: 1100 inputs are two blocks and a part.
    check::<f64, 1100, 130, 64>(1e-13);
    check::<f64, 1100, 130, 128>(1e-13);
    check::<f64, 1100, 130, 129>(1e-13);
}
