// The usual MNIST perceptron built in place on the heap, and a 64 MiB layer too.
use typed_nn::prelude::*;
use typed_nn::rand::{SeedableRng, rngs::SmallRng};

fn main() {
    let mut rng = SmallRng::seed_from_u64(0);
    let mut net: Box<(Linear<784, 512>, ReLU, Linear<512, 10>)> = typed_nn::boxed::zeroed();
    net.0.init(Scheme::He, &mut rng);
    net.2.init(Scheme::Glorot, &mut rng);
    let y = net.infer(&[0.5f32; 784]);
    assert!(y.iter().all(|v| v.is_finite()) && y.iter().any(|&v| v != 0.0));
    let mut huge: Box<(Linear<4096, 4096>, ReLU)> = typed_nn::boxed::zeroed();
    huge.init(Scheme::Glorot, &mut rng);
    let _ = huge.infer(&[0.0f32; 4096]);
}
