//! The fully connected layer `y = W x + b`.

use crate::float::Float;
use crate::init::{Generator, Init, Scheme, uniform};
#[cfg(feature = "alloc")]
use crate::kernels::{Layout, Start, fused_update, weights_first};
use crate::kernels::{
    Strides, blocked, both, dispatch, gemm_broadcast, gemm_nt, gemm_nt_two_threads, inline, split,
};
use crate::module::{Backward, Forward, NonFinite, ParamCount, Params, Pass, first_non_finite};
#[cfg(feature = "alloc")]
use crate::module::{Deferred, DeferredPass};
use crate::shape::{LinearInput, NonZeroWidths};
use crate::tensor::{Tensor, Zero};

/// A fully connected layer from `IN` to `OUT` features: `y = W x + b`.
///
/// The weight is stored `[[F; IN]; OUT]`, row `o` holding the weights into output `o`: the
/// layout of PyTorch's `nn.Linear.weight` (`[out, in]`, row-major), so weights move between the
/// two without transposing. It takes one sample `[F; IN]` or a batch `[[F; IN]; B]`.
///
/// Two stacked `Linear` layers are one linear map (`W2 (W1 x + b1) + b2 = (W2 W1) x + ...`):
/// a non-linearity between them is what lets a network learn more than a linear model.
///
/// ```
/// use typed_nn::{Forward, Linear};
/// let layer = Linear::<2, 1>::from_parts([[2.0, -1.0]], [0.5]);
/// assert_eq!(layer.infer(&[3.0, 4.0]), [2.5]);
/// assert_eq!(layer.infer(&[[1.0, 0.0], [0.0, 1.0]]), [[2.5], [-0.5]]);
/// ```
#[derive(Clone, Debug, PartialEq)]
#[repr(C)]
pub struct Linear<const IN: usize, const OUT: usize, F = f32> {
    /// Weights, `weight[o][i]` from input `i` to output `o`.
    pub weight: [[F; IN]; OUT],
    /// Biases, one per output.
    pub bias: [F; OUT],
}

impl<const IN: usize, const OUT: usize, F: Float> Linear<IN, OUT, F> {
    /// A layer with the given weights (`[out][in]`) and biases; usable in `const` and `static`.
    ///
    /// `IN` and `OUT` must be at least 1 ([`NonZeroWidths`]): a layer without inputs or outputs
    /// stops `cargo build`.
    pub const fn from_parts(weight: [[F; IN]; OUT], bias: [F; OUT]) -> Self {
        let () = NonZeroWidths::<IN, OUT>::HOLD;
        Self { weight, bias }
    }

    /// A layer with Glorot/Xavier uniform weights and zero biases, for sigmoid and tanh. At
    /// most 1 MiB, as [`random`](Self::random).
    ///
    /// ```
    /// use typed_nn::rand::{SeedableRng, rngs::SmallRng};
    /// use typed_nn::Linear;
    /// let a = Linear::<4, 3>::glorot(&mut SmallRng::seed_from_u64(1));
    /// let b = Linear::<4, 3>::glorot(&mut SmallRng::seed_from_u64(1));
    /// assert_eq!(a, b); // same seed, same bits
    /// ```
    pub fn glorot<R: Generator + ?Sized>(rng: &mut R) -> Self {
        // Not through `random`: a layer too large for `ZERO` is reported where the function
        // that builds it is called, here the caller's line.
        let mut layer = Self::ZERO;
        layer.init(Scheme::Glorot, rng);
        layer
    }

    /// A layer with He/Kaiming uniform weights and zero biases, for ReLU. At most 1 MiB, as
    /// [`random`](Self::random).
    pub fn he<R: Generator + ?Sized>(rng: &mut R) -> Self {
        let mut layer = Self::ZERO;
        layer.init(Scheme::He, rng);
        layer
    }

    /// A layer with weights drawn from `scheme` and zero biases.
    ///
    /// At most 1 MiB ([`FitsOnStack`](crate::shape::FitsOnStack)): a larger layer is built
    /// on the heap with [`boxed::zeroed`](crate::boxed::zeroed) and initialised with
    /// [`Init::init`].
    pub fn random<R: Generator + ?Sized>(scheme: Scheme, rng: &mut R) -> Self {
        let mut layer = Self::ZERO;
        layer.init(scheme, rng);
        layer
    }

    /// Forward for the `X::BATCH` samples of `x`, stored row after row: `out = x W^T + b`.
    ///
    /// Tiny products ([`inline`]) run kernels compiled for this layer's sizes; the others
    /// call the library's kernels ([`Compiled`](crate::kernels::Compiled)), which take sizes
    /// as values, so that this layer adds no kernel code to the program: blocked for the
    /// caches when the operands outgrow them ([`blocked`]). Large passes share the outputs
    /// out between two threads with the feature `parallel`.
    #[inline(always)]
    fn forward_rows<X: LinearInput<IN, OUT, F>>(&self, x: &[F], out: &mut [F]) {
        let ((), ()) = (NonZeroWidths::<IN, OUT>::HOLD, X::NOT_EMPTY);
        let weight = self.weight.as_flattened();
        let work = X::BATCH * IN * OUT;
        if const { inline(X::BATCH * IN * OUT) } {
            // The sizes are written inside the kernel closure, so that they stay constants in
            // the code compiled for each instruction set.
            dispatch!(X::BATCH * IN * OUT, |level| {
                gemm_nt(level, (X::BATCH, OUT, IN), x, weight, &self.bias, out)
            });
        } else if const { blocked(X::BATCH * IN * OUT) } {
            self.forward_blocked(X::BATCH, x, out);
        } else if split(work) {
            gemm_nt_two_threads((X::BATCH, OUT, IN), x, weight, &self.bias, out);
        } else {
            F::nt((X::BATCH, OUT, IN), x, weight, &self.bias, out);
        }
    }

    /// `out = x W^T + b` for `batch` samples, blocked for the caches.
    #[cfg(feature = "alloc")]
    fn forward_blocked(&self, batch: usize, x: &[F], out: &mut [F]) {
        let weight = self.weight.as_flattened();
        if weights_first(batch, IN) {
            return F::blocked_weights_first((batch, OUT, IN), x, weight, &self.bias, out);
        }
        let (x_at, w_t_at) = (Layout { row: IN, col: 1 }, Layout { row: 1, col: IN });
        let bias = Start::Bias(&self.bias);
        F::blocked(
            (batch, OUT, IN),
            (x, x_at),
            (weight, w_t_at),
            bias,
            out,
            OUT,
        );
    }

    /// Without an allocator there is no scratch space to pack into.
    #[cfg(not(feature = "alloc"))]
    fn forward_blocked(&self, batch: usize, x: &[F], out: &mut [F]) {
        F::nt(
            (batch, OUT, IN),
            x,
            self.weight.as_flattened(),
            &self.bias,
            out,
        );
    }

    /// Backward for the `X::BATCH` samples of `x`, stored row after row: `dW += dy^T x`,
    /// `db += sum of dy rows` (`=` for both with [`Pass::write`]), and `dx = dy W` when asked
    /// for. With the feature `parallel`,
    /// large passes are split: each thread computes half of the rows of `dW` and half of the
    /// samples of `dx`.
    #[inline(always)]
    fn backward_rows<X: LinearInput<IN, OUT, F>>(
        &self,
        x: &[F],
        dy: &[F],
        grads: &mut Self,
        dx: Option<&mut [F]>,
        Pass { scan, write }: Pass,
    ) -> F::Bits {
        // The batch was proven not empty by the forward pass this backward pass follows.
        let () = NonZeroWidths::<IN, OUT>::HOLD;
        let batch = X::BATCH;
        let add = !write;
        bias_grad(dy, &mut grads.bias, write);
        let grad_w = grads.weight.as_flattened_mut();
        // The blocked product reads back each register tile as it stores it: the gradients of
        // a layer this large have left the caches by the time a separate pass would read them.
        let mut scanned = None;
        if const { inline(X::BATCH * IN * OUT) } {
            dispatch!(X::BATCH * IN * OUT, |level| {
                let s = Self::WEIGHT_GRAD;
                gemm_broadcast(level, (OUT, IN, X::BATCH), dy, x, s, add, grad_w)
            });
            if let Some(dx) = dx {
                let weight = self.weight.as_flattened();
                dispatch!(X::BATCH * IN * OUT, |level| {
                    let s = Self::INPUT_GRAD;
                    gemm_broadcast(level, (X::BATCH, IN, OUT), dy, weight, s, false, dx)
                });
            }
        } else if const { blocked(X::BATCH * IN * OUT) } {
            if scan {
                scanned = Some(self.backward_blocked_scanned(batch, x, dy, grad_w, dx, add));
            } else {
                self.backward_blocked(batch, x, dy, grad_w, dx, add);
            }
        } else if split(batch * IN * OUT) && batch >= 2 && OUT >= 2 {
            let (rows, samples) = (OUT / 2, batch / 2);
            let (w1, w2) = grad_w.split_at_mut(rows * IN);
            let (dx1, dx2) = match dx {
                Some(dx) => {
                    let (a, b) = dx.split_at_mut(samples * IN);
                    (Some(a), Some(b))
                }
                None => (None, None),
            };
            let (dy_lo, dy_hi) = dy.split_at(samples * OUT);
            both(
                || {
                    self.weight_grad_part(0..rows, batch, x, dy, w1, add);
                    if let Some(dx) = dx1 {
                        self.input_grad_part(samples, dy_lo, dx);
                    }
                },
                || {
                    self.weight_grad_part(rows..OUT, batch, x, dy, w2, add);
                    if let Some(dx) = dx2 {
                        self.input_grad_part(batch - samples, dy_hi, dx);
                    }
                },
            );
        } else {
            self.weight_grad_part(0..OUT, batch, x, dy, grad_w, add);
            if let Some(dx) = dx {
                self.input_grad_part(batch, dy, dx);
            }
        }
        // Calls into the library, so that the scans add no code to each layer shape; one test
        // of `scan`, so that the compiler has no reason to copy the products into two paths.
        if scan {
            let weights = scanned.unwrap_or_else(|| F::max_magnitude(grad_w));
            weights.max(F::max_magnitude(&grads.bias))
        } else {
            F::Bits::default()
        }
    }

    /// `dW += dy^T x` (`=` unless `add`) and `dx = dy W` for `batch` samples, blocked for the
    /// caches.
    #[cfg(feature = "alloc")]
    fn backward_blocked(
        &self,
        batch: usize,
        x: &[F],
        dy: &[F],
        grad_w: &mut [F],
        dx: Option<&mut [F]>,
        add: bool,
    ) {
        let (dy_t_at, x_at) = (Layout { row: 1, col: OUT }, Layout { row: IN, col: 1 });
        F::blocked(
            (OUT, IN, batch),
            (dy, dy_t_at),
            (x, x_at),
            Start::zero_or_add(add),
            grad_w,
            IN,
        );
        if let Some(dx) = dx {
            self.input_grad_blocked(batch, dy, dx);
        }
    }

    /// `dx = dy W` for `batch` samples, blocked for the caches.
    #[cfg(feature = "alloc")]
    fn input_grad_blocked(&self, batch: usize, dy: &[F], dx: &mut [F]) {
        let weight = self.weight.as_flattened();
        let (dy_at, w_at) = (Layout { row: OUT, col: 1 }, Layout { row: IN, col: 1 });
        F::blocked(
            (batch, IN, OUT),
            (dy, dy_at),
            (weight, w_at),
            Start::Zero,
            dx,
            IN,
        );
    }

    /// [`backward_blocked`](Self::backward_blocked), with the largest magnitude's bits among
    /// the weight gradients found as the product stores them.
    #[cfg(feature = "alloc")]
    fn backward_blocked_scanned(
        &self,
        batch: usize,
        x: &[F],
        dy: &[F],
        grad_w: &mut [F],
        dx: Option<&mut [F]>,
        add: bool,
    ) -> F::Bits {
        let (dy_t_at, x_at) = (Layout { row: 1, col: OUT }, Layout { row: IN, col: 1 });
        let weights = (dy, dy_t_at);
        let start = Start::zero_or_add(add);
        let largest = F::blocked_scanned((OUT, IN, batch), weights, (x, x_at), start, grad_w, IN);
        if let Some(dx) = dx {
            self.input_grad_blocked(batch, dy, dx);
        }
        largest.magnitude_bits()
    }

    /// Without an allocator there is no scratch space to pack into, nor a blocked product.
    #[cfg(not(feature = "alloc"))]
    fn backward_blocked_scanned(
        &self,
        batch: usize,
        x: &[F],
        dy: &[F],
        grad_w: &mut [F],
        dx: Option<&mut [F]>,
        add: bool,
    ) -> F::Bits {
        self.backward_blocked(batch, x, dy, grad_w, dx, add);
        F::max_magnitude(grad_w)
    }

    /// Without an allocator there is no scratch space to pack into.
    #[cfg(not(feature = "alloc"))]
    fn backward_blocked(
        &self,
        batch: usize,
        x: &[F],
        dy: &[F],
        grad_w: &mut [F],
        dx: Option<&mut [F]>,
        add: bool,
    ) {
        self.weight_grad_part(0..OUT, batch, x, dy, grad_w, add);
        if let Some(dx) = dx {
            self.input_grad_part(batch, dy, dx);
        }
    }

    /// `dW[o][i] += sum over samples p of dy[p][o] * x[p][i]`: `A(o, p) = dy[p][o]`.
    const WEIGHT_GRAD: Strides = Strides {
        a_row: 1,
        a_step: OUT,
        b_row: IN,
        out_row: IN,
    };

    /// `dx[b][i] = sum over outputs p of dy[b][p] * W[p][i]`.
    const INPUT_GRAD: Strides = Strides {
        a_row: OUT,
        a_step: 1,
        b_row: IN,
        out_row: IN,
    };

    /// Rows `outputs` of `dW += dy^T x` (`=` unless `add`), into `grad_w` (those rows only),
    /// through the library's kernels.
    fn weight_grad_part(
        &self,
        outputs: core::ops::Range<usize>,
        batch: usize,
        x: &[F],
        dy: &[F],
        grad_w: &mut [F],
        add: bool,
    ) {
        let dy = &dy[outputs.start..];
        let dims = (outputs.len(), IN, batch);
        F::broadcast(dims, (dy, x), Self::WEIGHT_GRAD, add, grad_w);
    }

    /// `dx = dy W` for `batch` samples, through the library's kernels.
    fn input_grad_part(&self, batch: usize, dy: &[F], dx: &mut [F]) {
        let weight = self.weight.as_flattened();
        F::broadcast((batch, IN, OUT), (dy, weight), Self::INPUT_GRAD, false, dx);
    }
}

/// At most 1 MiB ([`FitsOnStack`](crate::shape::FitsOnStack)): a larger layer is built on
/// the heap with [`boxed::zeroed`](crate::boxed::zeroed).
impl<const IN: usize, const OUT: usize, F: Float> Zero for Linear<IN, OUT, F> {
    const ZERO: Self = {
        let () = crate::shape::FitsOnStack::<Self>::HOLD;
        Self::from_parts([[F::ZERO; IN]; OUT], [F::ZERO; OUT])
    };
}

/// One impl for samples and batches: which inputs fit is [`LinearInput`]'s rule, so a
/// mismatch is reported with that trait's message, naming this layer and the input.
impl<X, const IN: usize, const OUT: usize, F> Forward<X> for Linear<IN, OUT, F>
where
    F: Float,
    X: LinearInput<IN, OUT, F>,
{
    type Output = X::Output;
    type Cache = ();
    const CACHE_FLOATS: usize = 0;

    fn infer(&self, x: &X) -> X::Output {
        let mut out = X::Output::ZERO;
        self.forward_rows::<X>(x.flat(), out.flat_mut());
        out
    }

    fn forward(&self, x: &X, out: &mut X::Output, _: &mut ()) {
        self.forward_rows::<X>(x.flat(), out.flat_mut());
    }

    fn non_finite_input(x: &X) -> Option<NonFinite> {
        first_non_finite(x)
    }
}

/// `db += sum of the rows of dy` (`=` when `write`).
#[inline(always)]
fn bias_grad<F: Float>(dy: &[F], bias: &mut [F], write: bool) {
    let mut rows = dy.chunks_exact(bias.len());
    if write && let Some(first) = rows.next() {
        bias.copy_from_slice(first);
    }
    for row in rows {
        bias.iter_mut().zip(row).for_each(|(g, &d)| *g += d);
    }
}

impl<X, const IN: usize, const OUT: usize, F> Backward<X> for Linear<IN, OUT, F>
where
    F: Float,
    X: LinearInput<IN, OUT, F>,
{
    fn backward(
        &self,
        x: &X,
        out: &X::Output,
        d_out: &X::Output,
        cache: &mut (),
        grads: &mut Self,
        d_x: Option<&mut X>,
    ) {
        self.backward_scanned(x, out, d_out, cache, grads, d_x, Pass::default());
    }

    const WRITES_GRADIENTS: bool = true;

    /// Scans the bias gradients, and the weight gradients as the blocked product stores them
    /// (a layer of at least 2^20 multiply-adds a pass) or right after the product (a smaller
    /// one, whose gradients are still in the caches).
    fn backward_scanned(
        &self,
        x: &X,
        _: &X::Output,
        d_out: &X::Output,
        _: &mut (),
        grads: &mut Self,
        d_x: Option<&mut X>,
        pass: Pass,
    ) -> Option<f64> {
        let d_x = d_x.map(|d| d.flat_mut());
        let largest = self.backward_rows::<X>(x.flat(), d_out.flat(), grads, d_x, pass);
        pass.scan.then(|| F::from_magnitude_bits(largest).as_f64())
    }

    #[cfg(feature = "alloc")]
    const DEFERS: bool = blocked(X::BATCH * IN * OUT) && fused_update(IN * OUT);

    /// Defers the weight gradient when its product is blocked for the caches, the weights
    /// are many enough for the fused update to pay (2^20: see `kernels::fused_update`) and the
    /// pass writes the gradients; computes the bias gradient (and scans it) now.
    #[cfg(feature = "alloc")]
    fn backward_deferred<'a>(
        &self,
        x: &'a X,
        out: &X::Output,
        d_out: &'a X::Output,
        cache: &'a mut (),
        grads: &mut Self,
        pass: Pass,
    ) -> DeferredPass<'a, F> {
        if !<Self as Backward<X>>::DEFERS || !pass.write {
            let scan = self.backward_scanned(x, out, d_out, cache, grads, None, pass);
            return (scan, None);
        }
        let () = NonZeroWidths::<IN, OUT>::HOLD;
        bias_grad(d_out.flat(), &mut grads.bias, true);
        let largest = pass.scan.then(|| F::max_magnitude(&grads.bias));
        let scan = largest.map(|bits| F::from_magnitude_bits(bits).as_f64());
        let product = (OUT, IN, X::BATCH);
        (scan, Some(Deferred::new(product, d_out.flat(), x.flat())))
    }
}

impl<const IN: usize, const OUT: usize, F> ParamCount for Linear<IN, OUT, F> {
    const PARAM_COUNT: usize = IN * OUT + OUT;
}

/// PyTorch's `nn.Linear`: `weight` `[out, in]`, then `bias` `[out]`.
impl<const IN: usize, const OUT: usize, F> crate::io::Tensors for Linear<IN, OUT, F> {
    fn tensors(layer: &mut dyn FnMut(&'static str, &[crate::io::TensorShape])) {
        use crate::io::TensorShape;
        let weight = TensorShape::new("weight", &[OUT, IN]);
        layer(
            core::any::type_name::<Self>(),
            &[weight, TensorShape::new("bias", &[OUT])],
        );
    }
}

impl<X, const IN: usize, const OUT: usize, F> crate::describe::Describe<X> for Linear<IN, OUT, F>
where
    F: Float,
    X: LinearInput<IN, OUT, F>,
{
}

impl<const IN: usize, const OUT: usize, F: Float> Params<F> for Linear<IN, OUT, F> {
    // Inlined, so that a check over a small model's gradients runs in registers.
    #[inline(always)]
    fn visit(&self, f: &mut impl FnMut(&[F])) {
        f(self.weight.as_flattened());
        f(&self.bias);
    }

    #[inline(always)]
    fn visit_mut(&mut self, f: &mut impl FnMut(&mut [F])) {
        f(self.weight.as_flattened_mut());
        f(&mut self.bias);
    }

    #[inline(always)]
    fn zip_mut<const K: usize>(
        &mut self,
        mut others: [&mut Self; K],
        f: &mut impl FnMut(&mut [F], [&mut [F]; K]),
    ) {
        let weights = others.each_mut().map(|o| o.weight.as_flattened_mut());
        f(self.weight.as_flattened_mut(), weights);
        f(&mut self.bias, others.each_mut().map(|o| &mut o.bias[..]));
    }
}

impl<const IN: usize, const OUT: usize, F: Float> Init for Linear<IN, OUT, F> {
    fn init<R: Generator + ?Sized>(&mut self, scheme: Scheme, rng: &mut R) {
        let () = NonZeroWidths::<IN, OUT>::HOLD;
        let bound = scheme.bound(IN, OUT);
        for w in self.weight.as_flattened_mut() {
            *w = uniform(rng, bound);
        }
        self.bias.fill(F::ZERO);
    }
}
