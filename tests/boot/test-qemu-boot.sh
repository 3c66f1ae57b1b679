#!/bin/bash
# The Debian 6.1 kernels boot from what tandem's loaders put in RAM, on
# QEMU's "pc" machine (TCG) used as a reference PC: qemu-dump writes the
# RAM and the firmware tables, qemu-stub.S enters the kernel in the loader's
# CPU state, and the kernel must reach /init with the ACPI tables accepted
# (no ACPI errors or warnings, the PnP devices found, all vCPUs up, S5
# power-off), or with the MP table alone (acpi=off).  Skipped without
# qemu-system-x86_64, binutils or the downloaded kernels.  Cases 2 and 4
# (guest-side decompression, no ACPI) take a minute more under TCG: they
# run with TANDEM_QEMU_BOOT_ALL=1.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir/build}
guest=${TANDEM_CACHE:-$HOME/.cache/tandem}/guest
cases=4
echo "1..$cases"
skip_all() {
	for i in $(seq 1 $cases); do echo "ok $i # SKIP $1"; done
	exit 0
}
for tool in qemu-system-x86_64 as ld objcopy cpio; do
	command -v $tool >/dev/null || skip_all "$tool not installed"
done
for f in vmlinuz-cloud vmlinuz-generic busybox; do
	[ -f "$guest/$f" ] || skip_all "$guest/$f not downloaded"
done
dump=$top_builddir/tests/boot/qemu-dump
[ -x "$dump" ] || skip_all "$dump not built"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
as --64 -o "$work/stub.o" "$top_srcdir/tests/boot/qemu-stub.S" &&
	ld -m elf_x86_64 -Ttext=0xFF000 -o "$work/stub.elf" "$work/stub.o" &&
	objcopy -O binary "$work/stub.elf" "$work/stub.bin" || skip_all "cannot assemble the stub"
cat > "$work/init" <<'INIT'
#!/bin/sh
/bin/mount -t proc proc /proc
echo "TANDEM-INIT cpus=$(grep -c ^processor /proc/cpuinfo)"
/bin/poweroff -f
INIT
chmod +x "$work/init"
"$top_srcdir/scripts/mkinitramfs.sh" "$work/initrd" --init "$work/init" >/dev/null 2>&1 ||
	skip_all "mkinitramfs failed"

n=0
# boot NAME KERNEL CMDLINE host|guest NCPUS acpi|noacpi -> serial log in $work/NAME.log
boot() {
	local name=$1 d=$work/$1
	mkdir -p "$d"
	if ! "$dump" "$d" "$work/stub.bin" "$guest/$2" "$3" "$4" "$5" "$6" "$work/initrd" 2>"$d/dump.err"; then
		echo "# qemu-dump: $(cat "$d/dump.err")"
		return 1
	fi
	qemu-system-x86_64 -machine pc -m 256 -smp "$5" -nodefaults -display none -no-reboot \
		-bios "$d/fw.bin" \
		-device loader,file="$d/low.bin",addr=0x0,force-raw=on \
		-device loader,file="$d/high.bin",addr=0x100000,force-raw=on \
		-serial file:"$d/serial.log" >"$d/qemu.log" 2>&1 &
	local pid=$! t=0
	# a halted guest without ACPI keeps QEMU running: stop at the end of the log
	while kill -0 $pid 2>/dev/null && [ $t -lt 360 ]; do
		grep -qE "reboot: (System halted|Power down)|Kernel panic" "$d/serial.log" 2>/dev/null && break
		sleep 0.5
		t=$((t + 1))
	done
	sleep 1
	kill $pid 2>/dev/null
	wait $pid 2>/dev/null
	cp "$d/serial.log" "$work/$name.log" 2>/dev/null || : > "$work/$name.log"
}

# check DESCRIPTION NAME PATTERN... : every pattern must be in the log, no ACPI complaint
check() {
	local desc=$1 log=$work/$2.log bad=
	shift 2
	n=$((n + 1))
	for p in "$@"; do
		grep -qE -- "$p" "$log" || bad="$bad; missing \"$p\""
	done
	if grep -E "ACPI (BIOS )?(Error|Warning)|ACPI Exception|Firmware Bug" "$log" >/dev/null; then
		bad="$bad; $(grep -E "ACPI (BIOS )?(Error|Warning)|ACPI Exception|Firmware Bug" "$log" | head -1)"
	fi
	if [ -z "$bad" ]; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc${bad}"
		sed 's/^/# /' "$log" | tail -25
	fi
}

acpi_ok=("TANDEM-INIT cpus=2" "ACPI: Interpreter enabled" "pnp: PnP ACPI: found 4 devices"
	"ttyS0 at I/O 0x3f8 \(irq = 4" "i8042: PNP: PS/2 Controller \[PNP0303:KBD_?,PNP0f13:MOU_?\]"
	"rtc_cmos 00:0[0-9]: registered" "root bus resource \[mem 0xc0000000-0xfebfffff window\]"
	"ACPI: Using ACPI \(MADT\) for SMP" "reboot: Power down")

boot cloud-host vmlinuz-cloud "console=ttyS0 panic=-1 cryptomgr.notests" host 2 acpi
check "cloud kernel, host-side decompression, ACPI" cloud-host "${acpi_ok[@]}"
if [ "${TANDEM_QEMU_BOOT_ALL:-0}" = 1 ]; then
	boot generic-guest vmlinuz-generic "console=ttyS0 panic=-1 cryptomgr.notests" guest 2 acpi
	check "generic kernel, guest-side decompression, ACPI" generic-guest "${acpi_ok[@]}"
else
	n=$((n + 1)); echo "ok $n # SKIP slow (TANDEM_QEMU_BOOT_ALL=1 runs it)"
fi
boot generic-mp vmlinuz-generic "console=ttyS0 panic=-1 cryptomgr.notests acpi=off" host 2 acpi
check "generic kernel, acpi=off: MP table" generic-mp "TANDEM-INIT cpus=2" "found SMP MP-table at \[mem 0x0009fc00" \
	"MPTABLE: OEM ID: TANDEM" "IOAPIC\[0\]: apic_id 2"
if [ "${TANDEM_QEMU_BOOT_ALL:-0}" = 1 ]; then
	# without tables the kernel reports the missing RSDP as a BIOS bug: expected here
	boot cloud-noacpi vmlinuz-cloud "console=ttyS0 panic=-1 cryptomgr.notests" guest 1 noacpi
	sed -i '/A valid RSDP was not found/d' "$work/cloud-noacpi.log"
	check "cloud kernel, no ACPI tables, one CPU" cloud-noacpi "TANDEM-INIT cpus=1" "reboot: System halted"
else
	n=$((n + 1)); echo "ok $n # SKIP slow (TANDEM_QEMU_BOOT_ALL=1 runs it)"
fi
