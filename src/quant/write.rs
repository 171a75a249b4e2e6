//! Writing an int8 model as a byte image (layout in `const_image.rs`).

use alloc::vec::Vec;

use super::Quantized;
use super::const_image::{
    HEADER_BYTES, MAGIC, TAG_IDENTITY, TAG_LINEAR, TAG_RELU, TAG_SIGMOID, TAG_TANH, VERSION,
};
use super::layers::{QIdentity, QInt, QLinear, QReLU, QSigmoid, QTanh, QuantParams, Scales};
use crate::chain::for_each_tuple;
use crate::io::crc32;

/// An int8 layer or model that can be written to an int8 byte image.
pub trait QuantizedLayer {
    /// How many layers it writes.
    const LAYERS: usize;
    /// Appends its tag and numbers.
    fn write(&self, out: &mut Vec<u8>);
}

impl<const IN: usize, const OUT: usize, E: QInt, S: Scales> QuantizedLayer
    for QLinear<IN, OUT, E, S>
{
    const LAYERS: usize = 1;
    fn write(&self, out: &mut Vec<u8>) {
        let multipliers = self.multiplier.as_slice();
        out.push(TAG_LINEAR);
        for n in [IN, OUT, multipliers.len()] {
            out.extend_from_slice(&(n as u32).to_le_bytes());
        }
        out.push(E::BITS);
        out.extend(self.weight.iter().flatten().map(|&w| w as u8));
        out.extend(self.bias.iter().flat_map(|b| b.to_le_bytes()));
        out.extend(multipliers.iter().flat_map(|m| m.m0.to_le_bytes()));
        out.extend(multipliers.iter().map(|m| m.shift as u8));
        out.push(self.output_zero_point as u8);
    }
}

impl QuantizedLayer for QReLU {
    const LAYERS: usize = 1;
    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&[TAG_RELU, self.zero_point as u8]);
    }
}

impl QuantizedLayer for QIdentity {
    const LAYERS: usize = 1;
    fn write(&self, out: &mut Vec<u8>) {
        out.push(TAG_IDENTITY);
    }
}

macro_rules! lookup_layers {
    ($($layer:ty = $tag:expr),*) => {$(
        impl QuantizedLayer for $layer {
            const LAYERS: usize = 1;
            fn write(&self, out: &mut Vec<u8>) {
                out.push($tag);
                out.extend_from_slice(&self.input.m0.to_le_bytes());
                out.extend_from_slice(&[self.input.shift as u8, self.input_zero_point as u8]);
            }
        }
    )*};
}
lookup_layers!(QSigmoid = TAG_SIGMOID, QTanh = TAG_TANH);

macro_rules! tuple_layers {
    ($($L:ident),+) => {
        impl<$($L: QuantizedLayer),+> QuantizedLayer for ($($L,)+) {
            const LAYERS: usize = 0 $(+ $L::LAYERS)+;
            #[allow(non_snake_case)]
            fn write(&self, out: &mut Vec<u8>) {
                let ($($L,)+) = self;
                $($L.write(out);)+
            }
        }
    };
}
for_each_tuple!(tuple_layers);

fn push_params(out: &mut Vec<u8>, p: QuantParams) {
    out.extend_from_slice(&p.scale.to_bits().to_le_bytes());
    out.push(p.zero_point as u8);
}

impl<Q: QuantizedLayer> Quantized<Q> {
    /// The model as an int8 byte image, which [`ConstQuantImage`](super::ConstQuantImage)
    /// reads back (at compile time into a `static`, or at run time).
    ///
    /// # Panics
    /// At compile time, not at run time, for a model of more than 255 layers (the format
    /// counts them in one byte).
    pub fn to_bytes(&self) -> Vec<u8> {
        const { assert!(Q::LAYERS <= 255, "an int8 image holds at most 255 layers") };
        let mut out = Vec::with_capacity(HEADER_BYTES + 64);
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&[VERSION, Q::LAYERS as u8]);
        push_params(&mut out, self.input);
        push_params(&mut out, self.output);
        self.model.write(&mut out);
        let crc = crc32(&out);
        out.extend_from_slice(&crc.to_le_bytes());
        out
    }
}
