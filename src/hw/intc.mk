# Interrupt controllers and timer: PIC, IOAPIC, LAPIC, PIT (src/hw/intc*, pic*, ioapic*, lapic*, pit*).
noinst_LIBRARIES += src/hw/libtandem_intc.a
src_hw_libtandem_intc_a_SOURCES = \
	src/hw/intc.c src/hw/intc.h \
	src/hw/apic_bus.h \
	src/hw/pic.c src/hw/pic.h \
	src/hw/ioapic.c src/hw/ioapic.h \
	src/hw/lapic.c src/hw/lapic_timer.c src/hw/lapic.h \
	src/hw/pit.c src/hw/pit.h

INTC_TESTS = tests/hw/test-pic tests/hw/test-pit tests/hw/test-ioapic tests/hw/test-lapic tests/hw/test-intc
check_PROGRAMS += $(INTC_TESTS)
TESTS += $(INTC_TESTS)
INTC_TEST_LIBS = src/hw/libtandem_intc.a src/vmm/libtandem_core.a $(GLIB_LIBS)
tests_hw_test_pic_LDADD = $(INTC_TEST_LIBS)
tests_hw_test_pit_LDADD = $(INTC_TEST_LIBS)
tests_hw_test_ioapic_LDADD = $(INTC_TEST_LIBS)
tests_hw_test_lapic_LDADD = $(INTC_TEST_LIBS)
tests_hw_test_intc_LDADD = $(INTC_TEST_LIBS)
EXTRA_DIST += tests/hw/intc-fixture.h
