# x87 / SSE / SSE2 / FXSAVE semantics (src/vmm/emu/fpu*, simd*): owned by the fpu work.
noinst_LIBRARIES += src/vmm/emu/libtandem_fpu.a
src_vmm_emu_libtandem_fpu_a_SOURCES = \
	src/vmm/emu/fpu.h src/vmm/emu/fpu_int.h src/vmm/emu/fpu.c \
	src/vmm/emu/simd_int.h src/vmm/emu/simd_table.c src/vmm/emu/simd_fxsave.c \
	src/vmm/emu/x87_table.c

check_PROGRAMS += tests/emu/test-fpu
TESTS += tests/emu/test-fpu
tests_emu_test_fpu_LDADD = src/vmm/emu/libtandem_fpu.a $(GLIB_LIBS)
