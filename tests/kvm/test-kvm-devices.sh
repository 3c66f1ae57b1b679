#!/bin/bash
# The kvm engine against the devices, on the real /dev/kvm: the
# freestanding guest tests/guests/kvm-devices.asm checks string port I/O
# (one exit with count 4), MMIO exits answered by the device model (virtio
# common config, MSI-X table, an unassigned address), the in-kernel PIT
# through the PIC and LVT0 ExtINT, the PIT through IOAPIC pin 2 (GSI
# routing as in the MADT override), the LAPIC timer, a virtio-rng
# completion signalled by MSI-X through KVM_SIGNAL_MSI, (with 2 vCPUs) an
# AP started by INIT/SIPI and the CPUID/APIC base each vCPU sees, and (with 5 GiB) RAM on both sides of the PCI
# hole; then leaves by
# isa-debug-exit, ACPI S5, a reset through 0xCF9 or the keyboard
# controller, or a triple fault, with and without --no-reboot (a reset
# without it runs the guest again; the guest sees its CMOS mark and exits
# with 69). On PVM hosts, lock cmpxchg16b and int3 must stop with KVM's
# emulation failure, named with the instruction bytes (elsewhere they run).
# Every KVM check is skipped with tandem's own reason where KVM
# is not usable (`tandem kvm-probe`); the last check runs the same guest on
# the emulator as the reference.
. "$(dirname "$0")/../e2e/lib.sh"
echo "1..21"
src="$top_srcdir/tests/guests/kvm-devices.asm"
if ! command -v nasm > /dev/null; then
	for _ in $(seq 1 21); do skip "nasm missing"; done
	exit 0
fi
build() { # name [nasm -D flag]
	nasm -f elf64 ${2:+-D$2} "$src" -o "$WORK/$1.o" &&
		${GUEST_LD:-ld} -m elf_x86_64 -nostdlib -Ttext=0x200000 -e _start "$WORK/$1.o" -o "$WORK/$1.elf"
}
build plain && build s5 FINAL_S5 && build cf9 FINAL_CF9 && build kbd FINAL_KBD && build triple FINAL_TRIPLE && build high CHECK_HIGH && build ap CHECK_AP && build cx16 FINAL_CMPXCHG16B && build int3 FINAL_INT3 || {
	for _ in $(seq 1 21); do not_ok "assembling $src"; done
	exit 0
}
# run NAME ACCEL [tandem options...]: sets $st, output in $WORK/NAME.out/.err
run() {
	local name=$1 accel=$2 elf=$3; shift 3
	rm -f "$WORK/$name.out"
	timeout 120 "$TANDEM" run --accel "$accel" --kernel "$WORK/$elf.elf" --rng --memory 64M \
		--serial "file:$WORK/$name.out" "$@" 2> "$WORK/$name.err"
	st=$?
}
letters() { grep -o 'kvm-devices: [A-Za-z]*' "$WORK/$1.out" | head -n1 | cut -d' ' -f2; }

if ! reason=$("$TANDEM" kvm-probe); then
	for _ in $(seq 1 20); do skip "$reason"; done
else
	run plain kvm plain
	got=$(letters plain)
	for c in S M P A T L X; do
		case $c in
		S) what="rep insd from the PCI data port: one KVM_EXIT_IO, count 4" ;;
		M) what="MMIO reads/writes through KVM_EXIT_MMIO reach the device model" ;;
		P) what="in-kernel PIT -> PIC -> LVT0 ExtINT on the BSP" ;;
		A) what="in-kernel PIT -> IOAPIC pin 2 (GSI 0 routed as the MADT says), nothing on pin 0" ;;
		T) what="in-kernel LAPIC timer" ;;
		L) what="virtio-rng INTx: KVM_IRQ_LINE on GSI 17 -> IOAPIC pin 17, level, lowered by the ISR read" ;;
		X) what="virtio-rng MSI-X through KVM_SIGNAL_MSI" ;;
		esac
		check "kvm: $what (got '$got')" sh -c 'echo "$1" | grep -q "$2"' _ "$got" "$c"
	done
	check "kvm: the guest exits with 7 passes (status 15, got $st)" test "$st" = 15
	[ "$st" = 15 ] || diag < "$WORK/plain.err"
	run cpus2 kvm plain --cpus 2
	check "kvm --cpus 2: the same, the AP waiting in the kernel (status 15, got $st, '$(letters cpus2)')" \
		test "$st" = 15 -a "$(letters cpus2)" = SMPATLX
	run ap kvm ap --cpus 2
	check "kvm --cpus 2: INIT + Startup IPI through the in-kernel LAPIC start the AP in real mode, its port I/O exits on its own thread; CPUID and APIC base per vCPU (APIC ids 0/1, 2 processors, hypervisor bit, no VMX, leaf 0xB, BSP flag on vCPU 0 only) (status 19, got $st, '$(letters ap)')" \
		test "$st" = 19 -a "$(letters ap)" = SMPATLXYCI
	run high kvm high --memory 5G
	check "kvm --memory 5G: two RAM slots, [0, 3 GiB) and [4 GiB, 6 GiB), the PCI hole between (status 17, got $st, '$(letters high)')" \
		test "$st" = 17 -a "$(letters high)" = SMPATLXH
	run s5 kvm s5
	check "kvm: ACPI S5 through PM1a_CNT powers off, tandem exits 0 (got $st, '$(letters s5)')" \
		test "$st" = 0 -a "$(letters s5)" = SMPATLX
	for how in cf9 kbd; do
		run "$how-nr" kvm "$how" --no-reboot
		check "kvm: reset through $how with --no-reboot: tandem exits 2 (got $st)" test "$st" = 2
		run "$how" kvm "$how"
		check "kvm: reset through $how without --no-reboot runs the guest again (status 69, got $st)" \
			sh -c '[ "$1" = 69 ] && grep -q "kvm-devices: rebooted" "$2"' _ "$st" "$WORK/$how.out"
	done
	run triple-nr kvm triple --no-reboot
	check "kvm: triple fault (KVM_EXIT_SHUTDOWN) with --no-reboot: tandem exits 3 and says so (got $st)" \
		sh -c '[ "$1" = 3 ] && grep -q "triple fault" "$2"' _ "$st" "$WORK/triple-nr.err"
	run triple kvm triple
	check "kvm: triple fault without --no-reboot resets and runs the guest again (status 69, got $st)" \
		sh -c '[ "$1" = 69 ] && grep -q "kvm-devices: rebooted" "$2"' _ "$st" "$WORK/triple.out"
	# What PVM's bootstrap mode (KVM's instruction emulator) cannot do: the
	# exit is KVM_EXIT_INTERNAL_ERROR, suberror EMULATION, with the bytes.
	run cx16 kvm cx16
	st_cx16=$st
	run int3 kvm int3
	st_int3=$st
	if [ -d /sys/module/kvm_pvm ]; then
		check "kvm (PVM): lock cmpxchg16b stops with KVM's emulation failure, bytes named, exit 4 (got $st_cx16)" \
			sh -c '[ "$1" = 4 ] && grep -q "could not emulate an instruction (bytes: f0 48 0f c7" "$2"' \
			_ "$st_cx16" "$WORK/cx16.err"
		check "kvm (PVM): int3 stops with KVM's emulation failure, bytes named, exit 4 (got $st_int3)" \
			sh -c '[ "$1" = 4 ] && grep -q "could not emulate an instruction (bytes: cc" "$2"' \
			_ "$st_int3" "$WORK/int3.err"
	else
		check "kvm: lock cmpxchg16b runs (status 15, got $st_cx16)" test "$st_cx16" = 15
		check "kvm: int3 reaches the guest's #BP handler (status 253, got $st_int3)" test "$st_int3" = 253
	fi
fi

run emu emu plain
check "emu reference: the same guest passes every check (status 15, got $st, '$(letters emu)')" \
	test "$st" = 15 -a "$(letters emu)" = SMPATLX
