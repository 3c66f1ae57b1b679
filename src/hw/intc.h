/* The PC interrupt-controller complex of the emulator: the 8259 pair, one
 * IOAPIC (24 pins, id 0 at 0xFEC00000) and one xAPIC LAPIC per CPU (MMIO
 * window 0xFEE00000; the bus's `cpu` argument selects the LAPIC).
 *
 * Wiring (matches the MADT: ISO IRQ0->GSI2 edge, IRQ9->GSI9 level high):
 *  - lines 0-15 drive the 8259 inputs (line 2, the cascade, is internal)
 *    and IOAPIC pins 0-15, except that line 0 reaches pin 2;
 *  - lines 16-23 drive IOAPIC pins 16-23 only;
 *  - the 8259's INTR reaches CPU 0 through LVT LINT0 in ExtINT mode, or
 *    directly while CPU 0's LAPIC is globally disabled (APIC_BASE bit 11).
 * Levels given to intc_set_irq are logical (asserted = true): the IOAPIC
 * polarity bit is stored but not applied, as in KVM and QEMU.
 *
 * intc_reset leaves every LAPIC in its power-up state plus what PC firmware
 * and every VMM program before the OS runs: LVT0 = ExtINT on CPU 0 (virtual
 * wire) and LVT1 = NMI, so the 8259 reaches CPU 0 until the OS reprograms it.
 *
 * Everything runs on the vCPU thread with the machine lock held. */
#ifndef TANDEM_HW_INTC_H
#define TANDEM_HW_INTC_H

#include <gio/gio.h>
#include <stdbool.h>
#include <stdint.h>

#include "vmm/bus.h"
#include "vmm/vclock.h"

struct intc;

struct intc_host {          /* callbacks into the machine */
	void *opaque;
	void (*irq_notify)(void *opaque, unsigned cpu);   /* interrupt state of cpu may have changed */
	void (*send_init)(void *opaque, unsigned cpu);    /* INIT IPI to cpu */
	void (*send_sipi)(void *opaque, unsigned cpu, uint8_t vector); /* Startup IPI */
};

/* ncpus is 1..INTC_MAX_CPUS; NULL otherwise. */
#define INTC_MAX_CPUS 64
struct intc *intc_create(unsigned ncpus, struct vclock *clock, const struct intc_host *host);
/* PIC 0x20-0x21, 0xA0-0xA1, ELCR 0x4D0-0x4D1 on pio; IOAPIC and LAPIC windows on mmio. */
bool intc_register(struct intc *ic, struct bus *pio, struct bus *mmio, GError **err);
void intc_reset(struct intc *ic);
void intc_destroy(struct intc *ic);
void intc_set_irq(void *intc, unsigned line, bool level);  /* an irq_set_fn (vmm/irq.h) */
void intc_msi(void *intc, uint64_t addr, uint32_t data);   /* a msi_send_fn: 0xFEExxxxx message */
bool intc_irq_pending(struct intc *ic, unsigned cpu);      /* a maskable interrupt is ready for cpu (IF not considered) */
int  intc_irq_ack(struct intc *ic, unsigned cpu);          /* INTA: vector, or -1 if nothing (spurious handled per hw) */
bool intc_nmi_pending(struct intc *ic, unsigned cpu);      /* consumes a pending NMI */
/* MSR 0x1B IA32_APIC_BASE and 0x6E0 IA32_TSC_DEADLINE; false for any other index (caller raises #GP) */
bool intc_lapic_msr(struct intc *ic, unsigned cpu, uint32_t index, uint64_t *value, bool is_write);

#endif
