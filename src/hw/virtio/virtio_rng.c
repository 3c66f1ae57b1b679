/* virtio-rng; see virtio_rng.h. */
#include "hw/virtio/virtio_rng.h"

#include <errno.h>
#include <linux/virtio_ids.h>
#include <sys/random.h>

#define RNG_MAX_PER_REQUEST 4096

static void rng_queue_notify(struct virtio_dev *d, unsigned q)
{
	struct virtio_rng *vr = d->opaque;
	struct virtqueue *vq = &d->queues[q];
	uint8_t buf[RNG_MAX_PER_REQUEST];
	for (;;) {
		enum vq_pop_result r = vq_pop(vq, &vr->chain);
		if (r == VQ_POP_EMPTY)
			break;
		if (r == VQ_POP_ERROR) {
			virtio_dev_fail(d, "%s", vq->error);
			break;
		}
		/* A bounded amount per request: the driver asks again. */
		size_t n = (size_t)MIN(vr->chain.in_len, (uint64_t)sizeof(buf));
		ssize_t got;
		do
			got = getrandom(buf, n, 0);
		while (got < 0 && errno == EINTR);
		if (got < 0)
			got = 0;
		size_t put = vq_chain_write(vq, &vr->chain, 0, buf, (size_t)got);
		vr->bytes += put;
		vq_push(vq, &vr->chain, (uint32_t)put);
	}
	virtio_dev_queue_interrupt(d, q);
}

static const struct virtio_dev_ops rng_ops = {
	.queue_notify = rng_queue_notify,
};

struct virtio_rng *virtio_rng_create(const char *name, const struct guest_mem *gm)
{
	struct virtio_rng *vr = g_new0(struct virtio_rng, 1);
	virtio_dev_init(&vr->vdev, name, VIRTIO_ID_RNG, 0, 1, 64, 0, gm, &rng_ops, vr);
	return vr;
}

void virtio_rng_destroy(struct virtio_rng *vr)
{
	if (!vr)
		return;
	virtio_dev_destroy(&vr->vdev);
	g_free(vr);
}
