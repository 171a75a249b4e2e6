// The corrected twin of `build_fail/flatten_of_wrong_size.rs`.
use typed_nn::prelude::*;

fn main() {
    let net = (Flatten::<64>, Linear::<64, 10>::ZERO);
    let _: [f32; 10] = net.infer(&[[0.0f32; 8]; 8]);
}
