// Flat rows train a model without `Flatten`; images of 28 x 28 one with it.
use typed_nn::prelude::*;

fn main() {
    let mut flat = Linear::<784, 10>::ZERO;
    let mut trainer = Trainer::<_, [[f32; 784]; 32], _>::new(Sgd::new(0.1));
    let (xs, cs) = (vec![[0.0f32; 784]; 64], vec![0usize; 64]);
    trainer.epoch(&mut flat, &xs, &cs, &SoftmaxCrossEntropy).unwrap();

    let mut images = (Flatten::<784>::ZERO, Linear::<784, 10>::ZERO);
    let mut trainer = Trainer::<_, [[[f32; 28]; 28]; 32], _>::new(Sgd::new(0.1));
    let pictures = vec![[[0.0f32; 28]; 28]; 64];
    trainer.epoch(&mut images, &pictures, &cs, &SoftmaxCrossEntropy).unwrap();
}
