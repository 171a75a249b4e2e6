// The corrected twin of `build_fail/linear_without_inputs.rs`.
use typed_nn::prelude::*;

fn main() {
    let layer = Linear::<1, 4>::ZERO;
    let _ = layer.infer(&[0.0f32; 1]);
}
