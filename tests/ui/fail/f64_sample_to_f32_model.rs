// The model is f32 (the default); the sample is f64.
use typed_nn::prelude::*;

fn main() {
    let net = (Linear::<2, 16>::ZERO, Sigmoid, Linear::<16, 1>::ZERO);
    let sample: [f64; 2] = [0.0, 1.0];
    let _ = net.infer(&sample);
}
