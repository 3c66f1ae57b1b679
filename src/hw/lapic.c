/* xAPIC local APIC registers and interrupt acceptance: see lapic.h. */
#include "hw/lapic.h"

#include <string.h>

/* Writable bits of each LVT entry (SDM fig. 10-8). */
static const uint32_t lvt_writable[LVT_NUM] = {
	[LVT_TIMER] = 0x700FF,    /* vector, mask, timer mode */
	[LVT_THERMAL] = 0x107FF,  /* vector, delivery mode, mask */
	[LVT_PERF] = 0x107FF,
	[LVT_LINT0] = 0x1A7FF,    /* + polarity, trigger */
	[LVT_LINT1] = 0x1A7FF,
	[LVT_ERROR] = 0x100FF,
};

#define ICR_WRITABLE 0x000CCFFFu  /* vector, mode, dest mode, level, trigger, shorthand */
#define SVR_WRITABLE 0x3FFu       /* vector, enable, focus check */

static void vec_set(uint32_t reg[8], unsigned v) { reg[v >> 5] |= 1u << (v & 31); }
static void vec_clear(uint32_t reg[8], unsigned v) { reg[v >> 5] &= ~(1u << (v & 31)); }
static bool vec_test(const uint32_t reg[8], unsigned v) { return reg[v >> 5] & (1u << (v & 31)); }

static int vec_highest(const uint32_t reg[8])
{
	for (int i = 7; i >= 0; i--)
		if (reg[i])
			return i * 32 + 31 - __builtin_clz(reg[i]);
	return -1;
}

static void lapic_notify(struct lapic *l)
{
	if (l->ops && l->ops->notify)
		l->ops->notify(l->opaque, l->cpu);
}

uint8_t lapic_ppr(const struct lapic *l)
{
	int isrv = vec_highest(l->isr);
	uint8_t tpr = (uint8_t)l->tpr;
	uint8_t isr_class = isrv < 0 ? 0 : (uint8_t)(isrv & 0xF0);
	return (tpr >> 4) >= (isr_class >> 4) ? tpr : isr_class;
}

int lapic_pending_vector(const struct lapic *l)
{
	int v = vec_highest(l->irr);
	if (v < 0 || (v >> 4) <= (lapic_ppr(l) >> 4))
		return -1;
	return v;
}

int lapic_ack(struct lapic *l)
{
	int v = lapic_pending_vector(l);
	if (v < 0)
		return -1;
	vec_clear(l->irr, (unsigned)v);
	vec_set(l->isr, (unsigned)v);
	return v;
}

static void lapic_error(struct lapic *l, uint32_t bits)
{
	l->esr_pending |= bits;
	uint32_t lvt = l->lvt[LVT_ERROR];
	/* an illegal error vector must not report itself forever */
	if (!(lvt & LVT_MASKED) && (lvt & 0xFF) >= 16) {
		vec_set(l->irr, lvt & 0xFF);
		vec_clear(l->tmr, lvt & 0xFF);
		lapic_notify(l);
	}
}

static bool lapic_set_irr(struct lapic *l, uint8_t vector, bool level)
{
	if (vector < 16) {
		lapic_error(l, ESR_RECV_ILLEGAL);
		return false;
	}
	vec_set(l->irr, vector);
	if (level)
		vec_set(l->tmr, vector);
	else
		vec_clear(l->tmr, vector);
	lapic_notify(l);
	return true;
}

bool lapic_accept(struct lapic *l, const struct apic_msg *m)
{
	if (!lapic_hw_enabled(l))
		return false;
	switch (m->delivery) {
	case APIC_DM_FIXED:
	case APIC_DM_LOWEST:
		/* a software-disabled APIC accepts only NMI, SMI, INIT, SIPI */
		if (!lapic_sw_enabled(l))
			return false;
		return lapic_set_irr(l, m->vector, m->level);
	case APIC_DM_SMI:
		return true;  /* no SMM: accepted and dropped */
	case APIC_DM_NMI:
		l->nmi_pending = true;
		lapic_notify(l);
		return true;
	case APIC_DM_INIT:
		if (m->level && !m->assert)
			return true;  /* INIT level de-assert: arbitration IDs only */
		lapic_init_signal(l);
		if (l->ops && l->ops->init)
			l->ops->init(l->opaque, l->cpu);
		return true;
	case APIC_DM_STARTUP:
		if (l->ops && l->ops->sipi)
			l->ops->sipi(l->opaque, l->cpu, m->vector);
		return true;
	case APIC_DM_EXTINT:
		l->extint_pending = true;
		lapic_notify(l);
		return true;
	default:
		return false;
	}
}

void lapic_local_irq(struct lapic *l, unsigned lvt_index)
{
	uint32_t lvt = l->lvt[lvt_index];
	if (lvt & LVT_MASKED)
		return;
	unsigned mode = lvt_index == LVT_TIMER || lvt_index == LVT_ERROR ? APIC_DM_FIXED : (lvt >> 8) & 7;
	bool level = (lvt_index == LVT_LINT0 || lvt_index == LVT_LINT1) && (lvt & (1u << 15));
	switch (mode) {
	case APIC_DM_FIXED:
		lapic_set_irr(l, (uint8_t)lvt, level);
		break;
	case APIC_DM_NMI:
		l->nmi_pending = true;
		lapic_notify(l);
		break;
	default: /* SMI, INIT (reserved for LVTs); ExtINT is handled by intc */
		break;
	}
}

void lapic_set_lint(struct lapic *l, unsigned pin, bool level)
{
	if (pin > 1)
		return;
	bool was = l->lint[pin];
	l->lint[pin] = level;
	unsigned idx = pin ? LVT_LINT1 : LVT_LINT0;
	bool level_trig = l->lvt[idx] & (1u << 15);
	/* edge: rising edge; level (Fixed only): while asserted */
	if (lapic_hw_enabled(l) && level && (!was || level_trig))
		lapic_local_irq(l, idx);
	else
		lapic_notify(l);  /* ExtINT state may have changed */
}

bool lapic_match_dest(const struct lapic *l, uint8_t dest, bool logical)
{
	if (!logical)
		return dest == 0xFF || dest == (uint8_t)(l->id >> 24);
	uint8_t ldr = (uint8_t)(l->ldr >> 24);
	if ((l->dfr >> 28) == 0xF)  /* flat: one bit per APIC */
		return ldr & dest;
	if (dest == 0xFF)  /* cluster: broadcast */
		return true;
	return (ldr >> 4) == (dest >> 4) && (ldr & dest & 0x0F);
}

static void lapic_eoi(struct lapic *l)
{
	int v = vec_highest(l->isr);
	if (v < 0)
		return;
	vec_clear(l->isr, (unsigned)v);
	if (vec_test(l->tmr, (unsigned)v) && l->ops && l->ops->eoi)
		l->ops->eoi(l->opaque, (uint8_t)v);
	lapic_notify(l);
}

static void lapic_send_icr(struct lapic *l)
{
	uint32_t lo = l->icr_lo;
	struct apic_msg m = {
		.vector = (uint8_t)lo,
		.delivery = (uint8_t)((lo >> 8) & 7),
		.logical = lo & (1u << 11),
		.assert = lo & (1u << 14),
		.level = lo & (1u << 15),
		.shorthand = (uint8_t)((lo >> 18) & 3),
		.dest = (uint8_t)(l->icr_hi >> 24),
		.src = l->cpu,
	};
	if ((m.delivery == APIC_DM_FIXED || m.delivery == APIC_DM_LOWEST) && m.vector < 16) {
		lapic_error(l, ESR_SEND_ILLEGAL);
		return;
	}
	if (m.delivery == APIC_DM_INIT && m.level && !m.assert)
		return;  /* INIT level de-assert */
	if (l->ops && l->ops->send)
		l->ops->send(l->opaque, &m);
}

static void lapic_write_svr(struct lapic *l, uint32_t val)
{
	l->svr = val & SVR_WRITABLE;
	if (!lapic_sw_enabled(l))
		for (unsigned i = 0; i < LVT_NUM; i++)
			l->lvt[i] |= LVT_MASKED;
	lapic_notify(l);
}

static void lapic_write_lvt(struct lapic *l, unsigned idx, uint32_t val)
{
	uint32_t old = l->lvt[idx];
	val &= lvt_writable[idx];
	if (idx == LVT_TIMER && ((val >> 17) & 3) == 3)
		val = (val & ~(3u << 17)) | (old & (3u << 17));  /* reserved mode: keep */
	if (!lapic_sw_enabled(l))
		val |= LVT_MASKED;  /* SDM: cannot be unmasked while software-disabled */
	l->lvt[idx] = val;
	if (idx == LVT_TIMER)
		lapic_timer_lvt_written(l, old);
	lapic_notify(l);
}

static uint32_t lapic_reg_read(void *opaque, uint32_t reg)
{
	struct lapic *l = opaque;
	if (reg & 0xF)
		return 0;
	if (reg >= LAPIC_ISR && reg < LAPIC_ISR + 0x80)
		return l->isr[(reg - LAPIC_ISR) >> 4];
	if (reg >= LAPIC_TMR && reg < LAPIC_TMR + 0x80)
		return l->tmr[(reg - LAPIC_TMR) >> 4];
	if (reg >= LAPIC_IRR && reg < LAPIC_IRR + 0x80)
		return l->irr[(reg - LAPIC_IRR) >> 4];
	if (reg >= LAPIC_LVT_TIMER && reg <= LAPIC_LVT_ERROR)
		return l->lvt[(reg - LAPIC_LVT_TIMER) >> 4];
	switch (reg) {
	case LAPIC_ID: return l->id;
	case LAPIC_VER: return LAPIC_VERSION;
	case LAPIC_TPR: return l->tpr;
	case LAPIC_PPR: return lapic_ppr(l);
	case LAPIC_LDR: return l->ldr;
	case LAPIC_DFR: return l->dfr;
	case LAPIC_SVR: return l->svr;
	case LAPIC_ESR: return l->esr;
	case LAPIC_ICR_LO: return l->icr_lo;  /* delivery status: always idle */
	case LAPIC_ICR_HI: return l->icr_hi;
	case LAPIC_TMICT: return l->tmict;
	case LAPIC_TMCCT: return lapic_timer_current(l, vclock_now(l->clock));
	case LAPIC_TDCR: return l->tdcr;
	default: return 0;  /* APR, EOI, RRD, reserved */
	}
}

static void lapic_reg_write(void *opaque, uint32_t reg, uint32_t val)
{
	struct lapic *l = opaque;
	if (reg & 0xF)
		return;
	if (reg >= LAPIC_LVT_TIMER && reg <= LAPIC_LVT_ERROR) {
		lapic_write_lvt(l, (reg - LAPIC_LVT_TIMER) >> 4, val);
		return;
	}
	switch (reg) {
	case LAPIC_TPR:
		l->tpr = val & 0xFF;
		lapic_notify(l);
		break;
	case LAPIC_EOI:
		lapic_eoi(l);
		break;
	case LAPIC_LDR:
		l->ldr = val & 0xFF000000u;
		break;
	case LAPIC_DFR:
		l->dfr = val | 0x0FFFFFFFu;
		break;
	case LAPIC_SVR:
		lapic_write_svr(l, val);
		break;
	case LAPIC_ESR:  /* a write latches the errors seen since the last one */
		l->esr = l->esr_pending;
		l->esr_pending = 0;
		break;
	case LAPIC_ICR_LO:
		l->icr_lo = val & ICR_WRITABLE;
		lapic_send_icr(l);
		break;
	case LAPIC_ICR_HI:
		l->icr_hi = val & 0xFF000000u;
		break;
	case LAPIC_TMICT:
		lapic_timer_write_tmict(l, val);
		break;
	case LAPIC_TDCR:
		lapic_timer_write_tdcr(l, val);
		break;
	default: /* ID, version, APR, PPR, RRD, ISR/TMR/IRR, TMCCT: read-only */
		break;
	}
}

void lapic_mmio(struct lapic *l, uint64_t offset, void *data, unsigned len, bool is_write)
{
	if (!lapic_hw_enabled(l)) {
		/* globally disabled: the window is not decoded */
		if (!is_write)
			memset(data, 0xFF, len);
		return;
	}
	apic_mmio_dwords(l, offset, data, len, is_write, lapic_reg_read, lapic_reg_write);
}

static void lapic_regs_reset(struct lapic *l)
{
	l->tpr = 0;
	l->ldr = 0;
	l->dfr = 0xFFFFFFFFu;
	l->svr = 0xFF;
	l->esr = l->esr_pending = 0;
	l->icr_lo = l->icr_hi = 0;
	for (unsigned i = 0; i < LVT_NUM; i++)
		l->lvt[i] = LVT_MASKED;
	memset(l->isr, 0, sizeof(l->isr));
	memset(l->tmr, 0, sizeof(l->tmr));
	memset(l->irr, 0, sizeof(l->irr));
	l->nmi_pending = false;
	l->extint_pending = false;
	lapic_timer_reset(l);
}

void lapic_init_signal(struct lapic *l)
{
	lapic_regs_reset(l);
	lapic_notify(l);
}

void lapic_reset(struct lapic *l, bool bsp)
{
	l->id = l->cpu << 24;
	l->apic_base = LAPIC_BASE_DEFAULT | LAPIC_BASE_ENABLE | (bsp ? LAPIC_BASE_BSP : 0);
	lapic_regs_reset(l);
}

void lapic_init(struct lapic *l, unsigned cpu, struct vclock *clock, const struct lapic_ops *ops, void *opaque)
{
	memset(l, 0, sizeof(*l));
	l->cpu = cpu;
	l->clock = clock;
	l->ops = ops;
	l->opaque = opaque;
	lapic_timer_init(l);
	lapic_reset(l, cpu == 0);
}

/* Bits 0-7 and 9 are reserved, 10 (x2APIC) is not supported, 52-63 are
 * above any physical address: #GP. The BSP flag is read-only. Moving the
 * base is recorded but the window stays at 0xFEE00000. */
bool lapic_write_apic_base(struct lapic *l, uint64_t value)
{
	if (value & (0xFFull | 1ull << 9 | 1ull << 10 | 0xFFF0000000000000ull))
		return false;
	bool was = lapic_hw_enabled(l);
	l->apic_base = (value & ~LAPIC_BASE_BSP) | (l->apic_base & LAPIC_BASE_BSP);
	if (was && !lapic_hw_enabled(l))
		lapic_regs_reset(l);  /* re-enabling finds the power-up state */
	lapic_notify(l);
	return true;
}
