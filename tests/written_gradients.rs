//! A trainer whose model writes its gradients (`Backward::WRITES_GRADIENTS`, every built-in
//! layer) has each backward pass write them and each update leave them unzeroed; any other
//! model's gradients are added into zeros as before. Either way the trainer's steps are the
//! steps of the plain loop: forward, loss gradient, backward into zeroed gradients, update.

mod common;

use common::rng;
use typed_nn::optim::Optimizer;
use typed_nn::prelude::*;
use typed_nn::rand::RngExt;
use typed_nn::{Backward, ScoredBy};

/// `y = s * x` feature by feature, with a backward pass that adds its gradients, as a layer
/// written outside the crate does: it does not say that it writes them.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Scale<const N: usize> {
    s: [f32; N],
}

impl<const N: usize> Zero for Scale<N> {
    const ZERO: Self = Scale { s: [0.0; N] };
}

impl<const N: usize> ParamCount for Scale<N> {
    const PARAM_COUNT: usize = N;
}

impl<const N: usize> Params<f32> for Scale<N> {
    fn visit(&self, f: &mut impl FnMut(&[f32])) {
        f(&self.s);
    }
    fn visit_mut(&mut self, f: &mut impl FnMut(&mut [f32])) {
        f(&mut self.s);
    }
    fn zip_mut<const K: usize>(
        &mut self,
        mut others: [&mut Self; K],
        f: &mut impl FnMut(&mut [f32], [&mut [f32]; K]),
    ) {
        f(&mut self.s, others.each_mut().map(|o| &mut o.s[..]));
    }
}

impl<const N: usize, const B: usize> Forward<[[f32; N]; B]> for Scale<N> {
    type Output = [[f32; N]; B];
    type Cache = ();
    const CACHE_FLOATS: usize = 0;

    fn infer(&self, x: &[[f32; N]; B]) -> [[f32; N]; B] {
        x.map(|row| core::array::from_fn(|i| self.s[i] * row[i]))
    }

    fn forward(&self, x: &[[f32; N]; B], out: &mut [[f32; N]; B], _: &mut ()) {
        *out = self.infer(x);
    }
}

impl<const N: usize, const B: usize> Backward<[[f32; N]; B]> for Scale<N> {
    fn backward(
        &self,
        x: &[[f32; N]; B],
        _: &[[f32; N]; B],
        d_out: &[[f32; N]; B],
        _: &mut (),
        grads: &mut Self,
        d_x: Option<&mut [[f32; N]; B]>,
    ) {
        for (row, d_row) in x.iter().zip(d_out) {
            for i in 0..N {
                grads.s[i] += d_row[i] * row[i];
            }
        }
        if let Some(d_x) = d_x {
            for (d_x, d_row) in d_x.iter_mut().zip(d_out) {
                *d_x = core::array::from_fn(|i| d_row[i] * self.s[i]);
            }
        }
    }
}

const B: usize = 8;
type Batch<const D: usize> = [[f32; D]; B];

/// `steps` trainer steps and the same steps by hand (gradients zeroed before each backward
/// pass, `Optimizer::step`), from the same model, data and optimizer: the models must be
/// bit for bit the same.
fn trains_as_by_hand<M, const D: usize, const C: usize, O>(model: M, optimizer: O, steps: usize)
where
    M: Backward<Batch<D>, Output = Batch<C>> + Params<f32> + Clone + PartialEq + core::fmt::Debug,
    M::Cache: Zero,
    O: Optimizer<M> + Clone,
    f32: typed_nn::optim::CheckedOptimizer<O, M>,
{
    let mut r = rng(3);
    let xs: Vec<Batch<D>> = (0..3)
        .map(|_| core::array::from_fn(|_| core::array::from_fn(|_| r.random_range(-1.0..1.0))))
        .collect();
    let classes: Vec<[usize; B]> = (0..3)
        .map(|_| core::array::from_fn(|_| r.random_range(0..C)))
        .collect();

    let (mut trained, mut by_hand) = (model.clone(), model);
    let mut trainer = Trainer::<M, Batch<D>, O>::new(optimizer.clone());
    let mut optimizer = optimizer;
    let (mut out, mut d_out, mut cache) = (M::Output::ZERO, M::Output::ZERO, M::Cache::ZERO);
    for step in 0..steps {
        let (x, c) = (&xs[step % 3], &classes[step % 3]);
        trainer
            .step(&mut trained, x, c, &SoftmaxCrossEntropy)
            .expect("a finite step");

        by_hand.forward(x, &mut out, &mut cache);
        ScoredBy::loss_grad(&SoftmaxCrossEntropy, &out, c, &mut d_out);
        let mut grads = M::ZERO;
        by_hand.backward(x, &out, &d_out, &mut cache, &mut grads, None);
        optimizer.step(&mut by_hand, &mut grads);
        assert_eq!(trained, by_hand, "step {step}");
    }
}

#[test]
fn every_built_in_layer_writes_its_gradients_and_a_layer_written_outside_does_not() {
    type Built = (Linear<4, 6>, ReLU, Linear<6, 3>, Sigmoid);
    type Mixed = (Linear<4, 6>, Scale<6>, Linear<6, 3>);
    const { assert!(<Built as Backward<Batch<4>>>::WRITES_GRADIENTS) };
    const { assert!(!<Mixed as Backward<Batch<4>>>::WRITES_GRADIENTS) };
    const { assert!(!<(Scale<4>,) as Backward<Batch<4>>>::WRITES_GRADIENTS) };
}

/// A model with a layer that adds its gradients keeps them zeroed between steps.
#[test]
fn a_model_with_a_layer_that_adds_its_gradients_trains_as_by_hand() {
    type Mixed = (Linear<4, 6>, Scale<6>, Linear<6, 3>);
    let mut r = rng(1);
    let model: Mixed = (
        Linear::glorot(&mut r),
        Scale {
            s: [0.5, 1.0, 1.5, -1.0, 2.0, 0.25],
        },
        Linear::glorot(&mut r),
    );
    trains_as_by_hand::<_, 4, 3, _>(model.clone(), Adam::new(0.01), 6);
    trains_as_by_hand::<_, 4, 3, _>(model.clone(), Sgd::new(0.1), 6);
    trains_as_by_hand::<_, 4, 3, _>(model, SgdMomentum::new(0.1, 0.9), 6);
}

/// SGD on a small model (its check fused into the update, which leaves the old parameters in
/// the gradients' place) and on a large one, momentum and Adam, on a model that writes its
/// gradients: the steps are those of the loop that zeroes them.
#[test]
fn a_model_that_writes_its_gradients_trains_as_by_hand_with_every_optimizer() {
    type Small = (Linear<4, 6>, ReLU, Linear<6, 3>);
    let mut r = rng(2);
    let small: Small = (Linear::glorot(&mut r), ReLU, Linear::glorot(&mut r));
    const {
        assert!(
            <Small as ParamCount>::PARAM_COUNT <= 256,
            "SGD's fused step"
        )
    };
    trains_as_by_hand::<_, 4, 3, _>(small.clone(), Sgd::new(0.1), 6);
    trains_as_by_hand::<_, 4, 3, _>(small.clone(), SgdMomentum::new(0.1, 0.9), 6);
    trains_as_by_hand::<_, 4, 3, _>(small, Adam::new(0.01), 6);

    type Large = (Linear<40, 30>, ReLU, Linear<30, 5>);
    let large: Large = (Linear::glorot(&mut r), ReLU, Linear::glorot(&mut r));
    const {
        assert!(
            <Large as ParamCount>::PARAM_COUNT > 256,
            "SGD's separate check"
        )
    };
    trains_as_by_hand::<_, 40, 5, _>(large.clone(), Sgd::new(0.1), 6);
    trains_as_by_hand::<_, 40, 5, _>(large, Adam::new(0.01), 6);
}

/// `step_unzeroed` and `checked_step_unzeroed` make the updates `step` and `checked_step`
/// make and leave the same state; only the gradients differ, zero after the zeroing ones.
#[test]
fn an_update_without_zeroing_is_the_same_update() {
    fn same<O: Optimizer<Linear<3, 2>> + Clone + core::fmt::Debug>(optimizer: O) {
        let mut r = rng(4);
        let model = Linear::<3, 2>::glorot(&mut r);
        let grads = Linear::<3, 2>::glorot(&mut r);
        let (mut zeroing, mut keeping) = (optimizer.clone(), optimizer);
        let (mut a, mut b) = (model.clone(), model);
        let (mut ga, mut gb) = (grads.clone(), grads.clone());
        for i in 0..6 {
            // Unchecked, then checked (with and without a scanned largest gradient).
            if i < 3 {
                zeroing.step(&mut a, &mut ga);
                keeping.step_unzeroed(&mut b, &mut gb);
                assert_eq!(gb, grads, "left as they were");
            } else {
                let largest = (i == 4).then_some(1.0);
                zeroing.checked_step(&mut a, &mut ga, largest).unwrap();
                keeping
                    .checked_step_unzeroed(&mut b, &mut gb, largest)
                    .unwrap();
                // Whatever the update left there (SGD's one-pass check leaves the old
                // parameters), but not the zeros it need not store.
                assert_ne!(gb, Linear::ZERO, "not zeroed");
            }
            assert_eq!(ga, Linear::ZERO);
            (ga, gb) = (grads.clone(), grads.clone());
        }
        assert_eq!(a, b);
        assert_eq!(format!("{zeroing:?}"), format!("{keeping:?}"));
    }
    same(Sgd::new(0.1));
    same(SgdMomentum::new(0.1, 0.9));
    same(Adam::new(0.01));
    // A boxed optimizer is the optimizer: its own update without zeroing, not the default
    // that zeroes.
    same(Box::new(Sgd::new(0.1)));
    same(Box::new(SgdMomentum::new(0.1, 0.9)));
    same(Box::new(Adam::new(0.01)));
}

/// `y = g * x` with one learned gain, adding its gradient; `CLAIMS` says, wrongly, that it
/// writes it.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Gain<const CLAIMS: bool> {
    g: [f64; 1],
}

impl<const CLAIMS: bool> Zero for Gain<CLAIMS> {
    const ZERO: Self = Gain { g: [0.0] };
}

impl<const CLAIMS: bool> ParamCount for Gain<CLAIMS> {
    const PARAM_COUNT: usize = 1;
}

impl<const CLAIMS: bool> Params<f64> for Gain<CLAIMS> {
    fn visit(&self, f: &mut impl FnMut(&[f64])) {
        f(&self.g);
    }
    fn visit_mut(&mut self, f: &mut impl FnMut(&mut [f64])) {
        f(&mut self.g);
    }
    fn zip_mut<const K: usize>(
        &mut self,
        mut others: [&mut Self; K],
        f: &mut impl FnMut(&mut [f64], [&mut [f64]; K]),
    ) {
        f(&mut self.g, others.each_mut().map(|o| &mut o.g[..]));
    }
}

impl<const CLAIMS: bool> Forward<[f64; 2]> for Gain<CLAIMS> {
    type Output = [f64; 2];
    type Cache = ();
    const CACHE_FLOATS: usize = 0;

    fn infer(&self, x: &[f64; 2]) -> [f64; 2] {
        x.map(|v| self.g[0] * v)
    }

    fn forward(&self, x: &[f64; 2], out: &mut [f64; 2], _: &mut ()) {
        *out = self.infer(x);
    }
}

impl<const CLAIMS: bool> Backward<[f64; 2]> for Gain<CLAIMS> {
    fn backward(
        &self,
        x: &[f64; 2],
        _: &[f64; 2],
        d_out: &[f64; 2],
        _: &mut (),
        grads: &mut Self,
        d_x: Option<&mut [f64; 2]>,
    ) {
        grads.g[0] += d_out[0] * x[0] + d_out[1] * x[1];
        if let Some(d_x) = d_x {
            *d_x = d_out.map(|d| d * self.g[0]);
        }
    }

    const WRITES_GRADIENTS: bool = CLAIMS;
}

#[test]
fn gradcheck_passes_a_layer_that_adds_its_gradients_and_says_so() {
    let mut model = (
        Linear::<2, 2, f64>::from_parts([[1.0, -0.5], [0.25, 2.0]], [0.1, 0.0]),
        Gain::<false> { g: [1.5] },
    );
    let report = typed_nn::gradcheck::gradcheck(&mut model, &[0.5, -1.0], &[1.0, 0.0], &Mse);
    assert!(report.worst_error < 1e-6, "{report:?}");
}

#[test]
#[should_panic(
    expected = "the model says that it writes its gradients (`Backward::WRITES_GRADIENTS` is true), but a backward pass asked to write them over values of 0.5 left parameter 6's at"
)]
fn gradcheck_refuses_a_layer_that_says_it_writes_its_gradients_but_adds_them() {
    let mut model = (
        Linear::<2, 2, f64>::from_parts([[1.0, -0.5], [0.25, 2.0]], [0.1, 0.0]),
        Gain::<true> { g: [1.5] },
    );
    typed_nn::gradcheck::gradcheck(&mut model, &[0.5, -1.0], &[1.0, 0.0], &Mse);
}
