/* virtio-console with one port (no MULTIPORT): the guest's hvc0, a second
 * console next to the 16550. Guest output (transmitq and the emergency
 * write register) goes to a write callback, the same shape as the UART's
 * backend; host input is pushed with virtio_console_receive() into the
 * buffers the driver posted on the receiveq. Caller holds the machine lock
 * for every call. */
#ifndef TANDEM_VIRTIO_CONSOLE_H
#define TANDEM_VIRTIO_CONSOLE_H

#include "hw/virtio/virtio_dev.h"

struct virtio_console_backend {
	void *opaque;
	void (*write)(void *opaque, const uint8_t *buf, size_t len);
};

struct virtio_console {
	struct virtio_dev vdev;
	struct virtio_console_backend be;
	struct vq_chain chain;
	uint64_t tx_bytes, rx_bytes;
};

struct virtio_console *virtio_console_create(const char *name, const struct virtio_console_backend *be,
					     const struct guest_mem *gm);
void virtio_console_destroy(struct virtio_console *vc);

/* Host input: bytes accepted (0 when the driver posted no buffers). */
size_t virtio_console_receive(struct virtio_console *vc, const uint8_t *buf, size_t len);
/* Whether input can be taken now (the driver posted receive buffers). */
bool virtio_console_can_receive(struct virtio_console *vc);

#endif
