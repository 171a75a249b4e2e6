// `fit` on a trainer without a batch size in its type, for a model of two `Linear` layers.
use core::ops::ControlFlow;
use typed_nn::prelude::*;
use typed_nn::rand::{SeedableRng, rngs::SmallRng};

fn main() {
    let mut rng = SmallRng::seed_from_u64(0);
    let mut net = (Linear::<2, 8>::glorot(&mut rng), ReLU, Linear::<8, 2>::glorot(&mut rng));
    let mut trainer = Trainer::new(Adam::new(0.01));
    let (mut xs, mut ys) = (vec![[0.0f32, 1.0]; 8], vec![0usize; 8]);
    let each = |_: &_, _: &_| ControlFlow::Continue(());
    let _ = trainer.fit(&mut net, &mut xs, &mut ys, &SoftmaxCrossEntropy, 10, &mut rng, each);
}
