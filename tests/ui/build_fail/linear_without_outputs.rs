// `Linear<4, 0>`: HIDDEN / 8 with HIDDEN = 4 is 0.
use typed_nn::prelude::*;

fn main() {
    const HIDDEN: usize = 4;
    let layer = Linear::<HIDDEN, { HIDDEN / 8 }>::ZERO;
    let _ = layer.infer(&[0.0f32; HIDDEN]);
}
