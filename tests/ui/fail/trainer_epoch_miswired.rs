// A mis-wired model trained through `Trainer::epoch`: one error, at the epoch.
use typed_nn::prelude::*;

fn main() {
    let mut net = (Linear::<2, 16>::ZERO, ReLU, Linear::<8, 3>::ZERO);
    let mut trainer = Trainer::<_, [[f32; 2]; 4], _>::new(Adam::new(0.01));
    let inputs = [[0.0f32, 1.0]; 8];
    let classes = [0usize; 8];
    let _ = trainer.epoch(&mut net, &inputs, &classes, &SoftmaxCrossEntropy);
}
