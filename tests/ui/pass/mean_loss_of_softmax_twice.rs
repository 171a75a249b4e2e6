// The classifier's loss is taken on its scores, the output of its last `Linear`; `Softmax`
// comes after, for probabilities. Its accuracy is the same either way.
use typed_nn::eval::{accuracy, mean_loss};
use typed_nn::prelude::*;

fn main() {
    let scores = (Linear::<4, 16>::ZERO, ReLU, Linear::<16, 3>::ZERO);
    let (xs, classes) = (vec![[0.0f32; 4]; 8], vec![1usize; 8]);
    let loss = mean_loss(&scores, &xs, &classes, &SoftmaxCrossEntropy).unwrap();
    // Three equal scores: the loss is ln 3.
    assert!((loss - 3f64.ln()).abs() < 1e-6, "{loss}");
    let probabilities = (scores.clone(), Softmax);
    assert_eq!(accuracy(&probabilities, &xs, &classes), accuracy(&scores, &xs, &classes));
}
