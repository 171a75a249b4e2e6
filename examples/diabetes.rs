//! Diabetes, linear regression as the one-layer case: gradient descent on `Linear<10, 1>` with
//! mean squared error, compared with the closed-form least-squares answer of the normal
//! equations, weight by weight and by R squared on the test patients.
//!
//! Data: the diabetes data set (442 patients, 10 clinical features, disease progression after
//! one year), canonical split (every fifth row is a test row), features standardised.
//!
//! Run: `cargo run --release --example diabetes`

mod support;

use typed_nn::data::Dataset;
use typed_nn::eval::r_squared;
use typed_nn::prelude::*;

const D: usize = 10;
const STEPS: usize = 20_000;
const LR: f64 = 0.1;

fn mse(predict: impl Fn(&[f64; D]) -> f64, data: &Dataset<D, f64>) -> f64 {
    let sum: f64 = data
        .features
        .iter()
        .zip(&data.targets)
        .map(|(x, t)| (predict(x) - t).powi(2))
        .sum();
    sum / data.len() as f64
}

/// Least squares through the normal equations `(A^T A) w = A^T y`, where `A` is the features
/// with a column of ones for the bias; solved by Gaussian elimination with partial pivoting.
fn least_squares(data: &Dataset<D, f64>) -> Result<[f64; D + 1], String> {
    const N: usize = D + 1;
    let mut m = [[0.0; N + 1]; N]; // [A^T A | A^T y]
    for (x, &y) in data.features.iter().zip(&data.targets) {
        let row: [f64; N] = core::array::from_fn(|i| if i < D { x[i] } else { 1.0 });
        for i in 0..N {
            for j in 0..N {
                m[i][j] += row[i] * row[j];
            }
            m[i][N] += row[i] * y;
        }
    }
    for col in 0..N {
        let pivot = (col..N)
            .max_by(|&a, &b| m[a][col].abs().total_cmp(&m[b][col].abs()))
            .unwrap_or(col);
        if m[pivot][col].abs() < 1e-12 {
            return Err(format!("the normal equations are singular at column {col}"));
        }
        m.swap(col, pivot);
        let pivot_row = m[col];
        for (r, row) in m.iter_mut().enumerate() {
            if r != col {
                let f = row[col] / pivot_row[col];
                for (a, b) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                    *a -= f * b;
                }
            }
        }
    }
    Ok(core::array::from_fn(|i| m[i][N] / m[i][i]))
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let data = Dataset::<D, f64>::load(concat!(env!("CARGO_MANIFEST_DIR"), "/data/diabetes.csv"))?;
    let (train, test, _scaler) = data.standardized_split();
    println!(
        "diabetes: {} training and {} test patients, {D} standardised features",
        train.len(),
        test.len()
    );

    // Full-batch gradient descent, written out with the low-level API: backward adds each
    // sample's gradient into `grads`, which is then averaged and applied (and cleared).
    let mut model = Linear::<D, 1, f64>::ZERO;
    let mut grads = Linear::<D, 1, f64>::ZERO;
    let mut optimizer = Sgd::new(LR);
    let n = train.len() as f64;
    for step in 0..=STEPS {
        let mut loss = 0.0;
        for (x, &t) in train.features.iter().zip(&train.targets) {
            let mut y = [0.0];
            model.forward(x, &mut y, &mut ());
            let mut d_y = [0.0];
            loss += Mse.loss_grad(&y, &[t], &mut d_y) / n;
            model.backward(x, &y, &d_y, &mut (), &mut grads, None);
        }
        grads.visit_mut(&mut |g| g.iter_mut().for_each(|g| *g /= n));
        if step % (STEPS / 5) == 0 {
            println!("step {step:>6}: training MSE {loss:>10.3}");
        }
        optimizer.step(&mut model, &mut grads); // also clears grads for the next pass
    }

    let exact = least_squares(&train)?;
    println!(
        "\n{:>8}  {:>14}  {:>14}",
        "weight", "gradient desc.", "closed form"
    );
    let names = [
        "age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6", "bias",
    ];
    let learned: Vec<f64> = model.weight[0].iter().chain(&model.bias).copied().collect();
    let mut worst: f64 = 0.0;
    for ((name, g), e) in names.iter().zip(&learned).zip(&exact) {
        println!("{name:>8}  {g:>14.4}  {e:>14.4}");
        worst = worst.max((g - e).abs() / e.abs().max(1.0));
    }
    let closed = |x: &[f64; D]| x.iter().zip(&exact).map(|(a, b)| a * b).sum::<f64>() + exact[D];
    let descent = |x: &[f64; D]| model.infer(x)[0];
    println!(
        "\n{:>9} {:>14.3}  {:>14.3}",
        "train MSE",
        mse(descent, &train),
        mse(closed, &train)
    );
    println!(
        "{:>9} {:>14.3}  {:>14.3}",
        "test MSE",
        mse(descent, &test),
        mse(closed, &test)
    );
    println!("\nlargest difference between the two answers: {worst:.2e} (relative to max(1, |w|))");

    // R squared of both, the closed form as a layer of its own.
    let weights: [f64; D] = core::array::from_fn(|i| exact[i]);
    let closed_form = Linear::<D, 1, f64>::from_parts([weights], [exact[D]]);
    let targets = test.target_rows();
    let r2_descent = r_squared(&model, &test.features, &targets)?;
    let r2_closed = r_squared(&closed_form, &test.features, &targets)?;
    println!("test R squared: gradient descent {r2_descent:.4}, closed form {r2_closed:.4}");
    if worst > 1e-3 || (r2_descent - r2_closed).abs() > 1e-6 {
        return Err("gradient descent did not reach the least-squares solution".into());
    }
    Ok(())
}

/// Runs the example; an error is printed as its message, not its `Debug` form.
fn main() -> std::process::ExitCode {
    support::exit(run())
}
