#!/usr/bin/env bash
# Create the teacher's own environment: musicnn 0.1.0 (ISC licence, MSD_musicnn weights inside its wheel) is
# TensorFlow 1 graph code that runs faithfully only under tensorflow-cpu 2.15.1 with numpy<2; under the project's
# TF 2.21 its outputs collapse. Training time only: the app and `pip install -e .` never need it.
#   bash tools/teacher/setup.sh [ENV_DIR]     (default: scratch/teacher-env, gitignored)
set -euo pipefail
cd "$(dirname "$0")/../.."
env_dir=${1:-scratch/teacher-env}
python3 -m venv "$env_dir"
"$env_dir/bin/pip" install -q "tensorflow-cpu==2.15.1" "numpy<2" "librosa>=0.10.2,<0.11" "soundfile>=0.12"
"$env_dir/bin/pip" install -q --no-deps "musicnn==0.1.0"
"$env_dir/bin/pip" install -q --no-deps -e .  # likewise.model.teacher names the cache files
echo "teacher environment ready: $env_dir/bin/python tools/teacher/targets.py --help"
