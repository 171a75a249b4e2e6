//! Training that never lies: bad hyperparameters, non-finite or overflowing gradients, NaN
//! data and invalid targets end in an error with the model and the optimizer as they were;
//! huge models are built on the heap and train; the same seed gives the same bits.

mod common;

use core::ops::ControlFlow;

use common::rng;
use typed_nn::optim::{Adam, Optimizer, Sgd, SgdMomentum, StepError};
use typed_nn::prelude::*;
use typed_nn::train::TrainError;

type Net = (Linear<2, 8>, ReLU, Linear<8, 3>);

fn net() -> Net {
    let mut net = Net::ZERO;
    net.init(Scheme::He, &mut rng(1));
    net
}

const X: [[f32; 2]; 4] = [[0.1, 0.9], [0.8, 0.2], [0.5, 0.5], [0.9, 0.7]];
const C: [usize; 4] = [0, 1, 2, 1];

#[test]
fn hyperparameters_out_of_range_are_named_when_built() {
    for lr in [f32::NAN, f32::INFINITY, -0.1, 0.0] {
        let err = Sgd::try_new(lr).unwrap_err();
        assert_eq!(err.name, "learning rate", "{lr}");
        assert!(err.to_string().contains("finite and positive"));
    }
    // An f32 value with its own digits, not those of its binary value widened to f64.
    assert_eq!(
        Sgd::try_new(-0.1f32).unwrap_err().to_string(),
        "learning rate is -0.1: it must be finite and positive"
    );
    assert_eq!(
        Sgd::try_new(-0.1f64).unwrap_err().to_string(),
        "learning rate is -0.1: it must be finite and positive"
    );
    assert_eq!(
        Sgd::try_new(-3e-7f32).unwrap_err().to_string(),
        "learning rate is -3e-7: it must be finite and positive"
    );
    assert!(
        SgdMomentum::<Net>::try_new(0.1, 1.0)
            .unwrap_err()
            .to_string()
            .starts_with("momentum is 1")
    );
    let mut adam = Adam::<Net>::new(1e-3);
    for (field, bad) in [
        ("beta1", 1.0f32),
        ("beta2", 1.0),
        ("eps", f32::NAN),
        ("weight decay", -1.0),
    ] {
        let mut a = adam.clone();
        match field {
            "beta1" => a.beta1 = bad,
            "beta2" => a.beta2 = bad,
            "eps" => a.eps = bad,
            _ => a.weight_decay = bad,
        }
        assert_eq!(a.check_hyperparameters().unwrap_err().name, field);
    }
    adam.lr = 0.01;
    assert!(adam.check_hyperparameters().is_ok());
    // A learning rate whose first step, lr / (1 - beta1), is beyond 1e30 in f32: refused
    // when built, not left to turn a zero gradient into NaN (inf times 0). The boundary
    // with beta1 = 0.9: 1e29 passes, 1.01e29 does not; a beta1 near 1 lowers it.
    for lr in [1e38f32, f32::MAX, 1.01e29] {
        let err = Adam::<Net>::try_new(lr).unwrap_err();
        assert_eq!(err.name, "learning rate", "{lr}");
        assert!(err.to_string().contains("lr / (1 - beta1)"), "{err}");
    }
    assert!(Adam::<Net>::try_new(1e29).is_ok());
    let mut near_one = Adam::<Net>::new(1e-3);
    near_one.beta1 = 0.999_999_94;
    near_one.lr = 1e23;
    assert_eq!(
        near_one.check_hyperparameters().unwrap_err().name,
        "learning rate"
    );
    // Through a trainer, a zero gradient included: refused, and nothing becomes NaN.
    let mut model = Linear::<1, 1>::from_parts([[0.0]], [0.5]);
    let mut trainer = Trainer::new(Adam::<Linear<1, 1>>::new(1e38));
    let err = trainer.step(&mut model, &[1.0], &[0.5], &Mse).unwrap_err();
    assert!(matches!(err, TrainError::Refused { .. }), "{err}");
    assert_eq!(model, Linear::from_parts([[0.0]], [0.5]));
    const FIRMWARE: Sgd<f32> = Sgd::<f32>::checked(0.5);
    assert_eq!(FIRMWARE.lr, 0.5);
}

/// One step of `trainer` on the batch, asserting it is refused and changes nothing.
fn refused<O: Clone + core::fmt::Debug>(
    mut trainer: Trainer<Net, [[f32; 2]; 4], O>,
    x: &[[f32; 2]; 4],
) -> TrainError
where
    f32: typed_nn::optim::CheckedOptimizer<O, Net>,
{
    let mut model = net();
    let optimizer = trainer.optimizer.clone();
    let err = trainer
        .step(&mut model, x, &C, &SoftmaxCrossEntropy)
        .unwrap_err();
    assert_eq!(model, net(), "the model changed: {err}");
    // Compared as text: a NaN learning rate is not equal to itself.
    let (before, after) = (format!("{optimizer:?}"), format!("{:?}", trainer.optimizer));
    assert_eq!(after, before, "the optimizer changed: {err}");
    assert_eq!(
        trainer.grads,
        Net::ZERO,
        "the gradients were not cleared: {err}"
    );
    err
}

#[test]
fn a_bad_hyperparameter_set_by_hand_refuses_the_first_step() {
    let err = refused(Trainer::new(Sgd::new(f32::NAN)), &X);
    assert!(matches!(
        err,
        TrainError::Refused {
            step: 1,
            updates: 0,
            error: StepError::Hyperparameter(_)
        }
    ));
    let mut adam = Adam::new(1e-3);
    adam.beta2 = 1.0;
    let err = refused(Trainer::new(adam), &X);
    assert_eq!(
        err.to_string(),
        "step 1 refused, the model unchanged: beta2 is 1: it must be in [0, 1)"
    );
    let mut adam = Adam::new(1e-3);
    adam.eps = f32::NAN;
    refused(Trainer::new(adam), &X);
}

#[test]
fn a_learning_rate_that_would_overflow_the_parameters_is_refused() {
    let err = refused(Trainer::new(Sgd::new(f32::MAX)), &X);
    assert!(err.to_string().contains("overflow"), "{err}");
    let err = refused(Trainer::new(SgdMomentum::<Net>::new(f32::MAX, 0.9)), &X);
    assert!(matches!(
        err,
        TrainError::Refused {
            error: StepError::Gradient { .. },
            ..
        }
    ));
    // Adam's first step, lr / (1 - beta1), would be beyond f32: the learning rate itself is
    // refused, before any gradient is looked at.
    let err = refused(Trainer::new(Adam::<Net>::new(f32::MAX)), &X);
    let TrainError::Refused {
        error: StepError::Hyperparameter(error),
        ..
    } = err
    else {
        panic!("{err}")
    };
    assert_eq!(error.name, "learning rate");
}

/// A learning rate far too high on data of 0s and 1s: the first update sends the weights out,
/// and what ends training at a later step (a loss or a gradient that overflows) names the
/// learning rate, not the data. Over seeds, both happen.
#[test]
fn what_overflows_after_updates_names_the_learning_rate() {
    type Xor = (Linear<2, 3>, Sigmoid, Linear<3, 1>);
    let inputs = [[0.0f32, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]];
    let targets = [[0.0f32], [1.0], [1.0], [0.0]];
    let mut gradients = 0;
    for seed in 0..20 {
        let mut model = Xor::ZERO;
        model.init(Scheme::Glorot, &mut rng(seed));
        let mut trainer = Trainer::<Xor, [f32; 2], _>::new(Sgd::new(1e20));
        let err = (0..100)
            .flat_map(|_| inputs.iter().zip(&targets))
            .find_map(|(x, t)| trainer.step(&mut model, x, t, &Mse).err())
            .expect("a learning rate of 1e20 is refused");
        let message = err.to_string();
        match err {
            TrainError::Refused {
                step,
                updates,
                error: StepError::Gradient { value, .. },
            } if updates > 0 && !value.is_finite() => {
                gradients += 1;
                // Every step before it was applied.
                assert_eq!(updates, step - 1);
                let updates = if updates == 1 {
                    "1 update".into()
                } else {
                    format!("{updates} updates")
                };
                assert!(
                    message.ends_with(&format!(
                        "after {updates}, more likely training diverged: lower the learning rate"
                    )),
                    "{message}"
                );
            }
            TrainError::NonFiniteLoss { step, updates, .. } if updates > 0 => {
                assert_eq!(updates, step - 1);
                assert!(message.contains("lower the learning rate"), "{message}");
            }
            _ => panic!("seed {seed}: {message}"),
        }
    }
    assert!(gradients > 0, "no seed ended at a gradient");
}

#[test]
fn huge_gradients_are_refused_and_the_next_step_starts_clean() {
    let big = [[1e36f32, 1.0], [0.8, 0.2], [0.5, 0.5], [0.9, 0.7]];
    let mut trainer = Trainer::<Net, [[f32; 2]; 4], _>::new(Sgd::new(0.1));
    let mut model = net();
    let err = trainer.step(&mut model, &big, &C, &SoftmaxCrossEntropy);
    assert!(err.is_err());
    assert_eq!(model, net());
    // The following step is the step a fresh trainer takes.
    let loss = trainer
        .step(&mut model, &X, &C, &SoftmaxCrossEntropy)
        .unwrap();
    let (mut fresh_model, mut fresh) =
        (net(), Trainer::<Net, [[f32; 2]; 4], _>::new(Sgd::new(0.1)));
    assert_eq!(
        fresh
            .step(&mut fresh_model, &X, &C, &SoftmaxCrossEntropy)
            .unwrap(),
        loss
    );
    assert_eq!(model, fresh_model);
}

#[test]
fn a_nan_input_through_relu_is_an_error_not_a_silent_nan_model() {
    assert!(ReLU.infer(&[f32::NAN])[0].is_nan());
    assert!(LeakyReLU::default().infer(&[f64::NAN])[0].is_nan());
    let nan = [[f32::NAN, 0.5], [0.8, 0.2], [0.5, 0.5], [0.9, 0.7]];
    let mut trainer = Trainer::<Net, [[f32; 2]; 4], _>::new(Adam::new(1e-2));
    let mut model = net();
    let err = trainer
        .step(&mut model, &nan, &C, &SoftmaxCrossEntropy)
        .unwrap_err();
    let TrainError::NonFiniteInput {
        step: 1,
        before_training: false,
        sample: 0,
        feature: 0,
        value,
    } = err
    else {
        panic!("{err:?}");
    };
    assert!(value.is_nan());
    assert_eq!(model, net());
    assert_eq!(trainer.optimizer.t, 0);
}

/// A data set of `n` samples of `Net`'s input, with `bad` at sample `sample`, feature 1.
fn data_with(n: usize, sample: usize, bad: f32) -> (Vec<[f32; 2]>, Vec<usize>) {
    let mut xs: Vec<[f32; 2]> = (0..n).map(|i| [i as f32 / n as f32, 0.5]).collect();
    xs[sample][1] = bad;
    (xs, (0..n).map(|i| i % 3).collect())
}

#[test]
fn a_sample_that_is_not_finite_is_named_by_its_place() {
    // In a batch given to `step`: its place in the batch, and where in the sample.
    let mut model = net();
    let mut trainer = Trainer::<Net, [[f32; 2]; 4], _>::new(Adam::new(1e-2));
    let mut batch = X;
    batch[2][1] = f32::NEG_INFINITY;
    let err = trainer
        .step(&mut model, &batch, &C, &SoftmaxCrossEntropy)
        .unwrap_err();
    assert_eq!(
        err,
        TrainError::NonFiniteInput {
            step: 1,
            before_training: false,
            sample: 2,
            feature: 1,
            value: f64::NEG_INFINITY
        }
    );
    assert_eq!(
        err.to_string(),
        "step 1: input sample 2 holds -inf at feature 1; every input must be a finite number (fill in or drop missing values before training)"
    );
    assert_eq!((model, trainer.optimizer.t), (net(), 0));

    // In an epoch: its index in the data set, in a full batch and in the last, partial one
    // (7 samples in batches of 2: the seventh alone, its batch filled with copies of it).
    for (sample, step) in [(0, 1), (3, 2), (6, 4)] {
        let (xs, cs) = data_with(7, sample, f32::NAN);
        let mut model = net();
        let mut trainer = Trainer::<Net, [[f32; 2]; 2], _>::new(Sgd::new(0.1));
        let err = trainer
            .epoch(&mut model, &xs, &cs, &SoftmaxCrossEntropy)
            .unwrap_err();
        let TrainError::NonFiniteInput {
            step: s,
            sample: at,
            feature: 1,
            ..
        } = err
        else {
            panic!("{err:?}");
        };
        assert_eq!((at, s), (sample, step), "{err}");
    }

    // In `fit`: before the first shuffle and the first step, by its index as passed.
    for sample in [0, 4, 6] {
        let (mut xs, mut cs) = data_with(7, sample, f32::INFINITY);
        let before = xs.clone();
        let mut model = net();
        let mut trainer = Trainer::<Net, [[f32; 2]; 2], _>::new(Adam::new(1e-2));
        let err = trainer
            .fit(
                &mut model,
                &mut xs,
                &mut cs,
                &SoftmaxCrossEntropy,
                3,
                &mut rng(4),
                |_, _| core::ops::ControlFlow::Continue(()),
            )
            .unwrap_err();
        let TrainError::NonFiniteInput {
            sample: at,
            feature: 1,
            value,
            ..
        } = err
        else {
            panic!("{err:?}");
        };
        assert_eq!((at, value), (sample, f64::INFINITY));
        assert_eq!((&model, &xs, trainer.optimizer.t), (&net(), &before, 0));
    }
}

#[test]
fn an_infinite_input_behind_a_saturating_activation_is_named_too() {
    // tanh(inf) = 1: the loss is finite, and the first layer's weight gradient, inf * 0, NaN.
    type Squashed = (Linear<2, 3>, Tanh, Linear<3, 2>);
    let mut model = Squashed::ZERO;
    model.init(Scheme::Glorot, &mut rng(6));
    let fresh = model.clone();
    let mut trainer = Trainer::<Squashed, [[f32; 2]; 2], _>::new(Sgd::new(0.1));
    let batch = [[0.5, 0.5], [0.25, f32::INFINITY]];
    let err = trainer
        .step(&mut model, &batch, &[0, 1], &SoftmaxCrossEntropy)
        .unwrap_err();
    assert_eq!(
        err,
        TrainError::NonFiniteInput {
            step: 1,
            before_training: false,
            sample: 1,
            feature: 1,
            value: f64::INFINITY
        }
    );
    assert_eq!(model, fresh);
}

#[test]
fn an_image_sample_that_is_not_finite_is_named_by_its_pixel() {
    type Images = (Flatten<6>, Linear<6, 2>);
    let mut model = Images::ZERO;
    model.init(Scheme::Glorot, &mut rng(2));
    let mut images = [[[0.5f32; 3]; 2]; 3];
    images[1][1][2] = f32::NAN;
    let mut trainer = Trainer::<Images, [[[f32; 3]; 2]; 3], _>::new(Sgd::new(0.1));
    let err = trainer
        .step(&mut model, &images, &[0, 1, 0], &SoftmaxCrossEntropy)
        .unwrap_err();
    // Row 1, column 2 of a 2 x 3 image: value 5 of the sample, row-major.
    assert!(
        matches!(
            err,
            TrainError::NonFiniteInput {
                sample: 1,
                feature: 5,
                ..
            }
        ),
        "{err:?}"
    );
}

/// A layer written by hand that does not say where its input is not finite: the trainer
/// reports the loss alone, as before.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Halve;
impl Zero for Halve {
    const ZERO: Self = Halve;
}
typed_nn::parameterless!(Halve);
impl Forward<[f32; 2]> for Halve {
    type Output = [f32; 2];
    type Cache = ();
    const CACHE_FLOATS: usize = 0;
    fn infer(&self, x: &[f32; 2]) -> [f32; 2] {
        x.map(|v| v / 2.0)
    }
    fn forward(&self, x: &[f32; 2], out: &mut [f32; 2], _: &mut ()) {
        *out = self.infer(x);
    }
}
impl Backward<[f32; 2]> for Halve {
    fn backward(
        &self,
        _: &[f32; 2],
        _: &[f32; 2],
        d_out: &[f32; 2],
        _: &mut (),
        _: &mut Self,
        d_x: Option<&mut [f32; 2]>,
    ) {
        if let Some(d_x) = d_x {
            *d_x = d_out.map(|g| g / 2.0);
        }
    }
}

#[test]
fn a_first_layer_written_by_hand_leaves_the_loss_to_say_it() {
    let mut model = (Halve, Linear::<2, 1>::ZERO);
    let mut trainer = Trainer::new(Sgd::new(0.1));
    let err = trainer
        .step(&mut model, &[f32::NAN, 0.0], &[1.0], &Mse)
        .unwrap_err();
    assert!(
        matches!(err, TrainError::NonFiniteLoss { step: 1, .. }),
        "{err:?}"
    );
}

#[test]
fn targets_a_loss_is_not_defined_for_are_refused() {
    let mut model = Linear::<2, 1>::ZERO;
    let mut trainer = Trainer::new(Sgd::new(0.1));
    let err = trainer
        .step(&mut model, &[0.5, 0.5], &[2.0], &BinaryCrossEntropy)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "step 1: sample 0's target is 2: it must be a probability, in [0, 1]"
    );
    assert!(
        trainer
            .step(&mut model, &[0.5, 0.5], &[-0.1], &BinaryCrossEntropy)
            .is_err()
    );
    assert!(
        trainer
            .step(&mut model, &[0.5, 0.5], &[1.0], &BinaryCrossEntropy)
            .is_ok()
    );

    let mut three = Linear::<2, 3>::ZERO;
    let mut trainer = Trainer::new(Sgd::new(0.1));
    let soft = |t: [f32; 3]| t;
    let ce = SoftmaxCrossEntropy;
    let negative = trainer
        .step(&mut three, &[0.5, 0.5], &soft([1.5, -0.5, 0.0]), &ce)
        .unwrap_err();
    assert!(negative.to_string().contains("at least 0"), "{negative}");
    let unnormalised = trainer
        .step(&mut three, &[0.5, 0.5], &soft([0.5, 0.2, 0.2]), &ce)
        .unwrap_err();
    // The row's sum, at the precision of its values, named as a sum.
    assert_eq!(
        unnormalised.to_string(),
        "step 2: the targets of sample 0 sum to 0.9000000, not 1: a soft target must be a distribution"
    );
    assert!(
        trainer
            .step(&mut three, &[0.5, 0.5], &soft([0.5, 0.25, 0.25]), &ce)
            .is_ok()
    );
    let class = trainer
        .step(&mut three, &[0.5, 0.5], &3usize, &ce)
        .unwrap_err();
    assert!(class.to_string().contains("class index"), "{class}");
}

/// In an epoch, a bad target is named by its place in the data set, not in its batch: a
/// class index in the third batch, a probability in the last, partial one.
#[test]
fn an_epoch_names_a_bad_target_by_its_place_in_the_data_set() {
    let inputs = [[0.5f32, 0.5]; 7];
    let mut classes = [0usize, 1, 2, 0, 1, 2, 1];
    classes[5] = 9;
    let mut model = Linear::<2, 3>::ZERO;
    let mut trainer = Trainer::<_, [[f32; 2]; 2], _>::new(Sgd::new(0.1));
    let err = trainer
        .epoch(&mut model, &inputs, &classes, &SoftmaxCrossEntropy)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "in the data, checked before training (no step ran): sample 5's target is class 9: it must be a class index below the number of classes, 3 (0 to 2)"
    );
    // Found before the first step: the first two batches did not train the model. The error
    // keeps the step that would have met it.
    assert!(matches!(err, TrainError::Target { step: 3, .. }));
    assert_eq!((trainer.steps, &model), (0, &Linear::ZERO));

    // An input that is not finite, likewise, in the last batch.
    let mut holed = inputs;
    holed[6][1] = f32::NAN;
    let fine = [0usize, 1, 2, 0, 1, 2, 1];
    let err = trainer
        .epoch(&mut model, &holed, &fine, &SoftmaxCrossEntropy)
        .unwrap_err();
    assert!(
        matches!(
            err,
            TrainError::NonFiniteInput {
                step: 4,
                before_training: true,
                sample: 6,
                feature: 1,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().starts_with("in the data, checked before training (no step ran): input sample 6 holds NaN at feature 1"), "{err}");
    assert_eq!((trainer.steps, &model), (0, &Linear::ZERO));

    let mut yes_no = [[0.0f32, 1.0]; 7];
    yes_no[6] = [1.0, 1.5]; // sample 6, alone in the last batch: value 13
    let mut two = Linear::<2, 2>::ZERO;
    let mut trainer = Trainer::<_, [[f32; 2]; 2], _>::new(Sgd::new(0.1));
    let err = trainer
        .epoch(&mut two, &inputs, &yes_no, &BinaryCrossEntropy)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "in the data, checked before training (no step ran): target value 13 (sample 6) is 1.5: it must be a probability, in [0, 1]"
    );
}

/// Runs `run` on a thread whose stack is `bytes`, passing on its panic.
fn on_a_thread_of(bytes: usize, run: impl FnOnce() + Send + 'static) {
    let thread = std::thread::Builder::new().stack_size(bytes);
    thread.spawn(run).unwrap().join().unwrap();
}

#[test]
fn a_huge_model_trains_on_the_heap_on_a_small_thread() {
    // Linear<4096, 4096> is 64 MiB: built by value it would not compile (`FitsOnStack`).
    const N: usize = 4096;
    type Huge = (Linear<N, N>, ReLU, Linear<N, 4>);
    let run = || {
        let mut model: Box<Huge> = typed_nn::boxed::zeroed();
        model.init(Scheme::He, &mut rng(3));
        let mut trainer = Trainer::<Huge, [[f32; N]; 2], _>::boxed(Adam::boxed(1e-4));
        let mut x: Box<[[f32; N]; 2]> = typed_nn::boxed::zeroed();
        x[0].iter_mut()
            .enumerate()
            .for_each(|(i, v)| *v = (i % 7) as f32 / 7.0);
        x[1].iter_mut()
            .enumerate()
            .for_each(|(i, v)| *v = (i % 5) as f32 / 5.0);
        let first = trainer
            .step(&mut model, &x, &[1, 2], &SoftmaxCrossEntropy)
            .unwrap();
        // One more step sees the first's update (each step of 2^24 weights takes seconds in
        // a debug build).
        let last = trainer
            .step(&mut model, &x, &[1, 2], &SoftmaxCrossEntropy)
            .unwrap();
        let y = model.infer(&x[0]);
        assert!(y.iter().all(|v| v.is_finite()));
        assert!(last < first, "{last} < {first}");
    };
    on_a_thread_of(2 << 20, run);
}

#[test]
fn epochs_of_large_batches_fit_a_small_thread_with_a_partial_last_batch() {
    // MNIST's images on batches of 128 (392 KiB of inputs each), 300 samples: the last batch
    // is 44 samples, filled up to 128. Neither the trainer nor that batch may sit on the
    // stack of a thread of 256 KiB (the hidden layer is narrow, to keep the test quick).
    type Net = (Linear<784, 32>, ReLU, Linear<32, 10>);
    const B: usize = 128;
    let run = || {
        let mut model: Box<Net> = typed_nn::boxed::zeroed();
        model.init(Scheme::He, &mut rng(4));
        let mut trainer = Trainer::<Net, [[f32; 784]; B], _>::boxed(Adam::boxed(1e-3));
        let mut inputs: Vec<[f32; 784]> = (0..300)
            .map(|i| core::array::from_fn(|j| ((i * 7 + j) % 11) as f32 / 11.0))
            .collect();
        let mut classes: Vec<usize> = (0..300).map(|i| i % 10).collect();
        let report = trainer
            .epoch(&mut model, &inputs, &classes, &SoftmaxCrossEntropy)
            .unwrap();
        assert_eq!((report.samples, report.steps), (300, 3));
        let last = trainer
            .fit(
                &mut model,
                &mut inputs,
                &mut classes,
                &SoftmaxCrossEntropy,
                1,
                &mut rng(5),
                |_, _| ControlFlow::Continue(()),
            )
            .unwrap();
        // The trainer's second epoch: `epoch` ran its first.
        assert_eq!((last.epoch, last.samples), (2, 300));
        assert!(last.mean_loss.is_finite());
    };
    on_a_thread_of(256 << 10, run);
}

#[test]
fn the_same_seed_gives_the_same_bits_after_100_steps() {
    let train = || {
        let mut model = net();
        let mut trainer = Trainer::<Net, [[f32; 2]; 4], _>::new(Adam::new(1e-2));
        for _ in 0..100 {
            trainer
                .step(&mut model, &X, &C, &SoftmaxCrossEntropy)
                .unwrap();
        }
        let mut bits = Vec::new();
        model.visit(&mut |s: &[f32]| bits.extend(s.iter().map(|v| v.to_bits())));
        bits
    };
    assert_eq!(train(), train());
}

#[test]
fn an_optimizer_used_by_hand_reports_the_same_checks() {
    let mut grads = net();
    grads.0.bias[3] = f32::NAN;
    let err = Sgd::new(0.1).check(&mut grads).unwrap_err();
    assert!(
        matches!(err, StepError::Gradient { index: 19, value, .. } if value.is_nan()),
        "{err}"
    );
    assert_eq!(grads, Net::ZERO, "cleared");
    assert!(err.to_string().contains("NaN or an infinity"), "{err}");
}

/// Gradients each within the bound pass, and one past it is refused, for models on both sides
/// of the size up to which the check sums magnitudes (256 parameters) rather than taking their
/// maximum: a sum beyond the bound must not refuse a step whose every gradient is within it.
fn bound_is_exact_per_gradient<M: Params<f32> + Clone + PartialEq + core::fmt::Debug>() {
    let sgd = Sgd::new(1.0);
    let bound = typed_nn::optim::max_update::<f32>();
    let mut grads = M::ZERO;
    grads.visit_mut(&mut |s| s.fill(0.9 * bound));
    let kept = grads.clone();
    assert_eq!(sgd.check(&mut grads), Ok(()));
    assert_eq!(grads, kept, "a passing check leaves the gradients");

    let mut last = 0;
    grads.visit_mut(&mut |s| {
        s[s.len() - 1] = 1.1 * bound;
        last += s.len();
    });
    let err = sgd.check(&mut grads).unwrap_err();
    assert!(
        matches!(err, StepError::Gradient { index, .. } if index < last),
        "{err}"
    );
    assert_eq!(grads, M::ZERO, "cleared");
}

#[test]
fn the_gradient_bound_holds_per_gradient_at_every_model_size() {
    bound_is_exact_per_gradient::<Linear<1, 1>>(); // 2 parameters
    bound_is_exact_per_gradient::<Linear<15, 16>>(); // 256: the last summed
    bound_is_exact_per_gradient::<(Linear<15, 16>, Linear<1, 1>)>(); // 258
    bound_is_exact_per_gradient::<Linear<31, 16>>(); // 512
}

/// What the trainer calls, `checked_step`, against `check` and then `step`, for models on both
/// sides of the size up to which SGD checks and updates in one pass (256 parameters): the same
/// bits when the step passes (also when the gradients' sum, not any one of them, is past the
/// bound), and the same refusal, at the same index, with the model unchanged, when it does not.
fn one_pass_agrees_with_check_then_step<M: Params<f32> + Clone + PartialEq + core::fmt::Debug>() {
    let sgd = Sgd::new(0.5);
    let bound = typed_nn::optim::max_update::<f32>() / 0.5;
    let mut model = M::ZERO;
    let mut i = 0.0f32;
    model.visit_mut(&mut |s| {
        for p in s {
            i += 1.0;
            *p = (i * 0.37).sin();
        }
    });
    let both = |grads: &M| {
        let (mut fused_model, mut fused_grads) = (model.clone(), grads.clone());
        let fused = sgd
            .clone()
            .checked_step(&mut fused_model, &mut fused_grads, None);
        let (mut split_model, mut split_grads) = (model.clone(), grads.clone());
        let split = sgd.check(&mut split_grads);
        if split.is_ok() {
            sgd.clone().step(&mut split_model, &mut split_grads);
        }
        assert_eq!(fused_grads, M::ZERO, "cleared");
        assert_eq!(fused_model, split_model);
        (fused, split)
    };
    let mut grads = M::ZERO;
    grads.visit_mut(&mut |s| {
        for g in s {
            i += 1.0;
            *g = (i * 0.91).cos() * 3.0;
        }
    });
    assert_eq!(both(&grads), (Ok(()), Ok(())));
    let mut past_in_sum = M::ZERO;
    past_in_sum.visit_mut(&mut |s| s.fill(0.9 * bound));
    assert_eq!(both(&past_in_sum), (Ok(()), Ok(())));

    let last = M::PARAM_COUNT - 1;
    for (index, value) in [
        (0, f32::NAN),
        (last, f32::NEG_INFINITY),
        (last / 2, 1.5 * bound),
    ] {
        let mut bad = grads.clone();
        bad.set_param(index, value);
        let (fused, split) = both(&bad);
        let Err(StepError::Gradient {
            index: at,
            value: v,
            ..
        }) = fused
        else {
            panic!("{index}: {fused:?}");
        };
        assert_eq!(at, index);
        assert!(matches!(split, Err(StepError::Gradient { index: i, .. }) if i == index));
        let close = v == value as f64 || (v - value as f64).abs() <= 1e-6 * v.abs();
        assert!(close || (v.is_nan() && value.is_nan()), "{v} for {value}");
    }
}

#[test]
fn sgd_in_one_pass_agrees_with_check_then_step() {
    one_pass_agrees_with_check_then_step::<Linear<1, 1>>(); // 2 parameters
    one_pass_agrees_with_check_then_step::<Net>(); // 51
    one_pass_agrees_with_check_then_step::<Linear<15, 16>>(); // 256: the last in one pass
    one_pass_agrees_with_check_then_step::<(Linear<15, 16>, Linear<1, 1>)>(); // 258
}

/// The scan that checks large models' gradients finds the largest magnitude, a NaN above it,
/// at every place of slices from 1 to 300 values (across the vector widths and the length
/// from which it runs vectorised for the CPU).
#[test]
fn the_largest_magnitude_is_found_at_every_place() {
    for len in 1..=300usize {
        for at in [0, len / 2, len - 1] {
            let mut values: Vec<f32> = (0..len).map(|i| (i as f32 * 0.7).sin()).collect();
            values[at] = -7.5;
            assert_eq!(f32::max_magnitude(&values), 7.5f32.to_bits(), "{len} {at}");
            values[at] = f32::NAN;
            assert!(
                f32::max_magnitude(&values) > f32::INFINITY.to_bits(),
                "{len} {at}"
            );
            let wide: Vec<f64> = values.iter().map(|&v| v as f64).collect();
            assert!(
                f64::max_magnitude(&wide) > f64::INFINITY.to_bits(),
                "{len} {at}"
            );
        }
    }
}

/// A model whose first layer runs on the blocked product: the trainer takes the largest
/// gradient from its backward pass instead of reading the gradients again. A step that passes
/// is the step Adam takes by hand; a NaN in the data and an input so large that the second
/// moment would overflow are refused with the model and Adam's moments as they were.
#[test]
fn a_large_model_is_checked_through_its_backward_pass() {
    type Big = (Linear<100, 70>, ReLU, Linear<70, 3>);
    type Batch = [[f32; 100]; 150];
    let model = || {
        let mut model: Box<Big> = typed_nn::boxed::zeroed();
        model.init(Scheme::He, &mut rng(4));
        model
    };
    let mut x: Box<Batch> = typed_nn::boxed::zeroed();
    for (i, v) in x.as_flattened_mut().iter_mut().enumerate() {
        *v = ((i * 37 % 101) as f32 / 50.0) - 1.0;
    }
    let classes: [usize; 150] = core::array::from_fn(|i| i % 3);

    let (mut trained, mut trainer) = (model(), Trainer::<Big, Batch, _>::boxed(Adam::boxed(1e-2)));
    trainer
        .step(&mut trained, &x, &classes, &SoftmaxCrossEntropy)
        .unwrap();
    let (mut by_hand, mut adam) = (model(), Adam::<Big>::boxed(1e-2));
    let (mut out, mut d_out) = ([[0.0f32; 3]; 150], [[0.0f32; 3]; 150]);
    let mut cache: Box<<Big as Forward<Batch>>::Cache> = typed_nn::boxed::zeroed();
    by_hand.forward(&*x, &mut out, &mut cache);
    let _ = SoftmaxCrossEntropy.loss_grad(&out, &classes, &mut d_out);
    let mut grads: Box<Big> = typed_nn::boxed::zeroed();
    by_hand.backward(&*x, &out, &d_out, &mut cache, &mut grads, None);
    adam.step(&mut *by_hand, &mut *grads);
    assert_eq!(trained, by_hand, "the step is the step by hand");

    for (at, value) in [(4321, f32::NAN), (77, 1e25)] {
        let mut bad = x.clone();
        bad.as_flattened_mut()[at] = value;
        let before = (trained.clone(), format!("{:?}", trainer.optimizer));
        let grads_before = trainer.grads.clone();
        let err = trainer
            .step(&mut trained, &bad, &classes, &SoftmaxCrossEntropy)
            .unwrap_err();
        // The NaN may already make the loss NaN; the large input passes the loss and is
        // refused by its gradients.
        let by_gradient = matches!(
            err,
            TrainError::Refused {
                error: StepError::Gradient { .. },
                ..
            }
        );
        assert!(by_gradient || value.is_nan(), "{at}: {err}");
        assert_eq!(
            (trained.clone(), format!("{:?}", trainer.optimizer)),
            before,
            "{err}"
        );
        // Refused by the optimizer's check: the gradients are cleared (`Trainer::grads`).
        // Refused by the loss, before the backward pass: they are what the last update left.
        if by_gradient {
            assert_eq!(trainer.grads, *typed_nn::boxed::zeroed::<Big>(), "cleared");
        } else {
            assert_eq!(trainer.grads, grads_before, "untouched");
        }
    }
}

/// A layer large enough that, with the feature `parallel`, its gradients are scanned in halves
/// on two threads: a NaN or an overflowing gradient in either half is found, at its index.
#[test]
fn a_bad_gradient_is_found_in_either_half_of_a_large_layer() {
    type Wide = Linear<1024, 1024>;
    let sgd = Sgd::new(1.0);
    let bound = typed_nn::optim::max_update::<f32>();
    for (index, value) in [
        (17, f32::NAN),
        (1024 * 1024 - 3, 2.0 * bound),
        (600_000, f32::INFINITY),
    ] {
        let mut grads: Box<Wide> = typed_nn::boxed::zeroed();
        grads.set_param(index, value);
        let err = sgd.check(&mut *grads).unwrap_err();
        assert!(
            matches!(err, StepError::Gradient { index: i, .. } if i == index),
            "{index}: {err}"
        );
    }
    let mut grads: Box<Wide> = typed_nn::boxed::zeroed();
    grads.visit_mut(&mut |s| s.fill(0.5 * bound));
    assert_eq!(sgd.check(&mut *grads), Ok(()));
}

/// Edges found by using the trainer as its users might: a learning rate so small that the
/// gradient bound overflows, a weight decay that would overflow Adam's second moment, Adam
/// past 2^31 steps, and an epoch with a partial last batch for a model whose output does not
/// hold one row per sample.
#[test]
fn edges_of_the_hyperparameters_and_the_step_count_keep_the_model_finite() {
    // An infinite gradient with a learning rate of 1e-9 (bound 1e30 / 1e-9 overflows).
    let mut layer = Linear::<1, 1>::from_parts([[0.0]], [1.0]);
    let err = Trainer::new(Sgd::new(1e-9f32)).step(&mut layer, &[3e38], &[0.0], &Mse);
    assert!(err.is_err(), "{err:?}");
    assert_eq!(layer, Linear::from_parts([[0.0]], [1.0]));
    let mut trainer = Trainer::new(SgdMomentum::<Linear<1, 1>>::new(1e-9, 0.5));
    assert!(trainer.step(&mut layer, &[3e38], &[0.0], &Mse).is_err());

    // A weight decay of 1e30 is out of range, refused before the moments become infinite.
    let mut adam = Adam::<Linear<1, 1>>::new(1e-3);
    adam.weight_decay = 1e30;
    let mut trainer = Trainer::new(adam);
    let err = trainer.step(&mut layer, &[1.0], &[0.0], &Mse).unwrap_err();
    assert!(
        err.to_string()
            .contains("weight decay is 1e30: it must be in [0, 1]"),
        "{err}"
    );
    trainer.optimizer.weight_decay = 1.0;
    trainer.step(&mut layer, &[1.0], &[0.0], &Mse).unwrap();

    // Adam at and past 2^31 steps: the bias corrections are 1, the update finite.
    for t in [i32::MAX as u32 - 1, u32::MAX - 1] {
        let mut layer = Linear::<1, 1>::from_parts([[2.0]], [0.0]);
        let mut trainer = Trainer::new(Adam::new(1e-3));
        trainer.optimizer.t = t;
        trainer.step(&mut layer, &[1.0], &[0.0], &Mse).unwrap();
        assert!(
            layer.weight[0][0].is_finite() && layer.weight[0][0] < 2.0,
            "{layer:?}"
        );
    }

    // A model that flattens its batch into one row: 5 samples in batches of 3 would pad.
    let mut flat = (
        Linear::<2, 1>::from_parts([[0.5, -0.5]], [0.1]),
        Flatten::<3>,
    );
    let xs = [[1.0f32, 0.0]; 5];
    let ts = [0.0f32; 5];
    let mut trainer = Trainer::<_, [[f32; 2]; 3], _>::new(Sgd::new(0.01));
    let err = trainer.epoch(&mut flat, &xs, &ts[..5], &Mse);
    assert_eq!(
        err.map(|r| r.samples),
        Err(TrainError::PartialBatch {
            samples: 5,
            batch: 3,
            rows: 1
        })
    );
    assert!(trainer.epoch(&mut flat, &xs[..3], &ts[..3], &Mse).is_ok());
}

#[test]
fn a_refused_gradient_says_whether_it_overflowed_or_the_input_held_a_nan() {
    let sgd = Sgd::new(1e25f32);
    let bound = match sgd.check(&mut {
        let mut g = Net::ZERO;
        g.0.bias[0] = 3e5;
        g
    }) {
        Err(StepError::Gradient { bound, .. }) => bound,
        other => panic!("{other:?}"),
    };
    // An f32 bound prints as the f32 it is, not with the digits of its binary value.
    let mut grads = Net::ZERO;
    grads.0.bias[0] = 3e5;
    let err = sgd.check(&mut grads).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "gradient 16 is 3e5, beyond {:e}, the largest these hyperparameters take without the update overflowing (lower the learning rate, or scale the data)",
            bound as f32
        )
    );
    // An infinite gradient from finite data is an overflow as often as an infinite input.
    grads.0.bias[0] = f32::INFINITY;
    let err = sgd.check(&mut grads).unwrap_err();
    assert!(err.to_string().contains("inf: it overflowed"), "{err}");
    grads.0.bias[0] = f32::NAN;
    let err = sgd.check(&mut grads).unwrap_err();
    assert!(
        err.to_string()
            .ends_with("is NaN: the data, the loss or the model holds a NaN or an infinity"),
        "{err}"
    );
}

#[test]
fn a_regression_target_that_is_not_finite_is_named_before_anything_is_computed() {
    let mut model = net();
    let mut trainer = Trainer::new(Adam::new(1e-3));
    let mut targets = [[0.5f32, -0.5, 1.0]; 4];
    targets[2][1] = f32::INFINITY;
    let err = trainer.step(&mut model, &X, &targets, &Mse).unwrap_err();
    assert_eq!(
        err.to_string(),
        "step 1: target value 7 (sample 2) is inf: it must be a finite number"
    );
    assert_eq!(model, net());
    targets[2][1] = f32::NAN;
    let err = trainer.step(&mut model, &X, &targets, &Mse).unwrap_err();
    assert!(matches!(err, TrainError::Target { .. }), "{err}");
    // Finite targets train on.
    targets[2][1] = 0.0;
    assert!(trainer.step(&mut model, &X, &targets, &Mse).is_ok());
}
