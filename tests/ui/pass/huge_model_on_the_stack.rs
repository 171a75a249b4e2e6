// A 64 MiB model built on the heap.
use typed_nn::prelude::*;
use typed_nn::rand::{SeedableRng, rngs::SmallRng};

fn main() {
    let mut net: Box<(Linear<4096, 4096>, ReLU)> = typed_nn::boxed::zeroed();
    net.init(Scheme::Glorot, &mut SmallRng::seed_from_u64(0));
    let _ = net.infer(&[0.0f32; 4096]);
}
