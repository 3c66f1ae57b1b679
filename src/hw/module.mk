# Devices: UART, RTC, i8042, POST/debug-exit/reset ports, ACPI PM, PCI host bridge, pc_devices assembly.
