// The corrected twin of `build_fail/flatten_to_zero_features.rs`.
use typed_nn::prelude::*;

fn main() {
    let _ = Flatten::<4>.infer(&[[0.0f32; 1]; 4]);
}
