/* process: spawning, supervising and re-attaching tandem processes. */
#include "driver/process.h"
#include "driver/console.h"
#include "driver/domain.h"
#include "driver/drv_error.h"
#include "driver/drv_net.h"
#include "driver/events.h"
#include "driver/monitor.h"
#include "driver/store.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <libvirt/libvirt.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* tandem's exit statuses */
enum { TANDEM_EXIT_POWEROFF = 0, TANDEM_EXIT_ERROR = 1, TANDEM_EXIT_REBOOT = 2,
       TANDEM_EXIT_TRIPLE_FAULT = 3, TANDEM_EXIT_EMULATION = 4, TANDEM_EXIT_QUIT = 5 };

#define EXIT_WAIT_US (15 * G_USEC_PER_SEC)

unsigned long long process_start_time(pid_t pid)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
	g_autofree char *text = NULL;
	if (pid <= 0 || !g_file_get_contents(path, &text, NULL, NULL))
		return 0;
	char *p = strrchr(text, ')');
	if (!p)
		return 0;
	/* fields after "(comm)": state is field 3, starttime field 22 */
	g_auto(GStrv) f = g_strsplit(p + 2, " ", 0);
	if (g_strv_length(f) < 20)
		return 0;
	if (f[0][0] == 'Z' || f[0][0] == 'X')
		return 0;
	return g_ascii_strtoull(f[19], NULL, 10);
}

static void emit(struct domain *d, int event, int detail)
{
	events_lifecycle(d->name, d->uuid, d->id, event, detail);
}

static void log_line(int fd, const char *text)
{
	if (fd >= 0 && write(fd, text, strlen(text)) < 0) {
		/* the log is best effort */
	}
}

static void cleanup_files(struct domain *d)
{
	g_autofree char *ctl = store_control_path(d->name);
	g_autofree char *pidf = store_pidfile_path(d->name);
	unlink(ctl);
	unlink(pidf);
}

static gpointer restart_thread(gpointer p);

/* The single place where a tandem exit becomes libvirt state. Called on
 * the main loop, d->lock not held. */
static void handle_exit(struct domain *d, bool have_status, int wstatus)
{
	g_mutex_lock(&d->lock);
	if (d->pid == 0) {
		g_mutex_unlock(&d->lock);
		return;
	}
	if (d->exit_watch) {
		g_source_remove(d->exit_watch);
		d->exit_watch = 0;
	}
	/* tandem's last words (its SHUTDOWN event) may still be in transit */
	if (!have_status && monitor_saw_poweroff(d->mon, 1000))
		d->guest_shutdown = true;
	int reason, event = VIR_DOMAIN_EVENT_STOPPED, detail;
	bool restart = false;
	int code = have_status && WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
	if (d->stop_intent == VIR_DOMAIN_SHUTOFF_DESTROYED) {
		reason = VIR_DOMAIN_SHUTOFF_DESTROYED;
		detail = VIR_DOMAIN_EVENT_STOPPED_DESTROYED;
	} else if (d->stop_intent == VIR_DOMAIN_SHUTOFF_FAILED) {
		reason = VIR_DOMAIN_SHUTOFF_FAILED;
		event = -1;     /* a start that failed emits nothing */
		detail = 0;
	} else if (d->restart_pending && (code == TANDEM_EXIT_POWEROFF || code == TANDEM_EXIT_REBOOT ||
					  (!have_status && d->guest_shutdown))) {
		restart = true;
		reason = detail = 0;
	} else if ((code == TANDEM_EXIT_POWEROFF && drv_def_on_poweroff(d->def) == DRV_ACTION_RESTART) ||
		   (code == TANDEM_EXIT_TRIPLE_FAULT && drv_def_on_crash(d->def) == DRV_ACTION_RESTART)) {
		/* <on_poweroff>/<on_crash>restart: the guest comes back */
		restart = true;
		reason = detail = 0;
	} else if (code == TANDEM_EXIT_POWEROFF || code == TANDEM_EXIT_QUIT ||
		   code == TANDEM_EXIT_REBOOT || (!have_status && d->guest_shutdown)) {
		/* guest powered off (or rebooted with on_reboot=destroy) */
		reason = VIR_DOMAIN_SHUTOFF_SHUTDOWN;
		detail = VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN;
	} else if (code == TANDEM_EXIT_TRIPLE_FAULT) {
		reason = VIR_DOMAIN_SHUTOFF_CRASHED;
		detail = VIR_DOMAIN_EVENT_STOPPED_CRASHED;
	} else {
		/* killed, emulation error, vanished: the VMM failed */
		reason = VIR_DOMAIN_SHUTOFF_CRASHED;
		detail = VIR_DOMAIN_EVENT_STOPPED_FAILED;
	}
	monitor_close(d->mon);
	d->mon = NULL;
	d->pid = 0;
	d->start_time = 0;
	d->own_child = false;
	d->guest_shutdown = false;
	console_domain_stopped(d);
	cleanup_files(d);
	if (restart) {
		/* fake reboot: state stays RUNNING while tandem is respawned */
		d->restart_pending = false;
		events_reboot(d->name, d->uuid, d->id);
		g_thread_unref(g_thread_new("restart", restart_thread, domain_ref(d)));
		g_cond_broadcast(&d->cond);
		g_mutex_unlock(&d->lock);
		return;
	}
	d->restart_pending = false;
	d->stop_intent = -1;
	d->autodestroy_client = 0;
	g_clear_pointer(&d->pty, g_free);
	domain_set_state(d, VIR_DOMAIN_SHUTOFF, reason);
	store_delete_status(d);
	if (event >= 0)
		emit(d, event, detail);
	d->id = -1;
	if (d->newdef) {
		drv_def_free(d->def);
		d->def = d->newdef;
		d->newdef = NULL;
	}
	if (!d->persistent)
		domains_remove(d);
	g_cond_broadcast(&d->cond);
	g_mutex_unlock(&d->lock);
}

static void child_exited(GPid pid, gint wstatus, gpointer data)
{
	struct domain *d = data;
	g_mutex_lock(&d->lock);
	bool mine = d->pid == pid;
	if (mine)
		d->exit_watch = 0;     /* the source is finishing by itself */
	g_mutex_unlock(&d->lock);
	if (mine)
		handle_exit(d, true, wstatus);
	g_spawn_close_pid(pid);
}

/* Exit watch of a re-attached tandem, which is not our child: a pidfd, or
 * where pidfd_open is missing (kernels before 5.3, seccomp filters,
 * valgrind) a poll of /proc/PID/stat: gone, a zombie or another process
 * under that pid all mean the guest's tandem has exited. */
#define EXIT_POLL_MS 250

struct pidfd_watch {
	struct domain *dom;
	pid_t pid;
	int fd;                         /* -1: polling */
	unsigned long long start_time;  /* polling: identity of the process */
};

static gboolean pidfd_ready(gint fd, GIOCondition cond, gpointer data)
{
	struct pidfd_watch *w = data;
	g_mutex_lock(&w->dom->lock);
	bool mine = w->dom->pid == w->pid;
	if (mine)
		w->dom->exit_watch = 0;
	g_mutex_unlock(&w->dom->lock);
	if (mine)
		handle_exit(w->dom, false, 0);
	return G_SOURCE_REMOVE;
}

static gboolean pid_poll(gpointer data)
{
	struct pidfd_watch *w = data;
	if (process_start_time(w->pid) == w->start_time)
		return G_SOURCE_CONTINUE;
	return pidfd_ready(-1, 0, w);
}

static void pidfd_free(gpointer data)
{
	struct pidfd_watch *w = data;
	if (w->fd >= 0)
		close(w->fd);
	domain_unref(w->dom);
	g_free(w);
}

static guint watch_pid_fd(struct domain *d, pid_t pid)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct pidfd_watch *w = g_new0(struct pidfd_watch, 1);
	w->dom = domain_ref(d);
	w->pid = pid;
	w->fd = fd;
	if (fd >= 0)
		return g_unix_fd_add_full(G_PRIORITY_DEFAULT, fd, G_IO_IN, pidfd_ready, w, pidfd_free);
	w->start_time = d->start_time;
	return g_timeout_add_full(G_PRIORITY_DEFAULT, EXIT_POLL_MS, pid_poll, w, pidfd_free);
}

static void child_setup(gpointer data)
{
	setsid();       /* tandem outlives a daemon restart */
}

static char *query_pty(struct monitor *mon)
{
	g_autoptr(GError) err = NULL;
	JsonNode *r = monitor_command(mon, "query-chardev", &err);
	char *pty = NULL;
	if (r && JSON_NODE_HOLDS_ARRAY(r)) {
		JsonArray *a = json_node_get_array(r);
		for (guint i = 0; i < json_array_get_length(a) && !pty; i++) {
			JsonObject *o = json_array_get_object_element(a, i);
			const char *fn = o ? json_object_get_string_member_with_default(o, "filename", NULL) : NULL;
			if (fn && g_str_has_prefix(fn, "pty:"))
				pty = g_strdup(fn + 4);
		}
	}
	if (r)
		json_node_unref(r);
	return pty;
}

static bool query_running(struct monitor *mon, bool *running)
{
	g_autoptr(GError) err = NULL;
	JsonNode *r = monitor_command(mon, "query-status", &err);
	if (!r)
		return false;
	if (JSON_NODE_HOLDS_OBJECT(r))
		*running = json_object_get_boolean_member_with_default(json_node_get_object(r), "running", true);
	json_node_unref(r);
	return true;
}

/* Waits (lock held) until handle_exit has run for the current process. */
static bool wait_exit(struct domain *d)
{
	gint64 deadline = g_get_monotonic_time() + EXIT_WAIT_US;
	while (d->pid) {
		if (!g_cond_wait_until(&d->cond, &d->lock, deadline))
			return false;
	}
	return true;
}

/* Spawns tandem and connects to it; no state change or event. */
static bool spawn(struct domain *d, bool paused, GError **err)
{
	g_autofree char *ctl = store_control_path(d->name);
	g_autofree char *pidf = store_pidfile_path(d->name);
	g_autofree char *logp = store_log_path(d->name);
	cleanup_files(d);
	if (!drv_net_resolve(d->def, err))
		return false;
	g_auto(GStrv) argv = drv_def_build_argv(d->def, store.tandem, ctl, pidf, paused, err);
	if (!argv)
		return false;
	int logfd = open(logp, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	int nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree char *ts = g_date_time_format(now, "%F %T");
	g_autofree char *cmd = g_strjoinv(" ", argv);
	g_autofree char *hdr = g_strdup_printf("%s: starting up\n%s\n", ts, cmd);
	log_line(logfd, hdr);
	GPid pid = 0;
	GError *serr = NULL;
	bool ok = g_spawn_async_with_fds(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
					 child_setup, NULL, &pid, nullfd, logfd, logfd, &serr);
	if (logfd >= 0)
		close(logfd);
	if (nullfd >= 0)
		close(nullfd);
	if (!ok) {
		drv_error(err, VIR_ERR_INTERNAL_ERROR, "cannot run %s: %s", store.tandem, serr->message);
		g_error_free(serr);
		return false;
	}
	d->pid = pid;
	d->own_child = true;
	d->stop_intent = -1;
	d->guest_shutdown = false;
	d->expect_stop = d->expect_resume = 0;
	d->start_time = process_start_time(pid);
	d->exit_watch = g_child_watch_add_full(G_PRIORITY_DEFAULT, pid, child_exited, domain_ref(d),
					       (GDestroyNotify)domain_unref);

	GError *merr = NULL;
	d->mon = monitor_open(d, ctl, 10000, &merr);
	if (d->mon) {
		g_free(d->pty);
		d->pty = query_pty(d->mon);
		if (drv_def_has_serial_pty(d->def) && !d->pty) {
			g_set_error(&merr, DRV_ERROR, VIR_ERR_OPERATION_FAILED,
				    "operation failed: tandem reported no serial pty");
		}
	}
	if (!d->mon || merr) {
		d->stop_intent = VIR_DOMAIN_SHUTOFF_FAILED;
		kill(d->pid, SIGKILL);
		wait_exit(d);
		g_autofree char *msg = g_strdup_printf("%s (see %s)", merr ? merr->message : "?", logp);
		g_set_error_literal(err, DRV_ERROR, merr ? merr->code : VIR_ERR_INTERNAL_ERROR, msg);
		g_clear_error(&merr);
		return false;
	}
	return true;
}

bool process_start(struct domain *d, bool paused, GError **err)
{
	if (!spawn(d, paused, err)) {
		domain_set_state(d, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_FAILED);
		return false;
	}
	d->id = domains_next_id();
	domain_set_state(d, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
	d->cpu_time_base = g_get_monotonic_time();
	emit(d, VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED);
	if (paused) {
		domain_set_state(d, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER);
		emit(d, VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
	}
	g_autoptr(GError) serr = NULL;
	if (!store_save_status(d, &serr))
		g_warning("%s", serr->message);
	return true;
}

static gpointer restart_thread(gpointer p)
{
	struct domain *d = p;
	g_mutex_lock(&d->lock);
	g_autoptr(GError) err = NULL;
	if (domain_begin_job(d, &err)) {
		if (d->state != VIR_DOMAIN_SHUTOFF && !d->pid) {
			if (!spawn(d, false, &err)) {
				g_warning("restarting domain '%s' failed: %s", d->name, err->message);
				domain_set_state(d, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_FAILED);
				store_delete_status(d);
				emit(d, VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_FAILED);
				d->id = -1;
				g_clear_pointer(&d->pty, g_free);
				if (!d->persistent)
					domains_remove(d);
			} else {
				domain_set_state(d, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
				store_save_status(d, NULL);
			}
		}
		domain_end_job(d);
	}
	g_mutex_unlock(&d->lock);
	domain_unref(d);
	return NULL;
}

bool process_destroy(struct domain *d, bool graceful, GError **err)
{
	if (!d->pid) {
		/* between a fake reboot's exit and its respawn */
		d->restart_pending = false;
		domain_set_state(d, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_DESTROYED);
		store_delete_status(d);
		emit(d, VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED);
		d->id = -1;
		g_clear_pointer(&d->pty, g_free);
		if (!d->persistent)
			domains_remove(d);
		return true;
	}
	d->stop_intent = VIR_DOMAIN_SHUTOFF_DESTROYED;
	kill(d->pid, graceful ? SIGTERM : SIGKILL);
	if (!wait_exit(d)) {
		if (graceful) {
			d->stop_intent = -1;
			drv_error(err, VIR_ERR_OPERATION_FAILED,
				  "failed to terminate process %d with SIGTERM: still running", (int)d->pid);
			return false;
		}
		drv_error(err, VIR_ERR_OPERATION_FAILED, "process %d did not exit after SIGKILL", (int)d->pid);
		return false;
	}
	return true;
}

bool process_command(struct domain *d, const char *cmd, GError **err)
{
	if (!d->mon) {
		drv_error(err, VIR_ERR_OPERATION_INVALID, "domain is not running");
		return false;
	}
	/* tandem may take its time: queries on this domain must not wait for
	 * it, so the lock is dropped (the job still excludes other changes) */
	struct monitor *m = monitor_ref(d->mon);
	g_mutex_unlock(&d->lock);
	JsonNode *r = monitor_command(m, cmd, err);
	g_mutex_lock(&d->lock);
	monitor_unref(m);
	if (!r)
		return false;
	json_node_unref(r);
	return true;
}

bool process_fake_reboot(struct domain *d, GError **err)
{
	/* set first: the guest may be gone before the command returns */
	d->restart_pending = true;
	if (!process_command(d, "system_powerdown", err)) {
		d->restart_pending = false;
		return false;
	}
	return true;
}

void process_monitor_event(struct domain *d, struct monitor *mon, const char *event, JsonNode *data)
{
	g_mutex_lock(&d->lock);
	if (d->mon != mon || !d->pid) {
		g_mutex_unlock(&d->lock);
		return;
	}
	const char *reason = NULL;
	if (data && JSON_NODE_HOLDS_OBJECT(data))
		reason = json_object_get_string_member_with_default(json_node_get_object(data), "reason", NULL);
	if (!strcmp(event, "SHUTDOWN")) {
		if (!reason || !strcmp(reason, "guest-shutdown") || !strcmp(reason, "host-qmp-quit") ||
		    !strcmp(reason, "host-signal"))
			d->guest_shutdown = true;
		if (reason && !strcmp(reason, "guest-reset") && drv_def_on_reboot(d->def) == DRV_ACTION_RESTART)
			d->restart_pending = true;
	} else if (!strcmp(event, "RESET")) {
		events_reboot(d->name, d->uuid, d->id);
	} else if (!strcmp(event, "STOP")) {
		/* the echo of our own "stop" was handled by the API already */
		if (d->expect_stop > 0)
			d->expect_stop--;
		else if (d->state == VIR_DOMAIN_RUNNING) {
			domain_set_state(d, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_UNKNOWN);
			emit(d, VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
			store_save_status(d, NULL);
		}
	} else if (!strcmp(event, "RESUME")) {
		if (d->expect_resume > 0)
			d->expect_resume--;
		else if (d->state == VIR_DOMAIN_PAUSED) {
			domain_set_state(d, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED);
			emit(d, VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_UNPAUSED);
			store_save_status(d, NULL);
		}
	} else if (!strcmp(event, "__EOF__")) {
		/* the exit watch reports the exit itself; if the process is
		 * somehow still alive without a monitor, it is unmanageable */
		if (d->pid && kill(d->pid, 0) == 0 && !d->stop_intent)
			g_warning("domain '%s': control socket closed while tandem runs", d->name);
	}
	g_mutex_unlock(&d->lock);
}

void process_reattach_all(GPtrArray *running)
{
	for (guint i = 0; i < running->len; i++) {
		struct domain *d = g_ptr_array_index(running, i);
		g_mutex_lock(&d->lock);
		bool alive = d->pid > 0 && d->start_time && process_start_time(d->pid) == d->start_time;
		if (alive) {
			g_autofree char *ctl = store_control_path(d->name);
			g_autoptr(GError) err = NULL;
			d->exit_watch = watch_pid_fd(d, d->pid);
			d->mon = monitor_open(d, ctl, 3000, &err);
			bool run = true;
			if (!d->mon || !query_running(d->mon, &run)) {
				g_warning("domain '%s': cannot re-attach to tandem pid %d: %s; killing it",
					  d->name, (int)d->pid, err ? err->message : "no status");
				kill(d->pid, SIGKILL);
				monitor_close(d->mon);
				d->mon = NULL;
				alive = false;
			} else {
				char *pty = query_pty(d->mon);
				if (pty) {
					g_free(d->pty);
					d->pty = pty;
				}
				if (!run && d->state == VIR_DOMAIN_RUNNING)
					domain_set_state(d, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_UNKNOWN);
				else if (run && d->state != VIR_DOMAIN_RUNNING)
					domain_set_state(d, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNKNOWN);
				domains_note_id(d->id);
				d->cpu_time_base = g_get_monotonic_time();
				store_save_status(d, NULL);
			}
		}
		if (!alive) {
			if (d->exit_watch) {
				g_source_remove(d->exit_watch);
				d->exit_watch = 0;
			}
			d->pid = 0;
			d->id = -1;
			g_clear_pointer(&d->pty, g_free);
			domain_set_state(d, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_UNKNOWN);
			store_delete_status(d);
			cleanup_files(d);
			if (d->newdef) {
				drv_def_free(d->def);
				d->def = d->newdef;
				d->newdef = NULL;
			}
			if (!d->persistent)
				domains_remove(d);
		}
		g_mutex_unlock(&d->lock);
		domain_unref(d);
	}
}

void process_autostart_all(void)
{
	g_autofree char *marker = g_build_filename(store.state_dir, "autostarted", NULL);
	if (g_file_test(marker, G_FILE_TEST_EXISTS))
		return;
	store_write_atomic(marker, "", NULL);
	GPtrArray *a = domains_list();
	for (guint i = 0; i < a->len; i++) {
		struct domain *d = g_ptr_array_index(a, i);
		g_mutex_lock(&d->lock);
		g_autoptr(GError) err = NULL;
		if (d->autostart && !domain_is_active(d) && domain_begin_job(d, &err)) {
			if (!process_start(d, false, &err))
				g_warning("autostart of domain '%s' failed: %s", d->name, err->message);
			domain_end_job(d);
		}
		g_mutex_unlock(&d->lock);
	}
	domains_list_free(a);
}
