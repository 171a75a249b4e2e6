// The corrected twin of `build_fail/channel_image_through_flatten.rs`.
use typed_nn::prelude::*;

fn main() {
    let net = (FlattenChannels::<3072>, Linear::<3072, 10>::ZERO);
    let _: [f32; 10] = net.infer(&[[[0.0f32; 32]; 32]; 3]);
}
