/* virtio-net device model: one receive and one transmit queue, MAC and
 * link status in config space, no offloads (the guest checksums and
 * segments itself), no mergeable receive buffers. Frames go to and come
 * from a net_backend (user-mode/slirp or tap). A received frame that does
 * not fit the buffer the driver posted, or arrives when none is posted, is
 * dropped (counted), as a NIC would. Caller holds the machine lock. */
#ifndef TANDEM_VIRTIO_NET_H
#define TANDEM_VIRTIO_NET_H

#include "hw/virtio/net/net_backend.h"
#include "hw/virtio/virtio_dev.h"

#define VIRTIO_NET_QUEUE_SIZE 256

struct virtio_net {
	struct virtio_dev vdev;
	struct net_backend *be;        /* owned */
	uint8_t mac[6];
	/* Separate chains: sending a frame can make the backend deliver one
	 * to us synchronously (slirp answering ARP) in the middle of tx. */
	struct vq_chain tx_chain, rx_chain;
	uint8_t *frame;                /* tx bounce */
	uint64_t tx_frames, rx_frames, rx_dropped, tx_dropped;
};

/* Takes ownership of be. */
struct virtio_net *virtio_net_create(const char *name, const uint8_t mac[6], struct net_backend *be,
				     const struct guest_mem *gm);
void virtio_net_destroy(struct virtio_net *vn);

/* Connects a backend created after the device (takes ownership). */
void virtio_net_attach(struct virtio_net *vn, struct net_backend *be);

/* "52:54:00:12:34:56" -> bytes; false for anything else or a multicast MAC. */
bool virtio_net_parse_mac(const char *s, uint8_t mac[6]);

#endif
