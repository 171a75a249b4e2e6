//! Breast cancer: logistic regression next to a small MLP, on 569 tumours (30 features of cell
//! nuclei, benign or malignant), canonical split, features standardised.
//!
//! - Logistic regression is `Linear<30, 1>` trained with [`BinaryCrossEntropy`] on its logit
//!   `z = w.x + b` (`sigmoid(z)` is the probability of "benign"; the loss takes the logit, so
//!   the sigmoid and the logarithm are computed together, stably), with scikit-learn's L2
//!   penalty.
//! - The MLP is 30-16-2 with a sigmoid hidden layer and softmax cross-entropy over the two
//!   classes, scikit-learn's MLPClassifier settings (Adam 1e-2, batches of 32).
//!
//! Both are checked against scikit-learn's accuracies on the same split (data/README.md).
//!
//! Run: `cargo run --release --example breast_cancer`

mod support;

use core::ops::ControlFlow;

use typed_nn::data::Dataset;
use typed_nn::eval::{accuracy, binary_accuracy, confusion_matrix};
use typed_nn::prelude::*;
use typed_nn::rand::{SeedableRng, rngs::SmallRng};

const D: usize = 30;
const BATCH: usize = 32;
const EPOCHS: usize = 200;
/// scikit-learn's LogisticRegression and MLPClassifier on the same split.
const REFERENCE_LOGISTIC: f64 = 0.965;
const REFERENCE_MLP: f64 = 0.956;

type Mlp = (Linear<D, 16>, Sigmoid, Linear<16, 2>);

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/breast_cancer.csv");
    let (train, test, _scaler) = Dataset::<D>::load(path)?.standardized_split();
    println!(
        "breast cancer: {} training and {} test tumours, {D} features\n",
        train.len(),
        test.len()
    );
    let mut rng = SmallRng::seed_from_u64(7);

    // Logistic regression. scikit-learn's default L2 penalty (C = 1) adds |w|^2 / 2 to the
    // summed loss; on the mean loss that is a weight decay of 1 / N.
    let mut logistic = Linear::<D, 1>::glorot(&mut rng);
    let mut adam = Adam::new(0.01);
    adam.weight_decay = 1.0 / train.len() as f32;
    let mut trainer = Trainer::<_, [[f32; D]; BATCH], _>::new(adam);
    let mut xs = train.features.clone();
    let mut ts = train.target_rows();
    let bce = BinaryCrossEntropy;
    trainer.fit(
        &mut logistic,
        &mut xs,
        &mut ts,
        &bce,
        EPOCHS,
        &mut rng,
        |r, _| {
            if r.epoch % 50 == 0 {
                println!("logistic regression, {r}");
            }
            ControlFlow::Continue(())
        },
    )?;
    // Benign when the logit is positive (a probability above one half).
    let test_ts = test.target_rows();
    let logistic_test = binary_accuracy(&logistic, &test.features, &test_ts)?;

    // The MLP, on class indices.
    let mut mlp = Mlp::ZERO;
    mlp.init(Scheme::Glorot, &mut rng);
    let mut trainer = Trainer::<Mlp, [[f32; D]; BATCH], _>::new(Adam::new(0.01));
    let (mut xs, mut cs) = (train.features.clone(), train.classes()?);
    let ce = SoftmaxCrossEntropy;
    trainer.fit(&mut mlp, &mut xs, &mut cs, &ce, EPOCHS, &mut rng, |r, _| {
        if r.epoch % 50 == 0 {
            println!("MLP 30-16-2, {r}");
        }
        ControlFlow::Continue(())
    })?;
    let test_classes = test.classes()?;
    let mlp_test = accuracy(&mlp, &test.features, &test_classes)?;

    println!("\n| model | test accuracy | scikit-learn |");
    println!("|---|---:|---:|");
    println!("| logistic regression | {logistic_test:.3} | {REFERENCE_LOGISTIC} |");
    println!("| MLP 30-16-2 | {mlp_test:.3} | {REFERENCE_MLP} |");
    println!(
        "\nMLP (0 malignant, 1 benign):\n{}",
        confusion_matrix(&mlp, &test.features, &test_classes)?
    );
    if logistic_test < REFERENCE_LOGISTIC - 0.03 || mlp_test < REFERENCE_MLP - 0.03 {
        return Err("a model fell well short of its reference accuracy".into());
    }
    Ok(())
}

/// Runs the example; an error is printed as its message, not its `Debug` form.
fn main() -> std::process::ExitCode {
    support::exit(run())
}
