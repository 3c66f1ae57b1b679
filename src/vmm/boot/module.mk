# src/vmm/boot: kernel loaders (bzImage, ELF, multiboot), host-side payload
# decompression, the zero page and e820 map, the BSP's entry state, and the
# MP and ACPI tables.  See boot.h (the API) and boot_priv.h (internals).
noinst_LIBRARIES += src/vmm/boot/libtandem_boot.a
src_vmm_boot_libtandem_boot_a_CFLAGS = $(AM_CFLAGS) $(ZLIB_CFLAGS) $(LZMA_CFLAGS) $(LZ4_CFLAGS) $(ZSTD_CFLAGS)
src_vmm_boot_libtandem_boot_a_SOURCES = \
	src/vmm/boot/boot.c src/vmm/boot/boot.h src/vmm/boot/boot_priv.h src/vmm/boot/boot_layout.h \
	src/vmm/boot/bzimage.c src/vmm/boot/zero_page.c src/vmm/boot/zero_page.h \
	src/vmm/boot/payload.c \
	src/vmm/boot/elf.c \
	src/vmm/boot/multiboot.c \
	src/vmm/boot/initrd.c \
	src/vmm/boot/e820.c \
	src/vmm/boot/cpu_setup.c \
	src/vmm/boot/mptable.c src/vmm/boot/mptable.h \
	src/vmm/boot/acpi.c src/vmm/boot/acpi.h src/vmm/boot/dsdt.c \
	src/vmm/boot/aml.c src/vmm/boot/aml.h
# Link with: src/vmm/boot/libtandem_boot.a src/vmm/libtandem_core.a $(BOOT_LIBS)
BOOT_LIBS = $(ZLIB_LIBS) $(LZMA_LIBS) $(LZ4_LIBS) $(ZSTD_LIBS) $(GLIB_LIBS)
EXTRA_DIST += scripts/fuzz-loaders.sh tests/fuzz/fuzz-loaders.c

# Unit tests; images.c builds synthetic kernels for them (and the fuzzer's seeds).
noinst_LIBRARIES += tests/boot/libboot_images.a
tests_boot_libboot_images_a_SOURCES = tests/boot/images.c tests/boot/images.h tests/boot/boot_test.h tests/boot/acpi_walk.h
tests_boot_libboot_images_a_CFLAGS = $(AM_CFLAGS) $(ZLIB_CFLAGS) $(LZMA_CFLAGS) $(LZ4_CFLAGS) $(ZSTD_CFLAGS)
BOOT_TEST_LIBS = tests/boot/libboot_images.a src/vmm/boot/libtandem_boot.a src/vmm/libtandem_core.a $(BOOT_LIBS)
BOOT_TESTS = \
	tests/boot/test-bzimage-real \
	tests/boot/test-bzimage \
	tests/boot/test-elf \
	tests/boot/test-multiboot \
	tests/boot/test-payload \
	tests/boot/test-acpi \
	tests/boot/test-mptable \
	tests/boot/test-aml
check_PROGRAMS += $(BOOT_TESTS) tests/boot/qemu-dump
TESTS += $(BOOT_TESTS) tests/boot/test-qemu-boot.sh
tests_boot_qemu_dump_LDADD = $(BOOT_TEST_LIBS)
EXTRA_DIST += tests/boot/test-qemu-boot.sh tests/boot/qemu-stub.S
tests_boot_test_bzimage_real_LDADD = $(BOOT_TEST_LIBS)
tests_boot_test_bzimage_LDADD = $(BOOT_TEST_LIBS)
tests_boot_test_elf_LDADD = $(BOOT_TEST_LIBS)
tests_boot_test_multiboot_LDADD = $(BOOT_TEST_LIBS)
tests_boot_test_payload_LDADD = $(BOOT_TEST_LIBS)
tests_boot_test_acpi_LDADD = $(BOOT_TEST_LIBS)
tests_boot_test_mptable_LDADD = $(BOOT_TEST_LIBS)
tests_boot_test_aml_LDADD = $(BOOT_TEST_LIBS)
