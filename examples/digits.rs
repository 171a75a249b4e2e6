//! Handwritten digits: a 64-32-10 network (sigmoid hidden layer, softmax cross-entropy, Adam)
//! on the 8x8 digits data set, the same network and settings as scikit-learn's reference on
//! the same split (data/README.md: 0.974 mean test accuracy over 5 seeds).
//!
//! Each 8x8 image is read as a matrix and flattened by the model itself: `Flatten<64>` proves
//! at compile time that 8 x 8 is 64.
//!
//! Run: `cargo run --release --example digits`

use rand::{SeedableRng, rngs::SmallRng};
use typed_nn::data::Dataset;
use typed_nn::prelude::*;

type Image = [[f32; 8]; 8];
type Net = (Flatten<64>, Linear<64, 32>, Sigmoid, Linear<32, 10>);
const BATCH: usize = 32;
const EPOCHS: usize = 300;
/// scikit-learn's MLPClassifier, same network, split and optimizer (mean of 5 seeds).
const REFERENCE_ACCURACY: f64 = 0.974;

fn images(data: &Dataset<64>) -> Vec<Image> {
    let as_image = |pixels: &[f32; 64]| -> Image {
        core::array::from_fn(|r| core::array::from_fn(|c| pixels[r * 8 + c]))
    };
    data.features.iter().map(as_image).collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut data = Dataset::<64>::load(concat!(env!("CARGO_MANIFEST_DIR"), "/data/digits.csv"))?;
    data.scale(1.0 / 16.0);
    let (train, test) = data.split_every(5);
    let (mut xs, mut ts) = (images(&train), train.classes()?);
    let (test_x, test_t) = (images(&test), test.classes()?);
    println!(
        "digits: {} training and {} test images of 8 x 8 pixels",
        xs.len(),
        test_x.len()
    );

    let mut rng = SmallRng::seed_from_u64(1);
    let mut net = Net::ZERO;
    net.init(Scheme::Glorot, &mut rng);
    println!(
        "model: Flatten<64>, Linear<64, 32>, Sigmoid, Linear<32, 10>: {} parameters",
        Net::PARAM_COUNT
    );
    let mut trainer = Trainer::<Net, [Image; BATCH], _>::new(Adam::new(1e-3));
    for epoch in 1..=EPOCHS {
        shuffle_together(&mut xs, &mut ts, &mut rng)?;
        let loss = trainer
            .epoch(&mut net, &xs, &ts, &SoftmaxCrossEntropy)?
            .mean_loss;
        if epoch == 1 || epoch % (EPOCHS / 6) == 0 {
            println!(
                "epoch {epoch:>4}: loss {loss:.4}, test accuracy {:.3}",
                accuracy(&net, &test_x, &test_t)?
            );
        }
    }
    let accuracy = accuracy(&net, &test_x, &test_t)?;
    println!("\ntest accuracy {accuracy:.3} (scikit-learn's MLPClassifier: {REFERENCE_ACCURACY})");
    if accuracy < REFERENCE_ACCURACY - 0.02 {
        return Err("the network fell well short of the reference accuracy".into());
    }
    Ok(())
}
