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
