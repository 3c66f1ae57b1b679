/* console: pty <-> stream relay. */
#include "driver/console.h"
#include "driver/domain.h"
#include "driver/drv_error.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

struct console {
	gint refs;
	struct domain *dom;
	struct rpc_client *client;
	uint32_t serial;
	int proc;
	int fd;
	int wake[2];
	GThread *thread;
	GMutex lock;
	bool stopped;
	bool eof_sent;
};

static void console_unref(struct console *con)
{
	if (!g_atomic_int_dec_and_test(&con->refs))
		return;
	if (con->fd >= 0)
		close(con->fd);
	close(con->wake[0]);
	close(con->wake[1]);
	rpc_client_unref(con->client);
	domain_unref(con->dom);
	g_mutex_clear(&con->lock);
	g_free(con);
}

static void send_eof(struct console *con)
{
	g_mutex_lock(&con->lock);
	bool send = !con->eof_sent;
	con->eof_sent = true;
	g_mutex_unlock(&con->lock);
	if (send)
		rpc_client_send_raw(con->client, con->proc, RPC_STREAM, con->serial, RPC_CONTINUE, NULL, 0);
}

static gpointer relay_thread(gpointer data)
{
	struct console *con = data;
	uint8_t *buf = g_malloc(65536);
	for (;;) {
		struct pollfd p[2] = { { .fd = con->fd, .events = POLLIN }, { .fd = con->wake[0], .events = POLLIN } };
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents)
			break;
		if (!p[0].revents)
			continue;
		ssize_t r = read(con->fd, buf, 65536);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0) {
			/* the guest side closed (EIO once tandem is gone) */
			send_eof(con);
			break;
		}
		if (!rpc_client_send_raw(con->client, con->proc, RPC_STREAM, con->serial, RPC_CONTINUE, buf, (size_t)r))
			break;
	}
	g_free(buf);
	return NULL;
}

/* Stops relaying; safe to call more than once, never from the relay thread. */
static void console_stop(struct console *con)
{
	g_mutex_lock(&con->lock);
	bool was = con->stopped;
	con->stopped = true;
	GThread *t = con->thread;
	con->thread = NULL;
	g_mutex_unlock(&con->lock);
	if (was)
		return;
	if (write(con->wake[1], "x", 1) < 0) {
		/* the pipe cannot be full: one byte is ever written */
	}
	if (t)
		g_thread_join(t);
}

static void stream_data(void *opaque, const uint8_t *buf, size_t len)
{
	struct console *con = opaque;
	g_mutex_lock(&con->lock);
	bool stopped = con->stopped;
	g_mutex_unlock(&con->lock);
	/* the fd is non-blocking: a guest that does not read its serial input
	 * must not stall this client's reader thread (and its keepalive) */
	int stalls = 0;
	while (!stopped && len) {
		ssize_t w = write(con->fd, buf, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN && stalls++ < 10) {
			struct pollfd p = { .fd = con->fd, .events = POLLOUT };
			poll(&p, 1, 50);
			continue;
		}
		if (w <= 0)
			break;      /* input the guest does not take is dropped */
		buf += w;
		len -= (size_t)w;
	}
}

static void stream_finish(void *opaque, bool abort)
{
	struct console *con = opaque;
	console_stop(con);
	struct domain *d = con->dom;
	g_mutex_lock(&d->lock);
	if (d->console == con) {
		d->console = NULL;
		console_unref(con);     /* the domain's reference */
	}
	g_mutex_unlock(&d->lock);
	console_unref(con);             /* the stream's reference */
}

static const struct rpc_stream_ops console_ops = { .data = stream_data, .finish = stream_finish };

struct console *console_open(struct domain *d, struct rpc_client *c, const struct tandem_header *hdr,
			     const char *dev_name, unsigned flags, GError **err)
{
	if (dev_name && strcmp(dev_name, "serial0") && strcmp(dev_name, "console0")) {
		drv_error(err, VIR_ERR_INTERNAL_ERROR, "cannot find character device %s", dev_name);
		return NULL;
	}
	if (!d->pty) {
		drv_error(err, VIR_ERR_INTERNAL_ERROR, "character device %s is not using a PTY",
			  dev_name ? dev_name : "serial0");
		return NULL;
	}
	if (d->console) {
		if (!(flags & 1 /* VIR_DOMAIN_CONSOLE_FORCE */)) {
			drv_error(err, VIR_ERR_OPERATION_FAILED, "Active console session exists for this domain");
			return NULL;
		}
		struct console *old = d->console;
		d->console = NULL;
		console_stop(old);
		send_eof(old);
		console_unref(old);
	}
	int fd = open(d->pty, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		drv_error(err, VIR_ERR_OPERATION_FAILED, "cannot open console pty %s: %s", d->pty, g_strerror(errno));
		return NULL;
	}
	struct termios t;
	if (tcgetattr(fd, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(fd, TCSANOW, &t);
	}
	struct console *con = g_new0(struct console, 1);
	con->refs = 2;          /* domain + stream */
	con->dom = domain_ref(d);
	con->client = rpc_client_ref(c);
	con->serial = hdr->serial;
	con->proc = hdr->proc;
	con->fd = fd;
	g_mutex_init(&con->lock);
	if (pipe2(con->wake, O_CLOEXEC) < 0) {
		drv_error(err, VIR_ERR_INTERNAL_ERROR, "pipe: %s", g_strerror(errno));
		con->refs = 1;
		console_unref(con);
		return NULL;
	}
	d->console = con;
	rpc_client_add_stream(c, hdr->serial, hdr->proc, &console_ops, con);
	return con;
}

void console_start(struct console *con)
{
	g_mutex_lock(&con->lock);
	if (!con->stopped)
		con->thread = g_thread_new("console", relay_thread, con);
	g_mutex_unlock(&con->lock);
}

void console_domain_stopped(struct domain *d)
{
	struct console *con = d->console;
	if (!con)
		return;
	d->console = NULL;
	/* the relay sees EIO by itself; make sure the client gets its EOF even
	 * if the pty stays open elsewhere */
	console_stop(con);
	send_eof(con);
	console_unref(con);
}
