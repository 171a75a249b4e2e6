//! safetensors files of a model (with an allocator).

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

use super::{Naming, SafetensorsError, dtype_of, for_each_tensor};
use crate::float::Float;
use crate::io::Tensors;
use crate::module::Params;

/// The safetensors file of `model`, with `nn.Sequential` names: what PyTorch's
/// `safetensors.torch.load_file` reads into a `state_dict` that the same architecture's
/// `load_state_dict` accepts.
pub fn to_bytes<F: Float, M: Params<F> + Tensors>(model: &M) -> Vec<u8> {
    // Sequential names cannot fail.
    to_bytes_named(model, Naming::Sequential).unwrap_or_default()
}

/// [`to_bytes`] with the names of `naming`.
pub fn to_bytes_named<F: Float, M: Params<F> + Tensors>(
    model: &M,
    naming: Naming<'_>,
) -> Result<Vec<u8>, SafetensorsError> {
    let mut json = String::from("{\"__metadata__\":{\"format\":\"pt\"}");
    let mut offset = 0;
    for_each_tensor::<M>(naming, &mut |name, _, shape| {
        let bytes = shape.len() * F::BYTES;
        let _ = write!(json, ",\"");
        for c in name.as_str().chars() {
            // Names are the crate's own or the caller's; escape what JSON needs.
            match c {
                '"' | '\\' => {
                    json.push('\\');
                    json.push(c);
                }
                c if (c as u32) < 0x20 => {
                    let _ = write!(json, "\\u{:04x}", c as u32);
                }
                c => json.push(c),
            }
        }
        let _ = write!(json, "\":{{\"dtype\":\"{}\",\"shape\":[", dtype_of::<F>());
        for (i, d) in shape.dims().iter().enumerate() {
            let _ = write!(json, "{}{d}", if i > 0 { "," } else { "" });
        }
        let _ = write!(json, "],\"data_offsets\":[{offset},{}]}}", offset + bytes);
        offset += bytes;
        Ok(())
    })?;
    json.push('}');
    // The data starts on a multiple of 8 bytes, as the reference writer pads it.
    while json.len() % 8 != 0 {
        json.push(' ');
    }
    let mut out = Vec::with_capacity(8 + json.len() + offset);
    out.extend_from_slice(&(json.len() as u64).to_le_bytes());
    out.extend_from_slice(json.as_bytes());
    model.visit(&mut |slice| {
        for &v in slice {
            let mut b = [0u8; 8];
            v.write_le(&mut b[..F::BYTES]);
            out.extend_from_slice(&b[..F::BYTES]);
        }
    });
    Ok(out)
}

/// Writes `model` as a safetensors file at `path` ([`to_bytes`]).
#[cfg(feature = "std")]
pub fn save<F: Float, M: Params<F> + Tensors>(
    path: impl AsRef<std::path::Path>,
    model: &M,
) -> Result<(), std::io::Error> {
    std::fs::write(path, to_bytes(model))
}

/// Reads the safetensors file at `path` into `model` ([`load`](super::load)); the
/// model is unchanged on any error.
#[cfg(feature = "std")]
pub fn load_file<F: Float, M: Params<F> + Tensors>(
    path: impl AsRef<std::path::Path>,
    model: &mut M,
) -> Result<(), std::boxed::Box<dyn core::error::Error + Send + Sync>> {
    let bytes = std::fs::read(path)?;
    super::load(&bytes, model)?;
    Ok(())
}
