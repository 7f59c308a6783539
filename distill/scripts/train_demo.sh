#!/usr/bin/env bash
# Rebuild the shipped demo model repository (models/) from nothing: render the demo world, train the
# teacher, distil the student, train the textness probe, export ONNX + manifests + golden files,
# write models/eval/ and models/metrics.json. CPU only, ~45-60 min on 2 cores (less on an idle machine).
#
#   distill/scripts/train_demo.sh            # writes <repo>/models, checkpoints in /tmp/clipserve-demo
#   WORK=/somewhere distill/scripts/train_demo.sh --teacher-steps 900 --student-steps 3000
#
# Extra arguments go to `python3 -m clipserve_distill.demo` (see --help). Debian packages:
# python3-torch python3-onnx python3-pil python3-numpy libopenblas0-pthread fonts-dejavu-core.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Passive OpenMP waiting: on a shared 2-core machine spinning threads cost 2-3x in wall time.
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
cd "$here"
exec /usr/bin/python3 -m clipserve_distill.demo --out "$here/../models" --work "${WORK:-/tmp/clipserve-demo}" --fresh "$@"
