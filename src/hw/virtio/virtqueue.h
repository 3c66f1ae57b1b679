/* Split virtqueues (virtio 1.x section 2.7) over guest RAM.
 *
 * The guest owns the three ring areas and every descriptor; this module is
 * the one place that reads them. Every index, length, address and chain is
 * validated here: a malformed ring or chain makes vq_pop() return
 * VQ_POP_ERROR with a message, and the device is then expected to set
 * NEEDS_RESET and stop using the queue. Buffers are described by guest
 * physical address and length only; devices move data with vq_buf_read()/
 * vq_buf_write() (which go through guest_mem accessors), never with host
 * pointers.
 *
 * Not thread-safe: a queue is driven from one thread at a time. Memory
 * ordering against vCPU threads (KVM) is handled with fences where the
 * virtio spec requires them. */
#ifndef TANDEM_VIRTQUEUE_H
#define TANDEM_VIRTQUEUE_H

#include "vmm/guest_mem.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Largest queue (and so longest chain and indirect table) we accept; Linux
 * and QEMU use the same bound for virtio-pci devices. */
#define VQ_MAX_SIZE 1024

struct vq_buf {
	uint64_t addr;   /* guest physical, [addr, addr+len) is RAM (checked) */
	uint32_t len;
	bool write;      /* device-writable (VRING_DESC_F_WRITE) */
};

/* One popped descriptor chain: device-readable buffers first (out), then
 * device-writable ones (in), as the spec requires. */
struct vq_chain {
	uint16_t head;
	unsigned n_out, n_in;
	uint64_t out_len, in_len;   /* total bytes of each kind */
	struct vq_buf bufs[VQ_MAX_SIZE];
};

struct virtqueue {
	const struct guest_mem *gm;
	uint16_t index;           /* queue number, for messages */
	uint16_t size;            /* entries; power of two, <= max_size */
	uint16_t max_size;
	bool ready;               /* enabled by the driver and validated */
	uint64_t desc_addr, avail_addr, used_addr;
	uint64_t features;        /* negotiated (INDIRECT_DESC, EVENT_IDX) */

	uint16_t last_avail;      /* next avail ring slot to consume */
	uint16_t used_idx;        /* our copy of used->idx */
	uint16_t signalled_used;  /* used_idx at the last interrupt */
	bool signalled_valid;
	uint16_t checked_used;    /* used_idx at the last vq_should_notify() */

	uint16_t msix_vector;     /* transport state kept with the queue */
	char error[160];          /* last validation failure */
};

enum vq_pop_result {
	VQ_POP_EMPTY = 0,
	VQ_POP_OK = 1,
	VQ_POP_ERROR = -1,
};

void vq_init(struct virtqueue *vq, const struct guest_mem *gm, uint16_t index, uint16_t max_size);
/* Back to the reset state (size = max_size, not ready, addresses 0). */
void vq_reset(struct virtqueue *vq);

/* Validates size and ring placement and marks the queue ready. On failure
 * the queue stays disabled and vq->error says why. */
bool vq_enable(struct virtqueue *vq, uint64_t features);

/* Takes the next available chain. VQ_POP_ERROR means the ring or chain is
 * malformed (vq->error); the caller must stop using the queue. */
enum vq_pop_result vq_pop(struct virtqueue *vq, struct vq_chain *c);

/* True when the driver has made chains available that were not popped yet
 * (a hint: a malformed ring reads as "nothing"). */
bool vq_has_avail(struct virtqueue *vq);

/* Returns a chain to the driver: `written` bytes were stored in its
 * device-writable buffers (clamped to in_len). */
bool vq_push(struct virtqueue *vq, const struct vq_chain *c, uint32_t written);

/* Whether the driver wants an interrupt for what was pushed since the last
 * call that returned true (EVENT_IDX or VRING_AVAIL_F_NO_INTERRUPT). */
bool vq_should_notify(struct virtqueue *vq);

/* Suppress (or re-enable) driver kicks while the device is busy. With
 * EVENT_IDX this publishes avail_event instead of the flag. */
void vq_set_kick_suppression(struct virtqueue *vq, bool suppress);

/* Copy between a chain's buffers and host memory, starting `offset` bytes
 * into the readable (out) or writable (in) part. Return the bytes copied. */
size_t vq_chain_read(const struct virtqueue *vq, const struct vq_chain *c, uint64_t offset,
		     void *dst, size_t len);
size_t vq_chain_write(const struct virtqueue *vq, const struct vq_chain *c, uint64_t offset,
		      const void *src, size_t len);

/* Sizes of the ring areas for a queue of `size` entries. */
static inline uint64_t vq_desc_bytes(uint16_t size) { return 16ULL * size; }
static inline uint64_t vq_avail_bytes(uint16_t size) { return 6ULL + 2ULL * size; }
static inline uint64_t vq_used_bytes(uint16_t size) { return 6ULL + 8ULL * size; }

#endif
