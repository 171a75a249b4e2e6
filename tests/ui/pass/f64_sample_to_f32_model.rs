// The corrected twin of `fail/f64_sample_to_f32_model.rs`.
use typed_nn::prelude::*;

fn main() {
    let net = (Linear::<2, 16>::ZERO, Sigmoid, Linear::<16, 1>::ZERO);
    let sample = [0.5f32, 1.0];
    let _ = net.infer(&sample);
}
