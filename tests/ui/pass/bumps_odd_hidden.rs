// The corrected twin of `build_fail/bumps_odd_hidden.rs`: 8 hidden units, 4 bumps.
use typed_nn::prelude::*;
use typed_nn::universal::{Bumps, bumps};

fn main() {
    let net: Bumps<8> = bumps(f64::sin, 0.0, std::f64::consts::TAU);
    let y = net.infer(&[1.0f32])[0];
    assert!((y - 1.0f32.sin()).abs() < 0.5, "{y}");
}
