// `Flatten<64>` given a vector, which is not an image.
use typed_nn::prelude::*;

fn main() {
    let net = (Flatten::<64>, Linear::<64, 10>::ZERO);
    let _ = net.infer(&[0.0f32; 64]);
}
