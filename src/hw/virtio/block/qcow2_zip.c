/* qcow2 compressed clusters: raw deflate (zlib, compression type 0) or
 * zstd (type 1). A compressed cluster's stored length is rounded up to
 * 512-byte sectors, so trailing bytes after the stream are ignored. */
#include "hw/virtio/block/qcow2.h"

#include <zlib.h>
#include <zstd.h>

static bool qcow2_inflate(struct qcow2 *q, const uint8_t *in, size_t in_len)
{
	z_stream s = { 0 };
	if (inflateInit2(&s, -15) != Z_OK)
		return false;
	s.next_in = (Bytef *)in;
	s.avail_in = (uInt)in_len;
	s.next_out = q->zcache;
	s.avail_out = (uInt)q->cluster_size;
	int r = inflate(&s, Z_FINISH);
	bool ok = (r == Z_STREAM_END || r == Z_BUF_ERROR) && s.avail_out == 0;
	inflateEnd(&s);
	return ok;
}

static bool qcow2_unzstd(struct qcow2 *q, const uint8_t *in, size_t in_len)
{
	ZSTD_DCtx *dctx = ZSTD_createDCtx();
	if (!dctx)
		return false;
	ZSTD_inBuffer ib = { in, in_len, 0 };
	ZSTD_outBuffer ob = { q->zcache, q->cluster_size, 0 };
	bool ok = true;
	while (ob.pos < ob.size) {
		size_t before_in = ib.pos, before_out = ob.pos;
		size_t r = ZSTD_decompressStream(dctx, &ob, &ib);
		if (ZSTD_isError(r) || (ib.pos == before_in && ob.pos == before_out)) {
			ok = false;
			break;
		}
	}
	ZSTD_freeDCtx(dctx);
	return ok;
}

bool qcow2_decompress(struct qcow2 *q, uint64_t l2e, GError **err)
{
	if (q->zcache_entry == l2e)
		return true;
	unsigned x = 62 - (q->cluster_bits - 8);
	uint64_t coff = l2e & ((1ULL << x) - 1);
	uint64_t nsect = ((l2e >> x) & ((1ULL << (q->cluster_bits - 8)) - 1)) + 1;
	uint64_t csize = nsect * 512 - (coff & 511);
	g_autofree uint8_t *in = g_malloc(csize);
	if (!blk_pread_full(q->b->fd, coff, in, csize, q->b->path, err))
		return false;
	bool ok = q->compression_type == 1 ? qcow2_unzstd(q, in, csize) : qcow2_inflate(q, in, csize);
	if (!ok) {
		q->zcache_entry = 0;
		return qcow2_error(err, q, "compressed cluster at 0x%" G_GINT64_MODIFIER "x (%" G_GUINT64_FORMAT
				   " bytes) does not decompress to one cluster", coff, csize);
	}
	q->zcache_entry = l2e;
	return true;
}
