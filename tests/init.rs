//! Initialisation: reproducible bit for bit, within its bounds, and actually random.

mod common;

use common::rng;
use typed_nn::prelude::*;

type Net = (Linear<30, 20>, ReLU, Linear<20, 10>);

fn bits<M: Params<f32>>(m: &M) -> Vec<u32> {
    let mut out = Vec::new();
    m.visit(&mut |s| out.extend(s.iter().map(|v| v.to_bits())));
    out
}

#[test]
fn same_seed_gives_bit_identical_models() {
    let mut a = Net::ZERO;
    let mut b = Net::ZERO;
    a.init(Scheme::He, &mut rng(9));
    b.init(Scheme::He, &mut rng(9));
    assert_eq!(bits(&a), bits(&b));
    let mut c = Net::ZERO;
    c.init(Scheme::He, &mut rng(10));
    assert_ne!(bits(&a), bits(&c));
}

#[test]
fn weights_fill_their_bound_and_biases_are_zero() {
    let layer = Linear::<30, 20>::glorot(&mut rng(1));
    let bound = (6.0f64 / 50.0).sqrt() as f32;
    let w = layer.weight.as_flattened();
    assert!(w.iter().all(|v| v.abs() <= bound));
    // 600 uniform draws reach near both ends and average near zero.
    let (min, max) = w
        .iter()
        .fold((0.0f32, 0.0f32), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    assert!(min < -0.9 * bound && max > 0.9 * bound);
    assert!((w.iter().sum::<f32>() / 600.0).abs() < 0.05);
    assert_eq!(layer.bias, [0.0; 20]);

    let he = Linear::<30, 20>::he(&mut rng(1));
    let bound = (6.0f64 / 30.0).sqrt() as f32;
    assert!(he.weight.as_flattened().iter().all(|v| v.abs() <= bound));
    assert!(
        he.weight
            .as_flattened()
            .iter()
            .any(|v| v.abs() > 0.9 * bound)
    );
}
