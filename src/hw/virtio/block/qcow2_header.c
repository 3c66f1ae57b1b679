/* qcow2 header: parsing and validation of every field, header extensions,
 * the backing file, and loading the L1 and refcount tables. */
#include "hw/virtio/block/qcow2.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

bool qcow2_error(GError **err, struct qcow2 *q, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_autofree char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: qcow2: %s", q->b->path, msg);
	return false;
}

/* Loads a table of big-endian u64s into host order. */
static bool qcow2_load_table(struct qcow2 *q, uint64_t off, uint64_t entries, uint64_t **out,
			     uint64_t alloc_entries, GError **err)
{
	uint64_t *t = g_new0(uint64_t, alloc_entries ? alloc_entries : 1);
	if (!blk_pread_full(q->b->fd, off, t, entries * 8, q->b->path, err)) {
		g_free(t);
		return false;
	}
	for (uint64_t i = 0; i < entries; i++)
		t[i] = __builtin_bswap64(t[i]);
	*out = t;
	return true;
}

static bool qcow2_read_extensions(struct qcow2 *q, const uint8_t *hdr, char *backing_fmt,
				  size_t fmt_len, GError **err)
{
	uint64_t off = q->header_length;
	while (off + 8 <= q->cluster_size) {
		uint32_t type = qcow2_be32(hdr + off), len = qcow2_be32(hdr + off + 4);
		off += 8;
		if (type == QCOW2_EXT_END)
			return true;
		if (len > q->cluster_size - off)
			return qcow2_error(err, q, "header extension 0x%08x of %u bytes runs past the first cluster",
					   type, len);
		if (type == QCOW2_EXT_BACKING_FORMAT) {
			if (len >= fmt_len)
				return qcow2_error(err, q, "backing format name of %u bytes is too long", len);
			memcpy(backing_fmt, hdr + off, len);
			backing_fmt[len] = '\0';
		}
		off += qcow2_align_up(len, 8);
	}
	return qcow2_error(err, q, "header extensions are not terminated within the first cluster");
}

static bool qcow2_open_backing(struct qcow2 *q, const uint8_t *hdr, uint64_t name_off,
			       uint32_t name_len, const char *fmt_name, unsigned depth, GError **err)
{
	char name[1024];
	if (name_len == 0 || name_len >= sizeof(name))
		return qcow2_error(err, q, "backing file name length %u is not in [1, 1023]", name_len);
	if (name_off < 72 || name_off > q->cluster_size || name_len > q->cluster_size - name_off)
		return qcow2_error(err, q, "backing file name at %" G_GUINT64_FORMAT " is not in the first cluster",
				   name_off);
	memcpy(name, hdr + name_off, name_len);
	name[name_len] = '\0';
	if (strlen(name) != name_len)
		return qcow2_error(err, q, "backing file name contains a NUL byte");
	g_autofree char *path = NULL;
	if (g_path_is_absolute(name)) {
		path = g_strdup(name);
	} else {
		g_autofree char *dir = g_path_get_dirname(q->b->path);
		path = g_build_filename(dir, name, NULL);
	}
	enum blk_format fmt = BLK_FORMAT_AUTO;
	if (fmt_name[0] && !blk_parse_format(fmt_name, &fmt))
		return qcow2_error(err, q, "backing file format '%s' is not supported (raw or qcow2)", fmt_name);
	GError *e = NULL;
	q->backing = blk_open_depth(path, fmt, true, depth + 1, &e);
	if (!q->backing) {
		qcow2_error(err, q, "backing file: %s", e->message);
		g_error_free(e);
		return false;
	}
	return true;
}

bool qcow2_parse_header(struct qcow2 *q, unsigned depth, GError **err)
{
	struct blk *b = q->b;
	uint8_t first[512];
	if (!blk_pread_full(b->fd, 0, first, sizeof(first), b->path, err))
		return false;
	if (qcow2_be32(first) != QCOW2_MAGIC)
		return qcow2_error(err, q, "bad magic (not a qcow2 image)");
	q->version = qcow2_be32(first + 4);
	if (q->version != 2 && q->version != 3)
		return qcow2_error(err, q, "version %u is not supported (2 or 3)", q->version);
	q->cluster_bits = qcow2_be32(first + 20);
	if (q->cluster_bits < 9 || q->cluster_bits > 21)
		return qcow2_error(err, q, "cluster_bits %u is not in [9, 21]", q->cluster_bits);
	q->cluster_size = 1ULL << q->cluster_bits;
	q->l2_bits = q->cluster_bits - 3;

	g_autofree uint8_t *hdr = g_malloc0(q->cluster_size);
	if (!blk_pread_full(b->fd, 0, hdr, q->cluster_size, b->path, err))
		return false;

	uint64_t backing_off = qcow2_be64(hdr + 8);
	uint32_t backing_len = qcow2_be32(hdr + 16);
	uint64_t size = qcow2_be64(hdr + 24);
	uint32_t crypt = qcow2_be32(hdr + 32);
	q->l1_size = qcow2_be32(hdr + 36);
	q->l1_offset = qcow2_be64(hdr + 40);
	q->rt_offset = qcow2_be64(hdr + 48);
	q->rt_clusters = qcow2_be32(hdr + 56);
	q->nb_snapshots = qcow2_be32(hdr + 60);
	uint64_t snap_off = qcow2_be64(hdr + 64);
	uint64_t incompat = 0;
	q->refcount_order = 4;
	q->header_length = 72;
	q->compression_type = 0;
	if (q->version == 3) {
		incompat = qcow2_be64(hdr + 72);
		q->refcount_order = qcow2_be32(hdr + 96);
		q->header_length = qcow2_be32(hdr + 100);
		if (q->header_length < 104 || q->header_length > q->cluster_size)
			return qcow2_error(err, q, "header_length %u is not in [104, cluster size]", q->header_length);
		if (q->header_length > 104)
			q->compression_type = hdr[104];
	}
	if (crypt)
		return qcow2_error(err, q, "encrypted images (crypt_method %u) are not supported", crypt);
	uint64_t unknown = incompat & ~(QCOW2_INCOMPAT_DIRTY | QCOW2_INCOMPAT_CORRUPT |
					 QCOW2_INCOMPAT_DATA_FILE | QCOW2_INCOMPAT_COMPRESSION |
					 QCOW2_INCOMPAT_EXTL2);
	if (unknown)
		return qcow2_error(err, q, "unknown incompatible features 0x%" G_GINT64_MODIFIER "x", unknown);
	if (incompat & QCOW2_INCOMPAT_DATA_FILE)
		return qcow2_error(err, q, "external data files are not supported");
	if (incompat & QCOW2_INCOMPAT_EXTL2)
		return qcow2_error(err, q, "extended L2 entries (subclusters) are not supported");
	if (q->compression_type > 1)
		return qcow2_error(err, q, "compression type %u is not supported (0 zlib, 1 zstd)",
				   q->compression_type);
	if (q->compression_type != 0 && !(incompat & QCOW2_INCOMPAT_COMPRESSION))
		return qcow2_error(err, q, "compression type %u without the compression-type incompatible bit",
				   q->compression_type);
	if (!b->readonly && (incompat & QCOW2_INCOMPAT_CORRUPT))
		return qcow2_error(err, q, "image is marked corrupt; open it read-only or repair it with "
				   "'qemu-img check -r all'");
	if (!b->readonly && (incompat & QCOW2_INCOMPAT_DIRTY))
		return qcow2_error(err, q, "image is dirty (lazy refcounts); repair it with 'qemu-img check -r all' "
				   "before writing");
	if (q->refcount_order < 3 || q->refcount_order > 6)
		return qcow2_error(err, q, "refcount width of %u bits is not supported (8 to 64)",
				   1u << MIN(q->refcount_order, 31u));
	q->rb_bits = q->cluster_bits + 3 - q->refcount_order;
	if (!b->readonly && q->nb_snapshots)
		return qcow2_error(err, q, "images with internal snapshots (%u) can only be opened read-only",
				   q->nb_snapshots);
	if (q->nb_snapshots && (snap_off & (q->cluster_size - 1)))
		return qcow2_error(err, q, "snapshot table offset 0x%" G_GINT64_MODIFIER "x is not cluster aligned",
				   snap_off);

	/* Every guest cluster must have an L1 slot; the L1 table is bounded. */
	uint64_t l2_span = q->cluster_size << q->l2_bits;
	if (size > (1ULL << 56))
		return qcow2_error(err, q, "virtual size %" G_GUINT64_FORMAT " is too large", size);
	uint64_t l1_needed = (size + l2_span - 1) / l2_span;
	if ((uint64_t)q->l1_size * 8 > QCOW2_MAX_L1_BYTES)
		return qcow2_error(err, q, "L1 table of %u entries is larger than %d MiB", q->l1_size,
				   QCOW2_MAX_L1_BYTES >> 20);
	if (q->l1_size < l1_needed)
		return qcow2_error(err, q, "L1 table of %u entries is too small for the virtual size (needs %"
				   G_GUINT64_FORMAT ")", q->l1_size, l1_needed);
	if (q->l1_size && (q->l1_offset == 0 || (q->l1_offset & (q->cluster_size - 1))))
		return qcow2_error(err, q, "L1 table offset 0x%" G_GINT64_MODIFIER "x is not a non-zero cluster "
				   "aligned offset", q->l1_offset);
	if (q->rt_offset == 0 || (q->rt_offset & (q->cluster_size - 1)))
		return qcow2_error(err, q, "refcount table offset 0x%" G_GINT64_MODIFIER "x is not a non-zero "
				   "cluster aligned offset", q->rt_offset);
	if (q->rt_clusters == 0 || (uint64_t)q->rt_clusters * q->cluster_size > QCOW2_MAX_REFTABLE_BYTES)
		return qcow2_error(err, q, "refcount table of %u clusters is not in [1, %d MiB]", q->rt_clusters,
				   QCOW2_MAX_REFTABLE_BYTES >> 20);
	if (q->l1_offset > (1ULL << 56) || q->rt_offset > (1ULL << 56))
		return qcow2_error(err, q, "table offsets beyond 2^56");

	char backing_fmt[32] = "";
	if (!qcow2_read_extensions(q, hdr, backing_fmt, sizeof(backing_fmt), err))
		return false;

	struct stat st;
	if (fstat(b->fd, &st) < 0)
		return qcow2_error(err, q, "stat failed");
	q->end = qcow2_align_up((uint64_t)st.st_size, q->cluster_size);
	if (q->l1_size && q->l1_offset + (uint64_t)q->l1_size * 8 > q->end)
		return qcow2_error(err, q, "L1 table at 0x%" G_GINT64_MODIFIER "x runs past the end of the file",
				   q->l1_offset);
	q->rt_entries = (uint64_t)q->rt_clusters * q->cluster_size / 8;
	if (q->rt_offset + q->rt_entries * 8 > q->end)
		return qcow2_error(err, q, "refcount table at 0x%" G_GINT64_MODIFIER "x runs past the end of the file",
				   q->rt_offset);
	if (!qcow2_load_table(q, q->l1_offset, q->l1_size, &q->l1, q->l1_size, err) ||
	    !qcow2_load_table(q, q->rt_offset, q->rt_entries, &q->rt, q->rt_entries, err))
		return false;
	for (uint64_t i = 0; i < q->rt_entries; i++) {
		if (q->rt[i] & (q->cluster_size - 1))
			return qcow2_error(err, q, "refcount table entry %" G_GUINT64_FORMAT " (0x%" G_GINT64_MODIFIER
					   "x) is not cluster aligned", i, q->rt[i]);
	}
	b->size = size;
	if (backing_off)
		return qcow2_open_backing(q, hdr, backing_off, backing_len, backing_fmt, depth, err);
	return true;
}

/* Rewrites the header fields that change when tables move or grow. */
bool qcow2_write_header_tables(struct qcow2 *q, GError **err)
{
	uint8_t f[40];
	uint64_t v64;
	uint32_t v32;
	v64 = __builtin_bswap64(q->b->size);
	memcpy(f, &v64, 8);                       /* size at 24 */
	v32 = 0;
	memcpy(f + 8, &v32, 4);                   /* crypt_method at 32 */
	v32 = __builtin_bswap32(q->l1_size);
	memcpy(f + 12, &v32, 4);                  /* l1_size at 36 */
	v64 = __builtin_bswap64(q->l1_offset);
	memcpy(f + 16, &v64, 8);                  /* l1_table_offset at 40 */
	v64 = __builtin_bswap64(q->rt_offset);
	memcpy(f + 24, &v64, 8);                  /* refcount_table_offset at 48 */
	v32 = __builtin_bswap32(q->rt_clusters);
	memcpy(f + 32, &v32, 4);                  /* refcount_table_clusters at 56 */
	v32 = __builtin_bswap32(q->nb_snapshots);
	memcpy(f + 36, &v32, 4);                  /* nb_snapshots at 60 */
	return blk_pwrite_full(q->b->fd, 24, f, sizeof(f), q->b->path, err);
}
