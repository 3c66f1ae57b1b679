/* qcow2 refcounts: lookups, updates (allocating refcount blocks and growing
 * the refcount table as needed), and cluster allocation at the end of the
 * file. Every cluster the image uses has refcount >= 1 when this returns,
 * which is what `qemu-img check` verifies. */
#include "hw/virtio/block/qcow2.h"

#include <string.h>

static unsigned rc_bytes(const struct qcow2 *q) { return (1u << q->refcount_order) / 8; }

static uint64_t rc_decode(const struct qcow2 *q, const uint8_t *p)
{
	switch (q->refcount_order) {
	case 3: return p[0];
	case 4: return ((uint64_t)p[0] << 8) | p[1];
	case 5: return qcow2_be32(p);
	default: return qcow2_be64(p);
	}
}

static void rc_encode(const struct qcow2 *q, uint8_t *p, uint64_t v)
{
	unsigned n = rc_bytes(q);
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

static uint64_t rc_max(const struct qcow2 *q)
{
	return q->refcount_order == 6 ? UINT64_MAX : (1ULL << (1u << q->refcount_order)) - 1;
}

bool qcow2_refcount_get(struct qcow2 *q, uint64_t host_off, uint64_t *rc, GError **err)
{
	uint64_t cidx = host_off >> q->cluster_bits;
	uint64_t ti = cidx >> q->rb_bits;
	*rc = 0;
	if (ti >= q->rt_entries || q->rt[ti] == 0)
		return true;
	uint8_t buf[8];
	uint64_t at = q->rt[ti] + (cidx & ((1ULL << q->rb_bits) - 1)) * rc_bytes(q);
	if (!blk_pread_full(q->b->fd, at, buf, rc_bytes(q), q->b->path, err))
		return false;
	*rc = rc_decode(q, buf);
	return true;
}

static bool qcow2_write_rt_entry(struct qcow2 *q, uint64_t ti, GError **err)
{
	uint64_t be = __builtin_bswap64(q->rt[ti]);
	return blk_pwrite_full(q->b->fd, q->rt_offset + 8 * ti, &be, 8, q->b->path, err);
}

static bool qcow2_write_zero_cluster(struct qcow2 *q, uint64_t off, GError **err)
{
	g_autofree uint8_t *z = g_malloc0(q->cluster_size);
	return blk_pwrite_full(q->b->fd, off, z, q->cluster_size, q->b->path, err);
}

/* Moves the refcount table to the end of the file with room for at least
 * `min_entries` entries, then fixes the refcounts of both copies. */
static bool qcow2_grow_reftable(struct qcow2 *q, uint64_t min_entries, GError **err)
{
	uint64_t entries = MAX(q->rt_entries * 2, min_entries + 1);
	uint64_t clusters = qcow2_align_up(entries * 8, q->cluster_size) >> q->cluster_bits;
	if (clusters * q->cluster_size > QCOW2_MAX_REFTABLE_BYTES)
		return qcow2_error(err, q, "refcount table would exceed %d MiB", QCOW2_MAX_REFTABLE_BYTES >> 20);
	entries = clusters * q->cluster_size / 8;
	uint64_t new_off = q->end;
	q->end += clusters * q->cluster_size;

	uint64_t *t = g_new0(uint64_t, entries);
	for (uint64_t i = 0; i < q->rt_entries; i++)
		t[i] = __builtin_bswap64(q->rt[i]);
	bool ok = blk_pwrite_full(q->b->fd, new_off, t, entries * 8, q->b->path, err);
	if (!ok) {
		g_free(t);
		return false;
	}
	for (uint64_t i = 0; i < entries; i++)
		t[i] = __builtin_bswap64(t[i]);
	uint64_t old_off = q->rt_offset, old_clusters = q->rt_clusters;
	g_free(q->rt);
	q->rt = t;
	q->rt_offset = new_off;
	q->rt_clusters = (uint32_t)clusters;
	q->rt_entries = entries;
	if (!qcow2_write_header_tables(q, err))
		return false;
	for (uint64_t i = 0; i < clusters; i++)
		if (!qcow2_refcount_add(q, new_off + i * q->cluster_size, 1, err))
			return false;
	for (uint64_t i = 0; i < old_clusters; i++)
		if (!qcow2_refcount_add(q, old_off + i * q->cluster_size, -1, err))
			return false;
	return true;
}

bool qcow2_refcount_add(struct qcow2 *q, uint64_t host_off, int delta, GError **err)
{
	uint64_t cidx = host_off >> q->cluster_bits;
	uint64_t ti = cidx >> q->rb_bits;
	if (ti >= q->rt_entries && !qcow2_grow_reftable(q, ti, err))
		return false;
	if (q->rt[ti] == 0) {
		/* A new refcount block; it counts itself (possibly in another block). */
		uint64_t blk_off = q->end;
		q->end += q->cluster_size;
		if (!qcow2_write_zero_cluster(q, blk_off, err))
			return false;
		q->rt[ti] = blk_off;
		if (!qcow2_write_rt_entry(q, ti, err) || !qcow2_refcount_add(q, blk_off, 1, err))
			return false;
	}
	uint8_t buf[8];
	unsigned n = rc_bytes(q);
	uint64_t at = q->rt[ti] + (cidx & ((1ULL << q->rb_bits) - 1)) * n;
	if (!blk_pread_full(q->b->fd, at, buf, n, q->b->path, err))
		return false;
	uint64_t rc = rc_decode(q, buf);
	if (delta < 0 && rc == 0)
		return qcow2_error(err, q, "refcount of cluster at 0x%" G_GINT64_MODIFIER "x would drop below zero "
				   "(image corrupt?)", host_off);
	if (delta > 0 && rc == rc_max(q))
		return qcow2_error(err, q, "refcount of cluster at 0x%" G_GINT64_MODIFIER "x overflows", host_off);
	rc = delta > 0 ? rc + 1 : rc - 1;
	rc_encode(q, buf, rc);
	return blk_pwrite_full(q->b->fd, at, buf, n, q->b->path, err);
}

bool qcow2_alloc_clusters(struct qcow2 *q, uint64_t n, uint64_t *host_off, GError **err)
{
	/* Skip clusters past EOF that something still counts (never expected
	 * from qemu-img, but a refcount > 0 must never be reused). */
	for (;;) {
		uint64_t start = q->end, i;
		for (i = 0; i < n; i++) {
			uint64_t rc;
			if (!qcow2_refcount_get(q, start + i * q->cluster_size, &rc, err))
				return false;
			if (rc)
				break;
		}
		if (i == n)
			break;
		q->end = start + (i + 1) * q->cluster_size;
	}
	uint64_t off = q->end;
	if (off >> 56)
		return qcow2_error(err, q, "image file would exceed 2^56 bytes");
	q->end += n * q->cluster_size;
	for (uint64_t i = 0; i < n; i++)
		if (!qcow2_refcount_add(q, off + i * q->cluster_size, 1, err))
			return false;
	*host_off = off;
	return true;
}

bool qcow2_free_entry(struct qcow2 *q, uint64_t l2e, GError **err)
{
	if (l2e & QCOW2_OFLAG_COMPRESSED) {
		unsigned x = 62 - (q->cluster_bits - 8);
		uint64_t coff = l2e & ((1ULL << x) - 1);
		uint64_t nsect = ((l2e >> x) & ((1ULL << (q->cluster_bits - 8)) - 1)) + 1;
		uint64_t first = coff & ~(uint64_t)511;
		uint64_t last = first + nsect * 512 - 1;
		for (uint64_t c = first >> q->cluster_bits; c <= last >> q->cluster_bits; c++)
			if (!qcow2_refcount_add(q, c << q->cluster_bits, -1, err))
				return false;
		return true;
	}
	uint64_t off = l2e & QCOW2_OFFSET_MASK;
	return off == 0 || qcow2_refcount_add(q, off, -1, err);
}
