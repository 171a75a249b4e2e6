// The batch size named in the trainer's type; `_` leaves the sample type to the data.
use typed_nn::prelude::*;

fn main() {
    let mut net = Linear::<2, 2>::ZERO;
    let mut trainer = Trainer::<_, [_; 2], _>::new(Sgd::new(0.1));
    let (xs, ys) = ([[0.5f32, 0.25], [1.0, 0.0], [0.0, 1.0]], [0usize, 1, 1]);
    let report = trainer.epoch(&mut net, &xs, &ys, &SoftmaxCrossEntropy).unwrap();
    assert_eq!((report.samples, report.steps), (3, 2));
}
