// `step` takes the model, the input, the target and then the loss.
use typed_nn::prelude::*;

fn main() {
    let mut net = (Linear::<2, 16>::ZERO, Sigmoid, Linear::<16, 1>::ZERO);
    let mut trainer = Trainer::new(Adam::new(0.01));
    let loss = trainer.step(&mut net, &[0.0f32, 1.0], &[1.0f32], &Mse).unwrap();
    assert!(loss > 0.0);
}
