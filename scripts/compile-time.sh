#!/usr/bin/env bash
# Compile time of the library, and of a program using models of depth 2, 4, 8 and 16 layers.
#
# - library: `cargo build --release --lib` in an empty target directory (dependencies
#   included), and again after touching src/lib.rs (the crate alone);
# - user crate: a program whose model is a tuple of N layers (Linear<16, 16> and Tanh
#   alternating) and that calls inference, a training step (forward, loss, backward, Adam) and
#   gradcheck, so that all of it is instantiated; `cargo check`, `cargo build` and
#   `cargo build --release` of that program alone (typed-nn already built), median of 3.
#
# It fails if the time grows faster than linearly: a 16-layer model may cost at most 8 times
# a 2-layer one, and each doubling of depth at most doubles the time.
# Usage: scripts/compile-time.sh [WORK_DIR]   (default /tmp/typed-nn-compile-time)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-/tmp/typed-nn-compile-time}"
rm -rf "$work" && mkdir -p "$work"

now() { date +%s.%N; }
seconds() { local t0; t0=$(now); "$@" >/dev/null 2>&1; awk -v a="$t0" -v b="$(now)" 'BEGIN{printf "%.2f", b-a}'; }
median3() { printf '%s\n' "$@" | sort -n | sed -n 2p; }

export CARGO_TARGET_DIR="$work/target-lib"
lib_clean=$(seconds cargo build --release --lib --manifest-path "$root/Cargo.toml")
touch "$root/src/lib.rs"
lib_alone=$(seconds cargo build --release --lib --manifest-path "$root/Cargo.toml")

# The user crate: one binary per depth, built in one shared target directory.
user="$work/user"
mkdir -p "$user/src/bin"
cat >"$user/Cargo.toml" <<TOML
[package]
name = "depth"
version = "0.1.0"
edition = "2024"
publish = false

[dependencies]
typed-nn = { path = "$root" }

[workspace]
TOML
for depth in 2 4 8 16; do
  layers=""
  for ((i = 0; i < depth; i++)); do
    if ((i % 2 == 0)); then layers+="Linear<16, 16, f64>, "; else layers+="Tanh, "; fi
  done
  cat >"$user/src/bin/depth$depth.rs" <<RS
use typed_nn::gradcheck::gradcheck;
use typed_nn::prelude::*;

type Net = (${layers%, });

fn main() {
    let mut net = Net::ZERO;
    let x = [[0.5f64; 16]; 4];
    let mut trainer = Trainer::<Net, [[f64; 16]; 4], _>::new(Adam::new(1e-3));
    let loss = trainer.step(&mut net, &x, &[[0.0; 16]; 4], &Mse).ok();
    let y = net.infer(&x[0]);
    let check = gradcheck(&mut net, &x[0], &Mse, &[0.0; 16]);
    println!("{loss:?} {} {}", y[0], check.worst_error);
}
RS
done
cp "$root/Cargo.lock" "$user/Cargo.lock" 2>/dev/null || true
export CARGO_TARGET_DIR="$work/target-user"
cargo build --release --manifest-path "$user/Cargo.toml" >/dev/null 2>&1
cargo build --manifest-path "$user/Cargo.toml" >/dev/null 2>&1
cargo check --manifest-path "$user/Cargo.toml" >/dev/null 2>&1

echo "| what | seconds |"
echo "|---|---|"
echo "| library, clean (with dependencies), release | $lib_clean |"
echo "| library alone, release | $lib_alone |"
declare -A check debug release
for depth in 2 4 8 16; do
  c=(); d=(); r=()
  for _ in 1 2 3; do
    touch "$user/src/bin/depth$depth.rs"
    c+=("$(seconds cargo check --manifest-path "$user/Cargo.toml" --bin "depth$depth")")
    touch "$user/src/bin/depth$depth.rs"
    d+=("$(seconds cargo build --manifest-path "$user/Cargo.toml" --bin "depth$depth")")
    touch "$user/src/bin/depth$depth.rs"
    r+=("$(seconds cargo build --release --manifest-path "$user/Cargo.toml" --bin "depth$depth")")
  done
  check[$depth]=$(median3 "${c[@]}")
  debug[$depth]=$(median3 "${d[@]}")
  release[$depth]=$(median3 "${r[@]}")
  echo "| model of $depth layers: check / debug build / release build | ${check[$depth]} / ${debug[$depth]} / ${release[$depth]} |"
done

# Linear growth: t(16) <= 8 t(2), and each doubling at most doubles.
ok=1
for kind in check debug release; do
  declare -n t=$kind
  awk -v a="${t[2]}" -v b="${t[4]}" -v c="${t[8]}" -v d="${t[16]}" -v k="$kind" 'BEGIN {
    bad = (d > 8 * a) || (b > 2 * a) || (c > 2 * b) || (d > 2 * c)
    printf "%s: 16 layers cost %.2fx 2 layers (linear growth allows 8x)\n", k, d / a
    exit bad }' || ok=0
done
[ $ok = 1 ] || { echo "compile time grows faster than linearly with depth" >&2; exit 1; }
