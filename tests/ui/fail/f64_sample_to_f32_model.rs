// An f64 sample given to an f32 model.
use typed_nn::prelude::*;

fn main() {
    let net = (Linear::<2, 16>::ZERO, Sigmoid, Linear::<16, 1>::ZERO);
    let sample = [0.5f64, 1.0];
    let _ = net.infer(&sample);
}
