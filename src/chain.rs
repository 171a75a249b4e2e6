//! Composition: a tuple of layers is a model, and a model is a layer.
//!
//! `(Linear<2, 16>, Sigmoid, Linear<16, 1>)` implements [`Forward<[f32; 2]>`](Forward) exactly
//! when each layer takes the previous layer's output; otherwise the compiler names the layer
//! and the input it cannot take. Its forward pass runs the layers in order and keeps every
//! intermediate activation in its cache; its backward pass runs them in reverse, handing each
//! layer the cached input and output it needs (the chain rule over the computation graph).
//! Tuples of 1 to 16 layers are models; a tuple can hold tuples, for deeper models.

use crate::describe::{Describe, LayerInfo};
use crate::float::Float;
use crate::init::{Init, Scheme};
use crate::io::{TensorShape, Tensors};
use crate::module::{Backward, Forward, NonFinite, ParamCount, Params, Pass, Squash, larger_scan};
#[cfg(feature = "alloc")]
use crate::module::{Deferred, DeferredPass};
use crate::tensor::{Tensor, Zero};

/// What a composed model keeps for one inner layer between forward and backward: the layer's
/// own cache, its output (the next layer's input), and room for the gradient with respect to
/// that output.
#[derive(Clone, Debug, PartialEq)]
pub struct Link<C, O> {
    /// The layer's own cache.
    pub cache: C,
    /// The layer's output from the last forward pass.
    pub out: O,
    /// The gradient of the loss with respect to `out`, filled by the backward pass.
    pub grad: O,
}

impl<C: Zero, O: Zero> Zero for Link<C, O> {
    const ZERO: Self = Link {
        cache: C::ZERO,
        out: O::ZERO,
        grad: O::ZERO,
    };
}

impl<X, L0: Forward<X>> Forward<X> for (L0,) {
    type Output = L0::Output;
    type Cache = L0::Cache;
    const CACHE_FLOATS: usize = L0::CACHE_FLOATS;

    fn infer(&self, x: &X) -> Self::Output {
        self.0.infer(x)
    }

    fn forward(&self, x: &X, out: &mut Self::Output, cache: &mut Self::Cache) {
        self.0.forward(x, out, cache);
    }

    fn non_finite_input(x: &X) -> Option<NonFinite> {
        L0::non_finite_input(x)
    }

    const SQUASH: Squash = L0::SQUASH;
}

impl<X, L0: Describe<X>> Describe<X> for (L0,) {
    const FITTED_PARAMS: usize = L0::FITTED_PARAMS;

    fn describe(visit: &mut dyn FnMut(&LayerInfo)) {
        L0::describe(visit);
    }
}

impl<X, L0: Backward<X>> Backward<X> for (L0,) {
    fn backward(
        &self,
        x: &X,
        out: &Self::Output,
        d_out: &Self::Output,
        cache: &mut Self::Cache,
        grads: &mut Self,
        d_x: Option<&mut X>,
    ) {
        self.0.backward(x, out, d_out, cache, &mut grads.0, d_x);
    }

    const WRITES_GRADIENTS: bool = L0::WRITES_GRADIENTS;
    const HAS_PARAMETERS: bool = L0::HAS_PARAMETERS;
    #[cfg(feature = "alloc")]
    const DEFERS: bool = L0::DEFERS;

    #[inline]
    fn backward_scanned(
        &self,
        x: &X,
        out: &Self::Output,
        d_out: &Self::Output,
        cache: &mut Self::Cache,
        grads: &mut Self,
        d_x: Option<&mut X>,
        pass: Pass,
    ) -> Option<f64> {
        self.0
            .backward_scanned(x, out, d_out, cache, &mut grads.0, d_x, pass)
    }

    #[cfg(feature = "alloc")]
    #[inline]
    fn backward_deferred<'a>(
        &self,
        x: &'a X,
        out: &Self::Output,
        d_out: &'a Self::Output,
        cache: &'a mut Self::Cache,
        grads: &mut Self,
        pass: Pass,
    ) -> DeferredPass<'a, <Self::Output as Tensor>::Elem> {
        self.0
            .backward_deferred(x, out, d_out, cache, &mut grads.0, pass)
    }
}

/// The index of a model's first layer with parameters ([`Backward::HAS_PARAMETERS`]), or its
/// number of layers when none has: the layer asked to defer its product
/// ([`Backward::backward_deferred`]).
#[cfg(feature = "alloc")]
trait FirstToLearn<X> {
    /// The index.
    const FIRST: usize;
}

/// The index of the first `true` in `flags`, or their number.
#[cfg(feature = "alloc")]
const fn first_true(flags: &[bool]) -> usize {
    let mut i = 0;
    while i < flags.len() && !flags[i] {
        i += 1;
    }
    i
}

/// Implements [`Forward`] and [`Backward`] for one tuple arity. Layer `k` takes `I_k` (the
/// previous output type) to `O_k`; naming the intermediate types as parameters bound through
/// `Output = O_k` lets every shape rule be a plain trait bound. `reversed` lists the inner
/// layers from last to first with their predecessors, for the backward pass.
macro_rules! seq_impl {
    (
        first ($L0:ident, $O0:ident);
        middle [$(($Lm:ident, $Im:ident, $Om:ident, $m:tt, $pm:tt)),*];
        last ($Ll:ident, $Il:ident, $Ol:ident, $l:tt, $pl:tt);
        reversed [$(($r:tt, $pr:tt)),*];
    ) => {
        impl<X, $L0, $O0, $($Lm, $Om,)* $Ll, $Ol> Forward<X> for ($L0, $($Lm,)* $Ll)
        where
            $L0: Forward<X, Output = $O0>,
            $($Lm: Forward<$Im, Output = $Om>,)*
            $Ll: Forward<$Il, Output = $Ol>,
            $O0: Tensor,
            $($Om: Tensor,)*
            $Ol: Tensor,
        {
            type Output = $Ol;
            type Cache = (
                Link<<$L0 as Forward<X>>::Cache, $O0>,
                $(Link<<$Lm as Forward<$Im>>::Cache, $Om>,)*
                <$Ll as Forward<$Il>>::Cache,
            );
            // Each inner layer's own cache, plus its output and that output's gradient.
            const CACHE_FLOATS: usize = <$L0 as Forward<X>>::CACHE_FLOATS + 2 * $O0::LEN
                $(+ <$Lm as Forward<$Im>>::CACHE_FLOATS + 2 * $Om::LEN)*
                + <$Ll as Forward<$Il>>::CACHE_FLOATS;

            #[inline]
            fn infer(&self, x: &X) -> $Ol {
                let y = self.0.infer(x);
                $(let y = self.$m.infer(&y);)*
                self.$l.infer(&y)
            }

            #[inline]
            fn forward(&self, x: &X, out: &mut $Ol, cache: &mut Self::Cache) {
                self.0.forward(x, &mut cache.0.out, &mut cache.0.cache);
                $(self.$m.forward(&cache.$pm.out, &mut cache.$m.out, &mut cache.$m.cache);)*
                self.$l.forward(&cache.$pl.out, out, &mut cache.$l);
            }

            fn non_finite_input(x: &X) -> Option<NonFinite> {
                <$L0 as Forward<X>>::non_finite_input(x)
            }

            // The last layer's, or (through layers that keep their input's values) the
            // function of the last layer before them that applies one.
            const SQUASH: Squash = <$L0 as Forward<X>>::SQUASH
                $(.then(<$Lm as Forward<$Im>>::SQUASH))*
                .then(<$Ll as Forward<$Il>>::SQUASH);
        }

        impl<X, $L0, $O0, $($Lm, $Om,)* $Ll, $Ol> Describe<X> for ($L0, $($Lm,)* $Ll)
        where
            $L0: Describe<X, Output = $O0>,
            $($Lm: Describe<$Im, Output = $Om>,)*
            $Ll: Describe<$Il, Output = $Ol>,
            $O0: Tensor,
            $($Om: Tensor,)*
            $Ol: Tensor,
        {
            const FITTED_PARAMS: usize = <$L0 as Describe<X>>::FITTED_PARAMS
                $(+ <$Lm as Describe<$Im>>::FITTED_PARAMS)*
                + <$Ll as Describe<$Il>>::FITTED_PARAMS;

            fn describe(visit: &mut dyn FnMut(&LayerInfo)) {
                <$L0 as Describe<X>>::describe(visit);
                $(<$Lm as Describe<$Im>>::describe(visit);)*
                <$Ll as Describe<$Il>>::describe(visit);
            }
        }

        impl<X, $L0, $O0, $($Lm, $Om,)* $Ll, $Ol> Backward<X> for ($L0, $($Lm,)* $Ll)
        where
            $L0: Backward<X, Output = $O0>,
            $($Lm: Backward<$Im, Output = $Om>,)*
            $Ll: Backward<$Il, Output = $Ol>,
            $O0: Tensor,
            $($Om: Tensor,)*
            $Ol: Tensor,
        {
            #[inline]
            fn backward(
                &self,
                x: &X,
                out: &$Ol,
                d_out: &$Ol,
                cache: &mut Self::Cache,
                grads: &mut Self,
                d_x: Option<&mut X>,
            ) {
                self.backward_scanned(x, out, d_out, cache, grads, d_x, Pass::default());
            }

            const WRITES_GRADIENTS: bool =
                $L0::WRITES_GRADIENTS $(&& $Lm::WRITES_GRADIENTS)* && $Ll::WRITES_GRADIENTS;
            const HAS_PARAMETERS: bool =
                $L0::HAS_PARAMETERS $(|| $Lm::HAS_PARAMETERS)* || $Ll::HAS_PARAMETERS;
            #[cfg(feature = "alloc")]
            const DEFERS: bool = $L0::DEFERS $(|| $Lm::DEFERS)* || $Ll::DEFERS;

            /// The layers' passes in reverse order, their scans combined: one body for both
            /// methods, so that a model's backward pass is compiled once.
            #[inline]
            fn backward_scanned(
                &self,
                x: &X,
                out: &$Ol,
                d_out: &$Ol,
                cache: &mut Self::Cache,
                grads: &mut Self,
                d_x: Option<&mut X>,
                pass: Pass,
            ) -> Option<f64> {
                // The gradient of layer k's output is computed only when layer k or one
                // before it has parameters, or when the caller asks for `d_x`: otherwise
                // nothing reads it (see `Backward::HAS_PARAMETERS`). Constants, folded.
                let has = [
                    <$L0 as Backward<X>>::HAS_PARAMETERS,
                    $(<$Lm as Backward<$Im>>::HAS_PARAMETERS,)*
                    <$Ll as Backward<$Il>>::HAS_PARAMETERS,
                ];
                let wants_x = d_x.is_some();
                let needed = |link: usize| wants_x || has[..=link].iter().any(|&h| h);
                let last_in = &cache.$pl.out;
                let d_last_in = needed($pl).then_some(&mut cache.$pl.grad);
                let largest = self.$l.backward_scanned(
                    last_in, out, d_out, &mut cache.$l, &mut grads.$l, d_last_in, pass,
                );
                $(
                    let link = &mut cache.$r;
                    let input = &cache.$pr.out;
                    let d_input = needed($pr).then_some(&mut cache.$pr.grad);
                    let layer = self.$r.backward_scanned(
                        input, &link.out, &link.grad, &mut link.cache, &mut grads.$r, d_input, pass,
                    );
                    let largest = larger_scan(largest, layer);
                )*
                let first = &mut cache.0;
                let layer = self.0.backward_scanned(
                    x, &first.out, &first.grad, &mut first.cache, &mut grads.0, d_x, pass,
                );
                larger_scan(largest, layer)
            }

            /// The layers' passes in reverse order, as in `backward_scanned` with no `d_x`,
            /// except that the first layer with parameters is asked to defer: its first
            /// parameters are the model's first. Every layer's float type is the model's, so
            /// the cast of its product never fails.
            #[cfg(feature = "alloc")]
            #[inline]
            fn backward_deferred<'a>(
                &self,
                x: &'a X,
                out: &$Ol,
                d_out: &'a $Ol,
                cache: &'a mut Self::Cache,
                grads: &mut Self,
                pass: Pass,
            ) -> DeferredPass<'a, <$Ol as Tensor>::Elem> {
                let has = [
                    <$L0 as Backward<X>>::HAS_PARAMETERS,
                    $(<$Lm as Backward<$Im>>::HAS_PARAMETERS,)*
                    <$Ll as Backward<$Il>>::HAS_PARAMETERS,
                ];
                let needed = |link: usize| has[..=link].iter().any(|&h| h);
                // Constant conditions, so that only the first learner's `backward_deferred`
                // is compiled: every other layer's would double the backward code of a model.
                let (largest, mut deferred) = if const { <Self as FirstToLearn<X>>::FIRST == $l } {
                    let (l, d) = self.$l.backward_deferred(
                        &cache.$pl.out, out, d_out, &mut cache.$l, &mut grads.$l, pass,
                    );
                    (l, d.and_then(Deferred::cast))
                } else {
                    let d_last_in = needed($pl).then_some(&mut cache.$pl.grad);
                    let l = self.$l.backward_scanned(
                        &cache.$pl.out, out, d_out, &mut cache.$l, &mut grads.$l, d_last_in,
                        pass,
                    );
                    (l, None)
                };
                $(
                    // Field by field: a later layer's product may hold this link's output.
                    let layer = if const { <Self as FirstToLearn<X>>::FIRST == $r } {
                        let (l, d) = self.$r.backward_deferred(
                            &cache.$pr.out, &cache.$r.out, &cache.$r.grad, &mut cache.$r.cache,
                            &mut grads.$r, pass,
                        );
                        deferred = deferred.or(d.and_then(Deferred::cast));
                        l
                    } else {
                        let d_input = needed($pr).then_some(&mut cache.$pr.grad);
                        self.$r.backward_scanned(
                            &cache.$pr.out, &cache.$r.out, &cache.$r.grad, &mut cache.$r.cache,
                            &mut grads.$r, d_input, pass,
                        )
                    };
                    let largest = larger_scan(largest, layer);
                )*
                let layer = if const { <Self as FirstToLearn<X>>::FIRST == 0 } {
                    let (l, d) = self.0.backward_deferred(
                        x, &cache.0.out, &cache.0.grad, &mut cache.0.cache, &mut grads.0, pass,
                    );
                    deferred = deferred.or(d.and_then(Deferred::cast));
                    l
                } else {
                    self.0.backward_scanned(
                        x, &cache.0.out, &cache.0.grad, &mut cache.0.cache, &mut grads.0, None,
                        pass,
                    )
                };
                (larger_scan(largest, layer), deferred)
            }
        }

        #[cfg(feature = "alloc")]
        impl<X, $L0, $O0, $($Lm, $Om,)* $Ll, $Ol> FirstToLearn<X> for ($L0, $($Lm,)* $Ll)
        where
            $L0: Backward<X, Output = $O0>,
            $($Lm: Backward<$Im, Output = $Om>,)*
            $Ll: Backward<$Il, Output = $Ol>,
            $O0: Tensor,
            $($Om: Tensor,)*
            $Ol: Tensor,
        {
            const FIRST: usize = first_true(&[
                <$L0 as Backward<X>>::HAS_PARAMETERS,
                $(<$Lm as Backward<$Im>>::HAS_PARAMETERS,)*
                <$Ll as Backward<$Il>>::HAS_PARAMETERS,
            ]);
        }
    };
}

/// Invokes `$m!(L0)`, `$m!(L0, L1)`, ... up to 16 type parameters: one impl per tuple arity
/// for traits whose impls need only the tuple's type parameters.
macro_rules! for_each_tuple {
    ($m:ident) => {
        $m!(L0);
        $m!(L0, L1);
        $m!(L0, L1, L2);
        $m!(L0, L1, L2, L3);
        $m!(L0, L1, L2, L3, L4);
        $m!(L0, L1, L2, L3, L4, L5);
        $m!(L0, L1, L2, L3, L4, L5, L6);
        $m!(L0, L1, L2, L3, L4, L5, L6, L7);
        $m!(L0, L1, L2, L3, L4, L5, L6, L7, L8);
        $m!(L0, L1, L2, L3, L4, L5, L6, L7, L8, L9);
        $m!(L0, L1, L2, L3, L4, L5, L6, L7, L8, L9, L10);
        $m!(L0, L1, L2, L3, L4, L5, L6, L7, L8, L9, L10, L11);
        $m!(L0, L1, L2, L3, L4, L5, L6, L7, L8, L9, L10, L11, L12);
        $m!(L0, L1, L2, L3, L4, L5, L6, L7, L8, L9, L10, L11, L12, L13);
        $m!(
            L0, L1, L2, L3, L4, L5, L6, L7, L8, L9, L10, L11, L12, L13, L14
        );
        $m!(
            L0, L1, L2, L3, L4, L5, L6, L7, L8, L9, L10, L11, L12, L13, L14, L15
        );
    };
}
pub(crate) use for_each_tuple;

/// Implements [`Zero`], [`ParamCount`], [`Params`] and [`Init`] for one tuple arity: the
/// parameters of a model are those of its layers, in order.
macro_rules! tuple_params {
    ($($i:tt $L:ident),+) => {
        impl<$($L: Zero),+> Zero for ($($L,)+) {
            const ZERO: Self = {
                let () = crate::shape::FitsOnStack::<Self>::HOLD;
                ($($L::ZERO,)+)
            };
        }

        impl<$($L: ParamCount),+> ParamCount for ($($L,)+) {
            const PARAM_COUNT: usize = 0 $(+ $L::PARAM_COUNT)+;
        }

        // A float mismatch is reported once, for the whole model, not once per layer.
        #[diagnostic::do_not_recommend]
        impl<F: Float, $($L: Params<F>),+> Params<F> for ($($L,)+) {
            // Inlined, so that a check over a small model's gradients runs in registers.
            #[inline(always)]
            fn visit(&self, f: &mut impl FnMut(&[F])) {
                $(self.$i.visit(f);)+
            }

            #[inline(always)]
            fn visit_mut(&mut self, f: &mut impl FnMut(&mut [F])) {
                $(self.$i.visit_mut(f);)+
            }

            #[inline(always)]
            fn zip_mut<const K: usize>(
                &mut self,
                mut others: [&mut Self; K],
                f: &mut impl FnMut(&mut [F], [&mut [F]; K]),
            ) {
                $(self.$i.zip_mut(others.each_mut().map(|s| &mut s.$i), f);)+
            }
        }

        impl<$($L: Init),+> Init for ($($L,)+) {
            fn init<R: $crate::init::Generator + ?Sized>(&mut self, scheme: Scheme, rng: &mut R) {
                $(self.$i.init(scheme, rng);)+
            }
        }

        impl<$($L: Tensors),+> Tensors for ($($L,)+) {
            fn tensors(layer: &mut dyn FnMut(&'static str, &[TensorShape])) {
                $($L::tensors(layer);)+
            }
        }
    };
}

seq_impl! { first (L0, O0); middle []; last (L1, O0, O1, 1, 0); reversed []; }
seq_impl! { first (L0, O0); middle [(L1, O0, O1, 1, 0)]; last (L2, O1, O2, 2, 1); reversed [(1, 0)]; }
seq_impl! { first (L0, O0); middle [(L1, O0, O1, 1, 0), (L2, O1, O2, 2, 1)]; last (L3, O2, O3, 3, 2); reversed [(2, 1), (1, 0)]; }
seq_impl! { first (L0, O0); middle [(L1, O0, O1, 1, 0), (L2, O1, O2, 2, 1), (L3, O2, O3, 3, 2)]; last (L4, O3, O4, 4, 3); reversed [(3, 2), (2, 1), (1, 0)]; }
seq_impl! { first (L0, O0); middle [(L1, O0, O1, 1, 0), (L2, O1, O2, 2, 1), (L3, O2, O3, 3, 2), (L4, O3, O4, 4, 3)]; last (L5, O4, O5, 5, 4); reversed [(4, 3), (3, 2), (2, 1), (1, 0)]; }
seq_impl! { first (L0, O0); middle [(L1, O0, O1, 1, 0), (L2, O1, O2, 2, 1), (L3, O2, O3, 3, 2), (L4, O3, O4, 4, 3), (L5, O4, O5, 5, 4)]; last (L6, O5, O6, 6, 5); reversed [(5, 4), (4, 3), (3, 2), (2, 1), (1, 0)]; }
seq_impl! { first (L0, O0); middle [(L1, O0, O1, 1, 0), (L2, O1, O2, 2, 1), (L3, O2, O3, 3, 2), (L4, O3, O4, 4, 3), (L5, O4, O5, 5, 4), (L6, O5, O6, 6, 5)]; last (L7, O6, O7, 7, 6); reversed [(6, 5), (5, 4), (4, 3), (3, 2), (2, 1), (1, 0)]; }
seq_impl! { first (L0, O0); middle [(L1, O0, O1, 1, 0), (L2, O1, O2, 2, 1), (L3, O2, O3, 3, 2), (L4, O3, O4, 4, 3), (L5, O4, O5, 5, 4), (L6, O5, O6, 6, 5), (L7, O6, O7, 7, 6)]; last (L8, O7, O8, 8, 7); reversed [(7, 6), (6, 5), (5, 4), (4, 3), (3, 2), (2, 1), (1, 0)]; }
seq_impl! { first (L0, O0); middle [(L1, O0, O1, 1, 0), (L2, O1, O2, 2, 1), (L3, O2, O3, 3, 2), (L4, O3, O4, 4, 3), (L5, O4, O5, 5, 4), (L6, O5, O6, 6, 5), (L7, O6, O7, 7, 6), (L8, O7, O8, 8, 7)]; last (L9, O8, O9, 9, 8); reversed [(8, 7), (7, 6), (6, 5), (5, 4), (4, 3), (3, 2), (2, 1), (1, 0)]; }
seq_impl! { first (L0, O0); middle [(L1, O0, O1, 1, 0), (L2, O1, O2, 2, 1), (L3, O2, O3, 3, 2), (L4, O3, O4, 4, 3), (L5, O4, O5, 5, 4), (L6, O5, O6, 6, 5), (L7, O6, O7, 7, 6), (L8, O7, O8, 8, 7), (L9, O8, O9, 9, 8)]; last (L10, O9, O10, 10, 9); reversed [(9, 8), (8, 7), (7, 6), (6, 5), (5, 4), (4, 3), (3, 2), (2, 1), (1, 0)]; }
seq_impl! { first (L0, O0); middle [(L1, O0, O1, 1, 0), (L2, O1, O2, 2, 1), (L3, O2, O3, 3, 2), (L4, O3, O4, 4, 3), (L5, O4, O5, 5, 4), (L6, O5, O6, 6, 5), (L7, O6, O7, 7, 6), (L8, O7, O8, 8, 7), (L9, O8, O9, 9, 8), (L10, O9, O10, 10, 9)]; last (L11, O10, O11, 11, 10); reversed [(10, 9), (9, 8), (8, 7), (7, 6), (6, 5), (5, 4), (4, 3), (3, 2), (2, 1), (1, 0)]; }
seq_impl! { first (L0, O0); middle [(L1, O0, O1, 1, 0), (L2, O1, O2, 2, 1), (L3, O2, O3, 3, 2), (L4, O3, O4, 4, 3), (L5, O4, O5, 5, 4), (L6, O5, O6, 6, 5), (L7, O6, O7, 7, 6), (L8, O7, O8, 8, 7), (L9, O8, O9, 9, 8), (L10, O9, O10, 10, 9), (L11, O10, O11, 11, 10)]; last (L12, O11, O12, 12, 11); reversed [(11, 10), (10, 9), (9, 8), (8, 7), (7, 6), (6, 5), (5, 4), (4, 3), (3, 2), (2, 1), (1, 0)]; }
seq_impl! { first (L0, O0); middle [(L1, O0, O1, 1, 0), (L2, O1, O2, 2, 1), (L3, O2, O3, 3, 2), (L4, O3, O4, 4, 3), (L5, O4, O5, 5, 4), (L6, O5, O6, 6, 5), (L7, O6, O7, 7, 6), (L8, O7, O8, 8, 7), (L9, O8, O9, 9, 8), (L10, O9, O10, 10, 9), (L11, O10, O11, 11, 10), (L12, O11, O12, 12, 11)]; last (L13, O12, O13, 13, 12); reversed [(12, 11), (11, 10), (10, 9), (9, 8), (8, 7), (7, 6), (6, 5), (5, 4), (4, 3), (3, 2), (2, 1), (1, 0)]; }
seq_impl! { first (L0, O0); middle [(L1, O0, O1, 1, 0), (L2, O1, O2, 2, 1), (L3, O2, O3, 3, 2), (L4, O3, O4, 4, 3), (L5, O4, O5, 5, 4), (L6, O5, O6, 6, 5), (L7, O6, O7, 7, 6), (L8, O7, O8, 8, 7), (L9, O8, O9, 9, 8), (L10, O9, O10, 10, 9), (L11, O10, O11, 11, 10), (L12, O11, O12, 12, 11), (L13, O12, O13, 13, 12)]; last (L14, O13, O14, 14, 13); reversed [(13, 12), (12, 11), (11, 10), (10, 9), (9, 8), (8, 7), (7, 6), (6, 5), (5, 4), (4, 3), (3, 2), (2, 1), (1, 0)]; }
seq_impl! { first (L0, O0); middle [(L1, O0, O1, 1, 0), (L2, O1, O2, 2, 1), (L3, O2, O3, 3, 2), (L4, O3, O4, 4, 3), (L5, O4, O5, 5, 4), (L6, O5, O6, 6, 5), (L7, O6, O7, 7, 6), (L8, O7, O8, 8, 7), (L9, O8, O9, 9, 8), (L10, O9, O10, 10, 9), (L11, O10, O11, 11, 10), (L12, O11, O12, 12, 11), (L13, O12, O13, 13, 12), (L14, O13, O14, 14, 13)]; last (L15, O14, O15, 15, 14); reversed [(14, 13), (13, 12), (12, 11), (11, 10), (10, 9), (9, 8), (8, 7), (7, 6), (6, 5), (5, 4), (4, 3), (3, 2), (2, 1), (1, 0)]; }
tuple_params!(0 L0);
tuple_params!(0 L0, 1 L1);
tuple_params!(0 L0, 1 L1, 2 L2);
tuple_params!(0 L0, 1 L1, 2 L2, 3 L3);
tuple_params!(0 L0, 1 L1, 2 L2, 3 L3, 4 L4);
tuple_params!(0 L0, 1 L1, 2 L2, 3 L3, 4 L4, 5 L5);
tuple_params!(0 L0, 1 L1, 2 L2, 3 L3, 4 L4, 5 L5, 6 L6);
tuple_params!(0 L0, 1 L1, 2 L2, 3 L3, 4 L4, 5 L5, 6 L6, 7 L7);
tuple_params!(0 L0, 1 L1, 2 L2, 3 L3, 4 L4, 5 L5, 6 L6, 7 L7, 8 L8);
tuple_params!(0 L0, 1 L1, 2 L2, 3 L3, 4 L4, 5 L5, 6 L6, 7 L7, 8 L8, 9 L9);
tuple_params!(0 L0, 1 L1, 2 L2, 3 L3, 4 L4, 5 L5, 6 L6, 7 L7, 8 L8, 9 L9, 10 L10);
tuple_params!(0 L0, 1 L1, 2 L2, 3 L3, 4 L4, 5 L5, 6 L6, 7 L7, 8 L8, 9 L9, 10 L10, 11 L11);
tuple_params!(0 L0, 1 L1, 2 L2, 3 L3, 4 L4, 5 L5, 6 L6, 7 L7, 8 L8, 9 L9, 10 L10, 11 L11, 12 L12);
tuple_params!(0 L0, 1 L1, 2 L2, 3 L3, 4 L4, 5 L5, 6 L6, 7 L7, 8 L8, 9 L9, 10 L10, 11 L11, 12 L12, 13 L13);
tuple_params!(0 L0, 1 L1, 2 L2, 3 L3, 4 L4, 5 L5, 6 L6, 7 L7, 8 L8, 9 L9, 10 L10, 11 L11, 12 L12, 13 L13, 14 L14);
tuple_params!(0 L0, 1 L1, 2 L2, 3 L3, 4 L4, 5 L5, 6 L6, 7 L7, 8 L8, 9 L9, 10 L10, 11 L11, 12 L12, 13 L13, 14 L14, 15 L15);
