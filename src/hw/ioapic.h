/* 82093AA-style I/O APIC: 24 pins, IOREGSEL at +0x00, IOWIN at +0x10,
 * version 0x00170011. Plain state owned by the intc complex, which turns
 * the messages it emits into LAPIC deliveries.
 *
 * Inputs are logical levels (asserted = true; the polarity bit is stored,
 * not applied). Edge pins deliver on a rising edge; an edge arriving while
 * the pin is masked is kept and delivered on unmask (as KVM and QEMU do,
 * so no edge is lost while an OS reprograms a pin). Level pins deliver
 * while asserted and Remote IRR is clear; Remote IRR is set when a LAPIC
 * accepts the message and cleared by an EOI for the pin's vector (LAPIC
 * broadcast, the EOI register at +0x40, or switching the pin to edge as
 * Linux does for version 0x11); a level message nobody accepted is retried
 * at the next EOI of its vector or write of its entry. */
#ifndef TANDEM_HW_IOAPIC_H
#define TANDEM_HW_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/apic_bus.h"

#define IOAPIC_NUM_PINS 24
#define IOAPIC_VERSION 0x00170011u

/* Delivers a message; returns true if at least one LAPIC accepted it. */
typedef bool ioapic_deliver_fn(void *opaque, const struct apic_msg *msg);

struct ioapic {
	uint32_t id;                     /* register 0: bits 27:24 */
	uint8_t regsel;
	uint64_t redir[IOAPIC_NUM_PINS];
	uint32_t input;                  /* current pin levels */
	uint32_t edge_pending;           /* edge pins latched while masked */
	ioapic_deliver_fn *deliver;
	void *opaque;
};

void ioapic_init(struct ioapic *io, ioapic_deliver_fn *deliver, void *opaque);
void ioapic_reset(struct ioapic *io);
void ioapic_set_irq(struct ioapic *io, unsigned pin, bool level);
/* A LAPIC EOI of a level-triggered vector (broadcast to the IOAPIC). */
void ioapic_eoi(struct ioapic *io, uint8_t vector);
/* MMIO handler; opaque is the struct ioapic. */
void ioapic_mmio(void *opaque, uint64_t offset, void *data, unsigned len, bool is_write, unsigned cpu);

#endif
