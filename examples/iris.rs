//! Iris: a 4-16-3 network (sigmoid hidden layer, softmax cross-entropy, Adam 1e-2, batches of
//! 32) on Fisher's 150 flowers, canonical split, features standardised; the settings of
//! scikit-learn's reference on the same split (data/README.md: 0.967 test accuracy).
//!
//! It prints the model's summary, the training report every 50 epochs (through
//! `Trainer::fit`'s callback), the test accuracy and the confusion matrix, and checks the
//! accuracy against the reference; then it puts the fitted scaler in front of the network and
//! classifies a flower by its raw measurements.
//!
//! Run: `cargo run --release --example iris`

mod support;

use core::ops::ControlFlow;

use typed_nn::data::Dataset;
use typed_nn::describe::summary;
use typed_nn::eval::{confusion_matrix, mean_loss};
use typed_nn::prelude::*;
use typed_nn::rand::{SeedableRng, rngs::SmallRng};

type Net = (Linear<4, 16>, Sigmoid, Linear<16, 3>);
const BATCH: usize = 32;
const EPOCHS: usize = 300;
/// scikit-learn's MLPClassifier, same network, split and optimizer.
const REFERENCE_ACCURACY: f64 = 0.967;

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let data = Dataset::<4>::load(concat!(env!("CARGO_MANIFEST_DIR"), "/data/iris.csv"))?;
    let (train, test, scaler) = data.standardized_split();
    let (mut xs, mut ts) = (train.features.clone(), train.classes()?);
    let (test_x, test_t) = (test.features.clone(), test.classes()?);
    println!(
        "iris: {} training and {} test flowers\n",
        xs.len(),
        test_x.len()
    );

    let mut rng = SmallRng::seed_from_u64(7);
    let mut net = Net::ZERO;
    net.init(Scheme::Glorot, &mut rng);
    println!("{}\n", summary::<[[f32; 4]; BATCH], _>(&net));

    // 120 samples make three batches of 32 and a last step of 24: every flower takes part.
    let mut trainer = Trainer::<Net, [[f32; 4]; BATCH], _>::new(Adam::new(1e-2));
    let ce = SoftmaxCrossEntropy;
    let last = trainer.fit(
        &mut net,
        &mut xs,
        &mut ts,
        &ce,
        EPOCHS,
        &mut rng,
        |report, _| {
            if report.epoch % 50 == 0 {
                println!("{report}");
            }
            ControlFlow::Continue(())
        },
    )?;
    assert_eq!((last.samples, last.steps), (120, 4));

    let test_loss = mean_loss(&net, &test_x, &test_t, &ce)?;
    let matrix = confusion_matrix(&net, &test_x, &test_t)?;
    let accuracy = matrix.accuracy();
    println!(
        "\ntest loss {test_loss:.4}, test accuracy {accuracy:.3} (scikit-learn: {REFERENCE_ACCURACY})\n"
    );
    println!("classes: 0 setosa, 1 versicolor, 2 virginica\n{matrix}");
    if accuracy < REFERENCE_ACCURACY - 0.04 {
        return Err(format!("test accuracy {accuracy:.3} fell short of the reference").into());
    }

    // Deployed, the scaler goes in front of the network: one model of raw measurements (cm),
    // which also saves and loads as one value (`io::save(path, &deployed)`).
    let deployed = (scaler, net);
    let flower = [5.1, 3.5, 1.4, 0.2];
    let class = argmax(&deployed.infer(&flower));
    println!(
        "a flower measured {flower:?} cm is class {class} (setosa's first flower in the file)"
    );
    if class != 0 {
        return Err("the deployed model misclassified a setosa".into());
    }
    Ok(())
}

/// Runs the example; an error is printed as its message, not its `Debug` form.
fn main() -> std::process::ExitCode {
    support::exit(run())
}
