//! int8 inference: post-training quantization of a trained float model, in TensorFlow Lite's
//! scheme.
//!
//! [`quantize`] runs the float model over calibration inputs, records the range of every
//! [`Linear`] layer's output, and builds the int8 model of the same shapes:
//!
//! - weights int8, symmetric (zero point 0), with one scale per output channel or one per
//!   layer ([`PerChannel`], [`PerTensor`]);
//! - biases `i32` on the scale `s_in s_w`, with the input's zero point folded in; where a
//!   bias would not fit beside tiny weights, the weight scale grows until it does (as
//!   TensorFlow Lite's converter does), and a row of zero weights keeps its bias in 2^24
//!   steps;
//! - activations int8 with a scale and a zero point (asymmetric, [`QuantParams`]);
//! - `i32` accumulation and fixed-point requantization ([`Multiplier`]): no floats between
//!   the int8 input and the int8 output;
//! - [`ReLU`] and [`Identity`] run on the integers directly; [`Sigmoid`] and [`Tanh`] through
//!   one table of tanh (129 knots, read with linear interpolation), onto TensorFlow Lite's
//!   fixed output scales (1/256 and 1/128). A linear layer hands a sigmoid or a tanh its
//!   pre-activations as `i16` on a fixed grid rather than int8: where TensorFlow Lite rounds
//!   them to 256 levels shared by the layer, and that rounding is most of its error, here it
//!   costs nothing next to the output's int8 step.
//!
//! # Ranges
//!
//! Every activation has one scale for all its values, as in TensorFlow Lite: 255 steps over
//! the layer's whole range. A value much smaller than the range's width keeps few steps: an
//! output next to one a hundred times larger, or an input feature a thousandth as wide as
//! another (unscaled data), can lose most of its resolution while the model as a whole stays
//! within [`QuantError::Inaccurate`]'s bound of a quarter of the output range, which catches
//! only a model that int8 cannot follow at all. Standardise the inputs
//! ([`Standardizer`](crate::data::Standardizer)) before training a model meant for int8,
//! and compare the int8 model with the float one on held-out data, as the tests do.
//!
//! The int8 model is a tuple of int8 layers with the float model's widths:
//! `(Linear<1, 16>, Tanh, Linear<16, 1>)` becomes `(QLinear<1, 16, i16>, QTanh, QLinear<16,
//! 1>)`, and a mis-wired int8 model does not compile either. It needs neither `std` nor an
//! allocator, and a [`ConstQuantImage`] builds it in a `static`, in flash, at compile time.
//!
//! ```
//! use typed_nn::prelude::*;
//! use typed_nn::quant::{self, PerChannel};
//! use typed_nn::rand::{SeedableRng, rngs::SmallRng};
//!
//! type Net = (Linear<1, 8>, Tanh, Linear<8, 1>);
//! let mut net = Net::ZERO;
//! net.init(Scheme::Glorot, &mut SmallRng::seed_from_u64(1));
//! let calibration: Vec<[f32; 1]> = (0..64).map(|i| [i as f32 / 16.0 - 2.0]).collect();
//! let int8 = quant::quantize(&net, &calibration, PerChannel)?;
//! let (x, exact) = ([0.5f32], net.infer(&[0.5])[0]);
//! assert!((int8.infer(&x)[0] - exact).abs() < 0.05);
//! # Ok::<(), quant::QuantError>(())
//! ```
//!
//! On the digits data set the int8 model's test accuracy is within a percentage point of the
//! float model's; on the 1-16-16-1 tanh sine network its largest error against sin is within
//! 0.04 of the float model's with a scale per channel and 0.08 with one per tensor (both are
//! tests, in `tests/quant.rs`; the figures measured are in the README).

mod chain;
mod const_image;
mod fixed;
mod layers;
mod lookup;
mod write;

use core::fmt;

use crate::float::Float;
use crate::layers::{Identity, Linear, ReLU, Sigmoid, Tanh};
use crate::module::{Forward, Params};

pub use const_image::{ConstQuantImage, QuantImageError};
pub use fixed::Multiplier;
pub use layers::{
    QIdentity, QInt, QLinear, QLinearInput, QLinearPerTensor, QReLU, QSigmoid, QTanh, QuantParams,
    QuantizedForward, Scales,
};
pub use write::{ImageWriter, QuantizedLayer};

/// How many scales a layer's weights get: [`PerChannel`] or [`PerTensor`]. A type, not a
/// value, so that a per-tensor layer stores its one multiplier once (on a microcontroller, in
/// flash).
pub trait Granularity: Copy {
    /// Whether each output channel gets its own weight scale.
    const PER_CHANNEL: bool;
    /// What a layer of `OUT` outputs stores its multipliers in.
    type Scales<const OUT: usize>: Scales;
}

/// One weight scale per output channel (per row of the weight matrix): TensorFlow Lite's
/// default for fully connected layers, and the more accurate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PerChannel;

/// One weight scale for the whole layer, and so one multiplier.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PerTensor;

impl Granularity for PerChannel {
    const PER_CHANNEL: bool = true;
    type Scales<const OUT: usize> = [Multiplier; OUT];
}

impl Granularity for PerTensor {
    const PER_CHANNEL: bool = false;
    type Scales<const OUT: usize> = [Multiplier; 1];
}

/// The smallest and largest value a layer's output took during calibration.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    /// The smallest value seen, or `+inf` before any.
    pub min: f32,
    /// The largest value seen, or `-inf` before any.
    pub max: f32,
}

impl Range {
    /// No value seen yet.
    pub const EMPTY: Self = Self {
        min: f32::INFINITY,
        max: f32::NEG_INFINITY,
    };
    /// Every value.
    pub const ALL: Self = Self {
        min: f32::NEG_INFINITY,
        max: f32::INFINITY,
    };

    fn widen<F: Float>(&mut self, values: &[F]) {
        for &v in values {
            let v = v.as_f64() as f32;
            self.min = self.min.min(v);
            self.max = self.max.max(v);
        }
    }
}

/// A float layer or model that has an int8 form, for one float sample type `X`.
///
/// Implemented for [`Linear`], [`ReLU`], [`Identity`], [`Sigmoid`], [`Tanh`] and tuples of
/// them. A model with another layer (a softmax, say) has no int8 form: leave the softmax out
/// and take the argmax of the int8 logits, which it does not change.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no int8 form for input `{X}`",
    label = "not quantizable",
    note = "int8 models are built from `Linear`, `ReLU`, `Identity`, `Sigmoid` and `Tanh`, one sample `[f32; IN]` at a time, `IN` the width the first layer takes"
)]
pub trait Quantize<X>: Forward<X> {
    /// The int8 layer or model, handing the next layer integers of type `E` (`i8`, or `i16`
    /// pre-activations for a sigmoid or a tanh: the next layer's [`Takes`](Self::Takes)).
    type Quantized<G: Granularity, E: QInt>;
    /// The integers this layer takes from a linear layer before it: `i16` pre-activations for
    /// [`Sigmoid`] and [`Tanh`], `i8` for the others.
    type Takes: QInt;
    /// The output ranges calibration records, one per [`Linear`].
    type Ranges: Copy;
    /// Nothing recorded yet.
    const EMPTY: Self::Ranges;
    /// The inputs this layer tells apart: beyond them its int8 output changes by less than
    /// half a step (tanh beyond +-4, sigmoid beyond +-8). A linear layer before it spreads
    /// its `i16` pre-activations over this range. Unbounded for the others.
    const USEFUL_INPUT: Range = Range::ALL;

    /// The float output of `x`, widening `ranges` by what each layer produced.
    fn observe(&self, x: &X, ranges: &mut Self::Ranges) -> Self::Output;

    /// The int8 form, given the recorded ranges, how the input is quantized and the next
    /// layer's [`USEFUL_INPUT`](Self::USEFUL_INPUT) (`next`); returns it with how its output
    /// is quantized (for an `i16` output, the value of one step, zero point 0).
    fn quantize<G: Granularity, E: QInt>(
        &self,
        ranges: &Self::Ranges,
        input: QuantParams,
        next: Range,
    ) -> (Self::Quantized<G, E>, QuantParams);
}

impl<const IN: usize, const OUT: usize, F: Float> Quantize<[F; IN]> for Linear<IN, OUT, F> {
    type Quantized<G: Granularity, E: QInt> = QLinear<IN, OUT, E, G::Scales<OUT>>;
    type Takes = i8;
    type Ranges = Range;
    const EMPTY: Range = Range::EMPTY;

    fn observe(&self, x: &[F; IN], range: &mut Range) -> [F; OUT] {
        let y = self.infer(x);
        range.widen(&y);
        y
    }

    fn quantize<G: Granularity, E: QInt>(
        &self,
        range: &Range,
        input: QuantParams,
        next: Range,
    ) -> (QLinear<IN, OUT, E, G::Scales<OUT>>, QuantParams) {
        let output = if E::BITS == 16 && next.max.is_finite() {
            // The fixed grid of the sigmoid or tanh that follows (`i16_grid`): its step back.
            QuantParams {
                scale: next.max / 32768.0,
                zero_point: 0,
            }
        } else {
            QuantParams::covering(range.min.max(next.min), range.max.min(next.max))
        };
        let largest = |row: &[F; IN]| row.iter().fold(0.0f64, |m, w| m.max(w.as_f64().abs()));
        let layer_largest = self
            .weight
            .iter()
            .fold(0.0f64, |m, row| m.max(largest(row)));
        let mut weight = [[0; IN]; OUT];
        let mut bias = [0; OUT];
        let mut multiplier = [Multiplier::default(); OUT];
        // Room in the accumulator for the products of any int8 input, so that the sum never
        // wraps: a bias beyond it is cut (and the calibration check refuses the model if that
        // matters).
        let products = 127 * 128 * IN as i64;
        let room = (i32::MAX as i64 - products).max(0);
        let layer_bias = self
            .bias
            .iter()
            .fold(0.0f64, |m, b| m.max(b.as_f64().abs()));
        for o in 0..OUT {
            // Per tensor, one scale for every row: the largest weight's and largest bias's.
            let (top, b) = if G::PER_CHANNEL {
                (largest(&self.weight[o]), self.bias[o].as_f64())
            } else {
                (layer_largest, layer_bias)
            };
            let w_scale = weight_scale(top, b, input.scale as f64, room);
            let mut row_sum = 0i64;
            for (qw, w) in weight[o].iter_mut().zip(&self.weight[o]) {
                *qw = fixed::round_half_away(w.as_f64() / w_scale).clamp(-127.0, 127.0) as i8;
                row_sum += *qw as i64;
            }
            let acc_scale = input.scale as f64 * w_scale;
            let b = fixed::round_half_away((self.bias[o].as_f64() / acc_scale).clamp(-1e12, 1e12));
            let folded = b as i64 - input.zero_point as i64 * row_sum;
            bias[o] = folded.clamp(-room, room) as i32;
            multiplier[o] = Multiplier::from_factor(acc_scale / output.scale as f64);
        }
        let q = QLinear {
            weight,
            bias,
            // Per tensor, every output's multiplier is the same: the first stands for all.
            multiplier: G::Scales::<OUT>::from_fn(|o| multiplier[o]),
            output_zero_point: output.zero_point,
            output: core::marker::PhantomData,
        };
        (q, output)
    }
}

/// The scale of a row of int8 weights whose largest magnitude is `top`, with bias `bias`, after
/// an input of scale `input_scale`: `top / 127`, so that the largest weight is 127, unless the
/// bias in accumulator units (`bias / (input_scale * scale)`) would then not fit in half of
/// `room`. Then the scale grows until it does, as TensorFlow Lite's converter raises it: tiny
/// weights beside a real bias round to fewer steps (or to zero, where they change the output
/// by less than the bias's rounding), and the bias is kept. A row of zero weights takes the
/// scale that holds its bias in 2^24 steps (1 when the bias is 0 too): any scale computes its
/// products exactly, and a scale of 1 would round the bias to whole steps of the input's.
fn weight_scale(top: f64, bias: f64, input_scale: f64, room: i64) -> f64 {
    const ZERO_ROW_BIAS_STEPS: f64 = 16_777_216.0;
    let limit = if top > 0.0 {
        room as f64 / 2.0
    } else {
        ZERO_ROW_BIAS_STEPS
    };
    let for_bias = bias.abs() / (input_scale * limit);
    let scale = (top / 127.0).max(for_bias);
    if scale > 0.0 && scale.is_finite() {
        scale
    } else {
        1.0
    }
}

macro_rules! quantize_pointwise {
    ($($layer:ident ($useful:expr, $takes:ty) => $quantized:ty, |$input:ident| $build:expr;)*) => {$(
        impl<const N: usize, F: Float> Quantize<[F; N]> for $layer {
            type Quantized<G: Granularity, E: QInt> = $quantized;
            type Takes = $takes;
            type Ranges = ();
            const EMPTY: () = ();
            const USEFUL_INPUT: Range = $useful;

            fn observe(&self, x: &[F; N], _: &mut ()) -> [F; N] {
                self.infer(x)
            }

            fn quantize<G: Granularity, E: QInt>(&self, _: &(), $input: QuantParams, _: Range) -> ($quantized, QuantParams) {
                $build
            }
        }
    )*};
}

quantize_pointwise! {
    ReLU (Range::ALL, i8) => QReLU, |input| (QReLU { zero_point: input.zero_point }, input);
    Identity (Range::ALL, i8) => QIdentity, |input| (QIdentity, input);
    Sigmoid (i16_grid(lookup::SIGMOID_STEP), i16) => QSigmoid, |input| (QSigmoid::new(input), QuantParams::SIGMOID);
    Tanh (i16_grid(lookup::TANH_STEP), i16) => QTanh, |input| (QTanh::new(input), QuantParams::TANH);
}

/// What `i16` pre-activations of `step` cover, [-8, 8) for a sigmoid's and [-4, 4) for a
/// tanh's: the layer before spreads its outputs over it, and reads its step back from it.
const fn i16_grid(step: f32) -> Range {
    Range {
        min: -32768.0 * step,
        max: 32768.0 * step,
    }
}

/// An int8 model with how its input and output are quantized: it takes and returns floats
/// ([`infer`](Self::infer)) or int8 values ([`infer_int8`](Self::infer_int8)).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quantized<Q> {
    /// The int8 layers.
    pub model: Q,
    /// How an input is quantized.
    pub input: QuantParams,
    /// How the output is quantized.
    pub output: QuantParams,
}

/// The int8 form of float model `M` taking samples `X`: `Int8<(Linear<1, 16>, Tanh, Linear<16,
/// 1>), [f32; 1]>` is `Quantized<(QLinear<1, 16, i16>, QTanh, QLinear<16, 1>)>`; with
/// [`PerTensor`] as `G`, its linear layers are [`QLinearPerTensor`].
pub type Int8<M, X, G = PerChannel> = Quantized<<M as Quantize<X>>::Quantized<G, i8>>;

/// `X: Int8Sample<Q>`: int8 model `Q` takes samples of type `X`.
///
/// Implemented for every [`QuantizedForward`] model. [`Quantized`] states its bounds in this
/// direction, on the sample rather than on the model, so that a mis-wired int8 model is one
/// error naming the layer and the input it cannot take, as for float models.
#[doc(hidden)]
pub trait Int8Sample<Q> {
    /// The model's output.
    type Output;
    /// `model`'s output for this sample.
    fn run(&self, model: &Q) -> Self::Output;
}

impl<X, Q: QuantizedForward<X>> Int8Sample<Q> for X {
    type Output = Q::Output;
    #[inline(always)]
    fn run(&self, model: &Q) -> Q::Output {
        model.infer(self)
    }
}

impl<Q> Quantized<Q> {
    /// The int8 output for an int8 input: integers only.
    #[inline]
    pub fn infer_int8<X: Int8Sample<Q>>(&self, x: &X) -> X::Output {
        x.run(&self.model)
    }

    /// The output for a float input: quantizes it, runs the int8 model and dequantizes the
    /// result (two `f32` operations per input and per output; none in between).
    ///
    /// Quantizing saturates: an input beyond the calibration range is taken at its edge, an
    /// infinity at the edge of its sign, and a NaN as 0 (the zero point; see
    /// [`QuantParams::quantize`]). Check inputs that may hold NaN before calling, as the
    /// float model would return NaN and this one does not.
    #[inline]
    pub fn infer<const IN: usize, const OUT: usize>(&self, x: &[f32; IN]) -> [f32; OUT]
    where
        [i8; IN]: Int8Sample<Q, Output = [i8; OUT]>,
    {
        let q = x.map(|v| self.input.quantize(v));
        q.run(&self.model).map(|v| self.output.dequantize(v))
    }
}

/// Why a model could not be quantized.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum QuantError {
    /// No calibration input was given: the ranges of the activations are unknown.
    NoCalibration,
    /// A calibration input holds a NaN or an infinity.
    NonFiniteInput {
        /// Which input, counted from 0.
        sample: usize,
    },
    /// Every calibration input is the same: each activation's range is one point, and any
    /// other input would saturate.
    NoSpread,
    /// A parameter of the float model is NaN or infinite.
    NonFiniteModel,
    /// The float model's output for a calibration input is NaN or infinite (its parameters
    /// are finite, but overflow on that input).
    NonFiniteOutput {
        /// Which input, counted from 0.
        sample: usize,
    },
    /// The int8 model strays from the float model, on the calibration inputs, by
    /// more than a quarter of the float model's output range (widened to include 0, as an
    /// int8 range is): int8 cannot represent this model, whose values span more than 255
    /// steps of one scale resolve (inputs, activations or outputs), or lie below what an
    /// `f32` scale holds.
    Inaccurate {
        /// The largest difference between an int8 and a float output.
        deviation: f64,
        /// The range of the float model's outputs on the calibration inputs, widened to 0.
        range: f64,
    },
}

impl fmt::Display for QuantError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QuantError::NoCalibration => f.write_str(
                "no calibration inputs: quantization needs samples to measure each layer's range",
            ),
            QuantError::NonFiniteInput { sample } => {
                write!(f, "calibration input {sample} holds a NaN or an infinity")
            }
            QuantError::NoSpread => f.write_str(
                "every calibration input is the same, so each layer's range is one point and any other input would saturate: calibrate on samples that cover the inputs the model will meet",
            ),
            QuantError::NonFiniteModel => {
                f.write_str("the float model holds a NaN or an infinite parameter")
            }
            QuantError::NonFiniteOutput { sample } => write!(
                f,
                "the float model's output for calibration input {sample} is not finite: it overflows there"
            ),
            QuantError::Inaccurate { deviation, range } => write!(
                f,
                "the int8 model strays from the float model by {deviation:e} on the calibration inputs, more than a quarter of their output range {range:e}: its inputs, activations or outputs span more than the 255 steps of one int8 scale resolve (standardise the inputs; see the `quant` module on ranges)"
            ),
        }
    }
}

impl core::error::Error for QuantError {}

/// The int8 form of `model`, calibrated on `calibration` (a few hundred samples of the data
/// it will see are enough; the training set serves). Works without an allocator.
///
/// The input's quantization covers the calibration inputs' range; each layer's int8 output
/// covers what that layer produced on them, and values beyond a range saturate. A linear
/// layer before a sigmoid or a tanh needs no range: its `i16` pre-activations cover where
/// the function still changes ([`Quantize::USEFUL_INPUT`]) in 65,536 steps. The int8 model
/// is then compared with the float model on the calibration inputs (at most the first 1024),
/// and refused if it strays too far ([`QuantError::Inaccurate`]).
pub fn quantize<G, M, F, Q, const IN: usize, const OUT: usize>(
    model: &M,
    calibration: &[[F; IN]],
    granularity: G,
) -> Result<Quantized<Q>, QuantError>
where
    G: Granularity,
    // `Q` named rather than projected, so that a model without an int8 form is one error.
    M: QuantizeInto<F, IN, OUT, G, Int8 = Q>,
    Q: QuantizedForward<[i8; IN], Output = [i8; OUT]>,
    F: Float,
{
    if calibration.is_empty() {
        return Err(QuantError::NoCalibration);
    }
    if !model.all_finite() {
        return Err(QuantError::NonFiniteModel);
    }
    let mut input = Range::EMPTY;
    let mut ranges = M::EMPTY;
    for (sample, x) in calibration.iter().enumerate() {
        if !x.iter().all(|v| v.is_finite()) {
            return Err(QuantError::NonFiniteInput { sample });
        }
        input.widen(x);
        model.observe(x, &mut ranges);
        if !model.infer(x).iter().all(|y| y.is_finite()) {
            return Err(QuantError::NonFiniteOutput { sample });
        }
    }
    if calibration.iter().all(|x| x == &calibration[0]) {
        return Err(QuantError::NoSpread);
    }
    let input = QuantParams::covering(input.min, input.max);
    let (int8, output) = model.build(&ranges, input);
    let int8 = Quantized {
        model: int8,
        input,
        output,
    };
    let _ = granularity; // a type: its value carries nothing
    let deviation = |int8: &Quantized<Q>| {
        let samples = calibration.iter().take(1024);
        samples.fold(0.0f64, |worst, x| {
            let (want, got) = (model.infer(x), int8.infer(&x.map(|v| v.as_f64() as f32)));
            want.iter()
                .zip(got)
                .fold(worst, |w, (a, b)| w.max((a.as_f64() - b as f64).abs()))
        })
    };
    let least = deviation(&int8);
    // The float model's own output range on the same inputs, widened to 0 as int8 ranges are:
    // a deviation beyond a quarter of it is no approximation (int8 holds 255 steps of it).
    let range = {
        let (mut low, mut high) = (0.0f64, 0.0f64);
        for x in calibration.iter().take(1024) {
            for y in model.infer(x) {
                (low, high) = (low.min(y.as_f64()), high.max(y.as_f64()));
            }
        }
        high - low
    };
    if !(least <= range / 4.0 || range == 0.0) {
        return Err(QuantError::Inaccurate {
            deviation: least,
            range,
        });
    }
    Ok(int8)
}

/// `M: QuantizeInto<F, IN, OUT, G>`: float model `M`, from `[F; IN]` to `[F; OUT]`, has an
/// int8 form of granularity `G` from `[i8; IN]` to `[i8; OUT]`.
///
/// Implemented for every [`Quantize`] model whose parts fit. [`quantize`] states its bound
/// through this one trait, so that a model without an int8 form is one error that names the
/// layer, not one per bound.
#[doc(hidden)]
pub trait QuantizeInto<F: Float, const IN: usize, const OUT: usize, G: Granularity>:
    Quantize<[F; IN], Output = [F; OUT]> + Params<F>
{
    /// The int8 model.
    type Int8: QuantizedForward<[i8; IN], Output = [i8; OUT]>;
    /// [`Quantize::quantize`] for the whole model.
    fn build(&self, ranges: &Self::Ranges, input: QuantParams) -> (Self::Int8, QuantParams);
}

impl<M, F: Float, const IN: usize, const OUT: usize, G: Granularity> QuantizeInto<F, IN, OUT, G>
    for M
where
    M: Quantize<[F; IN], Output = [F; OUT]> + Params<F>,
    M::Quantized<G, i8>: QuantizedForward<[i8; IN], Output = [i8; OUT]>,
{
    type Int8 = M::Quantized<G, i8>;
    fn build(&self, ranges: &Self::Ranges, input: QuantParams) -> (Self::Int8, QuantParams) {
        self.quantize::<G, i8>(ranges, input, Range::ALL)
    }
}
