#!/usr/bin/env bash
# clap-validator's fuzzing tests (param-fuzz-basic, -bounds, -sample-accurate, -modulation: random
# parameter values and events while the plugin processes random audio; each run draws new values)
# repeated on the built bundle for MINUTES (default 10); prints the passes and fails, and exits 1
# if any run failed. Usage: scripts/validator-fuzz.sh [MINUTES] [BUNDLE]   (from the repository root;
# BUNDLE defaults to the release bundle, `cargo xtask bundle instrumeter --release`).
set -euo pipefail
minutes="${1:-10}"
bundle="${2:-target/bundled/Instrumeter.clap}"
validator="${CLAP_VALIDATOR:-../shared/tools/clap-validator}"
[ -e "$bundle" ] || { echo "no bundle at $bundle: run cargo xtask bundle instrumeter --release" >&2; exit 2; }
end=$(( $(date +%s) + minutes * 60 ))
runs=0 passed=0 failed=0
while :; do
  out="$("$validator" validate --include param-fuzz "$bundle" 2>&1 | sed 's/\x1b\[[0-9;]*m//g' || true)"
  runs=$((runs + 1))
  p=$(grep -oE '[0-9]+ passed' <<<"$out" | grep -oE '[0-9]+' | tail -1 || echo 0)
  f=$(grep -oE '[0-9]+ failed' <<<"$out" | grep -oE '[0-9]+' | tail -1 || echo 0)
  passed=$((passed + ${p:-0})) failed=$((failed + ${f:-0}))
  if [ "${f:-0}" != 0 ]; then echo "$out" | grep -iE -B2 -A8 "failed" | head -40; fi
  [ "$(date +%s)" -lt "$end" ] || break
done
echo "clap-validator fuzzing, $minutes min: $runs runs, $passed tests passed, $failed failed"
[ "$failed" = 0 ]
