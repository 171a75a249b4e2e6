// `accuracy` given the test set in batches, as a trainer takes them: it takes one sample at a
// time.
use typed_nn::prelude::*;

fn main() {
    let net = (Linear::<4, 16>::ZERO, ReLU, Linear::<16, 3>::ZERO);
    let inputs: Vec<[[f32; 4]; 8]> = vec![[[0.0; 4]; 8]; 4];
    let classes: Vec<usize> = vec![0; 32];
    let _ = accuracy(&net, &inputs, &classes);
}
