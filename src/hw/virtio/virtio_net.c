/* virtio-net; see virtio_net.h. */
#include "hw/virtio/virtio_net.h"

#include <endian.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>
#include <stdio.h>
#include <string.h>

#define NET_RXQ 0
#define NET_TXQ 1
#define NET_MAX_FRAME (65535 + 14)

/* The header the driver puts before every frame: 12 bytes with
 * VERSION_1 (virtio_net_hdr_v1), 10 on the legacy interface. */
static size_t net_hdr_len(const struct virtio_net *vn)
{
	return virtio_dev_has(&vn->vdev, VIRTIO_F_VERSION_1) ? sizeof(struct virtio_net_hdr_v1)
							      : sizeof(struct virtio_net_hdr);
}

static void net_tx(struct virtio_net *vn, struct virtqueue *vq)
{
	size_t hdr = net_hdr_len(vn);
	for (;;) {
		enum vq_pop_result r = vq_pop(vq, &vn->tx_chain);
		if (r == VQ_POP_EMPTY)
			break;
		if (r == VQ_POP_ERROR) {
			virtio_dev_fail(&vn->vdev, "%s", vq->error);
			break;
		}
		uint64_t len = vn->tx_chain.out_len;
		if (len < hdr || len - hdr > NET_MAX_FRAME) {
			vn->tx_dropped++;
		} else {
			size_t n = vq_chain_read(vq, &vn->tx_chain, hdr, vn->frame, (size_t)(len - hdr));
			vn->tx_frames++;
			if (vn->be)
				vn->be->send(vn->be, vn->frame, n);
		}
		vq_push(vq, &vn->tx_chain, 0);
	}
	virtio_dev_queue_interrupt(&vn->vdev, NET_TXQ);
}

static void net_rx(void *opaque, const uint8_t *frame, size_t len)
{
	struct virtio_net *vn = opaque;
	struct virtio_dev *d = &vn->vdev;
	struct virtqueue *vq = &d->queues[NET_RXQ];
	if (!(d->status & VIRTIO_CONFIG_S_DRIVER_OK) || !virtio_dev_live(d) || !vq->ready) {
		vn->rx_dropped++;
		return;
	}
	enum vq_pop_result r = vq_pop(vq, &vn->rx_chain);
	if (r != VQ_POP_OK) {
		if (r == VQ_POP_ERROR)
			virtio_dev_fail(d, "%s", vq->error);
		vn->rx_dropped++;
		return;
	}
	size_t hdr = net_hdr_len(vn);
	uint32_t written = 0;
	if (vn->rx_chain.in_len >= hdr + len) {
		struct virtio_net_hdr_v1 h = { 0 };
		h.num_buffers = htole16(1);
		vq_chain_write(vq, &vn->rx_chain, 0, &h, hdr);
		vq_chain_write(vq, &vn->rx_chain, hdr, frame, len);
		written = (uint32_t)(hdr + len);
		vn->rx_frames++;
	} else {
		vn->rx_dropped++;
	}
	vq_push(vq, &vn->rx_chain, written);
	virtio_dev_queue_interrupt(d, NET_RXQ);
}

static void net_queue_notify(struct virtio_dev *d, unsigned q)
{
	struct virtio_net *vn = d->opaque;
	if (q == NET_TXQ)
		net_tx(vn, &d->queues[q]);
	/* Receive buffers are consumed as frames arrive. */
}

static const struct virtio_dev_ops net_ops = {
	.queue_notify = net_queue_notify,
};

bool virtio_net_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned b[6];
	char end;
	if (!s || sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &end) != 6 ||
	    strlen(s) != 17)
		return false;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return !(mac[0] & 1);
}

struct virtio_net *virtio_net_create(const char *name, const uint8_t mac[6], struct net_backend *be,
				     const struct guest_mem *gm)
{
	struct virtio_net *vn = g_new0(struct virtio_net, 1);
	virtio_dev_init(&vn->vdev, name, VIRTIO_ID_NET, (1ULL << VIRTIO_NET_F_MAC) | (1ULL << VIRTIO_NET_F_STATUS),
			2, VIRTIO_NET_QUEUE_SIZE, offsetof(struct virtio_net_config, max_virtqueue_pairs), gm,
			&net_ops, vn);
	memcpy(vn->mac, mac, 6);
	struct virtio_net_config cfg = { 0 };
	memcpy(cfg.mac, mac, 6);
	cfg.status = htole16(VIRTIO_NET_S_LINK_UP);
	memcpy(vn->vdev.config, &cfg, vn->vdev.config_len);
	vn->frame = g_malloc(NET_MAX_FRAME);
	if (be)
		virtio_net_attach(vn, be);
	return vn;
}

void virtio_net_attach(struct virtio_net *vn, struct net_backend *be)
{
	net_backend_close(vn->be);
	vn->be = be;
	be->rx = net_rx;
	be->rx_opaque = vn;
}

void virtio_net_destroy(struct virtio_net *vn)
{
	if (!vn)
		return;
	net_backend_close(vn->be);
	virtio_dev_destroy(&vn->vdev);
	g_free(vn->frame);
	g_free(vn);
}
