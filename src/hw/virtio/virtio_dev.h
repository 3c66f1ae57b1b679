/* Transport-independent virtio device state: feature negotiation, the
 * device status state machine (incl. NEEDS_RESET), queues, ISR and the
 * device-specific configuration space.
 *
 * A device model (blk, net, rng, console) fills in host features, its
 * config bytes and ops; a transport (virtio-pci) turns guest register
 * accesses into the calls below and delivers interrupts through
 * `interrupt`. A misbehaving driver never stops tandem: the device gets
 * NEEDS_RESET (virtio_dev_fail), its queues stop being processed until the
 * driver resets it, and the error is kept for `info`-style reporting. */
#ifndef TANDEM_VIRTIO_DEV_H
#define TANDEM_VIRTIO_DEV_H

#include "hw/virtio/virtqueue.h"

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

struct virtio_dev;

struct virtio_dev_ops {
	/* The driver kicked queue `q` (already checked: exists, ready, device live). */
	void (*queue_notify)(struct virtio_dev *d, unsigned q);
	/* Device reset (status 0): drop in-flight state. Queues are reset by the core. */
	void (*reset)(struct virtio_dev *d);
	/* Optional: the driver wrote config bytes [off, off+len) (already stored). */
	void (*config_written)(struct virtio_dev *d, uint32_t off, unsigned len);
	/* Optional: DRIVER_OK was set (start rx, etc.). */
	void (*driver_ok)(struct virtio_dev *d);
};

/* Interrupt kinds passed to the transport. */
#define VIRTIO_IRQ_CONFIG (-1)

typedef void virtio_interrupt_fn(void *transport, struct virtio_dev *d, int queue_or_config);

struct virtio_dev {
	char name[32];              /* "virtio-blk0", for messages */
	uint16_t device_id;         /* VIRTIO_ID_* */
	uint64_t host_features;
	uint64_t guest_features;
	uint8_t status;
	uint8_t isr;                /* bit 0 queue, bit 1 config change (legacy/INTx) */
	uint8_t config_generation;
	bool legacy;                /* the driver uses the legacy interface */
	unsigned num_queues;
	struct virtqueue *queues;
	uint8_t *config;            /* device-specific configuration space */
	uint32_t config_len;
	const struct virtio_dev_ops *ops;
	void *opaque;               /* the device model */
	virtio_interrupt_fn *interrupt;
	void *transport;
	char error[200];            /* first failure since the last reset */
	uint64_t failures;          /* count, for tests and reports */
};

/* Allocates queues and the config space (zeroed). VIRTIO_F_VERSION_1 is
 * always offered (transitional device); the ring features the core
 * implements (INDIRECT_DESC, EVENT_IDX) are added too. */
void virtio_dev_init(struct virtio_dev *d, const char *name, uint16_t device_id,
		     uint64_t device_features, unsigned num_queues, uint16_t queue_size,
		     uint32_t config_len, const struct guest_mem *gm,
		     const struct virtio_dev_ops *ops, void *opaque);
void virtio_dev_destroy(struct virtio_dev *d);

void virtio_dev_reset(struct virtio_dev *d);
/* A status register write (0 resets). Enforces the order of virtio 1.x
 * 3.1.1: FEATURES_OK is refused (left clear) for an invalid feature set,
 * DRIVER_OK before FEATURES_OK on the modern interface is a failure. */
void virtio_dev_set_status(struct virtio_dev *d, uint8_t status);
/* 32-bit words of the feature bits; `word` 0 = bits 0-31, 1 = bits 32-63. */
uint32_t virtio_dev_host_features(const struct virtio_dev *d, unsigned word);
void virtio_dev_set_guest_features(struct virtio_dev *d, unsigned word, uint32_t value);
bool virtio_dev_has(const struct virtio_dev *d, unsigned feature);

/* Validates and enables queue q with the negotiated features; a bad ring
 * layout fails the device. */
bool virtio_dev_queue_enable(struct virtio_dev *d, unsigned q);
void virtio_dev_queue_notify(struct virtio_dev *d, unsigned q);
/* After pushing to queue q: interrupt the driver if it wants one. */
void virtio_dev_queue_interrupt(struct virtio_dev *d, unsigned q);
/* The device's config changed: bump generation, interrupt. */
void virtio_dev_config_changed(struct virtio_dev *d);

/* Config space accesses from the transport; out-of-range bytes read 0 and
 * writes to them are dropped. */
void virtio_dev_config_read(struct virtio_dev *d, uint32_t off, void *data, unsigned len);
void virtio_dev_config_write(struct virtio_dev *d, uint32_t off, const void *data, unsigned len);

/* The device is broken by the driver: record why, set NEEDS_RESET, tell the
 * driver (config interrupt), stop processing queues until reset. */
void virtio_dev_fail(struct virtio_dev *d, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static inline bool virtio_dev_live(const struct virtio_dev *d)
{
	return !(d->status & 0x40 /* NEEDS_RESET */) && !(d->status & 0x80 /* FAILED */);
}

#endif
