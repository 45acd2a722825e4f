#!/usr/bin/env bash
# Sets up and runs the main job: installs Fashion-MNIST from Debian (dataset-fashion-mnist, into
# /usr/share/datasets/fashion-mnist) if it is missing, then trains the sample MLP. Extra arguments go
# to the sample (e.g. --epochs 3, --data DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d /usr/share/datasets/fashion-mnist ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update
  $sudo apt-get install -y dataset-fashion-mnist
fi
exec dotnet run -c Release --project Samples/FashionMnist -- "$@"
