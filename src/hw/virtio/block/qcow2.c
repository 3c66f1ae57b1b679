/* qcow2 images: guest-cluster mapping through L1/L2 tables, reads (normal,
 * zero, compressed, backing), writes with cluster allocation and
 * copy-on-write, discard, flush, and growing the virtual size. */
#include "hw/virtio/block/qcow2.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <string.h>
#include <unistd.h>

static inline struct qcow2 *Q(struct blk *b) { return b->priv; }

/* The L2 table at `off`, from the cache or read into it. */
static uint64_t *qcow2_l2_table(struct qcow2 *q, uint64_t off, GError **err)
{
	struct qcow2_l2_slot *victim = &q->l2c[0];
	for (unsigned i = 0; i < q->l2c_n; i++) {
		struct qcow2_l2_slot *s = &q->l2c[i];
		if (s->off == off) {
			s->used = ++q->l2c_tick;
			return s->table;
		}
		if (s->used < victim->used)
			victim = s;
	}
	if (!victim->table)
		victim->table = g_malloc(q->cluster_size);
	victim->off = 0;
	if (!blk_pread_full(q->b->fd, off, victim->table, q->cluster_size, q->b->path, err))
		return NULL;
	victim->off = off;
	victim->used = ++q->l2c_tick;
	return victim->table;
}

/* Writes L2 entry `idx` of the table at l2_off, on disk and in the cache. */
static bool qcow2_set_l2e(struct qcow2 *q, uint64_t l2_off, uint64_t idx, uint64_t v, GError **err)
{
	uint64_t be = __builtin_bswap64(v);
	if (!blk_pwrite_full(q->b->fd, l2_off + 8 * idx, &be, 8, q->b->path, err))
		return false;
	for (unsigned i = 0; i < q->l2c_n; i++)
		if (q->l2c[i].off == l2_off)
			q->l2c[i].table[idx] = be;
	return true;
}

/* The L2 entry of guest cluster `vc`; *l2_off is 0 when no L2 table exists. */
static bool qcow2_get_l2e(struct qcow2 *q, uint64_t vc, uint64_t *l2_off, uint64_t *l2e, GError **err)
{
	uint64_t l1i = vc >> q->l2_bits;
	*l2_off = 0;
	*l2e = 0;
	if (l1i >= q->l1_size)
		return true;
	uint64_t off = q->l1[l1i] & QCOW2_OFFSET_MASK;
	if (off & (q->cluster_size - 1))
		return qcow2_error(err, q, "L1 entry %" G_GUINT64_FORMAT " points to unaligned L2 table 0x%"
				   G_GINT64_MODIFIER "x", l1i, off);
	if (!off)
		return true;
	uint64_t *t = qcow2_l2_table(q, off, err);
	if (!t)
		return false;
	*l2_off = off;
	*l2e = __builtin_bswap64(t[vc & ((1ULL << q->l2_bits) - 1)]);
	if (!(*l2e & QCOW2_OFLAG_COMPRESSED) && ((*l2e & QCOW2_OFFSET_MASK) & (q->cluster_size - 1)))
		return qcow2_error(err, q, "L2 entry for guest offset 0x%" G_GINT64_MODIFIER "x points to "
				   "unaligned cluster 0x%" G_GINT64_MODIFIER "x", vc << q->cluster_bits,
				   (uint64_t)(*l2e & QCOW2_OFFSET_MASK));
	return true;
}

/* Reads [co, co+n) of guest cluster vc (n within one cluster). */
static bool qcow2_read_piece(struct qcow2 *q, uint64_t vc, uint64_t co, uint8_t *buf, size_t n, GError **err)
{
	uint64_t l2_off, l2e;
	if (!qcow2_get_l2e(q, vc, &l2_off, &l2e, err))
		return false;
	if (l2e & QCOW2_OFLAG_COMPRESSED) {
		if (!qcow2_decompress(q, l2e, err))
			return false;
		memcpy(buf, q->zcache + co, n);
		return true;
	}
	uint64_t off = l2e & QCOW2_OFFSET_MASK;
	if (l2e & QCOW2_OFLAG_ZERO) {
		memset(buf, 0, n);
		return true;
	}
	if (off)
		return blk_pread_full(q->b->fd, off + co, buf, n, q->b->path, err);
	uint64_t goff = (vc << q->cluster_bits) + co;
	memset(buf, 0, n);
	if (q->backing && goff < q->backing->size) {
		size_t m = (size_t)MIN((uint64_t)n, q->backing->size - goff);
		return blk_read(q->backing, goff, buf, m, err);
	}
	return true;
}

static bool qcow2_read(struct blk *b, uint64_t off, void *buf, size_t len, GError **err)
{
	struct qcow2 *q = Q(b);
	uint8_t *p = buf;
	while (len) {
		uint64_t co = off & (q->cluster_size - 1);
		size_t n = (size_t)MIN((uint64_t)len, q->cluster_size - co);
		if (!qcow2_read_piece(q, off >> q->cluster_bits, co, p, n, err))
			return false;
		p += n;
		off += n;
		len -= n;
	}
	return true;
}

static bool qcow2_put_be64(struct qcow2 *q, uint64_t at, uint64_t v, GError **err)
{
	uint64_t be = __builtin_bswap64(v);
	return blk_pwrite_full(q->b->fd, at, &be, 8, q->b->path, err);
}

/* The L2 table for guest cluster vc, allocated (zeroed) when missing. */
static bool qcow2_ensure_l2(struct qcow2 *q, uint64_t vc, uint64_t *l2_off, GError **err)
{
	uint64_t l1i = vc >> q->l2_bits;
	if (l1i >= q->l1_size)
		return qcow2_error(err, q, "guest cluster %" G_GUINT64_FORMAT " has no L1 slot", vc);
	uint64_t off = q->l1[l1i] & QCOW2_OFFSET_MASK;
	if (off) {
		*l2_off = off;
		return true;
	}
	g_autofree uint8_t *z = g_malloc0(q->cluster_size);
	if (!qcow2_alloc_clusters(q, 1, &off, err) ||
	    !blk_pwrite_full(q->b->fd, off, z, q->cluster_size, q->b->path, err))
		return false;
	q->l1[l1i] = off | QCOW2_OFLAG_COPIED;
	*l2_off = off;
	return qcow2_put_be64(q, q->l1_offset + 8 * l1i, q->l1[l1i], err);
}

static void qcow2_punch_if_free(struct qcow2 *q, uint64_t l2e)
{
	uint64_t off = l2e & QCOW2_OFFSET_MASK, rc = 1;
	if ((l2e & QCOW2_OFLAG_COMPRESSED) || !off)
		return;
	if (qcow2_refcount_get(q, off, &rc, NULL) && rc == 0)
		fallocate(q->b->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)q->cluster_size);
}

/* Writes [co, co+n) of guest cluster vc (n within one cluster). */
static bool qcow2_write_piece(struct qcow2 *q, uint64_t vc, uint64_t co, const uint8_t *buf, size_t n,
			      GError **err)
{
	uint64_t l2_off, l2e;
	if (!qcow2_ensure_l2(q, vc, &l2_off, err) || !qcow2_get_l2e(q, vc, &l2_off, &l2e, err))
		return false;
	uint64_t off = l2e & QCOW2_OFFSET_MASK;
	bool compressed = l2e & QCOW2_OFLAG_COMPRESSED;
	bool owned = !compressed && off && (l2e & QCOW2_OFLAG_COPIED);
	if (owned && !(l2e & QCOW2_OFLAG_ZERO))
		return blk_pwrite_full(q->b->fd, off + co, buf, n, q->b->path, err);

	/* Build the whole new cluster: old contents (compressed, zero,
	 * backing or shared) with the new bytes on top. */
	const uint8_t *data = buf;
	if (n != q->cluster_size) {
		if (!qcow2_read_piece(q, vc, 0, q->scratch, q->cluster_size, err))
			return false;
		memcpy(q->scratch + co, buf, n);
		data = q->scratch;
	}
	uint64_t l2i = vc & ((1ULL << q->l2_bits) - 1);
	if (owned) {  /* preallocated zero cluster: fill in place */
		return blk_pwrite_full(q->b->fd, off, data, q->cluster_size, q->b->path, err) &&
		       qcow2_set_l2e(q, l2_off, l2i, off | QCOW2_OFLAG_COPIED, err);
	}
	uint64_t new_off;
	if (!qcow2_alloc_clusters(q, 1, &new_off, err) ||
	    !blk_pwrite_full(q->b->fd, new_off, data, q->cluster_size, q->b->path, err) ||
	    !qcow2_set_l2e(q, l2_off, l2i, new_off | QCOW2_OFLAG_COPIED, err))
		return false;
	if (compressed && q->zcache_entry == l2e)
		q->zcache_entry = 0;
	if (!compressed && !off)
		return true;
	if (!qcow2_free_entry(q, l2e, err))
		return false;
	qcow2_punch_if_free(q, l2e);
	return true;
}

static bool qcow2_write(struct blk *b, uint64_t off, const void *buf, size_t len, GError **err)
{
	struct qcow2 *q = Q(b);
	const uint8_t *p = buf;
	while (len) {
		uint64_t co = off & (q->cluster_size - 1);
		size_t n = (size_t)MIN((uint64_t)len, q->cluster_size - co);
		if (!qcow2_write_piece(q, off >> q->cluster_bits, co, p, n, err))
			return false;
		p += n;
		off += n;
		len -= n;
	}
	return true;
}

static bool qcow2_flush(struct blk *b, GError **err)
{
	if (fdatasync(b->fd) < 0) {
		int e = errno;
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e), "%s: fdatasync failed: %s",
			    b->path, g_strerror(e));
		return false;
	}
	return true;
}

/* Whole clusters in the range become unallocated (or zero when a backing
 * file would otherwise show through); partial clusters are left alone. */
static bool qcow2_discard(struct blk *b, uint64_t off, uint64_t len, GError **err)
{
	struct qcow2 *q = Q(b);
	uint64_t first = qcow2_align_up(off, q->cluster_size) >> q->cluster_bits;
	uint64_t end = (off + len) >> q->cluster_bits;
	for (uint64_t vc = first; vc < end; vc++) {
		uint64_t l2_off, l2e;
		if (!qcow2_get_l2e(q, vc, &l2_off, &l2e, err))
			return false;
		if (!l2_off || l2e == 0 || l2e == QCOW2_OFLAG_ZERO)
			continue;
		uint64_t repl = 0;
		if (q->backing) {
			if (q->version < 3)
				continue;  /* v2 cannot express "zero": keep the data */
			repl = QCOW2_OFLAG_ZERO;
		}
		if (!qcow2_set_l2e(q, l2_off, vc & ((1ULL << q->l2_bits) - 1), repl, err))
			return false;
		if (q->zcache_entry == l2e)
			q->zcache_entry = 0;
		if (!qcow2_free_entry(q, l2e, err))
			return false;
		qcow2_punch_if_free(q, l2e);
	}
	return true;
}

bool blk_qcow2_grow(struct blk *b, uint64_t new_size, GError **err)
{
	struct qcow2 *q = Q(b);
	if (b->ops->read != qcow2_read || b->readonly || new_size < b->size || new_size > (1ULL << 56)) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: cannot grow to %" G_GUINT64_FORMAT
			    " bytes (writable qcow2 only, no shrinking)", b->path, new_size);
		return false;
	}
	uint64_t span = q->cluster_size << q->l2_bits;
	uint64_t needed = (new_size + span - 1) / span;
	if (needed > q->l1_size) {
		if (needed * 8 > QCOW2_MAX_L1_BYTES)
			return qcow2_error(err, q, "L1 table for %" G_GUINT64_FORMAT " bytes exceeds %d MiB",
					   new_size, QCOW2_MAX_L1_BYTES >> 20);
		uint64_t clusters = qcow2_align_up(needed * 8, q->cluster_size) >> q->cluster_bits;
		uint64_t entries = clusters * q->cluster_size / 8;
		uint64_t new_off;
		if (!qcow2_alloc_clusters(q, clusters, &new_off, err))
			return false;
		g_autofree uint64_t *t = g_new0(uint64_t, entries);
		for (uint64_t i = 0; i < q->l1_size; i++)
			t[i] = __builtin_bswap64(q->l1[i]);
		if (!blk_pwrite_full(b->fd, new_off, t, entries * 8, b->path, err))
			return false;
		uint64_t old_off = q->l1_offset;
		uint64_t old_clusters = qcow2_align_up((uint64_t)q->l1_size * 8, q->cluster_size) >> q->cluster_bits;
		q->l1 = g_renew(uint64_t, q->l1, needed);
		memset(q->l1 + q->l1_size, 0, (needed - q->l1_size) * 8);
		q->l1_offset = new_off;
		q->l1_size = (uint32_t)needed;
		b->size = new_size;
		if (!qcow2_write_header_tables(q, err))
			return false;
		for (uint64_t i = 0; old_off && i < old_clusters; i++)
			if (!qcow2_refcount_add(q, old_off + i * q->cluster_size, -1, err))
				return false;
		return true;
	}
	b->size = new_size;
	return qcow2_write_header_tables(q, err);
}

static void qcow2_close(struct blk *b)
{
	struct qcow2 *q = Q(b);
	if (!q)
		return;
	blk_close(q->backing);
	g_free(q->l1);
	g_free(q->rt);
	g_free(q->zcache);
	g_free(q->scratch);
	for (unsigned i = 0; i < QCOW2_L2_CACHE; i++)
		g_free(q->l2c[i].table);
	g_free(q);
}

static const struct blk_ops qcow2_ops = {
	.read = qcow2_read,
	.write = qcow2_write,
	.flush = qcow2_flush,
	.discard = qcow2_discard,
	.close = qcow2_close,
};

struct blk *blk_qcow2_open(const char *path, int fd, bool readonly, unsigned depth, GError **err)
{
	struct blk *b = g_new0(struct blk, 1);
	struct qcow2 *q = g_new0(struct qcow2, 1);
	b->ops = &qcow2_ops;
	b->path = g_strdup(path);
	b->readonly = readonly;
	b->fd = fd;
	b->priv = q;
	q->b = b;
	if (!qcow2_parse_header(q, depth, err)) {
		b->fd = -1;  /* the caller closes it */
		blk_close(b);
		return NULL;
	}
	q->zcache = g_malloc(q->cluster_size);
	q->scratch = g_malloc(q->cluster_size);
	/* At most 16 MiB of cached L2 tables, at least 4 of them. */
	q->l2c_n = (unsigned)MAX(4, MIN((uint64_t)QCOW2_L2_CACHE, (16ULL << 20) >> q->cluster_bits));
	return b;
}
