#!/usr/bin/env bash
# The main job on the built-in synthetic dataset: synth -> train L-Net (points only) -> train
# E-Net (points + proposals) -> predict -> evaluate. Prints AP50 and writes overlays.
# Usage: scripts/demo.sh WISENET_BINARY OUT_DIR
set -euo pipefail
wisenet=$1
out=$2
minutes=${WISENET_DEMO_MINUTES:-2}
mkdir -p "$out"

echo "== 1/5 synthetic data: 300 images, 128x128, 2 classes"
"$wisenet" synth --out "$out/data" --images 300 --size 128 --classes 2 --seed 1

echo "== 2/5 L-Net from points only (LCFCN loss), ${minutes} min"
rm -rf "$out/loc"
"$wisenet" train --stage loc --train "$out/data/train.json" --val "$out/data/val.json" \
  --out "$out/loc" --epochs 1000 --max-minutes "$minutes" --val-every 400 --hflip --seed 1

echo "== 3/5 E-Net from points + proposals (similarity loss), ${minutes} min"
rm -rf "$out/emb"
"$wisenet" train --stage emb --init "$out/loc/best.ckpt" --train "$out/data/train.json" \
  --val "$out/data/val.json" --out "$out/emb" --epochs 1000 --max-minutes "$minutes" \
  --val-every 400 --hflip --seed 1

echo "== 4/5 predict on the validation images"
"$wisenet" predict --model "$out/emb/last.ckpt" --images "$out/data/val.json" \
  --out "$out/pred" --overlays

echo "== 5/5 evaluate against the validation masks"
"$wisenet" eval --gt "$out/data/val.json" --pred "$out/pred/results.json" \
  --json "$out/pred/eval.json"
ap50=$(sed -n 's/.*"AP50": *\([-0-9.e]*\).*/\1/p' "$out/pred/eval.json")
echo
echo "validation mask AP50: $ap50"
echo "overlays: $out/pred/overlays/   training curves: $out/loc/curves.png $out/emb/curves.png"
