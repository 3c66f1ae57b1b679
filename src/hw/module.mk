# Devices: UART, RTC, i8042, POST/debug-exit/reset ports, ACPI PM, PCI host bridge, pc_devices assembly.
noinst_LIBRARIES += src/hw/libtandem_hw.a
src_hw_libtandem_hw_a_SOURCES = \
	src/hw/uart.c src/hw/uart.h \
	src/hw/rtc.c src/hw/rtc.h \
	src/hw/misc_ports.c src/hw/misc_ports.h

HW_TESTS = tests/hw/test-uart tests/hw/test-rtc tests/hw/test-misc-ports
check_PROGRAMS += $(HW_TESTS)
TESTS += $(HW_TESTS)
HW_TEST_LIBS = src/hw/libtandem_hw.a src/vmm/libtandem_core.a $(GLIB_LIBS)
tests_hw_test_uart_LDADD = $(HW_TEST_LIBS)
tests_hw_test_rtc_LDADD = $(HW_TEST_LIBS)
tests_hw_test_misc_ports_LDADD = $(HW_TEST_LIBS)
