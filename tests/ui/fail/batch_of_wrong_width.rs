// A correct 2-16-1 model fed a batch of 8 samples of 3 features.
use typed_nn::prelude::*;

fn main() {
    let net = (Linear::<2, 16>::ZERO, Sigmoid, Linear::<16, 1>::ZERO);
    let batch = [[0.0f32; 3]; 8];
    let _ = net.infer(&batch);
}
