//! The int8 byte image, and building an int8 model from it at compile time.
//!
//! Layout (little-endian), written by [`Quantized::to_bytes`](super::Quantized::to_bytes):
//!
//! | bytes | content |
//! |---|---|
//! | 0..4 | magic `TYQ8` |
//! | 4 | format version, 2 |
//! | 5 | number of layers |
//! | 6..11 | input quantization: scale (`f32`), zero point (`i8`) |
//! | 11..16 | output quantization: scale, zero point |
//! | ... | each layer: a tag byte, then its numbers (below) |
//! | last 4 | CRC-32 (IEEE 802.3) of every byte before it |
//!
//! Layers: `1` linear: `IN`, `OUT` and `S`, the number of multipliers (`OUT` per channel, 1 per
//! tensor; `u32` each), the output's bits (`u8`, 8 or 16), the weights row by row (`OUT * IN`
//! bytes), the biases (`OUT` `i32`), the multipliers' fractions (`S` `i32`) and shifts (`S`
//! `i8`), the output zero point (`i8`); `2` ReLU: its zero point; `3` identity: nothing; `4`
//! sigmoid and `5` tanh: the multiplier of an int8 input (fraction `i32`, shift `i8`) and its
//! zero point (`i8`).
//!
//! Version 1 (256-entry tables for sigmoid and tanh, int8 outputs only) is refused: its
//! models are less accurate, and quantizing the float model again writes version 2.

use super::fixed::Multiplier;
use core::marker::PhantomData;

use super::layers::{
    QIdentity, QInt, QLinear, QLinearPerTensor, QReLU, QSigmoid, QTanh, QuantParams,
};
use crate::io::crc32;

pub(crate) const MAGIC: [u8; 4] = *b"TYQ8";
pub(crate) const VERSION: u8 = 2;
pub(crate) const HEADER_BYTES: usize = 16;
pub(crate) const TAG_LINEAR: u8 = 1;
pub(crate) const TAG_RELU: u8 = 2;
pub(crate) const TAG_IDENTITY: u8 = 3;
pub(crate) const TAG_SIGMOID: u8 = 4;
pub(crate) const TAG_TANH: u8 = 5;

/// What is wrong with an int8 image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuantImageError {
    /// Not an int8 image of this crate (magic `TYQ8`), or shorter than its header and
    /// checksum.
    NotAnImage,
    /// This crate's float weights image (magic `TYNN`), which
    /// [`Image::read_image`](crate::io::Image::read_image) reads, not an int8 one.
    FloatImage,
    /// A format version this crate cannot read.
    Version {
        /// The image's version.
        found: u8,
    },
    /// The CRC-32 does not match: the bytes were changed after they were written.
    Checksum,
    /// Layer `index` (from 0) is another kind of layer than the model reads there.
    LayerKind {
        /// The layer's position.
        index: usize,
        /// The tag the model reads (1 linear, 2 ReLU, 3 identity, 4 sigmoid, 5 tanh).
        expected: u8,
        /// The tag in the image (0 past the end).
        found: u8,
    },
    /// Linear layer `index` has another number of multipliers in the image than in the model
    /// (per channel: one per output; per tensor: one).
    Scales {
        /// The layer's position.
        index: usize,
        /// The model's number.
        expected: u32,
        /// The image's.
        found: u32,
    },
    /// Linear layer `index` hands the next layer other integers in the image than in the
    /// model: `i16` pre-activations (for a sigmoid or a tanh) where the model reads `i8`, or
    /// the reverse.
    OutputBits {
        /// The layer's position.
        index: usize,
        /// The model's bits, 8 or 16.
        expected: u8,
        /// The image's.
        found: u8,
    },
    /// Linear layer `index` has other widths in the image than in the model.
    Shape {
        /// The layer's position.
        index: usize,
        /// The model's `(IN, OUT)`.
        expected: (u32, u32),
        /// The image's.
        found: (u32, u32),
    },
    /// The image ends inside layer `index`.
    Truncated {
        /// The layer's position.
        index: usize,
        /// The bytes the layer needs after its tag.
        needed: usize,
        /// The bytes the image has left there.
        left: usize,
    },
    /// A scale is not finite and positive.
    Scale,
    /// The image holds more layers, or more bytes, than the model read, or its header
    /// counts another number of layers than it holds.
    Trailing {
        /// The layers the model read.
        read: usize,
        /// The layers the image's header counts.
        counted: usize,
        /// The bytes left unread before the checksum.
        left: usize,
    },
    /// The buffer given to [`Quantized::write_image`](super::Quantized::write_image) is
    /// shorter than the image.
    Buffer {
        /// The image's length.
        needed: usize,
        /// The buffer's.
        found: usize,
    },
}

impl QuantImageError {
    /// What is wrong, as a `&'static str` (a `const fn`, for compile-time checks).
    pub const fn reason(&self) -> &'static str {
        match self {
            QuantImageError::NotAnImage => "not an int8 image of typed-nn (magic TYQ8)",
            QuantImageError::FloatImage => {
                "not an int8 image, but by its first bytes this crate's float weights image: read it with `Image::read_image` or `io::load`"
            }
            QuantImageError::Version { .. } => {
                "the int8 image has a format version this crate cannot read"
            }
            QuantImageError::Checksum => {
                "the int8 image is corrupted: its CRC-32 does not match its bytes"
            }
            QuantImageError::LayerKind { .. } => {
                "the int8 image holds another kind of layer where the model reads one"
            }
            QuantImageError::Shape { .. } => {
                "a linear layer of the int8 image has other widths than the model's"
            }
            QuantImageError::Scales { .. } => {
                "a linear layer of the int8 image is quantized per channel where the model's is per tensor, or the reverse"
            }
            QuantImageError::OutputBits { .. } => {
                "a linear layer of the int8 image hands the next layer other integers than the model's (i16 before a sigmoid or a tanh, i8 elsewhere)"
            }
            QuantImageError::Truncated { .. } => "the int8 image ends inside a layer",
            QuantImageError::Scale => "a scale in the int8 image is not finite and positive",
            QuantImageError::Buffer { .. } => "the buffer is too short for the int8 image",
            QuantImageError::Trailing { .. } => {
                "the int8 image holds more layers or bytes than the model read, or its header counts another number of layers"
            }
        }
    }
}

impl QuantImageError {
    /// [`reason`](Self::reason) with the layer and the numbers at fault, built in `const`
    /// context: in a `static` built by [`ConstQuantImage`],
    /// `Err(e) => panic!("{}", e.message().as_str())` stops the build with it (see
    /// [`ConstMessage`](crate::io::ConstMessage)).
    pub const fn message(&self) -> crate::io::ConstMessage {
        let m = crate::io::ConstMessage::new(self.reason());
        match *self {
            QuantImageError::Version { found } => m
                .text(" (version ")
                .number(found as u64)
                .text(", reads ")
                .number(VERSION as u64)
                .text(")"),
            QuantImageError::LayerKind {
                index,
                expected,
                found,
            } => m
                .text(": layer ")
                .number(index as u64)
                .text(" is tag ")
                .number(found as u64)
                .text(", the model reads tag ")
                .number(expected as u64)
                .text(" (1 linear, 2 ReLU, 3 identity, 4 sigmoid, 5 tanh)"),
            QuantImageError::Shape {
                index,
                expected,
                found,
            } => m
                .text(": layer ")
                .number(index as u64)
                .text(" is ")
                .number(found.0 as u64)
                .text(" -> ")
                .number(found.1 as u64)
                .text(" in the image, ")
                .number(expected.0 as u64)
                .text(" -> ")
                .number(expected.1 as u64)
                .text(" in the model"),
            QuantImageError::Scales {
                index,
                expected,
                found,
            } => m
                .text(": layer ")
                .number(index as u64)
                .text(" has ")
                .number(found as u64)
                .text(" multipliers in the image, ")
                .number(expected as u64)
                .text(" in the model"),
            QuantImageError::OutputBits {
                index,
                expected,
                found,
            } => m
                .text(": layer ")
                .number(index as u64)
                .text(" outputs i")
                .number(found as u64)
                .text(" in the image, i")
                .number(expected as u64)
                .text(" in the model"),
            QuantImageError::Truncated {
                index,
                needed,
                left,
            } => m
                .text(": layer ")
                .number(index as u64)
                .text(" needs ")
                .number(needed as u64)
                .text(" bytes after its tag, ")
                .number(left as u64)
                .text(" are left"),
            QuantImageError::Trailing {
                read,
                counted,
                left,
            } => m
                .text(": the model read ")
                .number(read as u64)
                .text(" layers, the header counts ")
                .number(counted as u64)
                .text(", and ")
                .number(left as u64)
                .text(" bytes are left unread"),
            QuantImageError::Buffer { needed, found } => m
                .text(": it holds ")
                .number(found as u64)
                .text(" bytes, the image ")
                .number(needed as u64),
            _ => m,
        }
    }
}

// The sentence of `message`, built once for both: a compile-time panic and `Display`.
impl core::fmt::Display for QuantImageError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.message().as_str())?;
        match self {
            QuantImageError::Buffer { .. } => f.write_str(" (`Quantized::IMAGE_BYTES`)"),
            _ => Ok(()),
        }
    }
}

impl core::error::Error for QuantImageError {}

/// A cursor over an int8 image that builds int8 layers in `const` context, as
/// [`ConstImage`](crate::io::ConstImage) does for float models: a `static` built from it is
/// computed by the compiler and its tables and weights stay in flash.
///
/// ```
/// use typed_nn::prelude::*;
/// use typed_nn::quant::{self, ConstQuantImage, PerChannel, QLinear, QTanh, Quantized};
/// use typed_nn::rand::{SeedableRng, rngs::SmallRng};
///
/// type Net = (Linear<1, 4>, Tanh, Linear<4, 1>);
/// let mut net = Net::ZERO;
/// net.init(Scheme::Glorot, &mut SmallRng::seed_from_u64(3));
/// let calibration = [[-1.0f32], [0.0], [1.0]];
/// let int8 = quant::quantize(&net, &calibration, PerChannel)?;
/// let bytes = int8.to_bytes();
///
/// // On the device, `bytes` is `include_bytes!` of the file and this a `static`.
/// // The first layer hands the tanh `i16` pre-activations.
/// let read = || -> Result<Quantized<(QLinear<1, 4, i16>, QTanh, QLinear<4, 1>)>, quant::QuantImageError> {
///     let mut image = ConstQuantImage::new(&bytes)?;
///     let model = (image.linear(), image.tanh(), image.linear());
///     image.finish(model)
/// };
/// assert_eq!(read()?, int8);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Every read checks the layer's kind and widths; the first mismatch is kept and
/// [`finish`](Self::finish) returns it, so that in a `static` a wrong image stops the build
/// (`panic!` with [`QuantImageError::reason`]) and at run time it is an error, never a panic.
#[derive(Clone, Copy, Debug)]
pub struct ConstQuantImage<'a> {
    bytes: &'a [u8],
    /// Where the next layer starts.
    at: usize,
    /// Layers read so far.
    layers: usize,
    input: QuantParams,
    output: QuantParams,
    error: Option<QuantImageError>,
}

const fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

const fn params_at(bytes: &[u8], at: usize) -> QuantParams {
    QuantParams {
        scale: f32::from_bits(u32_at(bytes, at)),
        zero_point: bytes[at + 4] as i8,
    }
}

const fn scale_ok(p: QuantParams) -> bool {
    p.scale.is_finite() && p.scale > 0.0
}

impl<'a> ConstQuantImage<'a> {
    /// Checks the header and the checksum.
    pub const fn new(bytes: &'a [u8]) -> Result<Self, QuantImageError> {
        let [a, b, c, d] = MAGIC;
        if bytes.len() < HEADER_BYTES + 4
            || !matches!(bytes, [x, y, z, w, ..] if *x == a && *y == b && *z == c && *w == d)
        {
            // The other image of this crate is the likeliest mix-up.
            return Err(match bytes {
                [b'T', b'Y', b'N', b'N', ..] => QuantImageError::FloatImage,
                _ => QuantImageError::NotAnImage,
            });
        }
        if bytes[4] != VERSION {
            return Err(QuantImageError::Version { found: bytes[4] });
        }
        let body = bytes.len() - 4;
        let (data, _) = bytes.split_at(body);
        if crc32(data) != u32_at(bytes, body) {
            return Err(QuantImageError::Checksum);
        }
        let (input, output) = (params_at(bytes, 6), params_at(bytes, 11));
        if !scale_ok(input) || !scale_ok(output) {
            return Err(QuantImageError::Scale);
        }
        Ok(Self {
            bytes,
            at: HEADER_BYTES,
            layers: 0,
            input,
            output,
            error: None,
        })
    }

    /// The end of the layers (the checksum's offset).
    const fn end(&self) -> usize {
        self.bytes.len() - 4
    }

    /// Checks the next layer's tag and that `len` more bytes follow it; on success moves past
    /// the tag and returns where its numbers start.
    const fn enter(&mut self, tag: u8, len: usize) -> Option<usize> {
        if self.error.is_some() {
            return None;
        }
        let index = self.layers;
        self.layers += 1;
        let found = if self.at < self.end() {
            self.bytes[self.at]
        } else {
            0
        };
        if found != tag {
            self.error = Some(QuantImageError::LayerKind {
                index,
                expected: tag,
                found,
            });
            return None;
        }
        let left = self.end() - self.at - 1;
        if left < len {
            self.error = Some(QuantImageError::Truncated {
                index,
                needed: len,
                left,
            });
            return None;
        }
        let start = self.at + 1;
        self.at = start + len;
        Some(start)
    }

    /// The next layer, a linear one of `IN` inputs and `OUT` outputs with a multiplier per
    /// output ([`PerChannel`](super::PerChannel)), handing the next layer `E` (`i8`, or
    /// `i16` before a sigmoid or a tanh; usually inferred from the model's type). On a
    /// mismatch the layer is all zeros and [`finish`](Self::finish) reports the error.
    pub const fn linear<const IN: usize, const OUT: usize, E: QInt>(
        &mut self,
    ) -> QLinear<IN, OUT, E> {
        self.read_linear::<IN, OUT, E, OUT>()
    }

    /// The next layer, a linear one with one multiplier for all outputs
    /// ([`PerTensor`](super::PerTensor)).
    pub const fn linear_per_tensor<const IN: usize, const OUT: usize, E: QInt>(
        &mut self,
    ) -> QLinearPerTensor<IN, OUT, E> {
        self.read_linear::<IN, OUT, E, 1>()
    }

    const fn read_linear<const IN: usize, const OUT: usize, E: QInt, const SCALES: usize>(
        &mut self,
    ) -> QLinear<IN, OUT, E, [Multiplier; SCALES]> {
        let mut layer = QLinear {
            weight: [[0; IN]; OUT],
            bias: [0; OUT],
            multiplier: [Multiplier { m0: 0, shift: 0 }; SCALES],
            output_zero_point: 0,
            output: PhantomData,
        };
        // The widths first, so that a mismatch is reported as one rather than as a length.
        if self.error.is_none() && self.at + 14 <= self.end() && self.bytes[self.at] == TAG_LINEAR {
            let index = self.layers;
            let found = (
                u32_at(self.bytes, self.at + 1),
                u32_at(self.bytes, self.at + 5),
            );
            if found.0 as usize != IN || found.1 as usize != OUT {
                let expected = (IN as u32, OUT as u32);
                self.error = Some(QuantImageError::Shape {
                    index,
                    expected,
                    found,
                });
                return layer;
            }
            let found = u32_at(self.bytes, self.at + 9);
            if found as usize != SCALES {
                let expected = SCALES as u32;
                self.error = Some(QuantImageError::Scales {
                    index,
                    expected,
                    found,
                });
                return layer;
            }
            let found = self.bytes[self.at + 13];
            if found != E::BITS {
                let expected = E::BITS;
                self.error = Some(QuantImageError::OutputBits {
                    index,
                    expected,
                    found,
                });
                return layer;
            }
        }
        let len = 13 + OUT * IN + OUT * 4 + SCALES * 5 + 1;
        let Some(mut at) = self.enter(TAG_LINEAR, len) else {
            return layer;
        };
        at += 13;
        let mut o = 0;
        while o < OUT {
            let mut i = 0;
            while i < IN {
                layer.weight[o][i] = self.bytes[at] as i8;
                at += 1;
                i += 1;
            }
            o += 1;
        }
        let mut o = 0;
        while o < OUT {
            layer.bias[o] = u32_at(self.bytes, at + 4 * o) as i32;
            o += 1;
        }
        at += 4 * OUT;
        let mut k = 0;
        while k < SCALES {
            layer.multiplier[k].m0 = u32_at(self.bytes, at + 4 * k) as i32;
            layer.multiplier[k].shift = self.bytes[at + 4 * SCALES + k] as i8;
            k += 1;
        }
        layer.output_zero_point = self.bytes[at + 5 * SCALES] as i8;
        layer
    }

    /// The next layer, a ReLU.
    pub const fn relu(&mut self) -> QReLU {
        match self.enter(TAG_RELU, 1) {
            Some(at) => QReLU {
                zero_point: self.bytes[at] as i8,
            },
            None => QReLU { zero_point: 0 },
        }
    }

    /// The next layer, an identity.
    pub const fn identity(&mut self) -> QIdentity {
        let _ = self.enter(TAG_IDENTITY, 0);
        QIdentity
    }

    /// A sigmoid's or a tanh's numbers: the multiplier and zero point of an int8 input.
    const fn lookup(&mut self, tag: u8) -> (Multiplier, i8) {
        match self.enter(tag, 6) {
            Some(at) => {
                let m0 = u32_at(self.bytes, at) as i32;
                let shift = self.bytes[at + 4] as i8;
                (Multiplier { m0, shift }, self.bytes[at + 5] as i8)
            }
            None => (Multiplier { m0: 0, shift: 0 }, 0),
        }
    }

    /// The next layer, a sigmoid.
    pub const fn sigmoid(&mut self) -> QSigmoid {
        let (input, input_zero_point) = self.lookup(TAG_SIGMOID);
        QSigmoid {
            input,
            input_zero_point,
        }
    }

    /// The next layer, a tanh.
    pub const fn tanh(&mut self) -> QTanh {
        let (input, input_zero_point) = self.lookup(TAG_TANH);
        QTanh {
            input,
            input_zero_point,
        }
    }

    /// The model read, with the image's input and output quantization; or the first
    /// mismatch, or [`QuantImageError::Trailing`] when the image holds more than was read.
    pub const fn finish<Q: Copy>(self, model: Q) -> Result<super::Quantized<Q>, QuantImageError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let counted = self.bytes[5] as usize;
        if self.at != self.end() || self.layers != counted {
            return Err(QuantImageError::Trailing {
                read: self.layers,
                counted,
                left: self.end() - self.at,
            });
        }
        Ok(super::Quantized {
            model,
            input: self.input,
            output: self.output,
        })
    }
}
