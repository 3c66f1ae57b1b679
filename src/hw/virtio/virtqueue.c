/* Split virtqueue parsing and used-ring updates; see virtqueue.h. */
#include "hw/virtio/virtqueue.h"

#include <endian.h>
#include <linux/virtio_ring.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

G_STATIC_ASSERT(sizeof(struct vring_desc) == 16);

static bool G_GNUC_PRINTF(2, 3) vq_fail(struct virtqueue *vq, const char *fmt, ...)
{
	char msg[sizeof(vq->error) - 16];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(vq->error, sizeof(vq->error), "queue %u: %s", vq->index, msg);
	return false;
}

void vq_init(struct virtqueue *vq, const struct guest_mem *gm, uint16_t index, uint16_t max_size)
{
	memset(vq, 0, sizeof(*vq));
	vq->gm = gm;
	vq->index = index;
	vq->max_size = MIN(max_size, VQ_MAX_SIZE);
	vq_reset(vq);
}

void vq_reset(struct virtqueue *vq)
{
	vq->size = vq->max_size;
	vq->ready = false;
	vq->desc_addr = vq->avail_addr = vq->used_addr = 0;
	vq->features = 0;
	vq->last_avail = vq->used_idx = vq->signalled_used = vq->checked_used = 0;
	vq->signalled_valid = false;
	vq->msix_vector = 0xffff;  /* VIRTIO_MSI_NO_VECTOR */
	vq->error[0] = '\0';
}

static bool vq_area_ok(struct virtqueue *vq, const char *what, uint64_t addr, uint64_t len,
		       uint64_t align)
{
	if (addr & (align - 1))
		return vq_fail(vq, "%s at 0x%" G_GINT64_MODIFIER "x is not %" G_GUINT64_FORMAT
			       "-byte aligned", what, addr, align);
	if (!guest_mem_is_ram(vq->gm, addr, len))
		return vq_fail(vq, "%s [0x%" G_GINT64_MODIFIER "x, +0x%" G_GINT64_MODIFIER
			       "x) is not guest RAM", what, addr, len);
	return true;
}

bool vq_enable(struct virtqueue *vq, uint64_t features)
{
	vq->ready = false;
	vq->error[0] = '\0';
	if (vq->size == 0 || (vq->size & (vq->size - 1)) || vq->size > vq->max_size)
		return vq_fail(vq, "size %u is not a power of two in [1, %u]", vq->size, vq->max_size);
	if (!vq_area_ok(vq, "descriptor table", vq->desc_addr, vq_desc_bytes(vq->size), 16) ||
	    !vq_area_ok(vq, "available ring", vq->avail_addr, vq_avail_bytes(vq->size), 2) ||
	    !vq_area_ok(vq, "used ring", vq->used_addr, vq_used_bytes(vq->size), 4))
		return false;
	vq->features = features;
	vq->last_avail = vq->used_idx = vq->signalled_used = vq->checked_used = 0;
	vq->signalled_valid = false;
	/* The used ring may hold garbage: publish our starting index. */
	uint16_t zero = 0;
	if (!guest_mem_write(vq->gm, vq->used_addr + 2, &zero, 2))
		return vq_fail(vq, "used ring vanished");
	vq->ready = true;
	return true;
}

static bool vq_has(const struct virtqueue *vq, unsigned feature)
{
	return vq->features & (1ULL << feature);
}

static bool vq_read16(struct virtqueue *vq, uint64_t gpa, uint16_t *v, const char *what)
{
	uint16_t raw;
	if (!guest_mem_read(vq->gm, gpa, &raw, 2))
		return vq_fail(vq, "%s at 0x%" G_GINT64_MODIFIER "x is not guest RAM", what, gpa);
	*v = le16toh(raw);
	return true;
}

static bool vq_write16(struct virtqueue *vq, uint64_t gpa, uint16_t v, const char *what)
{
	uint16_t raw = htole16(v);
	if (!guest_mem_write(vq->gm, gpa, &raw, 2))
		return vq_fail(vq, "%s at 0x%" G_GINT64_MODIFIER "x is not guest RAM", what, gpa);
	return true;
}

/* Walks the chain starting at `head`, following at most one indirect
 * table. The bound on the number of descriptors is the size of the table
 * being walked, so a loop is always detected (virtio 1.x 2.7.5.3.1). */
static bool vq_walk(struct virtqueue *vq, uint16_t head, struct vq_chain *c)
{
	uint64_t table = vq->desc_addr;
	unsigned tsize = vq->size;
	unsigned idx = head, count = 0;
	bool indirect = false;

	c->head = head;
	c->n_out = c->n_in = 0;
	c->out_len = c->in_len = 0;
	for (;;) {
		if (idx >= tsize)
			return vq_fail(vq, "descriptor index %u out of range (%s table of %u)", idx,
				       indirect ? "indirect" : "ring", tsize);
		if (++count > tsize)
			return vq_fail(vq, "descriptor chain from head %u loops (more than %u descriptors)",
				       head, tsize);
		struct vring_desc d;
		if (!guest_mem_read(vq->gm, table + 16ULL * idx, &d, sizeof(d)))
			return vq_fail(vq, "descriptor %u is not in guest RAM", idx);
		uint64_t addr = le64toh(d.addr);
		uint32_t len = le32toh(d.len);
		uint16_t flags = le16toh(d.flags);

		if (flags & VRING_DESC_F_INDIRECT) {
			if (!vq_has(vq, VIRTIO_RING_F_INDIRECT_DESC))
				return vq_fail(vq, "indirect descriptor %u but INDIRECT_DESC was not negotiated", idx);
			if (indirect)
				return vq_fail(vq, "nested indirect descriptor %u in indirect table", idx);
			if (count != 1)
				return vq_fail(vq, "indirect descriptor %u is not the head of its chain", idx);
			if (flags & VRING_DESC_F_NEXT)
				return vq_fail(vq, "indirect descriptor %u also has NEXT set", idx);
			if (len == 0 || len % 16)
				return vq_fail(vq, "indirect table length %u is not a non-zero multiple of 16", len);
			if (len / 16 > VQ_MAX_SIZE)
				return vq_fail(vq, "indirect table of %u entries exceeds %u", len / 16, VQ_MAX_SIZE);
			if (!guest_mem_is_ram(vq->gm, addr, len))
				return vq_fail(vq, "indirect table [0x%" G_GINT64_MODIFIER "x, +0x%x) is not guest RAM",
					       addr, len);
			table = addr;
			tsize = len / 16;
			idx = 0;
			count = 0;
			indirect = true;
			continue;
		}
		if (!guest_mem_is_ram(vq->gm, addr, len))
			return vq_fail(vq, "descriptor %u buffer [0x%" G_GINT64_MODIFIER "x, +0x%x) is not guest RAM",
				       idx, addr, len);
		bool write = flags & VRING_DESC_F_WRITE;
		if (!write && c->n_in)
			return vq_fail(vq, "descriptor %u is device-readable after a device-writable one", idx);
		unsigned n = c->n_out + c->n_in;
		if (n >= VQ_MAX_SIZE)
			return vq_fail(vq, "chain from head %u has more than %u buffers", head, VQ_MAX_SIZE);
		c->bufs[n] = (struct vq_buf){ .addr = addr, .len = len, .write = write };
		if (write) {
			c->n_in++;
			c->in_len += len;
		} else {
			c->n_out++;
			c->out_len += len;
		}
		if (!(flags & VRING_DESC_F_NEXT))
			return true;
		idx = le16toh(d.next);
	}
}

enum vq_pop_result vq_pop(struct virtqueue *vq, struct vq_chain *c)
{
	if (!vq->ready)
		return VQ_POP_EMPTY;
	uint16_t avail_idx = 0;
	if (!vq_read16(vq, vq->avail_addr + 2, &avail_idx, "avail->idx"))
		return VQ_POP_ERROR;
	uint16_t pending = (uint16_t)(avail_idx - vq->last_avail);
	if (pending == 0)
		return VQ_POP_EMPTY;
	if (pending > vq->size) {
		vq_fail(vq, "available index moved from %u to %u, more than the queue size %u",
			vq->last_avail, avail_idx, vq->size);
		return VQ_POP_ERROR;
	}
	/* Read the ring entry and descriptors only after seeing the index. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	uint16_t head = 0;
	if (!vq_read16(vq, vq->avail_addr + 4 + 2ULL * (vq->last_avail % vq->size), &head, "avail ring"))
		return VQ_POP_ERROR;
	if (head >= vq->size) {
		vq_fail(vq, "available ring entry %u names head %u, queue size %u",
			vq->last_avail % vq->size, head, vq->size);
		return VQ_POP_ERROR;
	}
	if (!vq_walk(vq, head, c))
		return VQ_POP_ERROR;
	vq->last_avail++;
	if (vq_has(vq, VIRTIO_RING_F_EVENT_IDX) &&
	    !vq_write16(vq, vq->used_addr + 4 + 8ULL * vq->size, vq->last_avail, "avail_event"))
		return VQ_POP_ERROR;
	return VQ_POP_OK;
}

bool vq_has_avail(struct virtqueue *vq)
{
	uint16_t avail_idx;
	return vq->ready && guest_mem_read(vq->gm, vq->avail_addr + 2, &avail_idx, 2) &&
	       le16toh(avail_idx) != vq->last_avail;
}

bool vq_push(struct virtqueue *vq, const struct vq_chain *c, uint32_t written)
{
	if (!vq->ready)
		return false;
	if (written > c->in_len)
		written = (uint32_t)c->in_len;
	struct vring_used_elem e = { .id = htole32(c->head), .len = htole32(written) };
	if (!guest_mem_write(vq->gm, vq->used_addr + 4 + 8ULL * (vq->used_idx % vq->size), &e, sizeof(e)))
		return vq_fail(vq, "used ring is not guest RAM");
	/* The element must be visible before the index that publishes it. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	vq->used_idx++;
	return vq_write16(vq, vq->used_addr + 2, vq->used_idx, "used->idx");
}

bool vq_should_notify(struct virtqueue *vq)
{
	if (!vq->ready || vq->checked_used == vq->used_idx)
		return false;  /* nothing pushed since the last check */
	vq->checked_used = vq->used_idx;
	/* Our used->idx store must be ordered before reading the driver's flags. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (vq_has(vq, VIRTIO_RING_F_EVENT_IDX)) {
		uint16_t used_event = 0;
		if (!vq_read16(vq, vq->avail_addr + 4 + 2ULL * vq->size, &used_event, "used_event"))
			return false;
		uint16_t old = vq->signalled_used;
		bool valid = vq->signalled_valid;
		vq->signalled_used = vq->used_idx;
		vq->signalled_valid = true;
		return !valid || vring_need_event(used_event, vq->used_idx, old);
	}
	uint16_t flags = 0;
	if (!vq_read16(vq, vq->avail_addr, &flags, "avail->flags"))
		return false;
	return !(flags & VRING_AVAIL_F_NO_INTERRUPT);
}

void vq_set_kick_suppression(struct virtqueue *vq, bool suppress)
{
	if (!vq->ready)
		return;
	if (vq_has(vq, VIRTIO_RING_F_EVENT_IDX)) {
		if (!suppress)
			vq_write16(vq, vq->used_addr + 4 + 8ULL * vq->size, vq->last_avail, "avail_event");
		return;
	}
	vq_write16(vq, vq->used_addr, suppress ? VRING_USED_F_NO_NOTIFY : 0, "used->flags");
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* Shared walker for chain copies: visits the chain's buffers of one
 * direction from `offset` on. */
static size_t vq_chain_copy(const struct virtqueue *vq, const struct vq_chain *c, bool in,
			    uint64_t offset, void *host, const void *src, size_t len)
{
	unsigned first = in ? c->n_out : 0, n = in ? c->n_in : c->n_out;
	size_t done = 0;
	for (unsigned i = first; i < first + n && done < len; i++) {
		const struct vq_buf *b = &c->bufs[i];
		if (offset >= b->len) {
			offset -= b->len;
			continue;
		}
		size_t chunk = MIN((uint64_t)(len - done), b->len - offset);
		bool ok = in ? guest_mem_write(vq->gm, b->addr + offset, (const uint8_t *)src + done, chunk)
			     : guest_mem_read(vq->gm, b->addr + offset, (uint8_t *)host + done, chunk);
		if (!ok)
			break;
		done += chunk;
		offset = 0;
	}
	return done;
}

size_t vq_chain_read(const struct virtqueue *vq, const struct vq_chain *c, uint64_t offset,
		     void *dst, size_t len)
{
	return vq_chain_copy(vq, c, false, offset, dst, NULL, len);
}

size_t vq_chain_write(const struct virtqueue *vq, const struct vq_chain *c, uint64_t offset,
		      const void *src, size_t len)
{
	return vq_chain_copy(vq, c, true, offset, NULL, src, len);
}
