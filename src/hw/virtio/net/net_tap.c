/* tap backend: frames are read from and written to a /dev/net/tun fd in
 * IFF_TAP|IFF_NO_PI mode (one read or write per Ethernet frame). Input is
 * watched on the I/O thread's context. */
#include "hw/virtio/net/net_backend.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define TAP_MAX_FRAME 65536

struct net_tap {
	struct net_backend nb;
	int fd;
	guint watch;
	GSource *src;
	char ifname[IFNAMSIZ];
	uint8_t buf[TAP_MAX_FRAME];
};

static gboolean tap_readable(gint fd, GIOCondition cond, gpointer opaque)
{
	struct net_tap *t = opaque;
	(void)cond;
	net_backend_lock(&t->nb);
	/* A bounded batch per wakeup keeps the lock hold time short. */
	for (int i = 0; i < 64; i++) {
		ssize_t n = read(fd, t->buf, sizeof(t->buf));
		if (n <= 0)
			break;
		if (t->nb.rx)
			t->nb.rx(t->nb.rx_opaque, t->buf, (size_t)n);
	}
	net_backend_unlock(&t->nb);
	return G_SOURCE_CONTINUE;
}

static void net_tap_send(struct net_backend *nb, const uint8_t *frame, size_t len)
{
	struct net_tap *t = (struct net_tap *)nb;
	ssize_t n;
	do
		n = write(t->fd, frame, len);
	while (n < 0 && errno == EINTR);
	/* EAGAIN (queue full) drops the frame, as a NIC would. */
}

static void net_tap_close(struct net_backend *nb)
{
	struct net_tap *t = (struct net_tap *)nb;
	if (t->src) {
		g_source_destroy(t->src);
		g_source_unref(t->src);
	}
	if (t->fd >= 0)
		close(t->fd);
	g_free(t);
}

static bool tap_ifreq(const char *ifname, unsigned long req, struct ifreq *ifr, GError **err, const char *what)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0 || ioctl(s, req, ifr) < 0) {
		int e = errno;
		if (s >= 0)
			close(s);
		g_set_error(err, G_IO_ERROR, g_io_error_from_errno(e), "tap %s: %s: %s", ifname, what, g_strerror(e));
		return false;
	}
	close(s);
	return true;
}

struct net_backend *net_tap_create(const char *ifname, const char *bridge, GMainContext *ctx,
				   const struct net_lock *lock, GError **err)
{
	if (!ifname || !*ifname || strlen(ifname) >= IFNAMSIZ) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "tap: interface name '%s' is empty or "
			    "longer than %d characters", ifname ? ifname : "", IFNAMSIZ - 1);
		return NULL;
	}
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		g_set_error(err, G_IO_ERROR, g_io_error_from_errno(e), "tap %s: cannot open /dev/net/tun: %s", ifname,
			    g_strerror(e));
		return NULL;
	}
	struct ifreq ifr = { 0 };
	g_strlcpy(ifr.ifr_name, ifname, IFNAMSIZ);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int e = errno;
		close(fd);
		g_set_error(err, G_IO_ERROR, g_io_error_from_errno(e),
			    "tap %s: cannot attach (TUNSETIFF: %s); creating a tap device needs CAP_NET_ADMIN, "
			    "an existing one must be owned by this user", ifname, g_strerror(e));
		return NULL;
	}
	struct net_tap *t = g_new0(struct net_tap, 1);
	t->fd = fd;
	g_strlcpy(t->ifname, ifr.ifr_name, sizeof(t->ifname));
	t->nb.kind = "tap";
	t->nb.send = net_tap_send;
	t->nb.close = net_tap_close;
	t->nb.ctx = ctx;
	if (lock)
		t->nb.lock = *lock;

	/* Bring the link up (best effort for a pre-configured device). */
	struct ifreq up = { 0 };
	g_strlcpy(up.ifr_name, t->ifname, IFNAMSIZ);
	if (tap_ifreq(t->ifname, SIOCGIFFLAGS, &up, NULL, "get flags") && !(up.ifr_flags & IFF_UP)) {
		up.ifr_flags |= IFF_UP;
		tap_ifreq(t->ifname, SIOCSIFFLAGS, &up, NULL, "set up");
	}
	if (bridge && *bridge) {
		struct ifreq idx = { 0 }, br = { 0 };
		g_strlcpy(idx.ifr_name, t->ifname, IFNAMSIZ);
		g_strlcpy(br.ifr_name, bridge, IFNAMSIZ);
		if (!tap_ifreq(t->ifname, SIOCGIFINDEX, &idx, err, "cannot get interface index") ||
		    (br.ifr_ifindex = idx.ifr_ifindex, !tap_ifreq(t->ifname, SIOCBRADDIF, &br, err,
								  "cannot add to bridge"))) {
			net_tap_close(&t->nb);
			return NULL;
		}
	}
	t->src = g_unix_fd_source_new(fd, G_IO_IN);
	g_source_set_callback(t->src, (GSourceFunc)(void (*)(void))tap_readable, t, NULL);
	g_source_attach(t->src, ctx);
	return &t->nb;
}
