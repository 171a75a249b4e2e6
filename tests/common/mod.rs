//! Helpers shared by the integration tests.
#![allow(dead_code)]

use rand::{RngExt, SeedableRng, rngs::SmallRng};
use typed_nn::Tensor;

/// A seeded generator, so every test sees the same numbers on every run.
pub fn rng(seed: u64) -> SmallRng {
    SmallRng::seed_from_u64(seed)
}

/// A tensor of values drawn uniformly from [-scale, scale].
pub fn random<T: Tensor<Elem = f64>>(rng: &mut SmallRng, scale: f64) -> T {
    let mut t = T::ZERO;
    for v in t.flat_mut() {
        *v = rng.random_range(-scale..scale);
    }
    t
}

/// A tensor whose rows are probability distributions (positive, summing to one).
pub fn distribution<T: Tensor<Elem = f64>>(rng: &mut SmallRng) -> T {
    let mut t = T::ZERO;
    for row in t.flat_mut().chunks_exact_mut(T::ROW) {
        row.iter_mut().for_each(|v| *v = rng.random_range(0.1..1.0));
        let sum: f64 = row.iter().sum();
        row.iter_mut().for_each(|v| *v /= sum);
    }
    t
}

/// Targets in [0, 1] for binary cross-entropy.
pub fn unit<T: Tensor<Elem = f64>>(rng: &mut SmallRng) -> T {
    let mut t = T::ZERO;
    t.flat_mut()
        .iter_mut()
        .for_each(|v| *v = rng.random_range(0.0..1.0));
    t
}
