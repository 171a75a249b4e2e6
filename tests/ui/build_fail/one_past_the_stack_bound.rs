// `Linear<512, 512>` is 1 MiB of weights and 2 KiB of biases: one row past the bound on values
// built by value.
use typed_nn::prelude::*;
use typed_nn::rand::{SeedableRng, rngs::SmallRng};

fn main() {
    let layer = Linear::<512, 512>::glorot(&mut SmallRng::seed_from_u64(0));
    let _ = layer.infer(&[0.0f32; 512]);
}
