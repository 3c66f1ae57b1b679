# src/vmm/emu: the x86-64 interpreter engine (engine_emu). See cpu.h for the
# execution contract, emu.h for what the rest of tandem may call.
noinst_LIBRARIES += src/vmm/emu/libtandem_emu.a
src_vmm_emu_libtandem_emu_a_CFLAGS = $(AM_CFLAGS) -O2
src_vmm_emu_libtandem_emu_a_SOURCES = \
	src/vmm/emu/emu.h src/vmm/emu/cpu.h src/vmm/emu/ops.h \
	src/vmm/emu/engine.c \
	src/vmm/emu/block.c \
	src/vmm/emu/decode.c \
	src/vmm/emu/flags.c \
	src/vmm/emu/mmu.c \
	src/vmm/emu/seg.c \
	src/vmm/emu/seg_limit.c \
	src/vmm/emu/gate.c \
	src/vmm/emu/task.c \
	src/vmm/emu/v86.c \
	src/vmm/emu/excp.c \
	src/vmm/emu/sys.c \
	src/vmm/emu/ops_alu.c \
	src/vmm/emu/ops_shift.c \
	src/vmm/emu/ops_mov.c \
	src/vmm/emu/ops_ctrl.c \
	src/vmm/emu/ops_string.c \
	src/vmm/emu/ops_sys.c \
	src/vmm/emu/ops_simd.c \
	src/vmm/emu/ops_fused.c

# Tests: system-level guests, host-differential instruction tests, decoder cross-check.
EMU_TEST_LIBS = src/vmm/emu/libtandem_emu.a src/vmm/emu/libtandem_fpu.a src/vmm/libtandem_core.a $(GLIB_LIBS) -lm
check_PROGRAMS += tests/emu/test-emu-system
TESTS += tests/emu/test-emu-system
tests_emu_test_emu_system_SOURCES = tests/emu/test-emu-system.c tests/emu/emu_harness.c \
	tests/emu/emu_harness.h tests/emu/guests.h
tests_emu_test_emu_system_LDADD = $(EMU_TEST_LIBS)
EXTRA_DIST += tests/emu/guests/regen.sh tests/emu/guests/loop.asm tests/emu/guests/pf.asm \
	tests/emu/guests/smc.asm tests/emu/guests/sys.asm \
	tests/emu/guests/modes.asm tests/emu/guests/irq.asm tests/emu/guests/tf.asm

# Paging: self-checking guests for 2-level, PAE and 4-level paging (tests/emu/guests-paging/).
check_PROGRAMS += tests/emu/test-emu-paging
TESTS += tests/emu/test-emu-paging
tests_emu_test_emu_paging_SOURCES = tests/emu/test-emu-paging.c tests/emu/emu_harness.c \
	tests/emu/emu_harness.h tests/emu/guests_paging.h
tests_emu_test_emu_paging_LDADD = $(EMU_TEST_LIBS)
EXTRA_DIST += tests/emu/guests-paging/regen.sh tests/emu/guests-paging/common32.inc \
	tests/emu/guests-paging/common64.inc tests/emu/guests-paging/paging-2level.asm \
	tests/emu/guests-paging/paging-pae.asm tests/emu/guests-paging/paging-long.asm

# Debugging aid: boot a kernel on the engine alone (see the file's header).
noinst_PROGRAMS += tests/emu/emu-boot
tests_emu_emu_boot_SOURCES = tests/emu/emu-boot.c tests/emu/emu_harness.h
tests_emu_emu_boot_LDADD = src/vmm/emu/libtandem_emu.a src/vmm/emu/libtandem_fpu.a \
	src/vmm/boot/libtandem_boot.a src/vmm/libtandem_core.a $(BOOT_LIBS) -lm

check_PROGRAMS += tests/emu/test-emu-smc
TESTS += tests/emu/test-emu-smc
tests_emu_test_emu_smc_SOURCES = tests/emu/test-emu-smc.c tests/emu/emu_harness.c \
	tests/emu/emu_harness.h tests/emu/smc_guests.h
tests_emu_test_emu_smc_LDADD = $(EMU_TEST_LIBS)
EXTRA_DIST += tests/emu/smc-guests/regen.sh tests/emu/smc-guests/smc_paths.asm \
	tests/emu/smc-guests/smc_cross_cpu.asm tests/emu/smc-guests/fused.asm

check_PROGRAMS += tests/emu/test-emu-alu
TESTS += tests/emu/test-emu-alu
tests_emu_test_emu_alu_SOURCES = tests/emu/test-emu-alu.c tests/emu/emu_harness.c tests/emu/emu_harness.h
tests_emu_test_emu_alu_LDADD = $(EMU_TEST_LIBS)

check_PROGRAMS += tests/emu/test-emu-decode
TESTS += tests/emu/test-emu-decode
tests_emu_test_emu_decode_SOURCES = tests/emu/test-emu-decode.c tests/emu/emu_harness.c tests/emu/emu_harness.h
tests_emu_test_emu_decode_CFLAGS = $(AM_CFLAGS) $(LZ4_CFLAGS)
tests_emu_test_emu_decode_LDADD = $(EMU_TEST_LIBS) $(ZYDIS_LIBS) $(LZ4_LIBS)

# Segmentation, call gates, task switches, virtual-8086 mode: guests in tests/emu/guests/seg/.
check_PROGRAMS += tests/emu/test-emu-segments
TESTS += tests/emu/test-emu-segments
tests_emu_test_emu_segments_SOURCES = tests/emu/test-emu-segments.c tests/emu/emu_harness.c \
	tests/emu/emu_harness.h tests/emu/guests_seg.h
tests_emu_test_emu_segments_LDADD = $(EMU_TEST_LIBS)
EXTRA_DIST += tests/emu/guests/seg/regen.sh tests/emu/guests/seg/common.inc tests/emu/guests/seg/limits.asm \
	tests/emu/guests/seg/gates.asm tests/emu/guests/seg/tasks.asm tests/emu/guests/seg/v86.asm tests/emu/guests/seg/gate64.asm tests/emu/guests/seg/compat.asm tests/emu/guests/seg/real.asm tests/emu/guests/seg/qemu-boot.s tests/emu/guests/seg/qemu-oracle.sh
