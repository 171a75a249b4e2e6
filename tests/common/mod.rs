//! Helpers shared by the integration tests.
#![allow(dead_code)]

use rand::{RngExt, SeedableRng, rngs::SmallRng};
use typed_nn::Tensor;

/// A seeded generator, so every test sees the same numbers on every run.
pub fn rng(seed: u64) -> SmallRng {
    SmallRng::seed_from_u64(seed)
}

/// A tensor of values drawn uniformly from [-scale, scale].
pub fn random<T: Tensor<Elem = f64>>(rng: &mut SmallRng, scale: f64) -> T {
    let mut t = T::ZERO;
    for v in t.flat_mut() {
        *v = rng.random_range(-scale..scale);
    }
    t
}

/// A tensor whose rows are probability distributions (positive, summing to one).
pub fn distribution<T: Tensor<Elem = f64>>(rng: &mut SmallRng) -> T {
    let mut t = T::ZERO;
    for row in t.flat_mut().chunks_exact_mut(T::ROW) {
        row.iter_mut().for_each(|v| *v = rng.random_range(0.1..1.0));
        let sum: f64 = row.iter().sum();
        row.iter_mut().for_each(|v| *v /= sum);
    }
    t
}

/// Targets in [0, 1] for binary cross-entropy.
pub fn unit<T: Tensor<Elem = f64>>(rng: &mut SmallRng) -> T {
    let mut t = T::ZERO;
    t.flat_mut()
        .iter_mut()
        .for_each(|v| *v = rng.random_range(0.0..1.0));
    t
}

/// A named pipe in the temporary directory (made with `mkfifo`), and a thread that opens it
/// for writing and hands it to `write`; the thread's result is `write`'s. A reader that stops
/// early closes the pipe, and `write`'s next write fails with a broken pipe.
#[cfg(unix)]
pub fn pipe<T: Send + 'static>(
    name: &str,
    write: impl FnOnce(&mut std::fs::File) -> T + Send + 'static,
) -> (std::path::PathBuf, std::thread::JoinHandle<T>) {
    let path = std::env::temp_dir().join(format!("typed-nn-{name}-{}", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let made = std::process::Command::new("mkfifo").arg(&path).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo {}", path.display());
    let writer_path = path.clone();
    let writer = std::thread::spawn(move || {
        let mut pipe = std::fs::OpenOptions::new()
            .write(true)
            .open(writer_path)
            .unwrap();
        write(&mut pipe)
    });
    (path, writer)
}

/// The names, without `.rs`, of the Rust files in `dir`, sorted.
pub fn rust_files_in(dir: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The parameters of a version-3 byte image (as the crate writes) as a version-1 image:
/// version 1 in the header, no layout, no checksum.
pub fn version_1(v3: &[u8]) -> Vec<u8> {
    use typed_nn::io::{CHECKSUM_BYTES, LAYOUT_BYTES};
    let mut v1 = v3[..v3.len() - LAYOUT_BYTES - CHECKSUM_BYTES].to_vec();
    v1[4..6].copy_from_slice(&1u16.to_le_bytes());
    v1
}

/// The same parameters as a version-2 image: version 2 in the header, no layout, a checksum.
pub fn version_2(v3: &[u8]) -> Vec<u8> {
    let mut v2 = version_1(v3);
    v2[4..6].copy_from_slice(&2u16.to_le_bytes());
    v2.extend(typed_nn::io::crc32(&v2).to_le_bytes());
    v2
}
