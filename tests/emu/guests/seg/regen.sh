#!/bin/bash
# Regenerates ../../guests_seg.h from the nasm sources beside it (run by hand after editing).
set -euo pipefail
cd "$(dirname "$0")"
../../embed-guests.sh ../../guests_seg.h guest_seg_ tests/emu/guests/seg/regen.sh *.asm
