// The corrected twin of `fail/train_a_scaler_in_front.rs`: the model trains on standardised
// data, then the scaler goes in front of it for inference.
use typed_nn::data::Standardizer;
use typed_nn::prelude::*;

fn main() {
    let mut rows = [[1.0, 2.0, 3.0, 4.0], [2.0, 3.0, 4.0, 5.0]];
    let scaler = Standardizer::<4>::fit(&rows);
    scaler.apply(&mut rows);
    let mut net = (Linear::<4, 3>::ZERO, ReLU, Linear::<3, 1>::ZERO);
    let mut trainer = Trainer::new(Sgd::new(0.1));
    let _ = trainer.step(&mut net, &rows[0], &[1.0], &Mse);
    let deployed = (scaler, net);
    let _: [f32; 1] = deployed.infer(&[1.0, 2.0, 3.0, 4.0]);
}
