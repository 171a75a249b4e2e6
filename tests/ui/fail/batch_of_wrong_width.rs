// A batch of 8 samples of 3 features for a model of 2 inputs.
use typed_nn::prelude::*;

fn main() {
    let net = (Linear::<2, 16>::ZERO, Sigmoid, Linear::<16, 1>::ZERO);
    let _ = net.infer(&[[0.0f32; 3]; 8]);
}
