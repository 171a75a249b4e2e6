// The corrected twin of `build_fail/bumps_no_hidden.rs`: one bump, two hidden units.
use typed_nn::prelude::*;
use typed_nn::universal::{Bumps, bumps};

fn main() {
    let net: Bumps<2> = bumps(f64::sin, 0.0, std::f64::consts::TAU);
    assert!(net.infer(&[1.0f32])[0].is_finite());
}
