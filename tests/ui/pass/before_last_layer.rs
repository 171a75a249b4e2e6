// The corrected twin of `fail/before_last_layer.rs`.
use typed_nn::prelude::*;

fn main() {
    let net = (Linear::<2, 16>::ZERO, Tanh, Linear::<16, 16>::ZERO, Tanh, Linear::<16, 1>::ZERO);
    let _: [f32; 1] = net.infer(&[0.0, 1.0]);
}
