// The corrected twin of `fail/sample_of_wrong_width.rs`.
use typed_nn::prelude::*;

fn main() {
    let net = (Linear::<2, 16>::ZERO, Sigmoid, Linear::<16, 1>::ZERO);
    let _: [f32; 1] = net.infer(&[0.0, 1.0]);
}
