//! A layer with parameters, written outside the crate: `Affine`, a scale and a shift for each
//! feature, `y = a * x + b` (the learned part of a normalisation layer).
//!
//! Beside its forward and backward passes, a layer with parameters states where they are:
//! its zero value, how many there are, the slices that hold them (`Params`, walked the same
//! way by every method), how to initialise them, and their names and shapes in a file
//! (`Tensors`). The example checks all of it with `gradcheck`, trains a network that uses the
//! layer, and saves and reloads it as safetensors.
//!
//! Run: `cargo run --release --example custom_params`

mod support;

use typed_nn::gradcheck::gradcheck;
use typed_nn::io::{TensorShape, Tensors, safetensors};
use typed_nn::prelude::*;
use typed_nn::rand::{Rng, RngExt, SeedableRng, rngs::SmallRng};

/// `y[i] = a[i] x[i] + b[i]` for each of `N` features.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Affine<const N: usize, F = f32> {
    a: [F; N],
    b: [F; N],
}

impl<const N: usize, F: Float> Zero for Affine<N, F> {
    const ZERO: Self = Affine {
        a: [F::ZERO; N],
        b: [F::ZERO; N],
    };
}

impl<const N: usize, F> ParamCount for Affine<N, F> {
    const PARAM_COUNT: usize = 2 * N;
}

/// The slices `a` then `b`, in every walk: `gradcheck` panics if the walks or the count
/// disagree.
impl<const N: usize, F: Float> Params<F> for Affine<N, F> {
    fn visit(&self, f: &mut impl FnMut(&[F])) {
        f(&self.a);
        f(&self.b);
    }
    fn visit_mut(&mut self, f: &mut impl FnMut(&mut [F])) {
        f(&mut self.a);
        f(&mut self.b);
    }
    fn zip_mut<const K: usize>(
        &mut self,
        mut others: [&mut Self; K],
        f: &mut impl FnMut(&mut [F], [&mut [F]; K]),
    ) {
        f(&mut self.a, others.each_mut().map(|o| &mut o.a[..]));
        f(&mut self.b, others.each_mut().map(|o| &mut o.b[..]));
    }
}

/// Starts as the identity, as normalisation layers do.
impl<const N: usize, F: Float> Init for Affine<N, F> {
    fn init<R: Rng + ?Sized>(&mut self, _: Scheme, _: &mut R) {
        *self = Affine {
            a: [F::ONE; N],
            b: [F::ZERO; N],
        };
    }
}

/// PyTorch's names for the same parameters in `nn.LayerNorm`: `weight` and `bias`.
impl<const N: usize, F> Tensors for Affine<N, F> {
    fn tensors(layer: &mut dyn FnMut(&'static str, &[TensorShape])) {
        let shapes = [
            TensorShape::new("weight", &[N]),
            TensorShape::new("bias", &[N]),
        ];
        layer(core::any::type_name::<Self>(), &shapes);
    }
}

impl<const N: usize, F: Float> Affine<N, F> {
    /// The forward pass over rows of `N` features (one row for a sample, `B` for a batch).
    fn rows_forward(&self, x: &[F], y: &mut [F]) {
        for (y, x) in y.chunks_exact_mut(N).zip(x.chunks_exact(N)) {
            for i in 0..N {
                y[i] = self.a[i] * x[i] + self.b[i];
            }
        }
    }

    /// The backward pass over the same rows. Gradients are added to, as every layer's are:
    /// a batch's rows sum.
    fn rows_backward(&self, x: &[F], d_out: &[F], grads: &mut Self, d_x: Option<&mut [F]>) {
        for (x, dy) in x.chunks_exact(N).zip(d_out.chunks_exact(N)) {
            for i in 0..N {
                grads.a[i] += dy[i] * x[i];
                grads.b[i] += dy[i];
            }
        }
        if let Some(d_x) = d_x {
            for (dx, dy) in d_x.chunks_exact_mut(N).zip(d_out.chunks_exact(N)) {
                for i in 0..N {
                    dx[i] = dy[i] * self.a[i];
                }
            }
        }
    }
}

/// One sample, `[F; N]`, and a batch of them, `[[F; N]; B]`: the same rows, two impls each.
macro_rules! affine_passes {
    ($(<$($b:ident),*> $x:ty;)*) => {$(
        impl<const N: usize, F: Float $(, const $b: usize)*> Forward<$x> for Affine<N, F> {
            type Output = $x;
            type Cache = ();
            const CACHE_FLOATS: usize = 0;
            fn infer(&self, x: &$x) -> $x {
                let mut y = *x;
                self.rows_forward(x.flat(), y.flat_mut());
                y
            }
            fn forward(&self, x: &$x, out: &mut $x, _: &mut ()) {
                self.rows_forward(x.flat(), out.flat_mut());
            }
        }

        impl<const N: usize, F: Float $(, const $b: usize)*> Backward<$x> for Affine<N, F> {
            fn backward(
                &self,
                x: &$x,
                _: &$x,
                d_out: &$x,
                _: &mut (),
                grads: &mut Self,
                d_x: Option<&mut $x>,
            ) {
                let d_x = d_x.map(|d| d.flat_mut());
                self.rows_backward(x.flat(), d_out.flat(), grads, d_x);
            }
        }
    )*};
}

affine_passes! {
    <> [F; N];
    <B> [[F; N]; B];
}

/// Learns `sin(x0) + x1^2` on [-1, 1]^2, with an `Affine` between the hidden layers.
type Net<F = f32> = (Linear<2, 16, F>, Tanh, Affine<16, F>, Linear<16, 1, F>);

const BATCH: usize = 32;
const STEPS: usize = 3_000;
/// The largest disagreement with finite differences `gradcheck` may find.
const MAX_GRADIENT_ERROR: f64 = 1e-6;
/// How much the training loss must fall, from the first batches to the last.
const MIN_LOSS_RATIO: f32 = 20.0;

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut rng = SmallRng::seed_from_u64(9);

    // 1. Every gradient against finite differences, in f64: the layer alone (its 2N
    //    parameters and N inputs), then the whole network on a batch.
    let mut layer = Affine::<4, f64> {
        a: [0.5, -1.5, 2.0, 1.0],
        b: [0.1, 0.0, -0.3, 0.7],
    };
    let alone = gradcheck(
        &mut layer,
        &[0.3, -0.7, 1.1, 0.0],
        &[1.0, 0.0, 0.5, -1.0],
        &Mse,
    );
    let mut net = Net::<f64>::ZERO;
    net.init(Scheme::Glorot, &mut rng);
    net.2.a = core::array::from_fn(|_| rng.random_range(0.5..1.5));
    let batch: [[f64; 2]; 4] =
        core::array::from_fn(|_| [rng.random_range(-1.0..1.0), rng.random_range(-1.0..1.0)]);
    let whole = gradcheck(&mut net, &batch, &[[0.1], [-0.2], [0.5], [0.0]], &Mse);
    let worst = alone.worst_error.max(whole.worst_error);
    println!(
        "gradcheck: {} + {} gradients, worst relative error {worst:.1e}",
        alone.checked, whole.checked
    );
    if worst.is_nan() || worst >= MAX_GRADIENT_ERROR {
        return Err(
            format!("Affine's gradients disagree with finite differences: {worst:.1e}").into(),
        );
    }

    // 2. Training with Adam, in f32.
    let mut net = Net::ZERO;
    net.init(Scheme::Glorot, &mut rng);
    let mut trainer = Trainer::<Net, [[f32; 2]; BATCH], _>::new(Adam::new(0.01));
    let (mut first, mut last) = (0.0, 0.0);
    for step in 0..STEPS {
        let xs: [[f32; 2]; BATCH] =
            core::array::from_fn(|_| [rng.random_range(-1.0..1.0), rng.random_range(-1.0..1.0)]);
        let ts = xs.map(|[a, b]| [a.sin() + b * b]);
        let loss = trainer.step(&mut net, &xs, &ts, &Mse)?;
        if step < 100 {
            first += loss / 100.0;
        } else if step >= STEPS - 100 {
            last += loss / 100.0;
        }
    }
    println!(
        "training loss (MSE): {first:.2e} over the first 100 batches, {last:.2e} over the last 100"
    );
    if last * MIN_LOSS_RATIO >= first {
        return Err(format!(
            "the loss fell from {first} to {last}: less than {MIN_LOSS_RATIO} times"
        )
        .into());
    }

    // 3. Saved as PyTorch names them (`2.weight`, `2.bias` for the Affine), and read back.
    let bytes = safetensors::to_bytes(&net)?;
    let mut reloaded = Net::ZERO;
    safetensors::load(&bytes, &mut reloaded)?;
    let header = safetensors::Header::parse(&bytes)?;
    let names = [
        "0.weight", "0.bias", "2.weight", "2.bias", "3.weight", "3.bias",
    ];
    if reloaded != net || names.iter().any(|n| !matches!(header.find(n), Ok(Some(_)))) {
        return Err("the safetensors round trip lost something".into());
    }
    println!(
        "safetensors: {} bytes, tensors {}, read back equal",
        bytes.len(),
        names.join(", ")
    );
    Ok(())
}

/// Runs the example; an error is printed as its message, not its `Debug` form.
fn main() -> std::process::ExitCode {
    support::exit(run())
}
