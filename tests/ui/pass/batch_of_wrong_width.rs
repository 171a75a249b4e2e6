// The corrected twin of `fail/batch_of_wrong_width.rs`.
use typed_nn::prelude::*;

fn main() {
    let net = (Linear::<2, 16>::ZERO, Sigmoid, Linear::<16, 1>::ZERO);
    let _: [[f32; 1]; 8] = net.infer(&[[0.0f32; 2]; 8]);
}
