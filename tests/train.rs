//! Training end to end: XOR, divergence reported as an error, mismatched data rejected.

mod common;

use common::rng;
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
    assert!(matches!(err, TrainError::NonFiniteLoss { step: 1, .. }));
    assert_eq!(net, before);
    // Before any update, the learning rate cannot be the cause, and is not named.
    assert_eq!(
        err.to_string(),
        "loss is NaN at step 1, before any update: the inputs, the targets or the model's weights hold a NaN, an infinity, or values so large that the loss overflows"
    );
    // Later, the data first, then divergence.
    trainer.step(&mut net, &[1.0, 0.0], &[1.0], &Mse).unwrap();
    let later = trainer
        .step(&mut net, &[0.0, f32::INFINITY], &[1.0], &Mse)
        .unwrap_err();
    assert!(matches!(later, TrainError::NonFiniteLoss { step: 3, .. }));
    assert!(
        later
            .to_string()
            .starts_with("loss is inf at step 3: this step's inputs or targets hold a NaN"),
        "{later}"
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
