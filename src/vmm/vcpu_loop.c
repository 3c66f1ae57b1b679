/* The one vCPU exit loop, shared by both engines (vcpu_handle_exit).
 *
 * emu: the vCPUs run in turns on this thread. Between slices it fires
 * guest timers, lets other threads take the machine lock, and sleeps when
 * every vCPU is halted.
 *
 * Threaded engines (kvm): one thread per vCPU runs the engine without the
 * lock and takes it to dispatch each exit; this thread fires the guest
 * timers, and stops and restarts the vCPU threads around a reset. */
#include "vmm/machine.h"

#include <stdio.h>
#include <string.h>

/* Instructions per slice: bounds the latency of timers, I/O-thread work
 * and the other vCPUs' turns. */
#define SLICE_INSNS 200000

static void vcpu_handle_io(struct machine *m, unsigned cpu, struct vcpu_exit *ex)
{
	uint8_t *p = ex->io.data;
	for (uint32_t i = 0; i < ex->io.count; i++, p += ex->io.size)
		machine_pio(m, cpu, ex->io.port, p, ex->io.size, ex->io.is_write);
}

/* Acts on one exit of vCPU `cpu` (lock held); true when it did work, i.e.
 * the machine is not idle. Shared by both loops. */
static bool vcpu_handle_exit(struct machine *m, unsigned cpu, enum vcpu_exit_reason r, struct vcpu_exit *ex)
{
	if (r < VCPU_EXIT__COUNT)
		m->stats.exits[r]++;
	switch (r) {
	case VCPU_EXIT_IO:
		vcpu_handle_io(m, cpu, ex);
		return true;
	case VCPU_EXIT_MMIO:
		machine_mmio(m, cpu, ex->mmio.addr, ex->mmio.data, ex->mmio.len, ex->mmio.is_write);
		return true;
	case VCPU_EXIT_HLT:
		return false;
	case VCPU_EXIT_SHUTDOWN:
		fprintf(stderr, "tandem: vCPU %u: triple fault\n", cpu);
		if (m->cfg->no_reboot)
			machine_request_stop(m, STOP_TRIPLE_FAULT, STOP_TRIPLE_FAULT);
		else
			m->reset_requested = true;
		return false;
	case VCPU_EXIT_ERROR:
		fprintf(stderr, "tandem: vCPU %u: %s\n", cpu, ex->error);
		machine_request_stop(m, STOP_INTERNAL, STOP_INTERNAL);
		return false;
	default:
		return true;
	}
}

/* Lets the I/O thread in when it is waiting for the lock. */
static void machine_yield(struct machine *m)
{
	if (!g_atomic_int_get(&m->io_waiting))
		return;
	g_mutex_unlock(&m->lock);
	for (int spins = 0; g_atomic_int_get(&m->io_waiting) && spins < 1000; spins++)
		g_thread_yield();
	g_mutex_lock(&m->lock);
}

/* All vCPUs halted with interrupts off (and not waiting for SIPI): nothing
 * can wake the machine but an NMI; Linux does this after "System halted". */
static bool machine_dead_halt(struct machine *m)
{
	if (!m->engine->get_state)
		return false;
	bool any = false;
	for (unsigned i = 0; i < m->ncpus; i++) {
		enum vcpu_run_state rs = m->engine->run_state ? m->engine->run_state(m->vcpus[i]) : VCPU_HALTED;
		if (rs == VCPU_WAIT_FOR_SIPI)
			continue;
		if (rs != VCPU_HALTED)
			return false;
		struct cpu_state st;
		if (!m->engine->get_state(m->vcpus[i], &st, NULL) || (st.regs.rflags & 0x200))
			return false;
		any = true;
	}
	return any;
}

/* Every vCPU is halted: sleep until the next timer deadline or a wakeup. */
static void machine_idle(struct machine *m)
{
	uint64_t deadline = vclock_next_deadline(&m->clock);
	if (m->clock.mode == VCLOCK_DETERMINISTIC) {
		if (deadline != VCLOCK_NEVER) {
			/* Jump to the deadline; the instruction stream does not
			 * depend on host time. Only wall time does: don't let guest
			 * time run more than 100 ms ahead of host time, so an idle
			 * guest costs no CPU. */
			vclock_warp_to(&m->clock, deadline);
			uint64_t host_elapsed = vclock_host_ns() - m->clock.host_base_ns;
			uint64_t now = vclock_now(&m->clock);
			if (now > host_elapsed + 100000000ULL) {
				gint64 until = g_get_monotonic_time() + (gint64)((now - host_elapsed) / 1000);
				g_cond_wait_until(&m->wake, &m->lock, until);
			}
			return;
		}
		g_cond_wait_until(&m->wake, &m->lock, g_get_monotonic_time() + G_USEC_PER_SEC);
		return;
	}
	if (deadline == VCLOCK_NEVER) {
		g_cond_wait_until(&m->wake, &m->lock, g_get_monotonic_time() + G_USEC_PER_SEC);
		return;
	}
	uint64_t now = vclock_now(&m->clock);
	if (deadline <= now)
		return;
	gint64 until = g_get_monotonic_time() + (gint64)((deadline - now + 999) / 1000);
	g_cond_wait_until(&m->wake, &m->lock, until);
}

static void machine_do_reset(struct machine *m)
{
	g_autoptr(GError) err = NULL;
	m->reset_requested = false;
	if (m->event)
		m->event(m->event_opaque, "RESET", "guest-reset", true);
	if (!machine_reset(m, &err)) {
		fprintf(stderr, "tandem: reset failed: %s\n", err->message);
		machine_request_stop(m, STOP_ERROR, STOP_ERROR);
	}
}

static int machine_run_threaded(struct machine *m);

int machine_run(struct machine *m)
{
	if (m->engine->threaded)
		return machine_run_threaded(m);
	g_mutex_lock(&m->lock);
	m->stats.start_ns = vclock_host_ns();
	while (m->stop == STOP_NONE) {
		if (m->reset_requested) {
			machine_do_reset(m);
			continue;
		}
		if (m->paused) {
			g_cond_wait(&m->wake, &m->lock);
			continue;
		}
		unsigned wakeups = m->wakeups;
		bool busy = false;
		for (unsigned i = 0; i < m->ncpus && m->stop == STOP_NONE && !m->reset_requested; i++) {
			struct engine_vcpu *v = m->vcpus[i];
			if (m->engine->run_state && m->engine->run_state(v) == VCPU_WAIT_FOR_SIPI)
				continue;
			struct vcpu_exit ex;
			memset(&ex, 0, sizeof(ex));
			enum vcpu_exit_reason r = m->engine->run(v, SLICE_INSNS, &ex);
			if (vcpu_handle_exit(m, i, r, &ex))
				busy = true;
		}
		vclock_run_expired(&m->clock);
		if (!busy && m->wakeups == wakeups && m->stop == STOP_NONE && !m->reset_requested) {
			if (machine_dead_halt(m)) {
				machine_request_stop(m, STOP_POWEROFF, 0);
				break;
			}
			machine_idle(m);
			vclock_run_expired(&m->clock);
		}
		machine_yield(m);
	}
	m->stats.end_ns = vclock_host_ns();
	int status = m->exit_status;
	g_mutex_unlock(&m->lock);
	return status;
}

/* ---- threaded engines ---- */

/* Longest sleep of the timer thread: bounds how late it notices a pause,
 * and a timer armed by a thread that did not wake it. */
#define TIMER_THREAD_POLL_US (50 * 1000)

struct vcpu_thread {
	struct machine *m;
	unsigned index;
	GThread *thread;
};

static bool vcpu_thread_should_leave(struct machine *m)
{
	return m->stop != STOP_NONE || m->reset_requested;
}

static gpointer vcpu_thread_main(gpointer data)
{
	struct vcpu_thread *t = data;
	struct machine *m = t->m;
	struct engine_vcpu *v = m->vcpus[t->index];
	struct vcpu_exit ex;  /* the same one every time (engine.h: threaded) */
	memset(&ex, 0, sizeof(ex));

	g_mutex_lock(&m->lock);
	while (!vcpu_thread_should_leave(m)) {
		if (m->paused) {
			g_cond_wait_until(&m->wake, &m->lock, g_get_monotonic_time() + TIMER_THREAD_POLL_US);
			continue;
		}
		g_mutex_unlock(&m->lock);
		enum vcpu_exit_reason r = m->engine->run(v, 0, &ex);
		g_mutex_lock(&m->lock);
		uint64_t deadline = vclock_next_deadline(&m->clock);
		vcpu_handle_exit(m, t->index, r, &ex);
		/* A device armed an earlier timer, or the machine must stop or
		 * reset: the timer thread sleeps on `wake`. */
		if (vclock_next_deadline(&m->clock) < deadline || vcpu_thread_should_leave(m))
			g_cond_broadcast(&m->wake);
	}
	g_mutex_unlock(&m->lock);
	return NULL;
}

static void vcpu_threads_start(struct machine *m, struct vcpu_thread *t)
{
	for (unsigned i = 0; i < m->ncpus; i++) {
		char name[16];
		snprintf(name, sizeof(name), "vcpu%u", i);
		t[i] = (struct vcpu_thread){ .m = m, .index = i };
		t[i].thread = g_thread_new(name, vcpu_thread_main, &t[i]);
	}
}

/* Called and returns with the lock held; drops it while joining. */
static void vcpu_threads_stop(struct machine *m, struct vcpu_thread *t)
{
	for (unsigned i = 0; i < m->ncpus; i++)
		if (m->vcpus[i])
			m->engine->kick(m->vcpus[i]);
	g_cond_broadcast(&m->wake);
	g_mutex_unlock(&m->lock);
	for (unsigned i = 0; i < m->ncpus; i++)
		g_thread_join(t[i].thread);
	g_mutex_lock(&m->lock);
}

static int machine_run_threaded(struct machine *m)
{
	struct vcpu_thread threads[CONFIG_MAX_CPUS];
	bool running = false, paused = false;

	g_mutex_lock(&m->lock);
	m->stats.start_ns = vclock_host_ns();
	while (m->stop == STOP_NONE) {
		if (!running && !m->reset_requested) {
			vcpu_threads_start(m, threads);
			running = true;
		}
		if (m->reset_requested) {
			if (running)
				vcpu_threads_stop(m, threads);
			running = false;
			if (m->stop == STOP_NONE)
				machine_do_reset(m);
			continue;
		}
		if (m->paused != paused) {
			/* Pausing: get the vCPUs out of the engine; resuming: wake them. */
			paused = m->paused;
			if (paused)
				for (unsigned i = 0; i < m->ncpus; i++)
					m->engine->kick(m->vcpus[i]);
			g_cond_broadcast(&m->wake);
		}
		vclock_run_expired(&m->clock);
		gint64 until = g_get_monotonic_time() + TIMER_THREAD_POLL_US;
		uint64_t deadline = vclock_next_deadline(&m->clock);
		if (deadline != VCLOCK_NEVER && !paused) {
			uint64_t now = vclock_now(&m->clock);
			if (deadline <= now)
				continue;
			until = MIN(until, g_get_monotonic_time() + (gint64)((deadline - now + 999) / 1000));
		}
		g_cond_wait_until(&m->wake, &m->lock, until);
	}
	if (running)
		vcpu_threads_stop(m, threads);
	m->stats.end_ns = vclock_host_ns();
	int status = m->exit_status;
	g_mutex_unlock(&m->lock);
	return status;
}
