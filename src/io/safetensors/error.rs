//! What can be wrong with a safetensors file, said without allocating.

use core::fmt::{self, Display, Write};

use super::{MAX_DIMS, MAX_HEADER_BYTES, NAME_BYTES};
use crate::describe::Short;

/// How to convert Keras's weights (`.h5`, `.weights.h5`, `.keras`): layer by layer, with
/// the variables' paths (`sequential/dense/kernel`) joined by dots, as [`super::Naming`] does.
const KERAS: &str = "load the model (`keras.models.load_model(path)`, or `model.load_weights(path)`) and write its weights with `safetensors.numpy.save_file({w.path.replace(\"/\", \".\"): np.asarray(w) for w in model.weights}, path)`: its layers' names are then their paths with dots (`dense`, `dense_1`, or `sequential.dense` for a `Sequential` filled by `load_weights`: the crate's example `safetensors_info` prints them), and their `kernel`s are read transposed";

/// A tensor name, kept without allocating.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Name {
    bytes: [u8; NAME_BYTES],
    len: usize,
    cut: bool,
}

impl Name {
    pub(super) fn new() -> Self {
        Name {
            bytes: [0; NAME_BYTES],
            len: 0,
            cut: false,
        }
    }

    /// The name (cut at [`NAME_BYTES`] if it was longer).
    pub fn as_str(&self) -> &str {
        // Only whole characters are ever pushed.
        core::str::from_utf8(&self.bytes[..self.len]).unwrap_or("")
    }
}

impl Name {
    /// Whether characters were left out because they did not fit.
    pub(super) fn is_cut(&self) -> bool {
        self.cut
    }

    /// Appends `s`, whole characters only, and marks the name cut when it does not fit.
    pub(super) fn push_str(&mut self, s: &str) {
        let _ = self.write_str(s);
    }

    /// Appends the decimal digits of `n`.
    pub(super) fn push_index(&mut self, mut n: usize) {
        let mut digits = [0u8; 20];
        let mut len = 0;
        loop {
            digits[digits.len() - 1 - len] = b'0' + (n % 10) as u8;
            len += 1;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        let text = core::str::from_utf8(&digits[digits.len() - len..]).unwrap_or("");
        self.push_str(text);
    }
}

impl Write for Name {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for c in s.chars() {
            let mut buf = [0; 4];
            let c = c.encode_utf8(&mut buf).as_bytes();
            if self.len + c.len() > NAME_BYTES {
                self.cut = true;
                return Ok(());
            }
            self.bytes[self.len..self.len + c.len()].copy_from_slice(c);
            self.len += c.len();
        }
        Ok(())
    }
}

impl Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())?;
        if self.cut { f.write_str("...") } else { Ok(()) }
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

/// The shape of a tensor, kept without allocating.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Dims {
    pub(super) dims: [u64; MAX_DIMS],
    pub(super) rank: usize,
}

impl Dims {
    pub(super) fn of(dims: &[usize]) -> Self {
        let mut d = Dims {
            dims: [0; MAX_DIMS],
            rank: dims.len().min(MAX_DIMS),
        };
        for (to, &from) in d.dims.iter_mut().zip(dims) {
            *to = from as u64;
        }
        d
    }

    /// The dimensions, outermost first.
    pub fn as_slice(&self) -> &[u64] {
        &self.dims[..self.rank]
    }

    /// The number of values, or `None` if it overflows `u64`.
    pub fn count(&self) -> Option<u64> {
        self.as_slice()
            .iter()
            .try_fold(1u64, |n, &d| n.checked_mul(d))
    }
}

impl Display for Dims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_char('[')?;
        for (i, d) in self.as_slice().iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{d}")?;
        }
        f.write_char(']')
    }
}

impl fmt::Debug for Dims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

/// Why a safetensors file cannot be read into a model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SafetensorsError {
    /// Fewer than the 8 bytes of the header length.
    TooShort {
        /// Bytes given.
        len: usize,
    },
    /// The header length is larger than the file, or than [`MAX_HEADER_BYTES`].
    HeaderLength {
        /// The length the file claims.
        claimed: u64,
        /// Bytes that follow the length.
        available: usize,
    },
    /// The file starts as another format does (a PyTorch `torch.save` or Keras archive, a NumPy
    /// array, a pickle, HDF5, text), not with a safetensors header.
    OtherFormat {
        /// The format it looks like.
        looks_like: &'static str,
    },
    /// The tensors' bytes overlap, or leave bytes of the data that no tensor holds (a
    /// safetensors file's tensors tile its data exactly).
    Coverage {
        /// The tensor whose bytes another's overlap (`None`: the data is not covered).
        name: Option<Name>,
        /// Bytes the tensors hold, counted once per tensor.
        held: u64,
        /// Bytes of data after the header.
        data: usize,
    },
    /// The header is not the JSON a safetensors file holds.
    Header {
        /// Offset of the problem within the header.
        offset: usize,
        /// What was expected there.
        expected: &'static str,
    },
    /// A tensor's entry is missing a field, or has one of the wrong kind.
    Entry {
        /// The tensor.
        name: Name,
        /// What is wrong.
        problem: &'static str,
    },
    /// A tensor's `dtype` is not one of safetensors' types.
    UnknownDtype {
        /// The tensor.
        name: Name,
        /// The dtype, as written.
        dtype: Name,
    },
    /// A tensor's data lies outside the file's data, or its size does not match its shape.
    Offsets {
        /// The tensor.
        name: Name,
        /// Its first byte, within the data.
        begin: u64,
        /// One past its last byte.
        end: u64,
        /// Bytes its dtype and shape call for (`None` if that overflows, or if values narrower
        /// than a byte do not fill a whole number of bytes).
        needed: Option<u64>,
        /// Bytes of data in the file.
        data: usize,
    },
    /// The same tensor appears twice.
    Duplicate {
        /// The tensor.
        name: Name,
    },
    /// A tensor the model needs is not in the file.
    Missing {
        /// The tensor.
        name: Name,
        /// The layer that holds it (counted from 0) and its type.
        layer: (usize, &'static str),
    },
    /// A tensor the model needs is not in the file, whose every tensor the model's earlier
    /// layers read: the model has more layers than the file's network (with an allocator;
    /// without one it is [`Missing`](Self::Missing)).
    PastTheFile {
        /// The tensor.
        name: Name,
        /// The layer that holds it (counted from 0) and its type.
        layer: (usize, &'static str),
    },
    /// A tensor the model needs is not in the file, which holds it a few layers later: the
    /// file's network has layers without parameters (`nn.Dropout`) that the model lacks,
    /// which shift its indices. Put an [`Identity`](crate::Identity) in the model there.
    Shifted {
        /// The tensor looked for.
        name: Name,
        /// The layer that holds it (counted from 0) and its type.
        layer: (usize, &'static str),
        /// The same tensor of a later layer, in the file.
        found: Name,
    },
    /// A tensor the model needs is not in the file, which holds it split in two, as PyTorch
    /// saves a pruned weight (`0.weight_orig` and `0.weight_mask`), a weight under weight
    /// normalisation (`0.weight_g` and `0.weight_v`) or under a parametrization
    /// (`0.parametrizations.weight.original0`, ...): the weight itself is computed from the
    /// two, and is not in the file. Remove the pruning or the normalisation before saving.
    Split {
        /// The tensor looked for.
        name: Name,
        /// The layer that holds it (counted from 0) and its type.
        layer: (usize, &'static str),
        /// The first of the two parts, in the file.
        found: Name,
    },
    /// A tensor the model needs is not in the file, which holds it a few layers earlier, under
    /// a name no layer of the model reads: the model has layers without parameters (an
    /// [`Identity`](crate::Identity) too many) that the file's network lacks.
    ShiftedBack {
        /// The tensor looked for.
        name: Name,
        /// The layer that holds it (counted from 0) and its type.
        layer: (usize, &'static str),
        /// The same tensor of an earlier layer, in the file.
        found: Name,
    },
    /// A layer's bias is not in the file, which holds its weight: a PyTorch layer made with
    /// `bias=False`, where the model's layer (a `Linear`) always has one.
    NoBias {
        /// The tensor looked for.
        name: Name,
        /// The layer that holds it (counted from 0) and its type.
        layer: (usize, &'static str),
    },
    /// The model's first tensor is not in the file, which holds others: its tensors are
    /// named otherwise than the [`Naming`](super::Naming) asked for (a prefix such as `net.`,
    /// or modules named `fc1`, `fc2`), or it belongs to another model.
    NamedOtherwise {
        /// The tensor looked for.
        name: Name,
        /// The layer that holds it (counted from 0) and its type.
        layer: (usize, &'static str),
        /// A tensor of the file, to show how it names them: its first weight in the header's
        /// order, or its first tensor when it holds no weight.
        first: Name,
    },
    /// The model's first tensor is not in the file, whose names put some of the model's
    /// layers under a prefix and others not: its layers sit in modules nested to different
    /// depths (an `nn.Sequential` inside an `nn.Sequential` names `0.0.weight` and
    /// `1.weight`), so that no [`Naming::Prefixed`](super::Naming::Prefixed) reads it. Read it
    /// with [`Naming::Layers`](super::Naming::Layers), each layer's path in the model's order.
    Nested {
        /// The layer whose tensor was looked for (counted from 0) and its type. (The tensor's
        /// name is not kept: three names would make every error of firmware's reader a
        /// hundred bytes larger.)
        layer: (usize, &'static str),
        /// The file's first weight, which is the model's tensor under a prefix.
        first: Name,
        /// A weight of the file that is not under that prefix.
        other: Name,
    },
    /// The file holds a tensor under the name of one of the model's layers that the layer
    /// does not read (`1.running_mean` where the model's layer 1 is a `Sigmoid`, `0.weight_g`
    /// beside a `Linear`'s `0.weight`): the file's network has another kind of layer there,
    /// and the model would compute something else. Refused by
    /// [`load_part`](super::load_part) too. (Without the feature `alloc`, as in firmware,
    /// [`load_named`](super::load_named) refuses such a tensor as
    /// [`Extra`](SafetensorsError::Extra), with 3.7 KB less code.)
    Unread {
        /// The tensor.
        name: Name,
        /// The model's layer whose name it falls under (counted from 0) and its type.
        layer: (usize, &'static str),
        /// The names of that layer's first tensors, in order, up to three (`""` past its
        /// last): `["weight", "bias", ""]` for a `Linear`, all empty for a layer without
        /// parameters.
        reads: [&'static str; 3],
    },
    /// A normalisation's tensor (PyTorch's `running_mean`, Flax's `scale` or `mean`, Keras's
    /// `gamma` or `moving_mean`, ...) in the module that holds the model's layers, read with
    /// [`Naming::Layers`](super::Naming::Layers): the file's network normalises between or
    /// after those layers, and the model, which has no layer for it, would compute something
    /// else. Refused by [`load_part`](super::load_part) too, with an allocator.
    Normalisation {
        /// The tensor.
        name: Name,
        /// The module it shares with the model's layers (empty for none).
        module: Name,
    },
    /// The file holds a tensor the model has no place for.
    Extra {
        /// The tensor.
        name: Name,
    },
    /// The file holds a tensor at its top level, under none of its modules, that the model
    /// has no place for (with an allocator; without one it is [`Extra`](Self::Extra)): a
    /// buffer or parameter registered on the saved module itself (an input normalisation's
    /// `mean` and `std`, a temperature) or a value saved beside the weights (a step count).
    /// Unlike a layer beyond the model's last, it may act anywhere in the module's forward
    /// pass, before the model's first layer too, so that reading the model as a part of the
    /// file's network ([`load_part`](super::load_part)) is not offered as a way out; and
    /// `load_part` refuses a top-level `mean` and `std` of the width of the model's input
    /// too, a standardisation of its input that it would leave out.
    TopLevel {
        /// The tensor.
        name: Name,
    },
    /// A tensor has another shape than its layer.
    Shape {
        /// The tensor.
        name: Name,
        /// Its shape in the file.
        found: Dims,
        /// The layer (counted from 0) and its type.
        layer: (usize, &'static str),
        /// The shape the layer has.
        expected: Dims,
        /// Whether the file also holds a tensor that no layer of the model reads (looked for
        /// with the feature `alloc`, by a loader that reads the whole file; always `false`
        /// without it): the file's network has more layers than the model, or others, and
        /// the shapes differ where the two part.
        beyond: bool,
    },
    /// A tensor holds a type the model does not read exactly: not a float, or a float wider
    /// than the model's (`F64` for an `f32` model).
    Dtype {
        /// The tensor.
        name: Name,
        /// Its dtype in the file.
        found: Name,
        /// The model's: `F32` or `F64`.
        expected: &'static str,
    },
    /// A tensor holds a NaN or an infinity: in a file read, or in a model written, whose
    /// file could not be read back.
    NotFinite {
        /// The tensor.
        name: Name,
        /// The index of the first such value, row-major.
        index: usize,
    },
    /// [`Naming::Layers`](super::Naming::Layers) gave another number of names than the model
    /// has layers with parameters.
    Naming {
        /// Names given.
        given: usize,
        /// The model's layers with parameters.
        layers: usize,
    },
    /// A name of [`Naming::Layers`](super::Naming::Layers) is the same as an earlier one: the
    /// layers' tensors could not be told apart.
    LayerName {
        /// Its index in the names given.
        index: usize,
    },
    /// The model's tensors ([`Tensors`](crate::io::Tensors)) hold another number of values
    /// than its parameters ([`Params`](crate::Params)): a layer written by hand describes
    /// them differently.
    Bookkeeping {
        /// Values the tensors' shapes hold.
        tensors: usize,
        /// Parameters `Params::visit` walks.
        params: usize,
    },
    /// A name the model's tensors would have (a prefix or layer name of
    /// [`Naming`](super::Naming), then the layer's index and tensor) is longer than
    /// [`NAME_BYTES`]: refused rather than matched or written cut.
    NameTooLong {
        /// Its first [`NAME_BYTES`] bytes.
        name: Name,
    },
}

impl Display for SafetensorsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use SafetensorsError::*;
        match self {
            TooShort { len } => write!(
                f,
                "{len} bytes cannot be a safetensors file (it starts with an 8-byte header length)"
            ),
            HeaderLength { claimed, available } if *claimed > MAX_HEADER_BYTES => write!(
                f,
                "the header claims {claimed} bytes, more than the {MAX_HEADER_BYTES} accepted ({available} bytes follow)"
            ),
            HeaderLength { claimed, available } => write!(
                f,
                "the header claims {claimed} bytes, but only {available} bytes follow: the file is cut short"
            ),
            OtherFormat { looks_like } if *looks_like == super::OWN_IMAGE => write!(
                f,
                "not a safetensors file, but by its first bytes {looks_like}; read it with `io::load`"
            ),
            OtherFormat { looks_like } if *looks_like == super::OWN_INT8_IMAGE => write!(
                f,
                "not a safetensors file, but by its first bytes {looks_like}; read it with `quant::ConstQuantImage`"
            ),
            OtherFormat { looks_like } if *looks_like == super::TEXT => write!(
                f,
                "not a safetensors file, but by its first bytes {looks_like}: a safetensors file begins with the length of its header in 8 bytes"
            ),
            OtherFormat { looks_like } if super::COMPRESSED.contains(looks_like) => write!(
                f,
                "not a safetensors file, but by its first bytes {looks_like}: decompress it, and load the file it holds"
            ),
            OtherFormat { looks_like } if *looks_like == super::MSGPACK => write!(
                f,
                "not a safetensors file, but by its first bytes {looks_like}; for Flax's parameters, in Python: `params = flax.serialization.msgpack_restore(data)`, then `safetensors.flax.save_file(flax.traverse_util.flatten_dict(params, sep=\".\"), path)`, whose `kernel`s this crate reads transposed"
            ),
            OtherFormat { looks_like } if *looks_like == super::NPZ => write!(
                f,
                "not a safetensors file, but by its first bytes {looks_like}; in Python, `safetensors.numpy.save_file(dict(np.load(path)), out_path)` writes each array under its own name, which must be the model's (`0.weight`, `0.bias`, ...)"
            ),
            OtherFormat { looks_like } if *looks_like == super::TORCH_ZIP => write!(
                f,
                "not a safetensors file, but by its first bytes {looks_like}; in Python, load it (`torch.load(path)`, or `torch.jit.load(path)` for TorchScript) and write its state dict with `safetensors.torch.save_file(model.state_dict(), path)`"
            ),
            OtherFormat { looks_like }
                if *looks_like == super::HDF5 || *looks_like == super::KERAS_ZIP =>
            {
                write!(
                    f,
                    "not a safetensors file, but by its first bytes {looks_like}; in Python, {KERAS}"
                )
            }
            OtherFormat { looks_like } => {
                write!(
                    f,
                    "not a safetensors file, but by its first bytes {looks_like}; in Python, load it and write it with `safetensors.torch.save_file(model.state_dict(), path)` (`safetensors.numpy.save_file(arrays, path)` for NumPy's arrays)"
                )?;
                if *looks_like == super::ZIP {
                    write!(f, "; for Keras, {KERAS}")?;
                }
                Ok(())
            }
            Coverage {
                name: Some(name), ..
            } => write!(
                f,
                "tensor `{name}` shares bytes with another tensor; each tensor must have its own"
            ),
            Coverage {
                name: None,
                held,
                data,
            } => write!(
                f,
                "the tensors hold {held} bytes, but {data} bytes of data follow the header; they must cover it exactly"
            ),
            Header { offset, expected } => {
                write!(f, "header byte {offset}: expected {expected}")
            }
            Entry { name, problem } => write!(f, "tensor `{name}`: {problem}"),
            UnknownDtype { name, dtype } => write!(
                f,
                "tensor `{name}` has dtype `{dtype}`, which safetensors does not define (F64, F32, F16, BF16, F8_E4M3, F4, C64, I64, U8, BOOL, ..., spelled in capitals)"
            ),
            Offsets {
                name,
                begin,
                end,
                needed,
                data,
            } => {
                write!(
                    f,
                    "tensor `{name}` spans bytes {begin}..{end} of {data} bytes of data"
                )?;
                match needed {
                    Some(n) => write!(f, "; its dtype and shape need {n} bytes")?,
                    None => write!(
                        f,
                        "; its shape overflows, or its values narrower than a byte do not end on a whole byte"
                    )?,
                }
                if *end > *data as u64 {
                    write!(f, " (a file cut short?)")?;
                }
                Ok(())
            }
            Duplicate { name } => write!(f, "tensor `{name}` appears twice"),
            Missing { name, layer } => write!(
                f,
                "tensor `{name}` is missing; layer {}, `{}`, needs it",
                layer.0,
                Short(layer.1)
            ),
            PastTheFile { name, layer } => write!(
                f,
                "tensor `{name}` is missing (layer {}, `{}`, needs it), and the model's earlier layers read every tensor of the file: the file's network ends before this layer, and the model has more layers than it (take them out of the model, or save the file from the network that has them)",
                layer.0,
                Short(layer.1)
            ),
            // Before the model's first layer: most often the input's `nn.Flatten`.
            Shifted {
                name,
                layer: (0, ty),
                found,
            } => write!(
                f,
                "tensor `{name}` is missing (layer 0, `{}`, needs it), but the file has `{found}`: the file's network begins with layers without parameters that the model lacks (an `nn.Flatten`, ...); begin the model with `Flatten<N>` (or `Identity` for inputs that are rows of features), one for each, so that the indices agree",
                Short(ty)
            ),
            ShiftedBack { name, layer, found } => write!(
                f,
                "tensor `{name}` is missing (layer {}, `{}`, needs it), but the file has `{found}`, which no layer of the model reads: the model has layers without parameters (an `Identity`, an activation) that the file's network lacks; take them out, so that the indices agree",
                layer.0,
                Short(layer.1)
            ),
            Shifted { name, layer, found } => write!(
                f,
                "tensor `{name}` is missing (layer {}, `{}`, needs it), but the file has `{found}`: the file's network has layers without parameters (dropout, ...) that the model lacks; put an `Identity` in the model for each, so that the indices agree",
                layer.0,
                Short(layer.1)
            ),
            Split { name, layer, found } => write!(
                f,
                "tensor `{name}` is missing (layer {}, `{}`, needs it), and the file holds it split, as `{found}`: {}",
                layer.0,
                Short(layer.1),
                split_hint(found)
            ),
            NoBias { name, layer } => write!(
                f,
                "tensor `{name}` is missing (layer {}, `{}`, needs it), though its weight is there: a layer made without a bias (PyTorch's `bias=False`, Flax's and Keras's `use_bias=False`)? This layer always has a bias: save zeros as it (`torch.zeros(out_features)`, `np.zeros(out_features)`)",
                layer.0,
                Short(layer.1)
            ),
            NamedOtherwise { name, layer, first } => {
                // A file of kernels: the weight may come under either name.
                let kernels = cfg!(feature = "alloc")
                    && first.as_str().ends_with("kernel")
                    && name.as_str().ends_with("weight");
                let or_kernel = if kernels { " (or its `kernel`)" } else { "" };
                write!(
                    f,
                    "tensor `{name}`{or_kernel} is missing (layer {}, `{}`, needs it), and the file holds `{first}`",
                    layer.0,
                    Short(layer.1)
                )?;
                // A hint only: firmware, built without an allocator, is spared its code.
                let prefix = prefix_of(first.as_str(), name.as_str());
                let slashes = first.as_str().contains('/') && !first.as_str().contains('.');
                match prefix.filter(|_| cfg!(feature = "alloc")) {
                    Some(prefix) => prefix_hint(f, prefix, name.as_str()),
                    // A lone module's own tensors, `weight` (or `kernel`) without a module
                    // name: a lone `nn.Linear` saved by itself, whose names are the empty one's.
                    None if cfg!(feature = "alloc")
                        && layer.0 == 0
                        && matches!(first.as_str(), "weight" | "kernel") =>
                    {
                        f.write_str(
                            ", a lone module's own tensor, without a module name (a lone `nn.Linear` saved by itself): read it with `Naming::Layers(&[\"\"])`, the empty name",
                        )
                    }
                    None if slashes && cfg!(feature = "alloc") => f.write_str(
                        ": the file joins the parts of its names with `/`, and `Naming` joins them with `.`: save the names with `.` (Flax: `flatten_dict(variables, sep=\".\")`; Keras: `w.path.replace(\"/\", \".\")`)",
                    ),
                    None => f.write_str(
                        ": if the file names its tensors otherwise, read it with a `Naming` (the crate's example `safetensors_info`, `cargo run --example safetensors_info -- FILE` in its source, prints the model and naming that fit a file)",
                    ),
                }
            }
            Nested {
                layer,
                first,
                other,
            } => {
                write!(
                    f,
                    "the tensors of layer {}, `{}`, are missing, and the file holds `{first}` and `{other}`: its layers sit in modules nested to different depths (an `nn.Sequential` inside another names `0.0.weight` and `1.weight`), so no one prefix reads it; read it with `Naming::Layers`, the path of each layer with parameters in the model's order (here `{}`, `{}`, ...)",
                    layer.0,
                    Short(layer.1),
                    layer_path(first),
                    layer_path(other)
                )
            }
            Unread {
                name,
                layer,
                reads: ["", ..],
            } => write!(
                f,
                "tensor `{name}` falls under layer {}, `{}`, which has no parameters: the file's network has a layer with parameters there (a normalisation, a learned activation, ...), which this model would leave out and so compute something else{}",
                layer.0,
                Short(layer.1),
                batch_norm_hint(name)
            ),
            Unread {
                name,
                layer,
                reads: ["weight", "bias", ""],
            } => write!(
                f,
                "tensor `{name}` falls under layer {}, `{}`, which reads only its weight and bias: the file's layer there is of another kind, or holds more than the weight and bias the model would compute with (a weight split in two, an average of past weights); if the tensor is not one the layer computes with, remove it from the file",
                layer.0,
                Short(layer.1)
            ),
            Unread {
                name,
                layer,
                reads: [first, second, third],
            } => {
                write!(
                    f,
                    "tensor `{name}` falls under layer {}, `{}`, which reads only `{first}`",
                    layer.0,
                    Short(layer.1)
                )?;
                match (*second, *third) {
                    ("", _) => {}
                    (second, "") => write!(f, " and `{second}`")?,
                    (second, _) => write!(f, ", `{second}`, ...")?,
                }
                f.write_str(
                    ": the file's module there computes with more than the model's layer would; if the tensor is not one it computes with (a count, a setting), remove it from the file",
                )
            }
            Normalisation { name, module } => {
                write!(f, "tensor `{name}` is a normalisation's, ")?;
                if module.as_str().is_empty() {
                    f.write_str("beside the model's layers")?;
                } else {
                    write!(f, "in `{module}` with the model's layers")?;
                }
                f.write_str(
                    ", and the model has no layer for it: reading the Linears alone would compute something else. A batch normalisation folds into the `Linear` before it (scale its outputs by `scale / sqrt(var + eps)` and shift its bias to match, as PyTorch's `torch.nn.utils.fusion.fuse_linear_bn_eval` does), and the folded file loads; a layer normalisation does not fold, and no model of this crate computes that network. If it comes after the model's last layer, remove its tensors from the file",
                )
            }
            Extra { name } => write!(
                f,
                "tensor `{name}` belongs to no layer of the model: the file's network holds more than the model (another layer, or a layer after the model's last), and the model would compute something else{}; if the model is meant to be part of the file's network (its first layers, or one of its modules), `io::safetensors::load_part` reads that part",
                batch_norm_hint(name)
            ),
            TopLevel { name } => write!(
                f,
                "tensor `{name}` is the saved module's own, under none of its layers (a buffer or parameter registered on the module itself, as an input normalisation's `mean` and `std`, or a value saved beside the weights, as a step count), and the model has no place for it. If the module computes with it, the model would compute something else: a standardisation of the input, `(x - mean) / std`, reads into a `data::Standardizer` in front of the model's layers (`(Standardizer<D>, Linear<D, H>, ...)`, with `Naming::Layers(&[\"\", ...])`, the empty name first for the module's own `mean` and `std`); if it does not (a count, a setting), remove it from the file"
            ),
            Shape {
                name,
                found,
                layer,
                expected,
                ..
            } => {
                write!(
                    f,
                    "tensor `{name}` has shape {found}; layer {}, `{}`, expects {expected}",
                    layer.0,
                    Short(layer.1)
                )?;
                let same_count = found.count() == expected.count();
                let (found, expected) = (found.as_slice(), expected.as_slice());
                if found.len() == 2
                    && found.iter().rev().eq(expected.iter())
                    && name.as_str().ends_with("kernel")
                {
                    f.write_str(
                        " (a kernel is read as Flax and Keras store it, `[in, out]`; stored `[out, in]`, as PyTorch stores a Linear's weight, it is named `weight`)",
                    )?;
                } else if found.len() == 2 && found.iter().rev().eq(expected.iter()) {
                    f.write_str(
                        " (saved transposed, `[in, out]`, as Flax and Keras store kernels? named `kernel` it is read transposed; or transpose it before saving)",
                    )?;
                } else if found.len() >= 3 && expected.len() == 2 {
                    write!(
                        f,
                        " (a weight of {} dimensions is a convolution's, which this crate has no layer for)",
                        found.len()
                    )?;
                } else if found.len() != expected.len() && same_count {
                    f.write_str(
                        " (the same values in another shape: save it reshaped, `.reshape(",
                    )?;
                    for (i, d) in expected.iter().enumerate() {
                        let comma = if i > 0 { ", " } else { "" };
                        write!(f, "{comma}{d}")?;
                    }
                    f.write_str(")`)")?;
                }
                if let Shape { beyond: true, .. } = self {
                    write!(
                        f,
                        "; the file also holds tensors that no layer of the model reads: the file's network has more layers than the model, or others"
                    )?;
                }
                Ok(())
            }
            Dtype {
                name,
                found,
                expected,
            } if found.as_str() == "F64" => write!(
                f,
                "tensor `{name}` holds F64; the model holds {expected}, and reading it would round every value (save the tensors as {expected}, or load them into an f64 model)"
            ),
            Dtype {
                name,
                found,
                expected,
            } => {
                write!(
                    f,
                    "tensor `{name}` holds {found}; the model holds {expected}, and reads F16, BF16{} and {expected} tensors",
                    if *expected == "F64" { ", F32" } else { "" }
                )?;
                if found.as_str().starts_with(['I', 'U']) || found.as_str() == "BOOL" {
                    write!(
                        f,
                        " (convert the integers to floats before saving: `.float()` in PyTorch)"
                    )?;
                }
                Ok(())
            }
            NotFinite { name, index } => {
                write!(
                    f,
                    "tensor `{name}` holds a NaN or an infinity at index {index}"
                )
            }
            Naming { given, layers } => write!(
                f,
                "{given} layer names given, for a model with {layers} layers with parameters{}",
                if given > layers {
                    " (name only the layers with parameters, such as `Linear`: not the activations, which have no tensors)"
                } else {
                    ""
                }
            ),
            Bookkeeping { tensors, params } => write!(
                f,
                "the model's tensors hold {tensors} values but its parameters are {params}: a layer's `Tensors` and `Params` must describe the same values"
            ),
            LayerName { index } => write!(
                f,
                "layer name {index} repeats an earlier one: each layer needs a name of its own"
            ),
            NameTooLong { name } => write!(
                f,
                "tensor name `{name}` is longer than {NAME_BYTES} bytes; use a shorter prefix or layer name"
            ),
        }
    }
}

impl core::error::Error for SafetensorsError {}

/// How to save a weight that the file holds in two parts, `found` the first of them.
fn split_hint(found: &Name) -> &'static str {
    let found = found.as_str();
    if found.ends_with("_orig") {
        "a weight pruned with `torch.nn.utils.prune`; make the pruning permanent with `prune.remove(module, \"weight\")` before saving, which saves the pruned weight as `weight`"
    } else if found.contains("parametrizations.") {
        "a weight under a parametrization (`torch.nn.utils.parametrizations.weight_norm`, ...); remove it with `torch.nn.utils.parametrize.remove_parametrizations(module, \"weight\")` before saving, which saves the weight it computes as `weight`"
    } else {
        "a weight under weight normalisation (`torch.nn.utils.weight_norm`); remove it with `torch.nn.utils.remove_weight_norm(module)` before saving, which saves the weight it computes as `weight`"
    }
}

/// How the tensors that only a batch normalisation holds end: PyTorch's `BatchNorm1d` saves
/// these beside its weight and bias (the first of [`NORMALISATION_TENSORS`]).
pub(super) const BATCH_NORM_STATS: &[&str] = NORMALISATION_TENSORS.split_at(3).0;

/// The last parts of the names of tensors that only a normalisation holds: PyTorch's running
/// statistics, Flax's `batch_stats` (`mean`, `var`) and `scale`, Keras's moving statistics,
/// `gamma` and `beta`. A file read with [`Naming::Layers`](super::Naming::Layers) that holds
/// one among the model's layers is refused ([`SafetensorsError::Normalisation`]); the example
/// `safetensors_info` names such modules by them.
pub const NORMALISATION_TENSORS: [&str; 10] = [
    "running_mean",
    "running_var",
    "num_batches_tracked",
    "mean",
    "var",
    "scale",
    "moving_mean",
    "moving_variance",
    "gamma",
    "beta",
];

/// For a batch normalisation's tensor, how to read its network: folded into the linear layer
/// before it, which then computes the same in evaluation.
fn batch_norm_hint(name: &Name) -> &'static str {
    let batch_norm = BATCH_NORM_STATS
        .iter()
        .any(|suffix| name.as_str().ends_with(suffix));
    if batch_norm {
        " (a batch normalisation, which this crate has no layer for: fold it into the `Linear` before it, as `torch.nn.utils.fusion.fuse_linear_bn_eval` does, and save that)"
    } else {
        ""
    }
}

/// A tensor's name without its last part: `0.0` for `0.0.weight`.
fn layer_path(name: &Name) -> &str {
    name.as_str().rsplit_once('.').map_or("", |(path, _)| path)
}

/// The prefix of `held` before the model's tensor name `ours`, ending in a dot: `module.` for
/// `module.0.weight` and `0.weight`.
pub(super) fn prefix_of<'a>(held: &'a str, ours: &str) -> Option<&'a str> {
    let prefix = held.strip_suffix(ours)?;
    (prefix.len() > 1 && prefix.ends_with('.')).then_some(prefix)
}

/// How to read a file whose names are the model's under `prefix`, and what adds the two
/// prefixes PyTorch's own wrappers add.
fn prefix_hint(f: &mut fmt::Formatter<'_>, prefix: &str, ours: &str) -> fmt::Result {
    let cause = match prefix {
        "_orig_mod." => " (the state dict of a model compiled with `torch.compile`)",
        "module." => {
            " (the state dict of a model wrapped in `nn.DataParallel` or `DistributedDataParallel`)"
        }
        _ => "",
    };
    write!(
        f,
        ": the file's names are the model's under `{prefix}`{cause}; read it with "
    )?;
    // `[prefix.]index.tensor` (nn.Sequential's, under the naming's own prefix if any), or
    // `layer.tensor` (a module's attributes).
    let (layer, _tensor) = ours.rsplit_once('.').unwrap_or(("", ours));
    let (outer, index) = layer.rsplit_once('.').map_or(("", layer), |(o, i)| (o, i));
    if !index.is_empty() && index.bytes().all(|b| b.is_ascii_digit()) {
        let dot = if outer.is_empty() { "" } else { "." };
        write!(f, "`Naming::Prefixed(\"{prefix}{outer}{dot}\")`")
    } else {
        write!(
            f,
            "each layer's name under it, `Naming::Layers(&[\"{prefix}{layer}\", ...])`"
        )
    }
}
