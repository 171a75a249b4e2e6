//! The largest gradient a backward pass reports (`Backward::backward_scanned`), on which the
//! trainer's check of a large model relies, against a plain pass over the gradients: on every
//! path a `Linear` layer's weight gradient takes (compiled into the call site, the library's
//! products, the product blocked for the caches, with edge tiles on both sides), in both float
//! types, through a model, and with NaN and infinities in the data.

mod common;

use common::rng;
use rand::RngExt;
use typed_nn::boxed::{ZeroBits, zeroed};
use typed_nn::module::Pass;
use typed_nn::prelude::*;
use typed_nn::{Backward, Float};

/// The largest magnitude among `grads`, NaN when one is NaN.
fn plain_largest<F: Float, M: Params<F>>(grads: &M) -> f64 {
    let mut largest = 0.0f64;
    grads.visit(&mut |s| {
        for v in s {
            let v = v.as_f64().abs();
            largest = if largest.is_nan() || v.is_nan() {
                f64::NAN
            } else {
                largest.max(v)
            };
        }
    });
    largest
}

fn bits<F: Float, M: Params<F>>(m: &M) -> Vec<u64> {
    let mut out = Vec::new();
    m.visit(&mut |s| out.extend(s.iter().map(|v| v.as_f64().to_bits())));
    out
}

/// The values of `m` as bits, with every zero as +0 and every NaN alike: a gradient written
/// is the sum itself, where one added to zero is `0 + sum` (+0 for a sum of -0).
fn values<F: Float, M: Params<F>>(m: &M) -> Vec<u64> {
    let mut out = Vec::new();
    m.visit(&mut |s| {
        out.extend(s.iter().map(|v| match v.as_f64() {
            0.0 => 0,
            v if v.is_nan() => f64::NAN.to_bits(),
            v => v.to_bits(),
        }))
    });
    out
}

/// Runs the backward pass on `x` three ways (plain, scanned, asked not to scan) from the same
/// non-zero gradients, and checks that all three add the same gradients and that the scanned
/// one reports their largest magnitude; then asked to write its gradients over those values,
/// scanned and not, and checks that it writes what a plain pass adds to zero. `poison` puts a
/// value into the input, or (negative index) into the output's gradient.
fn scan_agrees<F, M, X>(model: &M, x_in: &X, poison: Option<(isize, F)>)
where
    F: Float,
    M: Backward<X> + Params<F> + ZeroBits,
    X: Tensor<Elem = F> + ZeroBits,
    M::Output: Tensor<Elem = F> + ZeroBits,
    M::Cache: ZeroBits,
{
    let mut r = rng(7);
    // Everything on the heap: the largest case is megabytes, on a test's thread.
    let mut x: Box<X> = zeroed();
    x.flat_mut().copy_from_slice(x_in.flat());
    let mut d_out: Box<M::Output> = zeroed();
    for v in d_out.flat_mut() {
        *v = F::from_f64(r.random_range(-1.0..1.0));
    }
    match poison {
        Some((at, value)) if at >= 0 => x.flat_mut()[at as usize] = value,
        Some((at, value)) => d_out.flat_mut()[(-at - 1) as usize] = value,
        None => {}
    }
    let mut start: Box<M> = zeroed();
    let mut i = 0.0;
    start.visit_mut(&mut |s| {
        for v in s {
            i += 1.0;
            *v = F::from_f64(0.01 * f64::sin(i));
        }
    });
    let pass = |how: Option<Pass>, from_zero: bool| {
        let (mut out, mut cache): (Box<M::Output>, Box<M::Cache>) = (zeroed(), zeroed());
        model.forward(&x, &mut out, &mut cache);
        let mut grads: Box<M> = zeroed();
        let mut values = Vec::new();
        start.visit(&mut |s| values.extend_from_slice(s));
        let mut at = 0;
        if !from_zero {
            grads.visit_mut(&mut |s| {
                s.copy_from_slice(&values[at..at + s.len()]);
                at += s.len();
            });
        }
        let (x, d_out) = (&*x, &*d_out);
        let largest = match how {
            None => {
                model.backward(x, &out, d_out, &mut cache, &mut grads, None);
                None
            }
            Some(how) => model.backward_scanned(x, &out, d_out, &mut cache, &mut grads, None, how),
        };
        (grads, largest)
    };
    let (plain, _) = pass(None, false);
    let (unscanned, none) = pass(Some(Pass::default()), false);
    let scan = Pass {
        scan: true,
        write: false,
    };
    let (scanned, largest) = pass(Some(scan), false);
    assert_eq!(none, None, "asked not to scan");
    assert_eq!(bits(&*unscanned), bits(&*plain));
    assert_eq!(bits(&*scanned), bits(&*plain));

    assert!(
        M::WRITES_GRADIENTS,
        "every built-in layer writes its gradients"
    );
    let (from_zero, _) = pass(None, true);
    for scan in [false, true] {
        let (written, found) = pass(Some(Pass { scan, write: true }), false);
        assert_eq!(
            values(&*written),
            values(&*from_zero),
            "written, scan {scan}"
        );
        if scan {
            let want = plain_largest(&*from_zero);
            let got = found.expect("a built-in model scans");
            let agrees = if want.is_finite() {
                got == want
            } else {
                !got.is_finite()
            };
            assert!(agrees, "written: scanned {got}, plain {want} ({poison:?})");
        }
    }
    let (want, got) = (
        plain_largest(&*plain),
        largest.expect("a built-in model scans"),
    );
    // Exact while every gradient is finite (and far from the largest float, as here);
    // otherwise not finite either (the blocked product reports an infinity as NaN).
    let agrees = if want.is_finite() {
        got == want
    } else {
        !got.is_finite()
    };
    assert!(agrees, "scanned {got}, plain {want} ({poison:?})");
}

fn every_poison<F, M, X>(model: &M, x: &X)
where
    F: Float,
    M: Backward<X> + Params<F> + ZeroBits,
    X: Tensor<Elem = F> + ZeroBits,
    M::Output: Tensor<Elem = F> + ZeroBits,
    M::Cache: ZeroBits,
{
    scan_agrees(model, x, None);
    let last = X::LEN as isize - 1;
    for poison in [
        (0, F::nan()),
        (last, F::infinity()),
        (last / 2, F::from_f64(-3e30)),
        (-1, F::nan()),
    ] {
        scan_agrees(model, x, Some(poison));
    }
}

fn random_input<X: Tensor + ZeroBits>(seed: u64) -> Box<X>
where
    X::Elem: Float,
{
    let mut r = rng(seed);
    let mut x: Box<X> = zeroed();
    for v in x.flat_mut() {
        *v = X::Elem::from_f64(r.random_range(-2.0..2.0));
    }
    x
}

fn layer<const IN: usize, const OUT: usize, F: Float>(seed: u64) -> Box<Linear<IN, OUT, F>> {
    let mut layer: Box<Linear<IN, OUT, F>> = typed_nn::boxed::zeroed();
    layer.init(Scheme::Glorot, &mut rng(seed));
    layer
}

#[test]
fn a_small_layer_compiled_into_its_call_site_reports_its_largest_gradient() {
    let x: Box<[[f32; 3]; 2]> = random_input(1);
    every_poison(&*layer::<3, 5, f32>(1), &*x);
    let x: Box<[f64; 3]> = random_input(2);
    every_poison(&*layer::<3, 5, f64>(2), &*x);
}

#[test]
fn a_layer_on_the_librarys_products_reports_its_largest_gradient() {
    let x: Box<[[f32; 64]; 32]> = random_input(3);
    every_poison(&*layer::<64, 32, f32>(3), &*x);
}

/// 150 x 100 x 70 and 900 x 40 x 30 are past 2^20 multiply-adds: the blocked product, whose
/// register tiles (6 x 16 for `f32` with AVX2) leave edges on both sides of the output.
#[test]
fn a_layer_on_the_blocked_product_reports_its_largest_gradient_with_its_edges() {
    let x: Box<[[f32; 100]; 150]> = random_input(4);
    every_poison(&*layer::<100, 70, f32>(4), &*x);
    let x: Box<[[f64; 40]; 900]> = random_input(5);
    every_poison(&*layer::<40, 30, f64>(5), &*x);
}

#[test]
fn a_model_reports_the_largest_gradient_of_all_its_layers() {
    type Net = (Linear<100, 70>, ReLU, Linear<70, 9>, Sigmoid);
    let mut net: Box<Net> = typed_nn::boxed::zeroed();
    net.init(Scheme::He, &mut rng(6));
    let x: Box<[[f32; 100]; 150]> = random_input(6);
    every_poison(&*net, &*x);
}

/// 64 x 512 x 256 is 2^23 multiply-adds: with the feature `parallel`, the blocked product's
/// columns are split between two threads, each scanning its own half.
#[test]
fn a_layer_split_between_threads_reports_its_largest_gradient() {
    let x: Box<[[f32; 512]; 64]> = random_input(8);
    every_poison(&*layer::<512, 256, f32>(8), &*x);
}
