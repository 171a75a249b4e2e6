// The corrected twin of `build_fail/batch_of_no_samples.rs`.
use typed_nn::prelude::*;

fn main() {
    let net = (Linear::<2, 4>::ZERO, Sigmoid, Linear::<4, 1>::ZERO);
    let batch: [[f32; 2]; 1] = [[0.0; 2]];
    let _ = net.infer(&batch);
}
