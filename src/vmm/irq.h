/* Interrupt lines from devices to the interrupt controllers.
 *
 * Lines are numbered as on a PC: 0-15 are the ISA IRQs (IRQ0, the PIT,
 * reaches IOAPIC pin 2, matching the MADT/MP override), 16-23 are the
 * remaining IOAPIC pins (PCI INTx). A router forwards level changes to the
 * machine's controllers: the emulated PIC+IOAPIC pair (emu) or the KVM
 * in-kernel irqchip (kvm). Devices only ever see a `struct irq_line`. */
#ifndef TANDEM_IRQ_H
#define TANDEM_IRQ_H

#include <stdbool.h>
#include <stdint.h>

#define IRQ_NR_LINES 24

typedef void irq_set_fn(void *opaque, unsigned line, bool level);
typedef void msi_send_fn(void *opaque, uint64_t addr, uint32_t data);

struct irq_router {
	irq_set_fn *set;
	void *opaque;
	msi_send_fn *msi;
	void *msi_opaque;
	uint32_t level;  /* current state of each line (bit per line) */
};

void irq_router_init(struct irq_router *r, irq_set_fn *set, void *opaque);
void irq_router_set_msi(struct irq_router *r, msi_send_fn *msi, void *opaque);

/* Level change; forwarded only when the level actually changes. */
void irq_router_set(struct irq_router *r, unsigned line, bool level);
/* An edge: raise then lower (edge-triggered ISA devices). */
void irq_router_pulse(struct irq_router *r, unsigned line);
/* Message-signalled interrupt (PCI MSI/MSI-X). */
void irq_router_msi(struct irq_router *r, uint64_t addr, uint32_t data);

/* What a device holds. */
struct irq_line {
	struct irq_router *router;
	unsigned line;
};

static inline void irq_line_raise(const struct irq_line *l) { irq_router_set(l->router, l->line, true); }
static inline void irq_line_lower(const struct irq_line *l) { irq_router_set(l->router, l->line, false); }
static inline void irq_line_set(const struct irq_line *l, bool level) { irq_router_set(l->router, l->line, level); }
static inline void irq_line_pulse(const struct irq_line *l) { irq_router_pulse(l->router, l->line); }

#endif
