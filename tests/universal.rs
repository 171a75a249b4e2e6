//! The universal approximation construction of `typed_nn::universal`: sums of sigmoid bumps
//! follow a function, more closely as the number of bumps grows.

use std::f64::consts::{PI, TAU};

use typed_nn::universal::{Bumps, DEFAULT_STEEPNESS, bump, bumps, bumps_with_steepness};
use typed_nn::{Forward, ParamCount};

/// Points of the grid on which the largest error is measured, ends included.
const GRID: usize = 10_000;

/// The largest `|net(x) - f(x)|` over `GRID + 1` evenly spaced points of `[lo, hi]`.
fn largest_error<const H: usize>(net: &Bumps<H, f64>, f: fn(f64) -> f64, lo: f64, hi: f64) -> f64 {
    (0..=GRID)
        .map(|i| lo + (hi - lo) * i as f64 / GRID as f64)
        .map(|x| (net.infer(&[x])[0] - f(x)).abs())
        .fold(0.0, f64::max)
}

fn sin_error<const H: usize>() -> f64 {
    largest_error(&bumps::<H, f64>(f64::sin, 0.0, TAU), f64::sin, 0.0, TAU)
}

/// With 5, 20 and 100 bumps (10, 40 and 200 hidden units), the largest error against sin on
/// [0, 2 pi] falls, and with 100 bumps it is below 0.0315.
///
/// Where the bound comes from: the bumps form a staircase that takes, on each piece of width
/// `d = 2 pi / M`, the value of sin at the piece's midpoint. A staircase of midpoint values is
/// off by at most `L d / 2` for an `L`-Lipschitz function (`L = 1` for sin), here `pi / M`:
/// 0.0314159 for `M = 100`. The worst point is the end of the interval, x = 0 (and 2 pi),
/// where the network is sin(d / 2) and sin is 0: that is sin(pi / M) = 0.0314108, which the
/// measurement matches to 1e-5 (the sigmoids' tails add the rest). The bound 0.0315 leaves
/// room for those tails and no more.
#[test]
fn largest_error_against_sin_falls_as_bumps_are_added() {
    let errors = [
        (5, sin_error::<10>()),
        (20, sin_error::<40>()),
        (100, sin_error::<200>()),
    ];
    for pair in errors.windows(2) {
        assert!(pair[1].1 < pair[0].1, "the error does not fall: {errors:?}");
    }
    for (m, error) in errors {
        let staircase = (PI / m as f64).sin();
        assert!(
            (error - staircase).abs() < 1e-4,
            "M = {m}: {error} is not sin(pi / M) = {staircase}"
        );
        assert!(
            error <= PI / m as f64 + 1e-5,
            "M = {m}: {error} is above L d / 2"
        );
    }
    assert!(errors[2].1 < 0.0315, "{errors:?}");
}

/// At the midpoint of each bump the network is within the bound of `bumps_with_steepness`'s
/// documentation, `2 L d e^(-s/2) / (1 - e^(-s))` (the other bumps' sigmoid tails), of `f`.
#[test]
fn output_at_bump_midpoints_is_close_to_f() {
    fn check<const H: usize>(f: fn(f64) -> f64, lipschitz: f64, (lo, hi): (f64, f64), s: f64) {
        let net: Bumps<H, f64> = bumps_with_steepness(f, lo, hi, s);
        let m = H / 2;
        let d = (hi - lo) / m as f64;
        let bound = 2.0 * lipschitz * d * (-s / 2.0).exp() / (1.0 - (-s).exp());
        let mut worst: f64 = 0.0;
        for i in 0..m {
            let x = lo + (i as f64 + 0.5) * d;
            worst = worst.max((net.infer(&[x])[0] - f(x)).abs());
        }
        assert!(
            worst <= bound + 1e-12,
            "H = {H}, s = {s}: {worst} > {bound}"
        );
    }
    check::<10>(f64::sin, 1.0, (0.0, TAU), DEFAULT_STEEPNESS);
    check::<40>(f64::sin, 1.0, (0.0, TAU), DEFAULT_STEEPNESS);
    check::<200>(f64::sin, 1.0, (0.0, TAU), DEFAULT_STEEPNESS);
    check::<40>(f64::cos, 1.0, (-1.0, 4.0), 6.0);
    check::<24>(|x| x * x, 6.0, (-3.0, 1.0), 15.0);
    // With 20 bumps of the default steepness the bound is 0.0042.
    let net: Bumps<40, f64> = bumps(f64::sin, 0.0, TAU);
    let x = 2.5 * TAU / 20.0;
    assert!((net.infer(&[x])[0] - x.sin()).abs() < 0.0042);
}

/// The weights are the construction: every hidden unit has slope `w = s / d`, units `2i` and
/// `2i + 1` step up and down at the ends of piece `i`, and the output weights are `+h_i` and
/// `-h_i` with `h_i` the value of `f` at the piece's midpoint.
#[test]
fn the_weights_are_pairs_of_steps() {
    let (lo, hi, s) = (1.0, 3.0, 8.0);
    let net: Bumps<8, f64> = bumps_with_steepness(|x| 10.0 * x, lo, hi, s);
    let (hidden, _, output) = &net;
    let d = (hi - lo) / 4.0;
    let w = s / d;
    assert!(hidden.weight.iter().all(|row| (row[0] - w).abs() < 1e-12));
    for i in 0..4 {
        let height = 10.0 * (lo + (i as f64 + 0.5) * d);
        assert!((output.weight[0][2 * i] - height).abs() < 1e-12);
        assert!((output.weight[0][2 * i + 1] + height).abs() < 1e-12);
        // Unit 2i + 1 steps at the end of piece i, where unit 2i + 2 steps up.
        let step_down = -hidden.bias[2 * i + 1] / w;
        if i < 3 {
            assert!((step_down - (lo + (i + 1) as f64 * d)).abs() < 1e-12);
            assert!((-hidden.bias[2 * i + 2] / w - step_down).abs() < 1e-12);
        } else {
            assert!(
                step_down > hi,
                "the last step down lies past hi: {step_down}"
            );
        }
    }
    assert!(-hidden.bias[0] / w < lo, "the first step up lies before lo");
    assert_eq!(output.bias, [0.0]);
    assert_eq!(<Bumps<8, f64>>::PARAM_COUNT, 8 + 8 + 8 + 1);
}

/// The outer steps lie beyond the interval, so the ends are not at half height: a function
/// that is 1 everywhere is matched at `lo` and `hi` as well as inside.
#[test]
fn the_ends_of_the_interval_are_at_full_height() {
    let net: Bumps<20, f64> = bumps(|_| 1.0, -2.0, 5.0);
    for x in [-2.0, 0.0, 1.5, 5.0] {
        assert!((net.infer(&[x])[0] - 1.0).abs() < 1e-12, "x = {x}");
    }
}

/// The same construction as an `f32` network (the crate's default float type).
#[test]
fn f32_network_follows_f() {
    let net: Bumps<40> = bumps(f64::sin, 0.0, TAU);
    let worst = (0..=1000)
        .map(|i| TAU * i as f64 / 1000.0)
        .map(|x| (f64::from(net.infer(&[x as f32])[0]) - x.sin()).abs())
        .fold(0.0, f64::max);
    assert!(worst < (PI / 20.0) + 1e-4, "{worst}");
}

#[test]
#[should_panic(expected = "lo < hi")]
fn an_empty_interval_is_refused() {
    let _: Bumps<4, f64> = bumps(f64::sin, 1.0, 1.0);
}

#[test]
#[should_panic(expected = "steepness must be finite and positive")]
fn a_steepness_of_zero_is_refused() {
    let _: Bumps<4, f64> = bumps_with_steepness(f64::sin, 0.0, 1.0, 0.0);
}

#[test]
#[should_panic(
    expected = "bumps: the network for [-1e308, 1e308] has parameters that are not finite in f64"
)]
fn an_interval_too_wide_for_the_float_type_is_refused() {
    let _: Bumps<10, f64> = bumps(f64::sin, -1e308, 1e308);
}

#[test]
#[should_panic(expected = "not finite in f32")]
fn an_interval_too_narrow_for_f32_is_refused() {
    let _: Bumps<10, f32> = bumps(f64::sin, 0.0, 1e-38);
}

#[test]
#[should_panic(expected = "bumps: f(0.25) is inf: every bump's height")]
fn a_function_that_is_not_finite_is_refused() {
    // Bumps<4, _> has 2 pieces, with midpoints 0.25 and 0.75.
    let _: Bumps<4, f64> = bumps(|x| 1.0 / (x - 0.25), 0.0, 1.0);
}

#[test]
#[should_panic(
    expected = "bumps: f32 cannot place bumps 2.000177801164682e-13 wide on [1, 1.000000000001]"
)]
fn an_interval_f32_cannot_resolve_is_refused() {
    // Every edge rounds to 1 in f32: the network was 0 at x = 1 instead of sin(1).
    let _: Bumps<10, f32> = bumps(f64::sin, 1.0, 1.0 + 1e-12);
}

#[test]
fn the_resolution_limit_holds_at_its_boundary() {
    // Near 1, f32's numbers are 2^-23 apart: with 5 bumps of the default steepness 10, the
    // limit is an interval of 50 spacings (a little more, as the spacing is taken at the
    // interval's larger end): 51 are accepted and 49 refused.
    let spacing = f64::from(f32::EPSILON);
    let ok: Bumps<10, f32> = bumps(|_| 1.0, 1.0, 1.0 + 51.0 * spacing);
    assert!((ok.infer(&[1.0 + 25.0 * spacing as f32])[0] - 1.0).abs() < 0.05);
    let narrower = std::panic::catch_unwind(|| {
        let _: Bumps<10, f32> = bumps(|_| 1.0, 1.0, 1.0 + 49.0 * spacing);
    });
    assert!(narrower.is_err());
    // The same interval is wide enough in f64.
    let _: Bumps<10, f64> = bumps(|_| 1.0, 1.0, 1.0 + 49.0 * spacing);
}

#[test]
#[should_panic(
    expected = "slope 2.5e-299 (the steepness 10 over the bumps' width) is zero or subnormal in f32: the interval [-1e300, 1e300] is too wide"
)]
fn an_interval_too_wide_for_the_slope_is_refused() {
    // Finite, but the slope rounds to 0 in f32: the network was a constant.
    let _: Bumps<10, f32> = bumps(f64::sin, -1e300, 1e300);
}

#[test]
fn a_single_bump_is_the_difference_of_two_steps_at_its_ends() {
    let sigma = |t: f64| 1.0 / (1.0 + (-t).exp());
    for (a, b, h, s) in [
        (0.0, 1.0, 2.0, 10.0),
        (-3.0, 5.0, -0.5, 4.0),
        (1e3, 1e3 + 1.0, 1.0, 20.0),
    ] {
        let net = bump::<f64>(a, b, h, s);
        let w = s / (b - a);
        for i in -10..=20 {
            let x = a + (b - a) * i as f64 / 10.0;
            let expected = h * (sigma(w * (x - a)) - sigma(w * (x - b)));
            assert!((net.infer(&[x])[0] - expected).abs() < 1e-9, "{a} {b} {x}");
        }
    }
}

#[test]
#[should_panic(expected = "lo < hi")]
fn a_reversed_bump_is_refused() {
    let _ = bump::<f32>(2.0, 1.0, 1.0, 10.0);
}

/// Each refusal of the panicking constructors is an error of the `try_` ones, the same message
/// without the `bumps: ` prefix.
#[test]
fn every_refusal_is_an_error_of_the_try_constructors() {
    use typed_nn::universal::{BumpsError, try_bump, try_bumps, try_bumps_with_steepness};
    let spacing = f64::from(f32::EPSILON);
    let cases: Vec<(Result<Bumps<10, f32>, BumpsError>, &str)> = vec![
        (try_bumps(f64::sin, 1.0, 1.0), "Interval"),
        (try_bumps(f64::sin, f64::NAN, 1.0), "Interval"),
        (try_bumps(f64::sin, 0.0, f64::INFINITY), "Interval"),
        (
            try_bumps_with_steepness(f64::sin, 0.0, 1.0, 0.0),
            "Steepness",
        ),
        (
            try_bumps_with_steepness(f64::sin, 0.0, 1.0, f64::NAN),
            "Steepness",
        ),
        (try_bumps(|x| 1.0 / (x - 0.5), 0.0, 1.0), "Height"),
        (try_bumps(|_| f64::NAN, 0.0, 1.0), "Height"),
        (try_bumps(|_| 1e39, 0.0, 1.0), "NotRepresentable"),
        (try_bumps(f64::sin, 0.0, 1e-38), "NotRepresentable"),
        (try_bumps(|_| 1.0, 1.0, 1.0 + 49.0 * spacing), "TooNarrow"),
        (try_bumps(f64::sin, -1e300, 1e300), "SlopeVanishes"),
        (try_bumps(f64::sin, -1e308, 1e308), "NotRepresentable"),
    ];
    for (result, variant) in cases {
        let error = result.expect_err(variant);
        assert!(format!("{error:?}").starts_with(variant), "{error:?}");
        // Every message is a sentence of its own, with its numbers written out.
        let message = error.to_string();
        assert!(
            !message.is_empty() && !message.contains("bumps:"),
            "{message}"
        );
    }
    // A steepness far from the default is named where it is the cause.
    for s in [1e-300, 1e-308, 1e-320] {
        let gentle = try_bumps_with_steepness::<10, f32>(f64::sin, 0.0, 1.0, s).unwrap_err();
        assert!(
            matches!(gentle, BumpsError::SlopeVanishes { .. }),
            "{gentle:?}"
        );
        assert!(
            gentle.to_string().contains("or the steepness too small"),
            "{gentle}"
        );
    }
    // In f64 a slope of 5e-308 is normal, but the outer sides, 40 / slope away, overflow.
    let gentle = try_bumps_with_steepness::<10, f64>(f64::sin, 0.0, 1.0, 1e-308).unwrap_err();
    assert!(
        gentle.to_string().contains("or a steepness too small"),
        "{gentle}"
    );
    // f64 is not advised to a network that is f64 already.
    let f64_narrow = try_bumps::<10, f64>(f64::sin, 1.0, 1.0 + 1e-14).unwrap_err();
    assert!(
        matches!(f64_narrow, BumpsError::TooNarrow { .. }),
        "{f64_narrow:?}"
    );
    assert!(!f64_narrow.to_string().contains("use f64"), "{f64_narrow}");
    let steep = try_bumps_with_steepness::<10, f32>(f64::sin, 0.0, 1.0, 1e300).unwrap_err();
    assert!(matches!(steep, BumpsError::TooNarrow { .. }), "{steep:?}");
    assert!(steep.to_string().contains("the steepness lower"), "{steep}");
    // The boundary of the resolution rule: 51 spacings are enough (see above).
    assert!(try_bumps::<10, f32>(|_| 1.0, 1.0, 1.0 + 51.0 * spacing).is_ok());
    // A bump's height is checked as f's values are, and named as the height it is.
    let height = try_bump::<f64>(0.0, 2.0, f64::NEG_INFINITY, 10.0).unwrap_err();
    assert_eq!(
        height,
        BumpsError::BumpHeight {
            height: f64::NEG_INFINITY
        }
    );
    assert_eq!(
        height.to_string(),
        "the bump's height must be finite, not -inf"
    );
    let nan = try_bump::<f32>(0.0, 1.0, f64::NAN, 10.0).unwrap_err();
    assert!(
        matches!(nan, BumpsError::BumpHeight { height } if height.is_nan()),
        "{nan:?}"
    );
    assert_eq!(
        try_bump::<f64>(2.0, 1.0, 1.0, 10.0).unwrap_err(),
        BumpsError::Interval { lo: 2.0, hi: 1.0 }
    );
    // The networks built are those of the panicking constructors, parameter for parameter.
    let built: Bumps<10, f32> = try_bumps(f64::cos, 0.0, 3.0).unwrap();
    assert_eq!(built, bumps::<10, f32>(f64::cos, 0.0, 3.0));
    assert_eq!(
        try_bump::<f32>(1.0, 2.0, 3.0, 4.0).unwrap(),
        bump::<f32>(1.0, 2.0, 3.0, 4.0)
    );
}

/// A refused construction panics at the caller's line, not inside the crate.
#[test]
fn a_refused_construction_panics_at_the_callers_line() {
    use std::sync::{Arc, Mutex};
    let seen = Arc::new(Mutex::new(None));
    let record = Arc::clone(&seen);
    let previous = std::panic::take_hook();
    // Only this test's thread: the others panic in parallel.
    let this = std::thread::current().id();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().id() == this {
            *record.lock().unwrap() = info.location().map(|l| l.file().to_string());
        }
    }));
    let outcome = std::panic::catch_unwind(|| bumps::<4, f64>(f64::sin, 1.0, 0.0));
    std::panic::set_hook(previous);
    assert!(outcome.is_err());
    let file = seen.lock().unwrap().clone().unwrap();
    assert!(
        file.ends_with("universal.rs") && file.starts_with("tests"),
        "{file}"
    );
}
