// A classifier given `Softmax` for inference, scored by `eval::mean_loss` with
// `SoftmaxCrossEntropy`, which applies its own softmax: the loss reported would not be the
// model's.
use typed_nn::eval::mean_loss;
use typed_nn::prelude::*;

fn main() {
    let net = (Linear::<4, 16>::ZERO, ReLU, Linear::<16, 3>::ZERO, Softmax);
    let (xs, classes) = (vec![[0.0f32; 4]; 8], vec![1usize; 8]);
    let _ = mean_loss(&net, &xs, &classes, &SoftmaxCrossEntropy);
}
