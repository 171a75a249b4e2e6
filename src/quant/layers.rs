//! The int8 layers: each is the quantized form of one float layer, with the same shape.

use core::marker::PhantomData;

use super::fixed::{Multiplier, round_half_away};
use super::lookup;

/// How real numbers map to int8: `real = scale * (q - zero_point)` (TensorFlow Lite's
/// asymmetric scheme for activations).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QuantParams {
    /// The real value of one step.
    pub scale: f32,
    /// The int8 value that stands for 0.0 exactly.
    pub zero_point: i8,
}

impl QuantParams {
    /// Sigmoid's output in TensorFlow Lite: [0, 1) in steps of 1/256.
    pub const SIGMOID: Self = Self {
        scale: 1.0 / 256.0,
        zero_point: -128,
    };
    /// Tanh's output in TensorFlow Lite: [-1, 1) in steps of 1/128.
    pub const TANH: Self = Self {
        scale: 1.0 / 128.0,
        zero_point: 0,
    };

    /// The parameters that cover `[min, max]` widened to include 0 (so that 0, a ReLU's
    /// output and zero padding, is exact), in 255 steps. An empty or single-point range (all
    /// values 0), or one whose step would not be a normal `f32` (a range narrower than about
    /// 3e-36), gets scale 1. Ranges must be finite.
    pub fn covering(min: f32, max: f32) -> Self {
        let (min, max) = (min.min(0.0) as f64, max.max(0.0) as f64);
        if max - min <= 0.0 || !(max - min).is_finite() {
            return Self {
                scale: 1.0,
                zero_point: 0,
            };
        }
        let scale = (max - min) / 255.0;
        // A range too narrow for an `f32` scale (below its normal numbers) is a point: every
        // value of it is nearly 0.
        if !(scale as f32).is_normal() {
            return Self {
                scale: 1.0,
                zero_point: 0,
            };
        }
        let zero_point = round_half_away(-128.0 - min / scale).clamp(-128.0, 127.0);
        Self {
            scale: scale as f32,
            zero_point: zero_point as i8,
        }
    }

    /// `x` as int8, rounded to nearest and saturated; NaN maps to the zero point. In `f32`
    /// only, so that a device with a single-precision unit needs no double-precision code.
    ///
    /// `x` is multiplied by the scale's reciprocal (rounded to `f32`), not divided by the
    /// scale: for a model in a `static` the compiler computes the reciprocal, and a core
    /// without a floating-point unit (Cortex-M0) needs no software division, 516 bytes of
    /// flash. The step taken can differ from `round(x / scale)`'s only where `x / scale` is
    /// within an `f32` rounding of a half-step.
    pub fn quantize(self, x: f32) -> i8 {
        let q = x * (1.0 / self.scale);
        // NaN fails both comparisons and stays at 0 steps; the clamp keeps the cast exact.
        let q = if q.is_nan() {
            0.0
        } else {
            q.clamp(-512.0, 512.0)
        };
        let steps = (q + if q < 0.0 { -0.5 } else { 0.5 }) as i32; // half away from zero
        (steps + self.zero_point as i32).clamp(-128, 127) as i8
    }

    /// The real value `q` stands for.
    pub fn dequantize(self, q: i8) -> f32 {
        self.scale * (q as i32 - self.zero_point as i32) as f32
    }
}

/// An int8 layer, or an int8 model: a tuple of them, each taking the previous one's output.
///
/// Runs on integers only: int8 inputs and weights, `i32` accumulators and fixed-point
/// requantization. The compile-time shape rules are those of the float layers: a
/// `QLinear<16, 1>` takes only `[i8; 16]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot take an int8 input of type `{X}`",
    label = "int8 layer of another width",
    note = "an int8 layer takes `[i8; IN]` of its own width, as its float layer takes `[f32; IN]`"
)]
pub trait QuantizedForward<X> {
    /// The output type.
    type Output;
    /// The output for one int8 sample.
    fn infer(&self, x: &X) -> Self::Output;
}

/// Where a [`QLinear`] keeps its multipliers: `[Multiplier; OUT]`, one per output (per
/// channel), or `[Multiplier; 1]`, one for all (per tensor).
pub trait Scales: Copy + core::fmt::Debug + PartialEq {
    /// How many multipliers: the layer's outputs, or 1.
    const COUNT: usize;
    /// The multipliers; output `o` takes the `o`-th, or the only one.
    fn as_slice(&self) -> &[Multiplier];
    /// Built from the multiplier of each output (only the first, for one for all).
    fn from_fn(f: impl FnMut(usize) -> Multiplier) -> Self;
}

impl<const N: usize> Scales for [Multiplier; N] {
    const COUNT: usize = N;
    fn as_slice(&self) -> &[Multiplier] {
        self
    }
    fn from_fn(f: impl FnMut(usize) -> Multiplier) -> Self {
        core::array::from_fn(f)
    }
}

/// The integers one int8 layer hands the next: `i8` activations, or `i16` pre-activations
/// from a linear layer into a sigmoid or a tanh (on the fixed grids [`QSigmoid`] and [`QTanh`]
/// read). Implemented for `i8` and `i16` only.
pub trait QInt: Copy + Default + PartialEq + core::fmt::Debug + sealed::Sealed + 'static {
    /// 8 or 16: written in an int8 image, so that a reader can tell the two apart.
    const BITS: u8;
    /// `v` saturated to this type.
    fn saturate(v: i32) -> Self;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for i8 {}
    impl Sealed for i16 {}
}

impl QInt for i8 {
    const BITS: u8 = 8;
    #[inline(always)]
    fn saturate(v: i32) -> i8 {
        v.clamp(i8::MIN as i32, i8::MAX as i32) as i8
    }
}

impl QInt for i16 {
    const BITS: u8 = 16;
    #[inline(always)]
    fn saturate(v: i32) -> i16 {
        v.clamp(i16::MIN as i32, i16::MAX as i32) as i16
    }
}

/// The int8 form of [`Linear<IN, OUT>`](crate::Linear): int8 weights, symmetric per output
/// channel (or with one scale for all: [`QLinearPerTensor`]), `i32` biases, and the output
/// requantized to `E`: int8 (the default), or `i16` when a sigmoid or a tanh follows
/// ([`QSigmoid`], [`QTanh`]), which [`quantize`](super::quantize) chooses by itself.
///
/// `y[o] = zp_out + M[o] (bias[o] + sum_i weight[o][i] x[i])`, saturated to `E`, where
/// `M[o] = s_in s_w[o] / s_out` is a fixed-point [`Multiplier`]. The input's zero point is
/// folded into `bias` when the layer is built, so the inner loop is a plain int8 dot product.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QLinear<const IN: usize, const OUT: usize, E: QInt = i8, S: Scales = [Multiplier; OUT]> {
    /// Weights, `weight[o][i]`, each `round(w / s_w[o])` in [-127, 127].
    pub weight: [[i8; IN]; OUT],
    /// `round(b[o] / (s_in s_w[o])) - zp_in sum_i weight[o][i]`.
    pub bias: [i32; OUT],
    /// `s_in s_w[o] / s_out`: per output, or one for all.
    pub multiplier: S,
    /// The output's zero point (0 for `i16` pre-activations).
    pub output_zero_point: i8,
    /// The output's integer type, `E`.
    pub output: PhantomData<E>,
}

/// A [`QLinear`] with one weight scale and one multiplier for all outputs.
pub type QLinearPerTensor<const IN: usize, const OUT: usize, E = i8> =
    QLinear<IN, OUT, E, [Multiplier; 1]>;

/// An input that `QLinear<IN, OUT>` takes: `[i8; IN]`. The shape rule as a trait bound, so
/// that a mis-wired int8 model is one error that names the layer and the input.
#[diagnostic::on_unimplemented(
    message = "shape mismatch: `QLinear<{IN}, {OUT}>` cannot take input `{Self}`",
    label = "`QLinear<{IN}, {OUT}>` takes `[i8; {IN}]`"
)]
pub trait QLinearInput<const IN: usize, const OUT: usize> {
    /// The input as the layer reads it.
    fn as_input(&self) -> &[i8; IN];
}

impl<const IN: usize, const OUT: usize> QLinearInput<IN, OUT> for [i8; IN] {
    fn as_input(&self) -> &[i8; IN] {
        self
    }
}

impl<X, const IN: usize, const OUT: usize, E: QInt, S: Scales> QuantizedForward<X>
    for QLinear<IN, OUT, E, S>
where
    X: QLinearInput<IN, OUT>,
{
    type Output = [E; OUT];

    #[inline]
    fn infer(&self, x: &X) -> [E; OUT] {
        let (x, multiplier) = (x.as_input(), self.multiplier.as_slice());
        // One multiplier per output, or one for all (per tensor).
        let per_output = multiplier.len() == OUT;
        core::array::from_fn(|o| {
            let m = multiplier[if per_output { o } else { 0 }];
            let v = output_int8(&self.weight[o], self.bias[o], m, x);
            E::saturate(v.saturating_add(self.output_zero_point as i32))
        })
    }
}

/// One output of `QLinear` before its zero point, `m (bias + row . x)`, for any width:
/// compiled once, so that an int8 model's code does not grow with its number of layer shapes,
/// which on a microcontroller costs more flash than the loop's length being a value costs
/// time.
#[inline(never)]
fn output_int8(row: &[i8], bias: i32, multiplier: Multiplier, x: &[i8]) -> i32 {
    let mut acc = bias;
    for (&w, &x) in row.iter().zip(x) {
        acc = acc.wrapping_add(w as i32 * x as i32);
    }
    multiplier.apply(acc)
}

/// The int8 form of [`ReLU`](crate::ReLU): `max(x, zero_point)`, on the input's scale.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QReLU {
    /// The int8 value of 0.0.
    pub zero_point: i8,
}

impl<const N: usize> QuantizedForward<[i8; N]> for QReLU {
    type Output = [i8; N];

    #[inline]
    fn infer(&self, x: &[i8; N]) -> [i8; N] {
        x.map(|v| v.max(self.zero_point))
    }
}

/// The int8 form of [`Identity`](crate::Identity).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QIdentity;

impl<const N: usize> QuantizedForward<[i8; N]> for QIdentity {
    type Output = [i8; N];

    #[inline]
    fn infer(&self, x: &[i8; N]) -> [i8; N] {
        *x
    }
}

macro_rules! lookup_layer {
    ($(#[$doc:meta])* $name:ident, $step:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub struct $name {
            /// From an int8 input's steps to the `i16` grid: the input's scale over the grid's
            /// step. Read only for int8 inputs.
            pub input: Multiplier,
            /// An int8 input's zero point. Read only for int8 inputs.
            pub input_zero_point: i8,
        }

        impl $name {
            /// The layer for int8 inputs quantized by `input` (and for `i16` inputs from a
            /// linear layer, which need nothing). `input.scale` must be finite and positive,
            /// as [`QuantParams::covering`] makes it: any other scale (NaN, 0, negative) and
            /// scales below about 2^-32 of the grid's step give the factor 0, and every int8
            /// input then reads as 0.
            pub fn new(input: QuantParams) -> Self {
                Self {
                    input: Multiplier::from_factor(input.scale as f64 / $step as f64),
                    input_zero_point: input.zero_point,
                }
            }
        }

        impl<const N: usize> QuantizedForward<[i16; N]> for $name {
            type Output = [i8; N];

            #[inline]
            fn infer(&self, x: &[i16; N]) -> [i8; N] {
                let mut y = [0; N];
                lookup::tanh_all(x, &mut y);
                y
            }
        }

        impl<const N: usize> QuantizedForward<[i8; N]> for $name {
            type Output = [i8; N];

            #[inline]
            fn infer(&self, x: &[i8; N]) -> [i8; N] {
                x.map(|q| {
                    let steps = q as i32 - self.input_zero_point as i32;
                    lookup::tanh_int8(i16::saturate(self.input.apply(steps)))
                })
            }
        }
    };
}

lookup_layer!(
    /// The int8 form of [`Sigmoid`](crate::Sigmoid), onto [`QuantParams::SIGMOID`].
    ///
    /// After a linear layer it takes `i16` pre-activations `v` standing for `v * 2^-12` (the
    /// inputs [-8, 8) where sigmoid's int8 output still changes), and reads the crate's tanh
    /// table with interpolation between its knots, since `sigmoid(x) = (1 + tanh(x / 2)) /
    /// 2`: as accurate as rounding the sigmoid itself. Anywhere else it takes int8 inputs,
    /// which it first moves onto that grid. No table of its own: 6 bytes.
    QSigmoid,
    lookup::SIGMOID_STEP
);
lookup_layer!(
    /// The int8 form of [`Tanh`](crate::Tanh), onto [`QuantParams::TANH`].
    ///
    /// After a linear layer it takes `i16` pre-activations `v` standing for `v * 2^-13` (the
    /// inputs [-4, 4) where tanh's int8 output still changes), and reads the crate's tanh
    /// table (129 knots on [0, 4]) with interpolation between them: as accurate as rounding
    /// tanh itself. Anywhere else it takes int8 inputs, which it first moves onto that grid.
    /// No table of its own: 6 bytes.
    QTanh,
    lookup::TANH_STEP
);
