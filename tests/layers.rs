//! Layer behaviour beyond gradients: inference equals the training forward pass, a batch
//! equals its samples one by one, and values match their definitions.

mod common;

use common::{random, rng};
use typed_nn::prelude::*;

type Net = (Linear<4, 5, f64>, Sigmoid, Linear<5, 5, f64>, Softmax);

fn net() -> Net {
    let mut r = rng(1);
    (
        Linear::glorot(&mut r),
        Sigmoid,
        Linear::glorot(&mut r),
        Softmax,
    )
}

#[test]
fn inference_equals_training_forward() {
    let net = net();
    let x: [[f64; 4]; 3] = random(&mut rng(2), 1.0);
    let mut out = [[0.0; 5]; 3];
    let mut cache = <Net as Forward<[[f64; 4]; 3]>>::Cache::ZERO;
    net.forward(&x, &mut out, &mut cache);
    assert_eq!(net.infer(&x), out);
    // The cache holds the intermediate activations.
    assert_eq!(cache.0.out, net.0.infer(&x));
    assert_eq!(cache.1.out, Sigmoid.infer(&cache.0.out));
}

#[test]
fn a_batch_equals_its_samples() {
    let net = net();
    let x: [[f64; 4]; 3] = random(&mut rng(3), 1.0);
    let batch = net.infer(&x);
    for (xi, yi) in x.iter().zip(&batch) {
        assert_eq!(&net.infer(xi), yi);
    }
}

#[test]
fn batch_gradients_are_the_sum_of_sample_gradients() {
    let net = net();
    let x: [[f64; 4]; 2] = random(&mut rng(4), 1.0);
    let d: [[f64; 5]; 2] = random(&mut rng(5), 1.0);
    let mut batch_grads = Net::ZERO;
    let mut out = [[0.0; 5]; 2];
    let mut cache = <Net as Forward<[[f64; 4]; 2]>>::Cache::ZERO;
    let mut dx = [[0.0; 4]; 2];
    net.forward(&x, &mut out, &mut cache);
    net.backward(&x, &out, &d, &mut cache, &mut batch_grads, Some(&mut dx));

    let mut sample_grads = Net::ZERO;
    for i in 0..2 {
        let mut out1 = [0.0; 5];
        let mut cache1 = <Net as Forward<[f64; 4]>>::Cache::ZERO;
        let mut dx1 = [0.0; 4];
        net.forward(&x[i], &mut out1, &mut cache1);
        net.backward(
            &x[i],
            &out1,
            &d[i],
            &mut cache1,
            &mut sample_grads,
            Some(&mut dx1),
        );
        for (a, b) in dx1.iter().zip(&dx[i]) {
            assert!((a - b).abs() < 1e-14);
        }
    }
    for i in 0..Net::PARAM_COUNT {
        let (a, b) = (
            batch_grads.param(i).unwrap(),
            sample_grads.param(i).unwrap(),
        );
        assert!((a - b).abs() < 1e-14, "parameter {i}: {a} vs {b}");
    }
}

#[test]
fn linear_computes_w_x_plus_b() {
    let layer = Linear::<3, 2>::from_parts([[1.0, 2.0, 3.0], [-1.0, 0.0, 1.0]], [0.5, -0.5]);
    assert_eq!(layer.infer(&[1.0, 1.0, 1.0]), [6.5, -0.5]);
    assert_eq!(layer.infer(&[[0.0, 0.0, 2.0]]), [[6.5, 1.5]]);
}

#[test]
fn activations_match_their_definitions() {
    let x = [-2.0f64, -0.5, 0.0, 0.5, 2.0];
    let s = Sigmoid.infer(&x);
    let t = Tanh.infer(&x);
    let r = ReLU.infer(&x);
    let l = LeakyReLU::new(0.2).infer(&x);
    for i in 0..5 {
        assert!((s[i] - 1.0 / (1.0 + (-x[i]).exp())).abs() < 1e-15);
        assert!((t[i] - x[i].tanh()).abs() < 1e-15);
        assert_eq!(r[i], x[i].max(0.0));
        assert_eq!(l[i], if x[i] > 0.0 { x[i] } else { 0.2 * x[i] });
    }
    assert_eq!(Identity.infer(&x), x);
    assert_eq!(LeakyReLU::default().slope, 0.01);
    assert_eq!(LeakyReLU::ZERO, LeakyReLU::default());
}

#[test]
fn softmax_rows_are_distributions_even_for_huge_logits() {
    let p = Softmax.infer(&[[1e4f32, -1e4, 0.0], [3.0, 1.0, 0.2], [-1e4, -1e4, -1e4]]);
    for row in &p {
        assert!(row.iter().all(|v| v.is_finite() && *v >= 0.0));
        assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-6);
    }
    assert_eq!(p[0], [1.0, 0.0, 0.0]);
    assert!(p[1][0] > p[1][1] && p[1][1] > p[1][2]);
}

#[test]
fn flatten_is_row_major_and_its_backward_undoes_it() {
    let x = [[[1.0f64, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]];
    let y = Flatten::<4>.infer(&x);
    assert_eq!(y, [[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]]);
    let mut dx = [[[0.0; 2]; 2]; 2];
    Flatten::<4>.backward(&x, &y, &y, &mut (), &mut Flatten, Some(&mut dx));
    assert_eq!(dx, x);
}

#[test]
fn a_model_can_be_a_static_and_infer_from_it() {
    static NET: (Linear<2, 2>, ReLU, Linear<2, 1>) = (
        Linear::from_parts([[1.0, -1.0], [-1.0, 1.0]], [0.0, 0.0]),
        ReLU,
        Linear::from_parts([[1.0, 1.0]], [0.0]),
    );
    // |a - b| with two ReLUs.
    assert_eq!(NET.infer(&[3.0, 5.0]), [2.0]);
    assert_eq!(NET.infer(&[5.0, 3.0]), [2.0]);
}

/// A layer with a fixed scale of any float type and a const switch of another type than
/// `usize`: `parameterless!` takes its generics in brackets, whatever their names (`R` and
/// `K` included, the names a rand generator and a count most often have).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Scaled<R, const K: bool> {
    scale: R,
}

impl<R: Float, const K: bool> Zero for Scaled<R, K> {
    const ZERO: Self = Scaled { scale: R::ZERO };
}

typed_nn::parameterless!([R: Float, const K: bool] Scaled<R, K>);

impl<R: Float, const K: bool, T: Tensor<Elem = R>> Forward<T> for Scaled<R, K> {
    type Output = T;
    type Cache = ();
    const CACHE_FLOATS: usize = 0;
    fn infer(&self, x: &T) -> T {
        let mut out = *x;
        for v in out.flat_mut() {
            *v *= self.scale;
            if K {
                *v = v.min(R::ONE);
            }
        }
        out
    }
    fn forward(&self, x: &T, out: &mut T, _: &mut ()) {
        *out = self.infer(x);
    }
}

#[test]
fn a_parameterless_layer_may_have_any_generics() {
    type Model = (Linear<2, 3>, Scaled<f32, true>, Linear<3, 1>);
    assert_eq!(Model::PARAM_COUNT, 2 * 3 + 3 + 3 + 1);
    assert_eq!(<Scaled<f64, false>>::PARAM_COUNT, 0);
    let mut model: Model = Model::ZERO;
    model.init(Scheme::Glorot, &mut rng(3));
    model.1 = Scaled { scale: 4.0 };
    // The clip holds every hidden value at 1 or below.
    let hidden = model.1.infer(&model.0.infer(&[100.0, 100.0]));
    assert!(hidden.iter().all(|&h| h <= 1.0), "{hidden:?}");
    let mut visited = 0;
    model.visit(&mut |s| visited += s.len());
    assert_eq!(visited, Model::PARAM_COUNT);
}
