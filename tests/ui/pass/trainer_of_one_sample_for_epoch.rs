// The corrected twin of `fail/trainer_of_one_sample_for_epoch.rs`: batches of one sample of
// one feature.
use typed_nn::prelude::*;

fn main() {
    let mut net = Linear::<1, 1>::ZERO;
    let mut trainer = Trainer::<_, [[f32; 1]; 1], _>::new(Sgd::new(0.1));
    let (xs, ys) = ([[0.5f32], [0.25], [1.0]], [[1.0f32], [0.5], [2.0]]);
    let report = trainer.epoch(&mut net, &xs, &ys, &Mse).unwrap();
    assert_eq!(report.samples, 3);
}
