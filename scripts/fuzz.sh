#!/usr/bin/env bash
# Runs every loader's fuzz target for SECONDS each (default 60) and prints the executions each
# reached without a failure. Needs nightly and cargo-fuzz (`cargo install cargo-fuzz`).
# Each run starts from a copy of the committed seeds in fuzz/corpus/<target>, in a temporary
# directory that is removed afterwards: the committed corpora never change.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(image const_image safetensors csv)
echo "| target | seconds | executions | result |"
echo "|---|---:|---:|---|"
for target in "${targets[@]}"; do
  work="$(mktemp -d)"
  cp -r "fuzz/corpus/$target/." "$work/"
  log="$(mktemp)"
  if cargo +nightly fuzz run --fuzz-dir fuzz "$target" "$work" -- \
      -max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb=512 >"$log" 2>&1; then
    result=passed
  else
    result="FAILED (see $log)"
  fi
  runs="$(grep -oE 'Done [0-9]+ runs' "$log" | grep -oE '[0-9]+' | tail -1 || true)"
  echo "| $target | $seconds | ${runs:-?} | $result |"
  rm -rf "$work"
  [ "$result" = passed ] || exit 1
done
