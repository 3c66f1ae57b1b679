# Devices: UART, RTC, i8042, POST/debug-exit/reset ports, ACPI PM, PCI host bridge, pc_devices assembly.
noinst_LIBRARIES += src/hw/libtandem_hw.a
src_hw_libtandem_hw_a_SOURCES = \
	src/hw/uart.c src/hw/uart.h \
	src/hw/rtc.c src/hw/rtc.h \
	src/hw/misc_ports.c src/hw/misc_ports.h \
	src/hw/i8042.c src/hw/i8042.h \
	src/hw/acpi_pm.c src/hw/acpi_pm.h \
	src/hw/pci.c src/hw/pci.h \
	src/hw/pc_devices.c src/hw/pc_devices.h

HW_TESTS = tests/hw/test-uart tests/hw/test-rtc tests/hw/test-misc-ports \
	tests/hw/test-i8042 tests/hw/test-acpi-pm tests/hw/test-pci \
	tests/hw/test-pc-devices
check_PROGRAMS += $(HW_TESTS)
TESTS += $(HW_TESTS)
HW_TEST_LIBS = src/hw/libtandem_hw.a src/vmm/libtandem_core.a $(GLIB_LIBS)
tests_hw_test_uart_LDADD = $(HW_TEST_LIBS)
tests_hw_test_rtc_LDADD = $(HW_TEST_LIBS)
tests_hw_test_misc_ports_LDADD = $(HW_TEST_LIBS)
tests_hw_test_i8042_LDADD = $(HW_TEST_LIBS)
tests_hw_test_acpi_pm_LDADD = $(HW_TEST_LIBS)
tests_hw_test_pci_LDADD = $(HW_TEST_LIBS)
# pc_devices assembles the interrupt controllers too.
tests_hw_test_pc_devices_LDADD = src/hw/libtandem_hw.a src/hw/libtandem_intc.a src/vmm/libtandem_core.a $(GLIB_LIBS)
EXTRA_DIST += tests/hw/devtest.h
