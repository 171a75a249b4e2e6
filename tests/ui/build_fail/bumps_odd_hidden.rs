// `bumps` with 7 hidden units: a bump takes two sigmoids, so 7 cannot be split into bumps.
use typed_nn::prelude::*;
use typed_nn::universal::{Bumps, bumps};

fn main() {
    let net: Bumps<7> = bumps(f64::sin, 0.0, std::f64::consts::TAU);
    let _ = net.infer(&[1.0f32]);
}
