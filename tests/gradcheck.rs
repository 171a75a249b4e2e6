//! Every backward pass against central finite differences, in f64: every layer, every
//! activation, every loss, single samples and batches, models of depth 1 to 4 (and 10).

mod common;

use common::{distribution, random, rng, unit};
use typed_nn::gradcheck::{GradCheck, gradcheck};
use typed_nn::init::Init;
use typed_nn::prelude::*;

const TOLERANCE: f64 = 1e-6;

fn assert_close(report: GradCheck, expected_checks: usize) {
    assert_eq!(
        report.checked, expected_checks,
        "every parameter and input is checked"
    );
    assert!(report.worst_error < TOLERANCE, "{report:?}");
}

/// A model with parameters drawn by `init`, so no test starts from zero weights (where many
/// gradients vanish and a wrong formula could pass).
fn model<M: Init + Zero>(seed: u64) -> M {
    let mut m = M::ZERO;
    m.init(Scheme::Glorot, &mut rng(seed));
    m
}

/// Biases set away from zero too, so their gradient paths are exercised with real values.
fn with_random_bias<const I: usize, const O: usize>(
    mut l: Linear<I, O, f64>,
    seed: u64,
) -> Linear<I, O, f64> {
    l.bias = random(&mut rng(seed), 0.5);
    l
}

#[test]
fn linear_single_sample_and_batch_under_mse() {
    let mut r = rng(1);
    let mut layer = with_random_bias(Linear::<5, 3, f64>::glorot(&mut r), 2);
    let x: [f64; 5] = random(&mut r, 1.0);
    let t: [f64; 3] = random(&mut r, 1.0);
    assert_close(gradcheck(&mut layer, &x, &t, &Mse), 5 * 3 + 3 + 5);

    let xb: [[f64; 5]; 4] = random(&mut r, 1.0);
    let tb: [[f64; 3]; 4] = random(&mut r, 1.0);
    assert_close(gradcheck(&mut layer, &xb, &tb, &Mse), 5 * 3 + 3 + 20);
}

/// Each activation between two linear layers, for one sample and for a batch.
macro_rules! activation_checks {
    ($($name:ident: $act:expr),*) => {$(
        #[test]
        fn $name() {
            let mut r = rng(10);
            let mut net = (
                with_random_bias(Linear::<4, 6, f64>::glorot(&mut r), 11),
                $act,
                Linear::<6, 2, f64>::glorot(&mut r),
            );
            let count = 4 * 6 + 6 + 6 * 2 + 2;
            let x: [f64; 4] = random(&mut r, 1.0);
            let t: [f64; 2] = random(&mut r, 1.0);
            assert_close(gradcheck(&mut net, &x, &t, &Mse), count + 4);
            let xb: [[f64; 4]; 3] = random(&mut r, 1.0);
            let tb: [[f64; 2]; 3] = random(&mut r, 1.0);
            assert_close(gradcheck(&mut net, &xb, &tb, &Mse), count + 12);
        }
    )*};
}

activation_checks!(
    sigmoid: Sigmoid,
    tanh: Tanh,
    relu: ReLU,
    leaky_relu: LeakyReLU::new(0.1),
    identity: Identity,
    softmax_as_a_layer: Softmax
);

#[test]
fn activations_alone_send_gradients_to_their_input() {
    let mut r = rng(12);
    let x: [[f64; 3]; 2] = random(&mut r, 2.0);
    let t: [[f64; 3]; 2] = random(&mut r, 1.0);
    assert_close(gradcheck(&mut Sigmoid, &x, &t, &Mse), 6);
    assert_close(gradcheck(&mut Tanh, &x, &t, &Mse), 6);
    assert_close(gradcheck(&mut ReLU, &x, &t, &Mse), 6);
    assert_close(gradcheck(&mut LeakyReLU::default(), &x, &t, &Mse), 6);
    assert_close(gradcheck(&mut Identity, &x, &t, &Mse), 6);
    assert_close(gradcheck(&mut Softmax, &x, &t, &Mse), 6);
}

#[test]
fn binary_cross_entropy_single_and_batch() {
    let mut r = rng(20);
    let mut net = (
        Linear::<3, 4, f64>::glorot(&mut r),
        Tanh,
        Linear::<4, 2, f64>::glorot(&mut r),
    );
    let count = 3 * 4 + 4 + 4 * 2 + 2;
    let x: [f64; 3] = random(&mut r, 1.0);
    assert_close(
        gradcheck(&mut net, &x, &unit::<[f64; 2]>(&mut r), &BinaryCrossEntropy),
        count + 3,
    );
    let xb: [[f64; 3]; 5] = random(&mut r, 1.0);
    let tb: [[f64; 2]; 5] = unit(&mut r);
    assert_close(
        gradcheck(&mut net, &xb, &tb, &BinaryCrossEntropy),
        count + 15,
    );
}

#[test]
fn softmax_cross_entropy_with_indices_and_distributions() {
    let mut r = rng(30);
    let mut net = (
        Linear::<3, 5, f64>::glorot(&mut r),
        Sigmoid,
        Linear::<5, 4, f64>::glorot(&mut r),
    );
    let count = 3 * 5 + 5 + 5 * 4 + 4;
    let x: [f64; 3] = random(&mut r, 1.0);
    assert_close(
        gradcheck(&mut net, &x, &2usize, &SoftmaxCrossEntropy),
        count + 3,
    );
    let soft: [f64; 4] = distribution(&mut r);
    assert_close(
        gradcheck(&mut net, &x, &soft, &SoftmaxCrossEntropy),
        count + 3,
    );

    let xb: [[f64; 3]; 4] = random(&mut r, 1.0);
    assert_close(
        gradcheck(&mut net, &xb, &[0usize, 3, 1, 3], &SoftmaxCrossEntropy),
        count + 12,
    );
    let softb: [[f64; 4]; 4] = distribution(&mut r);
    assert_close(
        gradcheck(&mut net, &xb, &softb, &SoftmaxCrossEntropy),
        count + 12,
    );
}

#[test]
fn flatten_single_and_batch() {
    let mut r = rng(40);
    let mut net = (Flatten::<6>, Linear::<6, 2, f64>::glorot(&mut r), Tanh);
    let x: [[f64; 3]; 2] = random(&mut r, 1.0);
    let t: [f64; 2] = random(&mut r, 0.5);
    assert_close(gradcheck(&mut net, &x, &t, &Mse), 6 * 2 + 2 + 6);
    let xb: [[[f64; 3]; 2]; 3] = random(&mut r, 1.0);
    let tb: [[f64; 2]; 3] = random(&mut r, 0.5);
    assert_close(gradcheck(&mut net, &xb, &tb, &Mse), 6 * 2 + 2 + 18);
}

#[test]
fn depth_one_to_four() {
    let mut r = rng(50);
    let x: [[f64; 3]; 2] = random(&mut r, 1.0);
    let t: [[f64; 2]; 2] = random(&mut r, 1.0);

    let mut d1: (Linear<3, 2, f64>,) = model(51);
    assert_close(gradcheck(&mut d1, &x, &t, &Mse), 8 + 6);

    let mut d2: (Linear<3, 4, f64>, Tanh, Linear<4, 2, f64>) = model(52);
    assert_close(gradcheck(&mut d2, &x, &t, &Mse), 16 + 10 + 6);

    let mut d3: (
        Linear<3, 4, f64>,
        Sigmoid,
        Linear<4, 4, f64>,
        Tanh,
        Linear<4, 2, f64>,
    ) = model(53);
    assert_close(gradcheck(&mut d3, &x, &t, &Mse), 16 + 20 + 10 + 6);

    type D4 = (
        Linear<3, 5, f64>,
        ReLU,
        Linear<5, 4, f64>,
        Tanh,
        Linear<4, 4, f64>,
        Sigmoid,
        Linear<4, 2, f64>,
    );
    let mut d4: D4 = model(54);
    assert_close(
        gradcheck(&mut d4, &x, &[1usize, 0], &SoftmaxCrossEntropy),
        20 + 24 + 20 + 10 + 6,
    );
}

#[test]
fn nested_tuples_and_ten_layers() {
    let mut r = rng(60);
    type Block = (Linear<3, 3, f64>, Tanh);
    type Ten = (
        Block,
        Block,
        Block,
        Block,
        Block,
        Block,
        Block,
        Block,
        Block,
        Linear<3, 1, f64>,
    );
    let mut net: Ten = model(61);
    let x: [f64; 3] = random(&mut r, 1.0);
    assert_close(gradcheck(&mut net, &x, &[0.3], &Mse), 9 * 12 + 4 + 3);

    type Flat10 = (
        Linear<2, 3, f64>,
        Tanh,
        Linear<3, 3, f64>,
        Sigmoid,
        Linear<3, 3, f64>,
        LeakyReLU,
        Linear<3, 3, f64>,
        Tanh,
        Linear<3, 2, f64>,
        Softmax,
    );
    let mut flat: Flat10 = model(62);
    let xb: [[f64; 2]; 2] = random(&mut r, 1.0);
    let tb: [[f64; 2]; 2] = distribution(&mut r);
    assert_close(
        gradcheck(&mut flat, &xb, &tb, &Mse),
        9 + 12 + 12 + 12 + 8 + 4,
    );
}

#[test]
fn gradcheck_catches_a_wrong_gradient() {
    // A layer whose backward forgets the bias gradient must fail the check.
    use typed_nn::{Backward, Forward};
    #[derive(Clone)]
    struct Broken(Linear<2, 1, f64>);
    impl Zero for Broken {
        const ZERO: Self = Broken(Linear::ZERO);
    }
    impl typed_nn::ParamCount for Broken {
        const PARAM_COUNT: usize = 3;
    }
    impl Params<f64> for Broken {
        fn visit(&self, f: &mut impl FnMut(&[f64])) {
            self.0.visit(f)
        }
        fn visit_mut(&mut self, f: &mut impl FnMut(&mut [f64])) {
            self.0.visit_mut(f)
        }
        fn zip_mut<const K: usize>(
            &mut self,
            others: [&mut Self; K],
            f: &mut impl FnMut(&mut [f64], [&mut [f64]; K]),
        ) {
            self.0.zip_mut(others.map(|s| &mut s.0), f)
        }
    }
    impl Forward<[f64; 2]> for Broken {
        type Output = [f64; 1];
        type Cache = ();
        const CACHE_FLOATS: usize = 0;
        fn infer(&self, x: &[f64; 2]) -> [f64; 1] {
            self.0.infer(x)
        }
        fn forward(&self, x: &[f64; 2], out: &mut [f64; 1], c: &mut ()) {
            self.0.forward(x, out, c)
        }
    }
    impl Backward<[f64; 2]> for Broken {
        fn backward(
            &self,
            x: &[f64; 2],
            out: &[f64; 1],
            d_out: &[f64; 1],
            c: &mut (),
            grads: &mut Self,
            d_x: Option<&mut [f64; 2]>,
        ) {
            self.0.backward(x, out, d_out, c, &mut grads.0, d_x);
            grads.0.bias = [0.0];
        }
    }
    let mut broken = Broken(Linear::from_parts([[0.5, -0.5]], [0.1]));
    let report = gradcheck(&mut broken, &[1.0, 2.0], &[3.0], &Mse);
    assert!(report.worst_error > 0.1, "{report:?}");
    assert_eq!(
        report.worst_at,
        Some(typed_nn::gradcheck::Location::Param(2))
    );
    assert!(!report.is_within(1e-6));
    assert!(
        report.to_string().starts_with("worst error ")
            && report
                .to_string()
                .contains(" at parameter 2: backward pass 0, finite difference "),
        "{report}"
    );
    // The same gradient in a model: named by its layer and its place in the tensor.
    type Net = (Linear<2, 2, f64>, Tanh, Linear<2, 1, f64>);
    let located = report.in_model::<Net>().to_string();
    assert!(
        located.contains(" at parameter 2 (layer 0, `Linear<2, 2, f64>`, weight[1][0]): "),
        "{located}"
    );
    let last = GradCheck {
        worst_at: Some(typed_nn::gradcheck::Location::Param(8)),
        ..report
    };
    let located = last.in_model::<Net>().to_string();
    assert!(
        located.contains(" at parameter 8 (layer 2, `Linear<2, 1, f64>`, bias[0]): "),
        "{located}"
    );
}

#[test]
fn a_nan_in_the_model_or_the_input_is_named_by_the_report() {
    use typed_nn::gradcheck::Location;
    let mut net = (
        Linear::<3, 4, f64>::from_parts([[0.5, -0.25, 1.0]; 4], [0.1; 4]),
        Tanh,
        Linear::<4, 2, f64>::from_parts([[0.3; 4], [-0.2; 4]], [0.0; 2]),
    );
    let (x, t) = ([0.5, -1.0, 2.0], [1.0, 0.0]);
    assert!(gradcheck(&mut net, &x, &t, &Mse).worst_error < 1e-8);
    // Parameter 7 is the first layer's weight [2][1].
    net.0.weight[2][1] = f64::NAN;
    let report = gradcheck(&mut net, &x, &t, &Mse);
    assert!(report.worst_error.is_nan());
    assert_eq!(report.worst_at, Some(Location::Param(7)));
    net.0.weight[2][1] = 0.5;
    let report = gradcheck(&mut net, &[0.5, f64::INFINITY, 2.0], &t, &Mse);
    assert!(report.worst_error.is_nan());
    assert_eq!(report.worst_at, Some(Location::Input(1)));
}

/// A `Linear<2, 2>` that says it has no parameters (`Backward::HAS_PARAMETERS`).
#[derive(Clone)]
struct Liar(Linear<2, 2, f64>);

impl Zero for Liar {
    const ZERO: Self = Liar(Linear::ZERO);
}
impl typed_nn::ParamCount for Liar {
    const PARAM_COUNT: usize = 6;
}
impl Params<f64> for Liar {
    fn visit(&self, f: &mut impl FnMut(&[f64])) {
        self.0.visit(f)
    }
    fn visit_mut(&mut self, f: &mut impl FnMut(&mut [f64])) {
        self.0.visit_mut(f)
    }
    fn zip_mut<const K: usize>(
        &mut self,
        others: [&mut Self; K],
        f: &mut impl FnMut(&mut [f64], [&mut [f64]; K]),
    ) {
        self.0.zip_mut(others.map(|s| &mut s.0), f)
    }
}
impl typed_nn::Forward<[f64; 2]> for Liar {
    type Output = [f64; 2];
    type Cache = ();
    const CACHE_FLOATS: usize = 0;
    fn infer(&self, x: &[f64; 2]) -> [f64; 2] {
        self.0.infer(x)
    }
    fn forward(&self, x: &[f64; 2], out: &mut [f64; 2], c: &mut ()) {
        self.0.forward(x, out, c)
    }
}
impl typed_nn::Backward<[f64; 2]> for Liar {
    fn backward(
        &self,
        x: &[f64; 2],
        out: &[f64; 2],
        d_out: &[f64; 2],
        c: &mut (),
        grads: &mut Self,
        d_x: Option<&mut [f64; 2]>,
    ) {
        self.0.backward(x, out, d_out, c, &mut grads.0, d_x);
    }
    const HAS_PARAMETERS: bool = false;
}

#[test]
#[should_panic(expected = "must not say that it has none (`Backward::HAS_PARAMETERS`)")]
fn gradcheck_catches_a_layer_that_hides_its_parameters() {
    // In front of a `Linear`, which is then not asked for its input's gradient: the liar's
    // gradients come from a stale (zero) output gradient.
    let liar = Liar(Linear::from_parts([[0.5, -0.5], [1.0, 0.25]], [0.1, -0.1]));
    let mut model = (liar, Linear::<2, 1, f64>::from_parts([[1.0, 2.0]], [0.0]));
    gradcheck(&mut model, &[1.0, 2.0], &[3.0], &Mse);
}

#[test]
fn the_same_liar_alone_passes_where_nothing_depends_on_it() {
    // Last in the model, the liar's output gradient is the loss's: nothing is stale.
    let liar = Liar(Linear::from_parts([[0.5, -0.5], [1.0, 0.25]], [0.1, -0.1]));
    let mut model = (
        Linear::<2, 2, f64>::from_parts([[1.0, 2.0], [0.5, 0.0]], [0.0; 2]),
        liar,
    );
    assert!(gradcheck(&mut model, &[1.0, 2.0], &[3.0, 1.0], &Mse).worst_error < 1e-8);
}

#[test]
#[should_panic(
    expected = "gradcheck: sample 0's target is class 5: it must be a class index below the number of classes, 3 (0 to 2); the loss is not defined for this target"
)]
fn a_target_the_loss_is_not_defined_for_is_named_not_compared() {
    // Without the check every comparison was NaN and the report named an innocent input.
    let mut model = Linear::<2, 3, f64>::glorot(&mut rng(1));
    gradcheck(&mut model, &[0.5, -1.0], &5usize, &SoftmaxCrossEntropy);
}

#[test]
fn the_first_gradient_compared_as_nan_is_the_one_reported() {
    // A weight of 1e308: every loss overflows, the model is finite, so no value is at fault
    // and the report keeps the first NaN comparison, not the last.
    let mut model = Linear::<2, 1, f64>::from_parts([[1e308, 1e308]], [0.0]);
    let report = gradcheck(&mut model, &[1.0, 1.0], &[0.0], &Mse);
    assert!(report.worst_error.is_nan(), "{report:?}");
    assert_eq!(
        report.worst_at,
        Some(typed_nn::gradcheck::Location::Param(0))
    );
}

/// A check where every gradient agrees exactly (a model at zero loss: every gradient is 0,
/// and so is each finite difference) reports the gradients it compared, not "no gradient
/// compared".
#[test]
fn a_check_without_any_error_still_names_where_it_looked() {
    let mut exact = Linear::<1, 1, f64>::from_parts([[2.0]], [0.0]);
    let report = gradcheck(&mut exact, &[0.0], &[0.0], &Mse);
    assert_eq!(report.worst_error, 0.0);
    assert_eq!(report.checked, 3);
    assert!(report.worst_at.is_some(), "{report:?}");
    let line = report.to_string();
    assert!(line.starts_with("worst error 0 at "), "{line}");
    assert!(line.ends_with("(3 gradients compared)"), "{line}");
}
