// A ReLU after a `Linear` that no sigmoid follows trains with `BinaryCrossEntropy` once the
// logit comes last; a ReLU after the sigmoid of a model trained with MSE is no mistake.
use typed_nn::prelude::*;

fn main() {
    let mut net = (Linear::<30, 4>::ZERO, ReLU, Linear::<4, 1>::ZERO);
    let mut trainer = Trainer::<_, [[f32; 30]; 8], _>::new(Sgd::new(0.1));
    let (xs, ts) = (vec![[0.0f32; 30]; 64], vec![[1.0f32]; 64]);
    trainer.epoch(&mut net, &xs, &ts, &BinaryCrossEntropy).unwrap();
    let mut squashed = (Linear::<30, 1>::ZERO, Sigmoid, ReLU);
    let mut trainer = Trainer::<_, [[f32; 30]; 8], _>::new(Sgd::new(0.1));
    trainer.epoch(&mut squashed, &xs, &ts, &Mse).unwrap();
}
