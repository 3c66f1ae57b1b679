#include "vmm/run.h"

#include "hw/pc_devices.h"
#include "hw/virtio/virtio_devices.h"
#include "vmm/chardev.h"
#include "vmm/control.h"
#include "vmm/emu/emu.h"
#include "vmm/machine.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct run_ctx {
	struct machine *m;
	struct chardev *serial;
	struct control *control;
	GMainContext *ctx;
	GThread *io_thread;
	int io_quit;
};

/* ---- serial input (I/O thread) ---- */

static void serial_input(void *opaque, const uint8_t *buf, size_t len)
{
	struct run_ctx *r = opaque;
	machine_lock_other(r->m);
	pc_serial_receive(r->m->pc, buf, len);
	machine_unlock_other(r->m);
}

static size_t serial_space(void *opaque)
{
	struct run_ctx *r = opaque;
	machine_lock_other(r->m);
	size_t n = pc_serial_rx_space(r->m->pc);
	machine_unlock_other(r->m);
	return n;
}

static void run_quit(void *opaque)
{
	struct run_ctx *r = opaque;
	machine_lock_other(r->m);
	machine_request_stop(r->m, STOP_QUIT, STOP_QUIT);
	machine_unlock_other(r->m);
}

/* ---- control socket operations (I/O thread) ---- */

static const char *ctl_status(void *opaque)
{
	struct run_ctx *r = opaque;
	machine_lock_other(r->m);
	const char *s = r->m->stop != STOP_NONE ? "shutdown" : r->m->paused ? "paused" : "running";
	machine_unlock_other(r->m);
	return s;
}

static void ctl_stop(void *opaque)
{
	struct run_ctx *r = opaque;
	machine_lock_other(r->m);
	bool was = r->m->paused;
	r->m->paused = true;
	vclock_pause(&r->m->clock);
	machine_unlock_other(r->m);
	if (!was)
		control_emit(r->control, "STOP", NULL, FALSE);
}

static void ctl_cont(void *opaque)
{
	struct run_ctx *r = opaque;
	machine_lock_other(r->m);
	bool was = r->m->paused;
	r->m->paused = false;
	vclock_resume(&r->m->clock);
	g_cond_broadcast(&r->m->wake); /* every paused vCPU thread (kvm) waits on it */
	machine_unlock_other(r->m);
	if (was)
		control_emit(r->control, "RESUME", NULL, FALSE);
}

static void ctl_powerdown(void *opaque)
{
	struct run_ctx *r = opaque;
	control_emit(r->control, "POWERDOWN", NULL, FALSE);
	machine_lock_other(r->m);
	pc_power_button(r->m->pc);
	machine_unlock_other(r->m);
}

static void ctl_reset(void *opaque)
{
	struct run_ctx *r = opaque;
	machine_lock_other(r->m);
	r->m->reset_requested = true;
	machine_kick_all(r->m);
	machine_unlock_other(r->m);
}

static const char *ctl_pty_path(void *opaque)
{
	struct run_ctx *r = opaque;
	return chardev_pty_path(r->serial);
}

static void machine_event(void *opaque, const char *event, const char *reason, bool guest)
{
	struct run_ctx *r = opaque;
	control_emit(r->control, event, reason, guest);
}

static void net_lock(void *opaque) { machine_lock_other(opaque); }
static void net_unlock(void *opaque) { machine_unlock_other(opaque); }

static gboolean on_signal(gpointer data)
{
	struct run_ctx *r = data;
	machine_lock_other(r->m);
	machine_request_stop(r->m, STOP_QUIT, STOP_QUIT);
	machine_unlock_other(r->m);
	return G_SOURCE_CONTINUE;
}

static gpointer io_thread_main(gpointer data)
{
	struct run_ctx *r = data;
	g_main_context_push_thread_default(r->ctx);
	/* Not g_main_loop_run: a quit issued before it starts would be lost. */
	while (!g_atomic_int_get(&r->io_quit))
		g_main_context_iteration(r->ctx, TRUE);
	g_main_context_pop_thread_default(r->ctx);
	return NULL;
}

static bool write_pidfile(const char *path, GError **err)
{
	g_autofree char *text = g_strdup_printf("%d\n", (int)getpid());
	return g_file_set_contents(path, text, -1, err);
}

static const char *stop_reason(enum machine_stop s)
{
	switch (s) {
	case STOP_POWEROFF: return "guest-shutdown";
	case STOP_REBOOT: return "guest-reset";
	case STOP_TRIPLE_FAULT: return "guest-reset";
	case STOP_QUIT: return "host-qmp-quit";
	case STOP_DEBUG_EXIT: return "guest-shutdown";
	default: return "host-error";
	}
}

static void print_stats(struct machine *m)
{
	uint64_t insns = 0;
	for (unsigned i = 0; i < m->ncpus; i++)
		insns += m->engine->instructions ? m->engine->instructions(m->vcpus[i]) : 0;
	double secs = (double)(m->stats.end_ns - m->stats.start_ns) / 1e9;
	static const char *names[VCPU_EXIT__COUNT] = {
		[VCPU_EXIT_NONE] = "none", [VCPU_EXIT_IO] = "io", [VCPU_EXIT_MMIO] = "mmio",
		[VCPU_EXIT_HLT] = "hlt", [VCPU_EXIT_SHUTDOWN] = "shutdown", [VCPU_EXIT_SLICE] = "slice",
		[VCPU_EXIT_ERROR] = "error",
	};
	fprintf(stderr, "tandem stats: engine %s, %u vCPU(s)\n", m->engine->name, m->ncpus);
	fprintf(stderr, "tandem stats: wall time %.3f s, guest time %.3f s\n", secs,
		(double)vclock_now(&m->clock) / 1e9);
	fprintf(stderr, "tandem stats: instructions retired %" G_GUINT64_FORMAT ", %.1f MIPS\n", insns,
		secs > 0 ? (double)insns / secs / 1e6 : 0.0);
	fprintf(stderr, "tandem stats: port I/O %" G_GUINT64_FORMAT ", MMIO %" G_GUINT64_FORMAT "\n",
		m->stats.pio, m->stats.mmio);
	if (m->engine == &engine_emu) {
		struct emu_stats t = { 0 };
		for (unsigned i = 0; i < m->ncpus; i++) {
			struct emu_stats s;
			emu_get_stats(m->vcpus[i], &s);
			t.exceptions += s.exceptions;
			t.interrupts += s.interrupts;
			t.tlb_flushes += s.tlb_flushes;
			t.tlb_misses += s.tlb_misses;
			t.code_invalidations += s.code_invalidations;
			t.decodes += s.decodes;
			t.blocks += s.blocks;
			t.code_pages += s.code_pages;
			t.code_writes += s.code_writes;
			t.code_rechecks += s.code_rechecks;
		}
		fprintf(stderr, "tandem stats: emu exceptions %" G_GUINT64_FORMAT ", interrupts %" G_GUINT64_FORMAT
			", TLB flushes %" G_GUINT64_FORMAT ", page walks %" G_GUINT64_FORMAT ", blocks %" G_GUINT64_FORMAT
			", decodes %" G_GUINT64_FORMAT ", rewritten code %" G_GUINT64_FORMAT "\n",
			t.exceptions, t.interrupts, t.tlb_flushes, t.tlb_misses, t.blocks, t.decodes, t.code_invalidations);
		fprintf(stderr, "tandem stats: emu code pages marked %" G_GUINT64_FORMAT ", stores to code pages %"
			G_GUINT64_FORMAT ", blocks rechecked %" G_GUINT64_FORMAT "\n",
			t.code_pages, t.code_writes, t.code_rechecks);
	}
	GString *ex = g_string_new("tandem stats: exits");
	for (int i = 1; i < VCPU_EXIT__COUNT; i++)
		g_string_append_printf(ex, " %s=%" G_GUINT64_FORMAT, names[i], m->stats.exits[i]);
	fprintf(stderr, "%s\n", ex->str);
	g_string_free(ex, TRUE);
}

int tandem_run(struct machine_config *cfg)
{
	struct run_ctx r = { 0 };
	g_autoptr(GError) err = NULL;
	int status = STOP_ERROR;

	signal(SIGPIPE, SIG_IGN);
	r.serial = chardev_open(cfg->serial, cfg->serial_path, &err);
	if (!r.serial) {
		fprintf(stderr, "tandem: %s\n", err->message);
		return STOP_ERROR;
	}
	r.m = machine_create(cfg, r.serial, &err);
	if (!r.m) {
		chardev_close(r.serial);
		fprintf(stderr, "tandem: %s\n", err->message);
		return STOP_ERROR;
	}
	struct machine *m = r.m;
	m->event = machine_event;
	m->event_opaque = &r;
	m->paused = cfg->start_paused;
	if (m->paused)
		vclock_pause(&m->clock);

	r.ctx = g_main_context_new();
	if (cfg->pidfile && !write_pidfile(cfg->pidfile, &err)) {
		fprintf(stderr, "tandem: cannot write pidfile: %s\n", err->message);
		goto out;
	}
	if (cfg->control_socket) {
		static const struct control_ops ops = {
			.status = ctl_status, .stop = ctl_stop, .cont = ctl_cont, .powerdown = ctl_powerdown,
			.reset = ctl_reset, .quit = run_quit, .pty_path = ctl_pty_path,
		};
		struct control_ops o = ops;
		o.opaque = &r;
		r.control = control_start(cfg->control_socket, r.ctx, &o, &err);
		if (!r.control) {
			fprintf(stderr, "tandem: %s\n", err->message);
			goto out;
		}
	}
	struct net_lock lk = { .lock = net_lock, .unlock = net_unlock, .opaque = m };
	if (!virtio_devices_start_io(m->virtio, r.ctx, &lk, &err)) {
		fprintf(stderr, "tandem: %s\n", err->message);
		goto out;
	}
	if (chardev_pty_path(r.serial))
		fprintf(stderr, "tandem: serial console on %s\n", chardev_pty_path(r.serial));
	if (virtio_devices_console2_pty(m->virtio))
		fprintf(stderr, "tandem: virtio console on %s\n", virtio_devices_console2_pty(m->virtio));
	chardev_attach(r.serial, r.ctx, serial_input, serial_space, run_quit, &r);
	int sigs[] = { SIGTERM, SIGINT, SIGHUP };
	for (size_t i = 0; i < G_N_ELEMENTS(sigs); i++) {
		GSource *s = g_unix_signal_source_new(sigs[i]);
		g_source_set_callback(s, on_signal, &r, NULL);
		g_source_attach(s, r.ctx);
		g_source_unref(s);
	}
	r.io_thread = g_thread_new("tandem-io", io_thread_main, &r);

	status = machine_run(m);

	control_emit(r.control, "SHUTDOWN", stop_reason(m->stop), m->stop != STOP_QUIT && m->stop != STOP_ERROR);
	control_flush(r.control);
	g_atomic_int_set(&r.io_quit, 1);
	g_main_context_wakeup(r.ctx);
	g_thread_join(r.io_thread);
	if (cfg->stats)
		print_stats(m);
out:
	if (r.control)
		control_stop(r.control);
	chardev_close(r.serial);
	machine_destroy(m);
	if (cfg->pidfile)
		unlink(cfg->pidfile);
	g_main_context_unref(r.ctx);
	return status;
}
