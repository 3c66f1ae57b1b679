#include "vmm/irq.h"

#include <string.h>

void irq_router_init(struct irq_router *r, irq_set_fn *set, void *opaque)
{
	memset(r, 0, sizeof(*r));
	r->set = set;
	r->opaque = opaque;
}

void irq_router_set_msi(struct irq_router *r, msi_send_fn *msi, void *opaque)
{
	r->msi = msi;
	r->msi_opaque = opaque;
}

void irq_router_set(struct irq_router *r, unsigned line, bool level)
{
	if (line >= IRQ_NR_LINES)
		return;
	uint32_t bit = 1u << line;
	if (!!(r->level & bit) == level)
		return;
	r->level = level ? (r->level | bit) : (r->level & ~bit);
	if (r->set)
		r->set(r->opaque, line, level);
}

void irq_router_pulse(struct irq_router *r, unsigned line)
{
	irq_router_set(r, line, false);
	irq_router_set(r, line, true);
	irq_router_set(r, line, false);
}

void irq_router_msi(struct irq_router *r, uint64_t addr, uint32_t data)
{
	if (r->msi)
		r->msi(r->msi_opaque, addr, data);
}
