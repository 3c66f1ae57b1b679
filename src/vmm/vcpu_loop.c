/* The one vCPU exit loop, shared by both engines. The vCPUs run in turns
 * on this thread (the emulator's model; KVM uses the same loop). Between
 * slices it fires guest timers, lets other threads take the machine lock,
 * and sleeps when every vCPU is halted. */
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

int machine_run(struct machine *m)
{
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
			if (r < VCPU_EXIT__COUNT)
				m->stats.exits[r]++;
			switch (r) {
			case VCPU_EXIT_IO:
				vcpu_handle_io(m, i, &ex);
				busy = true;
				break;
			case VCPU_EXIT_MMIO:
				machine_mmio(m, i, ex.mmio.addr, ex.mmio.data, ex.mmio.len, ex.mmio.is_write);
				busy = true;
				break;
			case VCPU_EXIT_HLT:
				break;
			case VCPU_EXIT_SHUTDOWN:
				fprintf(stderr, "tandem: vCPU %u: triple fault\n", i);
				if (m->cfg->no_reboot)
					machine_request_stop(m, STOP_TRIPLE_FAULT, STOP_TRIPLE_FAULT);
				else
					m->reset_requested = true;
				break;
			case VCPU_EXIT_ERROR:
				fprintf(stderr, "tandem: vCPU %u: %s\n", i, ex.error);
				machine_request_stop(m, STOP_INTERNAL, STOP_INTERNAL);
				break;
			default:
				busy = true;
				break;
			}
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
