//! The byte image of a model's parameters, read and written without allocation.
//!
//! The layout is documented on the public [`Image`] trait (from `format.md`, next to this
//! file). Every check of an image is [`check_image`], a `const fn`, so that the run-time
//! reader ([`Image::read_image`]) and the compile-time one
//! ([`ConstImage`](crate::io::ConstImage)) accept and reject exactly the same bytes.

use core::fmt;

use crate::io::ConstMessage;

use crate::float::Float;
use crate::module::Params;

/// The first four bytes of every image.
pub const MAGIC: [u8; 4] = *b"TYNN";
/// The format version this crate writes. It reads this version and every earlier one (1, 2).
pub const VERSION: u16 = 3;
/// The oldest format version this crate reads.
const OLDEST_VERSION: u16 = 1;
/// The size of the header that precedes the parameters (the same in every version).
pub const HEADER_BYTES: usize = 12;
/// The size of the CRC-32 that ends an image (from version 2; version 1 has none).
pub const CHECKSUM_BYTES: usize = 4;
/// The size of the layout fingerprint between the parameters and the checksum (from version
/// 3): see [`layout_fingerprint`].
pub const LAYOUT_BYTES: usize = 4;
/// What follows the parameters in the version this crate writes: the layout, the checksum.
const TRAILER_BYTES: usize = LAYOUT_BYTES + CHECKSUM_BYTES;
/// The multiplier of [`layout_fingerprint`]: FNV-1's 32-bit prime, 16777619.
const LAYOUT_PRIME: u32 = 0x0100_0193;

/// The layout fingerprint of a model: its parameter slices' lengths, in [`Params`] order,
/// folded as `h = h * 16777619 + len` (modulo 2^32) from `h = 0`, empty slices skipped. A
/// `Linear<IN, OUT>` has two slices, `IN * OUT` and `OUT`; layers without parameters have
/// none, so nesting and activations leave it unchanged.
///
/// An image records it (from version 3), so that a model of as many parameters but other
/// layer shapes, or its parts in another order (a `(scaler, model)` image read into
/// `(model, scaler)`), is refused ([`ImageError::Layout`]) rather than filled with the wrong
/// values. It is 32 bits: two different layouts can share one, by coincidence only.
///
/// ```
/// use typed_nn::io::layout_fingerprint;
/// use typed_nn::{Linear, ReLU, Zero};
/// let net = (Linear::<2, 3>::ZERO, ReLU, Linear::<3, 1>::ZERO);
/// let fold = |h: u32, len: u32| h.wrapping_mul(16777619).wrapping_add(len);
/// let expected = [6, 3, 3, 1].into_iter().fold(0, fold);
/// assert_eq!(layout_fingerprint::<f32, _>(&net), expected);
/// ```
pub fn layout_fingerprint<F: Float, M: Params<F>>(model: &M) -> u32 {
    let mut h = 0;
    model.visit(&mut |s| h = layout_step(h, s.len()));
    h
}

/// One slice of `len` parameters folded into the layout fingerprint `h`.
pub(crate) const fn layout_step(h: u32, len: usize) -> u32 {
    if len == 0 {
        return h;
    }
    // An image counts its parameters in 32 bits, so every slice's length fits.
    h.wrapping_mul(LAYOUT_PRIME).wrapping_add(len as u32)
}

/// Why a byte image cannot be read or written.
///
/// Every variant's `Display` message says what is wrong. New variants may be added as the
/// format evolves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ImageError {
    /// The bytes do not start with [`MAGIC`]: not a typed-nn image.
    Magic {
        /// The first bytes found (zero-padded if fewer than four).
        found: [u8; 4],
    },
    /// The bytes begin as a safetensors file does (an 8-byte little-endian header length
    /// below 2^32, then the JSON header's `{`), not with [`MAGIC`]: read them with
    /// [`io::safetensors::load`](crate::io::safetensors::load) (or a file of them with
    /// `io::safetensors::load_file`).
    Safetensors,
    /// The image has a format version this crate cannot read.
    Version {
        /// The version in the image.
        found: u16,
        /// The newest version this crate reads ([`VERSION`]); it reads every version from 1
        /// up to this one.
        supported: u16,
    },
    /// Header byte 7, reserved, is not 0.
    Reserved {
        /// The value of byte 7.
        found: u8,
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
    /// The image is longer or shorter than its header says (or, when the header itself is
    /// cut short, than an image of the current version for this model).
    Length {
        /// Header, parameters, (from version 3) layout and (from version 2) checksum.
        expected: usize,
        /// Bytes given.
        found: usize,
    },
    /// The CRC-32 stored in the image is not the CRC-32 of its bytes: the image was
    /// corrupted (or edited) after it was written.
    Checksum {
        /// The CRC-32 stored in the image's last four bytes.
        expected: u32,
        /// The CRC-32 of every byte given before the stored one (header, parameters and, from
        /// version 3, layout).
        found: u32,
    },
    /// The image was written from a model of as many parameters, but other layer shapes or
    /// another order of its parts ([`layout_fingerprint`]; from version 3).
    Layout {
        /// The model's layout fingerprint.
        expected: u32,
        /// The image's layout fingerprint.
        found: u32,
    },
    /// A parameter in the image read is NaN or infinite.
    NotFinite {
        /// Its index in [`Params`] order.
        index: usize,
    },
    /// A parameter of the model to be written is NaN or infinite: its image could not be read
    /// back, so none is written.
    ModelNotFinite {
        /// Its index in [`Params`] order.
        index: usize,
    },
    /// The model has more parameters than an image can hold: the header counts them in 32
    /// bits, and the whole image must fit in memory.
    TooManyParams {
        /// The model's parameter count.
        count: usize,
        /// The largest count an image of this float width holds on this target.
        max: usize,
    },
    /// The layers built from a [`ConstImage`](crate::io::ConstImage) took more or fewer
    /// parameters than the image holds.
    LayerParams {
        /// Parameters the layers took (including any asked for past the end).
        read: usize,
        /// Parameters in the image.
        image: usize,
    },
    /// The output buffer is too small for the image.
    BufferTooSmall {
        /// Bytes the image needs.
        needed: usize,
        /// Bytes available.
        available: usize,
    },
}

impl ImageError {
    /// What is wrong, in a fixed sentence without the numbers of the `Display` message.
    ///
    /// A `const fn`, for compile-time checks, where only a `&str` can be shown: in a `static`
    /// built by [`ConstImage`](crate::io::ConstImage), `Err(e) => panic!("{}", e.reason())`
    /// stops the build with it ([`message`](Self::message) adds the numbers).
    pub const fn reason(&self) -> &'static str {
        match self {
            ImageError::Magic {
                found: [b'T', b'Y', b'Q', b'8'],
            } => {
                "not a float weights image, but by its first bytes this crate's int8 image: read it with `quant::ConstQuantImage`"
            }
            ImageError::Magic { .. } => "not a typed-nn weights image: it does not start with TYNN",
            ImageError::Safetensors => {
                "not a typed-nn weights image, but by its first bytes a safetensors file"
            }
            ImageError::Version { .. } => {
                "the weights image has a format version this crate cannot read"
            }
            ImageError::Reserved { .. } => "the weights image's reserved header byte 7 is not 0",
            ImageError::FloatWidth { .. } => {
                "the weights image holds floats of another width than the model's"
            }
            ImageError::ParamCount { .. } => {
                "the weights image holds another number of parameters than the model"
            }
            ImageError::Length { .. } => {
                "the weights image is longer or shorter than its header says (truncated or padded)"
            }
            ImageError::Checksum { .. } => {
                "the weights image is corrupted: its CRC-32 does not match its bytes"
            }
            ImageError::Layout { .. } => {
                "the weights image was written from a model of other layer shapes, or of its parts in another order"
            }
            ImageError::NotFinite { .. } => "a parameter in the weights image is NaN or infinite",
            ImageError::ModelNotFinite { .. } => {
                "a parameter of the model is NaN or infinite, so it has no weights image"
            }
            ImageError::TooManyParams { .. } => {
                "the model has more parameters than a weights image can hold"
            }
            ImageError::LayerParams { .. } => {
                "the layers built from the weights image take another number of parameters than it holds"
            }
            ImageError::BufferTooSmall { .. } => "the buffer is too small for the weights image",
        }
    }

    /// [`reason`](Self::reason) with the numbers at fault, built in `const` context: in a
    /// `static` built by [`ConstImage`](crate::io::ConstImage),
    /// `Err(e) => panic!("{}", e.message().as_str())` stops the build with, for example,
    /// "the weights image holds another number of parameters than the model: 1285 in the
    /// image, 1284 in the model".
    pub const fn message(&self) -> ConstMessage {
        let m = ConstMessage::new(self.reason());
        match *self {
            ImageError::Version { found, supported } => m
                .text(": version ")
                .number(found as u64)
                .text(", this crate reads ")
                .number(OLDEST_VERSION as u64)
                .text(" to ")
                .number(supported as u64),
            ImageError::FloatWidth { expected, found } => m
                .text(": ")
                .number(found as u64)
                .text(" bytes a float in the image, ")
                .number(expected as u64)
                .text(" in the model"),
            ImageError::ParamCount { expected, found } => m
                .text(": ")
                .number(found as u64)
                .text(" in the image, ")
                .number(expected as u64)
                .text(" in the model"),
            ImageError::Length { expected, found } => m
                .text(": ")
                .number(found as u64)
                .text(" bytes, where its header makes ")
                .number(expected as u64),
            ImageError::NotFinite { index } | ImageError::ModelNotFinite { index } => {
                m.text(": parameter ").number(index as u64)
            }
            ImageError::Layout { expected, found } => m
                .text(": layout ")
                .number(found as u64)
                .text(" in the image, ")
                .number(expected as u64)
                .text(" in the model"),
            ImageError::LayerParams { read, image } => m
                .text(": the layers took ")
                .number(read as u64)
                .text(", the image holds ")
                .number(image as u64),
            ImageError::BufferTooSmall { needed, available } => m
                .text(": ")
                .number(available as u64)
                .text(" bytes, the image ")
                .number(needed as u64),
            _ => m,
        }
    }
}

/// A count of bytes, "1 byte" or "n bytes".
struct Bytes(usize);

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            1 => write!(f, "1 byte"),
            n => write!(f, "{n} bytes"),
        }
    }
}

impl fmt::Display for ImageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ImageError::Magic { found } if found == *b"TYQ8" => f.write_str(self.reason()),
            ImageError::Magic { found } => write!(
                f,
                "not a typed-nn weights image: starts with {found:02x?}, expected \"TYNN\""
            ),
            ImageError::Safetensors => write!(
                f,
                "not a typed-nn weights image, but by its first bytes a safetensors file: read it with `io::safetensors::load_file` (from a path) or `io::safetensors::load` (from bytes)"
            ),
            ImageError::Version { found, supported } => write!(
                f,
                "weights image format version {found}, but this crate reads versions \
                 {OLDEST_VERSION} to {supported}"
            ),
            ImageError::Reserved { found } => write!(
                f,
                "weights image header byte 7 (reserved) is {found:#04x}, expected 0x00"
            ),
            ImageError::FloatWidth { expected, found } => write!(
                f,
                "weights image holds {found}-byte floats, but the model uses {expected}-byte floats"
            ),
            ImageError::ParamCount { expected, found } => write!(
                f,
                "weights image holds {found} parameters, but the model has {expected}"
            ),
            ImageError::Length { expected, found } if found < expected => write!(
                f,
                "weights image is {found} bytes long, expected {expected}: it is truncated"
            ),
            ImageError::Length { expected, found } => write!(
                f,
                "weights image is {found} bytes long, expected {expected}: {} too many",
                Bytes(found - expected)
            ),
            ImageError::Checksum { expected, found } => write!(
                f,
                "weights image is corrupted: it stores CRC-32 {expected:#010x}, but its bytes \
                 have CRC-32 {found:#010x}"
            ),
            ImageError::Layout { expected, found } => write!(
                f,
                "weights image was written from another model of as many parameters: its layout \
                 fingerprint is {found:#010x}, this model's {expected:#010x}, so its layers' \
                 shapes differ, or its parts come in another order (a `(scaler, model)` image \
                 read into `(model, scaler)`); read it into the type it was written from"
            ),
            ImageError::NotFinite { index } => {
                write!(f, "weights image parameter {index} is NaN or infinite")
            }
            ImageError::ModelNotFinite { index } => write!(
                f,
                "model parameter {index} is NaN or infinite: the model has no weights image"
            ),
            ImageError::TooManyParams { count, max } => write!(
                f,
                "the model has {count} parameters, but a weights image holds at most {max}"
            ),
            ImageError::LayerParams { read, image } => write!(
                f,
                "the layers built from the weights image take {read} parameters, but the image \
                 holds {image}"
            ),
            ImageError::BufferTooSmall { needed, available } => write!(
                f,
                "a weights image needs {needed} bytes, the buffer has {available}"
            ),
        }
    }
}

impl core::error::Error for ImageError {}

/// The CRC-32 lookup table: entry `i` is the remainder of byte `i`, reflected polynomial
/// `0xEDB88320`, computed by the compiler.
const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut bit = 0;
        while bit < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            bit += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

/// The CRC-32 of the first `len` bytes of `bytes` (`len <= bytes.len()`).
const fn crc32_prefix(bytes: &[u8], len: usize) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    let mut i = 0;
    while i < len {
        crc = CRC_TABLE[((crc ^ bytes[i] as u32) & 0xFF) as usize] ^ (crc >> 8);
        i += 1;
    }
    crc ^ 0xFFFF_FFFF
}

/// The CRC-32 of `bytes`, as an image stores it: the CRC of IEEE 802.3 (clause 3.2.9, the
/// frame check sequence), ITU-T V.42, zlib, gzip (RFC 1952, section 8) and PNG. Generator
/// polynomial `0x04C11DB7`, processed reflected (`0xEDB88320`), initial value and final XOR
/// `0xFFFFFFFF`; catalogued as CRC-32/ISO-HDLC.
///
/// A `const fn`: [`ConstImage`](crate::io::ConstImage) checks an image at compile time.
///
/// ```
/// // The catalogue's check value.
/// assert_eq!(typed_nn::io::crc32(b"123456789"), 0xCBF4_3926);
/// const EMPTY: u32 = typed_nn::io::crc32(&[]);
/// assert_eq!(EMPTY, 0);
/// ```
pub const fn crc32(bytes: &[u8]) -> u32 {
    crc32_prefix(bytes, bytes.len())
}

/// The largest parameter count of an image of `float_bytes`-byte floats: the header counts
/// in 32 bits, and a slice holds at most `isize::MAX` bytes.
const fn max_params(float_bytes: usize) -> usize {
    let room = match (isize::MAX as usize - HEADER_BYTES - TRAILER_BYTES).checked_div(float_bytes) {
        Some(room) => room,
        None => usize::MAX,
    };
    if room < u32::MAX as usize {
        room
    } else {
        u32::MAX as usize
    }
}

/// The length of an image of `version` (1 to 3) holding `params` parameters of `float_bytes`
/// bytes, or `None` if it exceeds `usize`.
const fn image_len(version: u16, params: usize, float_bytes: usize) -> Option<usize> {
    let trailer = match version {
        1 => 0,
        2 => CHECKSUM_BYTES,
        _ => TRAILER_BYTES,
    };
    match params.checked_mul(float_bytes) {
        Some(body) => body.checked_add(HEADER_BYTES + trailer),
        None => None,
    }
}

/// True when the `width`-byte little-endian float at `bytes[at..]` is finite: its exponent
/// bits are not all ones.
const fn finite_at(bytes: &[u8], at: usize, width: usize) -> bool {
    match width {
        4 => {
            let bits = u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
            bits & 0x7F80_0000 != 0x7F80_0000
        }
        8 => {
            let bits = u64::from_le_bytes([
                bytes[at],
                bytes[at + 1],
                bytes[at + 2],
                bytes[at + 3],
                bytes[at + 4],
                bytes[at + 5],
                bytes[at + 6],
                bytes[at + 7],
            ]);
            bits & 0x7FF0_0000_0000_0000 != 0x7FF0_0000_0000_0000
        }
        // `Float` is implemented for `f32` and `f64` only; any other width fails closed.
        _ => false,
    }
}

/// The first four bytes, zero-padded.
const fn first_four(bytes: &[u8]) -> [u8; 4] {
    let mut out = [0u8; 4];
    let mut i = 0;
    while i < 4 && i < bytes.len() {
        out[i] = bytes[i];
        i += 1;
    }
    out
}

/// Whether `bytes` begin as a safetensors file: a little-endian `u64` header length below
/// 2^32 and at least 2 (`{}`), then `{`.
const fn looks_like_safetensors(bytes: &[u8]) -> bool {
    bytes.len() > 8 && bytes[8] == b'{' && u32_at(bytes, 4) == 0 && u32_at(bytes, 0) >= 2
}

/// Reads the little-endian `u32` at `bytes[at..at + 4]`.
pub(crate) const fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

/// Checks `bytes` whole as an image of `params` parameters of `float_bytes` bytes each: the
/// model's size, then magic, version, reserved byte, float width, parameter count, length,
/// checksum (from version 2), layout (from version 3, when `layout` is given) and every
/// parameter finite, in that order. Never panics: every index is below a length checked
/// first, and every sum and product is checked.
///
/// On success the parameters are `bytes[HEADER_BYTES..HEADER_BYTES + params * float_bytes]`.
pub(crate) const fn check_image(
    bytes: &[u8],
    params: usize,
    float_bytes: usize,
    layout: Option<u32>,
) -> Result<(), ImageError> {
    let max = max_params(float_bytes);
    if params > max {
        return Err(ImageError::TooManyParams { count: params, max });
    }
    // Cannot overflow: `params <= max`.
    let current_len = HEADER_BYTES + params * float_bytes + TRAILER_BYTES;

    // Only the bytes given are compared: a prefix of the magic is a short image, below.
    let found = first_four(bytes);
    let mut i = 0;
    while i < 4 && i < bytes.len() {
        if bytes[i] != MAGIC[i] {
            if looks_like_safetensors(bytes) {
                return Err(ImageError::Safetensors);
            }
            return Err(ImageError::Magic { found });
        }
        i += 1;
    }
    // A prefix of the magic, or a header cut short: too short to say more.
    if bytes.len() < HEADER_BYTES {
        return Err(ImageError::Length {
            expected: current_len,
            found: bytes.len(),
        });
    }
    let version = u16::from_le_bytes([bytes[4], bytes[5]]);
    if version < OLDEST_VERSION || version > VERSION {
        return Err(ImageError::Version {
            found: version,
            supported: VERSION,
        });
    }
    if bytes[7] != 0 {
        return Err(ImageError::Reserved { found: bytes[7] });
    }
    if bytes[6] as usize != float_bytes {
        return Err(ImageError::FloatWidth {
            expected: float_bytes as u8,
            found: bytes[6],
        });
    }
    let count = u32_at(bytes, 8);
    // `params <= u32::MAX` (checked above), so the cast is exact.
    if count as usize != params {
        return Err(ImageError::ParamCount {
            expected: params as u32,
            found: count,
        });
    }
    // Cannot overflow: `params <= max` leaves room for the header and the checksum.
    let expected = match image_len(version, params, float_bytes) {
        Some(len) => len,
        None => current_len,
    };
    if bytes.len() != expected {
        return Err(ImageError::Length {
            expected,
            found: bytes.len(),
        });
    }
    if version >= 2 {
        let body = expected - CHECKSUM_BYTES;
        let stored = u32_at(bytes, body);
        let computed = crc32_prefix(bytes, body);
        if stored != computed {
            return Err(ImageError::Checksum {
                expected: stored,
                found: computed,
            });
        }
    }
    if let (3.., Some(expected)) = (version, layout) {
        let found = u32_at(bytes, HEADER_BYTES + params * float_bytes);
        if found != expected {
            return Err(ImageError::Layout { expected, found });
        }
    }
    let mut index = 0;
    while index < params {
        if !finite_at(bytes, HEADER_BYTES + index * float_bytes, float_bytes) {
            return Err(ImageError::NotFinite { index });
        }
        index += 1;
    }
    Ok(())
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
///
#[doc = include_str!("format.md")]
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no byte image of `{F}` parameters",
    label = "not a model of this crate's layers, or not of `{F}`",
    note = "every model whose parameters are `Params<F>` has a byte image; a boxed model is passed as `&*model` (or `&mut *model` to read into it)"
)]
pub trait Image<F: Float>: Params<F> {
    /// The length of the image this crate writes ([`VERSION`]): header, parameters, layout and
    /// checksum, `12 + PARAM_COUNT * size_of::<F>() + 8` bytes.
    ///
    /// The header counts parameters in 32 bits: a model of more than 4,294,967,295 parameters
    /// (16 GiB of `f32`) has no image, which `cargo build` reports when it uses this constant.
    const IMAGE_BYTES: usize = {
        assert!(
            Self::PARAM_COUNT <= u32::MAX as usize,
            "a byte image holds at most 4,294,967,295 parameters: its header counts them in 32 bits"
        );
        match image_len(VERSION, Self::PARAM_COUNT, F::BYTES) {
            Some(len) if len <= isize::MAX as usize => len,
            _ => panic!("the model's byte image would not fit in this target's memory"),
        }
    };

    /// Writes the image (of [`VERSION`]) into the start of `out`; returns its length. A model
    /// holding a NaN or an infinity is refused ([`ImageError::ModelNotFinite`]): its image could
    /// not be read back.
    fn write_image(&self, out: &mut [u8]) -> Result<usize, ImageError> {
        let needed = Self::IMAGE_BYTES;
        if out.len() < needed {
            return Err(ImageError::BufferTooSmall {
                needed,
                available: out.len(),
            });
        }
        // An image that could not be read back is not written.
        if let Some(index) = crate::module::first_non_finite_param(self) {
            return Err(ImageError::ModelNotFinite { index });
        }
        out[..4].copy_from_slice(&MAGIC);
        out[4..6].copy_from_slice(&VERSION.to_le_bytes());
        out[6] = F::BYTES as u8;
        out[7] = 0;
        out[8..12].copy_from_slice(&(Self::PARAM_COUNT as u32).to_le_bytes());
        let end = needed - TRAILER_BYTES;
        let mut values = out[HEADER_BYTES..end].chunks_exact_mut(F::BYTES);
        self.visit(&mut |s| {
            for (&v, b) in s.iter().zip(&mut values) {
                v.write_le(b);
            }
        });
        out[end..end + LAYOUT_BYTES].copy_from_slice(&layout_fingerprint(self).to_le_bytes());
        let body = needed - CHECKSUM_BYTES;
        let crc = crc32_prefix(out, body);
        out[body..needed].copy_from_slice(&crc.to_le_bytes());
        Ok(needed)
    }

    /// Replaces the parameters with those of the image (version 1, 2 or 3). The image is
    /// checked whole (header, length, checksum, layout, every value finite) before anything
    /// changes, so on error the model is intact.
    fn read_image(&mut self, bytes: &[u8]) -> Result<(), ImageError> {
        let layout = layout_fingerprint(self);
        check_image(bytes, Self::PARAM_COUNT, F::BYTES, Some(layout))?;
        let end = HEADER_BYTES + Self::PARAM_COUNT * F::BYTES;
        let mut values = bytes[HEADER_BYTES..end].chunks_exact(F::BYTES);
        self.visit_mut(&mut |s| {
            for (v, b) in s.iter_mut().zip(&mut values) {
                *v = F::read_le(b);
            }
        });
        Ok(())
    }
}

impl<F: Float, M: Params<F>> Image<F> for M {}
