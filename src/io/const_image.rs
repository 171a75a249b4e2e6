//! Building a model from a byte image at compile time, so that its weights stay in flash.

use crate::io::image::{HEADER_BYTES, ImageError, check_image, layout_step, u32_at};
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
/// // An image as a host program writes it (version 3): header, 7 parameters, layout, CRC-32.
/// const BYTES: &[u8] = &[
///     b'T', b'Y', b'N', b'N', 3, 0, 4, 0, 7, 0, 0, 0,
///     0, 0, 128, 63,   0, 0, 0, 192,   0, 0, 0, 0,   0, 0, 0, 0,   // w1 = [1, -2], b1 = 0
///     0, 0, 128, 63,   0, 0, 128, 63,   0, 0, 0, 0,                 // w2 = [1, 1], b2 = 0
///     143, 94, 210, 203,                 // layout: slices of 2, 2, 2 and 1 parameters
///     222, 206, 35, 120,                                           // CRC-32 of the above
/// ];
/// static NET: Net = {
///     let mut image = match ConstImage::new(BYTES, Net::PARAM_COUNT) {
///         Ok(image) => image,
///         // Stops the build with, for example, "the weights image holds another number of
///         // parameters than the model: 9 in the image, 7 in the model".
///         Err(e) => panic!("{}", e.message().as_str()),
///     };
///     let net = (image.linear(), Tanh, image.linear());
///     match image.finish() {
///         Ok(()) => net,
///         Err(e) => panic!("{}", e.message().as_str()),
///     }
/// };
/// assert_eq!(NET.infer(&[0.0]), [0.0]);
/// ```
///
/// In a `static` or `const`, a mismatched or corrupted image stops compilation with the
/// panic's message ([`ImageError::message`] says what is wrong, with the numbers at fault;
/// [`ImageError::reason`] without them). At run time, nothing panics:
/// [`ConstImage::new`] and [`ConstImage::finish`] return errors, for any bytes and any
/// parameter count.
///
/// [`new`](ConstImage::new) checks the image whole, as
/// [`Image::read_image`](crate::io::Image::read_image) does but for the layout (which
/// [`finish`](ConstImage::finish) compares, once the layers are built, so a non-finite
/// weight is reported before a wrong layout here), so the compiler also verifies the checksum
/// and that every weight is finite: a corrupted `include_bytes!` file does not
/// build. The checks add about a quarter to the compile-time work of building the layers:
/// beyond roughly 450 KB of image, rustc's deny-by-default `long_running_const_eval` lint
/// stops the build, and `#[allow(long_running_const_eval)]` on the `static` lets it finish.
///
/// An image of version 3 records the lengths of its parameter slices
/// ([`layout_fingerprint`](crate::io::layout_fingerprint)): layers of other shapes, or in
/// another order, with as many parameters in all, fail [`finish`](ConstImage::finish) with
/// [`ImageError::Layout`]. (Version 1 and 2 images hold a parameter count alone: build the
/// type they were saved from.)
///
/// One limit: a `const` builder has only `f32` [`linear`](ConstImage::linear) layers to read
/// (beside layers without parameters, which read nothing): a layer of one's own with
/// parameters, or an `f64` model, loads at run time with
/// [`Image::read_image`](crate::io::Image::read_image) instead.
#[derive(Clone, Copy, Debug)]
pub struct ConstImage<'a> {
    bytes: &'a [u8],
    /// Parameters in the image.
    params: usize,
    /// Parameters the layers took so far, including any past the end.
    read: usize,
    /// The layout fingerprint the image records (version 3), if any.
    recorded: Option<u32>,
    /// The layout fingerprint of the layers read so far.
    layout: u32,
}

impl<'a> ConstImage<'a> {
    /// Checks an image of `param_count` `f32` parameters whole, as
    /// [`Image::read_image`](crate::io::Image::read_image) does: header, length, checksum
    /// (from version 2) and every parameter finite. Version 1 images (no checksum) are
    /// accepted. The layout (version 3) is compared by [`finish`](Self::finish), once the
    /// layers are read.
    ///
    /// Never panics, whatever `param_count`: a count no image can hold is
    /// [`ImageError::TooManyParams`].
    pub const fn new(bytes: &'a [u8], param_count: usize) -> Result<Self, ImageError> {
        match check_image(bytes, param_count, 4, None) {
            Ok(()) => {
                // `check_image` checked the length: the layout follows the parameters.
                let recorded = if u16::from_le_bytes([bytes[4], bytes[5]]) >= 3 {
                    Some(u32_at(bytes, HEADER_BYTES + 4 * param_count))
                } else {
                    None
                };
                Ok(Self {
                    bytes,
                    params: param_count,
                    read: 0,
                    recorded,
                    layout: 0,
                })
            }
            Err(e) => Err(e),
        }
    }

    /// The number of `f32` parameters in the image.
    pub const fn param_count(&self) -> usize {
        self.params
    }

    /// The number of parameters the layers read so far have taken.
    pub const fn params_read(&self) -> usize {
        self.read
    }

    /// The next `f32`, or 0 (and a failed [`finish`](Self::finish)) past the end. Every value
    /// was checked finite by [`new`](Self::new).
    const fn next(&mut self) -> f32 {
        let index = self.read;
        self.read = self.read.saturating_add(1);
        if index >= self.params {
            return 0.0;
        }
        // `new` checked that the image holds `params` values after the header.
        let i = HEADER_BYTES + 4 * index;
        let b = self.bytes;
        f32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
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
        self.layout = layout_step(layout_step(self.layout, IN * OUT), OUT);
        Linear::from_parts(weight, bias)
    }

    /// Succeeds when the layers read took exactly the image's parameters, in slices of the
    /// lengths it records (version 3); otherwise [`ImageError::LayerParams`] says how many
    /// they took and how many the image holds, or [`ImageError::Layout`] that their shapes
    /// or order differ.
    pub const fn finish(self) -> Result<(), ImageError> {
        if self.read != self.params {
            return Err(ImageError::LayerParams {
                read: self.read,
                image: self.params,
            });
        }
        match self.recorded {
            Some(found) if found != self.layout => Err(ImageError::Layout {
                expected: self.layout,
                found,
            }),
            _ => Ok(()),
        }
    }
}
