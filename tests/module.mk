# Unit tests of the machine core. Other modules add their tests in their
# own fragments (tests/<module>.mk) included below.
check_PROGRAMS += tests/test-bus tests/test-guest-mem tests/test-irq tests/test-vclock
TESTS += tests/test-bus tests/test-guest-mem tests/test-irq tests/test-vclock
CORE_TEST_LIBS = src/vmm/libtandem_core.a $(GLIB_LIBS)
tests_test_bus_LDADD = $(CORE_TEST_LIBS)
tests_test_guest_mem_LDADD = $(CORE_TEST_LIBS)
tests_test_irq_LDADD = $(CORE_TEST_LIBS)
tests_test_vclock_LDADD = $(CORE_TEST_LIBS)
EXTRA_DIST += tests/run-one.sh

# Freestanding test guests (nasm + ld): ELF64 and multiboot v1.
TEST_GUESTS = tests/guests/hello64.elf tests/guests/hello-mb.elf
check_DATA = $(TEST_GUESTS)
CLEANFILES += $(TEST_GUESTS) tests/guests/*.o
EXTRA_DIST += tests/guests/hello64.asm tests/guests/hello-mb.asm tests/e2e/lib.sh
tests/guests/hello64.elf: tests/guests/hello64.asm
	@$(MKDIR_P) tests/guests
	$(AM_V_GEN)$(NASM) -f elf64 $< -o $@.o && $(GUEST_LD) -m elf_x86_64 -nostdlib -Ttext=0x200000 -e _start $@.o -o $@
tests/guests/hello-mb.elf: tests/guests/hello-mb.asm
	@$(MKDIR_P) tests/guests
	$(AM_V_GEN)$(NASM) -f elf32 $< -o $@.o && $(GUEST_LD) -m elf_i386 -nostdlib -Ttext=0x200000 -e _start $@.o -o $@

check_PROGRAMS += tests/test-control
TESTS += tests/test-control
tests_test_control_CFLAGS = $(AM_CFLAGS) $(JSON_GLIB_CFLAGS)
tests_test_control_LDADD = src/vmm/libtandem_ctl.a $(JSON_GLIB_LIBS) $(CORE_TEST_LIBS)

# End to end: freestanding guests and Debian kernels boot in tandem.
TESTS += tests/e2e/test-guest-hello.sh tests/e2e/test-boot-linux.sh tests/e2e/test-valgrind.sh
EXTRA_DIST += tests/e2e/test-guest-hello.sh tests/e2e/test-boot-linux.sh tests/e2e/test-valgrind.sh
# virtio in a booted Debian guest (disks, network, console, rng) and a hostile guest.
TESTS += tests/e2e/test-virtio-hostile.sh tests/e2e/test-virtio-guest.sh tests/e2e/test-virtio-tap.sh
