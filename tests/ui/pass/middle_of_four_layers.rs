// The corrected twin of `fail/middle_of_four_layers.rs`.
use typed_nn::prelude::*;

fn main() {
    type Four = (Linear<4, 16>, ReLU, Linear<16, 8>, ReLU, Linear<8, 8>, ReLU, Linear<8, 2>);
    let _: [f32; 2] = Four::ZERO.infer(&[0.0; 4]);
}
