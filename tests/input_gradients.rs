//! A model asks a layer for the gradient of its input only when something reads it: a layer
//! before it with parameters, or the model's caller (`Backward::HAS_PARAMETERS`).

use std::cell::Cell;

use typed_nn::prelude::*;

/// Passes its input through, and records whether its backward pass was asked for `d_x`.
/// `LEARNS` is what it says of itself; it has no parameters either way.
#[derive(Default)]
struct Probe<const LEARNS: bool> {
    asked: Cell<Option<bool>>,
}

impl<T: Tensor + Copy, const LEARNS: bool> Forward<T> for Probe<LEARNS> {
    type Output = T;
    type Cache = ();
    const CACHE_FLOATS: usize = 0;
    fn infer(&self, x: &T) -> T {
        *x
    }
    fn forward(&self, x: &T, out: &mut T, _: &mut ()) {
        *out = *x;
    }
}

impl<T: Tensor + Copy, const LEARNS: bool> Backward<T> for Probe<LEARNS> {
    fn backward(&self, _: &T, _: &T, d_out: &T, _: &mut (), _: &mut Self, d_x: Option<&mut T>) {
        self.asked.set(Some(d_x.is_some()));
        if let Some(d_x) = d_x {
            *d_x = *d_out;
        }
    }
    const HAS_PARAMETERS: bool = LEARNS;
}

/// Runs the model's forward and backward passes on one batch, asking for the input's
/// gradient when `want_dx`; returns it.
fn run<M>(model: &M, grads: &mut M, x: &[[f32; 6]; 2], want_dx: bool) -> [[f32; 6]; 2]
where
    M: Backward<[[f32; 6]; 2], Output = [[f32; 2]; 2]>,
    M::Cache: Zero,
{
    let mut cache = M::Cache::ZERO;
    let mut out = [[0.0; 2]; 2];
    model.forward(x, &mut out, &mut cache);
    let mut dx = [[7.0; 6]; 2];
    let d_x = want_dx.then_some(&mut dx);
    model.backward(x, &out, &[[1.0, -1.0]; 2], &mut cache, grads, d_x);
    dx
}

fn linear() -> Linear<6, 2> {
    let weight = [
        [0.5, -1.0, 0.25, 2.0, -0.5, 1.0],
        [1.5, 0.5, -2.0, 0.0, 1.0, -1.0],
    ];
    Linear::from_parts(weight, [0.1, -0.2])
}

const X: [[f32; 6]; 2] = [
    [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
    [-1.0, 0.5, 0.0, 2.0, -3.0, 1.0],
];

#[test]
fn layers_without_parameters_in_front_are_not_sent_a_gradient() {
    let model = (
        Probe::<false>::default(),
        Probe::<false>::default(),
        linear(),
    );
    let mut grads = (Probe::default(), Probe::default(), Linear::ZERO);
    run(&model, &mut grads, &X, false);
    assert_eq!(model.0.asked.get(), Some(false));
    assert_eq!(model.1.asked.get(), Some(false));
    // The parameter gradients are whole: dW = dy^T x with dy = [1, -1] on each row.
    let column_sums: Vec<f32> = (0..6).map(|j| X[0][j] + X[1][j]).collect();
    assert_eq!(grads.2.weight[0].to_vec(), column_sums);
    assert_eq!(grads.2.bias, [2.0, -2.0]);
}

#[test]
fn a_layer_with_parameters_in_front_is_sent_its_gradient() {
    // The second probe says it learns: the layer after it is asked for the gradient of its
    // input, which is the second probe's output; the probes in front of it are not asked.
    let model = (
        Probe::<false>::default(),
        Probe::<true>::default(),
        Probe::<false>::default(),
        linear(),
    );
    let mut grads = (
        Probe::default(),
        Probe::default(),
        Probe::default(),
        Linear::ZERO,
    );
    run(&model, &mut grads, &X, false);
    assert_eq!(model.2.asked.get(), Some(true));
    assert_eq!(model.1.asked.get(), Some(false));
    assert_eq!(model.0.asked.get(), Some(false));
}

#[test]
fn the_callers_request_reaches_every_layer() {
    let model = (
        Probe::<false>::default(),
        Probe::<false>::default(),
        linear(),
    );
    let mut grads = (Probe::default(), Probe::default(), Linear::ZERO);
    let dx = run(&model, &mut grads, &X, true);
    assert_eq!(model.0.asked.get(), Some(true));
    assert_eq!(model.1.asked.get(), Some(true));
    // dx = dy W = [1, -1] W on each row.
    let w = linear().weight;
    let expected: Vec<f32> = (0..6).map(|j| w[0][j] - w[1][j]).collect();
    assert_eq!(dx[0].to_vec(), expected);
    assert_eq!(dx[1].to_vec(), expected);
}

#[test]
fn a_flattening_model_learns_as_the_flat_one() {
    // The same weights behind a `Flatten` of 2 x 3 images and on flat rows: the same
    // gradients, with the first `Linear` not asked for its input's gradient in the first.
    type Images = [[[f32; 3]; 2]; 2];
    let images: Images = X.map(|row| [[row[0], row[1], row[2]], [row[3], row[4], row[5]]]);
    let flat = (
        linear(),
        Sigmoid,
        Linear::<2, 2>::from_parts([[1.0, 2.0], [-1.0, 0.5]], [0.0; 2]),
    );
    let mut flat_grads = <(Linear<6, 2>, Sigmoid, Linear<2, 2>)>::ZERO;
    run(&flat, &mut flat_grads, &X, false);
    let imaged = (Flatten::<6>, flat.0.clone(), Sigmoid, flat.2.clone());
    let mut imaged_grads = <(Flatten<6>, Linear<6, 2>, Sigmoid, Linear<2, 2>)>::ZERO;
    let mut cache =
        <(Flatten<6>, Linear<6, 2>, Sigmoid, Linear<2, 2>) as Forward<Images>>::Cache::ZERO;
    let mut out = [[0.0; 2]; 2];
    imaged.forward(&images, &mut out, &mut cache);
    imaged.backward(
        &images,
        &out,
        &[[1.0, -1.0]; 2],
        &mut cache,
        &mut imaged_grads,
        None,
    );
    assert_eq!(imaged_grads.1, flat_grads.0);
    assert_eq!(imaged_grads.3, flat_grads.2);
}
