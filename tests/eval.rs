//! Evaluation: each metric against a value computed by hand, and every misuse an error.

use typed_nn::eval::{
    ConfusionMatrix, EvalError, accuracy, binary_accuracy, confusion_matrix, mean_loss, mse,
    r_squared,
};
use typed_nn::prelude::*;

/// Scores class 0 for positive inputs and class 1 for negative ones.
fn sign_classifier() -> Linear<1, 2, f64> {
    Linear::from_parts([[1.0], [-1.0]], [0.0, 0.0])
}

#[test]
fn accuracy_counts_right_predictions_and_rejects_misuse() {
    let model = sign_classifier();
    let xs = [[1.0], [-2.0], [3.0], [-4.0]];
    assert_eq!(accuracy(&model, &xs, &[0, 1, 1, 1]), Ok(0.75));
    assert_eq!(
        accuracy(&model, &xs, &[0, 1, 0]),
        Err(EvalError::LengthMismatch {
            inputs: 4,
            targets: 3
        })
    );
    let none: [[f64; 1]; 0] = [];
    assert_eq!(accuracy(&model, &none, &[]), Err(EvalError::Empty));
    let out_of_range = accuracy(&model, &xs, &[0, 1, 5, 1]);
    assert_eq!(
        out_of_range,
        Err(EvalError::ClassOutOfRange {
            sample: 2,
            class: 5,
            classes: 2
        })
    );
    assert!(out_of_range.unwrap_err().to_string().contains("0 to 1"));
}

#[test]
fn the_confusion_matrix_counts_pairs_and_prints_a_table() {
    let model = sign_classifier();
    let xs = [[1.0], [-2.0], [3.0], [-4.0], [5.0]];
    let m = confusion_matrix(&model, &xs, &[0, 1, 1, 1, 0]).unwrap();
    assert_eq!(m.counts, [[2, 0], [1, 2]]);
    assert_eq!(m.total(), 5);
    assert_eq!(m.accuracy(), 0.8);
    assert_eq!(m.recall(1), Some(2.0 / 3.0));
    assert_eq!(m.precision(0), Some(2.0 / 3.0));
    assert_eq!(m.precision(7), None);
    let table = m.to_string();
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 5, "{table}");
    assert_eq!(lines[0], "| true \\ predicted | 0 | 1 | recall |");
    assert_eq!(lines[3], "| 1 | 1 | 2 | 0.667 |");
    // Predicted 0: 2 of 3 right; predicted 1: 2 of 2.
    assert_eq!(lines[4], "| precision | 0.667 | 1.000 | accuracy 0.800 |");
    let empty = ConfusionMatrix::<3> {
        counts: [[0; 3]; 3],
    };
    let empty_table = empty.to_string();
    assert!(empty_table.contains(" - |"));
    assert_eq!(
        empty_table.lines().last(),
        Some("| precision | - | - | - | - |")
    );
    assert!(confusion_matrix(&model, &xs, &[0, 1, 2, 1, 0]).is_err());
}

#[test]
fn mean_loss_mse_and_r_squared_match_their_formulas() {
    let model = Linear::<1, 1, f64>::from_parts([[2.0]], [1.0]);
    let xs = [[0.0], [1.0], [2.0], [3.0]];
    let ts = [[1.5], [2.5], [5.0], [8.0]];
    // Predictions 1, 3, 5, 7: errors -0.5, 0.5, 0, -1.
    let sq = [0.25, 0.25, 0.0, 1.0];
    let want_mse = sq.iter().sum::<f64>() / 4.0;
    assert!((mse(&model, &xs, &ts).unwrap() - want_mse).abs() < 1e-15);
    assert!((mean_loss(&model, &xs, &ts, &Mse).unwrap() - want_mse).abs() < 1e-15);
    let mean = (1.5 + 2.5 + 5.0 + 8.0) / 4.0;
    let tot: f64 = ts.iter().map(|t| (t[0] - mean) * (t[0] - mean)).sum();
    let want_r2 = 1.0 - sq.iter().sum::<f64>() / tot;
    assert!((r_squared(&model, &xs, &ts).unwrap() - want_r2).abs() < 1e-15);
    // Batches count sample by sample.
    let batched = [[[0.0], [1.0]], [[2.0], [3.0]]];
    let batched_ts = [[[1.5], [2.5]], [[5.0], [8.0]]];
    assert!((r_squared(&model, &batched, &batched_ts).unwrap() - want_r2).abs() < 1e-15);
    assert_eq!(
        r_squared(&model, &xs, &[[2.0]; 4]),
        Err(EvalError::ConstantTarget { output: 0 })
    );
    // Constant targets whose mean rounds off their value: still constant, at every count.
    for n in 1..=64 {
        for value in [0.1, 0.3, 0.7, 2.2] {
            let (xs, ts) = (vec![[1.0]; n], vec![[value]; n]);
            assert_eq!(
                r_squared(&model, &xs, &ts),
                Err(EvalError::ConstantTarget { output: 0 }),
                "{n} x {value}"
            );
        }
    }
    assert!(mse(&model, &xs, &ts[..2]).is_err());
}

#[test]
fn r_squared_averages_outputs_like_scikit_learn() {
    // Output 0 is perfect (R^2 = 1), output 1 always predicts 0 against targets 1 and 3
    // (mean 2, SS_tot 2, SS_res 10: R^2 = -4); the uniform average is -1.5.
    let model = Linear::<1, 2, f64>::from_parts([[1.0], [0.0]], [0.0, 0.0]);
    let r2 = r_squared(&model, &[[1.0], [2.0]], &[[1.0, 1.0], [2.0, 3.0]]).unwrap();
    assert!((r2 + 1.5).abs() < 1e-15, "{r2}");
}

#[test]
fn mean_loss_of_a_classifier_is_its_cross_entropy() {
    let model = sign_classifier();
    let loss = mean_loss(&model, &[[0.0], [0.0]], &[0, 1], &SoftmaxCrossEntropy).unwrap();
    assert!((loss - core::f64::consts::LN_2).abs() < 1e-15);
}

/// A model whose outputs are NaN scores nothing: every evaluation is an error naming the
/// sample, not an accuracy that looks like a result; and a target the loss is not defined
/// for is an error in `mean_loss` as in training.
#[test]
fn a_nan_model_and_undefined_targets_are_errors_not_scores() {
    let nan = Linear::<2, 3>::from_parts([[f32::NAN; 2]; 3], [f32::NAN; 3]);
    let xs = [[1.0f32, 2.0]; 4];
    let not_finite = Err(EvalError::NotFinite { sample: 0 });
    assert_eq!(accuracy(&nan, &xs, &[0, 0, 0, 0]), not_finite);
    assert_eq!(
        confusion_matrix(&nan, &xs, &[0, 0, 0, 0]).unwrap_err(),
        EvalError::NotFinite { sample: 0 }
    );
    assert_eq!(mse(&nan, &xs, &[[0.0; 3]; 4]), not_finite);
    let varied: Vec<[f32; 3]> = (0..4).map(|i| [i as f32; 3]).collect();
    assert_eq!(r_squared(&nan, &xs, &varied), not_finite);
    assert_eq!(
        mean_loss(&nan, &xs, &[0usize; 4], &SoftmaxCrossEntropy),
        not_finite
    );
    assert!(
        EvalError::NotFinite { sample: 2 }
            .to_string()
            .starts_with("sample 2: the model's output is not finite")
    );

    // One NaN among the scores of the second sample.
    let half = Linear::<1, 2>::from_parts([[1.0], [f32::NAN]], [0.0, 0.0]);
    assert_eq!(
        accuracy(&half, &[[0.0], [1.0]], &[0, 0]),
        Err(EvalError::NotFinite { sample: 0 })
    );

    let model = Linear::<2, 2>::from_parts([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]);
    let err = mean_loss(
        &model,
        &[[1.0, 2.0], [0.5, 0.5]],
        &[1usize, 5],
        &SoftmaxCrossEntropy,
    )
    .unwrap_err();
    assert!(matches!(err, EvalError::Target { sample: 1, .. }), "{err}");
    assert_eq!(
        err.to_string(),
        "sample 1: the target is 5: it must be a class index below the number of classes, 2 (0 to 1)"
    );
    let err = mean_loss(&model, &[[1.0, 2.0]], &[[7.0, -3.0]], &BinaryCrossEntropy).unwrap_err();
    assert!(matches!(err, EvalError::Target { sample: 0, .. }), "{err}");
    assert_eq!(
        err.to_string(),
        "sample 0: target value 0 is 7: it must be a probability, in [0, 1]"
    );
    // A soft target of the second sample whose row does not sum to 1.
    let soft = [[0.5, 0.5], [0.7, 0.7]];
    let err = mean_loss(&model, &[[1.0, 2.0]; 2], &soft, &SoftmaxCrossEntropy).unwrap_err();
    assert_eq!(
        err.to_string(),
        "sample 1: the targets sum to 1.4000000, not 1: a soft target must be a distribution"
    );
}

/// Finite outputs whose score overflows f64 (or the loss's float type): an error.
#[test]
fn scores_that_overflow_are_errors() {
    let zero = Linear::<1, 1, f64>::from_parts([[0.0]], [0.0]);
    assert_eq!(mse(&zero, &[[1.0]], &[[1e200]]), Err(EvalError::Overflow));
    // R^2 is taken in units of the targets' spread: its ratio overflows only for predictions
    // off by more than about 1e154 spreads.
    let far = Linear::<1, 1, f64>::from_parts([[0.0]], [1e200]);
    assert_eq!(
        r_squared(&far, &[[1.0], [2.0]], &[[1.0], [2.0]]),
        Err(EvalError::Overflow)
    );
    let zero32 = Linear::<1, 1>::from_parts([[0.0]], [0.0]);
    assert_eq!(
        mean_loss(&zero32, &[[1.0]], &[[3e38]], &Mse),
        Err(EvalError::Overflow)
    );
    assert!(
        EvalError::Overflow
            .to_string()
            .starts_with("the result overflows")
    );
    // A target that is not finite is named by its sample and index, not taken for an
    // overflow.
    let identity = Linear::<1, 1>::from_parts([[1.0]], [0.0]);
    for bad in [f32::NAN, f32::INFINITY] {
        let mse_err = mse(&identity, &[[1.0], [2.0]], &[[1.0], [bad]]).unwrap_err();
        let r2_err = r_squared(&identity, &[[1.0], [2.0]], &[[1.0], [bad]]).unwrap_err();
        for err in [mse_err, r2_err] {
            assert!(matches!(err, EvalError::Target { sample: 1, .. }), "{err}");
            assert_eq!(
                err.to_string(),
                format!("sample 1: the target is {bad}: it must be a finite number")
            );
        }
    }
}

#[test]
fn a_model_of_one_output_is_scored_as_a_logit_not_by_argmax() {
    let logit = Linear::<1, 1>::from_parts([[1.0]], [0.0]); // z = x
    let xs = [[2.0], [-1.0], [0.5], [-3.0], [0.0]];
    // argmax of one score is always 0: an error, not 1.0 for targets that are all 0.
    let err = accuracy(&logit, &xs, &[0; 5]).unwrap_err();
    assert_eq!(err, EvalError::OneOutput);
    assert!(err.to_string().contains("eval::binary_accuracy"), "{err}");
    assert_eq!(
        confusion_matrix(&logit, &xs, &[0; 5]).unwrap_err(),
        EvalError::OneOutput
    );
    // z > 0 is positive; z = 0 (probability one half) is not. Targets above one half are.
    let ts = [[1.0], [0.0], [0.4], [0.0], [1.0]];
    assert_eq!(binary_accuracy(&logit, &xs, &ts), Ok(0.6));
    assert_eq!(
        binary_accuracy(&logit, &xs[..2], &ts),
        Err(EvalError::LengthMismatch {
            inputs: 2,
            targets: 5
        })
    );
    let none: [[f32; 1]; 0] = [];
    assert_eq!(binary_accuracy(&logit, &none, &[]), Err(EvalError::Empty));
    let outside = binary_accuracy(&logit, &xs[..2], &[[1.0], [1.5]]).unwrap_err();
    assert!(
        matches!(outside, EvalError::Target { sample: 1, .. }),
        "{outside}"
    );
    let nan = Linear::<1, 1>::from_parts([[f32::NAN]], [0.0]);
    assert_eq!(
        binary_accuracy(&nan, &xs[..1], &ts[..1]),
        Err(EvalError::NotFinite { sample: 0 })
    );
}

#[test]
fn binary_accuracy_reads_probabilities_through_layers_that_pass_values_on() {
    // z = x: the logit model's predictions are x > 0; a sigmoid's, sigmoid(x) > 0.5: the same.
    let logit = || Linear::<1, 1>::from_parts([[1.0]], [0.0]);
    let xs = [[2.0f32], [-1.0], [0.5], [-0.3], [3.0]];
    let ts = [[1.0], [0.0], [0.0], [0.0], [1.0]];
    let expected = Ok(0.8);
    assert_eq!(binary_accuracy(&logit(), &xs, &ts), expected);
    assert_eq!(binary_accuracy(&(logit(), Sigmoid), &xs, &ts), expected);
    // Read at a threshold of 0, every probability would be positive: 0.4.
    assert_eq!(
        binary_accuracy(&(logit(), Sigmoid, Identity), &xs, &ts),
        expected
    );
    assert_eq!(
        binary_accuracy(&((logit(), Sigmoid), Identity), &xs, &ts),
        expected
    );
    assert_eq!(
        binary_accuracy(&(logit(), (Sigmoid, Identity), Identity), &xs, &ts),
        expected
    );
    // `Flatten` passes values on too: a sigmoid over an image of one value, flattened.
    let images = xs.map(|x| [x]);
    assert_eq!(
        binary_accuracy(&(Sigmoid, Flatten::<1>), &images, &ts),
        expected
    );
    // A layer that applies no squash after the sigmoid makes the output scores again.
    let rescaled = Linear::<1, 1>::from_parts([[2.0]], [-1.0]);
    assert_eq!(
        binary_accuracy(&(logit(), Sigmoid, rescaled), &xs, &ts),
        expected
    );
}

/// R^2 does not depend on the targets' unit: targets of 1e-200 (whose squares are zero in
/// f64) and of 1e200 (whose squares overflow) score as the same targets of order one.
#[test]
fn r_squared_is_the_same_at_every_scale() {
    let half = Linear::<1, 1, f64>::from_parts([[0.5]], [0.0]);
    let xs = [[0.0], [2.0], [4.0]];
    let exact = r_squared(&half, &xs, &xs).unwrap();
    // SS_res = 1 + 4, SS_tot = 4 + 0 + 4.
    assert!((exact - (1.0 - 5.0 / 8.0)).abs() < 1e-15, "{exact}");
    for scale in [1e-300, 1e-200, 1e-162, 1e-100, 1e100, 1e200, 1e300] {
        let scaled = xs.map(|[x]| [x * scale]);
        let r2 = r_squared(&half, &scaled, &scaled).unwrap();
        assert!((r2 - exact).abs() < 1e-12, "{scale}: {r2}");
    }
}
