// `Flatten<0>` of an empty image.
use typed_nn::prelude::*;

fn main() {
    let _ = Flatten::<0>.infer(&[[0.0f32; 0]; 4]);
}
