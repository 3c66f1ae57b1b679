/* rpc_server: sockets, framing, keepalive, worker dispatch, streams. */
#include "driver/rpc/rpc_server.h"
#include "driver/drv_error.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <glib-unix.h>

#define KEEPALIVE_PING 1
#define KEEPALIVE_PONG 2

struct rpc_server {
	rpc_call_fn call;
	rpc_close_fn close_fn;
	GThreadPool *pool;
	GMutex lock;
	unsigned nclients;
	gint64 idle_since;      /* monotonic us */
	uint64_t next_id;
};

struct rpc_listener {
	struct rpc_server *server;
	int fd;
	bool readonly;
};

struct rpc_stream_entry {
	int proc;
	const struct rpc_stream_ops *ops;
	void *opaque;
};

struct rpc_job {
	struct rpc_client *client;
	struct tandem_header hdr;
	uint8_t *buf;           /* whole packet after the length word */
	size_t len;
};

static void job_run(gpointer data, gpointer user)
{
	struct rpc_job *job = data;
	struct rpc_server *s = user;
	s->call(job->client, &job->hdr, job->buf + 24, job->len - 24);
	rpc_client_unref(job->client);
	g_free(job->buf);
	g_free(job);
}

struct rpc_server *rpc_server_new(rpc_call_fn call, rpc_close_fn close_fn, int max_workers)
{
	struct rpc_server *s = g_new0(struct rpc_server, 1);
	s->call = call;
	s->close_fn = close_fn;
	g_mutex_init(&s->lock);
	s->idle_since = g_get_monotonic_time();
	s->next_id = 1;
	s->pool = g_thread_pool_new(job_run, s, max_workers, FALSE, NULL);
	return s;
}

unsigned rpc_server_nclients(struct rpc_server *s)
{
	g_mutex_lock(&s->lock);
	unsigned n = s->nclients;
	g_mutex_unlock(&s->lock);
	return n;
}

gint64 rpc_server_idle_since(struct rpc_server *s)
{
	g_mutex_lock(&s->lock);
	gint64 t = s->nclients ? 0 : (g_get_monotonic_time() - s->idle_since) / G_USEC_PER_SEC;
	g_mutex_unlock(&s->lock);
	return t;
}

struct rpc_client *rpc_client_ref(struct rpc_client *c)
{
	g_atomic_int_inc(&c->refs);
	return c;
}

void rpc_client_unref(struct rpc_client *c)
{
	if (!c || !g_atomic_int_dec_and_test(&c->refs))
		return;
	close(c->fd);
	g_hash_table_destroy(c->streams);
	g_mutex_clear(&c->write_lock);
	g_mutex_clear(&c->lock);
	g_free(c);
}

void rpc_client_close(struct rpc_client *c)
{
	g_mutex_lock(&c->lock);
	c->closed = true;
	g_mutex_unlock(&c->lock);
	shutdown(c->fd, SHUT_RDWR);
}

static bool write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		p += w;
		n -= (size_t)w;
	}
	return true;
}

static bool read_all(int fd, uint8_t *p, size_t n)
{
	while (n) {
		ssize_t r = read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		p += r;
		n -= (size_t)r;
	}
	return true;
}

static bool send_packet(struct rpc_client *c, uint8_t *pkt, size_t len)
{
	pkt[0] = (uint8_t)(len >> 24);
	pkt[1] = (uint8_t)(len >> 16);
	pkt[2] = (uint8_t)(len >> 8);
	pkt[3] = (uint8_t)len;
	g_mutex_lock(&c->write_lock);
	bool ok = write_all(c->fd, pkt, len);
	g_mutex_unlock(&c->write_lock);
	if (!ok)
		shutdown(c->fd, SHUT_RDWR);
	return ok;
}

static uint8_t *encode(uint32_t prog, int proc, int type, uint32_t serial, int status,
		       xdrproc_t body_xdr, void *body, size_t extra, size_t *len_out)
{
	struct tandem_header h = { .prog = prog, .vers = 1, .proc = proc, .type = type,
				   .serial = serial, .status = status };
	size_t blen = body_xdr ? xdr_sizeof(body_xdr, body) : 0;
	size_t len = 28 + blen + extra;
	if (len > RPC_LEN_MAX)
		return NULL;
	uint8_t *pkt = g_malloc0(len);
	XDR x;
	xdrmem_create(&x, (char *)pkt + 4, (u_int)(24 + blen), XDR_ENCODE);
	bool ok = xdr_tandem_header(&x, &h) && (!body_xdr || body_xdr(&x, body, 0));
	xdr_destroy(&x);
	if (!ok) {
		g_free(pkt);
		return NULL;
	}
	*len_out = len;
	return pkt;
}

bool rpc_client_send(struct rpc_client *c, uint32_t prog, int proc, int type,
		     uint32_t serial, int status, xdrproc_t body_xdr, void *body)
{
	size_t len;
	uint8_t *pkt = encode(prog, proc, type, serial, status, body_xdr, body, 0, &len);
	if (!pkt) {
		g_warning("cannot encode reply for procedure %d", proc);
		return false;
	}
	bool ok = send_packet(c, pkt, len);
	g_free(pkt);
	return ok;
}

bool rpc_client_send_raw(struct rpc_client *c, int proc, int type, uint32_t serial,
			 int status, const void *data, size_t n)
{
	size_t len;
	uint8_t *pkt = encode(TANDEM_PROGRAM, proc, type, serial, status, NULL, NULL, n, &len);
	if (!pkt)
		return false;
	if (n)
		memcpy(pkt + 28, data, n);
	bool ok = send_packet(c, pkt, len);
	g_free(pkt);
	return ok;
}

void rpc_client_reply_ok(struct rpc_client *c, const struct tandem_header *hdr,
			 xdrproc_t ret_xdr, void *ret)
{
	size_t len;
	uint8_t *pkt = encode(hdr->prog, hdr->proc, RPC_REPLY, hdr->serial, RPC_OK,
			      ret_xdr, ret, 0, &len);
	if (!pkt) {
		g_autoptr(GError) e = NULL;
		drv_error(&e, VIR_ERR_INTERNAL_ERROR, "reply to procedure %d is too large", hdr->proc);
		rpc_client_reply_error(c, hdr, RPC_REPLY, e);
		return;
	}
	send_packet(c, pkt, len);
	g_free(pkt);
}

void rpc_client_reply_error(struct rpc_client *c, const struct tandem_header *hdr,
			    int type, const GError *err)
{
	char *msg = err ? err->message : (char *)"internal error: unknown failure";
	int code = err && err->domain == DRV_ERROR ? err->code : VIR_ERR_INTERNAL_ERROR;
	struct tandem_error e = {
		.code = code, .domain = drv_error_domain_for(code), .message = &msg,
		.level = 2, .int1 = -1, .int2 = -1,
	};
	rpc_client_send(c, hdr->prog, hdr->proc, type, hdr->serial, RPC_ERROR,
			(xdrproc_t)xdr_tandem_error, &e);
}

void rpc_client_add_stream(struct rpc_client *c, uint32_t serial, int proc,
			   const struct rpc_stream_ops *ops, void *opaque)
{
	struct rpc_stream_entry *e = g_new0(struct rpc_stream_entry, 1);
	e->proc = proc;
	e->ops = ops;
	e->opaque = opaque;
	g_mutex_lock(&c->lock);
	g_hash_table_replace(c->streams, GUINT_TO_POINTER(serial), e);
	g_mutex_unlock(&c->lock);
}

void rpc_client_remove_stream(struct rpc_client *c, uint32_t serial)
{
	g_mutex_lock(&c->lock);
	g_hash_table_remove(c->streams, GUINT_TO_POINTER(serial));
	g_mutex_unlock(&c->lock);
}

static void handle_stream(struct rpc_client *c, const struct tandem_header *h,
			  const uint8_t *payload, size_t len)
{
	g_mutex_lock(&c->lock);
	struct rpc_stream_entry *e = g_hash_table_lookup(c->streams, GUINT_TO_POINTER(h->serial));
	struct rpc_stream_entry copy = { 0 };
	if (e && e->proc == h->proc) {
		copy = *e;
		if (h->status != RPC_CONTINUE)
			g_hash_table_remove(c->streams, GUINT_TO_POINTER(h->serial));
	}
	g_mutex_unlock(&c->lock);
	if (!copy.ops)
		return;         /* stray packet for a closed stream: ignored */
	if (h->status == RPC_CONTINUE) {
		if (len)
			copy.ops->data(copy.opaque, payload, len);
		return;
	}
	/* finish (OK) or abort (ERROR): the owner cleans up first, so that once
	 * the client has its confirmation the stream's resources are free
	 * (virsh console, ^], virsh console again must not find it busy) */
	copy.ops->finish(copy.opaque, h->status == RPC_ERROR);
	rpc_client_send_raw(c, h->proc, RPC_STREAM, h->serial, RPC_OK, NULL, 0);
}

static void handle_packet(struct rpc_client *c, uint8_t *buf, size_t len)
{
	struct tandem_header h;
	XDR x;
	xdrmem_create(&x, (char *)buf, 24, XDR_DECODE);
	bool ok = xdr_tandem_header(&x, &h);
	xdr_destroy(&x);
	if (!ok) {
		g_free(buf);
		return;
	}
	if (h.prog == TANDEM_KEEPALIVE_PROGRAM) {
		if (h.proc == KEEPALIVE_PING && h.type == RPC_MESSAGE)
			rpc_client_send(c, TANDEM_KEEPALIVE_PROGRAM, KEEPALIVE_PONG, RPC_MESSAGE,
					0, RPC_OK, NULL, NULL);
		g_free(buf);
		return;
	}
	if (h.prog == TANDEM_PROGRAM && h.type == RPC_STREAM) {
		handle_stream(c, &h, buf + 24, len - 24);
		g_free(buf);
		return;
	}
	if (h.type != RPC_CALL && h.type != RPC_CALL_WITH_FDS) {
		g_free(buf);    /* replies/messages from a client mean nothing here */
		return;
	}
	g_autoptr(GError) err = NULL;
	if (h.prog != TANDEM_PROGRAM || h.vers != TANDEM_PROTOCOL_VERSION) {
		drv_error(&err, VIR_ERR_NO_SUPPORT, "program 0x%x version %u", h.prog, h.vers);
	} else if (h.status != RPC_OK) {
		drv_error(&err, VIR_ERR_RPC, "call with status %d", h.status);
	} else if (h.type == RPC_CALL_WITH_FDS) {
		drv_error(&err, VIR_ERR_RPC, "file descriptor passing is not supported");
	}
	if (err) {
		rpc_client_reply_error(c, &h, RPC_REPLY, err);
		g_free(buf);
		return;
	}
	struct rpc_job *job = g_new0(struct rpc_job, 1);
	job->client = rpc_client_ref(c);
	job->hdr = h;
	job->buf = buf;
	job->len = len;
	g_thread_pool_push(c->server->pool, job, NULL);
}

static void stream_abort_all(struct rpc_client *c)
{
	g_mutex_lock(&c->lock);
	GList *vals = g_hash_table_get_values(c->streams);
	GList *copies = NULL;
	for (GList *l = vals; l; l = l->next)
		copies = g_list_prepend(copies, g_memdup2(l->data, sizeof(struct rpc_stream_entry)));
	g_list_free(vals);
	g_hash_table_remove_all(c->streams);
	g_mutex_unlock(&c->lock);
	for (GList *l = copies; l; l = l->next) {
		struct rpc_stream_entry *e = l->data;
		e->ops->finish(e->opaque, true);
	}
	g_list_free_full(copies, g_free);
}

static gpointer reader_thread(gpointer data)
{
	struct rpc_client *c = data;
	for (;;) {
		uint8_t lb[4];
		if (!read_all(c->fd, lb, 4))
			break;
		uint32_t len = (uint32_t)lb[0] << 24 | (uint32_t)lb[1] << 16 |
			       (uint32_t)lb[2] << 8 | lb[3];
		if (len < RPC_LEN_MIN || len > RPC_LEN_MAX)
			break;  /* malformed framing: drop this connection only */
		uint8_t *buf = g_try_malloc(len - 4);
		if (!buf)
			break;
		if (!read_all(c->fd, buf, len - 4)) {
			g_free(buf);
			break;
		}
		handle_packet(c, buf, len - 4);
	}
	g_mutex_lock(&c->lock);
	c->closed = true;
	g_mutex_unlock(&c->lock);
	shutdown(c->fd, SHUT_RDWR);
	stream_abort_all(c);
	c->server->close_fn(c);
	struct rpc_server *s = c->server;
	g_mutex_lock(&s->lock);
	s->nclients--;
	if (!s->nclients)
		s->idle_since = g_get_monotonic_time();
	g_mutex_unlock(&s->lock);
	rpc_client_unref(c);
	return NULL;
}

static gid_t rw_group = (gid_t)-1;

void rpc_server_set_group(gid_t gid)
{
	rw_group = gid;
}

bool rpc_server_peer_in_group(uid_t uid, gid_t gid, pid_t pid)
{
	if (rw_group == (gid_t)-1)
		return false;
	if (gid == rw_group)
		return true;
	/* supplementary groups of the peer process */
	g_autofree char *path = g_strdup_printf("/proc/%d/status", (int)pid);
	g_autofree char *text = NULL;
	if (!g_file_get_contents(path, &text, NULL, NULL))
		return false;
	const char *g = strstr(text, "\nGroups:");
	if (!g)
		return false;
	g += 8;
	while (*g && *g != '\n') {
		char *end;
		unsigned long v = strtoul(g, &end, 10);
		if (end == g)
			break;
		if ((gid_t)v == rw_group)
			return true;
		g = end;
	}
	return false;
}

static gboolean accept_cb(gint fd, GIOCondition cond, gpointer data)
{
	struct rpc_listener *l = data;
	int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	if (cfd < 0)
		return G_SOURCE_CONTINUE;
	struct ucred cred = { 0 };
	socklen_t cl = sizeof(cred);
	if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0) {
		close(cfd);
		return G_SOURCE_CONTINUE;
	}
	/* A read-write connection must come from root, from our own user
	 * (session mode) or from the configured group; the socket mode is the
	 * first gate, this is the second. */
	if (!l->readonly && cred.uid != 0 && cred.uid != geteuid() &&
	    !rpc_server_peer_in_group(cred.uid, cred.gid, cred.pid)) {
		close(cfd);
		return G_SOURCE_CONTINUE;
	}
	/* a client that stops reading must not block event senders forever */
	struct timeval tv = { .tv_sec = 30 };
	setsockopt(cfd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));

	struct rpc_server *s = l->server;
	struct rpc_client *c = g_new0(struct rpc_client, 1);
	c->refs = 1;
	c->fd = cfd;
	c->server = s;
	c->readonly = l->readonly;
	c->uid = cred.uid;
	c->gid = cred.gid;
	c->pid = cred.pid;
	g_mutex_init(&c->write_lock);
	g_mutex_init(&c->lock);
	c->streams = g_hash_table_new_full(NULL, NULL, NULL, g_free);
	g_mutex_lock(&s->lock);
	c->id = s->next_id++;
	s->nclients++;
	g_mutex_unlock(&s->lock);
	c->reader = g_thread_new("rpc-client", reader_thread, c);
	g_thread_unref(c->reader);
	return G_SOURCE_CONTINUE;
}

void rpc_server_add_listener(struct rpc_server *s, int fd, bool readonly)
{
	struct rpc_listener *l = g_new0(struct rpc_listener, 1);
	l->server = s;
	l->fd = fd;
	l->readonly = readonly;
	g_unix_fd_add(fd, G_IO_IN, accept_cb, l);
}
