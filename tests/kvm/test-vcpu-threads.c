/* The loop for threaded engines (vcpu_loop.c, machine_run_threaded), driven
 * by a fake engine so it runs without /dev/kvm: one thread per vCPU, exits
 * dispatched under the machine lock, an MMIO read's answer handed back
 * through the same vcpu_exit, pause/cont from another thread, and a stop
 * that kicks vCPUs blocked in run() (as APs wait for SIPI inside KVM_RUN). */
#include "vmm/machine.h"

#include <glib.h>
#include <string.h>

#define TEST_PORT 0x510
#define TEST_MMIO 0xC0000000ULL

struct engine_vcpu {
	unsigned index;
	int kicked;           /* atomic */
	int runs;             /* atomic: run() calls */
	int inside;           /* atomic: blocked in run() */
	unsigned step;
	uint32_t last_read;   /* what the previous MMIO read returned */
};

static struct machine *the_machine;
static unsigned port_writes;   /* under the machine lock */
static uint32_t mmio_value;

static enum vcpu_exit_reason fake_run(struct engine_vcpu *v, uint64_t budget, struct vcpu_exit *ex)
{
	(void)budget;
	g_atomic_int_inc(&v->runs);
	if (v->step > 0 && (v->step % 2) == 0) {
		/* The loop answered the MMIO read of the previous exit in ex. */
		memcpy(&v->last_read, ex->mmio.data, 4);
		g_assert_cmphex(v->last_read, ==, 0x1000 + v->step / 2);
	}
	if (v->index == 0 && v->step < 400) {
		v->step++;
		if (v->step % 2) {
			ex->reason = VCPU_EXIT_IO;
			ex->io.port = TEST_PORT;
			ex->io.size = 1;
			ex->io.count = 1;
			ex->io.is_write = true;
			static uint8_t byte = 1;
			ex->io.data = &byte;
			return VCPU_EXIT_IO;
		}
		memset(ex, 0, sizeof(*ex));
		ex->reason = VCPU_EXIT_MMIO;
		ex->mmio.addr = TEST_MMIO;
		ex->mmio.len = 4;
		ex->mmio.is_write = false;
		mmio_value = 0x1000 + v->step / 2;
		return VCPU_EXIT_MMIO;
	}
	/* Like an AP waiting for SIPI inside KVM_RUN: only a kick ends it. */
	g_atomic_int_set(&v->inside, 1);
	while (!g_atomic_int_get(&v->kicked))
		g_usleep(200);
	g_atomic_int_set(&v->kicked, 0);
	g_atomic_int_set(&v->inside, 0);
	return VCPU_EXIT_SLICE;
}

static void fake_kick(struct engine_vcpu *v)
{
	if (v)
		g_atomic_int_set(&v->kicked, 1);
}

static const struct engine_ops fake_engine = {
	.name = "fake-threaded",
	.threaded = true,
	.run = fake_run,
	.kick = fake_kick,
};

static void test_port(void *opaque, uint64_t offset, void *data, unsigned len, bool is_write, unsigned cpu)
{
	(void)opaque; (void)offset; (void)data; (void)len;
	g_assert_true(is_write);
	g_assert_cmpuint(cpu, ==, 0);
	port_writes++;
}

static void test_mmio(void *opaque, uint64_t offset, void *data, unsigned len, bool is_write, unsigned cpu)
{
	(void)opaque; (void)offset; (void)cpu;
	g_assert_false(is_write);
	g_assert_cmpuint(len, ==, 4);
	memcpy(data, &mmio_value, 4);
}

static gpointer run_machine(gpointer data)
{
	return GINT_TO_POINTER(machine_run(data));
}

static void wait_for(int *counter, int at_least)
{
	for (int i = 0; i < 20000 && g_atomic_int_get(counter) < at_least; i++)
		g_usleep(500);
	g_assert_cmpint(g_atomic_int_get(counter), >=, at_least);
}

static void wait_until_out(int *inside)
{
	for (int i = 0; i < 20000 && g_atomic_int_get(inside); i++)
		g_usleep(500);
	g_assert_cmpint(g_atomic_int_get(inside), ==, 0);
}

static void test_threads(void)
{
	struct machine_config cfg;
	machine_config_init(&cfg);
	struct machine *m = g_new0(struct machine, 1);
	the_machine = m;
	m->cfg = &cfg;
	m->engine = &fake_engine;
	m->ncpus = 3;
	m->stop = STOP_NONE;
	g_mutex_init(&m->lock);
	g_cond_init(&m->wake);
	vclock_init(&m->clock, VCLOCK_REALTIME);
	bus_init(&m->pio, "pio");
	bus_init(&m->mmio, "mmio");
	g_assert_true(bus_register(&m->pio, TEST_PORT, 1, test_port, NULL, "test", NULL));
	g_assert_true(bus_register(&m->mmio, TEST_MMIO, 4, test_mmio, NULL, "test", NULL));
	struct engine_vcpu v[3] = { { .index = 0 }, { .index = 1 }, { .index = 2 } };
	for (unsigned i = 0; i < 3; i++)
		m->vcpus[i] = &v[i];

	GThread *t = g_thread_new("machine", run_machine, m);
	/* vCPU 0 works through its 400 exits; the others sit in run(). */
	for (int i = 0; i < 20000; i++) {
		machine_lock_other(m);
		unsigned n = port_writes;
		machine_unlock_other(m);
		if (n == 200)
			break;
		g_usleep(500);
	}
	machine_lock_other(m);
	g_assert_cmpuint(port_writes, ==, 200);
	g_assert_cmpuint(m->stats.pio, ==, 200);
	g_assert_cmpuint(m->stats.mmio, ==, 200);
	machine_unlock_other(m);
	wait_for(&v[0].runs, 401);  /* the 401st call checks the last MMIO answer */
	g_assert_cmphex(v[0].last_read, ==, 0x1000 + 200);
	/* The others entered run() once and stay there (threads may start late). */
	wait_for(&v[1].runs, 1);
	wait_for(&v[2].runs, 1);
	g_assert_cmpint(g_atomic_int_get(&v[1].runs), ==, 1);
	g_assert_cmpint(g_atomic_int_get(&v[2].runs), ==, 1);

	/* Pause: the timer thread kicks every vCPU out of run(); none re-enters. */
	wait_for(&v[1].inside, 1);
	wait_for(&v[2].inside, 1);
	machine_lock_other(m);
	m->paused = true;
	machine_unlock_other(m);
	wait_until_out(&v[1].inside);
	wait_until_out(&v[2].inside);
	int r1 = g_atomic_int_get(&v[1].runs);
	g_usleep(300000);
	g_assert_cmpint(g_atomic_int_get(&v[1].runs), ==, r1);
	g_assert_cmpint(g_atomic_int_get(&v[1].inside), ==, 0);
	/* Cont: they run again. */
	machine_lock_other(m);
	m->paused = false;
	g_cond_broadcast(&m->wake);
	machine_unlock_other(m);
	wait_for(&v[1].runs, r1 + 1);

	/* Stop from another thread: every vCPU thread is kicked and joined. */
	machine_lock_other(m);
	machine_request_stop(m, STOP_DEBUG_EXIT, 77);
	machine_unlock_other(m);
	g_assert_cmpint(GPOINTER_TO_INT(g_thread_join(t)), ==, 77);
	g_assert_cmpint(m->stop, ==, STOP_DEBUG_EXIT);
	g_assert_cmpuint(m->stats.exits[VCPU_EXIT_IO], ==, 200);
	g_assert_cmpuint(m->stats.exits[VCPU_EXIT_MMIO], ==, 200);

	bus_destroy(&m->pio);
	bus_destroy(&m->mmio);
	g_cond_clear(&m->wake);
	g_mutex_clear(&m->lock);
	g_free(m);
	machine_config_clear(&cfg);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/vcpu-loop/threaded/io-mmio-pause-stop", test_threads);
	return g_test_run();
}
