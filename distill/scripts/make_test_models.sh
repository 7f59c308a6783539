#!/usr/bin/env bash
# Regenerates the small random-weight test models and preprocessing cases for the Java tests:
#   server/src/test/resources/models/{tiny-teacher-image,tiny-teacher-text,tiny-student-image}
#   server/src/test/resources/preprocess/{cases.json, *.png, *.jpg, *.npy}
# Deterministic (fixed seeds). Uses Debian's PyTorch: /usr/bin/python3, not the python3 on PATH.
set -euo pipefail
PY=/usr/bin/python3
DISTILL="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="$(cd "$DISTILL/.." && pwd)"
MODELS="$ROOT/server/src/test/resources/models"
PREPROCESS="$ROOT/server/src/test/resources/preprocess"
cd "$DISTILL"
export PYTHONWARNINGS=ignore

"$PY" -m clipserve_distill.export --preset tiny --random --seed 0 --name tiny-teacher --role teacher \
  --space tiny-clip --out "$MODELS" --check
"$PY" -m clipserve_distill.export --preset tiny-student --random --seed 1 --name tiny-student --role student \
  --space tiny-clip --out "$MODELS" --check
"$PY" -m clipserve_distill.testdata "$PREPROCESS"
