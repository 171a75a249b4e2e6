// The corrected twin of `build_fail/softmax_of_one_output.rs`: one output per class.
use typed_nn::prelude::*;

fn main() {
    type Net = (Linear<2, 8>, Tanh, Linear<8, 2>);
    let mut net: Net = (Linear::ZERO, Tanh, Linear::ZERO);
    let mut trainer = Trainer::new(Sgd::new(0.1));
    let loss = trainer.step(&mut net, &[0.5f32, 1.0], &1usize, &SoftmaxCrossEntropy);
    assert!((loss.unwrap() - 2.0f32.ln()).abs() < 1e-6);
}
