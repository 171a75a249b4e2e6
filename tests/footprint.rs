//! Compile-time footprint consts against the sizes of the real values.

use core::mem::size_of;
use typed_nn::footprint::Footprint;
use typed_nn::prelude::*;
use typed_nn::train::Trainer;

type Small = (Linear<2, 4>, Sigmoid, Linear<4, 1>);
type Deep = (
    Linear<8, 16>,
    ReLU,
    Linear<16, 16>,
    Tanh,
    Linear<16, 4>,
    Softmax,
);
type Image = (
    Flatten<64>,
    Linear<64, 32, f64>,
    Sigmoid,
    Linear<32, 10, f64>,
);

macro_rules! check {
    ($model:ty, $x:ty) => {{
        type C = <$model as Forward<$x>>::Cache;
        type O = <$model as Forward<$x>>::Output;
        assert_eq!(
            <$model as Footprint<$x>>::PARAM_BYTES,
            size_of::<$model>(),
            "parameters"
        );
        assert_eq!(
            <$model as Footprint<$x>>::CACHE_BYTES,
            size_of::<C>(),
            "cache"
        );
        assert_eq!(
            <$model as Footprint<$x>>::OUTPUT_BYTES,
            size_of::<O>(),
            "output"
        );
    }};
}

#[test]
fn consts_equal_the_sizes_of_models_caches_and_outputs() {
    check!(Small, [f32; 2]);
    check!(Small, [[f32; 2]; 32]);
    check!(Deep, [f32; 8]);
    check!(Deep, [[f32; 8]; 5]);
    check!(Image, [[f64; 8]; 8]);
    check!(Image, [[[f64; 8]; 8]; 3]);
    check!(Linear<3, 3>, [f32; 3]);
}

#[test]
fn the_cache_holds_each_inner_activation_and_its_gradient() {
    // Small on one sample: the hidden pre-activation (4) and activation (4), each with its
    // gradient; the output and the input are not cached.
    assert_eq!(<Small as Footprint<[f32; 2]>>::CACHE_BYTES, 2 * (4 + 4) * 4);
}

macro_rules! check_trainer {
    ($model:ty, $x:ty, $opt:ty) => {{
        type T = Trainer<$model, $x, $opt>;
        // The trainer holds the working set plus the optimizer's settings and its counters
        // (steps and updates, `u64`, and epochs, `usize`).
        let settings =
            size_of::<$opt>() - <$opt as Optimizer<$model>>::STATE_COPIES * size_of::<$model>();
        let counters = 2 * size_of::<u64>() + size_of::<usize>();
        assert_eq!(size_of::<T>(), T::STEP_BYTES + settings + counters);
    }};
}

#[test]
fn step_bytes_is_the_trainers_working_set() {
    check_trainer!(Small, [f32; 2], Sgd<f32>);
    check_trainer!(Small, [[f32; 2]; 4], SgdMomentum<Small, f32>);
    check_trainer!(Deep, [[f32; 8]; 16], Adam<Deep, f32>);
}

#[test]
fn a_ram_budget_can_be_asserted_at_compile_time() {
    const BUDGET: usize = 1024;
    const NEEDED: usize =
        <Small as Footprint<[f32; 2]>>::PARAM_BYTES + Trainer::<Small, [f32; 2], Sgd>::STEP_BYTES;
    const _: () = assert!(NEEDED <= BUDGET);
    assert_eq!(NEEDED, 17 * 4 + (64 + 17 * 4 + 8));
}
