#!/bin/bash
# Configures (once) and builds tandem in ./build. Extra arguments go to configure.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
[ -x configure ] || ./autogen.sh >/dev/null
mkdir -p build
cd build
if [ ! -f Makefile ] || [ $# -gt 0 ]; then
	../configure -q "$@"
fi
make -s -j"$(nproc)"
