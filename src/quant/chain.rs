//! Tuples of int8 layers are int8 models, and tuples of quantizable float layers quantize
//! layer by layer, each layer's output quantization becoming the next one's input.

use super::layers::QInt;
use super::layers::{QuantParams, QuantizedForward};
use super::{Granularity, Quantize, Range};
use crate::tensor::Tensor;

impl<X, L0: QuantizedForward<X>> QuantizedForward<X> for (L0,) {
    type Output = L0::Output;

    #[inline]
    fn infer(&self, x: &X) -> L0::Output {
        self.0.infer(x)
    }
}

impl<X, L0: Quantize<X>> Quantize<X> for (L0,) {
    type Quantized<G: Granularity, E: QInt> = (L0::Quantized<G, E>,);
    type Takes = L0::Takes;
    type Ranges = (L0::Ranges,);
    const EMPTY: Self::Ranges = (L0::EMPTY,);
    const USEFUL_INPUT: Range = L0::USEFUL_INPUT;

    fn observe(&self, x: &X, ranges: &mut Self::Ranges) -> L0::Output {
        self.0.observe(x, &mut ranges.0)
    }

    fn quantize<G: Granularity, E: QInt>(
        &self,
        ranges: &Self::Ranges,
        input: QuantParams,
        next: Range,
    ) -> (Self::Quantized<G, E>, QuantParams) {
        let (q, output) = self.0.quantize::<G, E>(&ranges.0, input, next);
        ((q,), output)
    }
}

/// Implements [`QuantizedForward`] and [`Quantize`] for one tuple arity, where layer `k`
/// takes `I_k` to `O_k` and is followed by `N_k`.
macro_rules! quant_chain {
    (
        first ($L0:ident, $O0:ident, $N0:ident);
        middle [$(($Lm:ident, $Im:ident, $Om:ident, $m:tt, $pm:tt, $Nm:ident)),*];
        last ($Ll:ident, $Il:ident, $Ol:ident, $l:tt, $pl:tt);
    ) => {
        impl<X, $L0, $O0, $($Lm, $Om,)* $Ll, $Ol> QuantizedForward<X> for ($L0, $($Lm,)* $Ll)
        where
            $L0: QuantizedForward<X, Output = $O0>,
            $($Lm: QuantizedForward<$Im, Output = $Om>,)*
            $Ll: QuantizedForward<$Il, Output = $Ol>,
        {
            type Output = $Ol;

            #[inline]
            fn infer(&self, x: &X) -> $Ol {
                let y = self.0.infer(x);
                $(let y = self.$m.infer(&y);)*
                self.$l.infer(&y)
            }
        }

        impl<X, $L0, $O0, $($Lm, $Om,)* $Ll, $Ol> Quantize<X> for ($L0, $($Lm,)* $Ll)
        where
            $L0: Quantize<X, Output = $O0>,
            $($Lm: Quantize<$Im, Output = $Om>,)*
            $Ll: Quantize<$Il, Output = $Ol>,
            $O0: Tensor,
            $($Om: Tensor,)*
            $Ol: Tensor,
        {
            // Each layer hands the next the integers that one takes.
            type Quantized<G: Granularity, E: QInt> = (
                <$L0 as Quantize<X>>::Quantized<G, <$N0 as Quantize<$O0>>::Takes>,
                $(<$Lm as Quantize<$Im>>::Quantized<G, <$Nm as Quantize<$Om>>::Takes>,)*
                <$Ll as Quantize<$Il>>::Quantized<G, E>,
            );
            type Takes = <$L0 as Quantize<X>>::Takes;
            type Ranges = (
                <$L0 as Quantize<X>>::Ranges,
                $(<$Lm as Quantize<$Im>>::Ranges,)*
                <$Ll as Quantize<$Il>>::Ranges,
            );
            const USEFUL_INPUT: Range = <$L0 as Quantize<X>>::USEFUL_INPUT;
            const EMPTY: Self::Ranges = (
                <$L0 as Quantize<X>>::EMPTY,
                $(<$Lm as Quantize<$Im>>::EMPTY,)*
                <$Ll as Quantize<$Il>>::EMPTY,
            );

            fn observe(&self, x: &X, ranges: &mut Self::Ranges) -> $Ol {
                let y = self.0.observe(x, &mut ranges.0);
                $(let y = self.$m.observe(&y, &mut ranges.$m);)*
                self.$l.observe(&y, &mut ranges.$l)
            }

            fn quantize<G: Granularity, E: QInt>(
                &self,
                ranges: &Self::Ranges,
                input: QuantParams,
                next: Range,
            ) -> (Self::Quantized<G, E>, QuantParams) {
                // Tuple fields are evaluated left to right: each layer's output parameters
                // are the next one's input parameters, and each layer's output covers at
                // most what the next one can tell apart.
                let mut params = input;
                let model = (
                    {
                        let useful = <$N0 as Quantize<$O0>>::USEFUL_INPUT;
                        let (q, out) = self.0.quantize::<G, <$N0 as Quantize<$O0>>::Takes>(&ranges.0, params, useful);
                        params = out;
                        q
                    },
                    $({
                        let useful = <$Nm as Quantize<$Om>>::USEFUL_INPUT;
                        let (q, out) = self.$m.quantize::<G, <$Nm as Quantize<$Om>>::Takes>(&ranges.$m, params, useful);
                        params = out;
                        q
                    },)*
                    {
                        let (q, out) = self.$l.quantize::<G, E>(&ranges.$l, params, next);
                        params = out;
                        q
                    },
                );
                (model, params)
            }
        }
    };
}

quant_chain! { first (L0, O0, L1); middle []; last (L1, O0, O1, 1, 0); }
quant_chain! { first (L0, O0, L1); middle [(L1, O0, O1, 1, 0, L2)]; last (L2, O1, O2, 2, 1); }
quant_chain! { first (L0, O0, L1); middle [(L1, O0, O1, 1, 0, L2), (L2, O1, O2, 2, 1, L3)]; last (L3, O2, O3, 3, 2); }
quant_chain! { first (L0, O0, L1); middle [(L1, O0, O1, 1, 0, L2), (L2, O1, O2, 2, 1, L3), (L3, O2, O3, 3, 2, L4)]; last (L4, O3, O4, 4, 3); }
quant_chain! { first (L0, O0, L1); middle [(L1, O0, O1, 1, 0, L2), (L2, O1, O2, 2, 1, L3), (L3, O2, O3, 3, 2, L4), (L4, O3, O4, 4, 3, L5)]; last (L5, O4, O5, 5, 4); }
quant_chain! { first (L0, O0, L1); middle [(L1, O0, O1, 1, 0, L2), (L2, O1, O2, 2, 1, L3), (L3, O2, O3, 3, 2, L4), (L4, O3, O4, 4, 3, L5), (L5, O4, O5, 5, 4, L6)]; last (L6, O5, O6, 6, 5); }
quant_chain! { first (L0, O0, L1); middle [(L1, O0, O1, 1, 0, L2), (L2, O1, O2, 2, 1, L3), (L3, O2, O3, 3, 2, L4), (L4, O3, O4, 4, 3, L5), (L5, O4, O5, 5, 4, L6), (L6, O5, O6, 6, 5, L7)]; last (L7, O6, O7, 7, 6); }
quant_chain! { first (L0, O0, L1); middle [(L1, O0, O1, 1, 0, L2), (L2, O1, O2, 2, 1, L3), (L3, O2, O3, 3, 2, L4), (L4, O3, O4, 4, 3, L5), (L5, O4, O5, 5, 4, L6), (L6, O5, O6, 6, 5, L7), (L7, O6, O7, 7, 6, L8)]; last (L8, O7, O8, 8, 7); }
quant_chain! { first (L0, O0, L1); middle [(L1, O0, O1, 1, 0, L2), (L2, O1, O2, 2, 1, L3), (L3, O2, O3, 3, 2, L4), (L4, O3, O4, 4, 3, L5), (L5, O4, O5, 5, 4, L6), (L6, O5, O6, 6, 5, L7), (L7, O6, O7, 7, 6, L8), (L8, O7, O8, 8, 7, L9)]; last (L9, O8, O9, 9, 8); }
quant_chain! { first (L0, O0, L1); middle [(L1, O0, O1, 1, 0, L2), (L2, O1, O2, 2, 1, L3), (L3, O2, O3, 3, 2, L4), (L4, O3, O4, 4, 3, L5), (L5, O4, O5, 5, 4, L6), (L6, O5, O6, 6, 5, L7), (L7, O6, O7, 7, 6, L8), (L8, O7, O8, 8, 7, L9), (L9, O8, O9, 9, 8, L10)]; last (L10, O9, O10, 10, 9); }
quant_chain! { first (L0, O0, L1); middle [(L1, O0, O1, 1, 0, L2), (L2, O1, O2, 2, 1, L3), (L3, O2, O3, 3, 2, L4), (L4, O3, O4, 4, 3, L5), (L5, O4, O5, 5, 4, L6), (L6, O5, O6, 6, 5, L7), (L7, O6, O7, 7, 6, L8), (L8, O7, O8, 8, 7, L9), (L9, O8, O9, 9, 8, L10), (L10, O9, O10, 10, 9, L11)]; last (L11, O10, O11, 11, 10); }
quant_chain! { first (L0, O0, L1); middle [(L1, O0, O1, 1, 0, L2), (L2, O1, O2, 2, 1, L3), (L3, O2, O3, 3, 2, L4), (L4, O3, O4, 4, 3, L5), (L5, O4, O5, 5, 4, L6), (L6, O5, O6, 6, 5, L7), (L7, O6, O7, 7, 6, L8), (L8, O7, O8, 8, 7, L9), (L9, O8, O9, 9, 8, L10), (L10, O9, O10, 10, 9, L11), (L11, O10, O11, 11, 10, L12)]; last (L12, O11, O12, 12, 11); }
quant_chain! { first (L0, O0, L1); middle [(L1, O0, O1, 1, 0, L2), (L2, O1, O2, 2, 1, L3), (L3, O2, O3, 3, 2, L4), (L4, O3, O4, 4, 3, L5), (L5, O4, O5, 5, 4, L6), (L6, O5, O6, 6, 5, L7), (L7, O6, O7, 7, 6, L8), (L8, O7, O8, 8, 7, L9), (L9, O8, O9, 9, 8, L10), (L10, O9, O10, 10, 9, L11), (L11, O10, O11, 11, 10, L12), (L12, O11, O12, 12, 11, L13)]; last (L13, O12, O13, 13, 12); }
quant_chain! { first (L0, O0, L1); middle [(L1, O0, O1, 1, 0, L2), (L2, O1, O2, 2, 1, L3), (L3, O2, O3, 3, 2, L4), (L4, O3, O4, 4, 3, L5), (L5, O4, O5, 5, 4, L6), (L6, O5, O6, 6, 5, L7), (L7, O6, O7, 7, 6, L8), (L8, O7, O8, 8, 7, L9), (L9, O8, O9, 9, 8, L10), (L10, O9, O10, 10, 9, L11), (L11, O10, O11, 11, 10, L12), (L12, O11, O12, 12, 11, L13), (L13, O12, O13, 13, 12, L14)]; last (L14, O13, O14, 14, 13); }
quant_chain! { first (L0, O0, L1); middle [(L1, O0, O1, 1, 0, L2), (L2, O1, O2, 2, 1, L3), (L3, O2, O3, 3, 2, L4), (L4, O3, O4, 4, 3, L5), (L5, O4, O5, 5, 4, L6), (L6, O5, O6, 6, 5, L7), (L7, O6, O7, 7, 6, L8), (L8, O7, O8, 8, 7, L9), (L9, O8, O9, 9, 8, L10), (L10, O9, O10, 10, 9, L11), (L11, O10, O11, 11, 10, L12), (L12, O11, O12, 12, 11, L13), (L13, O12, O13, 13, 12, L14), (L14, O13, O14, 14, 13, L15)]; last (L15, O14, O15, 15, 14); }
