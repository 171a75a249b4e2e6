//! W1's step fused by hand: the bound of what a step of its shape reaches on this machine, not
//! a baseline to beat.
//!
//! One pass forward through both layers, then each weight updated as soon as its gradient is
//! known: no gradient is stored, nothing is checked (no loss, gradient or learning-rate check,
//! as the crate's step makes). The first layer's weights are stored input by input, so that
//! the hidden units vectorise, and the sigmoid uses the crate's own `exp`. A step of one sample
//! is a chain of dependent operations (the next forward pass reads the weights this one
//! wrote), so the chain's length, not the count of operations, sets its time.
//!
//! Index loops over the hidden units are what vectorises here, so clippy's preference for
//! iterators is off.
#![allow(clippy::needless_range_loop)]

use typed_nn::Float;

use crate::hand::Mlp;

/// An `I`-`H`-1 perceptron with a sigmoid hidden layer, trained with MSE and SGD.
#[derive(Clone)]
pub struct FusedMlp<const I: usize, const H: usize> {
    /// The first layer's weights, input by input.
    w1t: [[f32; H]; I],
    b1: [f32; H],
    w2: [f32; H],
    b2: f32,
}

impl<const I: usize, const H: usize> FusedMlp<I, H> {
    /// The same weights as `net`.
    pub fn new(net: &Mlp<I, H, 1>) -> Self {
        FusedMlp {
            w1t: core::array::from_fn(|i| core::array::from_fn(|j| net.w1[j][i])),
            b1: net.b1,
            w2: net.w2[0],
            b2: net.b2[0],
        }
    }

    /// One SGD step on `(x, t)`; returns the squared error before the update. Compiled for
    /// the build's instruction set (the crate's step for this model is too).
    #[inline(never)]
    pub fn step(&mut self, x: &[f32; I], t: f32, lr: f32) -> f32 {
        self.step_with(x, t, lr, f32::exp_fast)
    }

    /// [`step`](Self::step) compiled with AVX2 and fused multiply-adds.
    ///
    /// # Safety
    /// The CPU has AVX2 and FMA.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    #[inline(never)]
    pub unsafe fn step_fma(&mut self, x: &[f32; I], t: f32, lr: f32) -> f32 {
        self.step_with(x, t, lr, f32::exp_fast_fused)
    }

    #[inline(always)]
    fn step_with(&mut self, x: &[f32; I], t: f32, lr: f32, exp: impl Fn(f32) -> f32) -> f32 {
        let mut h = [0.0f32; H];
        for j in 0..H {
            let mut z = self.b1[j];
            for i in 0..I {
                z += self.w1t[i][j] * x[i];
            }
            h[j] = 1.0 / (1.0 + exp(-z));
        }
        // Four partial sums, so that the dot product vectorises.
        let mut partial = [0.0f32; 4];
        for j in 0..H {
            partial[j % 4] += self.w2[j] * h[j];
        }
        let y = self.b2 + (partial[0] + partial[2]) + (partial[1] + partial[3]);
        let error = y - t;
        let dy = 2.0 * error;
        for j in 0..H {
            // The hidden gradient reads the output weight before its update.
            let dz = dy * self.w2[j] * h[j] * (1.0 - h[j]);
            self.w2[j] -= lr * dy * h[j];
            for i in 0..I {
                self.w1t[i][j] -= lr * dz * x[i];
            }
            self.b1[j] -= lr * dz;
        }
        self.b2 -= lr * dy;
        error * error
    }
}

/// Whether [`FusedMlp::step_fma`] can run here.
pub fn has_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    return std::arch::is_x86_feature_detected!("avx2")
        && std::arch::is_x86_feature_detected!("fma");
    #[cfg(not(target_arch = "x86_64"))]
    false
}
