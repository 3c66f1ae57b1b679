#include "vmm/chardev.h"

#include <errno.h>
#include <glib-unix.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define CTRL_A 0x01

struct chardev {
	enum serial_kind kind;
	int in_fd, out_fd;         /* -1 when absent */
	char *pty_path;
	bool restore_tty;
	struct termios saved_tty;
	bool escape;               /* stdio: Ctrl-A seen */
	GMainContext *ctx;
	GSource *source;           /* input watch (owned by ctx) */
	GSource *retry;            /* re-watch timer while the guest cannot take input */
	chardev_input_fn *in;
	chardev_space_fn *space;
	chardev_quit_fn *quit;
	void *opaque;
	uint8_t buf[4096];
};

static void set_raw(int fd)
{
	struct termios t;
	if (tcgetattr(fd, &t) < 0)
		return;
	cfmakeraw(&t);
	tcsetattr(fd, TCSANOW, &t);
}

struct chardev *chardev_open(enum serial_kind kind, const char *path, GError **err)
{
	struct chardev *c = g_new0(struct chardev, 1);
	c->kind = kind;
	c->in_fd = c->out_fd = -1;
	switch (kind) {
	case SERIAL_NONE:
		break;
	case SERIAL_STDIO:
		c->in_fd = STDIN_FILENO;
		c->out_fd = STDOUT_FILENO;
		if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &c->saved_tty) == 0) {
			c->restore_tty = true;
			set_raw(STDIN_FILENO);
		}
		break;
	case SERIAL_FILE:
		c->out_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
		if (c->out_fd < 0) {
			g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
				    "cannot open serial output file %s: %s", path, g_strerror(errno));
			g_free(c);
			return NULL;
		}
		break;
	case SERIAL_PTY: {
		int fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (fd < 0 || grantpt(fd) < 0 || unlockpt(fd) < 0) {
			g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
				    "cannot create a pty for the serial console: %s", g_strerror(errno));
			if (fd >= 0)
				close(fd);
			g_free(c);
			return NULL;
		}
		c->pty_path = g_strdup(ptsname(fd));
		/* Raw on the slave side so the guest's bytes pass unchanged. */
		int slave = open(c->pty_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (slave >= 0) {
			set_raw(slave);
			close(slave);
		}
		g_unix_set_fd_nonblocking(fd, TRUE, NULL);
		c->in_fd = c->out_fd = fd;
		break;
	}
	}
	return c;
}

void chardev_write(struct chardev *c, const uint8_t *buf, size_t len)
{
	if (!c || c->out_fd < 0)
		return;
	while (len > 0) {
		ssize_t n = write(c->out_fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;  /* pty without a reader (EAGAIN/EIO): drop, as QEMU does */
		buf += n;
		len -= (size_t)n;
	}
}

const char *chardev_pty_path(const struct chardev *c)
{
	return c ? c->pty_path : NULL;
}

/* stdio escapes: Ctrl-A x quits, Ctrl-A Ctrl-A sends one Ctrl-A. */
static size_t chardev_filter_escapes(struct chardev *c, uint8_t *buf, size_t len, bool *quit)
{
	size_t out = 0;
	for (size_t i = 0; i < len; i++) {
		uint8_t b = buf[i];
		if (c->escape) {
			c->escape = false;
			if (b == 'x' || b == 'X') {
				*quit = true;
				return out;
			}
			if (b != CTRL_A)
				continue;
		} else if (b == CTRL_A && c->restore_tty) {
			c->escape = true;
			continue;
		}
		buf[out++] = b;
	}
	return out;
}

static void chardev_watch(struct chardev *c);

static gboolean chardev_retry(gpointer data)
{
	struct chardev *c = data;
	c->retry = NULL;
	chardev_watch(c);
	return G_SOURCE_REMOVE;
}

static gboolean chardev_readable(gint fd, GIOCondition cond, gpointer data)
{
	struct chardev *c = data;
	size_t space = c->space ? c->space(c->opaque) : sizeof(c->buf);
	if (space == 0) {
		/* The guest's receive buffer is full: stop watching for a while
		 * (the fd stays readable, so watching would spin). */
		c->retry = g_timeout_source_new(10);
		g_source_set_callback(c->retry, chardev_retry, c, NULL);
		g_source_attach(c->retry, c->ctx);
		g_source_unref(c->retry);
		c->source = NULL;
		return G_SOURCE_REMOVE;
	}
	ssize_t n = read(fd, c->buf, MIN(space, sizeof(c->buf)));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return G_SOURCE_CONTINUE;
	if (n <= 0) {
		if (c->kind == SERIAL_PTY) {
			/* The last reader of the pty left (EIO); a new one may come. */
			c->retry = g_timeout_source_new(100);
			g_source_set_callback(c->retry, chardev_retry, c, NULL);
			g_source_attach(c->retry, c->ctx);
			g_source_unref(c->retry);
		}
		c->source = NULL;
		return G_SOURCE_REMOVE;  /* stdin closed */
	}
	bool quit = false;
	size_t len = chardev_filter_escapes(c, c->buf, (size_t)n, &quit);
	if (len && c->in)
		c->in(c->opaque, c->buf, len);
	if (quit && c->quit)
		c->quit(c->opaque);
	return G_SOURCE_CONTINUE;
}

static void chardev_watch(struct chardev *c)
{
	GSource *s = g_unix_fd_source_new(c->in_fd, G_IO_IN | G_IO_HUP | G_IO_ERR);
	g_source_set_callback(s, G_SOURCE_FUNC(chardev_readable), c, NULL);
	g_source_attach(s, c->ctx);
	g_source_unref(s);
	c->source = s;
}

void chardev_attach(struct chardev *c, GMainContext *ctx, chardev_input_fn *in, chardev_space_fn *space,
		    chardev_quit_fn *quit, void *opaque)
{
	if (!c || c->in_fd < 0)
		return;
	c->in = in;
	c->space = space;
	c->quit = quit;
	c->opaque = opaque;
	c->ctx = ctx;
	chardev_watch(c);
}

void chardev_close(struct chardev *c)
{
	if (!c)
		return;
	if (c->source)
		g_source_destroy(c->source);
	if (c->retry)
		g_source_destroy(c->retry);
	if (c->restore_tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &c->saved_tty);
	if (c->kind == SERIAL_PTY || c->kind == SERIAL_FILE)
		close(c->out_fd);
	g_free(c->pty_path);
	g_free(c);
}
