// A 3 x 32 x 32 colour image through `Flatten`, which reads it as a batch of 3 plain images.
use typed_nn::prelude::*;

fn main() {
    let net = (Flatten::<3072>, Linear::<3072, 10>::ZERO);
    let _ = net.infer(&[[[0.0f32; 32]; 32]; 3]);
}
