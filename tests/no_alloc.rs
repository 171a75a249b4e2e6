//! A training step (forward, loss, backward, optimizer) and an inference allocate nothing, in
//! every benchmark workload: a counting global allocator proves it. The first step is not
//! counted: there each thread that runs a product blocked for the caches (W3's) allocates the
//! scratch space it keeps.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use rand::SeedableRng;
use rand::rngs::SmallRng;
use typed_nn::boxed::{ZeroBits, zeroed};
use typed_nn::prelude::*;

/// Counts allocations made by the current thread while it is armed; other test threads
/// allocate freely without disturbing the count.
struct Counting;

thread_local! {
    static ARMED: Cell<bool> = const { Cell::new(false) };
    static COUNT: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: defers every operation to the system allocator; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if ARMED.with(Cell::get) {
            COUNT.with(|c| c.set(c.get() + 1));
        }
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if ARMED.with(Cell::get) {
            COUNT.with(|c| c.set(c.get() + 1));
        }
        // SAFETY: forwarded unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// How many allocations `f` makes on this thread.
fn allocations(f: impl FnOnce()) -> usize {
    COUNT.with(|c| c.set(0));
    ARMED.with(|a| a.set(true));
    f();
    ARMED.with(|a| a.set(false));
    COUNT.with(Cell::get)
}

#[test]
fn the_counter_sees_allocations() {
    assert_eq!(allocations(|| drop(std::hint::black_box(vec![1u8; 10]))), 1);
}

#[test]
fn w1_tiny_sgd_step_and_inference() {
    type Net = (Linear<2, 16>, Sigmoid, Linear<16, 1>);
    let mut rng = SmallRng::seed_from_u64(1);
    let mut net: Net = (Linear::glorot(&mut rng), Sigmoid, Linear::glorot(&mut rng));
    let mut trainer = Trainer::new(Sgd::new(0.5));
    let step = |net: &mut Net, trainer: &mut Trainer<Net, [f32; 2], Sgd>| {
        trainer.step(net, &[0.3, 0.7], &[0.4], &Mse).unwrap();
    };
    step(&mut net, &mut trainer);
    assert_eq!(allocations(|| step(&mut net, &mut trainer)), 0);
    assert_eq!(
        allocations(|| {
            std::hint::black_box(net.infer(&[0.3, 0.7]));
        }),
        0
    );
}

/// Allocations of one Adam step of a classifier on a batch, after a first step has run.
fn adam_step_allocations<Net, const D: usize, const B: usize>(scheme: Scheme) -> usize
where
    Net: Backward<[[f32; D]; B], Output = [[f32; 10]; B]> + Params<f32> + ZeroBits + Init,
    <Net as Forward<[[f32; D]; B]>>::Cache: ZeroBits,
{
    let mut net: Box<Net> = zeroed();
    net.init(scheme, &mut SmallRng::seed_from_u64(D as u64));
    let mut trainer = Trainer::<Net, [[f32; D]; B], _>::boxed(Adam::boxed(1e-3));
    let mut x: Box<[[f32; D]; B]> = zeroed();
    let pixels = x.iter_mut().flatten().enumerate();
    pixels.for_each(|(i, v)| *v = (i % 7) as f32 / 7.0);
    let classes = core::array::from_fn(|i| i % 10);
    let mut step = || {
        let loss = trainer.step(&mut net, &x, &classes, &SoftmaxCrossEntropy);
        assert!(loss.is_ok());
    };
    step();
    allocations(step)
}

#[test]
fn w2_small_adam_batch_step() {
    type Net = (Linear<64, 32>, Sigmoid, Linear<32, 10>);
    assert_eq!(adam_step_allocations::<Net, 64, 32>(Scheme::Glorot), 0);
}

#[test]
fn w3_medium_adam_batch_step() {
    type Net = (Linear<784, 256>, ReLU, Linear<256, 10>);
    assert_eq!(adam_step_allocations::<Net, 784, 64>(Scheme::He), 0);
}

#[test]
fn w4_inference() {
    type Net = (Linear<64, 32>, Sigmoid, Linear<32, 10>);
    let mut net: Net = Net::ZERO;
    net.init(Scheme::Glorot, &mut SmallRng::seed_from_u64(4));
    let x = [0.5f32; 64];
    let _ = net.infer(&x);
    assert_eq!(
        allocations(|| {
            std::hint::black_box(net.infer(&x));
        }),
        0
    );
}
