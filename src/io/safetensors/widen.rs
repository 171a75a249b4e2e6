//! The float types a model reads from: its own, or a narrower one that converts exactly.
//!
//! PyTorch checkpoints are often saved in half precision (`model.half()`, `F16`) or bfloat16
//! (`BF16`), and `F32` weights may go into an `f64` model. Every value of those types is a
//! value of the model's type, so they are read as they are, without rounding. A wider type
//! (`F64` into an `f32` model) would round, and is refused ([`SafetensorsError::Dtype`]).
//!
//! [`SafetensorsError::Dtype`]: super::SafetensorsError::Dtype

use super::json::JsonStr;
use crate::float::Float;

/// A float type of the file that a model of float type `F` reads exactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Source {
    F16,
    BF16,
    F32,
    F64,
}

impl Source {
    /// The type `dtype` names, if a model of float type `F` reads it exactly.
    pub(super) fn for_model<F: Float>(dtype: JsonStr<'_>) -> Option<Source> {
        let source = [
            ("F16", Source::F16),
            ("BF16", Source::BF16),
            ("F32", Source::F32),
            ("F64", Source::F64),
        ]
        .into_iter()
        .find(|(name, _)| dtype.is(name))?
        .1;
        (source.bytes() <= F::BYTES).then_some(source)
    }

    /// Bytes of one value.
    pub(super) const fn bytes(self) -> usize {
        match self {
            Source::F16 | Source::BF16 => 2,
            Source::F32 => 4,
            Source::F64 => 8,
        }
    }

    /// The value whose little-endian bytes start `bytes`, exactly.
    pub(super) fn read<F: Float>(self, bytes: &[u8]) -> F {
        match self {
            Source::F16 => F::from_f64(f64::from(f16_to_f32(u16::from_le_bytes([
                bytes[0], bytes[1],
            ])))),
            Source::BF16 => {
                let bits = u32::from(u16::from_le_bytes([bytes[0], bytes[1]])) << 16;
                F::from_f64(f64::from(f32::from_bits(bits)))
            }
            Source::F32 => F::from_f64(f64::from(f32::read_le(bytes))),
            Source::F64 => F::from_f64(f64::read_le(bytes)),
        }
    }
}

/// IEEE 754 binary16 to binary32, exactly (every binary16 value is a binary32 value): 1 sign
/// bit, 5 exponent bits biased by 15, 10 fraction bits.
pub(crate) fn f16_to_f32(bits: u16) -> f32 {
    let sign = u32::from(bits >> 15) << 31;
    let exponent = u32::from((bits >> 10) & 0x1f);
    let fraction = u32::from(bits & 0x3ff);
    let magnitude = match exponent {
        // Zero and the subnormals: fraction * 2^-24, exact in binary32.
        0 => (fraction as f32 * (1.0 / 16_777_216.0)).to_bits(),
        // Infinity and NaN (the payload kept in the fraction's top bits).
        0x1f => 0x7f80_0000 | (fraction << 13),
        // Normal: rebias the exponent from 15 to 127, widen the fraction.
        _ => ((exponent + 127 - 15) << 23) | (fraction << 13),
    };
    f32::from_bits(sign | magnitude)
}
