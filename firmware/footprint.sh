#!/usr/bin/env bash
# Builds the firmware images, runs them under QEMU on a Cortex-M4F (mps2-an386) and a Cortex-M0
# (microbit), and prints a table of their footprint per core. Beside typed-nn's programs (every
# bin in src/bin) run MicroFlow's int8 sine network and the same program without a network
# (peers/microflow-sine), built the same way, so that each network's own cost can be read off.
#   flash = .vector_table + .text + .rodata + .data (initial values are stored in flash)
#   RAM   = .data + .bss + .uninit + the peak stack the firmware measures by stack painting
#   error = largest |output - sin x| over the 64 points x = 2 pi (i + 1/2) / 64, as the
#           device reports it
#   instructions per inference: what the device reports when run a second time under
#           `-icount shift=0`, where QEMU's virtual clock, and so SysTick, advances one
#           nanosecond per instruction (instructions, not cycles)
# Section sizes are read from the ELF section headers. Any image failing under QEMU fails the
# script.
# Usage: firmware/footprint.sh   (from anywhere; needs the shared embedded scripts)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
embedded=""
for dir in "$here/../../shared/embedded"; do
  [ -f "$dir/qemu-cortex-m.sh" ] && embedded=$dir && break
done
[ -n "$embedded" ] || {
  echo "no shared/embedded scripts beside the checkout: this script runs their cross-builds and QEMU (in CI they sit at ../shared/embedded)" >&2
  exit 2
}
export EMBEDDED_TARGET_DIR="${EMBEDDED_TARGET_DIR:-/tmp/embedded-check/target-qemu}"
peer="$here/peers/microflow-sine"
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT

# Builds both crates for a core, runs every image, then runs again under the instruction
# counter each image that reports instructions per inference.
measure() { # TARGET MACHINE
  local target=$1 machine=$2 elf name
  # Without -icount the counts only say how long the host took: not shown.
  bash "$embedded/qemu-cortex-m.sh" --target "$target" --machine "$machine" "$here" "$peer" |
    tee "$logs/$target.log" |
    sed 's/: [0-9]* instructions per inference$/: instructions per inference counted below/'
  grep -q "^embedded-check: [0-9]* passed, 0 failed$" "$logs/$target.log"
  : >"$logs/$target.icount.log"
  for name in $(sed -n 's/^\([a-z0-9_]*\): .*instructions per inference.*/\1/p' "$logs/$target.log"); do
    elf="$EMBEDDED_TARGET_DIR/$target/release/$name"
    echo "--- qemu-system-arm -machine $machine -icount shift=0 ... -kernel $elf"
    timeout -k 5 120 qemu-system-arm -machine "$machine" -icount shift=0 -nographic -monitor none \
      -serial null -semihosting-config enable=on,target=native -kernel "$elf" </dev/null |
      tee -a "$logs/$target.icount.log"
  done
}

measure thumbv7em-none-eabihf mps2-an386
measure thumbv6m-none-eabi microbit

typed=()
for file in "$here"/src/bin/*.rs; do typed+=("$(basename "$file" .rs)"); done

python3 - "$EMBEDDED_TARGET_DIR" "$logs" "$here/weights/sine.bin" "${typed[@]}" <<'PY'
import re, struct, sys

target_dir, logs, image, *typed = sys.argv[1:]
image = open(image, "rb").read()
# Only the parameters are kept in flash, not the image's header: bytes per parameter at offset
# 6, parameter count at offset 8.
weights = image[6] * struct.unpack_from("<I", image, 8)[0]
peers = {"microflow_sine": "microflow_sine (MicroFlow 0.1.3, int8)",
         "baseline": "baseline (the same program, no network)"}


def sections(path):
    """Section name -> size, from the ELF32 little-endian section header table."""
    data = open(path, "rb").read()
    assert data[:4] == b"\x7fELF" and data[4] == 1 and data[5] == 1, "expected ELF32 little-endian"
    shoff, = struct.unpack_from("<I", data, 0x20)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x2E)
    headers = [struct.unpack_from("<IIIIIIIIII", data, shoff + i * shentsize) for i in range(shnum)]
    strtab = headers[shstrndx]
    def name(off):
        start = strtab[4] + off
        return data[start:data.index(b"\0", start)].decode()
    return {name(h[0]): h[5] for h in headers}


for target, core in (("thumbv7em-none-eabihf", "Cortex-M4F, QEMU mps2-an386"),
                     ("thumbv6m-none-eabi", "Cortex-M0, QEMU microbit")):
    log = open(f"{logs}/{target}.log").read()
    stacks = dict(re.findall(r"^(\w+): .*peak stack (\d+) bytes", log, re.M))
    errors = dict(re.findall(r"^(\w+): .*largest \|device - sin\| = ([\d.]+)", log, re.M))
    icount = open(f"{logs}/{target}.icount.log").read()
    counts = dict(re.findall(r"^(\w+): (\d+) instructions per inference$", icount, re.M))
    missing = [name for name in typed + list(peers) if name not in stacks]
    missing += [name for name in re.findall(r"^(\w+): .*instructions per inference", icount, re.M)
                if name not in counts]
    if missing:
        sys.exit(f"no result from {', '.join(missing)} on {target}")
    print(f"\n{target} ({core}), bytes:\n")
    print("| image | .text | .rodata | .data | .bss | flash | peak stack | RAM "
          "| max abs error vs sin (64 points) | instructions per inference |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name in typed + list(peers):
        s = sections(f"{target_dir}/{target}/release/{name}")
        text, rodata, data = s.get(".text", 0), s.get(".rodata", 0), s.get(".data", 0)
        bss = s.get(".bss", 0) + s.get(".uninit", 0)
        flash = s.get(".vector_table", 0) + text + rodata + data
        stack = int(stacks[name])
        ram = data + bss + stack
        error = f"{float(errors[name]):.4f}" if name in errors else "-"
        print(f"| {peers.get(name, name)} | {text} | {rodata} | {data} | {bss} | {flash} | {stack} "
              f"| {ram} | {error} | {counts.get(name, '-')} |")
        if name == "sine_infer":
            print(f"| (sine_infer without its {weights} bytes of weights) | | | | | {flash - weights} "
                  "| | | | |")

print("""
Each sine image holds tables to check against at the 64 points: typed-nn's f32 images 12 bytes
a point (x, the host's output, sin x), the int8 one 9 (x, its int8 output, sin x), MicroFlow's
and the baseline 8 (x, sin x). Instructions per inference include the call into the network;
under -icount, QEMU counts instructions, not cycles.""")
PY
