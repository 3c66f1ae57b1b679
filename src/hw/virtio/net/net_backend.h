/* Network backends for virtio-net: user-mode networking (libslirp, with
 * host port forwarding) and tap devices.
 *
 * Threading: frames from the guest are sent from the vCPU thread with the
 * machine lock held. Backends watch their file descriptors on the I/O
 * thread's GMainContext and take the machine lock (struct net_lock) around
 * everything they do there, so the rx callback always runs with the lock
 * held and libslirp is only ever entered under that lock. */
#ifndef TANDEM_NET_BACKEND_H
#define TANDEM_NET_BACKEND_H

#include <gio/gio.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct net_lock {
	void (*lock)(void *opaque);     /* NULL: single-threaded (tests) */
	void (*unlock)(void *opaque);
	void *opaque;
};

typedef void net_rx_fn(void *opaque, const uint8_t *frame, size_t len);

struct net_backend {
	const char *kind;              /* "user", "tap" */
	void (*send)(struct net_backend *nb, const uint8_t *frame, size_t len);
	void (*close)(struct net_backend *nb);
	net_rx_fn *rx;                 /* set by the device */
	void *rx_opaque;
	struct net_lock lock;
	GMainContext *ctx;
};

struct net_hostfwd {
	bool udp;
	uint32_t host_addr;            /* network byte order; 0 = any */
	uint16_t host_port, guest_port;
};

/* "tcp::HOSTPORT-:GUESTPORT", "udp:ADDR:HOSTPORT-:GUESTPORT" (QEMU's syntax;
 * the guest address is always the DHCP address 10.0.2.15). */
bool net_parse_hostfwd(const char *s, struct net_hostfwd *f, GError **err);

/* User-mode network 10.0.2.0/24: host 10.0.2.2 (reaches the host's
 * loopback), DNS 10.0.2.3, guest 10.0.2.15 by DHCP. `restricted` keeps the
 * guest from reaching anything but the forwarded ports. */
struct net_backend *net_slirp_create(const struct net_hostfwd *fwd, unsigned nfwd, bool restricted,
				     GMainContext *ctx, const struct net_lock *lock, GError **err);

/* Attaches to tap `ifname` (created if missing, which needs CAP_NET_ADMIN),
 * brings it up, and adds it to `bridge` when given. */
struct net_backend *net_tap_create(const char *ifname, const char *bridge, GMainContext *ctx,
				   const struct net_lock *lock, GError **err);

void net_backend_close(struct net_backend *nb);

static inline void net_backend_lock(struct net_backend *nb)
{
	if (nb->lock.lock)
		nb->lock.lock(nb->lock.opaque);
}

static inline void net_backend_unlock(struct net_backend *nb)
{
	if (nb->lock.unlock)
		nb->lock.unlock(nb->lock.opaque);
}

#endif
