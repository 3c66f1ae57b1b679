#!/bin/bash
# Regenerates ../smc_guests.h from the nasm sources beside it (run by hand after editing).
set -euo pipefail
cd "$(dirname "$0")"
../embed-guests.sh ../smc_guests.h guest_ tests/emu/smc-guests/regen.sh *.asm
