//! Writing an int8 model as a byte image (layout in `const_image.rs`): into a buffer of the
//! length its type gives ([`Quantized::IMAGE_BYTES`]), without an allocator, or into a `Vec`
//! with one.

use super::Quantized;
use super::const_image::{
    HEADER_BYTES, MAGIC, QuantImageError, TAG_IDENTITY, TAG_LINEAR, TAG_RELU, TAG_SIGMOID,
    TAG_TANH, VERSION,
};
use super::layers::{QIdentity, QInt, QLinear, QReLU, QSigmoid, QTanh, QuantParams, Scales};
use crate::chain::for_each_tuple;
use crate::io::crc32;

/// The bytes of the image's checksum, after everything else.
const CRC_BYTES: usize = 4;

/// Where an image is written: a buffer of exactly the image's length, filled in order.
pub struct ImageWriter<'a> {
    out: &'a mut [u8],
    at: usize,
}

impl ImageWriter<'_> {
    /// Appends `bytes`. The writers of [`QuantizedLayer`] append exactly their
    /// [`BYTES`](QuantizedLayer::BYTES), which the buffer was sized from; what a writer
    /// appends beyond is counted, not written, and [`Quantized::write_image`] panics naming
    /// both counts.
    pub fn put(&mut self, bytes: &[u8]) {
        if let Some(room) = self.out.get_mut(self.at..self.at + bytes.len()) {
            room.copy_from_slice(bytes);
        }
        self.at += bytes.len();
    }
}

/// An int8 layer or model that can be written to an int8 byte image.
pub trait QuantizedLayer {
    /// How many layers it writes.
    const LAYERS: usize;
    /// How many bytes it writes.
    const BYTES: usize;
    /// Appends its tag and numbers: [`BYTES`](Self::BYTES) of them.
    fn write(&self, out: &mut ImageWriter<'_>);
}

impl<const IN: usize, const OUT: usize, E: QInt, S: Scales> QuantizedLayer
    for QLinear<IN, OUT, E, S>
{
    const LAYERS: usize = 1;
    // Tag, three counts, bits; weights, biases, multipliers and shifts; zero point.
    const BYTES: usize = 1 + 12 + 1 + IN * OUT + 4 * OUT + 5 * S::COUNT + 1;
    fn write(&self, out: &mut ImageWriter<'_>) {
        let multipliers = self.multiplier.as_slice();
        out.put(&[TAG_LINEAR]);
        for n in [IN, OUT, multipliers.len()] {
            out.put(&(n as u32).to_le_bytes());
        }
        out.put(&[E::BITS]);
        for row in &self.weight {
            out.put(&row.map(|w| w as u8));
        }
        self.bias.iter().for_each(|b| out.put(&b.to_le_bytes()));
        multipliers
            .iter()
            .for_each(|m| out.put(&m.m0.to_le_bytes()));
        multipliers.iter().for_each(|m| out.put(&[m.shift as u8]));
        out.put(&[self.output_zero_point as u8]);
    }
}

impl QuantizedLayer for QReLU {
    const LAYERS: usize = 1;
    const BYTES: usize = 2;
    fn write(&self, out: &mut ImageWriter<'_>) {
        out.put(&[TAG_RELU, self.zero_point as u8]);
    }
}

impl QuantizedLayer for QIdentity {
    const LAYERS: usize = 1;
    const BYTES: usize = 1;
    fn write(&self, out: &mut ImageWriter<'_>) {
        out.put(&[TAG_IDENTITY]);
    }
}

macro_rules! lookup_layers {
    ($($layer:ty = $tag:expr),*) => {$(
        impl QuantizedLayer for $layer {
            const LAYERS: usize = 1;
            // Tag, the input's multiplier and shift, its zero point.
            const BYTES: usize = 1 + 4 + 2;
            fn write(&self, out: &mut ImageWriter<'_>) {
                out.put(&[$tag]);
                out.put(&self.input.m0.to_le_bytes());
                out.put(&[self.input.shift as u8, self.input_zero_point as u8]);
            }
        }
    )*};
}
lookup_layers!(QSigmoid = TAG_SIGMOID, QTanh = TAG_TANH);

macro_rules! tuple_layers {
    ($($L:ident),+) => {
        impl<$($L: QuantizedLayer),+> QuantizedLayer for ($($L,)+) {
            const LAYERS: usize = 0 $(+ $L::LAYERS)+;
            const BYTES: usize = 0 $(+ $L::BYTES)+;
            #[allow(non_snake_case)]
            fn write(&self, out: &mut ImageWriter<'_>) {
                let ($($L,)+) = self;
                $($L.write(out);)+
            }
        }
    };
}
for_each_tuple!(tuple_layers);

fn put_params(out: &mut ImageWriter<'_>, p: QuantParams) {
    out.put(&p.scale.to_bits().to_le_bytes());
    out.put(&[p.zero_point as u8]);
}

impl<Q: QuantizedLayer> Quantized<Q> {
    /// The length of the model's int8 image, from its type: a buffer of this many bytes
    /// holds it (`[0u8; Quantized::<Net8>::IMAGE_BYTES]` on a device without an allocator;
    /// a model of more than 255 layers has no image, see
    /// [`write_image`](Self::write_image)).
    pub const IMAGE_BYTES: usize = HEADER_BYTES + Q::BYTES + CRC_BYTES;

    /// Writes the model's int8 image into the first [`IMAGE_BYTES`](Self::IMAGE_BYTES) of
    /// `out` and returns that part: the image [`to_bytes`](Self::to_bytes) returns, without
    /// an allocator. A shorter buffer is an error, [`QuantImageError::Buffer`], and nothing
    /// is written.
    ///
    /// ```
    /// use typed_nn::quant::{ConstQuantImage, QLinear, QReLU, Quantized, QuantImageError};
    /// type Net8 = (QLinear<2, 3>, QReLU, QLinear<3, 1>);
    /// let read = |bytes: &[u8]| -> Result<Quantized<Net8>, QuantImageError> {
    ///     let mut image = ConstQuantImage::new(bytes)?;
    ///     let model = (image.linear(), image.relu(), image.linear());
    ///     image.finish(model)
    /// };
    /// # let int8 = read(&typed_nn_image()).unwrap();
    /// let mut buffer = [0u8; Quantized::<Net8>::IMAGE_BYTES];
    /// let image = int8.write_image(&mut buffer)?;
    /// assert_eq!(read(image)?, int8);
    /// assert!(int8.write_image(&mut [0u8; 16]).is_err());
    /// # fn typed_nn_image() -> Vec<u8> {
    /// #     use typed_nn::prelude::*;
    /// #     let net = (Linear::<2, 3>::from_parts([[1.0, -1.0], [0.5, 0.5], [-1.0, 2.0]], [0.0; 3]), ReLU, Linear::<3, 1>::from_parts([[1.0, 1.0, 1.0]], [0.1]));
    /// #     let calibration = [[0.0f32, 1.0], [1.0, 0.0], [0.5, 0.5]];
    /// #     typed_nn::quant::quantize(&net, &calibration, typed_nn::quant::PerChannel).unwrap().to_bytes()
    /// # }
    /// # Ok::<(), QuantImageError>(())
    /// ```
    ///
    /// # Panics
    /// At compile time, not at run time, for a model of more than 255 layers (the format
    /// counts them in one byte). At run time only for a layer written outside this crate
    /// whose [`QuantizedLayer::write`] appends another number of bytes than its `BYTES`.
    pub fn write_image<'a>(&self, out: &'a mut [u8]) -> Result<&'a [u8], QuantImageError> {
        const { assert!(Q::LAYERS <= 255, "an int8 image holds at most 255 layers") };
        let len = Self::IMAGE_BYTES;
        let found = out.len();
        let Some(out) = out.get_mut(..len) else {
            return Err(QuantImageError::Buffer { needed: len, found });
        };
        let mut writer = ImageWriter { out, at: 0 };
        writer.put(&MAGIC);
        writer.put(&[VERSION, Q::LAYERS as u8]);
        put_params(&mut writer, self.input);
        put_params(&mut writer, self.output);
        self.model.write(&mut writer);
        let body = writer.at;
        assert_eq!(
            body + CRC_BYTES,
            len,
            "a QuantizedLayer wrote {} bytes where its BYTES counted {}",
            body - HEADER_BYTES,
            Q::BYTES
        );
        let crc = crc32(&writer.out[..body]);
        writer.put(&crc.to_le_bytes());
        Ok(&*writer.out)
    }

    /// The model as an int8 byte image, which [`ConstQuantImage`](super::ConstQuantImage)
    /// reads back (at compile time into a `static`, or at run time). Without an allocator,
    /// [`write_image`](Self::write_image) writes it into a buffer.
    ///
    /// # Panics
    /// At compile time, not at run time, for a model of more than 255 layers (the format
    /// counts them in one byte).
    #[cfg(feature = "alloc")]
    pub fn to_bytes(&self) -> alloc::vec::Vec<u8> {
        let mut out = alloc::vec![0; Self::IMAGE_BYTES];
        // The buffer is the image's length: writing cannot fail.
        let _ = self.write_image(&mut out);
        out
    }
}
