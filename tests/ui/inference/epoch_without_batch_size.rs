// A trainer given a data set without a batch size in its type: nothing fixes `B`. Every error
// points at the trainer's declaration and asks for its input type `X`.
use typed_nn::prelude::*;

fn main() {
    let mut net = Linear::<2, 2>::ZERO;
    let mut trainer = Trainer::new(Sgd::new(0.1));
    let (xs, ys) = ([[0.5f32, 0.25], [1.0, 0.0], [0.0, 1.0]], [0usize, 1, 1]);
    let _ = trainer.epoch(&mut net, &xs, &ys, &SoftmaxCrossEntropy);
}
