// The corrected twin of `fail/class_index_for_two_outputs_batch.rs`.
use typed_nn::prelude::*;

fn main() {
    let mut net = Linear::<2, 3>::ZERO;
    let mut trainer = Trainer::new(Sgd::new(0.1));
    let _ = trainer.step(&mut net, &[[0.0f32, 1.0]; 4], &[0usize, 1, 2, 0], &SoftmaxCrossEntropy);
}
