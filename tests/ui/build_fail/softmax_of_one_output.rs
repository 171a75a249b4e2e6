// A binary classifier of one output trained with softmax cross-entropy and class indices: the
// softmax of one score is 1, so the loss is 0 and nothing would be learnt.
use typed_nn::prelude::*;

fn main() {
    type Net = (Linear<2, 8>, Tanh, Linear<8, 1>);
    let mut net: Net = (Linear::ZERO, Tanh, Linear::ZERO);
    let mut trainer = Trainer::new(Sgd::new(0.1));
    let _ = trainer.step(&mut net, &[0.5f32, 1.0], &1usize, &SoftmaxCrossEntropy);
}
