//! The parameter tensors of a model as PyTorch names and shapes them, for formats that store
//! tensors by name (safetensors).

/// One parameter tensor of a layer: its name within the layer (`weight`, `bias`) and shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TensorShape {
    /// The name PyTorch gives it inside its module.
    pub name: &'static str,
    dims: [usize; 2],
    rank: usize,
}

impl TensorShape {
    /// A tensor of one or two dimensions (a layer of this crate has no more).
    ///
    /// # Panics
    /// With no dimension or more than two: the crate's own layers never ask for that.
    pub const fn new(name: &'static str, dims: &[usize]) -> Self {
        assert!(!dims.is_empty() && dims.len() <= 2, "one or two dimensions");
        let second = if dims.len() == 2 { dims[1] } else { 0 };
        TensorShape {
            name,
            dims: [dims[0], second],
            rank: dims.len(),
        }
    }

    /// The dimensions, outermost first.
    pub fn dims(&self) -> &[usize] {
        &self.dims[..self.rank]
    }

    /// The number of values.
    pub fn len(&self) -> usize {
        self.dims().iter().product()
    }

    /// True when it holds no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A layer or model whose parameters are named tensors, as in PyTorch.
///
/// Implemented for every layer of this crate and for tuples of them: `Linear` holds `weight`
/// (`[out, in]`) and `bias` (`[out]`); activations and `Flatten` hold none.
///
/// ```
/// use typed_nn::{io::Tensors, Linear, Sigmoid};
/// let mut seen = Vec::new();
/// <(Linear<4, 8>, Sigmoid, Linear<8, 1>)>::tensors(&mut |_layer, tensors| {
///     seen.push(tensors.iter().map(|t| (t.name, t.dims().to_vec())).collect::<Vec<_>>());
/// });
/// assert_eq!(seen[0], [("weight", vec![8, 4]), ("bias", vec![8])]);
/// assert!(seen[1].is_empty()); // the sigmoid: PyTorch's `nn.Sequential` numbers it too
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not describe its tensors for safetensors",
    label = "not a model of this crate's layers",
    note = "every layer of the crate and every tuple of at most 16 layers describes its tensors; a layer written by hand implements `Tensors`; a boxed model is passed as `&mut *model` or `&*model`"
)]
pub trait Tensors {
    /// Calls `layer` once per layer, first to last, with the layer's type name (as
    /// `core::any::type_name` gives it) and its tensors in [`Params`](crate::Params) order.
    fn tensors(layer: &mut dyn FnMut(&'static str, &[TensorShape]));
}
