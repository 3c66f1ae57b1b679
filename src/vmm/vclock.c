#include "vmm/vclock.h"

#include <string.h>
#include <time.h>

uint64_t vclock_host_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void vclock_init(struct vclock *vc, enum vclock_mode mode)
{
	memset(vc, 0, sizeof(*vc));
	vc->mode = mode;
	vc->host_base_ns = vclock_host_ns();
	vc->paused_at = VCLOCK_NEVER;
	vc->next_deadline = VCLOCK_NEVER;
}

uint64_t vclock_now(const struct vclock *vc)
{
	if (vc->mode == VCLOCK_DETERMINISTIC)
		return vc->insns + vc->warp_ns;
	if (vc->paused_at != VCLOCK_NEVER)
		return vc->paused_at;
	return vclock_host_ns() - vc->host_base_ns;
}

static void vclock_recompute(struct vclock *vc)
{
	uint64_t next = VCLOCK_NEVER;
	for (unsigned i = 0; i < vc->ntimers; i++)
		if (vc->timers[i]->deadline < next)
			next = vc->timers[i]->deadline;
	vc->next_deadline = next;
}

void vclock_add_timer(struct vclock *vc, struct vtimer *t, vtimer_fn *fn, void *opaque, const char *name)
{
	t->deadline = VCLOCK_NEVER;
	t->fn = fn;
	t->opaque = opaque;
	t->name = name;
	if (vc->ntimers < VCLOCK_MAX_TIMERS)
		vc->timers[vc->ntimers++] = t;
}

void vclock_remove_timer(struct vclock *vc, struct vtimer *t)
{
	for (unsigned i = 0; i < vc->ntimers; i++) {
		if (vc->timers[i] != t)
			continue;
		memmove(&vc->timers[i], &vc->timers[i + 1], (vc->ntimers - i - 1) * sizeof(vc->timers[0]));
		vc->ntimers--;
		t->deadline = VCLOCK_NEVER;
		vclock_recompute(vc);
		return;
	}
}

void vtimer_arm(struct vclock *vc, struct vtimer *t, uint64_t deadline_ns)
{
	t->deadline = deadline_ns;
	if (deadline_ns < vc->next_deadline)
		vc->next_deadline = deadline_ns;
	else
		vclock_recompute(vc);
}

void vtimer_disarm(struct vclock *vc, struct vtimer *t)
{
	t->deadline = VCLOCK_NEVER;
	vclock_recompute(vc);
}

void vclock_run_expired(struct vclock *vc)
{
	uint64_t now = vclock_now(vc);
	if (vc->next_deadline > now)
		return;
	/* Callbacks may re-arm themselves into the past; bound the rounds. */
	for (int round = 0; round < 64 && vc->next_deadline <= now; round++) {
		for (unsigned i = 0; i < vc->ntimers; i++) {
			struct vtimer *t = vc->timers[i];
			if (t->deadline <= now) {
				t->deadline = VCLOCK_NEVER;
				t->fn(t->opaque, now);
			}
		}
		vclock_recompute(vc);
	}
}

void vclock_warp_to(struct vclock *vc, uint64_t ns)
{
	uint64_t now = vclock_now(vc);
	if (vc->mode == VCLOCK_DETERMINISTIC && ns > now)
		vc->warp_ns += ns - now;
}

void vclock_pause(struct vclock *vc)
{
	if (vc->mode == VCLOCK_REALTIME && vc->paused_at == VCLOCK_NEVER)
		vc->paused_at = vclock_now(vc);
}

void vclock_resume(struct vclock *vc)
{
	if (vc->mode == VCLOCK_REALTIME && vc->paused_at != VCLOCK_NEVER) {
		vc->host_base_ns = vclock_host_ns() - vc->paused_at;
		vc->paused_at = VCLOCK_NEVER;
	}
}
