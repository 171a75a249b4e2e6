// A 64 MiB model built by value, which would overflow the stack when the program runs.
use typed_nn::prelude::*;
use typed_nn::rand::{SeedableRng, rngs::SmallRng};

fn main() {
    let net = (Linear::<4096, 4096>::glorot(&mut SmallRng::seed_from_u64(0)), ReLU);
    let _ = net.infer(&[0.0f32; 4096]);
}
