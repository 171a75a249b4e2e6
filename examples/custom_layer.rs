//! A layer the crate does not have, written outside it: Swish, `x * sigmoid(x)`.
//!
//! A layer is its local forward and backward passes plus two lines of bookkeeping; the tuple
//! models, `gradcheck`, `Trainer` and the optimizers then take it like any built-in layer.
//! The example checks Swish's backward pass against finite differences, then trains a network
//! that uses it.
//!
//! Run: `cargo run --release --example custom_layer`

mod support;

use typed_nn::describe::{Describe, summary};
use typed_nn::gradcheck::gradcheck;
use typed_nn::prelude::*;
use typed_nn::rand::{RngExt, SeedableRng, rngs::SmallRng};

/// Swish with beta = 1 (also called SiLU): `f(x) = x sigmoid(x)`, applied to every element of
/// a tensor of any shape. Ramachandran, Zoph and Le, "Searching for Activation Functions"
/// (2017), give its derivative as `f'(x) = f(x) + sigmoid(x) (1 - f(x))`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Swish;

// A function of `F: Float` has `exp`, `ln`, ... as methods. On a tensor's element type
// (`T::Elem` below) they need `use typed_nn::num_traits::Float as _;` in scope.
fn sigmoid<F: Float>(x: F) -> F {
    F::ONE / (F::ONE + (-x).exp_fast())
}

// The local forward pass. `T` is any tensor (a sample `[F; N]`, a batch `[[F; N]; B]`, ...),
// viewed as one flat slice; Swish keeps nothing for the backward pass beyond the input and
// output that every layer is handed back, so its cache is `()`.
impl<T: Tensor> Forward<T> for Swish {
    type Output = T;
    type Cache = ();
    const CACHE_FLOATS: usize = 0;

    fn infer(&self, x: &T) -> T {
        let mut y = T::ZERO;
        self.forward(x, &mut y, &mut ());
        y
    }

    fn forward(&self, x: &T, out: &mut T, _: &mut ()) {
        for (y, &x) in out.flat_mut().iter_mut().zip(x.flat()) {
            *y = x * sigmoid(x);
        }
    }
}

// The local backward pass: `d_x = d_out * f'(x)`. Swish has no parameters, so it adds nothing
// to `grads`; the first layer of a model is not asked for `d_x` (it is `None`).
impl<T: Tensor> Backward<T> for Swish {
    fn backward(&self, x: &T, out: &T, d_out: &T, _: &mut (), _: &mut Self, d_x: Option<&mut T>) {
        let Some(d_x) = d_x else { return };
        let (xs, ys, d_ys) = (x.flat(), out.flat(), d_out.flat());
        for (i, d_x) in d_x.flat_mut().iter_mut().enumerate() {
            let s = sigmoid(xs[i]);
            *d_x = d_ys[i] * (ys[i] + s * (<T::Elem as Float>::ONE - ys[i]));
        }
    }

    // No parameters, so nothing is added to `grads`: a model with this layer may have its
    // gradients written rather than added, which spares a trainer clearing them each step.
    const WRITES_GRADIENTS: bool = true;
}

// The bookkeeping of a layer without parameters: its zero value, and (from the crate's macro)
// nothing to count, visit, initialise or save.
impl Zero for Swish {
    const ZERO: Self = Swish;
}
typed_nn::parameterless!(Swish);
// What `describe::summary` and `describe::graph` say of it: the defaults (its type's name,
// no parameters) fit a layer without parameters.
impl<T: Tensor> Describe<T> for Swish {}

/// Learns `x0 * x1` on [-1, 1]^2, which no linear model can.
type Net<F = f32> = (
    Linear<2, 16, F>,
    Swish,
    Linear<16, 16, F>,
    Swish,
    Linear<16, 1, F>,
);

const BATCH: usize = 32;
const STEPS: usize = 3_000;
/// The largest disagreement with finite differences `gradcheck` may find (its own doc example
/// uses the same bound).
const MAX_GRADIENT_ERROR: f64 = 1e-6;
/// How much the training loss must fall, from the first batches to the last.
const MIN_LOSS_RATIO: f32 = 20.0;

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut rng = SmallRng::seed_from_u64(5);

    // 1. The backward pass against finite differences, in f64: Swish alone, then inside a
    //    model, on one sample and on a batch (every parameter and every input element).
    let mut worst: f64 = 0.0;
    let x: [f64; 6] = core::array::from_fn(|_| rng.random_range(-4.0..4.0));
    let target: [f64; 6] = core::array::from_fn(|_| rng.random_range(-1.0..1.0));
    worst = worst.max(gradcheck(&mut Swish, &x, &target, &Mse).worst_error);
    let mut net = Net::<f64>::ZERO;
    net.init(Scheme::Glorot, &mut rng);
    let sample = [0.7, -0.4];
    let one = gradcheck(&mut net, &sample, &[0.3], &Mse);
    let batch: [[f64; 2]; 4] =
        core::array::from_fn(|_| [rng.random_range(-1.0..1.0), rng.random_range(-1.0..1.0)]);
    let four = gradcheck(&mut net, &batch, &[[0.1], [-0.2], [0.5], [0.0]], &Mse);
    println!(
        "gradcheck: {} + {} gradients, worst relative error {:.1e}",
        one.checked,
        four.checked,
        one.worst_error.max(four.worst_error)
    );
    worst = worst.max(one.worst_error).max(four.worst_error);
    // `gradcheck` reports a NaN gradient as a NaN error.
    if worst.is_nan() || worst >= MAX_GRADIENT_ERROR {
        return Err(
            format!("Swish's gradients disagree with finite differences: {worst:.1e}").into(),
        );
    }

    // 2. Training with Adam, through `Trainer`, in f32.
    let mut net = Net::ZERO;
    net.init(Scheme::Glorot, &mut rng);
    println!("{}", summary::<[[f32; 2]; BATCH], _>(&net));
    let mut trainer = Trainer::<Net, [[f32; 2]; BATCH], _>::new(Adam::new(0.01));
    let (mut first, mut last) = (0.0, 0.0);
    for step in 0..STEPS {
        let xs: [[f32; 2]; BATCH] =
            core::array::from_fn(|_| [rng.random_range(-1.0..1.0), rng.random_range(-1.0..1.0)]);
        let ts = xs.map(|[a, b]| [a * b]);
        let loss = trainer.step(&mut net, &xs, &ts, &Mse)?;
        // The mean loss of the first and of the last 100 batches.
        if step < 100 {
            first += loss / 100.0;
        } else if step >= STEPS - 100 {
            last += loss / 100.0;
        }
    }
    println!(
        "training loss (MSE): {first:.2e} over the first 100 batches, {last:.2e} over the last 100"
    );
    println!(
        "net(0.5, -0.8) = {:.3} (0.5 * -0.8 = -0.4)",
        net.infer(&[0.5, -0.8])[0]
    );
    if last * MIN_LOSS_RATIO >= first {
        return Err(format!(
            "the loss fell from {first} to {last}: less than {MIN_LOSS_RATIO} times"
        )
        .into());
    }
    Ok(())
}

/// Runs the example; an error is printed as its message, not its `Debug` form.
fn main() -> std::process::ExitCode {
    support::exit(run())
}
