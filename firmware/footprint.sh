#!/usr/bin/env bash
# Builds the firmware images, runs them under QEMU, and prints their footprint:
#   flash = .vector_table + .text + .rodata + .data (initial values are stored in flash)
#   RAM   = .data + .bss + .uninit + the peak stack the firmware measures by stack painting.
# Section sizes are read from the ELF section headers.
# Usage: firmware/footprint.sh   (from anywhere; needs the shared embedded scripts)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
embedded=""
for dir in "$here/../../shared/embedded"; do
  [ -f "$dir/qemu-cortex-m.sh" ] && embedded=$dir && break
done
[ -n "$embedded" ] || { echo "no shared/embedded scripts beside the checkout" >&2; exit 2; }
target_dir="${EMBEDDED_TARGET_DIR:-/tmp/embedded-check/target-qemu}"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

bash "$embedded/qemu-cortex-m.sh" "$here" | tee "$log"
grep -q "embedded-check: 3 passed, 0 failed" "$log"

python3 - "$target_dir/thumbv7em-none-eabihf/release" "$log" "$here/weights/sine.bin" <<'PY'
import re, struct, sys

elf_dir, log, image = sys.argv[1], sys.argv[2], open(sys.argv[3], "rb").read()
# Only the parameters are kept in flash, not the image's header: bytes per parameter at offset
# 6, parameter count at offset 8.
weights = image[6] * struct.unpack_from("<I", image, 8)[0]

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

stacks = dict(re.findall(r"^(\w+): .*peak stack (\d+) bytes", open(log).read(), re.M))
print()
print("| image | .text | .rodata | .data | .bss | flash | peak stack | RAM |")
print("|---|---|---|---|---|---|---|---|")
for name in ("sine_infer", "sine_safetensors", "xor_train"):
    s = sections(f"{elf_dir}/{name}")
    text, rodata, data = s.get(".text", 0), s.get(".rodata", 0), s.get(".data", 0)
    bss = s.get(".bss", 0) + s.get(".uninit", 0)
    flash = s.get(".vector_table", 0) + text + rodata + data
    stack = int(stacks[name])
    ram = data + bss + stack
    print(f"| {name} | {text} | {rodata} | {data} | {bss} | {flash} | {stack} | {ram} |")
    if name == "sine_infer":
        print(f"| (sine_infer without its {weights} bytes of weights) | | | | | {flash - weights} | | |")
PY
