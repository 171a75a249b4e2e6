// A scaler fitted on 3 features in front of a model of 4: the sample has the model's width.
use typed_nn::data::Standardizer;
use typed_nn::prelude::*;

fn main() {
    let deployed = (Standardizer::<3>::ZERO, Linear::<4, 1>::ZERO);
    let _ = deployed.infer(&[0.0f32; 4]);
}
