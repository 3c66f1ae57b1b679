/* monitor: tandem control-socket client. */
#include "driver/monitor.h"
#include "driver/domain.h"
#include "driver/drv_error.h"
#include "driver/process.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define CMD_TIMEOUT_US (10 * G_USEC_PER_SEC)

struct monitor {
	gint refs;
	int fd;
	struct domain *dom;
	GThread *reader;
	GMutex lock;
	GCond cond;
	GMutex cmd_lock;        /* one command at a time */
	JsonNode *reply;        /* the whole reply object */
	bool waiting;
	bool eof;
	bool closing;
	bool poweroff;          /* SHUTDOWN event seen (not a guest reset) */
};

struct mon_event {
	struct domain *dom;
	struct monitor *mon;
	char *name;
	JsonNode *data;
};

static gboolean deliver_event(gpointer p)
{
	struct mon_event *e = p;
	process_monitor_event(e->dom, e->mon, e->name, e->data);
	domain_unref(e->dom);
	g_free(e->name);
	if (e->data)
		json_node_unref(e->data);
	g_free(e);
	return G_SOURCE_REMOVE;
}

static void queue_event(struct monitor *m, const char *name, JsonNode *data)
{
	struct mon_event *e = g_new0(struct mon_event, 1);
	e->dom = domain_ref(m->dom);
	e->mon = m;
	e->name = g_strdup(name);
	e->data = data ? json_node_ref(data) : NULL;
	g_idle_add(deliver_event, e);
}

static void handle_line(struct monitor *m, const char *line)
{
	g_autoptr(JsonParser) p = json_parser_new();
	if (!*line || !json_parser_load_from_data(p, line, -1, NULL))
		return;
	JsonNode *root = json_parser_get_root(p);
	if (!JSON_NODE_HOLDS_OBJECT(root))
		return;
	JsonObject *o = json_node_get_object(root);
	if (json_object_has_member(o, "event")) {
		const char *name = json_object_get_string_member(o, "event");
		JsonNode *data = json_object_get_member(o, "data");
		if (name && !strcmp(name, "SHUTDOWN")) {
			JsonObject *dobj = data && JSON_NODE_HOLDS_OBJECT(data) ? json_node_get_object(data) : NULL;
			const char *reason = dobj ? json_object_get_string_member_with_default(dobj, "reason", "") : "";
			g_mutex_lock(&m->lock);
			if (strcmp(reason, "guest-reset") && strcmp(reason, "guest-panic") && strcmp(reason, "host-error"))
				m->poweroff = true;
			g_mutex_unlock(&m->lock);
		}
		if (name)
			queue_event(m, name, data);
		return;
	}
	if (json_object_has_member(o, "return") || json_object_has_member(o, "error")) {
		g_mutex_lock(&m->lock);
		if (m->waiting && !m->reply)
			m->reply = json_node_ref(root);
		g_cond_broadcast(&m->cond);
		g_mutex_unlock(&m->lock);
	}
	/* the greeting ({"QMP": ...}) needs no action */
}

static gpointer reader_thread(gpointer data)
{
	struct monitor *m = data;
	GString *buf = g_string_new(NULL);
	char chunk[4096];
	for (;;) {
		ssize_t r = read(m->fd, chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		g_string_append_len(buf, chunk, r);
		char *nl;
		while ((nl = memchr(buf->str, '\n', buf->len))) {
			*nl = 0;
			g_strchomp(buf->str);
			handle_line(m, buf->str);
			g_string_erase(buf, 0, nl - buf->str + 1);
		}
		if (buf->len > 16 * 1024 * 1024)
			break;  /* a runaway line: treat as a broken monitor */
	}
	g_string_free(buf, TRUE);
	g_mutex_lock(&m->lock);
	m->eof = true;
	bool closing = m->closing;
	g_cond_broadcast(&m->cond);
	g_mutex_unlock(&m->lock);
	if (!closing)
		queue_event(m, "__EOF__", NULL);
	return NULL;
}

static bool send_line(struct monitor *m, const char *text)
{
	g_autofree char *line = g_strdup_printf("%s\r\n", text);
	size_t n = strlen(line);
	const char *p = line;
	while (n) {
		ssize_t w = send(m->fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

JsonNode *monitor_command(struct monitor *m, const char *cmd, GError **err)
{
	g_mutex_lock(&m->cmd_lock);
	g_mutex_lock(&m->lock);
	m->waiting = true;
	m->reply = NULL;
	g_mutex_unlock(&m->lock);
	g_autofree char *json = g_strdup_printf("{\"execute\": \"%s\"}", cmd);
	JsonNode *ret = NULL;
	if (!send_line(m, json)) {
		drv_error(err, VIR_ERR_OPERATION_FAILED, "cannot send '%s' to tandem: %s", cmd,
			  g_strerror(errno));
		g_mutex_lock(&m->lock);
		goto out;
	}
	gint64 deadline = g_get_monotonic_time() + CMD_TIMEOUT_US;
	g_mutex_lock(&m->lock);
	while (!m->reply && !m->eof)
		if (!g_cond_wait_until(&m->cond, &m->lock, deadline))
			break;
	if (!m->reply) {
		drv_error(err, VIR_ERR_OPERATION_FAILED, "no reply from tandem to '%s'%s", cmd,
			  m->eof ? ": control socket closed" : " within 10 s");
		goto out;
	}
	JsonObject *o = json_node_get_object(m->reply);
	if (json_object_has_member(o, "error")) {
		JsonObject *e = json_object_get_object_member(o, "error");
		const char *desc = e ? json_object_get_string_member_with_default(e, "desc", "?") : "?";
		drv_error(err, VIR_ERR_OPERATION_FAILED, "tandem refused '%s': %s", cmd, desc);
	} else {
		ret = json_node_ref(json_object_get_member(o, "return"));
	}
out:
	if (m->reply)
		json_node_unref(m->reply);
	m->reply = NULL;
	m->waiting = false;
	g_mutex_unlock(&m->lock);
	g_mutex_unlock(&m->cmd_lock);
	return ret;
}

struct monitor *monitor_open(struct domain *d, const char *path, int timeout_ms, GError **err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path)) {
		drv_error(err, VIR_ERR_INTERNAL_ERROR, "control socket path too long: %s", path);
		return NULL;
	}
	strcpy(sa.sun_path, path);
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
	int fd = -1;
	for (;;) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			break;
		int e = errno;
		if (fd >= 0)
			close(fd);
		fd = -1;
		if (g_get_monotonic_time() > deadline) {
			drv_error(err, VIR_ERR_OPERATION_FAILED, "cannot connect to tandem control socket %s: %s",
				  path, g_strerror(e));
			return NULL;
		}
		if (d->pid > 0 && kill(d->pid, 0) < 0 && errno == ESRCH) {
			drv_error(err, VIR_ERR_OPERATION_FAILED, "tandem exited before its control socket was ready");
			return NULL;
		}
		g_usleep(20000);
	}
	struct monitor *m = g_new0(struct monitor, 1);
	m->refs = 1;
	m->fd = fd;
	m->dom = domain_ref(d);
	g_mutex_init(&m->lock);
	g_cond_init(&m->cond);
	g_mutex_init(&m->cmd_lock);
	m->reader = g_thread_new("monitor", reader_thread, m);
	JsonNode *r = monitor_command(m, "qmp_capabilities", err);
	if (!r) {
		monitor_close(m);
		return NULL;
	}
	json_node_unref(r);
	return m;
}

bool monitor_saw_poweroff(struct monitor *m, int timeout_ms)
{
	if (!m)
		return false;
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
	g_mutex_lock(&m->lock);
	while (!m->eof)
		if (!g_cond_wait_until(&m->cond, &m->lock, deadline))
			break;
	bool r = m->poweroff;
	g_mutex_unlock(&m->lock);
	return r;
}

struct monitor *monitor_ref(struct monitor *m)
{
	g_atomic_int_inc(&m->refs);
	return m;
}

void monitor_unref(struct monitor *m)
{
	if (!m || !g_atomic_int_dec_and_test(&m->refs))
		return;
	close(m->fd);
	domain_unref(m->dom);
	g_mutex_clear(&m->lock);
	g_cond_clear(&m->cond);
	g_mutex_clear(&m->cmd_lock);
	g_free(m);
}

void monitor_close(struct monitor *m)
{
	if (!m)
		return;
	g_mutex_lock(&m->lock);
	m->closing = true;
	g_mutex_unlock(&m->lock);
	shutdown(m->fd, SHUT_RDWR);
	g_thread_join(m->reader);
	m->reader = NULL;
	monitor_unref(m);
}
