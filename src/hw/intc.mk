# Interrupt controllers and timer: PIC, IOAPIC, LAPIC, PIT (src/hw/intc*, pic*, ioapic*, lapic*, pit*).
