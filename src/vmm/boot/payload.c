/* Decompression of a bzImage payload on the host.  The format is detected
 * by magic: gzip (zlib), xz (liblzma), LZ4 legacy frames (liblz4) and zstd
 * (libzstd), the four Debian-relevant kernel compressors.  The output grows
 * as needed but never beyond max_out bytes, so a hostile payload cannot
 * exhaust host memory.  Kbuild appends the uncompressed size as 4 bytes
 * after the stream; it only serves as the first allocation hint. */
#include "vmm/boot/boot_priv.h"

#include <lz4.h>
#include <lzma.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#define LZ4_LEGACY_MAGIC 0x184C2102u
#define LZ4_LEGACY_BLOCK (8 * MiB)

struct out {
	uint8_t *p;
	size_t len, cap;
	uint64_t max;
};

/* Makes room for more output; false when max is reached. */
static bool out_grow(struct out *o, size_t want_free)
{
	if (o->cap - o->len >= want_free)
		return true;
	if (o->cap >= o->max)
		return false;
	size_t ncap = MAX(o->cap * 2, o->len + want_free);
	if (ncap > o->max)
		ncap = (size_t)o->max;
	o->p = g_realloc(o->p, ncap ? ncap : 1);
	o->cap = ncap;
	return o->cap - o->len > 0;
}

const char *payload_format(const uint8_t *in, size_t len)
{
	static const struct { const char *name; uint8_t magic[6]; size_t n; } fmts[] = {
		{ "gzip", { 0x1F, 0x8B }, 2 },
		{ "xz", { 0xFD, '7', 'z', 'X', 'Z', 0x00 }, 6 },
		{ "lz4", { 0x02, 0x21, 0x4C, 0x18 }, 4 },
		{ "zstd", { 0x28, 0xB5, 0x2F, 0xFD }, 4 },
		{ "bzip2", { 'B', 'Z', 'h' }, 3 },
		{ "lzma", { 0x5D, 0x00, 0x00 }, 3 },
		{ "lzo", { 0x89, 'L', 'Z', 'O' }, 4 },
	};
	for (unsigned i = 0; i < G_N_ELEMENTS(fmts); i++)
		if (len >= fmts[i].n && memcmp(in, fmts[i].magic, fmts[i].n) == 0)
			return fmts[i].name;
	return NULL;
}

#define TOO_BIG(o) g_set_error(err, BOOT_ERROR, BOOT_ERROR_INVALID, \
	"decompressed payload is larger than %" G_GUINT64_FORMAT " MiB", (o)->max / MiB)

static bool gunzip(const uint8_t *in, size_t len, struct out *o, GError **err)
{
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
		g_set_error(err, BOOT_ERROR, BOOT_ERROR_INVALID, "cannot initialise zlib");
		return false;
	}
	zs.next_in = (Bytef *)in;
	zs.avail_in = (uInt)len;
	int r;
	for (;;) {
		if (!out_grow(o, 1)) {
			TOO_BIG(o);
			break;
		}
		zs.next_out = o->p + o->len;
		zs.avail_out = (uInt)MIN(o->cap - o->len, (size_t)1 << 30);
		uInt before = zs.avail_out;
		r = inflate(&zs, Z_NO_FLUSH);
		o->len += before - zs.avail_out;
		if (r == Z_STREAM_END) {
			inflateEnd(&zs);
			return true;
		}
		if (r == Z_OK || (r == Z_BUF_ERROR && zs.avail_out == 0))
			continue;
		if (r == Z_BUF_ERROR)
			g_set_error(err, BOOT_ERROR, BOOT_ERROR_INVALID, "gzip payload is truncated");
		else
			g_set_error(err, BOOT_ERROR, BOOT_ERROR_INVALID, "gzip payload is corrupt: %s",
				    zs.msg ? zs.msg : zError(r));
		break;
	}
	inflateEnd(&zs);
	return false;
}

static bool unxz(const uint8_t *in, size_t len, struct out *o, GError **err)
{
	lzma_stream s = LZMA_STREAM_INIT;
	/* The kernel's XZ streams use small dictionaries; 256 MiB bounds a
	 * hostile header's memory request. */
	if (lzma_stream_decoder(&s, 256 * MiB, 0) != LZMA_OK) {
		g_set_error(err, BOOT_ERROR, BOOT_ERROR_INVALID, "cannot initialise liblzma");
		return false;
	}
	s.next_in = in;
	s.avail_in = len;
	for (;;) {
		if (!out_grow(o, 1)) {
			TOO_BIG(o);
			break;
		}
		s.next_out = o->p + o->len;
		s.avail_out = o->cap - o->len;
		size_t before = s.avail_out;
		lzma_ret r = lzma_code(&s, LZMA_FINISH);
		o->len += before - s.avail_out;
		if (r == LZMA_STREAM_END) {
			lzma_end(&s);
			return true;
		}
		if (r == LZMA_OK || (r == LZMA_BUF_ERROR && s.avail_out == 0))
			continue;
		g_set_error(err, BOOT_ERROR, BOOT_ERROR_INVALID, "xz payload is %s (liblzma error %d)",
			    r == LZMA_BUF_ERROR ? "truncated" : "corrupt", (int)r);
		break;
	}
	lzma_end(&s);
	return false;
}

/* LZ4 legacy format: magic, then blocks of {u32 compressed size, data},
 * each decompressing to at most 8 MiB; a repeated magic starts a new
 * frame; the 4 bytes Kbuild appends end the input. */
static bool unlz4(const uint8_t *in, size_t len, struct out *o, GError **err)
{
	size_t pos = 4;
	while (pos < len) {
		if (len - pos < 4) {
			g_set_error(err, BOOT_ERROR, BOOT_ERROR_INVALID, "lz4 payload is truncated at byte %zu", pos);
			return false;
		}
		uint32_t csize = ld32(in + pos);
		pos += 4;
		if (csize == LZ4_LEGACY_MAGIC)
			continue;
		if (pos == len)          /* the appended uncompressed size */
			break;
		if (csize > (uint32_t)LZ4_compressBound(LZ4_LEGACY_BLOCK) || csize > len - pos) {
			g_set_error(err, BOOT_ERROR, BOOT_ERROR_INVALID, "lz4 payload is corrupt: block of %u bytes at "
				    "byte %zu, %zu bytes left", csize, pos - 4, len - pos);
			return false;
		}
		if (!out_grow(o, LZ4_LEGACY_BLOCK) && o->cap == o->len) {
			TOO_BIG(o);
			return false;
		}
		int room = (int)MIN(o->cap - o->len, LZ4_LEGACY_BLOCK);
		int n = LZ4_decompress_safe((const char *)in + pos, (char *)o->p + o->len, (int)csize, room);
		if (n < 0) {
			if (room < (int)LZ4_LEGACY_BLOCK && o->cap >= o->max)
				TOO_BIG(o);
			else
				g_set_error(err, BOOT_ERROR, BOOT_ERROR_INVALID, "lz4 payload is corrupt: block at byte %zu "
					    "does not decompress", pos - 4);
			return false;
		}
		o->len += (size_t)n;
		pos += csize;
	}
	return true;
}

static bool unzstd(const uint8_t *in, size_t len, struct out *o, GError **err)
{
	ZSTD_DCtx *d = ZSTD_createDCtx();
	if (!d) {
		g_set_error(err, BOOT_ERROR, BOOT_ERROR_INVALID, "cannot initialise libzstd");
		return false;
	}
	ZSTD_inBuffer ib = { in, len, 0 };
	bool ok = false;
	for (;;) {
		if (!out_grow(o, 1)) {
			TOO_BIG(o);
			break;
		}
		ZSTD_outBuffer ob = { o->p, o->cap, o->len };
		size_t r = ZSTD_decompressStream(d, &ob, &ib);
		o->len = ob.pos;
		if (ZSTD_isError(r)) {
			g_set_error(err, BOOT_ERROR, BOOT_ERROR_INVALID, "zstd payload is corrupt: %s", ZSTD_getErrorName(r));
			break;
		}
		if (r == 0) {            /* frame complete; trailing bytes are Kbuild's size */
			ok = true;
			break;
		}
		if (ib.pos == ib.size && ob.pos < ob.size) {
			g_set_error(err, BOOT_ERROR, BOOT_ERROR_INVALID, "zstd payload is truncated");
			break;
		}
	}
	ZSTD_freeDCtx(d);
	return ok;
}

bool payload_decompress(const uint8_t *in, size_t len, uint64_t max_out,
			uint8_t **out, size_t *out_len, GError **err)
{
	const char *fmt = payload_format(in, len);
	if (!fmt) {
		g_set_error(err, BOOT_ERROR, BOOT_ERROR_INVALID, "payload format not recognised (first bytes %02x %02x "
			    "%02x %02x); tandem decompresses gzip, xz, lz4 and zstd", len > 0 ? in[0] : 0,
			    len > 1 ? in[1] : 0, len > 2 ? in[2] : 0, len > 3 ? in[3] : 0);
		return false;
	}
	struct out o = { .max = MIN(max_out, (uint64_t)SIZE_MAX / 2) };
	/* First allocation from Kbuild's appended size, when plausible. */
	uint64_t hint = len >= 4 ? ld32(in + len - 4) : 0;
	if (hint < len || hint > o.max)
		hint = MIN((uint64_t)len * 4, o.max);
	o.p = g_malloc(hint ? hint : 1);
	o.cap = hint;
	bool ok;
	if (!strcmp(fmt, "gzip"))
		ok = gunzip(in, len, &o, err);
	else if (!strcmp(fmt, "xz"))
		ok = unxz(in, len, &o, err);
	else if (!strcmp(fmt, "lz4"))
		ok = unlz4(in, len, &o, err);
	else if (!strcmp(fmt, "zstd"))
		ok = unzstd(in, len, &o, err);
	else {
		g_set_error(err, BOOT_ERROR, BOOT_ERROR_INVALID, "payload is %s-compressed; tandem decompresses gzip, "
			    "xz, lz4 and zstd", fmt);
		ok = false;
	}
	if (!ok) {
		g_free(o.p);
		return false;
	}
	*out = o.p;
	*out_len = o.len;
	return true;
}
