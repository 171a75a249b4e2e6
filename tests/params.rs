//! Parameter counts are associated consts, and they match the lecture's formulas and the
//! number of scalars the optimizer actually visits.

use typed_nn::prelude::*;

/// Counts the scalars `visit` reaches, to tie the const to the real parameters.
fn visited<M: Params<f32>>(m: &M) -> usize {
    let mut n = 0;
    m.visit(&mut |s| n += s.len());
    n
}

macro_rules! one_hidden {
    ($($d:literal, $h:literal);*) => {$({
        type Net = (Linear<$d, $h>, Sigmoid, Linear<$h, 1>);
        assert_eq!(Net::PARAM_COUNT, $d * $h + $h + $h + 1);
        assert_eq!(visited(&Net::ZERO), Net::PARAM_COUNT);
    })*};
}

macro_rules! two_hidden {
    ($($d:literal, $h:literal, $c:literal);*) => {$({
        type Net = (Linear<$d, $h>, Tanh, Linear<$h, $h>, Tanh, Linear<$h, $c>);
        assert_eq!(Net::PARAM_COUNT, $d * $h + $h + $h * $h + $h + $h * $c + $c);
        assert_eq!(visited(&Net::ZERO), Net::PARAM_COUNT);
    })*};
}

#[test]
fn one_hidden_layer_has_dh_plus_h_plus_h_plus_one() {
    one_hidden!(1, 1; 2, 16; 4, 3; 30, 16; 64, 32; 784, 8);
}

#[test]
fn two_hidden_layers_have_the_lecture_count() {
    two_hidden!(2, 2, 1; 4, 16, 3; 64, 32, 10; 30, 8, 2);
}

#[test]
fn layers_without_weights_count_zero() {
    assert_eq!(
        <(
            Sigmoid,
            Tanh,
            ReLU,
            LeakyReLU,
            Identity,
            Softmax,
            Flatten<4>
        )>::PARAM_COUNT,
        0
    );
    assert_eq!(Linear::<3, 7>::PARAM_COUNT, 28);
}

#[test]
fn param_and_set_param_address_every_scalar_in_order() {
    let mut net = <(Linear<2, 2>, ReLU, Linear<2, 1>)>::ZERO;
    for i in 0..9 {
        assert!(net.set_param(i, i as f32));
    }
    assert!(!net.set_param(9, 1.0), "past the end changes nothing");
    assert_eq!(net.0.weight, [[0.0, 1.0], [2.0, 3.0]]);
    assert_eq!(net.0.bias, [4.0, 5.0]);
    assert_eq!(net.2.weight, [[6.0, 7.0]]);
    assert_eq!(net.2.bias, [8.0]);
    assert_eq!(net.param(8), Some(8.0));
    assert_eq!(net.param(9), None);
    assert_eq!(net.squared_norm(), (0..9).map(|i| (i * i) as f32).sum());
    net.set_zero();
    assert_eq!(net.squared_norm(), 0.0);
}
