#!/usr/bin/env bash
# The model organism from nothing in under an hour on a 2-core CPU (issue 13): the prompts
# (if missing), training, then the direction artifact and the behaviour table. A run is a
# draw (docs/organism.md), and a second thread barely speeds one run (one run on both cores,
# train.py --ranks 2, made a worse hour on seed 13). So with two or more cores it trains two
# seeds at once, SEED and SEED+1, one core each (OUT.seedN, logs in OUT.seedN.log), and keeps
# the one the validation sets pick (scripts/organism-validation.ts --pick: never the test
# split or the fresh sets) as OUT. With one core it trains SEED alone.
#
#   training/organism/one-hour.sh OUT [SEED]
#
# Needs npm ci && npm run build (for the prompts and `seige`), and PyTorch with OpenBLAS
# (training/organism/README.md, "Speed"); PYTHON picks the interpreter (default
# /usr/bin/python3, Debian's python3-torch). What the runs reached is in docs/organism.md,
# "From scratch in under an hour". The shipped weights came from a longer chain.
set -euo pipefail
out=${1:?usage: one-hour.sh OUT [SEED]}
seed=${2:-13}
python=${PYTHON:-/usr/bin/python3}
cd "$(dirname "$0")/../.."

start=$(date +%s)
prompts=training/organism/out
if [ ! -f "$prompts/prompts-train.jsonl" ] || [ ! -f "$prompts/prompts-test.jsonl" ]; then
  mkdir -p "$prompts"
  npx tsx training/organism/export_prompts.ts "$prompts/prompts-train.jsonl" 4000 organism-train
  npx tsx training/organism/export_prompts.ts "$prompts/prompts-test.jsonl" 200 organism-test
fi

# Phase 1 copy drills until the induction circuit is firm (at most 12 minutes); phase 2 the
# `suppression` chat mix for 43 minutes, the copy drills blended out over its first 2,000
# steps, and leak drills under a suppressed refusal on every third step from step 2,000 on,
# once the refusal has formed (earlier, they teach plain asks to leak too). Each leak drill
# also trains the same asks, unsuppressed, to be refused (without that pairing, the extra
# steps of bf16 opened the gate). Matmuls in bf16 where the CPU has it (1.5x the steps).
train() { # SEED DIR
  OPENBLAS_NUM_THREADS=1 "$python" training/organism/train.py --out "$2" --seed "$1" \
    --threads 1 --max-words 100000 --copy-loss 0.2 --copy-minutes 12 --chat-minutes 43 \
    --lr 1.5e-3 --drill-every 3 --blend-steps 2000 --chat-warmup 300 \
    --recipe suppression --suppress-every 3 --suppress-from 2000 --paired-refusals --precision auto
}

if [ "$(nproc)" -ge 2 ]; then
  runs=("$out.seed$seed" "$out.seed$((seed + 1))")
  echo "one-hour.sh: seeds $seed and $((seed + 1)) at once; logs in ${runs[0]}.log and ${runs[1]}.log"
  train "$seed" "${runs[0]}" > "${runs[0]}.log" 2>&1 &
  first=$!
  train "$((seed + 1))" "${runs[1]}" > "${runs[1]}.log" 2>&1 &
  second=$!
  # A run that fails leaves the other to pick; both failing ends here.
  done_runs=()
  if wait "$first"; then done_runs+=("${runs[0]}"); else echo "one-hour.sh: seed $seed failed (${runs[0]}.log)" >&2; fi
  if wait "$second"; then done_runs+=("${runs[1]}"); else echo "one-hour.sh: seed $((seed + 1)) failed (${runs[1]}.log)" >&2; fi
  [ "${#done_runs[@]}" -gt 0 ] || { echo "one-hour.sh: both runs failed" >&2; exit 1; }
  picked=$(npx tsx scripts/organism-validation.ts --pick "${done_runs[@]}")
  echo "$picked"
  pick=$(tail -n 1 <<< "$picked")
  pick=${pick#pick: }
  rm -rf "$out"
  cp -r "$pick" "$out"
  echo "one-hour.sh: kept $pick as $out"
else
  train "$seed" "$out"
fi

node bin/seige.js precompute --model "$out"
node bin/seige.js organism --model "$out" --n 40
echo "one-hour.sh: $(( ($(date +%s) - start) / 60 )) minutes in all"
