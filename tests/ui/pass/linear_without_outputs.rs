// The corrected twin of `build_fail/linear_without_outputs.rs`.
use typed_nn::prelude::*;

fn main() {
    const HIDDEN: usize = 8;
    let layer = Linear::<HIDDEN, { HIDDEN / 8 }>::ZERO;
    let _ = layer.infer(&[0.0f32; HIDDEN]);
}
