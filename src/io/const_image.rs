//! Building a model from a byte image at compile time, so that its weights stay in flash.

use crate::io::image::{HEADER_BYTES, ImageError, check_header};
use crate::layers::Linear;

/// A cursor over an `f32` byte image (see [`Image`](crate::io::Image) for the layout) that
/// builds layers in `const` context.
///
/// A `static` model initialised from it is computed by the compiler and placed in read-only
/// memory: on a microcontroller the weights stay in flash and inference reads them there, with
/// no copy into RAM. Reading happens in the order the image was written: layer by layer.
///
/// ```
/// use typed_nn::io::ConstImage;
/// use typed_nn::{Forward, Linear, ParamCount, Tanh};
///
/// type Net = (Linear<1, 2>, Tanh, Linear<2, 1>);
/// // An image as a host program writes it: header, then 7 parameters.
/// const BYTES: &[u8] = &[
///     b'T', b'Y', b'N', b'N', 1, 0, 4, 0, 7, 0, 0, 0,
///     0, 0, 128, 63,   0, 0, 0, 192,   0, 0, 0, 0,   0, 0, 0, 0,   // w1 = [1, -2], b1 = 0
///     0, 0, 128, 63,   0, 0, 128, 63,   0, 0, 0, 0,                 // w2 = [1, 1], b2 = 0
/// ];
/// static NET: Net = {
///     let mut image = match ConstImage::new(BYTES, Net::PARAM_COUNT) {
///         Ok(image) => image,
///         Err(_) => panic!("the weights image does not fit the model"),
///     };
///     let net = (image.linear(), Tanh, image.linear());
///     match image.finish() {
///         Ok(()) => net,
///         Err(_) => panic!("the weights image does not fit the model"),
///     }
/// };
/// assert_eq!(NET.infer(&[0.0]), [0.0]);
/// ```
///
/// In a `static` or `const`, a mismatched image stops compilation with the panic's message.
/// At run time, nothing panics: [`ConstImage::new`] and [`ConstImage::finish`] return errors.
#[derive(Clone, Copy, Debug)]
pub struct ConstImage<'a> {
    bytes: &'a [u8],
    at: usize,
    overrun: bool,
}

impl<'a> ConstImage<'a> {
    /// Checks the header and length of an image of `param_count` `f32` parameters.
    pub const fn new(bytes: &'a [u8], param_count: usize) -> Result<Self, ImageError> {
        match check_header(bytes, param_count, 4) {
            Ok(_) => Ok(Self {
                bytes,
                at: HEADER_BYTES,
                overrun: false,
            }),
            Err(e) => Err(e),
        }
    }

    /// The next `f32`, or 0 (and a failed [`finish`](Self::finish)) past the end or for a value
    /// that is not finite.
    const fn next(&mut self) -> f32 {
        if self.at + 4 > self.bytes.len() {
            self.overrun = true;
            return 0.0;
        }
        let b = self.bytes;
        let i = self.at;
        self.at += 4;
        let v = f32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        if !v.is_finite() {
            self.overrun = true;
            return 0.0;
        }
        v
    }

    /// Reads the next `Linear` layer: its weight row by row, then its bias.
    pub const fn linear<const IN: usize, const OUT: usize>(&mut self) -> Linear<IN, OUT, f32> {
        let mut weight = [[0.0f32; IN]; OUT];
        let mut bias = [0.0f32; OUT];
        let mut o = 0;
        while o < OUT {
            let mut i = 0;
            while i < IN {
                weight[o][i] = self.next();
                i += 1;
            }
            o += 1;
        }
        let mut o = 0;
        while o < OUT {
            bias[o] = self.next();
            o += 1;
        }
        Linear::from_parts(weight, bias)
    }

    /// Succeeds when the layers read used every parameter of the image, each finite.
    pub const fn finish(self) -> Result<(), ImageError> {
        if self.overrun || self.at != self.bytes.len() {
            return Err(ImageError::Length {
                expected: self.at,
                found: self.bytes.len(),
            });
        }
        Ok(())
    }
}
