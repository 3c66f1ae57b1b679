/* The guest clock: one source of guest time (nanoseconds since machine
 * start) that drives the TSC, PIT, LAPIC timer and RTC.
 *
 *  realtime       guest time follows the host's monotonic clock (paused
 *                 while the machine is stopped); a halted machine sleeps
 *                 until the next deadline.
 *  deterministic  guest time is derived from retired instructions
 *                 (1 instruction = 1 ns, like QEMU's -icount shift=0); a
 *                 halted machine jumps ("warps") to the next deadline, so
 *                 runs are reproducible.
 *
 * Devices arm vtimers; the vCPU loop fires expired ones. All of this runs
 * on the vCPU thread with the machine lock held. */
#ifndef TANDEM_VCLOCK_H
#define TANDEM_VCLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define VCLOCK_NEVER UINT64_MAX
#define VCLOCK_MAX_TIMERS 128  /* a LAPIC timer per vCPU (CONFIG_MAX_CPUS = 64) plus the devices */
/* TSC and LAPIC-timer crystal run at 1 GHz: TSC ticks == guest ns. CPUID
 * leaves 0x15/0x16 advertise exactly this so Linux calibrates nothing. */
#define VCLOCK_TSC_HZ 1000000000ULL

enum vclock_mode { VCLOCK_REALTIME, VCLOCK_DETERMINISTIC };

typedef void vtimer_fn(void *opaque, uint64_t now_ns);

struct vtimer {
	uint64_t deadline;  /* guest ns; VCLOCK_NEVER when disarmed */
	vtimer_fn *fn;
	void *opaque;
	const char *name;
};

struct vclock {
	enum vclock_mode mode;
	uint64_t host_base_ns;  /* realtime: host monotonic time at guest time 0 */
	uint64_t paused_at;     /* realtime: guest time when paused, or VCLOCK_NEVER */
	uint64_t insns;         /* deterministic: instructions credited so far */
	uint64_t warp_ns;       /* deterministic: time skipped while halted */
	struct vtimer *timers[VCLOCK_MAX_TIMERS];
	unsigned ntimers;
	uint64_t next_deadline; /* min over armed timers (cached) */
};

void vclock_init(struct vclock *vc, enum vclock_mode mode);
uint64_t vclock_host_ns(void);            /* host CLOCK_MONOTONIC */
uint64_t vclock_now(const struct vclock *vc);
static inline uint64_t vclock_tsc(const struct vclock *vc) { return vclock_now(vc); }

/* Deterministic mode: the engine credits retired instructions here. */
static inline void vclock_credit(struct vclock *vc, uint64_t insns) { vc->insns += insns; }

void vclock_add_timer(struct vclock *vc, struct vtimer *t, vtimer_fn *fn, void *opaque, const char *name);
/* Takes t off the clock before its owner frees it (a no-op if t is not on
 * it): the clock must never look at a freed timer. */
void vclock_remove_timer(struct vclock *vc, struct vtimer *t);
void vtimer_arm(struct vclock *vc, struct vtimer *t, uint64_t deadline_ns);
void vtimer_disarm(struct vclock *vc, struct vtimer *t);
static inline uint64_t vclock_next_deadline(const struct vclock *vc) { return vc->next_deadline; }

/* Fires every timer whose deadline has passed (callbacks may re-arm). */
void vclock_run_expired(struct vclock *vc);

/* Deterministic mode: jump guest time forward to `ns` (no-op if in the past). */
void vclock_warp_to(struct vclock *vc, uint64_t ns);

/* Realtime mode: freeze / unfreeze guest time (machine stop / cont). */
void vclock_pause(struct vclock *vc);
void vclock_resume(struct vclock *vc);

#endif
