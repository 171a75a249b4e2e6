//! The byte image of a model's parameters, read and written without allocation.
//!
//! Layout, version 1 (all integers little-endian):
//!
//! | offset | size | content |
//! |---|---|---|
//! | 0 | 4 | magic `TYNN` |
//! | 4 | 2 | format version, `1` |
//! | 6 | 1 | bytes per parameter: 4 (`f32`) or 8 (`f64`) |
//! | 7 | 1 | reserved, `0` |
//! | 8 | 4 | parameter count |
//! | 12 | count x bytes | parameters, little-endian, in [`Params`] order |
//!
//! [`Params`] order is layer by layer; within a `Linear`, the weight row by row (`[out][in]`,
//! PyTorch's layout) and then the bias.

use core::fmt;

use crate::float::Float;
use crate::module::Params;

/// The first four bytes of every image.
pub const MAGIC: [u8; 4] = *b"TYNN";
/// The format version this crate writes and reads.
pub const VERSION: u16 = 1;
/// The size of the header that precedes the parameters.
pub const HEADER_BYTES: usize = 12;

/// Why a byte image cannot be read or written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageError {
    /// The bytes do not start with [`MAGIC`]: not a typed-nn image.
    Magic {
        /// The first bytes found (zero-padded if fewer than four).
        found: [u8; 4],
    },
    /// The image has a format version this crate cannot read.
    Version {
        /// The version in the image.
        found: u16,
        /// The version this crate reads.
        supported: u16,
    },
    /// The image holds parameters of another float type.
    FloatWidth {
        /// Bytes per parameter of the model.
        expected: u8,
        /// Bytes per parameter in the image.
        found: u8,
    },
    /// The image belongs to a model with another number of parameters.
    ParamCount {
        /// The model's parameter count.
        expected: u32,
        /// The image's parameter count.
        found: u32,
    },
    /// The image is longer or shorter than its header says.
    Length {
        /// Header plus parameters.
        expected: usize,
        /// Bytes given.
        found: usize,
    },
    /// A parameter is NaN or infinite.
    NotFinite {
        /// Its index in [`Params`] order.
        index: usize,
    },
    /// The output buffer is too small for the image.
    BufferTooSmall {
        /// Bytes the image needs.
        needed: usize,
        /// Bytes available.
        available: usize,
    },
}

impl fmt::Display for ImageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ImageError::Magic { found } => {
                write!(
                    f,
                    "not a typed-nn weights image: starts with {found:02x?}, expected \"TYNN\""
                )
            }
            ImageError::Version { found, supported } => {
                write!(
                    f,
                    "weights image version {found}, but this crate reads version {supported}"
                )
            }
            ImageError::FloatWidth { expected, found } => write!(
                f,
                "weights image holds {found}-byte floats, but the model uses {expected}-byte floats"
            ),
            ImageError::ParamCount { expected, found } => write!(
                f,
                "weights image holds {found} parameters, but the model has {expected}"
            ),
            ImageError::Length { expected, found } => {
                write!(
                    f,
                    "weights image is {found} bytes long, expected {expected}"
                )
            }
            ImageError::NotFinite { index } => {
                write!(f, "weights image parameter {index} is NaN or infinite")
            }
            ImageError::BufferTooSmall { needed, available } => {
                write!(
                    f,
                    "a weights image needs {needed} bytes, the buffer has {available}"
                )
            }
        }
    }
}

impl core::error::Error for ImageError {}

/// The header fields of an image, validated against a model.
pub(crate) struct Header {
    pub(crate) params: usize,
    pub(crate) float_bytes: usize,
}

/// Checks `bytes` as an image of `params` parameters of `float_bytes` bytes each.
pub(crate) const fn check_header(
    bytes: &[u8],
    params: usize,
    float_bytes: usize,
) -> Result<Header, ImageError> {
    let magic = first_four(bytes);
    let magic_ok = magic[0] == MAGIC[0]
        && magic[1] == MAGIC[1]
        && magic[2] == MAGIC[2]
        && magic[3] == MAGIC[3];
    if !magic_ok {
        return Err(ImageError::Magic { found: magic });
    }
    if bytes.len() < HEADER_BYTES {
        return Err(ImageError::Length {
            expected: HEADER_BYTES + params * float_bytes,
            found: bytes.len(),
        });
    }
    let version = u16::from_le_bytes([bytes[4], bytes[5]]);
    if version != VERSION {
        return Err(ImageError::Version {
            found: version,
            supported: VERSION,
        });
    }
    if bytes[6] as usize != float_bytes {
        return Err(ImageError::FloatWidth {
            expected: float_bytes as u8,
            found: bytes[6],
        });
    }
    let count = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
    if count as usize != params {
        return Err(ImageError::ParamCount {
            expected: params as u32,
            found: count,
        });
    }
    let expected = HEADER_BYTES + params * float_bytes;
    if bytes.len() != expected {
        return Err(ImageError::Length {
            expected,
            found: bytes.len(),
        });
    }
    Ok(Header {
        params,
        float_bytes,
    })
}

const fn first_four(bytes: &[u8]) -> [u8; 4] {
    let mut out = [0u8; 4];
    let mut i = 0;
    while i < 4 && i < bytes.len() {
        out[i] = bytes[i];
        i += 1;
    }
    out
}

/// Reading and writing a model's parameters as a byte image. Implemented for every model.
///
/// ```
/// use typed_nn::io::Image;
/// use typed_nn::{Linear, Params, Sigmoid, Zero};
/// type Net = (Linear<2, 3>, Sigmoid, Linear<3, 1>);
/// let mut net = Net::ZERO;
/// net.set_param(4, 1.5);
///
/// let mut bytes = [0u8; <Net as Image<f32>>::IMAGE_BYTES];
/// net.write_image(&mut bytes)?;
///
/// let mut copy = Net::ZERO;
/// copy.read_image(&bytes)?;
/// assert_eq!(copy.param(4), Some(1.5));
/// assert!(copy.read_image(&bytes[..20]).is_err());
/// # Ok::<(), typed_nn::io::ImageError>(())
/// ```
pub trait Image<F: Float>: Params<F> {
    /// The length of the image: header and parameters.
    ///
    /// The header counts parameters in 32 bits: a model of more than 4,294,967,295 parameters
    /// (16 GiB of `f32`) has no image, which `cargo build` reports when it uses this constant.
    const IMAGE_BYTES: usize = {
        assert!(
            Self::PARAM_COUNT <= u32::MAX as usize,
            "a byte image holds at most 4,294,967,295 parameters: its header counts them in 32 bits"
        );
        HEADER_BYTES + Self::PARAM_COUNT * F::BYTES
    };

    /// Writes the image into the start of `out`; returns its length.
    fn write_image(&self, out: &mut [u8]) -> Result<usize, ImageError> {
        let needed = Self::IMAGE_BYTES;
        if out.len() < needed {
            return Err(ImageError::BufferTooSmall {
                needed,
                available: out.len(),
            });
        }
        out[..4].copy_from_slice(&MAGIC);
        out[4..6].copy_from_slice(&VERSION.to_le_bytes());
        out[6] = F::BYTES as u8;
        out[7] = 0;
        out[8..12].copy_from_slice(&(Self::PARAM_COUNT as u32).to_le_bytes());
        let mut at = HEADER_BYTES;
        self.visit(&mut |s| {
            for &v in s {
                v.write_le(&mut out[at..]);
                at += F::BYTES;
            }
        });
        Ok(needed)
    }

    /// Replaces the parameters with those of the image. The image is checked whole (header,
    /// length, every value finite) before anything changes, so on error the model is intact.
    fn read_image(&mut self, bytes: &[u8]) -> Result<(), ImageError> {
        let header = check_header(bytes, Self::PARAM_COUNT, F::BYTES)?;
        let values = bytes[HEADER_BYTES..].chunks_exact(header.float_bytes);
        if let Some(index) = values.clone().position(|b| !F::read_le(b).is_finite()) {
            return Err(ImageError::NotFinite { index });
        }
        let mut values = values.take(header.params);
        self.visit_mut(&mut |s| {
            for (v, b) in s.iter_mut().zip(&mut values) {
                *v = F::read_le(b);
            }
        });
        Ok(())
    }
}

impl<F: Float, M: Params<F>> Image<F> for M {}
