#!/bin/bash
# Regenerates guests.h from the nasm sources beside it (run by hand after editing).
set -euo pipefail
cd "$(dirname "$0")"
../embed-guests.sh ../guests.h guest_ tests/emu/guests/regen.sh *.asm
