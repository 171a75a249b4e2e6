#!/usr/bin/env bash
# What a user pays to build a model: release build time and binary size of a program whose
# layers all have distinct widths, against the same network written as plain array loops.
#
# For each depth d (hidden layers), three programs are generated and built in one target
# directory, in the same run:
# - `typed_d`: input 16, hidden widths 32, 33, ..., 31 + d (sigmoid), output 4, the model
#   nested in tuples of at most 16 layers; one Adam step on a batch of 8 through `Trainer`;
# - `same_d`: the same with every hidden width 32 (one layer shape, for comparison);
# - `plain_d`: the distinct-width network as plain `[[f32; I]; O]` arrays and the
#   straightforward index loops one writes first (forward, backward, Adam), generic over the
#   sizes as a user would write them.
# Each is built with `cargo build --release` after touching its source (the library already
# built); the time is the median of REPEAT runs (default 3). The table gives seconds, the ratio
# typed / plain, and binary sizes. A measurement to run by hand, not a test.
#
# Usage: scripts/compile-time.sh [WORK_DIR] [DEPTHS...]   (default /tmp/typed-nn-compile-time,
#        depths 2 4 8 16 32 64); REPEAT=1 for a quick run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-/tmp/typed-nn-compile-time}"
shift || true
depths=("$@")
[ ${#depths[@]} -gt 0 ] || depths=(2 4 8 16 32 64)
repeat="${REPEAT:-3}"
rm -rf "$work" && mkdir -p "$work/user/src/bin"
user="$work/user"

now() { date +%s.%N; }
seconds() { local t0; t0=$(now); "$@" >/dev/null 2>&1; awk -v a="$t0" -v b="$(now)" 'BEGIN{printf "%.2f", b-a}'; }
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END{print v[int((NR+1)/2)]}'; }

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
cp "$root/Cargo.lock" "$user/Cargo.lock" 2>/dev/null || true

# The layer list of a typed model: widths 16, h_1, ..., h_d, 4, nested in tuples of <= 16.
typed_model() {
  local widths=("$@") items=() i
  for ((i = 0; i + 1 < ${#widths[@]}; i++)); do
    items+=("Linear<${widths[i]}, ${widths[i + 1]}>")
    ((i + 2 < ${#widths[@]})) && items+=("Sigmoid")
  done
  local out="" chunk="" n=0
  for item in "${items[@]}"; do
    chunk+="$item, "
    n=$((n + 1))
    if ((n == 16)); then out+="(${chunk%, }), "; chunk=""; n=0; fi
  done
  [ -n "$chunk" ] && out+="(${chunk%, }), "
  echo "(${out%, })"
}

typed_program() { # name, widths...
  local name=$1
  shift
  cat >"$user/src/bin/$name.rs" <<RS
use typed_nn::prelude::*;

type Net = $(typed_model "$@");

fn main() {
    let mut net: Box<Net> = typed_nn::boxed::zeroed();
    let mut trainer = Trainer::<Net, [[f32; 16]; 8], _>::boxed(Adam::<Net>::boxed(1e-3));
    let loss = trainer.step(&mut net, &[[0.5; 16]; 8], &[[0.0; 4]; 8], &Mse);
    println!("{loss:?}");
}
RS
}

plain_program() { # name, widths...
  local name=$1
  shift
  local widths=("$@") decl="" fwd="" bwd="" upd="" i
  local last=$((${#widths[@]} - 2))
  for ((i = 0; i <= last; i++)); do
    local in=${widths[i]} out=${widths[i + 1]}
    decl+="    let mut l$i = Layer::<$in, $out>::new();
"
    if ((i == 0)); then src="x"; else src="l$((i - 1)).a"; fi
    if ((i < last)); then sig=true; else sig=false; fi
    fwd+="    l$i.forward(&$src, $sig);
"
    upd+="    l$i.update(t);
"
  done
  for ((i = last; i >= 0; i--)); do
    if ((i == 0)); then
      bwd+="    l0.backward(&x, None);
"
    else
      bwd+="    {
        let (prev, this) = (&mut l$((i - 1)), &mut l$i);
        this.backward(&prev.a, Some(&mut prev.da));
    }
"
    fi
  done
  cat >"$user/src/bin/$name.rs" <<RS
const B: usize = 8;

struct Layer<const I: usize, const O: usize> {
    w: Box<[[f32; I]; O]>,
    b: [f32; O],
    gw: Box<[[f32; I]; O]>,
    gb: [f32; O],
    m: Box<([[f32; I]; O], [f32; O])>,
    v: Box<([[f32; I]; O], [f32; O])>,
    a: [[f32; O]; B],
    da: [[f32; O]; B],
    sigmoid: bool,
}

impl<const I: usize, const O: usize> Layer<I, O> {
    fn new() -> Self {
        let w = Box::new([[0.01; I]; O]);
        let zero = || Box::new([[0.0; I]; O]);
        let moments = || Box::new(([[0.0; I]; O], [0.0; O]));
        let (b, a) = ([0.0; O], [[0.0; O]; B]);
        Self { w, b, gw: zero(), gb: [0.0; O], m: moments(), v: moments(), a, da: a, sigmoid: false }
    }

    fn forward(&mut self, x: &[[f32; I]; B], sigmoid: bool) {
        self.sigmoid = sigmoid;
        for s in 0..B {
            for o in 0..O {
                let mut z = self.b[o];
                for i in 0..I {
                    z += self.w[o][i] * x[s][i];
                }
                self.a[s][o] = if sigmoid { 1.0 / (1.0 + (-z).exp()) } else { z };
            }
        }
    }

    fn backward(&mut self, x: &[[f32; I]; B], dx: Option<&mut [[f32; I]; B]>) {
        for s in 0..B {
            for o in 0..O {
                if self.sigmoid {
                    let a = self.a[s][o];
                    self.da[s][o] *= a * (1.0 - a);
                }
                let d = self.da[s][o];
                self.gb[o] += d;
                for i in 0..I {
                    self.gw[o][i] += d * x[s][i];
                }
            }
        }
        if let Some(dx) = dx {
            for s in 0..B {
                for i in 0..I {
                    let mut sum = 0.0;
                    for o in 0..O {
                        sum += self.da[s][o] * self.w[o][i];
                    }
                    dx[s][i] = sum;
                }
            }
        }
    }

    fn update(&mut self, t: i32) {
        let (c1, c2) = (1.0 - 0.9f32.powi(t), 1.0 - 0.999f32.powi(t));
        for o in 0..O {
            for i in 0..I {
                adam(&mut self.w[o][i], &mut self.gw[o][i], &mut self.m.0[o][i], &mut self.v.0[o][i], c1, c2);
            }
            adam(&mut self.b[o], &mut self.gb[o], &mut self.m.1[o], &mut self.v.1[o], c1, c2);
        }
    }
}

fn adam(p: &mut f32, g: &mut f32, m: &mut f32, v: &mut f32, c1: f32, c2: f32) {
    *m = 0.9 * *m + 0.1 * *g;
    *v = 0.999 * *v + 0.001 * *g * *g;
    *p -= 1e-3 * (*m / c1) / ((*v / c2).sqrt() + 1e-8);
    *g = 0.0;
}

fn main() {
    let x = [[0.5f32; 16]; B];
    let t = 1;
$decl$fwd    // MSE against zero targets.
    let n = (B * 4) as f32;
    for (d, a) in l$last.da.iter_mut().flatten().zip(l$last.a.iter().flatten()) {
        *d = 2.0 * a / n;
    }
    let loss: f32 = l$last.a.iter().flatten().map(|a| a * a).sum::<f32>() / n;
$bwd$upd    println!("{loss}");
}
RS
}

for d in "${depths[@]}"; do
  distinct=(16) same=(16)
  for ((k = 0; k < d; k++)); do distinct+=($((32 + k))); same+=(32); done
  distinct+=(4) same+=(4)
  typed_program "typed_$d" "${distinct[@]}"
  typed_program "same_$d" "${same[@]}"
  plain_program "plain_$d" "${distinct[@]}"
done

export CARGO_TARGET_DIR="$work/target"
cargo build --release --manifest-path "$user/Cargo.toml" >/dev/null 2>&1

echo "| hidden layers | typed-nn, distinct widths (s) | typed-nn, one width (s) | plain arrays (s) | typed / plain | binary typed / plain (KB) |"
echo "|---:|---:|---:|---:|---:|---:|"
for d in "${depths[@]}"; do
  row=()
  for bin in "typed_$d" "same_$d" "plain_$d"; do
    times=()
    for ((r = 0; r < repeat; r++)); do
      touch "$user/src/bin/$bin.rs"
      times+=("$(seconds cargo build --release --manifest-path "$user/Cargo.toml" --bin "$bin")")
    done
    row+=("$(median "${times[@]}")")
  done
  size() { echo $(($(stat -c %s "$work/target/release/$1") / 1024)); }
  ratio=$(awk -v a="${row[0]}" -v b="${row[2]}" 'BEGIN{printf "%.2f", a / b}')
  echo "| $d | ${row[0]} | ${row[1]} | ${row[2]} | ${ratio}x | $(size "typed_$d") / $(size "plain_$d") |"
done
