//! Finite-difference gradient checking for any model under any loss.
//!
//! Backpropagation is the chain rule applied by hand-written code, and a wrong sign or a missed
//! term still trains, only worse. `gradcheck` compares every gradient the backward pass
//! produces with the central difference `(L(w + h) - L(w - h)) / 2h`, whose error is O(h^2),
//! in `f64`.

use crate::float::{Float, Readable};
use crate::loss::ScoredBy;
use crate::module::{Backward, Params, Pass};
use crate::tensor::{Tensor, Zero};
use crate::train::Elem;

/// A model that [`gradcheck`] can check on input `X`: one with a backward pass and parameters
/// of its output's float type. Implemented for every such model.
pub trait Checkable<X>: Backward<X> + Params<Elem<Self, X>> {}

impl<M: Backward<X> + Params<Elem<M, X>>, X> Checkable<X> for M {}

/// The float types [`gradcheck`] works in: `f64` only.
///
/// A central difference in `f32` loses about half of its seven digits to rounding, so it
/// cannot tell a correct gradient from one that is slightly wrong. Build the model to check
/// with `f64` layers (`Linear<IN, OUT, f64>`); the same code then runs in `f32`.
#[diagnostic::on_unimplemented(
    message = "gradcheck works in `f64`, but this model's input is `{Self}`",
    label = "an `{Self}` model and input",
    note = "finite differences in `f32` lose most digits to rounding: build the model with `Linear<IN, OUT, f64>` and an `f64` input to check it"
)]
pub trait CheckedInF64: Float {}

impl CheckedInF64 for f64 {}

/// The step of the central difference. With `f64` the rounding error of the difference
/// (~1e-16 / h) and its truncation error (~h^2) are both far below 1e-8 for losses of order
/// one whose values along the way are of order one too. Values far larger than the loss lose
/// digits the step cannot recover: an output of 1e9 against a target of 1e9 rounds to steps of
/// 1.2e-7, a tenth of the step, and the check reports errors of a few percent on a correct
/// model (at 1e12, a numeric gradient of 0). Check a model at the scale it trains at.
pub const STEP: f64 = 1e-6;

/// Which number a gradient belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// The `i`-th parameter, in [`Params`] visiting order.
    Param(usize),
    /// The `i`-th element of the input, in row-major order.
    Input(usize),
}

/// The outcome of [`gradcheck`]: the worst disagreement between the backward pass and finite
/// differences, and where it occurred.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GradCheck {
    /// The largest relative error, `|a - n| / max(1, |a|, |n|)`: relative for gradients larger
    /// than one, absolute for smaller ones (so gradients that are zero or nearly so do not
    /// turn rounding noise into huge ratios).
    pub worst_error: f64,
    /// Where the worst error occurred (`None` when nothing was checked).
    pub worst_at: Option<Location>,
    /// The backward pass's value there.
    pub analytic: f64,
    /// The finite-difference value there.
    pub numeric: f64,
    /// How many gradients were compared: every parameter and every input element.
    pub checked: usize,
}

impl GradCheck {
    /// Whether every gradient agrees with its finite difference within `tolerance` (1e-6 is
    /// a strict bar for a model of `f64` layers at a loss of order one): false for a NaN.
    ///
    /// ```
    /// use typed_nn::{gradcheck::gradcheck, Linear, Mse, Tanh, Zero};
    /// let mut net = (Linear::<2, 2, f64>::from_parts([[0.5, -0.3], [0.2, 0.8]], [0.1, 0.0]), Tanh);
    /// let report = gradcheck(&mut net, &[1.0, 2.0], &[0.0, 1.0], &Mse);
    /// assert!(report.is_within(1e-6), "{report}");
    /// ```
    pub fn is_within(&self, tolerance: f64) -> bool {
        self.worst_error <= tolerance
    }

    /// The report with its worst gradient named by the layer and tensor of model `M` that it
    /// belongs to (`layer 0, `Linear<2, 3, f64>`, bias[1]`), where the plain report says only
    /// its index among the parameters.
    ///
    /// ```
    /// use typed_nn::{gradcheck::{GradCheck, Location}, Linear, Sigmoid};
    /// type Net = (Linear<2, 3, f64>, Sigmoid, Linear<3, 1, f64>);
    /// let report = GradCheck {
    ///     worst_error: 0.68, worst_at: Some(Location::Param(7)), analytic: -1.5, numeric: -0.5,
    ///     checked: 19,
    /// };
    /// assert_eq!(
    ///     report.in_model::<Net>().to_string(),
    ///     "worst error 0.68 at parameter 7 (layer 0, `Linear<2, 3, f64>`, bias[1]): backward pass -1.5, finite difference -0.5 (19 gradients compared)"
    /// );
    /// ```
    pub fn in_model<M: crate::io::Tensors>(&self) -> impl core::fmt::Display {
        InModel::<M>(self, core::marker::PhantomData)
    }

    fn record(&mut self, at: Location, analytic: f64, numeric: f64) {
        let scale = 1f64.max(analytic.abs()).max(numeric.abs());
        let error = (analytic - numeric).abs() / scale;
        self.checked += 1;
        // The first NaN stays: it is the one nearest its cause. The first gradient is recorded
        // whatever its error, so that a check where every gradient agrees exactly still says
        // where it looked.
        if self.worst_at.is_none()
            || (error.is_nan() && !self.worst_error.is_nan())
            || error > self.worst_error
        {
            *self = GradCheck {
                worst_error: error,
                worst_at: Some(at),
                analytic,
                numeric,
                ..*self
            };
        }
    }
}

/// The report, as its [`Display`](core::fmt::Display) prints it.
///
/// ```
/// use typed_nn::gradcheck::{GradCheck, Location};
/// let report = GradCheck {
///     worst_error: 0.68, worst_at: Some(Location::Input(1)), analytic: 2.0, numeric: 0.5,
///     checked: 19,
/// };
/// assert_eq!(
///     report.to_string(),
///     "worst error 0.68 at input value 1: backward pass 2, finite difference 0.5 (19 gradients compared)"
/// );
/// ```
impl core::fmt::Display for GradCheck {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write_report(f, self, |f, at| match at {
            Location::Param(i) => write!(f, "parameter {i}"),
            Location::Input(i) => write!(f, "input value {i}"),
        })
    }
}

/// [`GradCheck::in_model`].
struct InModel<'a, M>(&'a GradCheck, core::marker::PhantomData<fn() -> M>);

impl<M: crate::io::Tensors> core::fmt::Display for InModel<'_, M> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write_report(f, self.0, |f, at| match at {
            Location::Param(i) => {
                write!(f, "parameter {i}")?;
                write_param::<M>(f, i)
            }
            Location::Input(i) => write!(f, "input value {i}"),
        })
    }
}

/// The report's line, with its worst gradient's place written by `place`.
fn write_report(
    f: &mut core::fmt::Formatter<'_>,
    report: &GradCheck,
    place: impl Fn(&mut core::fmt::Formatter<'_>, Location) -> core::fmt::Result,
) -> core::fmt::Result {
    let Some(at) = report.worst_at else {
        return write!(f, "no gradient compared");
    };
    write!(f, "worst error {} at ", Readable(report.worst_error))?;
    place(f, at)?;
    write!(
        f,
        ": backward pass {}, finite difference {} ({} gradients compared)",
        Readable(report.analytic),
        Readable(report.numeric),
        report.checked
    )
}

/// ` (layer 0, `Linear<2, 3>`, bias[1])`: where parameter `index` of model `M` sits, row-major
/// within its tensor; nothing when the model has fewer parameters.
fn write_param<M: crate::io::Tensors>(
    f: &mut core::fmt::Formatter<'_>,
    index: usize,
) -> core::fmt::Result {
    let (mut layer, mut start, mut found) = (0, 0, None);
    M::tensors(&mut |ty, tensors| {
        for t in tensors {
            if found.is_none() && index < start + t.len() {
                found = Some((layer, ty, *t, index - start));
            }
            start += t.len();
        }
        layer += 1;
    });
    let Some((layer, ty, tensor, at)) = found else {
        return Ok(());
    };
    write!(
        f,
        " (layer {layer}, `{}`, {}",
        crate::describe::Short(ty),
        tensor.name
    )?;
    match tensor.dims() {
        [_, cols] => write!(f, "[{}][{}])", at / cols, at % cols),
        _ => write!(f, "[{at}])"),
    }
}

fn loss_at<M, X, L, T>(model: &M, x: &X, loss: &L, target: &T, cache: &mut M::Cache) -> f64
where
    M: Backward<X>,
    M::Output: ScoredBy<L, T>,
{
    let (mut out, mut grad) = (M::Output::ZERO, M::Output::ZERO);
    model.forward(x, &mut out, cache);
    ScoredBy::loss_grad(loss, &out, target, &mut grad).as_f64()
}

/// Checks the gradients of `loss(model(x), target)` with respect to every parameter of `model`
/// and every element of `x` against central finite differences. The arguments come in the
/// order of [`Trainer::step`](crate::train::Trainer::step)'s: the model, the input, the target,
/// the loss.
///
/// The model is perturbed one parameter at a time and restored, so it is unchanged afterwards.
/// Avoid inputs exactly at a kink of ReLU, where the derivative does not exist.
///
/// ```
/// use typed_nn::rand::{SeedableRng, rngs::SmallRng};
/// use typed_nn::{gradcheck::gradcheck, Linear, Mse, Tanh};
/// let mut rng = SmallRng::seed_from_u64(3);
/// let mut net = (Linear::<3, 4, f64>::glorot(&mut rng), Tanh, Linear::<4, 2, f64>::glorot(&mut rng));
/// let report = gradcheck(&mut net, &[0.5, -1.0, 2.0], &[1.0, 0.0], &Mse);
/// assert_eq!(report.checked, 3 * 4 + 4 + 4 * 2 + 2 + 3);
/// assert!(report.is_within(1e-6), "{report}");
/// ```
///
/// Only `f64` models are checked ([`CheckedInF64`]): anything else is a compile error that
/// says so. (With an `f32` model and an input of float literals without a suffix, the
/// literals become `f64`, and the error says instead that the model's first `f32` layer
/// cannot take an `[f64; N]` input; the fix is the same, an `f64` model.)
///
/// Gradients below 1 are compared absolutely ([`GradCheck::worst_error`]), so at a point
/// where every gradient is tiny (an output that already meets its target) even a wrong sign
/// is a small error: check where the loss is of order one.
///
/// A model, input or target that holds a NaN or an infinity makes the comparisons NaN: the
/// report's `worst_error` is then NaN, and `worst_at` names the first parameter (or else the
/// first input element) that is not finite, when one is, and otherwise the first gradient
/// compared as NaN.
///
/// # Panics
///
/// When the target is one the loss is not defined for ([`Loss::check_target`](crate::Loss::check_target): a class
/// index out of range, a probability outside [0, 1], a soft target that is not a
/// distribution, a target that is not finite), with the error a trainer would give.
///
/// When the model's parameter bookkeeping disagrees with itself: [`ParamCount::PARAM_COUNT`]
/// and the slices [`Params::visit`], [`Params::visit_mut`] and [`Params::zip_mut`] walk must
/// cover the same parameters in the same order (a layer written by hand that leaves one out
/// would otherwise be checked, saved and trained only in part, silently).
///
/// When a backward pass not asked for the input's gradient gives other parameter gradients
/// than one that is: a layer with parameters that says it has none
/// ([`Backward::HAS_PARAMETERS`]) would be trained on stale values, silently.
///
/// When the model says that it writes its gradients
/// ([`Backward::WRITES_GRADIENTS`]) but a backward pass
/// asked to write them ([`Pass::write`](crate::module::Pass)) over other values leaves any
/// different from the pass into zeros: a trainer would add each step's gradients to the
/// last step's, silently.
///
/// [`ParamCount::PARAM_COUNT`]: crate::ParamCount::PARAM_COUNT
pub fn gradcheck<M: Checkable<X>, X: Tensor, T, L>(
    model: &mut M,
    x: &X,
    target: &T,
    loss: &L,
) -> GradCheck
where
    X::Elem: CheckedInF64,
    M::Output: ScoredBy<L, T>,
{
    if let Err(error) = <M::Output as ScoredBy<L, T>>::check_target(loss, target) {
        panic!(
            "gradcheck: {error}; the loss is not defined for this target, nor are its gradients"
        );
    }
    check_bookkeeping(model);
    let mut cache = M::Cache::ZERO;
    let mut out = M::Output::ZERO;
    let mut d_out = M::Output::ZERO;
    let mut grads = M::ZERO;
    let mut d_x = X::ZERO;
    model.forward(x, &mut out, &mut cache);
    ScoredBy::loss_grad(loss, &out, target, &mut d_out);
    model.backward(x, &out, &d_out, &mut cache, &mut grads, Some(&mut d_x));
    check_without_input_gradient(model, x, &d_out, &grads);
    if M::WRITES_GRADIENTS {
        check_written(model, x, &d_out, &grads);
    }

    let mut report = GradCheck {
        worst_error: 0.0,
        worst_at: None,
        analytic: 0.0,
        numeric: 0.0,
        checked: 0,
    };
    for i in 0..M::PARAM_COUNT {
        let (Some(value), Some(analytic)) = (model.param(i), grads.param(i)) else {
            break;
        };
        let step = Float::from_f64(STEP);
        model.set_param(i, value + step);
        let plus = loss_at(model, x, loss, target, &mut cache);
        model.set_param(i, value - step);
        let minus = loss_at(model, x, loss, target, &mut cache);
        model.set_param(i, value);
        let numeric = (plus - minus) / (2.0 * STEP);
        report.record(Location::Param(i), analytic.as_f64(), numeric);
    }
    let mut shifted = *x;
    for i in 0..X::LEN {
        let (value, step) = (x.flat()[i], X::Elem::from_f64(STEP));
        shifted.flat_mut()[i] = value + step;
        let plus = loss_at(model, &shifted, loss, target, &mut cache);
        shifted.flat_mut()[i] = value - step;
        let minus = loss_at(model, &shifted, loss, target, &mut cache);
        shifted.flat_mut()[i] = value;
        report.record(
            Location::Input(i),
            d_x.flat()[i].as_f64(),
            (plus - minus) / (2.0 * STEP),
        );
    }
    if report.worst_error.is_nan()
        && let Some(at) = first_not_finite(model, x)
    {
        report.worst_at = Some(at);
    }
    report
}

/// The first parameter of `model`, or else the first element of `x`, that is not finite.
fn first_not_finite<F: Float, M: Params<F>, X: Tensor>(model: &M, x: &X) -> Option<Location> {
    let param = crate::module::first_non_finite_param(model).map(Location::Param);
    param.or_else(|| crate::module::first_non_finite(x).map(|f| Location::Input(f.index)))
}

/// Panics unless a backward pass not asked for the input's gradient gives `asked`, the
/// parameter gradients of the pass that was (equal values, a NaN for a NaN): a layer with
/// parameters that says it has none ([`Backward::HAS_PARAMETERS`]) is sent stale output
/// gradients by a model that asks nothing of the layers in front of it.
fn check_without_input_gradient<M: Checkable<X>, X: Tensor>(
    model: &M,
    x: &X,
    d_out: &M::Output,
    asked: &M,
) {
    let (mut out, mut cache) = (M::Output::ZERO, M::Cache::ZERO);
    model.forward(x, &mut out, &mut cache);
    let mut grads = M::ZERO;
    model.backward(x, &out, d_out, &mut cache, &mut grads, None);
    for i in 0..M::PARAM_COUNT {
        let (Some(g), Some(a)) = (grads.param(i), asked.param(i)) else {
            break;
        };
        let (g, a) = (g.as_f64(), a.as_f64());
        let same = g == a || (g.is_nan() && a.is_nan());
        assert!(
            same,
            "gradcheck: a backward pass not asked for the input's gradient gave parameter {i}'s gradient as {g}, where the pass that is asked gives {a}; a layer with parameters must not say that it has none (`Backward::HAS_PARAMETERS`)"
        );
    }
}

/// Panics unless a backward pass asked to write the gradients over other values gives
/// `added`, the gradients it adds into zeros (equal values, a NaN for a NaN).
fn check_written<M: Checkable<X>, X: Tensor>(model: &M, x: &X, d_out: &M::Output, added: &M) {
    // A forward pass of its own: the first backward pass may have used up its cache.
    let (mut out, mut cache) = (M::Output::ZERO, M::Cache::ZERO);
    model.forward(x, &mut out, &mut cache);
    let mut written = M::ZERO;
    written.visit_mut(&mut |s| s.fill(Float::from_f64(0.5)));
    let pass = Pass {
        scan: false,
        write: true,
    };
    model.backward_scanned(x, &out, d_out, &mut cache, &mut written, None, pass);
    for i in 0..M::PARAM_COUNT {
        let (Some(w), Some(a)) = (written.param(i), added.param(i)) else {
            break;
        };
        let (w, a) = (w.as_f64(), a.as_f64());
        let same = w == a || (w.is_nan() && a.is_nan());
        assert!(
            same,
            "gradcheck: the model says that it writes its gradients (`Backward::WRITES_GRADIENTS` is true), but a backward pass asked to write them over values of 0.5 left parameter {i}'s at {w}, where the pass into zeros gives {a}; say so only for a layer whose `backward_scanned` writes every parameter's gradient when `Pass::write` asks"
        );
    }
}

/// Panics unless `PARAM_COUNT`, `visit`, `visit_mut` and `zip_mut` of `model` agree: the
/// same number of parameters, in the same slices of the model's memory in the same order.
fn check_bookkeeping<F: Float, M: Params<F>>(model: &mut M) {
    // Each walk's slices, summarised: their count, their total length, and a hash of where
    // each slice starts and how long it is, in order (which differs when the walks visit
    // other memory, or the same slices in another order).
    let mut walks = [(0usize, 0usize, 0u64); 3];
    let note = |walk: &mut (usize, usize, u64), start: *const F, len: usize| {
        walk.0 += len;
        walk.1 += 1;
        // FNV-1a over the slice's address and length.
        for word in [start as usize as u64, len as u64] {
            walk.2 = (walk.2 ^ word).wrapping_mul(0x0100_0000_01b3);
        }
    };
    let [visit, visit_mut, zip] = &mut walks;
    model.visit(&mut |s| note(visit, s.as_ptr(), s.len()));
    model.visit_mut(&mut |s| note(visit_mut, s.as_ptr(), s.len()));
    let mut other = M::ZERO;
    model.zip_mut([&mut other], &mut |p, [o]| {
        assert_eq!(
            p.len(),
            o.len(),
            "gradcheck: `zip_mut` pairs slices of different lengths"
        );
        note(zip, p.as_ptr(), p.len())
    });
    let count = M::PARAM_COUNT;
    assert!(
        walks.iter().all(|w| w.0 == count) && walks[1] == walks[0] && walks[2] == walks[0],
        "gradcheck: the model's parameter bookkeeping disagrees: PARAM_COUNT is {count}, while `visit` walks {}, `visit_mut` {} and `zip_mut` {} parameters (in {}, {} and {} slices); all four must cover the same parameters, the same slices of the model in the same order",
        walks[0].0,
        walks[1].0,
        walks[2].0,
        walks[0].1,
        walks[1].1,
        walks[2].1
    );
}
