//! Weights in and out: a model's parameters as a little-endian byte image.

mod const_image;
#[cfg(feature = "std")]
mod file;
mod image;
mod message;
pub mod safetensors;
mod tensors;
mod typed;

pub use const_image::ConstImage;
#[cfg(feature = "std")]
pub use file::{FileError, load, save};
pub use image::{
    CHECKSUM_BYTES, HEADER_BYTES, Image, ImageError, LAYOUT_BYTES, MAGIC, VERSION, crc32,
    layout_fingerprint,
};
pub use message::ConstMessage;
pub use tensors::{TensorShape, Tensors};
pub use typed::{ImageBytes, to_image};
