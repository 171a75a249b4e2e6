// `Linear<512, 511>` is 1,048,572 bytes, just inside the bound of 1 MiB: built by value.
use typed_nn::prelude::*;
use typed_nn::rand::{SeedableRng, rngs::SmallRng};

fn main() {
    assert!(core::mem::size_of::<Linear<512, 511>>() <= typed_nn::shape::MAX_STACK_BYTES);
    assert!(core::mem::size_of::<Linear<512, 512>>() > typed_nn::shape::MAX_STACK_BYTES);
    let layer = Linear::<512, 511>::glorot(&mut SmallRng::seed_from_u64(0));
    let y = layer.infer(&[1.0f32; 512]);
    assert!(y.iter().any(|&v| v != 0.0));
}
