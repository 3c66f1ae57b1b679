# x87 / SSE / SSE2 / FXSAVE semantics (src/vmm/emu/fpu*, simd*): owned by the fpu work.
noinst_LIBRARIES += src/vmm/emu/libtandem_fpu.a
src_vmm_emu_libtandem_fpu_a_SOURCES = \
	src/vmm/emu/fpu.h src/vmm/emu/fpu_int.h src/vmm/emu/fpu.c \
	src/vmm/emu/simd_ops.h src/vmm/emu/simd_table.c src/vmm/emu/simd_fxsave.c \
	src/vmm/emu/simd_host.h src/vmm/emu/simd_fp.c src/vmm/emu/simd_xm.c src/vmm/emu/simd_cvt.c \
	src/vmm/emu/simd_integer.c src/vmm/emu/simd_move.c \
	src/vmm/emu/x87_int.h src/vmm/emu/x87_table.c src/vmm/emu/x87_host.c

check_PROGRAMS += tests/emu/test-fpu
TESTS += tests/emu/test-fpu
tests_emu_test_fpu_LDADD = src/vmm/emu/libtandem_fpu.a $(GLIB_LIBS)

check_PROGRAMS += tests/emu/test-simd
TESTS += tests/emu/test-simd
tests_emu_test_simd_SOURCES = tests/emu/test-simd.c tests/emu/native_stub.h
tests_emu_test_simd_LDADD = src/vmm/emu/libtandem_fpu.a $(GLIB_LIBS)

check_PROGRAMS += tests/emu/test-x87
TESTS += tests/emu/test-x87
tests_emu_test_x87_SOURCES = tests/emu/test-x87.c tests/emu/native_stub.h
tests_emu_test_x87_LDADD = src/vmm/emu/libtandem_fpu.a $(GLIB_LIBS)
