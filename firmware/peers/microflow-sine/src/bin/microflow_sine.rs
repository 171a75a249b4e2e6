//! MicroFlow's int8 sine model (TensorFlow Lite Micro's hello-world network: 1-16-16-1, ReLU,
//! int8 weights, int32 biases) at the same 64 points on [0, 2 pi] as typed-nn's `sine_infer`.
//!
//! `#[model]` reads `models/sine.tflite` at compile time and generates `Sine::predict`, with
//! the weights as constants. The firmware checks the outputs against a table of (x, sin x)
//! of the same size and layout as the one `sine_infer` checks against.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use microflow::model;
use nalgebra::matrix;

// Resolved against the directory rustc runs in: the crate root, as cargo builds it.
#[model("models/sine.tflite")]
struct Sine;

/// The hello-world model is coarse (trained on noisy samples, int8 output in steps of 0.0083):
/// its mean error from sin is about 0.05, but near 2 pi it is off by up to 0.29 at these
/// points (0.31 on MicroFlow's own 500-point test set, in TensorFlow Lite's outputs too).
const TOLERANCE: f32 = 0.3;

/// The checks and the count call this one copy of the network's code, as in typed-nn's
/// `sine::check`.
#[inline(never)]
fn infer(x: f32) -> f32 {
    Sine::predict(matrix![x])[0]
}

#[entry]
fn main() -> ! {
    microflow_sine::check("microflow_sine", "device", TOLERANCE, infer)
}
