// `bumps` with no hidden unit: even, but no bump at all. (Running the model as well adds the
// errors of its two layers of no width, `Linear<1, 0>` and `Linear<0, 1>`.)
use typed_nn::universal::{Bumps, bumps};

fn main() {
    let _net: Bumps<0> = bumps(f64::sin, 0.0, std::f64::consts::TAU);
}
