# The kvm engine (thin: /dev/kvm ioctls only). Plans (pure, unit-tested
# anywhere) live in kvm_cpuid.c, kvm_state.c and the kvm_plan_* functions
# of kvm_vm.c; the rest issues ioctls.
noinst_LIBRARIES += src/vmm/kvm/libtandem_kvm.a
src_vmm_kvm_libtandem_kvm_a_SOURCES = \
	src/vmm/kvm/kvm.h src/vmm/kvm/kvm_priv.h \
	src/vmm/kvm/kvm_probe.c \
	src/vmm/kvm/kvm_engine.c \
	src/vmm/kvm/kvm_vm.c \
	src/vmm/kvm/kvm_vcpu.c \
	src/vmm/kvm/kvm_run.c \
	src/vmm/kvm/kvm_cpuid.c \
	src/vmm/kvm/kvm_state.c

# The probe alone, for virttandemd (no VMM code behind it).
noinst_LIBRARIES += src/vmm/kvm/libtandem_kvm_probe.a
src_vmm_kvm_libtandem_kvm_probe_a_SOURCES = src/vmm/kvm/kvm.h src/vmm/kvm/kvm_probe.c

# Unit tests of the plans (no /dev/kvm needed); the end-to-end boot test
# skips itself where /dev/kvm is not usable.
KVM_TEST_LIBS = src/vmm/kvm/libtandem_kvm.a src/vmm/libtandem_core.a $(GLIB_LIBS)
check_PROGRAMS += tests/kvm/test-kvm-cpuid tests/kvm/test-kvm-state tests/kvm/test-kvm-vm tests/kvm/test-kvm-run
TESTS += tests/kvm/test-kvm-cpuid tests/kvm/test-kvm-state tests/kvm/test-kvm-vm tests/kvm/test-kvm-run
tests_kvm_test_kvm_cpuid_LDADD = $(KVM_TEST_LIBS)
tests_kvm_test_kvm_state_LDADD = src/vmm/kvm/libtandem_kvm.a src/vmm/boot/libtandem_boot.a \
	src/vmm/libtandem_core.a $(BOOT_LIBS) $(GLIB_LIBS)
tests_kvm_test_kvm_vm_LDADD = $(KVM_TEST_LIBS)
tests_kvm_test_kvm_run_LDADD = $(KVM_TEST_LIBS)
# The VM and a vCPU on the real /dev/kvm without the machine loop (state in
# and out, exits, kicks); skipped where KVM is not usable.
check_PROGRAMS += tests/kvm/test-kvm-vcpu
TESTS += tests/kvm/test-kvm-vcpu
tests_kvm_test_kvm_vcpu_LDADD = src/vmm/kvm/libtandem_kvm.a src/vmm/boot/libtandem_boot.a \
	src/vmm/libtandem_core.a $(BOOT_LIBS) $(GLIB_LIBS)
# The probe against a missing path, a non-KVM device and the real /dev/kvm.
check_PROGRAMS += tests/kvm/test-kvm-probe
TESTS += tests/kvm/test-kvm-probe
tests_kvm_test_kvm_probe_LDADD = src/vmm/kvm/libtandem_kvm_probe.a $(GLIB_LIBS)
TESTS += tests/kvm/test-kvm-boot.sh
EXTRA_DIST += tests/kvm/test-kvm-boot.sh tests/kvm/data/supported-cpuid.txt
# Devices, interrupts, power-off and resets on the real /dev/kvm with a
# freestanding guest (skips where KVM is not usable; emu as reference).
TESTS += tests/kvm/test-kvm-devices.sh
EXTRA_DIST += tests/kvm/test-kvm-devices.sh tests/guests/kvm-devices.asm

# The shared loop's threaded path (vcpu_loop.c) with a fake threaded engine.
check_PROGRAMS += tests/kvm/test-vcpu-threads
TESTS += tests/kvm/test-vcpu-threads
tests_kvm_test_vcpu_threads_LDADD = $(TANDEM_LIBS) \
	$(XML_LIBS) $(JSON_GLIB_LIBS) $(SLIRP_LIBS) $(GLIB_LIBS) $(ZLIB_LIBS) $(LZMA_LIBS) $(LZ4_LIBS) $(ZSTD_LIBS) -lm

# virttandemd's type='kvm' follows the same probe (both branches; the
# usable one only where /dev/kvm is usable).
TESTS += tests/driver/test-kvm.py
EXTRA_DIST += tests/driver/test-kvm.py
