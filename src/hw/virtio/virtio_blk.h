/* virtio-blk device model over a block backend (hw/virtio/block/blk.h).
 *
 * One request queue, processed synchronously when the driver kicks it.
 * Requests: read, write, flush (fdatasync of the image), get-id (the
 * serial, VIRTIO_BLK_ID_BYTES at most), discard. A read-only backend is
 * offered with VIRTIO_BLK_F_RO and writes/discards fail with IOERR.
 * A malformed request chain (no header, no status byte) fails the device
 * (NEEDS_RESET); a well-formed request for bad sectors gets IOERR. */
#ifndef TANDEM_VIRTIO_BLK_H
#define TANDEM_VIRTIO_BLK_H

#include "hw/virtio/block/blk.h"
#include "hw/virtio/virtio_dev.h"

#define VIRTIO_BLK_QUEUE_SIZE 256

struct virtio_blk {
	struct virtio_dev vdev;
	struct blk *disk;           /* owned */
	char serial[21];
	uint8_t *bounce;
	struct vq_chain chain;
	uint64_t requests, io_errors;
};

/* Takes ownership of disk. */
struct virtio_blk *virtio_blk_create(const char *name, struct blk *disk, const char *serial,
				     const struct guest_mem *gm);
void virtio_blk_destroy(struct virtio_blk *vb);

#endif
