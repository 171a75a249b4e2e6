//! The "GEMM floor" of a D-H-C network's training step on a batch of B: the five matrix
//! products of one step, timed alone with `matrixmultiply`'s sgemm, on the layouts the crate
//! uses (`[[f32; IN]; OUT]` weights, `[[f32; N]; B]` batches). No step can be much faster.

pub struct Floor {
    /// Batch, inputs, hidden features, classes.
    sizes: [usize; 4],
    x: Vec<f32>,
    w1: Vec<f32>,
    w2: Vec<f32>,
    h: Vec<f32>,
    y: Vec<f32>,
    dy: Vec<f32>,
    dh: Vec<f32>,
    dw1: Vec<f32>,
    dw2: Vec<f32>,
}

impl Floor {
    /// The floor of a step on the batch `x` with first-layer weights `w1` and second `w2`.
    pub fn new<const D: usize, const H: usize, const C: usize>(
        x: &[[f32; D]],
        w1: &[[f32; D]; H],
        w2: &[[f32; H]; C],
    ) -> Self {
        let b = x.len();
        Floor {
            sizes: [b, D, H, C],
            x: x.iter().flatten().copied().collect(),
            w1: w1.iter().flatten().copied().collect(),
            w2: w2.iter().flatten().copied().collect(),
            h: vec![0.1; b * H],
            y: vec![0.0; b * C],
            dy: vec![0.01; b * C],
            dh: vec![0.0; b * H],
            dw1: vec![0.0; H * D],
            dw2: vec![0.0; C * H],
        }
    }

    /// C (m x n) = alpha A (m x k) B (k x n) + beta C, with strides (row, column).
    #[allow(clippy::too_many_arguments)]
    fn gemm(
        m: usize,
        k: usize,
        n: usize,
        a: &[f32],
        ars: isize,
        acs: isize,
        b: &[f32],
        brs: isize,
        bcs: isize,
        beta: f32,
        c: &mut [f32],
        crs: isize,
    ) {
        // SAFETY: every matrix is a slice of exactly the size its strides address.
        unsafe {
            matrixmultiply::sgemm(
                m,
                k,
                n,
                1.0,
                a.as_ptr(),
                ars,
                acs,
                b.as_ptr(),
                brs,
                bcs,
                beta,
                c.as_mut_ptr(),
                crs,
                1,
            );
        }
    }

    /// The five products of one step.
    pub fn step(&mut self) {
        let [b, dn, hn, cn] = self.sizes;
        let (d, h, c) = (dn as isize, hn as isize, cn as isize);
        // H = X W1^T, Y = H W2^T
        Self::gemm(
            b,
            dn,
            hn,
            &self.x,
            d,
            1,
            &self.w1,
            1,
            d,
            0.0,
            &mut self.h,
            h,
        );
        Self::gemm(
            b,
            hn,
            cn,
            &self.h,
            h,
            1,
            &self.w2,
            1,
            h,
            0.0,
            &mut self.y,
            c,
        );
        // dW2 += dY^T H, dH = dY W2, dW1 += dH^T X
        Self::gemm(
            cn,
            b,
            hn,
            &self.dy,
            1,
            c,
            &self.h,
            h,
            1,
            1.0,
            &mut self.dw2,
            h,
        );
        Self::gemm(
            b,
            cn,
            hn,
            &self.dy,
            c,
            1,
            &self.w2,
            h,
            1,
            0.0,
            &mut self.dh,
            h,
        );
        Self::gemm(
            hn,
            b,
            dn,
            &self.dh,
            1,
            h,
            &self.x,
            d,
            1,
            1.0,
            &mut self.dw1,
            d,
        );
    }
}
