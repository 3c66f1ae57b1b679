/* daemon: options, paths, pidfile, sockets, main loop. */
#include "config.h"
#include "driver/daemon.h"
#include "driver/dispatch.h"
#include "driver/domain.h"
#include "driver/process.h"
#include "driver/rpc/rpc_server.h"
#include "driver/store.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#ifndef TANDEM_BINDIR
#define TANDEM_BINDIR "/usr/local/bin"
#endif

static GMainLoop *loop;
static struct rpc_server *server;
static int idle_timeout;

static char *opt_root;
static char *opt_tandem;
static char *opt_group;
static char *opt_pidfile;
static char *opt_config;
static int opt_timeout;
static gboolean opt_session, opt_system, opt_daemon, opt_verbose, opt_version;

static GOptionEntry entries[] = {
	{ "root", 0, 0, G_OPTION_ARG_FILENAME, &opt_root, "Keep every path (config, state, logs, sockets) under DIR (tests)", "DIR" },
	{ "timeout", 't', 0, G_OPTION_ARG_INT, &opt_timeout, "Exit after N seconds idle with no clients and no running domains", "N" },
	{ "session", 0, 0, G_OPTION_ARG_NONE, &opt_session, "Per-user daemon (default when not root)", NULL },
	{ "system", 0, 0, G_OPTION_ARG_NONE, &opt_system, "System daemon (default for root)", NULL },
	{ "tandem", 0, 0, G_OPTION_ARG_FILENAME, &opt_tandem, "The tandem binary (default $TANDEM_BINARY or " TANDEM_BINDIR "/tandem)", "PATH" },
	{ "socket-group", 0, 0, G_OPTION_ARG_STRING, &opt_group, "Group allowed on the read-write socket (mode 0660)", "GROUP" },
	{ "daemon", 'd', 0, G_OPTION_ARG_NONE, &opt_daemon, "Run in the background", NULL },
	{ "pid-file", 'p', 0, G_OPTION_ARG_FILENAME, &opt_pidfile, "Pidfile (default STATEDIR/driver.pid)", "FILE" },
	{ "config", 'f', 0, G_OPTION_ARG_FILENAME, &opt_config, "Configuration file (accepted, unused)", "FILE" },
	{ "verbose", 'v', 0, G_OPTION_ARG_NONE, &opt_verbose, "Verbose messages", NULL },
	{ "version", 'V', 0, G_OPTION_ARG_NONE, &opt_version, "Print the version", NULL },
	{ NULL },
};

static void setup_paths(bool session)
{
	const char *root = opt_root ? opt_root : g_getenv("TANDEM_DRIVER_ROOT");
	if (root && *root) {
		store.config_dir = g_build_filename(root, "etc", "tandem", NULL);
		store.state_dir = g_build_filename(root, "run", "tandem", NULL);
		store.log_dir = g_build_filename(root, "log", "tandem", NULL);
		store.sock_rw = g_build_filename(root, "run", "libvirt", "virttandemd-sock", NULL);
		store.sock_ro = session ? NULL : g_build_filename(root, "run", "libvirt", "virttandemd-sock-ro", NULL);
	} else if (session) {
		store.config_dir = g_build_filename(g_get_user_config_dir(), "tandem", NULL);
		store.state_dir = g_build_filename(g_get_user_runtime_dir(), "tandem", NULL);
		store.log_dir = g_build_filename(g_get_user_cache_dir(), "tandem", "log", NULL);
		store.sock_rw = g_build_filename(g_get_user_runtime_dir(), "libvirt", "virttandemd-sock", NULL);
		store.sock_ro = NULL;
	} else {
		store.config_dir = g_strdup("/etc/tandem");
		store.state_dir = g_strdup("/run/tandem");
		store.log_dir = g_strdup("/var/log/tandem");
		store.sock_rw = g_strdup("/run/libvirt/virttandemd-sock");
		store.sock_ro = g_strdup("/run/libvirt/virttandemd-sock-ro");
	}
	store.autostart_dir = g_build_filename(store.config_dir, "autostart", NULL);
	store.pidfile = opt_pidfile ? g_strdup(opt_pidfile) : g_build_filename(store.state_dir, "driver.pid", NULL);
	const char *env = g_getenv("TANDEM_BINARY");
	store.tandem = g_strdup(opt_tandem ? opt_tandem : env && *env ? env : TANDEM_BINDIR "/tandem");
}

/* Holds a write lock on the pidfile for the daemon's lifetime. */
static bool acquire_pidfile(void)
{
	int fd = open(store.pidfile, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		g_printerr("virttandemd: cannot open pidfile %s: %s\n", store.pidfile, g_strerror(errno));
		return false;
	}
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	if (fcntl(fd, F_SETLK, &fl) < 0) {
		char buf[32] = "";
		ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
		buf[n > 0 ? n : 0] = 0;
		g_printerr("virttandemd: another daemon (pid %s) already manages %s\n",
			   g_strstrip(buf), store.state_dir);
		close(fd);
		return false;
	}
	g_autofree char *pid = g_strdup_printf("%d\n", (int)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, strlen(pid), 0) < 0)
		g_printerr("virttandemd: cannot write pidfile %s\n", store.pidfile);
	return true;        /* fd stays open: the lock lives until exit */
}

static int listen_unix(const char *path, mode_t mode, gid_t gid)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path)) {
		g_printerr("virttandemd: socket path too long: %s\n", path);
		return -1;
	}
	/* bind and listen under a temporary name, then rename: the socket
	 * appears only once it accepts connections */
	g_autofree char *tmp = g_strdup_printf("%s.tmp", path);
	if (strlen(tmp) >= sizeof(sa.sun_path)) {
		g_printerr("virttandemd: socket path too long: %s\n", path);
		return -1;
	}
	strcpy(sa.sun_path, tmp);
	g_autofree char *dir = g_path_get_dirname(path);
	if (g_mkdir_with_parents(dir, opt_session ? 0700 : 0755) < 0) {
		g_printerr("virttandemd: cannot create %s: %s\n", dir, g_strerror(errno));
		return -1;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	unlink(tmp);    /* stale: the pidfile lock says nobody else uses it */
	mode_t old = umask(0077);
	int rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc < 0 || chmod(tmp, mode) < 0 || (gid != (gid_t)-1 && chown(tmp, (uid_t)-1, gid) < 0) ||
	    listen(fd, 64) < 0 || rename(tmp, path) < 0) {
		unlink(tmp);
		g_printerr("virttandemd: cannot listen on %s: %s\n", path, g_strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* systemd socket activation: LISTEN_FDS from fd 3 on; "-ro" by path. */
static int take_systemd_sockets(void)
{
	const char *pid = g_getenv("LISTEN_PID");
	const char *fds = g_getenv("LISTEN_FDS");
	if (!pid || !fds || atoi(pid) != getpid())
		return 0;
	int n = atoi(fds);
	for (int i = 0; i < n; i++) {
		int fd = 3 + i;
		struct sockaddr_un sa;
		socklen_t len = sizeof(sa);
		memset(&sa, 0, sizeof(sa));
		if (getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
			continue;
		fcntl(fd, F_SETFD, FD_CLOEXEC);
		rpc_server_add_listener(server, fd, g_str_has_suffix(sa.sun_path, "-ro"));
	}
	g_unsetenv("LISTEN_PID");
	g_unsetenv("LISTEN_FDS");
	g_unsetenv("LISTEN_FDNAMES");
	return n;
}

static gboolean on_signal(gpointer data)
{
	g_main_loop_quit(loop);
	return G_SOURCE_CONTINUE;
}

/* libvirt daemons reload on SIGHUP; there is no configuration to reload
 * here, and a hangup must not stop the daemon. */
static gboolean on_hup(gpointer data)
{
	g_message("SIGHUP: nothing to reload");
	return G_SOURCE_CONTINUE;
}

static gboolean idle_check(gpointer data)
{
	if (rpc_server_nclients(server) == 0 && rpc_server_idle_since(server) >= idle_timeout &&
	    domains_count_active() == 0)
		g_main_loop_quit(loop);
	return G_SOURCE_CONTINUE;
}

static gpointer autostart_thread(gpointer data)
{
	process_autostart_all();
	return NULL;
}

static void quiet_log(const gchar *domain, GLogLevelFlags level, const gchar *msg, gpointer data)
{
	if ((level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO)) && !opt_verbose)
		return;
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree char *ts = g_date_time_format(now, "%F %T");
	fprintf(stderr, "%s virttandemd: %s\n", ts, msg);
}

int daemon_main(int argc, char **argv)
{
	g_autoptr(GOptionContext) ctx = g_option_context_new("- libvirt driver daemon for tandem");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_autoptr(GError) err = NULL;
	if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
		g_printerr("virttandemd: %s\n", err->message);
		return 1;
	}
	if (opt_version) {
		printf("virttandemd (tandem) " PACKAGE_VERSION "\n");
		return 0;
	}
	bool session = opt_session || (!opt_system && geteuid() != 0);
	opt_session = session;
	dispatch_config.session = session;
	idle_timeout = opt_timeout;
	signal(SIGPIPE, SIG_IGN);
	g_log_set_default_handler(quiet_log, NULL);
	setup_paths(session);
	if (!store_mkdirs(&err)) {
		g_printerr("virttandemd: %s\n", err->message);
		return 1;
	}
	if (opt_daemon && daemon(0, 0) < 0) {
		g_printerr("virttandemd: cannot daemonize: %s\n", g_strerror(errno));
		return 1;
	}
	if (!acquire_pidfile())
		return 1;
	gid_t gid = (gid_t)-1;
	if (opt_group) {
		struct group *g = getgrnam(opt_group);
		if (!g) {
			g_printerr("virttandemd: unknown group '%s'\n", opt_group);
			return 1;
		}
		gid = g->gr_gid;
		rpc_server_set_group(gid);
	}

	loop = g_main_loop_new(NULL, FALSE);
	domains_init();
	GPtrArray *running = store_load_all();
	process_reattach_all(running);
	g_ptr_array_free(running, TRUE);

	server = rpc_server_new(dispatch_call, dispatch_client_closed, 32);
	int activated = take_systemd_sockets();
	if (activated)
		g_message("using %d socket(s) passed by systemd", activated);
	else {
		int rw = listen_unix(store.sock_rw, gid != (gid_t)-1 ? 0660 : 0600, gid);
		if (rw < 0)
			return 1;
		rpc_server_add_listener(server, rw, false);
		if (store.sock_ro) {
			int ro = listen_unix(store.sock_ro, 0666, (gid_t)-1);
			if (ro < 0)
				return 1;
			rpc_server_add_listener(server, ro, true);
		}
		g_message("listening on %s%s%s", store.sock_rw, store.sock_ro ? " and " : "",
			  store.sock_ro ? store.sock_ro : "");
	}
	g_unix_signal_add(SIGTERM, on_signal, NULL);
	g_unix_signal_add(SIGINT, on_signal, NULL);
	g_unix_signal_add(SIGHUP, on_hup, NULL);
	if (idle_timeout > 0)
		g_timeout_add_seconds(1, idle_check, NULL);
	g_thread_unref(g_thread_new("autostart", autostart_thread, NULL));
	g_main_loop_run(loop);
	/* guests keep running: the next daemon re-attaches to them */
	unlink(store.sock_rw);
	if (store.sock_ro)
		unlink(store.sock_ro);
	unlink(store.pidfile);
	return 0;
}
