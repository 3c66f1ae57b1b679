/* LAPIC timer (SDM 10.5.4): one-shot and periodic modes count the initial
 * count down at 1 GHz / divider; TSC-deadline mode fires when the TSC
 * (guest ns) reaches IA32_TSC_DEADLINE. The current count is computed from
 * guest time; the vtimer fires at each expiry, also while the LVT is
 * masked (the count runs on, only the interrupt is suppressed). */
#include "hw/lapic.h"

static unsigned timer_mode(const struct lapic *l)
{
	return (l->lvt[LVT_TIMER] >> 17) & 3;
}

static uint64_t timer_divisor(uint32_t tdcr)
{
	unsigned v = (tdcr & 3) | ((tdcr >> 1) & 4);
	return v == 7 ? 1 : 2u << v;
}

static uint64_t timer_ticks(const struct lapic *l, uint64_t now)
{
	return now > l->timer_start ? (now - l->timer_start) / timer_divisor(l->tdcr) : 0;
}

uint32_t lapic_timer_current(const struct lapic *l, uint64_t now)
{
	if (timer_mode(l) == LVT_TIMER_DEADLINE || l->tmict == 0 || l->timer_base_count == 0)
		return 0;
	uint64_t t = timer_ticks(l, now);
	if (t < l->timer_base_count)
		return (uint32_t)(l->timer_base_count - t);
	if (timer_mode(l) != LVT_TIMER_PERIODIC)
		return 0;
	return (uint32_t)(l->tmict - (t - l->timer_base_count) % l->tmict);
}

/* Counting restarts at `now` from `count`. */
static void timer_start(struct lapic *l, uint64_t now, uint32_t count)
{
	l->timer_start = now;
	l->timer_base_count = count;
	l->timer_next = count ? now + count * timer_divisor(l->tdcr) : VCLOCK_NEVER;
}

static void timer_schedule(struct lapic *l, uint64_t now, bool after_fire)
{
	if (l->timer_next == VCLOCK_NEVER) {
		vtimer_disarm(l->clock, &l->timer);
		return;
	}
	uint64_t deadline = l->timer_next;
	/* a tiny periodic count must not monopolise the vCPU */
	if (after_fire && timer_mode(l) == LVT_TIMER_PERIODIC && deadline < now + LAPIC_MIN_PERIOD_NS)
		deadline = now + LAPIC_MIN_PERIOD_NS;
	vtimer_arm(l->clock, &l->timer, deadline);
}

static void timer_fire(void *opaque, uint64_t now)
{
	struct lapic *l = opaque;
	if (l->timer_next > now) {  /* reprogrammed meanwhile */
		timer_schedule(l, now, false);
		return;
	}
	lapic_local_irq(l, LVT_TIMER);
	switch (timer_mode(l)) {
	case LVT_TIMER_DEADLINE:
		l->tsc_deadline = 0;
		l->timer_next = VCLOCK_NEVER;
		break;
	case LVT_TIMER_PERIODIC: {
		/* the next period boundary after now (missed periods collapse) */
		uint64_t period = l->tmict * timer_divisor(l->tdcr);
		uint64_t first = l->timer_start + l->timer_base_count * timer_divisor(l->tdcr);
		l->timer_next = period ? first + ((now - first) / period + 1) * period : VCLOCK_NEVER;
		break;
	}
	default:
		l->timer_next = VCLOCK_NEVER;
		break;
	}
	timer_schedule(l, now, true);
}

void lapic_timer_write_tmict(struct lapic *l, uint32_t val)
{
	if (timer_mode(l) == LVT_TIMER_DEADLINE)
		return;  /* ignored in TSC-deadline mode */
	uint64_t now = vclock_now(l->clock);
	l->tmict = val;
	timer_start(l, now, val);
	timer_schedule(l, now, false);
}

void lapic_timer_write_tdcr(struct lapic *l, uint32_t val)
{
	uint64_t now = vclock_now(l->clock);
	uint32_t cur = lapic_timer_current(l, now);
	l->tdcr = val & 0xB;
	if (timer_mode(l) == LVT_TIMER_DEADLINE || l->timer_next == VCLOCK_NEVER || cur == 0)
		return;
	timer_start(l, now, cur);  /* the rest of the count at the new rate */
	timer_schedule(l, now, false);
}

/* Switching between TSC-deadline and the counting modes disarms the timer
 * (SDM 10.5.4.1); one-shot <-> periodic keeps counting. */
void lapic_timer_lvt_written(struct lapic *l, uint32_t old_lvt)
{
	bool was_deadline = ((old_lvt >> 17) & 3) == LVT_TIMER_DEADLINE;
	if (was_deadline == (timer_mode(l) == LVT_TIMER_DEADLINE))
		return;
	l->tmict = 0;
	l->timer_base_count = 0;
	l->tsc_deadline = 0;
	l->timer_next = VCLOCK_NEVER;
	timer_schedule(l, vclock_now(l->clock), false);
}

uint64_t lapic_tsc_deadline_read(const struct lapic *l)
{
	return timer_mode(l) == LVT_TIMER_DEADLINE ? l->tsc_deadline : 0;
}

/* 0 disarms; a deadline in the past fires at once. */
void lapic_tsc_deadline_write(struct lapic *l, uint64_t val)
{
	if (timer_mode(l) != LVT_TIMER_DEADLINE)
		return;
	l->tsc_deadline = val;
	l->timer_next = val ? val : VCLOCK_NEVER;
	timer_schedule(l, vclock_now(l->clock), false);
}

void lapic_timer_reset(struct lapic *l)
{
	l->tmict = 0;
	l->tdcr = 0;
	l->timer_base_count = 0;
	l->timer_start = 0;
	l->timer_next = VCLOCK_NEVER;
	l->tsc_deadline = 0;
	vtimer_disarm(l->clock, &l->timer);
}

void lapic_timer_init(struct lapic *l)
{
	vclock_add_timer(l->clock, &l->timer, timer_fire, l, "lapic");
}

void lapic_timer_destroy(struct lapic *l)
{
	vclock_remove_timer(l->clock, &l->timer);
}
