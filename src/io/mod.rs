//! Weights in and out: a model's parameters as a little-endian byte image.

mod const_image;
#[cfg(feature = "std")]
mod file;
mod image;
pub mod safetensors;
mod tensors;
mod typed;

pub use tensors::{TensorShape, Tensors};
pub use const_image::ConstImage;
#[cfg(feature = "std")]
pub use file::{FileError, load, save};
pub use image::{HEADER_BYTES, Image, ImageError, MAGIC, VERSION};
pub use typed::{ImageBytes, to_image};
