//! The batch a trainer's [`epoch`](super::Trainer::epoch) and [`fit`](super::Trainer::fit)
//! cut their data into.

use core::borrow::Borrow;

/// A batch of samples, `[S; B]`: the input type a [`Trainer`](super::Trainer) is named with to
/// train over a data set (`Trainer::<Net, [[f32; 4]; 32], _>` for batches of 32 samples of 4
/// features). It cuts slices of samples and of targets into the steps of an epoch.
///
/// Implemented for every array and for nothing else. [`epoch`](super::Trainer::epoch) and
/// [`fit`](super::Trainer::fit) ask for it, rather than for an array `[S; B]`, so that a
/// trainer whose batch size was never named is one error ("type annotations needed") at the
/// trainer's declaration, not one for every rule that needs the batch size.
pub trait Batch: Sized + sealed::Sealed {
    /// One sample: `S` of `[S; B]`.
    type Sample;
    /// As many `T`s as the batch has samples, `[T; B]`: the targets of one step.
    type Of<T>;
    /// The number of samples, `B`.
    const SIZE: usize;

    /// `items` cut into whole batches, and the items left over (fewer than a batch).
    #[doc(hidden)]
    fn split<T>(items: &[T]) -> (&[Self::Of<T>], &[T]);

    /// `samples` cut into whole batches, and the samples left over (fewer than a batch).
    #[doc(hidden)]
    fn split_samples(samples: &[Self::Sample]) -> (&[Self], &[Self::Sample]);

    /// A whole batch of the items left over (not empty), repeated in order until it is full.
    #[doc(hidden)]
    fn fill<T: Copy>(tail: &[T]) -> impl Borrow<Self::Of<T>>;

    /// [`fill`](Self::fill) for samples.
    #[doc(hidden)]
    fn fill_samples(tail: &[Self::Sample]) -> impl Borrow<Self>
    where
        Self::Sample: Copy;
}

impl<S, const B: usize> Batch for [S; B] {
    type Sample = S;
    type Of<T> = [T; B];
    const SIZE: usize = B;

    fn split<T>(items: &[T]) -> (&[[T; B]], &[T]) {
        items.as_chunks::<B>()
    }

    fn split_samples(samples: &[S]) -> (&[[S; B]], &[S]) {
        samples.as_chunks::<B>()
    }

    fn fill<T: Copy>(tail: &[T]) -> impl Borrow<[T; B]> {
        filled::<T, B>(tail)
    }

    fn fill_samples(tail: &[S]) -> impl Borrow<[S; B]>
    where
        S: Copy,
    {
        filled::<S, B>(tail)
    }
}

mod sealed {
    pub trait Sealed {}
    impl<S, const B: usize> Sealed for [S; B] {}
}

/// A batch of the last samples of a data set, which do not fill one: repeated in order until
/// it is full (`tail` is not empty). On the heap with an allocator: a batch of 256 samples
/// of 784 features is 784 KiB, which a thread's stack (2 MiB, less with a debug build's
/// copies) need not hold beside the rest; on the stack without one, where batches are small.
#[cfg(feature = "alloc")]
fn filled<T: Copy, const B: usize>(tail: &[T]) -> alloc::boxed::Box<[T; B]> {
    let batch: alloc::vec::Vec<T> = (0..B).map(|i| tail[i % tail.len()]).collect();
    match batch.into_boxed_slice().try_into() {
        Ok(batch) => batch,
        Err(_) => unreachable!("a batch of B values"),
    }
}

/// [`filled`] without an allocator.
#[cfg(not(feature = "alloc"))]
fn filled<T: Copy, const B: usize>(tail: &[T]) -> [T; B] {
    core::array::from_fn(|i| tail[i % tail.len()])
}
