#!/usr/bin/env bash
# The GPU path in one go (under 10 minutes on one GPU): the GPU tests, the
# vector trainer on the GPU, spacy pretrain, adapt-lm and spacy train --gpu-id 0 on
# configs/ud.cfg for a few hundred steps, bench/speed.py on the GPU, and
# pretraining words/s with peak GPU memory (bench/pretrain_speed.py, one line
# each for the GPU and for 2 CPU threads).
# Needs CUDA and a CUDA build of torch (plus cupy for thinc's GPU ops).
#
#   bash bench/gpu_check.sh [UD_CONLLU] [RAW_TEXT] [OUT]
# default data: the team's sample in assets/; OUT default /tmp/gpu_check
set -euo pipefail
cd "$(dirname "$0")/.."
UD=${1:-assets/ud/tl_sample-ud-train.conllu}
RAW=${2:-assets/raw/tl_sample-raw.txt}
OUT=${3:-/tmp/gpu_check}
mkdir -p "$OUT"
python -c "import torch; assert torch.cuda.is_available(), 'no CUDA GPU'; print('GPU:', torch.cuda.get_device_name(0))"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv || true

echo "== 1. tests/test_gpu.py"
python -m pytest -q tests/test_gpu.py

echo "== 2. vector trainer on the GPU vs the CPU"
for dev in -1 0; do
  /usr/bin/time -f "%e s" python -m spacy lstm train-vectors "$RAW" "$OUT/vectors_$dev" --mode floret --dim 200 \
    --bucket 50000 --epochs 5 --min-count 1 --gpu-id "$dev" --quiet --overwrite
done

echo "== 3. spacy pretrain + spacy train --gpu-id 0 (configs/ud.cfg)"
python -m spacy lstm convert-conllu "$UD" "$OUT/ud.spacy"
python -m spacy pretrain configs/ud.cfg "$OUT/pretrain" --paths.raw_text "$RAW" --paths.vectors "$OUT/vectors_0" \
  --pretraining.max_epochs 2 --pretraining.objective.restart_epochs "[1]" --gpu-id 0   # the in-run restart on the GPU too
python -m spacy lstm adapt-lm configs/ud.cfg "$OUT/pretrain/model-last.bin" "$OUT/ud.spacy" "$OUT/adapted" \
  --epochs 1 --overwrite --paths.vectors "$OUT/vectors_0" --gpu-id 0
python -m spacy train configs/ud.cfg --output "$OUT/ud" --paths.train "$OUT/ud.spacy" --paths.dev "$OUT/ud.spacy" \
  --paths.vectors "$OUT/vectors_0" --paths.init_tok2vec "$OUT/adapted/model-last.bin" \
  --training.max_steps 300 --training.eval_frequency 100 --gpu-id 0

echo "== 4. inference words/s on the GPU and on the CPU"
python bench/speed.py "$OUT/ud/model-last" --texts "$UD" --limit 1000 --threads 1 --rounds 2 --gpu-id 0 \
  --json "$OUT/speed_gpu.json"
python bench/speed.py "$OUT/ud/model-last" --texts "$UD" --limit 1000 --threads 1 --rounds 2 \
  --json "$OUT/speed_cpu.json"
echo "== 5. pretraining words/s and peak GPU memory (spaCy's loop, configs/ud.cfg, the first 20,000 docs of RAW)"
for gpu in 0 -1; do
  python bench/pretrain_speed.py ud=configs/ud.cfg --raw-text "$RAW" --vectors "$OUT/vectors_0" --threads 2 \
    --docs 20000 --gpu-id "$gpu" --json "$OUT/pretrain_speed_gpu$gpu.json" | tail -1
done
echo "done: $OUT"
