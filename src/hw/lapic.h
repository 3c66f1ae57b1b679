/* One xAPIC local APIC (Intel SDM vol. 3 ch. 10/11): registers of the 4 KiB
 * MMIO window, interrupt acceptance (IRR/ISR/TMR, TPR/PPR priority), EOI,
 * the ICR (IPIs go out through ops->send), LVTs and the timer (one-shot,
 * periodic, TSC-deadline; the input clock is 1 GHz before the divider, so
 * timer ticks are guest ns). Plain state owned by the intc complex; each
 * LAPIC's timer is a vtimer of its own.
 *
 * Deviations kept on purpose: the APIC ID is read-only; the base in
 * IA32_APIC_BASE is readable but the window never moves; x2APIC is absent;
 * a periodic timer never fires more often than LAPIC_MIN_PERIOD_NS. */
#ifndef TANDEM_HW_LAPIC_H
#define TANDEM_HW_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/apic_bus.h"
#include "vmm/vclock.h"

#define LAPIC_VERSION      0x00050014u  /* max LVT 5, version 0x14 */
#define LAPIC_BASE_DEFAULT 0xFEE00000ull
#define LAPIC_BASE_BSP     (1ull << 8)
#define LAPIC_BASE_ENABLE  (1ull << 11)
#define LAPIC_MIN_PERIOD_NS 10000ull

/* register offsets */
#define LAPIC_ID      0x020
#define LAPIC_VER     0x030
#define LAPIC_TPR     0x080
#define LAPIC_APR     0x090
#define LAPIC_PPR     0x0A0
#define LAPIC_EOI     0x0B0
#define LAPIC_RRD     0x0C0
#define LAPIC_LDR     0x0D0
#define LAPIC_DFR     0x0E0
#define LAPIC_SVR     0x0F0
#define LAPIC_ISR     0x100
#define LAPIC_TMR     0x180
#define LAPIC_IRR     0x200
#define LAPIC_ESR     0x280
#define LAPIC_ICR_LO  0x300
#define LAPIC_ICR_HI  0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TMICT   0x380
#define LAPIC_TMCCT   0x390
#define LAPIC_TDCR    0x3E0

enum { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR, LVT_NUM };
#define LVT_MASKED        (1u << 16)
#define LVT_TIMER_PERIODIC 1u
#define LVT_TIMER_DEADLINE 2u
#define SVR_ENABLE        (1u << 8)
#define ESR_SEND_ILLEGAL  (1u << 5)
#define ESR_RECV_ILLEGAL  (1u << 6)

struct lapic;
struct lapic_ops {
	void (*notify)(void *opaque, unsigned cpu);        /* interrupt state changed */
	void (*send)(void *opaque, const struct apic_msg *msg);  /* ICR write */
	void (*eoi)(void *opaque, uint8_t vector);         /* EOI of a level vector */
	void (*init)(void *opaque, unsigned cpu);          /* INIT accepted */
	void (*sipi)(void *opaque, unsigned cpu, uint8_t vector);
};

struct lapic {
	unsigned cpu;
	uint32_t id;              /* APIC ID register (id in bits 31:24) */
	uint64_t apic_base;       /* IA32_APIC_BASE */
	uint32_t tpr, ldr, dfr, svr;
	uint32_t esr, esr_pending;
	uint32_t icr_lo, icr_hi;
	uint32_t lvt[LVT_NUM];
	uint32_t isr[8], tmr[8], irr[8];
	bool nmi_pending, extint_pending;
	bool lint[2];             /* LINT0/1 input levels */
	/* timer */
	uint32_t tmict, tdcr;
	uint32_t timer_base_count;  /* count at timer_start */
	uint64_t timer_start;
	uint64_t timer_next;        /* next expiry (guest ns) or VCLOCK_NEVER */
	uint64_t tsc_deadline;
	struct vtimer timer;        /* armed at timer_next (later if clamped) */
	struct vclock *clock;
	const struct lapic_ops *ops;
	void *opaque;
};

void lapic_init(struct lapic *l, unsigned cpu, struct vclock *clock, const struct lapic_ops *ops, void *opaque);
/* Power-up state (IA32_APIC_BASE included). */
void lapic_reset(struct lapic *l, bool bsp);
/* INIT: registers back to power-up state, ID and IA32_APIC_BASE kept. */
void lapic_init_signal(struct lapic *l);

static inline bool lapic_hw_enabled(const struct lapic *l) { return l->apic_base & LAPIC_BASE_ENABLE; }
static inline bool lapic_sw_enabled(const struct lapic *l) { return l->svr & SVR_ENABLE; }
uint8_t lapic_ppr(const struct lapic *l);
bool lapic_match_dest(const struct lapic *l, uint8_t dest, bool logical);

/* A message from the APIC bus; true when accepted. */
bool lapic_accept(struct lapic *l, const struct apic_msg *msg);
/* LINT0/LINT1 input level (LVT NMI/Fixed modes; ExtINT is the intc's). */
void lapic_set_lint(struct lapic *l, unsigned pin, bool level);
/* The highest IRR vector that beats PPR, or -1. */
int lapic_pending_vector(const struct lapic *l);
/* INTA: moves the pending vector from IRR to ISR; -1 if none. */
int lapic_ack(struct lapic *l);

void lapic_mmio(struct lapic *l, uint64_t offset, void *data, unsigned len, bool is_write);
bool lapic_write_apic_base(struct lapic *l, uint64_t value);

/* lapic_timer.c */
void lapic_timer_init(struct lapic *l);     /* puts the timer on the clock */
void lapic_timer_destroy(struct lapic *l);  /* takes it off */
void lapic_timer_reset(struct lapic *l);
uint32_t lapic_timer_current(const struct lapic *l, uint64_t now);
void lapic_timer_write_tmict(struct lapic *l, uint32_t val);
void lapic_timer_write_tdcr(struct lapic *l, uint32_t val);
void lapic_timer_lvt_written(struct lapic *l, uint32_t old_lvt);
uint64_t lapic_tsc_deadline_read(const struct lapic *l);
void lapic_tsc_deadline_write(struct lapic *l, uint64_t val);
/* lapic.c, for the timer: raise a local interrupt from an LVT entry */
void lapic_local_irq(struct lapic *l, unsigned lvt);

#endif
