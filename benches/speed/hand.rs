//! The "hand loops" baseline: the benchmark networks written as the straightforward loops one
//! would write first, over `[[f32; I]; O]` arrays, with no SIMD intrinsics and one accumulator
//! per dot product. Forward, backward and update are spelled out.
//!
//! Index loops are the point of this baseline, so clippy's preference for iterators is off here.
#![allow(clippy::needless_range_loop)]

/// A hidden activation, as the hand-written code applies it.
pub trait Act {
    fn f(x: f32) -> f32;
    /// Derivative from the input `x` and output `y`.
    fn df(x: f32, y: f32) -> f32;
}

pub struct Sigmoid;
impl Act for Sigmoid {
    fn f(x: f32) -> f32 {
        1.0 / (1.0 + (-x).exp())
    }
    fn df(_: f32, y: f32) -> f32 {
        y * (1.0 - y)
    }
}

pub struct Relu;
impl Act for Relu {
    fn f(x: f32) -> f32 {
        if x > 0.0 { x } else { 0.0 }
    }
    fn df(x: f32, _: f32) -> f32 {
        if x > 0.0 { 1.0 } else { 0.0 }
    }
}

/// An I-H-O perceptron with activation `A` on the hidden layer and a linear output.
#[derive(Clone)]
pub struct Mlp<const I: usize, const H: usize, const O: usize> {
    pub w1: [[f32; I]; H],
    pub b1: [f32; H],
    pub w2: [[f32; H]; O],
    pub b2: [f32; O],
}

/// Adam's moments for every parameter, in the same shapes.
pub struct AdamState<const I: usize, const H: usize, const O: usize> {
    pub m: Mlp<I, H, O>,
    pub v: Mlp<I, H, O>,
    pub t: i32,
}

impl<const I: usize, const H: usize, const O: usize> Mlp<I, H, O> {
    pub fn zero() -> Self {
        Mlp {
            w1: [[0.0; I]; H],
            b1: [0.0; H],
            w2: [[0.0; H]; O],
            b2: [0.0; O],
        }
    }

    /// Pre-activation `z`, hidden `h` and output `y` of one sample.
    pub fn forward<A: Act>(
        &self,
        x: &[f32; I],
        z: &mut [f32; H],
        h: &mut [f32; H],
        y: &mut [f32; O],
    ) {
        for j in 0..H {
            let mut s = self.b1[j];
            for i in 0..I {
                s += self.w1[j][i] * x[i];
            }
            z[j] = s;
            h[j] = A::f(s);
        }
        for k in 0..O {
            let mut s = self.b2[k];
            for j in 0..H {
                s += self.w2[k][j] * h[j];
            }
            y[k] = s;
        }
    }

    /// Adds the gradients of one sample, given `dy`, into `g`.
    pub fn backward<A: Act>(
        &self,
        x: &[f32; I],
        z: &[f32; H],
        h: &[f32; H],
        dy: &[f32; O],
        g: &mut Self,
    ) {
        let mut dh = [0.0f32; H];
        for k in 0..O {
            for j in 0..H {
                g.w2[k][j] += dy[k] * h[j];
                dh[j] += dy[k] * self.w2[k][j];
            }
            g.b2[k] += dy[k];
        }
        for j in 0..H {
            let dz = dh[j] * A::df(z[j], h[j]);
            for i in 0..I {
                g.w1[j][i] += dz * x[i];
            }
            g.b1[j] += dz;
        }
    }

    pub fn sgd(&mut self, g: &Self, lr: f32) {
        for j in 0..H {
            for i in 0..I {
                self.w1[j][i] -= lr * g.w1[j][i];
            }
            self.b1[j] -= lr * g.b1[j];
        }
        for k in 0..O {
            for j in 0..H {
                self.w2[k][j] -= lr * g.w2[k][j];
            }
            self.b2[k] -= lr * g.b2[k];
        }
    }

    pub fn adam(&mut self, g: &Self, s: &mut AdamState<I, H, O>, lr: f32) {
        s.t += 1;
        let c1 = 1.0 - 0.9f32.powi(s.t);
        let c2 = 1.0 - 0.999f32.powi(s.t);
        let m = &mut s.m;
        let v = &mut s.v;
        for j in 0..H {
            for i in 0..I {
                adam_one(
                    &mut self.w1[j][i],
                    g.w1[j][i],
                    &mut m.w1[j][i],
                    &mut v.w1[j][i],
                    lr,
                    c1,
                    c2,
                );
            }
            adam_one(
                &mut self.b1[j],
                g.b1[j],
                &mut m.b1[j],
                &mut v.b1[j],
                lr,
                c1,
                c2,
            );
        }
        for k in 0..O {
            for j in 0..H {
                adam_one(
                    &mut self.w2[k][j],
                    g.w2[k][j],
                    &mut m.w2[k][j],
                    &mut v.w2[k][j],
                    lr,
                    c1,
                    c2,
                );
            }
            adam_one(
                &mut self.b2[k],
                g.b2[k],
                &mut m.b2[k],
                &mut v.b2[k],
                lr,
                c1,
                c2,
            );
        }
    }
}

fn adam_one(p: &mut f32, g: f32, m: &mut f32, v: &mut f32, lr: f32, c1: f32, c2: f32) {
    *m = 0.9 * *m + 0.1 * g;
    *v = 0.999 * *v + 0.001 * g * g;
    *p -= lr * (*m / c1) / ((*v / c2).sqrt() + 1e-8);
}
