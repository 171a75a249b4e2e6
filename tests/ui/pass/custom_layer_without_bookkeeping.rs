// The corrected twin of `fail/custom_layer_without_bookkeeping.rs`: `parameterless!` writes
// the bookkeeping (`Params` and its companions) of a layer without parameters.
use typed_nn::prelude::*;

#[derive(Clone, Copy, Debug)]
struct Square;

typed_nn::parameterless!(Square);

impl Zero for Square {
    const ZERO: Self = Square;
}

impl<T: Tensor> Forward<T> for Square {
    type Output = T;
    type Cache = ();
    const CACHE_FLOATS: usize = 0;
    fn infer(&self, x: &T) -> T {
        let mut y = T::ZERO;
        self.forward(x, &mut y, &mut ());
        y
    }
    fn forward(&self, x: &T, out: &mut T, _: &mut ()) {
        for (y, &x) in out.flat_mut().iter_mut().zip(x.flat()) {
            *y = x * x;
        }
    }
}

impl<T: Tensor> Backward<T> for Square {
    fn backward(&self, x: &T, _: &T, d_out: &T, _: &mut (), _: &mut Self, d_x: Option<&mut T>) {
        let Some(d_x) = d_x else { return };
        let (x, d_out) = (x.flat(), d_out.flat());
        for (i, d) in d_x.flat_mut().iter_mut().enumerate() {
            *d = (x[i] + x[i]) * d_out[i];
        }
    }
}

fn main() {
    let mut net = (Linear::<2, 8>::ZERO, Square, Linear::<8, 1>::ZERO);
    let mut trainer = Trainer::new(Adam::new(0.01));
    let _ = trainer.step(&mut net, &[0.0, 1.0], &[1.0], &Mse);
}
