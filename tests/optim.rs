//! Optimizers against scalar reference implementations of their textbook formulas.

use typed_nn::prelude::*;

type Net = (Linear<2, 2, f64>, Tanh, Linear<2, 1, f64>);

/// A model and gradient with distinct values everywhere.
fn setup() -> (Net, Net) {
    let mut model = Net::ZERO;
    let mut grads = Net::ZERO;
    for i in 0..Net::PARAM_COUNT {
        model.set_param(i, 0.3 * i as f64 - 1.0);
        grads.set_param(i, 0.5 - 0.11 * (i * i) as f64);
    }
    (model, grads)
}

fn params(m: &Net) -> Vec<f64> {
    (0..Net::PARAM_COUNT).map(|i| m.param(i).unwrap()).collect()
}

#[test]
fn sgd_subtracts_lr_times_gradient() {
    let (mut model, grads) = setup();
    let before = params(&model);
    let mut cleared = grads.clone();
    Sgd::new(0.1).step(&mut model, &mut cleared);
    for (i, (b, a)) in before.iter().zip(params(&model)).enumerate() {
        assert_eq!(a, b - 0.1 * grads.param(i).unwrap());
    }
    assert_eq!(cleared.squared_norm(), 0.0, "the step clears the gradients");
}

#[test]
fn momentum_follows_pytorch() {
    let (mut model, grads) = setup();
    let mut reference = params(&model);
    let mut velocity = vec![0.0; reference.len()];
    let mut opt = SgdMomentum::new(0.05, 0.9);
    for step in 0..5 {
        // Vary the gradient from step to step.
        let mut g = grads.clone();
        g.visit_mut(&mut |s| s.iter_mut().for_each(|v| *v *= 1.0 + step as f64));
        opt.step(&mut model, &mut g.clone());
        for i in 0..reference.len() {
            velocity[i] = 0.9 * velocity[i] + g.param(i).unwrap();
            reference[i] -= 0.05 * velocity[i];
        }
    }
    for (r, a) in reference.iter().zip(params(&model)) {
        assert!((r - a).abs() < 1e-12, "{r} vs {a}");
    }
}

#[test]
fn adam_follows_pytorch() {
    let (mut model, grads) = setup();
    let mut reference = params(&model);
    let n = reference.len();
    let (mut m, mut v) = (vec![0.0; n], vec![0.0; n]);
    let (lr, b1, b2, eps, wd) = (0.01, 0.9, 0.999, 1e-8, 0.01);
    let mut opt = Adam::new(lr);
    opt.weight_decay = wd;
    for t in 1..=20 {
        let mut g = grads.clone();
        g.visit_mut(&mut |s| s.iter_mut().for_each(|v| *v *= (t as f64 * 0.7).sin()));
        let mut cleared = g.clone();
        opt.step(&mut model, &mut cleared);
        assert_eq!(cleared.squared_norm(), 0.0);
        for i in 0..n {
            let gi = g.param(i).unwrap() + wd * reference[i];
            m[i] = b1 * m[i] + (1.0 - b1) * gi;
            v[i] = b2 * v[i] + (1.0 - b2) * gi * gi;
            let m_hat = m[i] / (1.0 - f64::powi(b1, t));
            let v_hat = v[i] / (1.0 - f64::powi(b2, t));
            reference[i] -= lr * m_hat / (v_hat.sqrt() + eps);
        }
    }
    assert_eq!(opt.t, 20);
    for (r, a) in reference.iter().zip(params(&model)) {
        assert!((r - a).abs() < 1e-12, "{r} vs {a}");
    }
}

#[test]
fn adam_first_step_moves_each_parameter_by_lr() {
    // m^ = g and v^ = g^2 after one step, so the update is lr * g / (|g| + eps).
    let (mut model, grads) = setup();
    let before = params(&model);
    Adam::new(0.001).step(&mut model, &mut grads.clone());
    for (i, (b, a)) in before.iter().zip(params(&model)).enumerate() {
        let g = grads.param(i).unwrap();
        assert!(((b - a) - 0.001 * g.signum()).abs() < 1e-9);
    }
}

#[test]
fn momentum_state_that_decays_to_subnormal_is_flushed_to_zero() {
    let (mut model, grads) = setup();
    let mut opt = SgdMomentum::new(0.0, 0.5);
    opt.step(&mut model, &mut grads.clone());
    // With zero gradients the velocity halves each step: 1e-3 would reach the subnormal range
    // (below 2.2e-308 for f64) after about 1010 steps; it becomes exactly zero before.
    let mut no_gradient = Net::ZERO;
    for _ in 0..1100 {
        opt.step(&mut model, &mut no_gradient);
        opt.velocity
            .visit(&mut |s| assert!(s.iter().all(|v| !v.is_subnormal())));
    }
    assert_eq!(opt.velocity.squared_norm(), 0.0);
}

#[test]
fn zeroing_gradients_clears_every_slice() {
    let (_, mut grads) = setup();
    assert!(grads.squared_norm() > 0.0);
    grads.set_zero();
    assert_eq!(grads.squared_norm(), 0.0);
}

#[test]
fn optimizer_state_has_the_model_type() {
    // Known at compile time, no allocation: the state is two models.
    assert_eq!(
        core::mem::size_of::<Adam<Net, f64>>(),
        2 * core::mem::size_of::<Net>() + 5 * 8 + 8
    );
}

#[test]
fn adam_built_in_a_const_context_equals_adam_new() {
    type Net = (Linear<2, 3>, Sigmoid, Linear<3, 1>);
    const BUILT: Adam<Net> = Adam::with_betas(0.01, 0.9, 0.999, 1e-8);
    assert_eq!(BUILT, Adam::new(0.01));
    let f64_built: Adam<Linear<1, 1, f64>, f64> = Adam::with_betas(0.5, 0.9, 0.999, 1e-8);
    assert_eq!(f64_built, Adam::new(0.5));
    // Out-of-range values are refused at the first step, as for a struct built by hand.
    let bad: Adam<Net> = Adam::with_betas(0.01, 1.0, 0.999, 1e-8);
    let (mut model, mut grads) = (Net::ZERO, Net::ZERO);
    assert!(bad.check(&mut grads).is_err());
    let mut trainer = Trainer::new(bad);
    assert!(trainer.step(&mut model, &[0.5, 0.5], &[1.0], &Mse).is_err());
}
