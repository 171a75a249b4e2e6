//! Universal approximation, built by hand: a sum of sigmoid bumps that follows a function.
//!
//! One hidden layer of sigmoids can approximate any continuous function on a closed interval
//! as closely as wanted (Cybenko, "Approximation by superpositions of a sigmoidal function",
//! 1989). The constructive picture behind it (as drawn, for example, in chapter 4 of Michael
//! Nielsen's *Neural Networks and Deep Learning*, 2015) needs no training:
//!
//! - a steep sigmoid `sigma(w (x - a))` is nearly a step up at `x = a`;
//! - two of them, subtracted, make a bump of height `h` on `[a, b]`:
//!   `h * (sigma(w (x - a)) - sigma(w (x - b)))`;
//! - cut `[lo, hi]` into `M` pieces, put one bump on each with the height of `f` at its
//!   midpoint, and add them up: the sum is a staircase that follows `f`, and it gets closer as
//!   `M` grows.
//!
//! The staircase is exactly a network `(Linear<1, H>, Sigmoid, Linear<H, 1>)` with `H = 2M`
//! hidden units: the first layer holds the `2M` steps (weight `w`, bias `-w a`), the second
//! layer the signed heights `+h` and `-h`. [`bumps`] writes those weights directly, and
//! [`bump`] builds the single bump of the second point. Both panic on an interval, a
//! steepness or a function they cannot build from; [`try_bumps`], [`try_bumps_with_steepness`]
//! and [`try_bump`] return the reason instead ([`BumpsError`]).
//!
//! ```
//! use std::f64::consts::TAU;
//! use typed_nn::Forward;
//! use typed_nn::universal::{Bumps, bumps};
//!
//! // 20 bumps (40 hidden units) that follow sin on [0, 2 pi].
//! let net: Bumps<40, f64> = bumps(f64::sin, 0.0, TAU);
//! let x = 1.0;
//! assert!((net.infer(&[x])[0] - x.sin()).abs() < 0.15);
//! ```
//!
//! An odd number of hidden units cannot be split into pairs, and stops `cargo build`
//! ([`EvenHidden`], checked as the [`shape`](crate::shape) rules are):
//!
//! ```compile_fail,E0080
//! use typed_nn::universal::{Bumps, bumps};
//! let net: Bumps<7> = bumps(f64::sin, 0.0, 1.0);
//! ```

mod error;

pub use error::BumpsError;

use crate::float::Float;
use crate::io::ConstMessage;
use crate::layers::{Linear, Sigmoid};
use crate::module::Params;

/// The network [`bumps`] builds: one input, `H` sigmoid units (two per bump), one output.
pub type Bumps<const H: usize, F = f32> = (Linear<1, H, F>, Sigmoid, Linear<H, 1, F>);

/// The default steepness of [`bumps`]: each sigmoid's slope `w` is `10 / d` for bumps of width
/// `d`.
///
/// A sigmoid `sigma(w t)` rises from 1% to 99% while `w t` goes from `-ln 99` to `ln 99`, over
/// `2 ln 99 / w = 0.92 d` here: each step is over within its own bump, so every bump is
/// visibly a bump, and at its midpoint it reaches `2 sigma(5) - 1 = 98.7%` of its height (the
/// rest comes back from the neighbours' tails, for a smooth `f`).
///
/// Steeper sigmoids make a sharper staircase, whose error tends to `max |f'| d / 2`, the error
/// of a piecewise-constant fit. Gentler ones (3 to 5) blend the steps and follow a smooth `f`
/// more closely between the ends of the interval, but the bumps overlap and the picture of
/// separate bumps is lost; at the ends, where a step has no neighbour to blend with, they are
/// further off (see [`bumps_with_steepness`], which measures both).
pub const DEFAULT_STEEPNESS: f64 = 10.0;

/// How far, in units of `1 / w`, the outer sides of the first and last bump lie beyond the
/// interval: `sigma(-40) < 5e-18`, so their sigmoids are saturated, below `f64`'s rounding,
/// everywhere on `[lo, hi]`.
const OUTER_MARGIN: f64 = 40.0;

/// The rule of [`bumps`]: an even number of hidden units, at least two, two sigmoids per bump
/// (no hidden unit at all would be a layer of no outputs). Checked when
/// code is generated, like the rules of the [`shape`](crate::shape) module.
pub struct EvenHidden<const H: usize>;

impl<const H: usize> EvenHidden<H> {
    /// The message, with `H` written out (a constant panic can only print a `&str`).
    const TEXT: &'static ConstMessage = &odd_message(H);
    const MESSAGE: &'static str = Self::TEXT.as_str();
}

#[rustfmt::skip]
impl<const H: usize> EvenHidden<H> {
    /// Evaluating it stops compilation when `H` is odd or 0.
    pub const HOLD: () = assert!(H >= 2 && H.is_multiple_of(2), "{}", Self::MESSAGE);
}

/// The rule's message, before the number of hidden units.
const ODD_HIDDEN: &str =
    "`bumps` needs an even number of hidden units, 2 or more (two sigmoids per bump), got ";

/// The message for `h` hidden units: what was given, and the network of `h` bumps (of one for
/// 0), which was most likely meant.
const fn odd_message(h: usize) -> ConstMessage {
    let message = ConstMessage::new(ODD_HIDDEN).number(h as u64);
    let bumps = if h == 0 { 1 } else { h };
    let Some(units) = bumps.checked_mul(2) else {
        return message;
    };
    let noun = if bumps == 1 { " bump)" } else { " bumps)" };
    message
        .text(" (`Bumps<")
        .number(units as u64)
        .text(">` holds ")
        .number(bumps as u64)
        .text(noun)
}

/// A network of `H / 2` sigmoid bumps that approximates `f` on `[lo, hi]`, with the default
/// steepness ([`DEFAULT_STEEPNESS`]).
///
/// The interval is cut into `M = H / 2` pieces of width `d = (hi - lo) / M`; piece `i` gets a
/// bump whose height is `f` at the piece's midpoint, made of hidden units `2i` (the step up at
/// the piece's left end) and `2i + 1` (the step down at its right end). See
/// [`bumps_with_steepness`] for the details and the error.
///
/// ```
/// use typed_nn::Forward;
/// use typed_nn::universal::{Bumps, bumps};
///
/// // A parabola from 5 bumps, as an f32 network: at each bump's midpoint, nearly its value.
/// let net: Bumps<10> = bumps(|x| x * x, 0.0, 1.0);
/// for i in 0..5 {
///     let x = (i as f32 + 0.5) / 5.0;
///     assert!((net.infer(&[x])[0] - x * x).abs() < 0.01);
/// }
/// ```
///
/// `H` must be even and at least 2 ([`EvenHidden`]): `bumps::<7, f32>` and `bumps::<0, f32>`
/// do not build.
///
/// # Panics
///
/// Where [`try_bumps`] returns an error, with its message: an interval that is empty, not
/// finite, or too wide or too narrow for `F`, or `f` not finite at a midpoint.
#[track_caller]
pub fn bumps<const H: usize, F: Float>(f: impl Fn(f64) -> f64, lo: f64, hi: f64) -> Bumps<H, F> {
    // Each public function checks the rule itself, so that an odd `H` is one error, reported
    // at the caller's line.
    let () = EvenHidden::<H>::HOLD;
    built(build(f, lo, hi, DEFAULT_STEEPNESS))
}

/// [`bumps`], with an error instead of a panic ([`BumpsError`]) when the network cannot be
/// built: for intervals and functions that come from data or from a user.
///
/// ```
/// use typed_nn::universal::{Bumps, BumpsError, try_bumps};
///
/// let net: Bumps<10, f64> = try_bumps(f64::exp, 0.0, 1.0)?;
/// // exp overflows f64 at the last piece's midpoint, 900.
/// let err = try_bumps::<10, f64>(f64::exp, 0.0, 1000.0).unwrap_err();
/// assert!(matches!(err, BumpsError::Height { x: 900.0, .. }));
/// # Ok::<(), BumpsError>(())
/// ```
pub fn try_bumps<const H: usize, F: Float>(
    f: impl Fn(f64) -> f64,
    lo: f64,
    hi: f64,
) -> Result<Bumps<H, F>, BumpsError> {
    let () = EvenHidden::<H>::HOLD;
    build(f, lo, hi, DEFAULT_STEEPNESS)
}

/// [`bumps`] with a chosen steepness: each sigmoid's slope is `w = steepness / d`, for bumps of
/// width `d = (hi - lo) / M`.
///
/// The steepness is relative to the bump width, so that the same number gives the same shape
/// of staircase for any `M` and any interval; a sigmoid rises from 1% to 99% over
/// `2 ln 99 / steepness = 9.19 / steepness` bump widths.
///
/// The network computes `sum_i h_i (sigma(w (x - a_i)) - sigma(w (x - b_i)))` with `h_i` the
/// value of `f` at the midpoint of piece `i`, `[lo + i d, lo + (i + 1) d]`. Inner ends are the
/// ends of the pieces; the outer sides of the first and last bump are moved `40 / w` beyond
/// `lo` and `hi`, so that their sigmoids are saturated on the whole interval. (Were they at
/// `lo` and `hi`, the network would be at half height there, off by `|f(lo)| / 2` however many
/// bumps it had.)
///
/// **Error.** Written as steps, the network is `sum_e (jump at e) sigma(w (x - e))` over the
/// bumps' ends `e`; the exact staircase has the unit step in place of each sigmoid. At a
/// bump's midpoint the staircase equals `f`, and each sigmoid differs from its step by
/// `sigma(-w |x - e|)`, which is at most `e^(-w |x - e|)`. The inner jumps are at most `L d`
/// for an `L`-Lipschitz `f`, at distances `d/2, 3d/2, ...` on each side, so at a midpoint
/// `|net - f| <= 2 L d e^(-s/2) / (1 - e^(-s))` with `s` the steepness (`0.0135 L d` for the
/// default). Between midpoints the staircase itself is off by up to `L d / 2`, and a network
/// of steep sigmoids about as much (their tails add a little: 0.200018 for `|x|` on [-1, 1]
/// with 5 bumps, where `L d / 2 = 0.2`). Gentler sigmoids blend neighbouring steps into a
/// smoother curve, but at the ends of the interval there is no neighbour: there the error is
/// `|f(lo) - f(lo + d/2)|`, about `|f'(lo)| d / 2`, for steep sigmoids, and more for gentle
/// ones, whose first step has not finished rising at `lo`. For sin on [0, 2 pi] with 20 bumps
/// that is `sin(pi / 20) = 0.1564`, the largest error anywhere, with the default steepness,
/// and 0.1584, 0.1619 and 0.1712 at steepness 5, 4 and 3: the gentle sum follows cos more
/// closely (below), not sin, whose slope is largest at the ends.
///
/// ```
/// use std::f64::consts::TAU;
/// use typed_nn::Forward;
/// use typed_nn::universal::{Bumps, bumps, bumps_with_steepness};
///
/// // Gentle steps blend into a smooth curve: for cos on [0, 2 pi] with 20 bumps, steepness 4
/// // is off by at most 0.017, the default (10) by 0.057.
/// let worst = |net: &Bumps<40, f64>| {
///     (0..=1000)
///         .map(|i| TAU * i as f64 / 1000.0)
///         .map(|x| (net.infer(&[x])[0] - x.cos()).abs())
///         .fold(0.0, f64::max)
/// };
/// let gentle = worst(&bumps_with_steepness(f64::cos, 0.0, TAU, 4.0));
/// let steep = worst(&bumps(f64::cos, 0.0, TAU));
/// assert!(gentle < 0.017 && steep < 0.058 && gentle < steep / 3.0, "{gentle} {steep}");
/// ```
///
/// # Panics
///
/// Where [`try_bumps_with_steepness`] returns an error, with its message: when `lo` and `hi`
/// are not finite with `lo < hi`, `steepness` is not finite and positive, `f` is not finite at
/// a midpoint, a parameter of the network would not be finite in `F` (an interval too wide or
/// too narrow for it), the slope would be zero in `F` (an interval too wide), or a bump would
/// be narrower than `steepness` times the spacing of `F`'s numbers near the interval
/// (`[1, 1 + 1e-6]` in `f32`, whose numbers near 1 are 1.2e-7 apart), where rounding would
/// move the sigmoids' edges by a sizeable part of their rise.
#[track_caller]
pub fn bumps_with_steepness<const H: usize, F: Float>(
    f: impl Fn(f64) -> f64,
    lo: f64,
    hi: f64,
    steepness: f64,
) -> Bumps<H, F> {
    let () = EvenHidden::<H>::HOLD;
    built(build(f, lo, hi, steepness))
}

/// [`bumps_with_steepness`], with an error instead of a panic ([`BumpsError`]).
///
/// ```
/// use typed_nn::universal::{BumpsError, try_bumps_with_steepness};
///
/// let err = try_bumps_with_steepness::<10, f32>(f64::sin, 0.0, 1.0, -1.0).unwrap_err();
/// assert_eq!(err, BumpsError::Steepness { steepness: -1.0 });
/// ```
pub fn try_bumps_with_steepness<const H: usize, F: Float>(
    f: impl Fn(f64) -> f64,
    lo: f64,
    hi: f64,
    steepness: f64,
) -> Result<Bumps<H, F>, BumpsError> {
    let () = EvenHidden::<H>::HOLD;
    build(f, lo, hi, steepness)
}

/// The lecture's single bump, `height * (sigma(w (x - a)) - sigma(w (x - b)))` with
/// `w = steepness / (b - a)`, as a network of two sigmoids: its edges are at `a` and `b`
/// exactly (where it is at half height), unlike the outer bumps of [`bumps`], whose edges are
/// moved outside the interval.
///
/// ```
/// use typed_nn::Forward;
/// use typed_nn::universal::bump;
///
/// let b = bump::<f64>(1.0, 2.0, 3.0, 10.0);
/// assert!((b.infer(&[1.5])[0] - 3.0 * (2.0 / (1.0 + (-5.0f64).exp()) - 1.0)).abs() < 1e-12);
/// assert!((b.infer(&[1.0])[0] - 1.5).abs() < 1e-3); // half height at an edge
/// assert!(b.infer(&[0.0])[0].abs() < 1e-3 && b.infer(&[3.0])[0].abs() < 1e-3);
/// ```
///
/// # Panics
///
/// Where [`try_bump`] returns an error, with its message: `a` and `b` not finite with
/// `a < b`, `steepness` not finite and positive, `height` not finite, or an interval too wide
/// or too narrow for `F`.
#[track_caller]
pub fn bump<F: Float>(a: f64, b: f64, height: f64, steepness: f64) -> Bumps<2, F> {
    built(try_bump(a, b, height, steepness))
}

/// [`bump`], with an error instead of a panic ([`BumpsError`]).
///
/// ```
/// use typed_nn::universal::{BumpsError, try_bump};
///
/// assert!(try_bump::<f32>(1.0, 2.0, 3.0, 10.0).is_ok());
/// let err = try_bump::<f32>(1.0, 2.0, f64::INFINITY, 10.0).unwrap_err();
/// assert_eq!(err, BumpsError::BumpHeight { height: f64::INFINITY });
/// assert_eq!(err.to_string(), "the bump's height must be finite, not inf");
/// ```
pub fn try_bump<F: Float>(
    a: f64,
    b: f64,
    height: f64,
    steepness: f64,
) -> Result<Bumps<2, F>, BumpsError> {
    // The height is the lone bump's "f at its midpoint": named as the height it is.
    let mut net = build::<2, F>(|_| height, a, b, steepness).map_err(|error| match error {
        BumpsError::Height { value, .. } => BumpsError::BumpHeight { height: value },
        other => other,
    })?;
    // `build` moves a lone bump's edges out of the interval: put them back at `a` and `b`.
    let w = steepness / (b - a);
    for (unit, edge) in [a, b].into_iter().enumerate() {
        net.0.bias[unit] = F::from_f64(-w * edge);
    }
    finite(&net, a, b)?;
    Ok(net)
}

/// The network, or a panic with the error's message, reported at the caller's line.
#[track_caller]
fn built<N>(result: Result<N, BumpsError>) -> N {
    // A `match`, not `unwrap_or_else`: a closure would not pass the caller's line on.
    match result {
        Ok(net) => net,
        Err(error) => panic!("bumps: {error}"),
    }
}

/// Whether every parameter of `net`, built for `[lo, hi]`, is finite.
fn finite<F: Float>(net: &impl Params<F>, lo: f64, hi: f64) -> Result<(), BumpsError> {
    let mut finite = true;
    net.visit(&mut |s| finite &= s.iter().all(|v| num_traits::Float::is_finite(*v)));
    if finite {
        Ok(())
    } else {
        Err(BumpsError::NotRepresentable {
            float: core::any::type_name::<F>(),
            lo,
            hi,
        })
    }
}

/// The construction behind [`bumps`] and its siblings, which check that `H` is even.
fn build<const H: usize, F: Float>(
    f: impl Fn(f64) -> f64,
    lo: f64,
    hi: f64,
    steepness: f64,
) -> Result<Bumps<H, F>, BumpsError> {
    if !(lo.is_finite() && hi.is_finite() && lo < hi) {
        return Err(BumpsError::Interval { lo, hi });
    }
    if !(steepness.is_finite() && steepness > 0.0) {
        return Err(BumpsError::Steepness { steepness });
    }
    let float = core::any::type_name::<F>();
    if !(hi - lo).is_finite() {
        // Too wide for the construction's own `f64` arithmetic, whatever `F` is.
        let float = core::any::type_name::<f64>();
        return Err(BumpsError::NotRepresentable { float, lo, hi });
    }
    let m = H / 2;
    let width = (hi - lo) / m as f64;
    let w = steepness / width;
    // Rounded to `F`, `w x + b` is off by about `w` times the spacing of `F`'s numbers near
    // the interval, so a sigmoid's edge moves by that spacing: it must stay a small part of a
    // sigmoid's rise, `width / steepness`, or the bumps are placed at random.
    let spacing = <F as num_traits::Float>::epsilon().as_f64() * lo.abs().max(hi.abs());
    if width < steepness * spacing {
        return Err(BumpsError::TooNarrow {
            float,
            width,
            lo,
            hi,
            spacing,
            steepness,
        });
    }
    // Before the parameters' check: a slope that vanishes in `F` also makes the outer
    // sides, `OUTER_MARGIN / w` beyond the interval, overflow, and the steepness is the
    // cause to name.
    let slope = F::from_f64(w);
    if num_traits::Float::is_finite(slope) && !num_traits::Float::is_normal(slope) {
        return Err(BumpsError::SlopeVanishes {
            float,
            slope: w,
            steepness,
            lo,
            hi,
        });
    }
    // Built field by field rather than from `Linear::ZERO`, whose width rule would report
    // `H = 0` a second and third time here, after `EvenHidden`; the stack bound still holds.
    let () = crate::shape::FitsOnStack::<Bumps<H, F>>::HOLD;
    let mut hidden: Linear<1, H, F> = Linear {
        weight: [[F::ZERO; 1]; H],
        bias: [F::ZERO; H],
    };
    let mut output: Linear<H, 1, F> = Linear {
        weight: [[F::ZERO; H]; 1],
        bias: [F::ZERO; 1],
    };
    for i in 0..m {
        // Piece i is [lo + i d, lo + (i + 1) d]; the last one ends at hi exactly.
        let start = if i == 0 {
            lo - OUTER_MARGIN / w
        } else {
            lo + i as f64 * width
        };
        let end = if i + 1 == m {
            hi + OUTER_MARGIN / w
        } else {
            lo + (i + 1) as f64 * width
        };
        let x = lo + (i as f64 + 0.5) * width;
        let height = f(x);
        if !height.is_finite() {
            return Err(BumpsError::Height { x, value: height });
        }
        for (unit, (edge, sign)) in [(start, 1.0), (end, -1.0)].into_iter().enumerate() {
            // sigma(w (x - edge)) = sigma(w x - w edge).
            hidden.weight[2 * i + unit] = [F::from_f64(w)];
            hidden.bias[2 * i + unit] = F::from_f64(-w * edge);
            output.weight[0][2 * i + unit] = F::from_f64(sign * height);
        }
    }
    let net = (hidden, Sigmoid, output);
    finite(&net, lo, hi)?;
    Ok(net)
}

#[cfg(test)]
mod tests {
    use super::EvenHidden;

    #[test]
    fn the_message_names_the_number_of_hidden_units() {
        let start =
            "`bumps` needs an even number of hidden units, 2 or more (two sigmoids per bump), got ";
        // The number given, and the network of that many bumps, most likely meant; none
        // where twice the number overflows.
        for (message, h) in [
            (EvenHidden::<7>::MESSAGE, "7 (`Bumps<14>` holds 7 bumps)"),
            (EvenHidden::<0>::MESSAGE, "0 (`Bumps<2>` holds 1 bump)"),
            (EvenHidden::<1>::MESSAGE, "1 (`Bumps<2>` holds 1 bump)"),
            (
                EvenHidden::<1001>::MESSAGE,
                "1001 (`Bumps<2002>` holds 1001 bumps)",
            ),
            (
                EvenHidden::<{ usize::MAX }>::MESSAGE,
                "18446744073709551615",
            ),
        ] {
            assert_eq!(message.strip_prefix(start), Some(h));
        }
    }
}
