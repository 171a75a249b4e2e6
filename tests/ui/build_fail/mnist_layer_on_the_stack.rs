// The hidden layer of the usual MNIST perceptron, 784 x 512 (1.6 MB), built by value with `he`:
// with a trainer and Adam beside it, more than a thread's stack holds.
use typed_nn::prelude::*;
use typed_nn::rand::{SeedableRng, rngs::SmallRng};

fn main() {
    let mut rng = SmallRng::seed_from_u64(0);
    let net = (Linear::<784, 512>::he(&mut rng), ReLU, Linear::<512, 10>::glorot(&mut rng));
    let _ = net.infer(&[0.0f32; 784]);
}
