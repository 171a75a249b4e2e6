//! XOR: the problem a single perceptron cannot solve and a network with one hidden layer can.
//!
//! XOR's classes (0,0),(1,1) against (0,1),(1,0) sit on the diagonals of a square, and no line
//! separates them, so a linear model (Minsky and Papert's perceptron) gets at most three of the
//! four right. A hidden layer of sigmoids bends the space until a line does separate them.
//!
//! Run: `cargo run --release --example xor`

mod support;

use typed_nn::prelude::*;
use typed_nn::rand::{SeedableRng, rngs::SmallRng};

/// Hidden units.
const H: usize = 4;
/// Learning rate and number of gradient steps.
const LR: f32 = 2.0;
const EPOCHS: usize = 2000;

/// The four cases, as one batch, and their labels.
const INPUTS: [[f32; 2]; 4] = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]];
const LABELS: [[f32; 1]; 4] = [[0.0], [1.0], [1.0], [0.0]];

/// A 2-H-1 network: sigmoid hidden features, one output logit (its sigmoid is P(class 1)).
type Mlp = (Linear<2, H>, Sigmoid, Linear<H, 1>);

fn probability(logit: f32) -> f32 {
    Sigmoid.infer(&[logit])[0]
}

fn right_answers(predict: impl Fn(&[f32; 2]) -> f32) -> usize {
    let cases = INPUTS.iter().zip(&LABELS);
    cases
        .filter(|(x, t)| (predict(x) > 0.5) == (t[0] > 0.5))
        .count()
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut rng = SmallRng::seed_from_u64(2024);
    let mut mlp: Mlp = (Linear::glorot(&mut rng), Sigmoid, Linear::glorot(&mut rng));
    let mut perceptron = Linear::<2, 1>::glorot(&mut rng);
    println!(
        "XOR with a 2-{H}-1 sigmoid network ({} parameters) and, for comparison, a single \
         linear unit ({} parameters).\nBoth are trained by full-batch gradient descent (lr {LR}) on binary cross-entropy.\n",
        Mlp::PARAM_COUNT,
        Linear::<2, 1>::PARAM_COUNT
    );

    let mut trainer = Trainer::new(Sgd::new(LR));
    let mut single = Trainer::new(Sgd::new(LR));
    println!("{:>6}  {:>12}  {:>12}", "step", "MLP loss", "linear loss");
    for epoch in 1..=EPOCHS {
        let loss = trainer.step(&mut mlp, &INPUTS, &LABELS, &BinaryCrossEntropy)?;
        let linear_loss = single.step(&mut perceptron, &INPUTS, &LABELS, &BinaryCrossEntropy)?;
        if epoch == 1 || epoch % (EPOCHS / 10) == 0 {
            println!("{epoch:>6}  {loss:>12.6}  {linear_loss:>12.6}");
        }
    }

    println!("\n  x1  x2  XOR   MLP P(1)  linear P(1)");
    for (x, t) in INPUTS.iter().zip(&LABELS) {
        let p = probability(mlp.infer(x)[0]);
        let q = probability(perceptron.infer(x)[0]);
        println!(
            "  {:>2}  {:>2}  {:>3}   {p:>8.4}  {q:>11.4}",
            x[0], x[1], t[0]
        );
    }
    let mlp_right = right_answers(|x| probability(mlp.infer(x)[0]));
    let linear_right = right_answers(|x| probability(perceptron.infer(x)[0]));
    println!("\nMLP: {mlp_right}/4 right.");
    println!(
        "Single linear unit: {linear_right}/4 right, no better than chance: no line separates XOR, \
         so its best is P = 0.5 everywhere (loss ln 2 = 0.693)."
    );
    if mlp_right != 4 {
        return Err("the MLP did not learn XOR".into());
    }
    Ok(())
}

/// Runs the example; an error is printed as its message, not its `Debug` form.
fn main() -> std::process::ExitCode {
    support::exit(run())
}
