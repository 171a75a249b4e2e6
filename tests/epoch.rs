//! Epochs account for every sample: the tail that does not fill a batch takes part with the
//! weight it would have in a full batch, the report counts it, and `fit` stops when told.

mod common;

use core::ops::ControlFlow;

use common::rng;
use typed_nn::prelude::*;
use typed_nn::train::{EpochReport, TrainError};

type Net = (Linear<2, 3, f64>, Tanh, Linear<3, 2, f64>);

fn net() -> Net {
    let mut net = Net::ZERO;
    net.init(Scheme::Glorot, &mut rng(3));
    net
}

const XS: [[f64; 2]; 5] = [[0.1, 0.9], [0.8, 0.2], [0.3, 0.3], [0.9, 0.7], [0.2, 0.6]];
const CLASSES: [usize; 5] = [1, 0, 1, 0, 1];

#[test]
fn the_tail_takes_one_step_weighted_as_its_own_samples() {
    // Batches of 2 over 5 samples: [0, 1], [2, 3], then sample 4 alone.
    let mut model = net();
    let mut trainer = Trainer::<Net, [[f64; 2]; 2], _>::new(Sgd::new(0.3));
    let report = trainer
        .epoch(&mut model, &XS, &CLASSES, &SoftmaxCrossEntropy)
        .unwrap();
    assert_eq!((report.samples, report.steps), (5, 3));

    // The same three steps by hand: two batches, then the last sample on its own.
    let mut by_hand = net();
    let mut batches = Trainer::<Net, [[f64; 2]; 2], _>::new(Sgd::new(0.3));
    let mut single = Trainer::<Net, [f64; 2], _>::new(Sgd::new(0.3));
    let ce = SoftmaxCrossEntropy;
    let a = batches
        .step(&mut by_hand, &[XS[0], XS[1]], &[1, 0], &ce)
        .unwrap();
    let b = batches
        .step(&mut by_hand, &[XS[2], XS[3]], &[1, 0], &ce)
        .unwrap();
    let c = single.step(&mut by_hand, &XS[4], &1, &ce).unwrap();

    let flat = |m: &Net| {
        let mut all = Vec::new();
        m.visit(&mut |s: &[f64]| all.extend_from_slice(s));
        all
    };
    let (got, want) = (flat(&model), flat(&by_hand));
    assert_eq!(got.len(), Net::PARAM_COUNT);
    for (g, w) in got.iter().zip(&want) {
        assert!((g - w).abs() < 1e-14, "{g} vs {w}");
    }
    let mean = (2.0 * a + 2.0 * b + c) / 5.0;
    assert!((report.mean_loss - mean).abs() < 1e-14);
}

#[test]
fn a_data_set_that_divides_into_batches_has_no_tail_step() {
    let mut model = net();
    let mut trainer = Trainer::<Net, [[f64; 2]; 2], _>::new(Sgd::new(0.3));
    let report = trainer
        .epoch(&mut model, &XS[..4], &CLASSES[..4], &SoftmaxCrossEntropy)
        .unwrap();
    assert_eq!((report.samples, report.steps), (4, 2));
}

#[test]
fn fewer_samples_than_one_batch_is_an_error() {
    let mut model = net();
    let mut trainer = Trainer::<Net, [[f64; 2]; 8], _>::new(Sgd::new(0.3));
    let err = trainer.epoch(&mut model, &XS, &CLASSES, &SoftmaxCrossEntropy);
    assert_eq!(
        err,
        Err(TrainError::SmallerThanBatch {
            samples: 5,
            batch: 8
        })
    );
    assert!(err.unwrap_err().to_string().contains("5 samples"));
    let (empty, none): ([[f64; 2]; 0], [usize; 0]) = ([], []);
    let err = trainer.epoch(&mut model, &empty, &none, &SoftmaxCrossEntropy);
    assert!(matches!(
        err,
        Err(TrainError::SmallerThanBatch { samples: 0, .. })
    ));
    // No batch size helps: the message says what is wrong.
    assert_eq!(
        err.unwrap_err().to_string(),
        "the data set is empty: an epoch needs at least one sample"
    );
    assert_eq!(trainer.steps, 0, "no step was taken");
}

#[test]
fn classifiers_report_accuracy_and_regressions_do_not() {
    let mut model = net();
    let mut trainer = Trainer::<Net, [[f64; 2]; 2], _>::new(Adam::new(0.05));
    let mut report = None;
    for _ in 0..300 {
        report = Some(trainer.epoch(&mut model, &XS, &CLASSES, &SoftmaxCrossEntropy));
    }
    let report = report.unwrap().unwrap();
    assert_eq!(report.accuracy, Some(1.0));
    assert!(report.to_string().contains("accuracy 1.0000"));

    let targets: Vec<[f64; 2]> = XS.iter().map(|x| [x[0] + x[1], x[0] - x[1]]).collect();
    let mut trainer = Trainer::<Net, [[f64; 2]; 2], _>::new(Adam::new(0.05));
    let report = trainer.epoch(&mut model, &XS, &targets, &Mse).unwrap();
    assert_eq!(report.accuracy, None);
}

#[test]
fn the_tail_counts_only_its_own_samples_for_accuracy() {
    // One sample in the tail, repeated to fill a batch of 4: it counts once.
    let mut model = net();
    // A learning rate too small to move any parameter: the model is the one that scored.
    let mut trainer = Trainer::<Net, [[f64; 2]; 4], _>::new(Sgd::new(1e-30));
    let report = trainer
        .epoch(&mut model, &XS, &CLASSES, &SoftmaxCrossEntropy)
        .unwrap();
    let right = XS
        .iter()
        .zip(CLASSES)
        .filter(|(x, c)| argmax(&model.infer(*x)) == *c)
        .count();
    assert_eq!(report.accuracy, Some(right as f64 / 5.0));
}

#[test]
fn fit_shuffles_reports_each_epoch_and_stops_when_told() {
    let mut model = net();
    let (mut xs, mut cs) = (XS, CLASSES);
    let mut trainer = Trainer::<Net, [[f64; 2]; 2], _>::new(Adam::new(0.05));
    let mut seen: Vec<EpochReport<f64>> = Vec::new();
    let last = trainer
        .fit(
            &mut model,
            &mut xs,
            &mut cs,
            &SoftmaxCrossEntropy,
            50,
            &mut rng(9),
            |r, _| {
                seen.push(*r);
                if r.epoch == 7 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            },
        )
        .unwrap();
    assert_eq!(last.epoch, 7);
    assert_eq!(
        seen.iter().map(|r| r.epoch).collect::<Vec<_>>(),
        (1..=7).collect::<Vec<_>>()
    );
    assert!(seen.iter().all(|r| r.samples == 5 && r.steps == 3));
    assert_eq!(trainer.steps, 21);
    // Shuffled together: every input still has its own class.
    for (x, c) in xs.iter().zip(cs) {
        let i = XS.iter().position(|y| y == x).unwrap();
        assert_eq!(CLASSES[i], c);
    }
    assert_ne!(xs, XS, "the order changed");
}

/// What [`fit_with_bad_class`] returns: the error, and the trainer, model, inputs and classes
/// as `fit` left them.
type Fitted<const B: usize> = (
    TrainError,
    Trainer<Net, [[f64; 2]; B], Adam<Net, f64>>,
    Net,
    Vec<[f64; 2]>,
    Vec<usize>,
);

/// 40 samples, the class of sample `bad` set to `class`; `fit` for five epochs in batches of
/// `B` returns its error, with the trainer, the model and the data as it left them.
fn fit_with_bad_class<const B: usize>(bad: usize, class: usize) -> Fitted<B> {
    let mut model = net();
    let mut xs: Vec<[f64; 2]> = (0..40).map(|i| XS[i % 5]).collect();
    let mut cs: Vec<usize> = (0..40).map(|i| CLASSES[i % 5]).collect();
    cs[bad] = class;
    let mut trainer = Trainer::<Net, [[f64; 2]; B], _>::new(Adam::new(0.05));
    let err = trainer
        .fit(
            &mut model,
            &mut xs,
            &mut cs,
            &SoftmaxCrossEntropy,
            5,
            &mut rng(1),
            |_, _| ControlFlow::Continue(()),
        )
        .unwrap_err();
    (err, trainer, model, xs, cs)
}

#[test]
fn fit_names_a_bad_target_by_its_index_as_passed_and_takes_no_step() {
    let (err, trainer, model, xs, cs) = fit_with_bad_class::<4>(5, 3);
    // Index 5 is in the second batch of four: the second step would have met it.
    assert_eq!(
        err.to_string(),
        "in the data, checked before training (no step ran): sample 5's target is class 3: it must be a class index below the number of classes, 2 (0 to 1)"
    );
    assert!(matches!(
        err,
        TrainError::Target {
            step: 2,
            before_training: true,
            ..
        }
    ));
    assert_eq!(trainer.steps, 0);
    assert_eq!(model, net());
    // Nothing shuffled.
    let mut given: Vec<usize> = (0..40).map(|i| CLASSES[i % 5]).collect();
    given[5] = 3;
    assert_eq!(xs, (0..40).map(|i| XS[i % 5]).collect::<Vec<_>>());
    assert_eq!(cs, given);

    // In the tail (40 samples in batches of 3: 13 full ones and 1 left), counted as passed.
    let (err, ..) = fit_with_bad_class::<3>(39, 7);
    assert_eq!(
        err.to_string(),
        "in the data, checked before training (no step ran): sample 39's target is class 7: it must be a class index below the number of classes, 2 (0 to 1)"
    );
    assert!(matches!(err, TrainError::Target { step: 14, .. }));
}

#[test]
fn fit_with_no_epochs_trains_nothing_and_reports_no_loss() {
    let mut model = net();
    let (mut xs, mut cs) = (XS, CLASSES);
    let mut trainer = Trainer::<Net, [[f64; 2]; 2], _>::new(Adam::new(0.05));
    let mut called = false;
    let report = trainer
        .fit(
            &mut model,
            &mut xs,
            &mut cs,
            &SoftmaxCrossEntropy,
            0,
            &mut rng(2),
            |_, _| {
                called = true;
                ControlFlow::Continue(())
            },
        )
        .unwrap();
    assert!(!called);
    assert_eq!((report.epoch, report.samples, report.steps), (0, 0, 0));
    assert!(report.mean_loss.is_nan(), "{report}");
    let early_stop = report.mean_loss < 0.1;
    assert!(!early_stop, "no early-stop test passes on it");
    assert_eq!((model, xs, cs), (net(), XS, CLASSES));
    let mut model = net();
    // The data is still checked.
    let err = trainer.fit(
        &mut model,
        &mut xs[..1],
        &mut cs[..1],
        &SoftmaxCrossEntropy,
        0,
        &mut rng(2),
        |_, _| ControlFlow::Continue(()),
    );
    assert!(matches!(err, Err(TrainError::SmallerThanBatch { .. })));
}

/// A report prints its loss with six decimals, or in exponent form where decimals would
/// print thirty digits of a diverging loss or nothing but zeros of a tiny one.
#[test]
fn a_report_prints_any_loss_readably() {
    let report = |mean_loss: f32| EpochReport {
        epoch: 3,
        mean_loss,
        samples: 10,
        steps: 2,
        accuracy: None,
    };
    for (loss, shown) in [
        (0.25, "loss 0.250000,"),
        (0.0, "loss 0.000000,"),
        (123456.5, "loss 123456.500000,"),
        (3.772_14e29, "loss 3.77214e29,"),
        (-2.5e-7, "loss -2.50000e-7,"),
        (f32::NAN, "loss NaN,"),
        (f32::INFINITY, "loss inf,"),
    ] {
        let text = report(loss).to_string();
        assert!(text.contains(shown), "{text} for {loss}");
    }
    assert_eq!(
        report(0.5).to_string(),
        "epoch 3: loss 0.500000, 10 samples in 2 steps"
    );
}

/// Epochs are numbered over the trainer's life: `epoch` alone counts 1, 2, ..., a `fit` after
/// it goes on from there, and an epoch refused by its data counts nothing.
#[test]
fn epochs_are_numbered_over_the_trainers_life() {
    let mut model = net();
    let mut trainer = Trainer::<Net, [[f64; 2]; 2], _>::new(Sgd::new(0.3));
    let numbers: Vec<usize> = (0..3)
        .map(|_| {
            let report = trainer.epoch(&mut model, &XS, &CLASSES, &SoftmaxCrossEntropy);
            report.unwrap().epoch
        })
        .collect();
    assert_eq!(numbers, [1, 2, 3]);
    let wrong = [1usize, 0, 1, 0, 7];
    assert!(
        trainer
            .epoch(&mut model, &XS, &wrong, &SoftmaxCrossEntropy)
            .is_err()
    );
    assert_eq!(trainer.epochs, 3);
    let (mut xs, mut cs) = (XS, CLASSES);
    let mut seen = Vec::new();
    let last = trainer
        .fit(
            &mut model,
            &mut xs,
            &mut cs,
            &SoftmaxCrossEntropy,
            2,
            &mut rng(1),
            |r, _| {
                seen.push(r.epoch);
                ControlFlow::Continue(())
            },
        )
        .unwrap();
    assert_eq!((seen, last.epoch, trainer.epochs), (vec![4, 5], 5, 5));
    assert!(last.to_string().starts_with("epoch 5: loss "), "{last}");
}
