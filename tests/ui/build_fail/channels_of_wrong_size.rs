// A 3 x 32 x 32 colour image has 3072 values, not 1024.
use typed_nn::prelude::*;

fn main() {
    let net = (FlattenChannels::<1024>, Linear::<1024, 10>::ZERO);
    let _ = net.infer(&[[[0.0f32; 32]; 32]; 3]);
}
