// A batch of 0 samples.
use typed_nn::prelude::*;

fn main() {
    let net = (Linear::<2, 4>::ZERO, Sigmoid, Linear::<4, 1>::ZERO);
    let batch: [[f32; 2]; 0] = [];
    let _ = net.infer(&batch);
}
