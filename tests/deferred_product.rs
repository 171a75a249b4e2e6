//! A trainer whose model's first weight gradient is one large product leaves it to the
//! update (`Backward::backward_deferred`): Adam computes it strip by strip inside its update
//! (`Optimizer::checked_step_deferred`), any other optimizer first. Either way every step is
//! the step of the plain order (the product, the check, the update) to the last bit: the
//! parameters, the gradients, Adam's moments, and which steps are refused.

use typed_nn::module::Pass;
use typed_nn::optim::{Adam, Optimizer, StepError};
use typed_nn::prelude::*;
use typed_nn::rand::{RngExt, SeedableRng, rngs::SmallRng};
use typed_nn::train::TrainError;

/// An optimizer without a `checked_step_deferred` of its own: the trait's default, which
/// computes the product into the gradients before the checked step.
struct Plain<O>(O);

impl<M, O: Optimizer<M>> Optimizer<M> for Plain<O> {
    const STATE_COPIES: usize = O::STATE_COPIES;
    const USES_SCAN: bool = O::USES_SCAN;
    fn step(&mut self, model: &mut M, grads: &mut M) {
        self.0.step(model, grads)
    }
    fn step_unzeroed(&mut self, model: &mut M, grads: &mut M) {
        self.0.step_unzeroed(model, grads)
    }
    fn check(&self, grads: &mut M) -> Result<(), StepError> {
        self.0.check(grads)
    }
    fn checked_step(&mut self, m: &mut M, g: &mut M, l: Option<f64>) -> Result<(), StepError> {
        self.0.checked_step(m, g, l)
    }
    fn checked_step_unzeroed(
        &mut self,
        m: &mut M,
        g: &mut M,
        l: Option<f64>,
    ) -> Result<(), StepError> {
        self.0.checked_step_unzeroed(m, g, l)
    }
}

/// Every value's bits, in order.
fn bits<F: Float, M: Params<F>>(model: &M) -> Vec<u64> {
    let mut all = Vec::new();
    model.visit(&mut |s| all.extend(s.iter().map(|v| v.as_f64().to_bits())));
    all
}

/// Asserts that two models hold the same bits, naming the first value that differs.
fn assert_same<F: Float, M: Params<F>>(a: &M, b: &M, what: &str) {
    let (a, b) = (bits(a), bits(b));
    if let Some(i) = (0..a.len()).find(|&i| a[i] != b[i]) {
        let (x, y) = (f64::from_bits(a[i]), f64::from_bits(b[i]));
        panic!("{what}: value {i} is {x} fused and {y} plain");
    }
}

/// Trains two copies of model `$net` on batches `$x` side by side, one with Adam and one
/// with `Plain(Adam)` (weight decay `$wd`), on ordinary batches, then on batches whose
/// products are NaN, too large for Adam's check, and large but within it; asserts after each
/// step that both did the same. `$init` sets the first copy's parameters.
macro_rules! same_steps {
    ($net:ty, $x:ty, $f:ty, $wd:expr, $refuses:expr, $init:expr) => {{
        let mut rng = SmallRng::seed_from_u64(11);
        let mut fused: Box<$net> = typed_nn::boxed::zeroed();
        let init: fn(&mut $net, &mut SmallRng) = $init;
        init(&mut fused, &mut rng);
        // A copy made on the heap: `clone` would build the model on the stack first.
        let mut plain: Box<$net> = typed_nn::boxed::zeroed();
        let mut values = Vec::new();
        fused.visit(&mut |s| values.extend_from_slice(s));
        let mut at = 0;
        plain.visit_mut(&mut |s| {
            s.copy_from_slice(&values[at..at + s.len()]);
            at += s.len();
        });
        let mut adam = Adam::<$net, $f>::boxed(1e-3);
        adam.weight_decay = $wd;
        let mut plain_adam = Adam::<$net, $f>::boxed(1e-3);
        plain_adam.weight_decay = $wd;
        let mut a = Trainer::<$net, $x, _>::boxed(adam);
        let mut b = Trainer::<$net, $x, _>::boxed(Plain(plain_adam));
        let targets = core::array::from_fn(|i| i % 3);
        let scales = [1.0, f64::NAN, 1e30, 1e6];
        let (mut updates, mut refused) = (0, 0);
        for (step, scale) in scales.into_iter().enumerate() {
            let mut x: Box<$x> = typed_nn::boxed::zeroed();
            for v in x.flat_mut() {
                *v = <$f>::from_f64(rng.random::<f64>() * scale);
            }
            let ra = a.step(&mut fused, &x, &targets, &SoftmaxCrossEntropy);
            let rb = b.step(&mut plain, &x, &targets, &SoftmaxCrossEntropy);
            let label = format!("step {step} (inputs up to {scale})");
            assert_eq!(format!("{ra:?}"), format!("{rb:?}"), "{label}");
            assert!(
                ra.is_ok() || scale.is_nan() || scale > 1.0,
                "{label}: {ra:?}"
            );
            assert!(ra.is_err() || !scale.is_nan(), "{label}: {ra:?}");
            refused += usize::from(matches!(ra, Err(TrainError::Refused { .. })));
            updates += usize::from(ra.is_ok());
            assert_same(&*fused, &*plain, &format!("parameters after {label}"));
            assert_same(&a.grads, &b.grads, &format!("gradients after {label}"));
            let (sa, sb) = (&a.optimizer, &b.optimizer.0);
            assert_eq!(sa.t, sb.t, "steps counted after {label}");
            assert_same(&sa.m, &sb.m, &format!("first moments after {label}"));
            assert_same(&sa.v, &sb.v, &format!("second moments after {label}"));
        }
        // The NaN step is refused; the refused steps counted no update.
        assert!(updates <= 3);
        assert_eq!(a.optimizer.t as usize, updates);
        // With ReLU, inputs of 1e30 give gradients beyond Adam's check in `f32`.
        assert_eq!(
            refused > 0,
            $refuses,
            "steps refused by the check: {refused}"
        );
    }};
}

// Fused from 2^20 weights (`kernels::fused_update`): every model below has at least that
// many in its first layer. Batches of 16 (every product at least 2^20 multiply-adds, so
// blocked) keep a debug build's steps quick.

#[test]
fn widths_off_the_register_tile() {
    // 1051 rows (not a multiple of 6) by 1000 columns (not a multiple of 16).
    type Net = (Linear<1000, 1051>, ReLU, Linear<1051, 10>);
    same_steps!(Net, [[f32; 1000]; 16], f32, 0.0, true, |net, rng| {
        net.0.init(Scheme::He, rng);
        net.2.init(Scheme::Glorot, rng);
    });
}

#[test]
fn in_f64() {
    type Net = (Linear<1024, 1025, f64>, Sigmoid, Linear<1025, 3, f64>);
    same_steps!(Net, [[f64; 1024]; 16], f64, 0.0, false, |net, rng| {
        net.0.init(Scheme::Glorot, rng);
        net.2.init(Scheme::Glorot, rng);
    });
}

#[test]
fn at_the_smallest_fused_width_split_between_threads() {
    // Exactly 2^20 weights; 64 x 2^20 multiply-adds, so that with the feature `parallel` two
    // threads take halves of the columns, each updating its own.
    type Net = (Linear<1024, 1024>, ReLU, Linear<1024, 10>);
    same_steps!(Net, [[f32; 1024]; 64], f32, 0.0, true, |net, rng| {
        net.0.init(Scheme::He, rng);
        net.2.init(Scheme::Glorot, rng);
    });
}

/// Whether a `Linear<$in, $out>`'s pass defers its weight gradient, for a batch of 64.
macro_rules! defers {
    ($in:literal, $out:literal, $write:expr) => {{
        let layer: Box<Linear<$in, $out>> = typed_nn::boxed::zeroed();
        let x: Box<[[f32; $in]; 64]> = typed_nn::boxed::zeroed();
        let out: Box<[[f32; $out]; 64]> = typed_nn::boxed::zeroed();
        let mut grads: Box<Linear<$in, $out>> = typed_nn::boxed::zeroed();
        let mut cache = ();
        let pass = Pass {
            scan: true,
            write: $write,
        };
        let (scan, deferred) =
            layer.backward_deferred(&*x, &*out, &*out, &mut cache, &mut grads, pass);
        // The scan covers the bias gradients, zero here.
        assert_eq!(scan, Some(0.0));
        deferred.is_some()
    }};
}

#[test]
fn the_product_is_deferred_from_two_to_the_twenty_weights() {
    assert!(defers!(1024, 1024, true));
    // One row fewer: 2^20 - 1024 weights.
    assert!(!defers!(1024, 1023, true));
    // Only a pass that writes the gradients defers: one that adds keeps its product.
    assert!(!defers!(1024, 1024, false));
}

#[test]
fn behind_a_flatten_in_a_nested_chain_with_weight_decay() {
    // The first layer with parameters inside a nested chain, behind a `Flatten`: its weights
    // are still the model's first parameters.
    type Net = ((Flatten<1024>, Linear<1024, 1024>), Tanh, Linear<1024, 10>);
    const { assert!(<Net as Backward<[[[f32; 32]; 32]; 16]>>::DEFERS) };
    same_steps!(Net, [[[f32; 32]; 32]; 16], f32, 0.01, false, |net, rng| {
        net.0.1.init(Scheme::Glorot, rng);
        net.2.init(Scheme::Glorot, rng);
    });
}
