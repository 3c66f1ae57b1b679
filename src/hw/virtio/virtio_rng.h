/* virtio-rng (entropy source): fills every device-writable buffer the
 * driver offers with bytes from the host's getrandom(). */
#ifndef TANDEM_VIRTIO_RNG_H
#define TANDEM_VIRTIO_RNG_H

#include "hw/virtio/virtio_dev.h"

struct virtio_rng {
	struct virtio_dev vdev;
	struct vq_chain chain;
	uint64_t bytes;
};

struct virtio_rng *virtio_rng_create(const char *name, const struct guest_mem *gm);
void virtio_rng_destroy(struct virtio_rng *vr);

#endif
