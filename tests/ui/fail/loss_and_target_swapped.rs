// The loss given where the target goes, and the target where the loss goes: `step` takes the
// target before the loss.
use typed_nn::prelude::*;

fn main() {
    let mut net = (Linear::<2, 16>::ZERO, Sigmoid, Linear::<16, 1>::ZERO);
    let mut trainer = Trainer::new(Adam::new(0.01));
    let _ = trainer.step(&mut net, &[0.0f32, 1.0], &Mse, &[1.0f32]);
}
