//! The layers a model is composed of.

mod activation;
mod flatten;
mod linear;
mod softmax;

pub(crate) use activation::Activation;
pub use activation::{Identity, LeakyReLU, ReLU, Sigmoid, Tanh};
pub use flatten::{Flatten, FlattenChannels};
pub use linear::Linear;
pub use softmax::Softmax;
pub(crate) use softmax::{softmax_row, softmax_rows};
