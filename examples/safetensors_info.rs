//! What type is this file? Reads a safetensors file, prints its tensors and the typed-nn model
//! type whose parameters it holds: `Linear` layers from the shapes of `weight` and `bias`, and
//! a placeholder where the file holds no tensor (an activation, which weights cannot tell).
//!
//! Run: `cargo run --release --example safetensors_info -- FILE.safetensors`
//! (without a file, it reads the PyTorch-named fixture in `tests/fixtures/`).

mod support;

use typed_nn::io::safetensors::Header;

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
    bias: Option<Vec<u64>>,
    dtype: String,
    other: Vec<String>,
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/digits_mlp_f32.safetensors"
    );
    let path = std::env::args().nth(1).unwrap_or_else(|| fixture.into());
    let bytes = std::fs::read(&path).map_err(|e| format!("{path}: {e}"))?;
    let header = Header::parse(&bytes).map_err(|e| format!("{path}: {e}"))?;
    let mut entries = Vec::new();
    header.for_each(|t| {
        entries.push(Entry {
            name: t.name.to_string(),
            dtype: t.dtype.to_string(),
            shape: t.shape.as_slice().to_vec(),
        })
    });
    println!("{path}: {} tensors\n", entries.len());
    println!("| tensor | dtype | shape |");
    println!("|---|---|---|");
    for e in &entries {
        println!("| `{}` | {} | {:?} |", e.name, e.dtype, e.shape);
    }

    // Tensors that are neither a weight nor a bias, alone under their prefix (a bare
    // `num_batches_tracked`, say), are no layer: the model leaves them out, and the loader
    // refuses a file that holds them.
    let (modules, strays): (Vec<Module>, Vec<Module>) = modules(&entries)
        .into_iter()
        .partition(|m| m.weight.is_some() || m.bias.is_some());
    let numbered: Option<Vec<usize>> = modules.iter().map(|m| m.prefix.parse().ok()).collect();
    if modules.is_empty() {
        println!(
            "\nNo tensor is a layer's weight or bias: no model of this crate's layers reads this file."
        );
        return Ok(());
    }
    println!("\nThe typed-nn model with these parameters:\n");
    println!("type Model = (");
    let mut previous_out: Option<u64> = None;
    let mut next_index = 0;
    for (i, m) in modules.iter().enumerate() {
        // Indices an `nn.Sequential` skipped hold modules without tensors: activations.
        if let Some(indices) = &numbered {
            for skipped in next_index..indices[i] {
                println!(
                    "    ReLU, // {skipped}: no tensors, an activation: ReLU, Sigmoid, Tanh, ...? (weights cannot tell: choose)"
                );
            }
            next_index = indices[i] + 1;
        } else if i > 0 {
            println!(
                "    ReLU, // between modules, an activation: ReLU, Sigmoid, Tanh, ...? (weights cannot tell: choose)"
            );
        }
        println!("    {}", layer(m, &mut previous_out));
    }
    println!(");");
    if !strays.is_empty() {
        let names: Vec<&str> = strays
            .iter()
            .flat_map(|m| m.other.iter().map(String::as_str))
            .collect();
        println!(
            "\nNot parameters of any layer, so not in the model: {}. The loader refuses a file that holds them: leave them out when saving (in PyTorch, `del state_dict[name]`).",
            names.join(", ")
        );
    }
    if numbered.is_none() {
        let names: Vec<String> = modules.iter().map(|m| format!("{:?}", m.prefix)).collect();
        println!("\nIts names are not nn.Sequential's: load it with");
        println!(
            "safetensors::load_named(&bytes, &mut model, Naming::Layers(&[{}]))",
            names.join(", ")
        );
    }
    Ok(())
}

/// The tensors grouped by prefix, in order of the prefix's number (or of first appearance).
fn modules(entries: &[Entry]) -> Vec<Module> {
    let mut modules: Vec<Module> = Vec::new();
    for e in entries {
        let (prefix, leaf) = e.name.rsplit_once('.').unwrap_or(("", &e.name));
        let index = match modules.iter().position(|m| m.prefix == prefix) {
            Some(i) => i,
            None => {
                modules.push(Module {
                    prefix: prefix.to_string(),
                    weight: None,
                    bias: None,
                    dtype: e.dtype.clone(),
                    other: Vec::new(),
                });
                modules.len() - 1
            }
        };
        let m = &mut modules[index];
        match leaf {
            "weight" => m.weight = Some(e.shape.clone()),
            "bias" => m.bias = Some(e.shape.clone()),
            _ => m.other.push(e.name.clone()),
        }
    }
    if modules.iter().all(|m| m.prefix.parse::<usize>().is_ok()) {
        modules.sort_by_key(|m| m.prefix.parse::<usize>().unwrap_or(0));
    }
    modules
}

/// The typed layer of one module, with a comment when the file does not fit one.
fn layer(m: &Module, previous_out: &mut Option<u64>) -> String {
    let float = match m.dtype.as_str() {
        // Half precision and bfloat16 load exactly into f32 layers.
        "F32" | "F16" | "BF16" => String::new(),
        "F64" => ", f64".to_string(),
        other => format!(", /* {other}: typed-nn holds f32 or f64 */"),
    };
    match (&m.weight, &m.bias, m.other.is_empty()) {
        (Some(w), Some(b), true) if w.len() == 2 && b.len() == 1 && b[0] == w[0] => {
            let (out, inp) = (w[0], w[1]);
            let chain = match previous_out.replace(out) {
                Some(prev) if prev != inp => format!(" (the layer before gives {prev} features!)"),
                _ => String::new(),
            };
            format!(
                "Linear<{inp}, {out}{float}>, // {}: weight [{out}, {inp}], bias [{out}]{chain}",
                m.prefix
            )
        }
        _ => format!(
            "/* {}: not a Linear layer (weight {:?}, bias {:?}, others {:?}) */",
            m.prefix, m.weight, m.bias, m.other
        ),
    }
}

/// Runs the example; an error is printed as its message, not its `Debug` form.
fn main() -> std::process::ExitCode {
    support::exit(run())
}
