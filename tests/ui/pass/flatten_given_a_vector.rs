// The corrected twin of `fail/flatten_given_a_vector.rs`.
use typed_nn::prelude::*;

fn main() {
    let net = (Flatten::<64>, Linear::<64, 10>::ZERO);
    let _: [f32; 10] = net.infer(&[[0.0f32; 8]; 8]);
}
