/* User-mode networking through libslirp, driven from a GSource on the I/O
 * thread's GMainContext: prepare() asks slirp which sockets to watch
 * (slirp_pollfds_fill) and for how long, dispatch() hands back what poll
 * saw (slirp_pollfds_poll) and fires slirp's timers. */
#include "hw/virtio/net/net_backend.h"

#include <arpa/inet.h>
#include <libslirp.h>
#include <string.h>

struct slirp_timer {
	SlirpTimerCb cb;
	void *cb_opaque;
	int64_t expire_ms;             /* -1: not armed */
};

struct net_slirp {
	struct net_backend nb;
	Slirp *slirp;
	GSource *src;
	GPtrArray *pollfds;            /* GPollFD *, registered with src */
	GPtrArray *timers;             /* struct slirp_timer * */
};

struct slirp_source {
	GSource src;
	struct net_slirp *ns;
};

static int64_t slirp_clock_ns(void *opaque)
{
	(void)opaque;
	return g_get_monotonic_time() * 1000;
}

static ssize_t slirp_send_packet(const void *buf, size_t len, void *opaque)
{
	struct net_slirp *ns = opaque;
	if (ns->nb.rx)
		ns->nb.rx(ns->nb.rx_opaque, buf, len);
	return (ssize_t)len;
}

static void slirp_guest_error(const char *msg, void *opaque)
{
	(void)opaque;
	g_warning("user-mode network: guest error: %s", msg);
}

static void *slirp_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
	struct net_slirp *ns = opaque;
	struct slirp_timer *t = g_new0(struct slirp_timer, 1);
	t->cb = cb;
	t->cb_opaque = cb_opaque;
	t->expire_ms = -1;
	g_ptr_array_add(ns->timers, t);
	return t;
}

static void slirp_timer_free(void *timer, void *opaque)
{
	struct net_slirp *ns = opaque;
	g_ptr_array_remove(ns->timers, timer);
	g_free(timer);
}

static void slirp_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
	struct net_slirp *ns = opaque;
	((struct slirp_timer *)timer)->expire_ms = expire_ms;
	if (ns->nb.ctx)
		g_main_context_wakeup(ns->nb.ctx);
}

static void slirp_register_poll_fd(int fd, void *opaque) { (void)fd; (void)opaque; }
static void slirp_unregister_poll_fd(int fd, void *opaque) { (void)fd; (void)opaque; }

static void slirp_notify(void *opaque)
{
	struct net_slirp *ns = opaque;
	if (ns->nb.ctx)
		g_main_context_wakeup(ns->nb.ctx);
}

static const SlirpCb slirp_callbacks = {
	.send_packet = slirp_send_packet,
	.guest_error = slirp_guest_error,
	.clock_get_ns = slirp_clock_ns,
	.timer_new = slirp_timer_new,
	.timer_free = slirp_timer_free,
	.timer_mod = slirp_timer_mod,
	.register_poll_fd = slirp_register_poll_fd,
	.unregister_poll_fd = slirp_unregister_poll_fd,
	.notify = slirp_notify,
};

static int slirp_add_poll(int fd, int events, void *opaque)
{
	struct net_slirp *ns = opaque;
	GPollFD *p = g_new0(GPollFD, 1);
	p->fd = fd;
	p->events = (events & SLIRP_POLL_IN ? G_IO_IN : 0) | (events & SLIRP_POLL_OUT ? G_IO_OUT : 0) |
		    (events & SLIRP_POLL_PRI ? G_IO_PRI : 0) | (events & SLIRP_POLL_ERR ? G_IO_ERR : 0) |
		    (events & SLIRP_POLL_HUP ? G_IO_HUP : 0);
	g_source_add_poll(ns->src, p);
	g_ptr_array_add(ns->pollfds, p);
	return (int)ns->pollfds->len - 1;
}

static int slirp_get_revents(int idx, void *opaque)
{
	struct net_slirp *ns = opaque;
	if (idx < 0 || (guint)idx >= ns->pollfds->len)
		return 0;
	GPollFD *p = g_ptr_array_index(ns->pollfds, idx);
	int r = p->revents;
	return (r & G_IO_IN ? SLIRP_POLL_IN : 0) | (r & G_IO_OUT ? SLIRP_POLL_OUT : 0) |
	       (r & G_IO_PRI ? SLIRP_POLL_PRI : 0) | (r & G_IO_ERR ? SLIRP_POLL_ERR : 0) |
	       (r & G_IO_HUP ? SLIRP_POLL_HUP : 0);
}

static void slirp_clear_polls(struct net_slirp *ns)
{
	for (guint i = 0; i < ns->pollfds->len; i++) {
		GPollFD *p = g_ptr_array_index(ns->pollfds, i);
		g_source_remove_poll(ns->src, p);
		g_free(p);
	}
	g_ptr_array_set_size(ns->pollfds, 0);
}

static int64_t slirp_next_timer(struct net_slirp *ns)
{
	int64_t next = -1;
	for (guint i = 0; i < ns->timers->len; i++) {
		struct slirp_timer *t = g_ptr_array_index(ns->timers, i);
		if (t->expire_ms >= 0 && (next < 0 || t->expire_ms < next))
			next = t->expire_ms;
	}
	return next;
}

static gboolean slirp_src_prepare(GSource *s, gint *timeout)
{
	struct net_slirp *ns = ((struct slirp_source *)s)->ns;
	net_backend_lock(&ns->nb);
	slirp_clear_polls(ns);
	uint32_t t = UINT32_MAX;
	slirp_pollfds_fill(ns->slirp, &t, slirp_add_poll, ns);
	int64_t next = slirp_next_timer(ns);
	net_backend_unlock(&ns->nb);
	if (next >= 0) {
		int64_t now = slirp_clock_ns(NULL) / 1000000;
		int64_t wait = next > now ? next - now : 0;
		if ((uint64_t)wait < t)
			t = (uint32_t)wait;
	}
	*timeout = t == UINT32_MAX ? -1 : (gint)MIN(t, (uint32_t)G_MAXINT);
	return t == 0;
}

static gboolean slirp_src_check(GSource *s)
{
	struct net_slirp *ns = ((struct slirp_source *)s)->ns;
	for (guint i = 0; i < ns->pollfds->len; i++)
		if (((GPollFD *)g_ptr_array_index(ns->pollfds, i))->revents)
			return TRUE;
	/* Timers are armed from the vCPU thread too (under the lock). */
	net_backend_lock(&ns->nb);
	int64_t next = slirp_next_timer(ns);
	net_backend_unlock(&ns->nb);
	return next >= 0 && next <= slirp_clock_ns(NULL) / 1000000;
}

static gboolean slirp_src_dispatch(GSource *s, GSourceFunc cb, gpointer data)
{
	struct net_slirp *ns = ((struct slirp_source *)s)->ns;
	(void)cb;
	(void)data;
	net_backend_lock(&ns->nb);
	slirp_pollfds_poll(ns->slirp, 0, slirp_get_revents, ns);
	int64_t now = slirp_clock_ns(NULL) / 1000000;
	for (guint i = 0; i < ns->timers->len; i++) {
		struct slirp_timer *t = g_ptr_array_index(ns->timers, i);
		if (t->expire_ms >= 0 && t->expire_ms <= now) {
			t->expire_ms = -1;
			t->cb(t->cb_opaque);  /* may re-arm, not free, timers */
		}
	}
	net_backend_unlock(&ns->nb);
	return G_SOURCE_CONTINUE;
}

static GSourceFuncs slirp_source_funcs = {
	.prepare = slirp_src_prepare,
	.check = slirp_src_check,
	.dispatch = slirp_src_dispatch,
};

static void net_slirp_send(struct net_backend *nb, const uint8_t *frame, size_t len)
{
	struct net_slirp *ns = (struct net_slirp *)nb;
	if (len <= G_MAXINT)
		slirp_input(ns->slirp, frame, (int)len);
}

static void net_slirp_close(struct net_backend *nb)
{
	struct net_slirp *ns = (struct net_slirp *)nb;
	if (ns->src) {
		slirp_clear_polls(ns);
		g_source_destroy(ns->src);
		g_source_unref(ns->src);
	}
	if (ns->slirp)
		slirp_cleanup(ns->slirp);
	g_ptr_array_free(ns->pollfds, TRUE);
	g_ptr_array_free(ns->timers, TRUE);
	g_free(ns);
}

bool net_parse_hostfwd(const char *s, struct net_hostfwd *f, GError **err)
{
	memset(f, 0, sizeof(*f));
	g_auto(GStrv) parts = g_strsplit(s, "-", 2);
	g_auto(GStrv) host = NULL, guest = NULL;
	if (g_strv_length(parts) != 2)
		goto bad;
	host = g_strsplit(parts[0], ":", 3);
	guest = g_strsplit(parts[1], ":", 2);
	if (g_strv_length(host) != 3 || g_strv_length(guest) != 2 || guest[0][0])
		goto bad;
	if (!strcmp(host[0], "udp"))
		f->udp = true;
	else if (strcmp(host[0], "tcp") && host[0][0])
		goto bad;
	struct in_addr a = { 0 };
	if (host[1][0] && inet_pton(AF_INET, host[1], &a) != 1)
		goto bad;
	f->host_addr = a.s_addr;
	guint64 hp, gp;
	if (!g_ascii_string_to_unsigned(host[2], 10, 1, 65535, &hp, NULL) ||
	    !g_ascii_string_to_unsigned(guest[1], 10, 1, 65535, &gp, NULL))
		goto bad;
	f->host_port = (uint16_t)hp;
	f->guest_port = (uint16_t)gp;
	return true;
bad:
	g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		    "hostfwd '%s': expected [tcp|udp]:[HOSTADDR]:HOSTPORT-:GUESTPORT", s);
	return false;
}

struct net_backend *net_slirp_create(const struct net_hostfwd *fwd, unsigned nfwd, bool restricted,
				     GMainContext *ctx, const struct net_lock *lock, GError **err)
{
	struct net_slirp *ns = g_new0(struct net_slirp, 1);
	ns->nb.kind = "user";
	ns->nb.send = net_slirp_send;
	ns->nb.close = net_slirp_close;
	ns->nb.ctx = ctx;
	if (lock)
		ns->nb.lock = *lock;
	ns->pollfds = g_ptr_array_new();
	ns->timers = g_ptr_array_new();

	SlirpConfig cfg = { 0 };
	cfg.version = 4;
	cfg.restricted = restricted;
	cfg.in_enabled = true;
	inet_pton(AF_INET, "10.0.2.0", &cfg.vnetwork);
	inet_pton(AF_INET, "255.255.255.0", &cfg.vnetmask);
	inet_pton(AF_INET, "10.0.2.2", &cfg.vhost);
	inet_pton(AF_INET, "10.0.2.15", &cfg.vdhcp_start);
	inet_pton(AF_INET, "10.0.2.3", &cfg.vnameserver);
	cfg.vhostname = "tandem";
	ns->slirp = slirp_new(&cfg, &slirp_callbacks, ns);
	if (!ns->slirp) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED, "user-mode network: libslirp initialisation failed");
		net_slirp_close(&ns->nb);
		return NULL;
	}
	struct in_addr guest;
	inet_pton(AF_INET, "10.0.2.15", &guest);
	for (unsigned i = 0; i < nfwd; i++) {
		struct in_addr host = { .s_addr = fwd[i].host_addr };
		if (slirp_add_hostfwd(ns->slirp, fwd[i].udp, host, fwd[i].host_port, guest, fwd[i].guest_port) < 0) {
			g_set_error(err, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
				    "user-mode network: cannot forward host %s port %u to guest port %u "
				    "(port in use or not permitted)", fwd[i].udp ? "UDP" : "TCP", fwd[i].host_port,
				    fwd[i].guest_port);
			net_slirp_close(&ns->nb);
			return NULL;
		}
	}
	ns->src = g_source_new(&slirp_source_funcs, sizeof(struct slirp_source));
	((struct slirp_source *)ns->src)->ns = ns;
	g_source_set_name(ns->src, "slirp");
	g_source_attach(ns->src, ctx);
	return &ns->nb;
}

void net_backend_close(struct net_backend *nb)
{
	if (nb)
		nb->close(nb);
}
