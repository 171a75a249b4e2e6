//! Logistic regression: `Linear<30, 1>` followed by a sigmoid, trained with binary
//! cross-entropy, on the breast cancer data set (569 tumours, 30 features of cell nuclei,
//! benign or malignant), canonical split, features standardised.
//!
//! The model's output is a logit `z = w.x + b`; `sigmoid(z)` is the probability of "benign".
//! [`BinaryCrossEntropy`] takes the logit, so the sigmoid and the logarithm of the loss are
//! computed together, stably.
//!
//! Run: `cargo run --release --example logistic_regression`

use rand::{SeedableRng, rngs::SmallRng};
use typed_nn::data::Dataset;
use typed_nn::prelude::*;

const D: usize = 30;
const BATCH: usize = 32;
const EPOCHS: usize = 200;

/// scikit-learn's LogisticRegression on the same split (see data/README.md).
const REFERENCE_ACCURACY: f64 = 0.965;

fn accuracy_of(model: &Linear<D, 1>, data: &Dataset<D>) -> f64 {
    let right = data.features.iter().zip(&data.targets).filter(|(x, t)| {
        let p = Sigmoid.infer(&model.infer(*x))[0];
        (p > 0.5) == (**t > 0.5)
    });
    right.count() as f64 / data.len() as f64
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data = Dataset::<D>::load(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/breast_cancer.csv"
    ))?;
    let (train, test, _scaler) = data.standardized_split();
    println!(
        "breast cancer: {} training and {} test tumours, {D} features",
        train.len(),
        test.len()
    );

    let mut rng = SmallRng::seed_from_u64(7);
    let mut model = Linear::<D, 1>::glorot(&mut rng);
    // scikit-learn's default L2 penalty (C = 1) adds |w|^2 / 2 to the summed loss; on the mean
    // loss that is a weight decay of 1 / N.
    let mut adam = Adam::new(0.01);
    adam.weight_decay = 1.0 / train.len() as f32;
    let mut trainer = Trainer::<_, [[f32; D]; BATCH], _>::new(adam);
    let mut xs = train.features.clone();
    let mut ts: Vec<[f32; 1]> = train.targets.iter().map(|&t| [t]).collect();
    for epoch in 1..=EPOCHS {
        shuffle_together(&mut xs, &mut ts, &mut rng)?;
        let loss = trainer
            .epoch(&mut model, &xs, &ts, &BinaryCrossEntropy)?
            .mean_loss;
        if epoch == 1 || epoch % (EPOCHS / 5) == 0 {
            println!(
                "epoch {epoch:>4}: loss {loss:.4}, train accuracy {:.3}, test accuracy {:.3}",
                accuracy_of(&model, &train),
                accuracy_of(&model, &test)
            );
        }
    }
    let test_accuracy = accuracy_of(&model, &test);
    println!(
        "\ntest accuracy {test_accuracy:.3} (scikit-learn's LogisticRegression: {REFERENCE_ACCURACY})"
    );
    if test_accuracy < REFERENCE_ACCURACY - 0.03 {
        return Err("logistic regression fell well short of the reference accuracy".into());
    }
    Ok(())
}
