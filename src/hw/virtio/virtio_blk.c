/* virtio-blk request processing; see virtio_blk.h. */
#include "hw/virtio/virtio_blk.h"

#include <endian.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_ids.h>
#include <string.h>

#define BLK_BOUNCE (128 * 1024)
#define BLK_SEG_MAX 126
#define BLK_MAX_DISCARD_SEG 32

static uint8_t blk_rw(struct virtio_blk *vb, struct virtqueue *vq, struct vq_chain *c, bool write,
		      uint64_t sector, uint64_t *written)
{
	uint64_t len = write ? c->out_len - sizeof(struct virtio_blk_outhdr) : c->in_len - 1;
	if (len % 512 || sector > vb->disk->size / 512 || len / 512 > vb->disk->size / 512 - sector)
		return VIRTIO_BLK_S_IOERR;
	if (write && vb->disk->readonly)
		return VIRTIO_BLK_S_IOERR;
	uint64_t off = sector * 512;
	for (uint64_t done = 0; done < len;) {
		size_t n = (size_t)MIN(len - done, (uint64_t)BLK_BOUNCE);
		g_autoptr(GError) err = NULL;
		bool ok;
		if (write) {
			ok = vq_chain_read(vq, c, sizeof(struct virtio_blk_outhdr) + done, vb->bounce, n) == n &&
			     blk_write(vb->disk, off + done, vb->bounce, n, &err);
		} else {
			ok = blk_read(vb->disk, off + done, vb->bounce, n, &err) &&
			     vq_chain_write(vq, c, done, vb->bounce, n) == n;
			*written += n;
		}
		if (!ok) {
			if (err)
				g_warning("%s: %s", vb->vdev.name, err->message);
			return VIRTIO_BLK_S_IOERR;
		}
		done += n;
	}
	return VIRTIO_BLK_S_OK;
}

static uint8_t blk_discard_req(struct virtio_blk *vb, struct virtqueue *vq, struct vq_chain *c)
{
	uint64_t len = c->out_len - sizeof(struct virtio_blk_outhdr);
	if (vb->disk->readonly || len == 0 || len % sizeof(struct virtio_blk_discard_write_zeroes) ||
	    len / sizeof(struct virtio_blk_discard_write_zeroes) > BLK_MAX_DISCARD_SEG)
		return VIRTIO_BLK_S_IOERR;
	for (uint64_t o = 0; o < len; o += sizeof(struct virtio_blk_discard_write_zeroes)) {
		struct virtio_blk_discard_write_zeroes seg;
		if (vq_chain_read(vq, c, sizeof(struct virtio_blk_outhdr) + o, &seg, sizeof(seg)) != sizeof(seg))
			return VIRTIO_BLK_S_IOERR;
		uint64_t sector = le64toh(seg.sector), n = le32toh(seg.num_sectors);
		if (le32toh(seg.flags) != 0)
			return VIRTIO_BLK_S_UNSUPP;
		if (sector > vb->disk->size / 512 || n > vb->disk->size / 512 - sector)
			return VIRTIO_BLK_S_IOERR;
		g_autoptr(GError) err = NULL;
		if (!blk_discard(vb->disk, sector * 512, n * 512, &err)) {
			g_warning("%s: %s", vb->vdev.name, err->message);
			return VIRTIO_BLK_S_IOERR;
		}
	}
	return VIRTIO_BLK_S_OK;
}

/* One request; false when the chain is too malformed to answer. */
static bool blk_request(struct virtio_blk *vb, struct virtqueue *vq, struct vq_chain *c)
{
	struct virtio_blk_outhdr h;
	if (c->out_len < sizeof(h) || c->in_len < 1) {
		virtio_dev_fail(&vb->vdev, "request %u without a %zu-byte header and a status byte "
				"(%" G_GUINT64_FORMAT " readable, %" G_GUINT64_FORMAT " writable bytes)",
				c->head, sizeof(h), c->out_len, c->in_len);
		return false;
	}
	vq_chain_read(vq, c, 0, &h, sizeof(h));
	uint32_t type = le32toh(h.type);
	uint64_t written = 0;
	uint8_t status;
	vb->requests++;
	switch (type) {
	case VIRTIO_BLK_T_IN:
		status = blk_rw(vb, vq, c, false, le64toh(h.sector), &written);
		break;
	case VIRTIO_BLK_T_OUT:
		status = blk_rw(vb, vq, c, true, le64toh(h.sector), &written);
		break;
	case VIRTIO_BLK_T_FLUSH: {
		g_autoptr(GError) err = NULL;
		status = blk_flush(vb->disk, &err) ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR;
		if (err)
			g_warning("%s: %s", vb->vdev.name, err->message);
		break;
	}
	case VIRTIO_BLK_T_GET_ID: {
		char id[VIRTIO_BLK_ID_BYTES] = { 0 };
		memcpy(id, vb->serial, MIN(strlen(vb->serial), sizeof(id)));
		written = vq_chain_write(vq, c, 0, id, (size_t)MIN((uint64_t)sizeof(id), c->in_len - 1));
		status = VIRTIO_BLK_S_OK;
		break;
	}
	case VIRTIO_BLK_T_DISCARD:
		status = blk_discard_req(vb, vq, c);
		break;
	default:
		status = VIRTIO_BLK_S_UNSUPP;
	}
	if (status != VIRTIO_BLK_S_OK)
		vb->io_errors++;
	vq_chain_write(vq, c, c->in_len - 1, &status, 1);
	return vq_push(vq, c, (uint32_t)MIN(written + 1, (uint64_t)UINT32_MAX));
}

static void blk_queue_notify(struct virtio_dev *d, unsigned q)
{
	struct virtio_blk *vb = d->opaque;
	struct virtqueue *vq = &d->queues[q];
	for (;;) {
		enum vq_pop_result r = vq_pop(vq, &vb->chain);
		if (r == VQ_POP_EMPTY)
			break;
		if (r == VQ_POP_ERROR) {
			virtio_dev_fail(d, "%s", vq->error);
			break;
		}
		if (!blk_request(vb, vq, &vb->chain))
			break;
	}
	virtio_dev_queue_interrupt(d, q);
}

static const struct virtio_dev_ops blk_ops = {
	.queue_notify = blk_queue_notify,
};

struct virtio_blk *virtio_blk_create(const char *name, struct blk *disk, const char *serial,
				     const struct guest_mem *gm)
{
	struct virtio_blk *vb = g_new0(struct virtio_blk, 1);
	uint64_t f = (1ULL << VIRTIO_BLK_F_SEG_MAX) | (1ULL << VIRTIO_BLK_F_BLK_SIZE) |
		     (1ULL << VIRTIO_BLK_F_FLUSH);
	if (disk->readonly)
		f |= 1ULL << VIRTIO_BLK_F_RO;
	else
		f |= 1ULL << VIRTIO_BLK_F_DISCARD;
	virtio_dev_init(&vb->vdev, name, VIRTIO_ID_BLOCK, f, 1, VIRTIO_BLK_QUEUE_SIZE,
			sizeof(struct virtio_blk_config), gm, &blk_ops, vb);
	vb->disk = disk;
	g_strlcpy(vb->serial, serial ? serial : "", sizeof(vb->serial));
	vb->bounce = g_malloc(BLK_BOUNCE);
	struct virtio_blk_config cfg = { 0 };
	cfg.capacity = htole64(disk->size / 512);
	cfg.seg_max = htole32(BLK_SEG_MAX);
	cfg.blk_size = htole32(512);
	cfg.num_queues = htole16(1);
	cfg.max_discard_sectors = htole32(UINT32_MAX / 512);
	cfg.max_discard_seg = htole32(BLK_MAX_DISCARD_SEG);
	cfg.discard_sector_alignment = htole32(1);
	memcpy(vb->vdev.config, &cfg, sizeof(cfg));
	return vb;
}

void virtio_blk_destroy(struct virtio_blk *vb)
{
	if (!vb)
		return;
	virtio_dev_destroy(&vb->vdev);
	blk_close(vb->disk);
	g_free(vb->bounce);
	g_free(vb);
}
