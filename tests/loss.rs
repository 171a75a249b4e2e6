//! Loss values against their definitions, and their stability at extreme logits.

use typed_nn::prelude::*;

#[test]
fn mse_is_the_mean_of_squares_over_all_elements() {
    let p = [[1.0f64, 2.0], [3.0, 4.0]];
    let t = [[0.0, 0.0], [3.0, 2.0]];
    assert_eq!(Mse.loss(&p, &t), (1.0 + 4.0 + 0.0 + 4.0) / 4.0);
    let mut g = [[0.0; 2]; 2];
    Mse.loss_grad(&p, &t, &mut g);
    assert_eq!(g, [[0.5, 1.0], [0.0, 1.0]]);
}

#[test]
fn binary_cross_entropy_matches_its_definition() {
    for (z, t) in [(0.3f64, 1.0), (-1.2, 0.0), (2.0, 0.25)] {
        let p = 1.0 / (1.0 + (-z).exp());
        let expected = -(t * p.ln() + (1.0 - t) * (1.0 - p).ln());
        assert!((BinaryCrossEntropy.loss(&[z], &[t]) - expected).abs() < 1e-12);
        let mut g = [0.0];
        BinaryCrossEntropy.loss_grad(&[z], &[t], &mut g);
        assert!((g[0] - (p - t)).abs() < 1e-15);
    }
}

#[test]
fn softmax_cross_entropy_is_minus_log_probability() {
    let z = [1.0f64, 2.0, 0.5];
    let p = Softmax.infer(&z);
    for (c, pc) in p.iter().enumerate() {
        assert!((SoftmaxCrossEntropy.loss(&z, &c) + pc.ln()).abs() < 1e-12);
    }
    let mut g = [0.0; 3];
    SoftmaxCrossEntropy.loss_grad(&z, &1, &mut g);
    assert!((g[0] - p[0]).abs() < 1e-15 && (g[1] - (p[1] - 1.0)).abs() < 1e-15);
    // A batch is the mean of its samples.
    let batch = SoftmaxCrossEntropy.loss(&[z, z], &[0, 2]);
    let mean = (SoftmaxCrossEntropy.loss(&z, &0) + SoftmaxCrossEntropy.loss(&z, &2)) / 2.0;
    assert!((batch - mean).abs() < 1e-15);
}

#[test]
fn losses_stay_finite_for_logits_of_magnitude_1e4() {
    for z in [1e4f32, -1e4] {
        let mut g = [[0.0f32; 2]; 1];
        let bce = BinaryCrossEntropy.loss_grad(&[[z, -z]], &[[1.0, 0.0]], &mut g);
        assert!(
            bce.is_finite() && g.iter().flatten().all(|v| v.is_finite()),
            "{z}: {bce} {g:?}"
        );

        let mut g = [0.0f32; 3];
        let ce = SoftmaxCrossEntropy.loss_grad(&[z, -z, 0.0], &1, &mut g);
        assert!(
            ce.is_finite() && g.iter().all(|v| v.is_finite()),
            "{z}: {ce} {g:?}"
        );

        let ce = SoftmaxCrossEntropy.loss_grad(&[z, -z, 0.0], &[0.2, 0.3, 0.5], &mut g);
        assert!(
            ce.is_finite() && g.iter().all(|v| v.is_finite()),
            "{z}: {ce} {g:?}"
        );
    }
    // A confident right answer costs nothing; a confident wrong one costs its margin.
    assert_eq!(SoftmaxCrossEntropy.loss(&[1e4f32, 0.0], &0), 0.0);
    assert_eq!(SoftmaxCrossEntropy.loss(&[1e4f32, 0.0], &1), 1e4);
    assert_eq!(BinaryCrossEntropy.loss(&[-1e4f32], &[1.0]), 1e4);
}

#[test]
fn large_tied_logits_keep_the_logarithm_of_their_count() {
    // Three equal logits: each class has probability 1/3 whatever their size, so the loss is
    // ln 3. Summed as (max + ln 3) - z, ln 3 vanishes beside 1e8 in f32 (1e17 in f64).
    let ln3 = 3.0f64.ln();
    for z in [1e3f32, 1e8, 1e30, -1e30] {
        let mut g = [0.0f32; 3];
        let by_index = SoftmaxCrossEntropy.loss_grad(&[z; 3], &0, &mut g);
        assert!((f64::from(by_index) - ln3).abs() < 1e-6, "{z}: {by_index}");
        let soft = SoftmaxCrossEntropy.loss(&[[z; 3]], &[[0.2, 0.3, 0.5]]);
        assert!((f64::from(soft) - ln3).abs() < 1e-6, "{z}: {soft}");
        let batch = SoftmaxCrossEntropy.loss(&[[z; 3]; 2], &[2, 1]);
        assert!((f64::from(batch) - ln3).abs() < 1e-6, "{z}: {batch}");
    }
    for z in [1e17f64, 1e300] {
        assert!((SoftmaxCrossEntropy.loss(&[z; 3], &2) - ln3).abs() < 1e-15);
    }
}

#[test]
fn gradients_are_never_subnormal() {
    // softmax gives the second class e^-87 / (1 + e^-87) ~ 1.6e-38, normal; over a batch of
    // 64 its gradient would be ~2.5e-40, subnormal, and slow every product downstream.
    let logits = [[0.0f32, -87.0]; 64];
    let mut g = [[0.0f32; 2]; 64];
    SoftmaxCrossEntropy.loss_grad(&logits, &[0; 64], &mut g);
    assert!(g.iter().flatten().all(|v| !v.is_subnormal()), "{:?}", g[0]);
    assert_eq!(g[0][1], 0.0);
    let mut g = [[0.0f32; 1]; 64];
    BinaryCrossEntropy.loss_grad(&[[-87.0f32]; 64], &[[0.0]; 64], &mut g);
    assert!(g.iter().flatten().all(|v| !v.is_subnormal()));
    // A nearly saturated sigmoid's derivative (about 3e-7) times a small upstream gradient
    // would be about 3e-40.
    let (x, y) = ([15.0f32], Sigmoid.infer(&[15.0f32]));
    assert!(y[0] * (1.0 - y[0]) > 0.0);
    let mut dx = [1.0f32];
    Sigmoid.backward(&x, &y, &[1e-33], &mut (), &mut Sigmoid, Some(&mut dx));
    assert_eq!(dx, [0.0]);
}

#[test]
fn a_class_index_out_of_range_is_nan_not_a_panic() {
    let mut g = [[1.0f32; 3]; 2];
    let l = SoftmaxCrossEntropy.loss_grad(&[[0.0; 3]; 2], &[0, 3], &mut g);
    assert!(l.is_nan());
    assert_eq!(g[1], [0.0; 3]);
}

/// An out-of-range class is named by its sample and in digits; an index near `usize::MAX`
/// (which `f64` cannot hold exactly) as what it most often is.
#[test]
fn a_class_out_of_range_is_named_by_its_sample_in_digits() {
    let check = |class: usize| {
        <SoftmaxCrossEntropy as Loss<[f32; 3], usize>>::check_target(&SoftmaxCrossEntropy, &class)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        check(3),
        "sample 0's target is class 3: it must be a class index below the number of classes, 3 (0 to 2)"
    );
    assert!(check(123_456_789_012).contains("class 123456789012:"));
    let wrapped = 0usize.wrapping_sub(1);
    assert!(
        check(wrapped).contains("about `usize::MAX` (an index computed from a negative number?)"),
        "{}",
        check(wrapped)
    );
}
