//! The int8 layers: each is the quantized form of one float layer, with the same shape.

use super::fixed::{Multiplier, round_half_away};

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
    pub fn quantize(self, x: f32) -> i8 {
        let q = x / self.scale;
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
    /// The multipliers; output `o` takes the `o`-th, or the only one.
    fn as_slice(&self) -> &[Multiplier];
    /// Built from the multiplier of each output (only the first, for one for all).
    fn from_fn(f: impl FnMut(usize) -> Multiplier) -> Self;
}

impl<const N: usize> Scales for [Multiplier; N] {
    fn as_slice(&self) -> &[Multiplier] {
        self
    }
    fn from_fn(f: impl FnMut(usize) -> Multiplier) -> Self {
        core::array::from_fn(f)
    }
}

/// The int8 form of [`Linear<IN, OUT>`](crate::Linear): int8 weights, symmetric per output
/// channel (or with one scale for all: [`QLinearPerTensor`]), `i32` biases, and the output
/// requantized to int8.
///
/// `y[o] = zp_out + M[o] (bias[o] + sum_i weight[o][i] x[i])`, saturated to int8, where
/// `M[o] = s_in s_w[o] / s_out` is a fixed-point [`Multiplier`]. The input's zero point is
/// folded into `bias` when the layer is built, so the inner loop is a plain int8 dot product.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QLinear<const IN: usize, const OUT: usize, S: Scales = [Multiplier; OUT]> {
    /// Weights, `weight[o][i]`, each `round(w / s_w[o])` in [-127, 127].
    pub weight: [[i8; IN]; OUT],
    /// `round(b[o] / (s_in s_w[o])) - zp_in sum_i weight[o][i]`.
    pub bias: [i32; OUT],
    /// `s_in s_w[o] / s_out`: per output, or one for all.
    pub multiplier: S,
    /// The output's zero point.
    pub output_zero_point: i8,
}

/// A [`QLinear`] with one weight scale and one multiplier for all outputs.
pub type QLinearPerTensor<const IN: usize, const OUT: usize> = QLinear<IN, OUT, [Multiplier; 1]>;

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

impl<X, const IN: usize, const OUT: usize, S: Scales> QuantizedForward<X> for QLinear<IN, OUT, S>
where
    X: QLinearInput<IN, OUT>,
{
    type Output = [i8; OUT];

    #[inline]
    fn infer(&self, x: &X) -> [i8; OUT] {
        let mut y = [0i8; OUT];
        let (weight, multiplier) = (self.weight.as_flattened(), self.multiplier.as_slice());
        let zero_point = self.output_zero_point;
        linear_int8(
            weight,
            &self.bias,
            multiplier,
            zero_point,
            x.as_input(),
            &mut y,
        );
        y
    }
}

/// `QLinear`'s product for any widths (`x.len()` inputs, `y.len()` outputs), compiled once:
/// an int8 model's code does not grow with its number of layer shapes, which on a
/// microcontroller costs more flash than the loop's sizes being values costs time.
#[inline(never)]
fn linear_int8(
    weight: &[i8],
    bias: &[i32],
    multiplier: &[Multiplier],
    output_zero_point: i8,
    x: &[i8],
    y: &mut [i8],
) {
    let rows = weight.chunks_exact(x.len().max(1));
    // One multiplier per output, or one for all (per tensor): cycling serves both.
    let multipliers = multiplier.iter().cycle();
    for (((y, row), &bias), &multiplier) in y.iter_mut().zip(rows).zip(bias).zip(multipliers) {
        let mut acc = bias;
        for (&w, &x) in row.iter().zip(x) {
            acc = acc.wrapping_add(w as i32 * x as i32);
        }
        let scaled = multiplier
            .apply(acc)
            .saturating_add(output_zero_point as i32);
        *y = scaled.clamp(-128, 127) as i8;
    }
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
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct $name {
            /// `table[q + 128]` is the output for input `q`.
            pub table: [i8; 256],
        }

        impl<const N: usize> QuantizedForward<[i8; N]> for $name {
            type Output = [i8; N];

            #[inline]
            fn infer(&self, x: &[i8; N]) -> [i8; N] {
                x.map(|v| self.table[(v as i32 + 128) as usize])
            }
        }
    };
}

lookup_layer!(
    /// The int8 form of [`Sigmoid`](crate::Sigmoid): a 256-entry table from the input's
    /// scale to [`QuantParams::SIGMOID`].
    QSigmoid
);
lookup_layer!(
    /// The int8 form of [`Tanh`](crate::Tanh): a 256-entry table from the input's scale to
    /// [`QuantParams::TANH`].
    QTanh
);

/// The table of `f` from `input`'s scale to `output`'s.
pub(crate) fn table(input: QuantParams, output: QuantParams, f: impl Fn(f64) -> f64) -> [i8; 256] {
    core::array::from_fn(|k| {
        let x = input.dequantize((k as i32 - 128) as i8) as f64;
        output.quantize(f(x) as f32)
    })
}
