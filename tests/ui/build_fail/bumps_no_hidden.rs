// `bumps` with no hidden unit: even, but no bump at all, and a layer of no outputs.
use typed_nn::prelude::*;
use typed_nn::universal::{Bumps, bumps};

fn main() {
    let net: Bumps<0> = bumps(f64::sin, 0.0, std::f64::consts::TAU);
    let _ = net.infer(&[1.0f32]);
}
