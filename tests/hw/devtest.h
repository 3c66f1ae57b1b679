/* Helpers shared by the device tests: an interrupt router that records
 * line levels and rising edges, and port accessors on a bus. */
#ifndef TANDEM_TESTS_HW_DEVTEST_H
#define TANDEM_TESTS_HW_DEVTEST_H

#include "vmm/bus.h"
#include "vmm/irq.h"

#include <glib.h>
#include <string.h>

struct irqlog {
	struct irq_router router;
	bool level[IRQ_NR_LINES];
	unsigned edges[IRQ_NR_LINES];  /* rising edges seen */
};

static inline void irqlog_set(void *opaque, unsigned line, bool level)
{
	struct irqlog *l = opaque;
	if (level && !l->level[line])
		l->edges[line]++;
	l->level[line] = level;
}

static inline void irqlog_init(struct irqlog *l)
{
	memset(l, 0, sizeof(*l));
	irq_router_init(&l->router, irqlog_set, l);
}

static inline struct irq_line irqlog_line(struct irqlog *l, unsigned line)
{
	return (struct irq_line){ &l->router, line };
}

static inline uint32_t pio_in(struct bus *b, uint16_t port, unsigned len)
{
	uint32_t v = 0;
	bus_access(b, port, &v, len, false, 0);
	return v;
}

static inline void pio_out(struct bus *b, uint16_t port, uint32_t v, unsigned len)
{
	bus_access(b, port, &v, len, true, 0);
}

static inline uint8_t inb(struct bus *b, uint16_t port) { return (uint8_t)pio_in(b, port, 1); }
static inline void outb(struct bus *b, uint16_t port, uint8_t v) { pio_out(b, port, v, 1); }

#endif
