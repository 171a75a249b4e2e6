//! What a model is made of, for people: a summary table ([`summary`]) and its forward and
//! backward computation graph in Graphviz DOT ([`graph`]).
//!
//! Both are computed from the model's type alone (layer types, shapes and parameter counts
//! are all known at compile time) and print without allocating.
//!
//! ```
//! use typed_nn::{describe::summary, Linear, Sigmoid};
//! let net = (Linear::<4, 16>::ZERO, Sigmoid, Linear::<16, 3>::ZERO);
//! let text = summary::<[f32; 4], _>(&net).to_string();
//! assert!(text.starts_with(
//! "| layer         | input     | output    | parameters |
//! |---------------|-----------|-----------|-----------:|
//! | Linear<4, 16> | [f32; 4]  | [f32; 16] |         80 |
//! | Sigmoid       | [f32; 16] | [f32; 16] |          0 |
//! | Linear<16, 3> | [f32; 16] | [f32; 3]  |         51 |
//! 131 parameters, 524 bytes"));
//! # use typed_nn::Zero;
//! ```

use core::fmt::{self, Display, Write};
use core::marker::PhantomData;

use crate::float::Float;
use crate::module::{Forward, ParamCount};
use crate::tensor::Tensor;

/// One layer as [`summary`] and [`graph`] show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LayerInfo {
    /// The layer's type as the compiler names it (`core::any::type_name`); printed without
    /// module paths.
    pub layer: &'static str,
    /// The type of the input it takes.
    pub input: &'static str,
    /// The type of the output it gives.
    pub output: &'static str,
    /// Floats in the input.
    pub input_len: usize,
    /// Floats in the output.
    pub output_len: usize,
    /// Trainable parameters.
    pub params: usize,
    /// Bytes of one float of the output.
    pub float_bytes: usize,
}

impl LayerInfo {
    /// The description of layer `L` taking `X`.
    pub fn of<L: Forward<X> + ParamCount, X>() -> Self {
        LayerInfo {
            layer: core::any::type_name::<L>(),
            input: core::any::type_name::<X>(),
            output: core::any::type_name::<L::Output>(),
            input_len: core::mem::size_of::<X>()
                / <<L::Output as Tensor>::Elem as Float>::BYTES.max(1),
            output_len: <L::Output as Tensor>::LEN,
            params: L::PARAM_COUNT,
            float_bytes: <<L::Output as Tensor>::Elem as Float>::BYTES,
        }
    }
}

/// A layer or model that can list its layers, in order, for [`summary`] and [`graph`].
///
/// Every layer of this crate and every tuple of such layers implements it. A layer of your
/// own opts in with an empty impl, which describes it as one layer:
///
/// ```
/// # use typed_nn::{Forward, ParamCount, describe::Describe, Tensor};
/// # struct Double;
/// # impl<T: Tensor> Forward<T> for Double {
/// #     type Output = T; type Cache = (); const CACHE_FLOATS: usize = 0;
/// #     fn infer(&self, x: &T) -> T { *x }
/// #     fn forward(&self, x: &T, out: &mut T, _: &mut ()) { *out = *x }
/// # }
/// # impl ParamCount for Double { const PARAM_COUNT: usize = 0; }
/// impl<T: Tensor> Describe<T> for Double {}
/// ```
pub trait Describe<X>: Forward<X> + ParamCount {
    /// Values among [`ParamCount::PARAM_COUNT`] that are fitted to data rather than learned,
    /// and that no optimizer updates: a [`Standardizer`](crate::data::Standardizer)'s means
    /// and deviations. A model holding any has no backward pass, so it does not train, and
    /// [`summary`] says so in place of a training step's memory. Zero for every other layer;
    /// a tuple's is the sum of its layers'.
    const FITTED_PARAMS: usize = 0;

    /// Calls `visit` with each layer, first to last.
    fn describe(visit: &mut dyn FnMut(&LayerInfo))
    where
        Self: Sized,
    {
        visit(&LayerInfo::of::<Self, X>());
    }
}

/// Writes a type name without its module paths: `typed_nn::layers::linear::Linear<4, 16, f32>`
/// as `Linear<4, 16, f32>`.
pub(crate) struct Short(pub(crate) &'static str);

impl Display for Short {
    /// Written in pieces, so it pads itself to the formatter's width (left-aligned).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(wide) = f.width() {
            write!(f, "{}", Short(self.0))?;
            return (width(Short(self.0))..wide).try_for_each(|_| f.write_char(' '));
        }
        let mut rest = self.0;
        while !rest.is_empty() {
            // The identifier (or path segment) at the start, if any.
            let ident = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            if ident > 0 && rest[ident..].starts_with("::") {
                rest = &rest[ident + 2..];
                continue;
            }
            let end = if ident > 0 { ident } else { 1 };
            let end = rest.ceil_char_boundary(end);
            f.write_str(&rest[..end])?;
            rest = &rest[end..];
        }
        Ok(())
    }
}

/// The width of `value` when printed.
fn width(value: impl Display) -> usize {
    struct Count(usize);
    impl Write for Count {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            self.0 += s.chars().count();
            Ok(())
        }
    }
    let mut count = Count(0);
    // Counting cannot fail.
    let _ = write!(count, "{value}");
    count.0
}

/// A summary of model `M` taking `X`, as Keras' `summary()` prints one: one row per layer
/// with its type, input and output shapes and parameters, then the totals and the memory of
/// inference and of one training step (for a model that holds fitted values, such as a
/// scaler in front, and so does not train, the fitted count and a line that says so).
pub struct Summary<M, X> {
    /// [`table`] for `M` and `X`, chosen where the summary is made: printing it then asks
    /// nothing of `M`, so that an input type left out is reported at [`summary`] alone (one
    /// error per layer that needs it), not again where the summary is printed.
    table: fn(&mut fmt::Formatter<'_>) -> fmt::Result,
    model: PhantomData<fn(&M, &X)>,
}

/// The summary of `model` for input `X` (a sample or a batch), which prints as a table.
pub fn summary<X, M: Describe<X>>(model: &M) -> Summary<M, X> {
    let _ = model;
    Summary {
        table: table::<M, X>,
        model: PhantomData,
    }
}

impl<M, X> Display for Summary<M, X> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (self.table)(f)
    }
}

/// The table of [`Summary`].
fn table<M: Describe<X>, X>(f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let headers = ["layer", "input", "output", "parameters"];
    let mut widths = headers.map(width);
    let mut peak_bytes = 0;
    M::describe(&mut |l| {
        let cells = [
            width(Short(l.layer)),
            width(Short(l.input)),
            width(Short(l.output)),
            width(l.params),
        ];
        for (w, c) in widths.iter_mut().zip(cells) {
            *w = (*w).max(c);
        }
        peak_bytes = peak_bytes.max((l.input_len + l.output_len) * l.float_bytes);
    });
    let [wl, wi, wo, wp] = widths;
    writeln!(
        f,
        "| {:wl$} | {:wi$} | {:wo$} | {:>wp$} |",
        headers[0], headers[1], headers[2], headers[3]
    )?;
    let dashes = |n: usize| Repeat("-", n);
    writeln!(
        f,
        "|{}|{}|{}|{}:|",
        dashes(wl + 2),
        dashes(wi + 2),
        dashes(wo + 2),
        dashes(wp + 1)
    )?;
    try_each_layer::<M, X>(|l| {
        writeln!(
            f,
            "| {:wl$} | {:wi$} | {:wo$} | {:>wp$} |",
            Short(l.layer),
            Short(l.input),
            Short(l.output),
            l.params
        )
    })?;
    let float = float_bytes::<M, X>();
    let params = M::PARAM_COUNT * float;
    let cache = M::CACHE_FLOATS * float;
    let output = <M::Output as Tensor>::LEN * float;
    // Forward cache, gradients, optimizer state, output and its gradient (see
    // `Trainer::STEP_BYTES`).
    let step = |copies: usize| cache + params * (1 + copies) + 2 * output;
    write!(f, "{} parameters, {params} bytes", M::PARAM_COUNT)?;
    if M::FITTED_PARAMS > 0 {
        write!(f, " ({} of them fitted, not trained)", M::FITTED_PARAMS)?;
    }
    writeln!(f)?;
    writeln!(
        f,
        "inference: {params} bytes of parameters and at most {peak_bytes} bytes of one layer's input and output"
    )?;
    if M::FITTED_PARAMS > 0 {
        // Such a model has no `Backward`: a trainer of it does not compile.
        return write!(
            f,
            "no training step: a fitted layer has no backward pass (train the model without it, then put it in front)"
        );
    }
    write!(
        f,
        "one training step, beside the model: {} bytes with SGD, {} with momentum, {} with Adam",
        step(0),
        step(1),
        step(2)
    )
}

/// Calls `each` with every layer of `M`, first to last, until one call fails.
fn try_each_layer<M: Describe<X>, X>(
    mut each: impl FnMut(&LayerInfo) -> fmt::Result,
) -> fmt::Result {
    let mut result = Ok(());
    M::describe(&mut |l| {
        if result.is_ok() {
            result = each(l);
        }
    });
    result
}

/// Bytes of one float of model `M`'s output.
fn float_bytes<M: Forward<X>, X>() -> usize {
    <<M::Output as Tensor>::Elem as Float>::BYTES
}

/// A string repeated `n` times when printed.
struct Repeat(&'static str, usize);

impl Display for Repeat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (0..self.1).try_for_each(|_| f.write_str(self.0))
    }
}

/// What a backward step computes, for its node's label: the gradient of the layer's
/// parameters (if it has any) and of its input, which a training step asks for only when a
/// layer before it has parameters (`true` here): the first layer's input is the data, and
/// the gradient of a parameterless layer's input feeds no parameter.
struct Gradients<'a>(bool, &'a LayerInfo);

impl Display for Gradients<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Gradients(input_asked, layer) = *self;
        match (layer.params, input_asked) {
            (0, false) => f.write_str("nothing to compute"),
            (0, true) => write!(f, "d {}", Short(layer.input)),
            (n, false) => write!(f, "d params ({n})"),
            (n, true) => write!(f, "d params ({n}), d {}", Short(layer.input)),
        }
    }
}

/// The computation graph of model `M` taking `X`, in Graphviz DOT: the forward pass left to
/// right (input, each layer with its output shape, the loss), then the backward pass, whose
/// edges run the other way (from the loss's gradient back to the first layer), each backward
/// step labelled with the gradients a training step computes there (its parameters', and
/// its input's when a layer before it has parameters: not in the first layer, whose input is
/// the data, nor behind layers without parameters). Dashed edges show what each backward step
/// reads of the forward pass: a layer with parameters, its input (the data, for the first
/// layer: a weight's gradient is the output's gradient times the input); a layer without
/// them, what its forward pass kept (an activation's derivative is taken at its own values);
/// a step that computes nothing, nothing. The target goes into the loss beside the model's
/// output. A model that does not train (one holding fitted values, such as a
/// [`Standardizer`](crate::data::Standardizer) in front: [`Describe::FITTED_PARAMS`]) shows
/// its forward pass alone, from input to output. Render it with `dot -Tsvg`.
pub struct Graph<M, X> {
    /// [`dot`] for `M` and `X`, chosen where the graph is made (as [`Summary`] chooses its
    /// table).
    dot: fn(&mut fmt::Formatter<'_>) -> fmt::Result,
    model: PhantomData<fn(&M, &X)>,
}

/// The computation graph of `model` for input `X`.
///
/// ```
/// use typed_nn::{describe::graph, Linear, ReLU};
/// let net = (Linear::<2, 8>::ZERO, ReLU, Linear::<8, 1>::ZERO);
/// let dot = graph::<[f32; 2], _>(&net).to_string();
/// assert!(dot.starts_with("digraph model {"));
/// assert!(dot.contains("f1 -> f2"));      // forward: ReLU to the last layer
/// assert!(dot.contains("b2 -> b1"));      // backward: the other way
/// assert!(dot.contains("backward 0: Linear<2, 8>\\nd params (24)\""));
/// assert!(dot.contains("backward 2: Linear<8, 1>\\nd params (9), d [f32; 8]\""));
/// # use typed_nn::Zero;
/// ```
pub fn graph<X, M: Describe<X>>(model: &M) -> Graph<M, X> {
    let _ = model;
    Graph {
        dot: dot::<M, X>,
        model: PhantomData,
    }
}

impl<M, X> Display for Graph<M, X> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (self.dot)(f)
    }
}

/// The DOT text of [`Graph`].
fn dot<M: Describe<X>, X>(f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let mut layers = 0;
    M::describe(&mut |_| layers += 1);
    writeln!(f, "digraph model {{")?;
    writeln!(f, "  rankdir=LR;")?;
    writeln!(f, "  node [shape=box, fontname=\"monospace\"];")?;
    writeln!(
        f,
        "  x [label=\"input\\n{}\", shape=ellipse];",
        Short(core::any::type_name::<X>())
    )?;
    // A model holding fitted values (a scaler in front) has no backward pass: its forward
    // pass alone.
    let trains = M::FITTED_PARAMS == 0;
    let mut index = 0;
    // Whether a layer before this one has parameters (`Backward::HAS_PARAMETERS`).
    let mut learner_before = false;
    try_each_layer::<M, X>(|l| {
        writeln!(
            f,
            "  f{index} [label=\"{index}: {}\\n-> {}\"];",
            Short(l.layer),
            Short(l.output),
        )?;
        if trains {
            writeln!(
                f,
                "  b{index} [label=\"backward {index}: {}\\n{}\", style=filled, fillcolor=\"#eeeeee\"];",
                Short(l.layer),
                Gradients(learner_before, l)
            )?;
            // What the backward step reads of the forward pass.
            if l.params > 0 {
                match index {
                    0 => writeln!(f, "  x -> b0 [style=dashed, label=\"input\"];")?,
                    i => writeln!(f, "  f{} -> b{i} [style=dashed, label=\"input\"];", i - 1)?,
                }
            } else if learner_before {
                writeln!(f, "  f{index} -> b{index} [style=dashed, label=\"cache\"];")?;
            }
            learner_before |= l.params > 0;
        }
        index += 1;
        Ok(())
    })?;
    if !trains {
        writeln!(f, "  y [label=\"output\", shape=ellipse];")?;
        write!(f, "  x")?;
        (0..layers).try_for_each(|i| write!(f, " -> f{i}"))?;
        writeln!(f, " -> y;")?;
        return writeln!(f, "}}");
    }
    writeln!(f, "  t [label=\"target\", shape=ellipse];")?;
    writeln!(f, "  loss [label=\"loss\", shape=ellipse];")?;
    write!(f, "  x")?;
    (0..layers).try_for_each(|i| write!(f, " -> f{i}"))?;
    writeln!(f, " -> loss;")?;
    writeln!(f, "  t -> loss;")?;
    write!(f, "  loss")?;
    (0..layers).rev().try_for_each(|i| write!(f, " -> b{i}"))?;
    writeln!(f, " [color=red];")?;
    writeln!(f, "}}")
}
