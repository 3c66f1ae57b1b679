/* qcow2 internals shared by the qcow2 files (header, refcounts, I/O).
 * Format: QEMU's docs/interop/qcow2.txt; versions 2 and 3, standard (not
 * extended) L2 entries, refcount widths 8-64 bits, zlib or zstd compressed
 * clusters (read; overwriting one allocates a normal cluster). Not
 * supported (refused with a message): encryption, external data files,
 * extended L2, writing images with internal snapshots or a dirty/corrupt
 * flag. */
#ifndef TANDEM_QCOW2_H
#define TANDEM_QCOW2_H

#include "hw/virtio/block/blk.h"

#define QCOW2_MAGIC 0x514649fbu  /* "QFI\xfb" */

#define QCOW2_OFLAG_COPIED     (1ULL << 63)
#define QCOW2_OFLAG_COMPRESSED (1ULL << 62)
#define QCOW2_OFLAG_ZERO       1ULL
#define QCOW2_OFFSET_MASK      0x00fffffffffffe00ULL  /* bits 9-55 */

#define QCOW2_INCOMPAT_DIRTY       (1ULL << 0)
#define QCOW2_INCOMPAT_CORRUPT     (1ULL << 1)
#define QCOW2_INCOMPAT_DATA_FILE   (1ULL << 2)
#define QCOW2_INCOMPAT_COMPRESSION (1ULL << 3)
#define QCOW2_INCOMPAT_EXTL2       (1ULL << 4)

#define QCOW2_EXT_END            0x00000000u
#define QCOW2_EXT_BACKING_FORMAT 0xe2792acau

#define QCOW2_MAX_L1_BYTES       (32 * 1024 * 1024)
#define QCOW2_MAX_REFTABLE_BYTES (8 * 1024 * 1024)

/* Recently used L2 tables (raw, big-endian), kept coherent by writing
 * every L2 entry through qcow2_set_l2e. */
#define QCOW2_L2_CACHE 16
struct qcow2_l2_slot {
	uint64_t off;               /* 0: empty */
	uint64_t used;              /* LRU tick */
	uint64_t *table;
};

struct qcow2 {
	struct blk *b;              /* the image (fd, path) */
	uint32_t version;
	uint32_t cluster_bits;
	uint64_t cluster_size;
	uint32_t l2_bits;           /* log2(entries per L2 table) */
	uint32_t refcount_order;    /* refcount width = 1 << order bits */
	uint32_t rb_bits;           /* log2(entries per refcount block) */
	uint64_t l1_offset;
	uint32_t l1_size;           /* entries */
	uint64_t *l1;               /* host byte order */
	uint64_t rt_offset;
	uint32_t rt_clusters;
	uint64_t rt_entries;
	uint64_t *rt;               /* refcount table, host byte order */
	uint32_t header_length;
	uint32_t nb_snapshots;
	uint8_t compression_type;   /* 0 zlib, 1 zstd */
	uint64_t end;               /* first free host byte (cluster aligned) */
	struct blk *backing;
	/* Last decompressed cluster (compressed reads are whole-cluster). */
	uint64_t zcache_entry;
	uint8_t *zcache;
	uint8_t *scratch;           /* one cluster for read-modify-write */
	struct qcow2_l2_slot l2c[QCOW2_L2_CACHE];
	unsigned l2c_n;             /* slots in use for this cluster size */
	uint64_t l2c_tick;
};

/* Header parsing and validation; fills q and opens the backing file. */
bool qcow2_parse_header(struct qcow2 *q, unsigned depth, GError **err);
bool qcow2_write_header_tables(struct qcow2 *q, GError **err);

/* Refcounts and cluster allocation (appends at the end of the file). */
bool qcow2_refcount_get(struct qcow2 *q, uint64_t host_off, uint64_t *rc, GError **err);
bool qcow2_refcount_add(struct qcow2 *q, uint64_t host_off, int delta, GError **err);
bool qcow2_alloc_clusters(struct qcow2 *q, uint64_t n, uint64_t *host_off, GError **err);
/* Drops the references an L2 entry holds (normal or compressed). */
bool qcow2_free_entry(struct qcow2 *q, uint64_t l2e, GError **err);

/* Decompresses the compressed cluster `l2e` into q->zcache. */
bool qcow2_decompress(struct qcow2 *q, uint64_t l2e, GError **err);

bool qcow2_error(GError **err, struct qcow2 *q, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static inline uint64_t qcow2_be64(const void *p)
{
	uint64_t v;
	__builtin_memcpy(&v, p, 8);
	return __builtin_bswap64(v);
}
static inline uint32_t qcow2_be32(const void *p)
{
	uint32_t v;
	__builtin_memcpy(&v, p, 4);
	return __builtin_bswap32(v);
}
static inline uint64_t qcow2_align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

#endif
