// The corrected twin of `fail/scaler_of_wrong_width.rs`: a scaler of the model's 4 features.
use typed_nn::data::Standardizer;
use typed_nn::prelude::*;

fn main() {
    let deployed = (Standardizer::<4>::ZERO, Linear::<4, 1>::ZERO);
    let _ = deployed.infer(&[0.0f32; 4]);
}
