#!/usr/bin/env bash
# The main job on the built-in synthetic dataset, points only: synth -> train L-Net (LCFCN
# loss) -> train E-Net (proposals + similarity loss) -> count and predict on the held-out
# split -> COCO AP of every prediction mode. Writes overlays and training curves.
# Usage: scripts/demo.sh WISENET_BINARY OUT_DIR
# Training minutes: WISENET_DEMO_MINUTES for L-Net (default 3), WISENET_DEMO_ENET_MINUTES for
# the E-Net (default 6: its embedding-mode masks keep improving well past L-Net's counting);
# 9 minutes of training in all, within the 10 the main job may spend.
set -euo pipefail
wisenet=$1
out=$2
minutes=${WISENET_DEMO_MINUTES:-3}
enet_minutes=${WISENET_DEMO_ENET_MINUTES:-6}
export OMP_WAIT_POLICY=PASSIVE
mkdir -p "$out"
data="$out/data"

echo "== 1/5 synthetic data: 300 images of 128x128, 2 classes (disc, square)"
"$wisenet" synth --out "$data" --images 300 --size 128 --classes 2 --seed 1

# The objects are 10 to 35 pixels wide: L-Net runs on the image upsampled 2x (output stride 4
# image pixels) so that touching ones fall into separate cells.
echo "== 2/5 L-Net from points only (LCFCN loss), ${minutes} min"
rm -rf "$out/loc"
"$wisenet" train --stage loc --train "$data/train.json" --val "$data/val.json" \
  --out "$out/loc" --epochs 1000 --max-minutes "$minutes" --val-every 500 --hflip --seed 1 \
  --lnet-input-scale 2

# --refine-false-negatives adds to section 5's loss the mirror of its false-positive
# refinement (pseudo-mask pixels that went to another seed are pulled back): at the same number
# of steps it more than doubles the embedding mode's AP50 here (docs/results.md). The E-Net
# runs on the image upsampled 4x: its stride-8 embeddings then fall every 2 image pixels, so
# the masks follow the objects' edges. It starts from a copy of the trained L-Net's backbone
# (--enet-from-lnet; no ImageNet weights here, as the paper had).
echo "== 3/5 E-Net from points + proposals (similarity loss), ${enet_minutes} min"
rm -rf "$out/emb"
"$wisenet" train --stage emb --init "$out/loc/best.ckpt" --train "$data/train.json" \
  --val "$data/val.json" --out "$out/emb" --epochs 1000 --max-minutes "$enet_minutes" \
  --val-every 2000 --val-limit 20 --proposals "$out/proposals" --hflip --seed 1 \
  --lnet-input-scale 2 --enet-input-scale 4 --refine-false-negatives --enet-from-lnet

echo "== 4/5 count and predict on the validation images"
"$wisenet" count --model "$out/emb/last.ckpt" --images "$data/val.json" \
  --csv "$out/counts.csv" --quiet | tee "$out/count.txt"
# Only the connected part of each mask that holds its seed (section 6 keeps them all), so no
# embedding-mode mask spills into a far region; in embedding mode, each mask's score is also
# multiplied by its agreement (Dice) with the best candidate proposal of its seed, so that
# doubtful masks rank last. The pixels that join object seeds are split among them by embedding
# distance plus 0.5 x squared image distance, so that touching objects of one colour, which
# resemble both seeds, are split between them; a pixel whose similarity to its seed is 0.5 or
# less (the E-Net's "different object" wins) goes to the background (docs/results.md).
for mode in embedding best-dice best-objectness; do
  agreement=()
  [ "$mode" = embedding ] && agreement=(--agreement-score)
  "$wisenet" predict --model "$out/emb/last.ckpt" --images "$data/val.json" --mode "$mode" \
    --proposals "$out/proposals" --seed-component "${agreement[@]}" --spatial-weight 0.5 \
    --min-similarity 0.5 --out "$out/pred-$mode" --overlays --quiet
done

echo "== 5/5 COCO mask AP against the validation masks"
printf '%-16s %7s %7s %7s\n' mode AP AP50 AP75
for mode in embedding best-dice best-objectness; do
  "$wisenet" eval --gt "$data/val.json" --pred "$out/pred-$mode/results.json" \
    --json "$out/pred-$mode/eval.json" > "$out/pred-$mode/eval.txt"
  /usr/bin/python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print("%-16s %7.3f %7.3f %7.3f" % (sys.argv[2], r["AP"], r["AP50"], r["AP75"]))
' "$out/pred-$mode/eval.json" "$mode"
done
echo
grep MAE "$out/count.txt" | sed 's/^/counting: /'
echo "overlays: $out/pred-*/overlays/   curves: $out/loc/curves.png $out/emb/curves.png"
