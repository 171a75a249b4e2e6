//! Training end to end: XOR, divergence reported as an error, mismatched data rejected.

mod common;

use common::rng;
use typed_nn::ScoredBy;
use typed_nn::prelude::*;
use typed_nn::train::TrainError;

const XOR: [([f32; 2], [f32; 1]); 4] = [
    ([0.0, 0.0], [0.0]),
    ([0.0, 1.0], [1.0]),
    ([1.0, 0.0], [1.0]),
    ([1.0, 1.0], [0.0]),
];

#[test]
fn a_hidden_layer_learns_xor_and_a_linear_model_cannot() {
    let mut r = rng(1);
    let mut mlp = (
        Linear::<2, 4>::glorot(&mut r),
        Sigmoid,
        Linear::<4, 1>::glorot(&mut r),
    );
    let mut trainer = Trainer::new(Sgd::new(0.5));
    let mut linear = Linear::<2, 1>::glorot(&mut r);
    let mut linear_trainer = Trainer::new(Sgd::new(0.5));
    for _ in 0..3000 {
        for (x, t) in &XOR {
            trainer.step(&mut mlp, x, t, &BinaryCrossEntropy).unwrap();
            linear_trainer
                .step(&mut linear, x, t, &BinaryCrossEntropy)
                .unwrap();
        }
    }
    let right = |f: &dyn Fn(&[f32; 2]) -> f32| {
        XOR.iter()
            .filter(|(x, t)| (f(x) > 0.0) == (t[0] > 0.5))
            .count()
    };
    assert_eq!(right(&|x| mlp.infer(x)[0]), 4);
    // No line separates XOR: at most three of four points are ever right.
    assert!(right(&|x| linear.infer(x)[0]) <= 3);
}

#[test]
fn a_nan_loss_is_an_error_and_leaves_the_model_alone() {
    let mut net = Linear::<2, 1>::glorot(&mut rng(2));
    let before = net.clone();
    let mut trainer = Trainer::new(Sgd::new(0.1));
    let err = trainer
        .step(&mut net, &[f32::NAN, 0.0], &[1.0], &Mse)
        .unwrap_err();
    // The input is named, not only the loss.
    assert!(matches!(err, TrainError::NonFiniteInput { step: 1, .. }));
    assert_eq!(net, before);
    let later = trainer
        .step(&mut net, &[0.0, f32::INFINITY], &[1.0], &Mse)
        .unwrap_err();
    assert!(matches!(
        later,
        TrainError::NonFiniteInput {
            step: 2,
            sample: 0,
            feature: 1,
            ..
        }
    ));

    // With finite inputs: before any update, the learning rate cannot be the cause, and is
    // not named; later, divergence comes first.
    let mut fresh = Trainer::new(Sgd::new(0.1));
    let mut huge = Linear::<2, 1>::from_parts([[3e38, 3e38]], [0.0]);
    let err = fresh
        .step(&mut huge, &[1.0, 1.0], &[1.0], &Mse)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "loss is inf at step 1, before any update: the model's weights hold a NaN or an infinity, or the inputs, targets or weights are so large that the loss overflows"
    );
    fresh.step(&mut net, &[1.0, 0.0], &[1.0], &Mse).unwrap();
    let later = fresh
        .step(&mut net, &[1e30, 1e30], &[1.0], &Mse)
        .unwrap_err();
    assert!(matches!(later, TrainError::NonFiniteLoss { step: 3, .. }));
    assert!(
        later
            .to_string()
            .starts_with("loss is inf at step 3, after 1 update: training diverged"),
        "{later}"
    );
}

/// Refused steps apply no update: a loss that overflows after them alone is still met
/// before any update, and the learning rate is not named.
#[test]
fn refused_steps_do_not_count_as_updates() {
    let mut net = Linear::<1, 2>::from_parts([[1e30], [-1e30]], [0.0, 0.0]);
    let before = net.clone();
    let mut trainer = Trainer::new(Sgd::new(0.1));
    // A class index out of range, then a NaN input: both refused.
    trainer
        .step(&mut net, &[1.0], &5usize, &SoftmaxCrossEntropy)
        .unwrap_err();
    trainer
        .step(&mut net, &[f32::NAN], &0usize, &SoftmaxCrossEntropy)
        .unwrap_err();
    assert_eq!((trainer.steps, trainer.updates, &net), (2, 0, &before));
    let err = trainer
        .step(&mut net, &[1e10], &0usize, &SoftmaxCrossEntropy)
        .unwrap_err();
    assert!(
        matches!(
            err,
            TrainError::NonFiniteLoss {
                step: 3,
                updates: 0,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains(" at step 3, before any update: the model's weights"),
        "{err}"
    );
    // One applied step, and the same overflow now names divergence first.
    let mut small = Linear::<1, 2>::ZERO;
    trainer
        .step(&mut small, &[1.0], &0usize, &SoftmaxCrossEntropy)
        .unwrap();
    assert_eq!((trainer.steps, trainer.updates), (4, 1));
    let err = trainer
        .step(&mut net, &[1e10], &0usize, &SoftmaxCrossEntropy)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains(" at step 5, after 1 update: training diverged"),
        "{err}"
    );
}

#[test]
fn a_learning_rate_far_too_high_is_reported_as_divergence() {
    let mut net = (
        Linear::<1, 8>::glorot(&mut rng(3)),
        ReLU,
        Linear::<8, 1>::glorot(&mut rng(4)),
    );
    let mut trainer = Trainer::new(Sgd::new(1e6));
    let mut result = Ok(0.0);
    for _ in 0..100 {
        result = trainer.step(&mut net, &[3.0], &[100.0], &Mse);
        if result.is_err() {
            break;
        }
    }
    // Either the loss overflowed, or the optimizer refused an update that would have: the
    // model holds finite numbers whichever came first.
    assert!(
        matches!(
            result,
            Err(TrainError::NonFiniteLoss { .. } | TrainError::Refused { .. })
        ),
        "{result:?}"
    );
    assert!(net.all_finite());
}

#[test]
fn epochs_reject_mismatched_data_and_train_in_batches() {
    let inputs: Vec<[f32; 2]> = XOR.iter().map(|(x, _)| *x).collect();
    let classes = [0usize, 1, 1, 0];
    let mut r = rng(5);
    let mut net = (
        Linear::<2, 8>::glorot(&mut r),
        Tanh,
        Linear::<8, 2>::glorot(&mut r),
    );
    let mut trainer = Trainer::<_, [[f32; 2]; 2], _>::new(Adam::new(0.05));
    let err = trainer.epoch(&mut net, &inputs, &classes[..3], &SoftmaxCrossEntropy);
    assert_eq!(
        err,
        Err(TrainError::LengthMismatch {
            inputs: 4,
            targets: 3
        })
    );

    let (mut xs, mut ts) = (inputs.clone(), classes);
    for _ in 0..300 {
        shuffle_together(&mut xs, &mut ts, &mut r).unwrap();
        trainer
            .epoch(&mut net, &xs, &ts, &SoftmaxCrossEntropy)
            .unwrap();
    }
    assert_eq!(accuracy(&net, &inputs, &classes), Ok(1.0));
    assert_eq!(trainer.steps, 600);
}

/// An epoch whose data does not fill its last batch reports each sample's loss once: the
/// last batch repeats samples to fill up, and its mean over the padded rows counted them
/// twice. Checked against the losses computed by hand, step by step, for each loss.
#[test]
fn a_partial_last_batch_counts_each_sample_once_in_the_mean_loss() {
    let xs: Vec<[f32; 1]> = (0..7).map(|i| [i as f32 * 0.3 - 1.0]).collect();
    let ys: Vec<[f32; 1]> = (0..7).map(|i| [(i as f32 * 0.7).sin() * 3.0]).collect();
    let start = Linear::<1, 1>::from_parts([[0.2]], [0.1]);
    let mut net = start.clone();
    let mut trainer = Trainer::<Linear<1, 1>, [[f32; 1]; 4], _>::new(Sgd::new(0.05));
    let report = trainer.epoch(&mut net, &xs, &ys, &Mse).unwrap();
    // By hand: the first step on samples 0-3 with the starting weights, the second on 4-6
    // with the weights after the first step.
    let mut by_hand = start.clone();
    let first: Vec<f64> = (0..4)
        .map(|i| (by_hand.infer(&xs[i])[0] as f64 - ys[i][0] as f64).powi(2))
        .collect();
    let mut sgd = Trainer::<Linear<1, 1>, [[f32; 1]; 4], _>::new(Sgd::new(0.05));
    let batch: [[f32; 1]; 4] = core::array::from_fn(|i| xs[i]);
    let targets: [[f32; 1]; 4] = core::array::from_fn(|i| ys[i]);
    sgd.step(&mut by_hand, &batch, &targets, &Mse).unwrap();
    let second: Vec<f64> = (4..7)
        .map(|i| (by_hand.infer(&xs[i])[0] as f64 - ys[i][0] as f64).powi(2))
        .collect();
    let want = (first.iter().sum::<f64>() + second.iter().sum::<f64>()) / 7.0;
    assert!(
        (report.mean_loss as f64 - want).abs() < 1e-5 * want,
        "{} against {want}",
        report.mean_loss
    );

    // Softmax cross-entropy by class index, and binary cross-entropy: the same rule.
    let classes = [0usize, 1, 1, 0, 1];
    let probabilities: Vec<[f32; 2]> = classes
        .iter()
        .map(|&c| [c as f32, 1.0 - c as f32])
        .collect();
    epoch_mean_is_each_samples_loss_once(&classes, &SoftmaxCrossEntropy);
    epoch_mean_is_each_samples_loss_once(&probabilities, &BinaryCrossEntropy);
}

/// An epoch over five samples in batches of two, at a learning rate of 1e-30 (which leaves
/// the weights as they were, to f32's precision): its mean loss is each sample's loss once.
fn epoch_mean_is_each_samples_loss_once<T: Copy, L>(targets: &[T], loss: &L)
where
    L: Loss<[f32; 2], T>,
    [[f32; 2]; 2]: ScoredBy<L, [T; 2]>,
{
    let inputs: Vec<[f32; 2]> = (0..5).map(|i| [i as f32 * 0.4 - 1.0, 0.5]).collect();
    let two = Linear::<2, 2>::from_parts([[0.3, -0.2], [-0.1, 0.4]], [0.0, 0.1]);
    let mut model = two.clone();
    let mut trainer = Trainer::<Linear<2, 2>, [[f32; 2]; 2], _>::new(Sgd::new(1e-30));
    let report = trainer.epoch(&mut model, &inputs, targets, loss).unwrap();
    let want: f64 = inputs
        .iter()
        .zip(targets)
        .map(|(x, t)| loss.loss(&two.infer(x), t) as f64)
        .sum::<f64>()
        / 5.0;
    assert!(
        (report.mean_loss as f64 - want).abs() < 1e-6,
        "{} against {want}",
        report.mean_loss
    );
}
