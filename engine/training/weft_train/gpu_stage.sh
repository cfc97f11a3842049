#!/usr/bin/env bash
# One training stage on the GPU machine (docs/training.md). Run from the repository root:
#
#   bash engine/training/weft_train/gpu_stage.sh STAGE MINUTES [train.py options]
#
# STAGE is vae, joint or smoke (a few steps of both stages in a scratch folder, to check the machine; its options,
# e.g. --config weft-small-v2, go to both steps: `gpu_stage.sh smoke 1 --config weft-small-v2`). The world
# (seed 1, $WEFT_RECORDS records, default 100000) is generated into /tmp/world when missing, with the Java generator
# from $WEFT_JAVA (a tar.xz holding a JRE in jre/ and the engine's jars in lib/; default .gpu/weft-java.tar.xz) or,
# when $WEFT_JAVA is "system", with `java` and $WEFT_CP. Checkpoints: /tmp/ckpt (resumed when present), else the
# fp16 weights in $WEFT_CARRIED (default .gpu/ckpt). Outputs go to $OUT (default out/stage). On a machine with
# several GPUs every stage runs data-parallel on all of them (torchrun; --batch is per GPU).
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
stage="$1"; minutes="${2:-8}"; shift; shift || true
export PYTHONUNBUFFERED=1
OUT="${OUT:-out/stage}"; mkdir -p "$OUT"
world=/tmp/world
if [ ! -f "$world/manifest.json" ]; then
  t=$(date +%s)
  if [ "${WEFT_JAVA:-}" = system ]; then java=java; cp="$WEFT_CP"
  else [ -x /tmp/jre/bin/java ] || tar -C /tmp -xJf "${WEFT_JAVA:-.gpu/weft-java.tar.xz}" || exit 1
       java=/tmp/jre/bin/java; cp='/tmp/lib/*'; fi
  "$java" -cp "$cp" dev.weft.engine.world.WorldCommand --seed 1 --count "${WEFT_RECORDS:-100000}" \
      --out "$world" --quiet || exit 1
  echo "world: generated in $(( $(date +%s) - t )) s: $(du -sh $world | cut -f1)"
fi
# one process per GPU (data-parallel, --batch per GPU) when the machine has several; $WEFT_GPUS overrides the count
gpus="${WEFT_GPUS:-$(nvidia-smi -L 2>/dev/null | grep -c ^GPU)}"
if [ "${gpus:-0}" -gt 1 ]; then
  train="torchrun --standalone --nproc_per_node=$gpus $here/train.py --data $world"
else
  train="python3 $here/train.py --data $world"
fi
case "$stage" in
  smoke)
    rm -rf /tmp/smoke /tmp/smoke-out
    $train --stage vae --max-steps 20 --batch 128 --ckpt /tmp/smoke --out /tmp/smoke-out --log-every 5 "$@" || exit 1
    $train --stage joint --max-steps 40 --batch "${WEFT_SMOKE_BATCH:-128}" --ckpt /tmp/smoke --out /tmp/smoke-out \
        --log-every 5 --preview-steps 10 "$@" || exit 1
    cp /tmp/smoke-out/preview-joint.png "$OUT/smoke-preview-joint.png"
    cat /tmp/smoke-out/log-joint-*.jsonl > "$OUT/smoke-log.jsonl"
    ;;
  vae|joint)
    $train --stage "$stage" --minutes "$minutes" --ckpt /tmp/ckpt --carried "${WEFT_CARRIED:-.gpu/ckpt}" \
        --out "$OUT" "$@" || exit 1
    ;;
  *) echo "unknown stage $stage"; exit 2 ;;
esac
