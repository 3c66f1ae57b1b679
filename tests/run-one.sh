#!/bin/sh
# Runs one test so that it speaks TAP: GLib test programs get --tap,
# scripts are run by their interpreter (Python tests by /usr/bin/python3,
# which is the one that sees python3-libvirt).
t="$1"; shift
case "$t" in
*.sh) exec bash "$t" "$@" ;;
*.py) exec /usr/bin/python3 "$t" "$@" ;;
*) exec "$t" --tap "$@" ;;
esac
