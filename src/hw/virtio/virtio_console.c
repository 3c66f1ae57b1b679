/* virtio-console, single port; see virtio_console.h. */
#include "hw/virtio/virtio_console.h"

#include <linux/virtio_console.h>
#include <linux/virtio_ids.h>
#include <stddef.h>

#define CONSOLE_RXQ 0
#define CONSOLE_TXQ 1
#define CONSOLE_TX_CHUNK 4096

static void console_tx(struct virtio_console *vc, struct virtqueue *vq)
{
	uint8_t buf[CONSOLE_TX_CHUNK];
	for (;;) {
		enum vq_pop_result r = vq_pop(vq, &vc->chain);
		if (r == VQ_POP_EMPTY)
			break;
		if (r == VQ_POP_ERROR) {
			virtio_dev_fail(&vc->vdev, "%s", vq->error);
			break;
		}
		for (uint64_t off = 0; off < vc->chain.out_len;) {
			size_t n = vq_chain_read(vq, &vc->chain, off, buf, sizeof(buf));
			if (n == 0)
				break;
			if (vc->be.write)
				vc->be.write(vc->be.opaque, buf, n);
			vc->tx_bytes += n;
			off += n;
		}
		vq_push(vq, &vc->chain, 0);
	}
	virtio_dev_queue_interrupt(&vc->vdev, CONSOLE_TXQ);
}

static void console_queue_notify(struct virtio_dev *d, unsigned q)
{
	struct virtio_console *vc = d->opaque;
	if (q == CONSOLE_TXQ)
		console_tx(vc, &d->queues[q]);
	/* Receive buffers are taken when input arrives. */
}

static void console_config_written(struct virtio_dev *d, uint32_t off, unsigned len)
{
	struct virtio_console *vc = d->opaque;
	uint32_t emerg = offsetof(struct virtio_console_config, emerg_wr);
	if (off <= emerg && off + len > emerg && virtio_dev_has(d, VIRTIO_CONSOLE_F_EMERG_WRITE) && vc->be.write) {
		uint8_t ch = d->config[emerg];
		vc->be.write(vc->be.opaque, &ch, 1);
		vc->tx_bytes++;
	}
}

static const struct virtio_dev_ops console_ops = {
	.queue_notify = console_queue_notify,
	.config_written = console_config_written,
};

bool virtio_console_can_receive(struct virtio_console *vc)
{
	return virtio_dev_live(&vc->vdev) && vq_has_avail(&vc->vdev.queues[CONSOLE_RXQ]);
}

size_t virtio_console_receive(struct virtio_console *vc, const uint8_t *buf, size_t len)
{
	struct virtqueue *vq = &vc->vdev.queues[CONSOLE_RXQ];
	size_t done = 0;
	while (done < len && virtio_dev_live(&vc->vdev)) {
		enum vq_pop_result r = vq_pop(vq, &vc->chain);
		if (r == VQ_POP_EMPTY)
			break;
		if (r == VQ_POP_ERROR) {
			virtio_dev_fail(&vc->vdev, "%s", vq->error);
			break;
		}
		size_t n = vq_chain_write(vq, &vc->chain, 0, buf + done, len - done);
		vq_push(vq, &vc->chain, (uint32_t)n);
		done += n;
		if (n == 0)
			break;  /* a chain with no writable bytes: do not spin */
	}
	vc->rx_bytes += done;
	if (done)
		virtio_dev_queue_interrupt(&vc->vdev, CONSOLE_RXQ);
	return done;
}

struct virtio_console *virtio_console_create(const char *name, const struct virtio_console_backend *be,
					     const struct guest_mem *gm)
{
	struct virtio_console *vc = g_new0(struct virtio_console, 1);
	virtio_dev_init(&vc->vdev, name, VIRTIO_ID_CONSOLE, 1ULL << VIRTIO_CONSOLE_F_EMERG_WRITE, 2, 128,
			sizeof(struct virtio_console_config), gm, &console_ops, vc);
	if (be)
		vc->be = *be;
	return vc;
}

void virtio_console_destroy(struct virtio_console *vc)
{
	if (!vc)
		return;
	virtio_dev_destroy(&vc->vdev);
	g_free(vc);
}
