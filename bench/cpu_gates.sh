#!/usr/bin/env bash
# Issue #25's measurements ("fast by default") on the CPU this runs on, in one
# go: about 30-45 minutes on 2 vCPUs with the shared data. Run it by hand on
# each CPU kind (above all one with AVX-512 BF16 or AMX, where `auto` is bf16)
# and copy OUT/gates.md into docs/benchmarks.md's per-CPU table.
#
#  0. the CPU: model, flags, torch's capability, and what "auto" picks here;
#  1. floret vectors and three pipelines of 100 steps (speed does not depend
#     on the steps): configs/ud.cfg's, calamanCy md's recipe, spaCy's
#     TorchBiLSTM 256x2 (bench/accuracy.py); an existing OUT keeps them;
#  2. words/s at batch 256 and 1, on 2 and 1 threads, each pipeline in its own
#     process: md, ours@fp32, ours@auto, TorchBiLSTM (bench/speed.py);
#  3. peak memory of one nlp.pipe batch of the raw text's 64 longest lines,
#     fp32 and auto (bench/memory_probe.py --longest 64);
#  4. `annotate --n-process 2` over the first 100,000 lines of the raw text
#     (the whole shared file): words/s and the largest process's peak RSS,
#     fp32 and auto (bench/annotate_speed.py);
#  5. every dev score in fp32 and bf16 (bench/bf16_accuracy.py);
#  6. OUT/gates.md: each goal of the issue with its figure.
#
#   bash bench/cpu_gates.sh [UD_DEV_CONLLU] [RAW_TEXT] [OUT]
# default data: ../shared/data (the NewsCrawl dev split, the permissive raw
# text); OUT default /tmp/cpu_gates. Needs `pip install -e ".[test]"`
# (calamanCy's md recipe is built from spaCy's own layers: no extra needed).
set -euo pipefail
cd "$(dirname "$0")/.."
UD=${1:-../shared/data/ud/tl_newscrawl-ud-dev.conllu}
RAW=${2:-../shared/data/raw/tl_raw_permissive.txt}
OUT=${3:-/tmp/cpu_gates}
for f in "$UD" "$RAW"; do
  [ -f "$f" ] || { echo "cpu_gates.sh: $f: no such file (arguments: UD_DEV_CONLLU RAW_TEXT [OUT])" >&2; exit 2; }
done
mkdir -p "$OUT"
OURS="$OUT/UD/ours/model-best"
MD="$OUT/SM/calamancy_md/model-best"
BILSTM="$OUT/SM/bilstm/model-best"

echo "== 0. the CPU"
python - <<'EOF' | tee "$OUT/cpu.txt"
import sys
sys.path.insert(0, "bench")
from speed import machine
from spacy_lstm.modules.precision import predicts_in_bf16
m = machine()
print(f"{m['cpu']}; {m['cores']} cores; flags: {' '.join(m['flags']) or '-'}; torch {m['torch']} "
      f"({m['torch_cpu_capability']}); inference_precision auto = {'bf16' if predicts_in_bf16('auto') else 'fp32'}")
EOF

echo "== 1. vectors and pipelines"
if [ ! -d "$OUT/vectors" ]; then
  python -m spacy lstm train-vectors "$RAW" "$OUT/vectors" --mode floret --dim 100 --bucket 20000 --epochs 1 \
    --seed 0 --threads 2 --quiet
fi
if [ ! -d "$OURS" ]; then
  python bench/accuracy.py --split "$UD" --vectors "$OUT/vectors" --contenders ours --steps 100 \
    --eval-frequency 100 --threads 1 --seed 0 --out "$OUT/UD" > "$OUT/UD.log" 2>&1 || { tail -20 "$OUT/UD.log"; exit 1; }
fi
if [ ! -d "$MD" ] || [ ! -d "$BILSTM" ]; then
  python bench/accuracy.py --split "$UD" --vectors "$OUT/vectors" --contenders calamancy_md,bilstm --steps 100 \
    --eval-frequency 100 --threads 1 --seed 0 --out "$OUT/SM" > "$OUT/SM.log" 2>&1 || { tail -20 "$OUT/SM.log"; exit 1; }
fi

echo "== 2. speed (each pipeline in its own process)"
python bench/speed.py "$MD" "$OURS@fp32" "$OURS@auto" "$BILSTM" --texts "$UD" --limit 600 --threads 2,1 \
  --batch-sizes 256,1 --rounds 2 --json "$OUT/speed.json" | tee "$OUT/speed.md"

echo "== 3. one batch of the 64 longest lines"
for p in fp32 auto; do
  python bench/memory_probe.py "$OURS@$p" "$RAW" --longest 64 --json "$OUT/longest_$p.json" | tee "$OUT/longest_$p.md"
done

echo "== 4. annotate --n-process 2 over the raw text"
for p in fp32 auto; do
  python bench/annotate_speed.py "$OURS@$p" "$RAW" --limit-lines 100000 --settings 2 --json "$OUT/annotate_$p.json" \
    | tee "$OUT/annotate_$p.md"
done

echo "== 5. accuracy, fp32 and bf16"
python bench/bf16_accuracy.py "$OURS" "$UD" --json "$OUT/bf16_accuracy.json" | tee "$OUT/bf16_accuracy.md"

echo "== 6. the goals"
python bench/gates_summary.py "$OUT" | tee "$OUT/gates.md"
echo "done: $OUT"
