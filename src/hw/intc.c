/* The interrupt-controller complex: wiring between devices, the 8259 pair,
 * the IOAPIC and the LAPICs, and the APIC bus that carries IOAPIC, MSI and
 * IPI messages. See intc.h for the contract. */
#include "hw/intc.h"

#include <string.h>

#include "hw/ioapic.h"
#include "hw/lapic.h"
#include "hw/pic.h"
#include "vmm/irq.h"
#include "vmm/layout.h"

#define INTC_IOAPIC_PIN_IRQ0 2

struct intc {
	unsigned ncpus;
	struct vclock *clock;
	struct intc_host host;
	uint32_t lines;          /* levels of lines 0-23 */
	struct pic pic;
	struct ioapic ioapic;
	struct lapic *lapic;     /* ncpus of them */
};

static void intc_host_notify(struct intc *ic, unsigned cpu)
{
	if (ic->host.irq_notify)
		ic->host.irq_notify(ic->host.opaque, cpu);
}

/* The 8259's INTR reaches CPU 0 through LINT0. */
static void intc_pic_notify(void *opaque)
{
	struct intc *ic = opaque;
	if (!ic->lapic)
		return;  /* during intc_create */
	lapic_set_lint(&ic->lapic[0], 0, pic_intr(&ic->pic));
	intc_host_notify(ic, 0);
}

/* True when the 8259 is CPU 0's interrupt source: the LAPIC is globally
 * disabled (the INTR pin goes straight to the core), or LINT0 is an
 * unmasked ExtINT (virtual wire). */
static bool intc_pic_routed(const struct intc *ic)
{
	const struct lapic *l = &ic->lapic[0];
	if (!lapic_hw_enabled(l))
		return true;
	uint32_t lvt0 = l->lvt[LVT_LINT0];
	return !(lvt0 & LVT_MASKED) && ((lvt0 >> 8) & 7) == APIC_DM_EXTINT;
}

/* The APIC bus: one message to the LAPICs it addresses. */
static bool intc_deliver(void *opaque, const struct apic_msg *m)
{
	struct intc *ic = opaque;
	bool accepted = false;
	struct lapic *lowest = NULL;
	if (m->shorthand == APIC_SH_SELF)
		return m->src < ic->ncpus && lapic_accept(&ic->lapic[m->src], m);
	for (unsigned i = 0; i < ic->ncpus; i++) {
		struct lapic *l = &ic->lapic[i];
		bool match;
		switch (m->shorthand) {
		case APIC_SH_ALL: match = true; break;
		case APIC_SH_OTHERS: match = i != m->src; break;
		default: match = lapic_match_dest(l, m->dest, m->logical); break;
		}
		if (!match || !lapic_hw_enabled(l))
			continue;
		if (m->delivery == APIC_DM_LOWEST) {
			/* lowest task priority wins; ties go to the first */
			if (lapic_sw_enabled(l) && (!lowest || (l->tpr & 0xF0) < (lowest->tpr & 0xF0)))
				lowest = l;
			continue;
		}
		accepted |= lapic_accept(l, m);
	}
	if (lowest)
		accepted = lapic_accept(lowest, m);
	return accepted;
}

static void intc_lapic_notify(void *opaque, unsigned cpu)
{
	intc_host_notify(opaque, cpu);
}

static void intc_lapic_send(void *opaque, const struct apic_msg *msg)
{
	intc_deliver(opaque, msg);
}

static void intc_lapic_eoi(void *opaque, uint8_t vector)
{
	struct intc *ic = opaque;
	ioapic_eoi(&ic->ioapic, vector);
}

static void intc_lapic_init(void *opaque, unsigned cpu)
{
	struct intc *ic = opaque;
	if (ic->host.send_init)
		ic->host.send_init(ic->host.opaque, cpu);
}

static void intc_lapic_sipi(void *opaque, unsigned cpu, uint8_t vector)
{
	struct intc *ic = opaque;
	if (ic->host.send_sipi)
		ic->host.send_sipi(ic->host.opaque, cpu, vector);
}

static const struct lapic_ops intc_lapic_ops = {
	.notify = intc_lapic_notify,
	.send = intc_lapic_send,
	.eoi = intc_lapic_eoi,
	.init = intc_lapic_init,
	.sipi = intc_lapic_sipi,
};

struct intc *intc_create(unsigned ncpus, struct vclock *clock, const struct intc_host *host)
{
	if (ncpus == 0 || ncpus > INTC_MAX_CPUS)
		return NULL;
	/* one vclock slot per LAPIC timer: a full table would leave some dead */
	if (clock->ntimers + ncpus > VCLOCK_MAX_TIMERS)
		return NULL;
	struct intc *ic = g_new0(struct intc, 1);
	ic->ncpus = ncpus;
	ic->clock = clock;
	if (host)
		ic->host = *host;
	pic_init(&ic->pic, intc_pic_notify, ic);
	ioapic_init(&ic->ioapic, intc_deliver, ic);
	ic->lapic = g_new0(struct lapic, ncpus);
	for (unsigned i = 0; i < ncpus; i++)
		lapic_init(&ic->lapic[i], i, clock, &intc_lapic_ops, ic);
	intc_reset(ic);
	return ic;
}

static void intc_lapic_mmio(void *opaque, uint64_t offset, void *data, unsigned len, bool is_write, unsigned cpu)
{
	struct intc *ic = opaque;
	if (cpu >= ic->ncpus) {
		if (!is_write)
			memset(data, 0xFF, len);
		return;
	}
	lapic_mmio(&ic->lapic[cpu], offset, data, len, is_write);
}

bool intc_register(struct intc *ic, struct bus *pio, struct bus *mmio, GError **err)
{
	return bus_register(pio, PORT_PIC_MASTER, 2, pic_master_io, &ic->pic, "pic-master", err) &&
	       bus_register(pio, PORT_PIC_SLAVE, 2, pic_slave_io, &ic->pic, "pic-slave", err) &&
	       bus_register(pio, PORT_ELCR, 2, pic_elcr_io, &ic->pic, "elcr", err) &&
	       bus_register(mmio, LAYOUT_IOAPIC_BASE, LAYOUT_IOAPIC_SIZE, ioapic_mmio, &ic->ioapic, "ioapic", err) &&
	       bus_register(mmio, LAYOUT_LAPIC_BASE, LAYOUT_LAPIC_SIZE, intc_lapic_mmio, ic, "lapic", err);
}

/* Power-up state plus what firmware (and every VMM) sets before the OS:
 * virtual-wire mode, LVT0 = ExtINT on the BSP and LVT1 = NMI. */
void intc_reset(struct intc *ic)
{
	pic_reset(&ic->pic);
	ioapic_reset(&ic->ioapic);
	for (unsigned i = 0; i < ic->ncpus; i++) {
		struct lapic *l = &ic->lapic[i];
		lapic_reset(l, i == 0);
		l->lvt[LVT_LINT0] = i == 0 ? APIC_DM_EXTINT << 8 : LVT_MASKED;
		l->lvt[LVT_LINT1] = APIC_DM_NMI << 8;
	}
	lapic_set_lint(&ic->lapic[0], 0, pic_intr(&ic->pic));
	for (unsigned i = 0; i < ic->ncpus; i++)
		intc_host_notify(ic, i);
}

void intc_destroy(struct intc *ic)
{
	if (!ic)
		return;
	for (unsigned i = 0; i < ic->ncpus; i++)
		lapic_timer_destroy(&ic->lapic[i]);
	g_free(ic->lapic);
	g_free(ic);
}

void intc_set_irq(void *opaque, unsigned line, bool level)
{
	struct intc *ic = opaque;
	if (line >= IRQ_NR_LINES)
		return;
	ic->lines = level ? (ic->lines | 1u << line) : (ic->lines & ~(1u << line));
	if (line < 16)
		pic_set_irq(&ic->pic, line, level);
	if (line == 0 || line == INTC_IOAPIC_PIN_IRQ0)  /* both reach pin 2 */
		ioapic_set_irq(&ic->ioapic, INTC_IOAPIC_PIN_IRQ0, ic->lines & (1u | 1u << INTC_IOAPIC_PIN_IRQ0));
	else
		ioapic_set_irq(&ic->ioapic, line, level);
}

/* MSI: address 0xFEE[dest 19:12][RH 3][DM 2]xx, data [trigger 15][level 14][mode 10:8][vector 7:0]. */
void intc_msi(void *opaque, uint64_t addr, uint32_t data)
{
	struct intc *ic = opaque;
	if ((addr >> 20) != (LAYOUT_LAPIC_BASE >> 20))
		return;
	struct apic_msg m = {
		.vector = (uint8_t)data,
		.delivery = (uint8_t)((data >> 8) & 7),
		.logical = addr & (1u << 2),
		.assert = data & (1u << 14),
		.level = data & (1u << 15),
		.shorthand = APIC_SH_NONE,
		.dest = (uint8_t)(addr >> 12),
	};
	if (m.delivery == APIC_DM_STARTUP)
		return;  /* not a legal MSI delivery mode */
	intc_deliver(ic, &m);
}

bool intc_irq_pending(struct intc *ic, unsigned cpu)
{
	if (cpu >= ic->ncpus)
		return false;
	struct lapic *l = &ic->lapic[cpu];
	if (cpu == 0 && intc_pic_routed(ic) && pic_intr(&ic->pic))
		return true;
	if (!lapic_hw_enabled(l))
		return false;
	return l->extint_pending || lapic_pending_vector(l) >= 0;
}

int intc_irq_ack(struct intc *ic, unsigned cpu)
{
	if (cpu >= ic->ncpus)
		return -1;
	struct lapic *l = &ic->lapic[cpu];
	if (cpu == 0 && intc_pic_routed(ic) && pic_intr(&ic->pic))
		return pic_ack(&ic->pic);
	if (!lapic_hw_enabled(l))
		return -1;
	if (l->extint_pending) {  /* IOAPIC ExtINT: the 8259 supplies the vector */
		l->extint_pending = false;
		return pic_ack(&ic->pic);
	}
	int v = lapic_ack(l);
	return v >= 0 ? v : (int)(l->svr & 0xFF);  /* nothing left: spurious vector */
}

bool intc_nmi_pending(struct intc *ic, unsigned cpu)
{
	if (cpu >= ic->ncpus || !ic->lapic[cpu].nmi_pending)
		return false;
	ic->lapic[cpu].nmi_pending = false;
	return true;
}

bool intc_lapic_msr(struct intc *ic, unsigned cpu, uint32_t index, uint64_t *value, bool is_write)
{
	if (cpu >= ic->ncpus)
		return false;
	struct lapic *l = &ic->lapic[cpu];
	switch (index) {
	case 0x1B: /* IA32_APIC_BASE */
		if (!is_write) {
			*value = l->apic_base;
			return true;
		}
		return lapic_write_apic_base(l, *value);
	case 0x6E0: /* IA32_TSC_DEADLINE */
		if (is_write)
			lapic_tsc_deadline_write(l, *value);
		else
			*value = lapic_tsc_deadline_read(l);
		return true;
	default:
		return false;
	}
}
