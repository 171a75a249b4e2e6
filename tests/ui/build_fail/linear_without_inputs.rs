// `Linear<0, 4>`: a layer with no inputs.
use typed_nn::prelude::*;

fn main() {
    let layer = Linear::<0, 4>::ZERO;
    let _ = layer.infer(&[0.0f32; 0]);
}
