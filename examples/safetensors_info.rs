//! What type is this file? Reads a safetensors file, prints its tensors and the typed-nn model
//! type whose parameters it holds: `Linear` layers from the shapes of `weight` and `bias` (or
//! of a `kernel`, stored `[in, out]` as Flax and Keras store it, and read transposed), and
//! a placeholder where the file holds no tensor (an activation, which weights cannot tell).
//! What no model of the crate reads as it is gets a comment that says what it is and what to
//! do: a weight saved in two parts (pruned, weight normalisation), a layer without a bias or
//! with one of two dimensions, a normalisation, a learned activation, a convolution.
//!
//! Run: `cargo run --release --example safetensors_info -- FILE.safetensors`
//! (without a file, it reads the PyTorch-named fixture in `tests/fixtures/`).

mod support;

use typed_nn::io::safetensors::{Header, NORMALISATION_TENSORS};

/// One tensor, as the header describes it.
struct Entry {
    name: String,
    dtype: String,
    shape: Vec<u64>,
}

/// One module of the file: the tensors that share a name prefix (`0` for `0.weight`).
struct Module {
    prefix: String,
    weight: Option<Vec<u64>>,
    /// How its weight is saved in two parts, when it is: pruned, or under weight
    /// normalisation; `weight` is then the full weight's shape.
    split: Option<&'static str>,
    bias: Option<Vec<u64>>,
    /// Whether the weight is a `kernel`, stored `[in, out]` (Flax, Keras); `weight` is then
    /// the shape it is read as, `[out, in]`.
    kernel: bool,
    dtype: String,
    /// Its `weight` and `bias` tensors' full names.
    names: Vec<String>,
    other: Vec<String>,
}

impl Module {
    /// Whether it is a normalisation: it holds a tensor only a normalisation holds.
    fn is_normalisation(&self) -> bool {
        self.other
            .iter()
            .any(|n| NORMALISATION_TENSORS.contains(&n.rsplit('.').next().unwrap_or("")))
    }

    /// Whether it normalises with statistics of the data (a batch normalisation, which folds
    /// into the `Linear` before it), not of each sample (a layer normalisation).
    fn has_statistics(&self) -> bool {
        self.other.iter().any(|n| {
            let leaf = n.rsplit('.').next().unwrap_or("");
            leaf.contains("mean") || leaf.contains("var")
        })
    }
}

/// Appends a line to the report.
macro_rules! say {
    ($out:expr, $($format:tt)*) => {{
        $out.push_str(&format!($($format)*));
        $out.push('\n');
    }};
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/digits_mlp_f32.safetensors"
    );
    let path = std::env::args().nth(1).unwrap_or_else(|| fixture.into());
    let bytes = std::fs::read(&path).map_err(|e| format!("{path}: {e}"))?;
    print!("{}", report(&path, &bytes)?);
    Ok(())
}

/// What the example prints for the file `bytes`, read from `path`: its tensors, the model
/// type that reads it and how to load it (tested in `tests/safetensors_info.rs`).
pub fn report(path: &str, bytes: &[u8]) -> Result<String, String> {
    let mut out = String::new();
    let header = Header::parse(bytes).map_err(|e| format!("{path}: {e}"))?;
    let mut entries = Vec::new();
    header.for_each(|t| {
        entries.push(Entry {
            name: t.name.to_string(),
            dtype: t.dtype.to_string(),
            shape: t.shape.as_slice().to_vec(),
        })
    });
    say!(out, "{path}: {} tensors\n", entries.len());
    say!(out, "| tensor | dtype | shape |");
    say!(out, "|---|---|---|");
    for e in &entries {
        say!(out, "| `{}` | {} | {:?} |", e.name, e.dtype, e.shape);
    }

    // A module's own `mean` and `std` (buffers of the module, outside its layers): the input
    // standardised in its forward pass, a `Standardizer` in front of the layers here.
    let standardizer = input_standardisation(&entries);
    let entries: Vec<Entry> = entries
        .into_iter()
        .filter(|e| standardizer.is_none() || !matches!(e.name.as_str(), "mean" | "std"))
        .collect();
    // Tensors that are neither a weight nor a bias, alone under their prefix (a bare
    // `num_batches_tracked`, say), are no layer; a batch normalisation (`running_mean`) is a
    // layer this crate has none of.
    let (modules, rest): (Vec<Module>, Vec<Module>) = modules(&entries)
        .into_iter()
        .partition(|m| (m.weight.is_some() || m.bias.is_some()) && !m.is_normalisation());
    let (normalisations, strays): (Vec<Module>, Vec<Module>) =
        rest.into_iter().partition(Module::is_normalisation);
    if entries.iter().any(|e| e.name.contains('/')) && !entries.iter().any(|e| e.name.contains('.'))
    {
        say!(
            out,
            "\nIts names join their parts with `/`, and this crate's `Naming` joins them with `.`: save them with `.` (Flax: `flatten_dict(variables, sep=\".\")`; Keras: `w.path.replace(\"/\", \".\")`) and run this again."
        );
        return Ok(out);
    }
    if modules.is_empty() {
        say!(
            out,
            "\nNo tensor is a layer's weight or bias: no model of this crate's layers reads this file."
        );
        return Ok(out);
    }
    // nn.Sequential's names, `0`, `2`, ..., under a common prefix (`net.0`) or none.
    let numbering = numbering(&modules);
    say!(out, "\nThe typed-nn model with these parameters:\n");
    say!(out, "type Model = (");
    if let Some(width) = standardizer {
        say!(
            out,
            "    typed_nn::data::Standardizer<{width}>, // `mean` and `std`, the module's own: its input standardised, `(x - mean) / std` (check that its forward pass does so, first)"
        );
    }
    let mut previous_out: Option<u64> = None;
    let mut next_index = 0;
    for (i, m) in modules.iter().enumerate() {
        // Indices an `nn.Sequential` skipped hold modules without tensors: an activation,
        // then (a second one in a row) most often a dropout, which is `Identity` here.
        if let Some((outer, indices)) = &numbering {
            let mut activation = true;
            for skipped in next_index..indices[i] {
                let normalised = normalisations.iter().any(|b| {
                    let (b_outer, index) = b.prefix.rsplit_once('.').unwrap_or(("", &b.prefix));
                    b_outer == outer.as_deref().unwrap_or("") && index == skipped.to_string()
                });
                if normalised {
                    say!(
                        out,
                        "    // {skipped}: a batch normalisation (below): no layer once folded into the Linear before it"
                    );
                } else if i == 0 {
                    // Before the first layer: most often the input's `nn.Flatten`.
                    let width = m.weight.as_ref().and_then(|w| w.get(1).copied());
                    let flatten =
                        width.map_or("Flatten<N>".to_string(), |w| format!("Flatten<{w}>"));
                    say!(
                        out,
                        "    {flatten}, // {skipped}: no tensors before the first layer: an `nn.Flatten` (for images; leave it out for inputs that are rows of features), or an activation of the inputs"
                    );
                } else if std::mem::take(&mut activation) {
                    say!(
                        out,
                        "    ReLU, // {skipped}: no tensors, an activation: ReLU, Sigmoid, Tanh, ...? (weights cannot tell: choose)"
                    );
                } else {
                    say!(
                        out,
                        "    Identity, // {skipped}: no tensors, a second module in a row: a dropout (nothing at inference), or another activation"
                    );
                }
            }
            next_index = indices[i] + 1;
        } else if i > 0 {
            say!(
                out,
                "    ReLU, // between modules, an activation: ReLU, Sigmoid, Tanh, ...? (weights cannot tell: choose)"
            );
        }
        say!(out, "    {}", layer(m, &mut previous_out));
    }
    say!(out, ");");
    let names = |ms: &[Module]| -> Vec<String> {
        ms.iter()
            .flat_map(|m| m.other.iter().chain(&m.names).cloned())
            .collect()
    };
    // Flax keeps a batch normalisation's statistics apart from its scale and bias
    // (`batch_stats.BatchNorm_0`, `params.BatchNorm_0`): one module, by its last name.
    let last = |m: &Module| m.prefix.rsplit('.').next().unwrap_or("").to_string();
    let with_statistics: Vec<String> = normalisations
        .iter()
        .filter(|m| m.has_statistics())
        .map(last)
        .collect();
    let (batch, per_sample): (Vec<Module>, Vec<Module>) = normalisations
        .into_iter()
        .partition(|m| with_statistics.contains(&last(m)));
    if !batch.is_empty() {
        say!(
            out,
            "\nBatch normalisations, which this crate has no layer for: {}. Fold each into the `Linear` before it (in PyTorch, `torch.nn.utils.fusion.fuse_linear_bn_eval`; elsewhere, scale the Linear's outputs by `scale / sqrt(var + eps)` and shift its bias to match, with the framework's `eps`) and save that: the model above then reads it, and computes what the file's network does in evaluation. Reading the Linears alone would compute something else.",
            names(&batch).join(", ")
        );
    }
    if !per_sample.is_empty() {
        say!(
            out,
            "\nLayer normalisations, which this crate has no layer for and which do not fold into a Linear (they normalise each sample by its own statistics): {}. No model of this crate computes this network; reading the Linears alone would compute something else.",
            names(&per_sample).join(", ")
        );
    }
    if order_unknown(&modules) {
        say!(
            out,
            "\nThe file does not record the order of layers named differently ({}): the model above lists them in the file's order, which is by name. Put them in the network's order, the model's layers and the `Naming` alike.",
            modules
                .iter()
                .map(|m| named(&m.prefix))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let resave: Vec<&str> = modules
        .iter()
        .filter(|m| needs_saving_again(m))
        .map(|m| m.prefix.as_str())
        .collect();
    if !resave.is_empty() {
        say!(
            out,
            "\nNo model reads this file as it is: the tensors of {} are not saved as a Linear's `weight` and `bias` (see their comments above): save it again so.",
            resave
                .iter()
                .map(|p| named(p))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if !per_sample.is_empty() {
        return Ok(out);
    }
    // Folded, a batch normalisation leaves no tensors of its own: only strays need `load_part`.
    let holds_more = !strays.is_empty();
    let (own, strays): (Vec<Module>, Vec<Module>) =
        strays.into_iter().partition(|m| m.prefix.is_empty());
    if !own.is_empty() {
        say!(
            out,
            "\nThe module's own, under none of its layers: {}. If its forward pass computes with them, the model above computes something else, and no model of this crate may compute that network; if it does not (a step count, a setting), remove them from the file, or read it with `load_part`, which leaves them.",
            names(&own).join(", ")
        );
    }
    if !strays.is_empty() {
        say!(
            out,
            "\nNot parameters of any layer, so not in the model: {}. `load` refuses a file that holds them; `load_part` reads the model's tensors and leaves them.",
            names(&strays).join(", ")
        );
    }
    let holds_more = holds_more || !own.is_empty();
    let load = if holds_more {
        "load_part"
    } else {
        "load_named"
    };
    match &numbering {
        // The standardizer's tensors have no prefix: every layer is named.
        _ if standardizer.is_some() => {
            let names: Vec<String> = modules.iter().map(|m| format!("{:?}", m.prefix)).collect();
            say!(
                out,
                "\nThe standardizer's tensors have no module name: load it with"
            );
            say!(
                out,
                "safetensors::{load}(&bytes, &mut model, Naming::Layers(&[\"\", {}]))",
                names.join(", ")
            );
        }
        Some((Some(prefix), _)) => {
            say!(
                out,
                "\nIts names are nn.Sequential's under `{prefix}.`: load it with"
            );
            say!(
                out,
                "safetensors::{load}(&bytes, &mut model, Naming::Prefixed({prefix:?}))"
            );
        }
        Some((None, _)) if holds_more => {
            say!(out, "\nLoad it with");
            say!(
                out,
                "safetensors::load_part(&bytes, &mut model, Naming::Sequential)"
            );
        }
        Some((None, _)) => {}
        None => {
            let names: Vec<String> = modules.iter().map(|m| format!("{:?}", m.prefix)).collect();
            say!(out, "\nIts names are not nn.Sequential's: load it with");
            say!(
                out,
                "safetensors::{load}(&bytes, &mut model, Naming::Layers(&[{}]))",
                names.join(", ")
            );
        }
    }
    Ok(out)
}

/// The width of the input standardisation a module keeps as tensors of its own, outside its
/// layers: `mean` and `std`, both of one dimension and the same width.
fn input_standardisation(entries: &[Entry]) -> Option<u64> {
    let shape = |name: &str| {
        entries
            .iter()
            .find(|e| e.name == name)
            .map(|e| e.shape.as_slice())
    };
    match (shape("mean")?, shape("std")?) {
        (&[mean], &[std]) if mean == std => Some(mean),
        _ => None,
    }
}

/// The layers' nn.Sequential indices and the prefix they share (`net` for `net.0`, `net.2`;
/// none for `0`, `2`), if every layer has one.
fn numbering(modules: &[Module]) -> Option<(Option<String>, Vec<usize>)> {
    let split = |prefix: &str| match prefix.rsplit_once('.') {
        Some((outer, index)) => Some((Some(outer.to_string()), index.parse().ok()?)),
        None => Some((None, prefix.parse().ok()?)),
    };
    let parts: Vec<(Option<String>, usize)> = modules
        .iter()
        .map(|m| split(&m.prefix))
        .collect::<Option<_>>()?;
    let outer = parts[0].0.clone();
    let shared = parts.iter().all(|(o, _)| *o == outer);
    let increasing = parts.windows(2).all(|w| w[0].1 < w[1].1);
    (shared && increasing).then(|| (outer, parts.into_iter().map(|(_, i)| i).collect()))
}

/// The tensors grouped by prefix, in order of the prefix's number (or of first appearance).
fn modules(entries: &[Entry]) -> Vec<Module> {
    let mut modules: Vec<Module> = Vec::new();
    for e in entries {
        let (prefix, leaf) = split_weight(&e.name)
            .unwrap_or_else(|| e.name.rsplit_once('.').unwrap_or(("", &e.name)));
        let index = match modules.iter().position(|m| m.prefix == prefix) {
            Some(i) => i,
            None => {
                modules.push(Module {
                    prefix: prefix.to_string(),
                    weight: None,
                    split: None,
                    bias: None,
                    kernel: false,
                    dtype: e.dtype.clone(),
                    names: Vec::new(),
                    other: Vec::new(),
                });
                modules.len() - 1
            }
        };
        let m = &mut modules[index];
        // The layer's float type is its weight's (or bias's), not a counter's beside it.
        // A two-dimensional kernel is a weight stored transposed; beside a weight, another
        // tensor.
        let leaf = match leaf {
            "kernel" if e.shape.len() == 2 && m.weight.is_none() => "kernel",
            "kernel" => "kernel, beside a weight",
            leaf => leaf,
        };
        if matches!(
            leaf,
            "weight" | "kernel" | "weight_orig" | "weight_v" | "original1"
        ) || (leaf == "bias" && m.weight.is_none())
        {
            m.dtype = e.dtype.clone();
        }
        match leaf {
            "weight" => {
                // A kernel named first (the file's order is by name) beside a weight: another
                // tensor, which the weight leaves unread.
                if m.kernel {
                    m.kernel = false;
                    let kernel = m.names.iter().position(|n| n.ends_with("kernel"));
                    m.other.extend(kernel.map(|k| m.names.remove(k)));
                }
                m.weight = Some(e.shape.clone());
            }
            "kernel" => {
                m.weight = Some(vec![e.shape[1], e.shape[0]]);
                m.kernel = true;
            }
            "bias" => m.bias = Some(e.shape.clone()),
            // The part of a split weight with the full weight's shape.
            "weight_orig" | "weight_v" | "original1" => {
                m.weight = Some(e.shape.clone());
                m.split = Some(match leaf {
                    "weight_orig" => {
                        "pruned: make the pruning permanent with `prune.remove(module, \"weight\")` and save again"
                    }
                    "weight_v" => {
                        "under weight normalisation: `torch.nn.utils.remove_weight_norm(module)` and save again"
                    }
                    _ => {
                        "under a parametrization: `torch.nn.utils.parametrize.remove_parametrizations(module, \"weight\")` and save again"
                    }
                });
            }
            // The other part: the mask, or the magnitudes.
            "weight_mask" | "weight_g" | "original0" => {}
            _ => m.other.push(e.name.clone()),
        }
        if matches!(leaf, "weight" | "kernel" | "bias") {
            m.names.push(e.name.clone());
        }
    }
    // Numbered names in numeric order (the file's order is by dtype, then name: `10` before
    // `2`): nn.Sequential's `0`, `2`, Flax's `Dense_0`, `Dense_10`, Keras's `dense`,
    // `dense_1`. Only where every module shares a prefix and a stem: others (`enc.0` and
    // `dec.0`, `Encoder_0` and `Dense_0`) keep the file's order, which [`order_unknown`]
    // reports.
    if !order_unknown(&modules) {
        modules.sort_by_key(|m| order_key(&m.prefix).2);
    }
    modules
}

/// A module's name split as its place among its kind: the prefix before its last part, that
/// part's stem and its number (`params.Dense_10`: `params`, `Dense`, 10; `dense`: 0).
fn order_key(prefix: &str) -> (&str, &str, u64) {
    let (outer, last) = prefix.rsplit_once('.').unwrap_or(("", prefix));
    let stem = last.trim_end_matches(|c: char| c.is_ascii_digit());
    let number = last[stem.len()..].parse().unwrap_or(0);
    (outer, stem.trim_end_matches('_'), number)
}

/// Whether the file cannot tell the order of the layers: they are not all numbered under one
/// prefix and stem.
fn order_unknown(modules: &[Module]) -> bool {
    let first = modules.first().map(|m| order_key(&m.prefix));
    modules.iter().any(|m| {
        let (outer, stem, _) = order_key(&m.prefix);
        first.is_some_and(|(o, s, _)| (o, s) != (outer, stem))
    })
}

/// The module and the part of a weight saved in two parts: `("0", "weight_orig")` for a pruned
/// `0.weight_orig`, `("0", "original1")` for `0.parametrizations.weight.original1`.
fn split_weight(name: &str) -> Option<(&str, &str)> {
    if let Some((module, part)) = name.rsplit_once(".parametrizations.weight.") {
        return Some((module, part));
    }
    if let Some(part) = name.strip_prefix("parametrizations.weight.") {
        return Some(("", part));
    }
    let (prefix, leaf) = name.rsplit_once('.').unwrap_or(("", name));
    let parts = ["weight_orig", "weight_mask", "weight_g", "weight_v"];
    parts.contains(&leaf).then_some((prefix, leaf))
}

/// The typed layer of one module, with a comment when the file does not fit one.
fn layer(m: &Module, previous_out: &mut Option<u64>) -> String {
    let float = match m.dtype.as_str() {
        // Half precision and bfloat16 load exactly into f32 layers.
        "F32" | "F16" | "BF16" => String::new(),
        "F64" => ", f64".to_string(),
        other => format!(", /* {other}: typed-nn holds f32 or f64 */"),
    };
    let count = |shape: &[u64]| shape.iter().product::<u64>();
    match (&m.weight, &m.bias) {
        // A Linear's weight is [out, in], its bias [out] (or saved as [1, out], or missing).
        (Some(w), bias) if w.len() == 2 && bias.as_ref().is_none_or(|b| count(b) == w[0]) => {
            let (out, inp) = (w[0], w[1]);
            let chain = match previous_out.replace(out) {
                Some(prev) if prev != inp => format!(" (the layer before gives {prev} features!)"),
                _ => String::new(),
            };
            let bias = match bias {
                Some(b) if b.len() == 1 => format!("bias [{out}]"),
                Some(b) => format!("bias saved as {b:?} (save it as [{out}]: `bias.reshape(-1)`)"),
                None => format!(
                    "no bias (`bias=False`; a `Linear` has one: save `torch.zeros({out})` as its bias)"
                ),
            };
            let split = match m.split {
                Some(how) => format!("; its weight saved in two parts, {how}"),
                None => String::new(),
            };
            let other = match m.other.is_empty() {
                true => String::new(),
                false => format!(
                    "; also {:?}, which a Linear does not read: remove them from the file",
                    m.other
                ),
            };
            let weight = match m.kernel {
                true => format!("kernel [{inp}, {out}] (read transposed)"),
                false => format!("weight [{out}, {inp}]"),
            };
            format!(
                "Linear<{inp}, {out}{float}>, // {}: {weight}, {bias}{chain}{split}{other}",
                if m.prefix.is_empty() {
                    "(no name)"
                } else {
                    &m.prefix
                }
            )
        }
        (Some(w), _) if w.len() >= 3 => format!(
            "/* {}: weight {w:?}, of {} dimensions: a convolution's, which this crate has no layer for */",
            m.prefix,
            w.len()
        ),
        // The weight saved as [in, out]: PyTorch's is [out, in].
        (Some(w), Some(b)) if w.len() == 2 && b.len() == 1 && b[0] == w[1] => format!(
            "/* {}: weight [{}, {}] and bias [{}]: the weight is stored transposed (a Linear's is [out, in]: save `weight.T`, or name it `kernel`, which is read transposed) */",
            m.prefix, w[0], w[1], b[0]
        ),
        // A scale and a shift for each feature: a normalisation without running statistics.
        (Some(w), Some(b)) if w.len() == 1 && w == b => format!(
            "/* {}: weight and bias of {} values each: a normalisation (`nn.LayerNorm`, ...), which this crate has no layer for */",
            m.prefix, w[0]
        ),
        (Some(w), None) if w.len() == 1 => format!(
            "/* {}: a weight of shape {w:?} and no bias: a learned activation (`nn.PReLU`, ...), which this crate has no layer for */",
            m.prefix
        ),
        // A bias alone: the weight tied to another layer's (`save_model` writes it once and
        // names the alias in the metadata, which `load` follows).
        (None, Some(b)) if b.len() == 1 && m.other.is_empty() => {
            let out = b[0];
            match previous_out.replace(out) {
                Some(inp) => format!(
                    "Linear<{inp}, {out}{float}>, // {}: bias [{out}], its weight tied to another layer's (named in the file's metadata), taking the {inp} features before it",
                    m.prefix
                ),
                None => format!(
                    "/* {}: bias [{out}], its weight tied to another layer's: Linear<IN, {out}> */",
                    m.prefix
                ),
            }
        }
        _ => format!(
            "/* {}: not a Linear layer (weight {:?}, bias {:?}, others {:?}) */",
            m.prefix, m.weight, m.bias, m.other
        ),
    }
}

/// A module as the text names it: `0`, or the lone module of a file whose tensors have no
/// module name (`weight`, `bias`).
fn named(prefix: &str) -> String {
    match prefix {
        "" => "the module without a name".to_string(),
        _ => format!("`{prefix}`"),
    }
}

/// Whether a module would be a `Linear` layer once saved again: its weight whole, its bias of
/// one dimension, nothing else under its name.
fn needs_saving_again(m: &Module) -> bool {
    let linear = m.weight.as_ref().is_some_and(|w| w.len() == 2);
    let bias_fits = m.bias.as_ref().is_some_and(|b| b.len() == 1);
    linear && (m.split.is_some() || !bias_fits || !m.other.is_empty())
}

/// Runs the example; an error is printed as its message, not its `Debug` form.
fn main() -> std::process::ExitCode {
    support::exit(run())
}
