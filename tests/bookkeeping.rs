//! A layer written by hand whose parameter bookkeeping disagrees with itself is caught where
//! it would otherwise be checked, saved or trained only in part: `gradcheck` panics naming the
//! counts, and the safetensors writer refuses.

use typed_nn::io::TensorShape;
use typed_nn::io::safetensors::{self as st, SafetensorsError};
use typed_nn::prelude::*;

/// `y = a * x + b`, feature by feature. `WALK_B` false leaves `b` out of the walks, as a slip
/// in a hand-written layer would; `LIST_B` false leaves it out of the tensors.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Scale<const WALK_B: bool, const LIST_B: bool> {
    a: [f64; 3],
    b: [f64; 3],
}

impl<const W: bool, const L: bool> Zero for Scale<W, L> {
    const ZERO: Self = Scale {
        a: [0.0; 3],
        b: [0.0; 3],
    };
}

impl<const W: bool, const L: bool> ParamCount for Scale<W, L> {
    const PARAM_COUNT: usize = 6;
}

impl<const W: bool, const L: bool> Params<f64> for Scale<W, L> {
    fn visit(&self, f: &mut impl FnMut(&[f64])) {
        f(&self.a);
        if W {
            f(&self.b);
        }
    }
    fn visit_mut(&mut self, f: &mut impl FnMut(&mut [f64])) {
        f(&mut self.a);
        if W {
            f(&mut self.b);
        }
    }
    fn zip_mut<const K: usize>(
        &mut self,
        mut others: [&mut Self; K],
        f: &mut impl FnMut(&mut [f64], [&mut [f64]; K]),
    ) {
        f(&mut self.a, others.each_mut().map(|o| &mut o.a[..]));
        if W {
            f(&mut self.b, others.each_mut().map(|o| &mut o.b[..]));
        }
    }
}

impl<const W: bool, const L: bool> Forward<[f64; 3]> for Scale<W, L> {
    type Output = [f64; 3];
    type Cache = ();
    const CACHE_FLOATS: usize = 0;
    fn infer(&self, x: &[f64; 3]) -> [f64; 3] {
        core::array::from_fn(|i| self.a[i] * x[i] + self.b[i])
    }
    fn forward(&self, x: &[f64; 3], out: &mut [f64; 3], _: &mut ()) {
        *out = self.infer(x);
    }
}

impl<const W: bool, const L: bool> Backward<[f64; 3]> for Scale<W, L> {
    fn backward(
        &self,
        x: &[f64; 3],
        _: &[f64; 3],
        d_out: &[f64; 3],
        _: &mut (),
        grads: &mut Self,
        d_x: Option<&mut [f64; 3]>,
    ) {
        for i in 0..3 {
            grads.a[i] += d_out[i] * x[i];
            grads.b[i] += d_out[i];
        }
        if let Some(d_x) = d_x {
            *d_x = core::array::from_fn(|i| d_out[i] * self.a[i]);
        }
    }
}

impl<const W: bool, const L: bool> typed_nn::io::Tensors for Scale<W, L> {
    fn tensors(layer: &mut dyn FnMut(&'static str, &[TensorShape])) {
        let (a, b) = (
            TensorShape::new("weight", &[3]),
            TensorShape::new("bias", &[3]),
        );
        let name = core::any::type_name::<Self>();
        if L {
            layer(name, &[a, b])
        } else {
            layer(name, &[a])
        }
    }
}

const X: [f64; 3] = [0.5, -1.0, 2.0];
const T: [f64; 3] = [1.0, 0.0, -1.0];

#[test]
fn a_consistent_layer_is_checked_in_full() {
    let mut layer = Scale::<true, true> {
        a: [1.0, 2.0, 3.0],
        b: [0.1, 0.2, 0.3],
    };
    let report = typed_nn::gradcheck::gradcheck(&mut layer, &X, &T, &Mse);
    assert_eq!(report.checked, 6 + 3);
    assert!(report.worst_error < 1e-8, "{report:?}");
    assert!(st::to_bytes_named(&layer, st::Naming::Sequential).is_ok());
}

#[test]
#[should_panic(expected = "PARAM_COUNT is 6, while `visit` walks 3")]
fn a_layer_whose_walks_leave_a_parameter_out_fails_its_gradient_check() {
    let mut layer = Scale::<false, true> {
        a: [1.0, 2.0, 3.0],
        b: [0.1, 0.2, 0.3],
    };
    let _ = typed_nn::gradcheck::gradcheck(&mut layer, &X, &T, &Mse);
}

#[test]
fn a_layer_whose_tensors_leave_a_parameter_out_is_not_saved() {
    let layer = Scale::<true, false> {
        a: [1.0, 2.0, 3.0],
        b: [0.1, 0.2, 0.3],
    };
    assert_eq!(
        st::to_bytes_named(&layer, st::Naming::Sequential),
        Err(SafetensorsError::Bookkeeping {
            tensors: 3,
            params: 6
        })
    );
    let path = std::env::temp_dir().join(format!("typed-nn-bookkeeping-{}.st", std::process::id()));
    let err = st::save(&path, &layer).unwrap_err();
    assert!(
        err.to_string()
            .contains("tensors hold 3 values but its parameters are 6"),
        "{err}"
    );
    assert!(!path.exists());
}

/// [`Scale`] whose `visit_mut` walks its two slices in the other order: the same counts and
/// lengths, other memory at each position.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Swapped(Scale<true, true>);

impl Zero for Swapped {
    const ZERO: Self = Swapped(Scale::ZERO);
}

impl ParamCount for Swapped {
    const PARAM_COUNT: usize = 6;
}

impl Params<f64> for Swapped {
    fn visit(&self, f: &mut impl FnMut(&[f64])) {
        self.0.visit(f)
    }
    fn visit_mut(&mut self, f: &mut impl FnMut(&mut [f64])) {
        f(&mut self.0.b);
        f(&mut self.0.a);
    }
    fn zip_mut<const K: usize>(
        &mut self,
        others: [&mut Self; K],
        f: &mut impl FnMut(&mut [f64], [&mut [f64]; K]),
    ) {
        self.0.zip_mut(others.map(|o| &mut o.0), f)
    }
}

impl Forward<[f64; 3]> for Swapped {
    type Output = [f64; 3];
    type Cache = ();
    const CACHE_FLOATS: usize = 0;
    fn infer(&self, x: &[f64; 3]) -> [f64; 3] {
        self.0.infer(x)
    }
    fn forward(&self, x: &[f64; 3], out: &mut [f64; 3], _: &mut ()) {
        *out = self.infer(x);
    }
}

impl Backward<[f64; 3]> for Swapped {
    fn backward(
        &self,
        x: &[f64; 3],
        out: &[f64; 3],
        d_out: &[f64; 3],
        cache: &mut (),
        grads: &mut Self,
        d_x: Option<&mut [f64; 3]>,
    ) {
        self.0.backward(x, out, d_out, cache, &mut grads.0, d_x)
    }
}

#[test]
#[should_panic(expected = "the same slices of the model in the same order")]
fn a_layer_whose_walks_disagree_in_order_fails_its_gradient_check() {
    // Same counts, same lengths: only where each slice lies tells the walks apart, and
    // without the check the finite differences would write `a`'s values into `b`.
    let mut layer = Swapped(Scale {
        a: [1.0, 2.0, 3.0],
        b: [0.1, 0.2, 0.3],
    });
    typed_nn::gradcheck::gradcheck(&mut layer, &X, &T, &Mse);
}
