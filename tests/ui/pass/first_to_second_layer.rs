// The corrected twin of `fail/first_to_second_layer.rs`.
use typed_nn::prelude::*;

fn main() {
    let net = (Linear::<4, 16>::ZERO, Linear::<16, 3>::ZERO, Sigmoid);
    let _: [f32; 3] = net.infer(&[0.0; 4]);
}
