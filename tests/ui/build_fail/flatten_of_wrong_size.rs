// An 8 x 8 image has 64 pixels, not 63.
use typed_nn::prelude::*;

fn main() {
    let net = (Flatten::<63>, Linear::<63, 10>::ZERO);
    let _ = net.infer(&[[0.0f32; 8]; 8]);
}
