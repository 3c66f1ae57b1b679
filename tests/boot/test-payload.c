/* Payload decompression: the four formats round-trip, and truncated,
 * corrupt, oversized and unsupported payloads fail with clear errors. */
#include "boot_test.h"
#include "images.h"

static const char *fmts[] = { "gzip", "xz", "lz4", "zstd" };

static GByteArray *sample(size_t len)
{
	GByteArray *b = g_byte_array_new();
	g_byte_array_set_size(b, (guint)len);
	for (size_t i = 0; i < len; i++)
		b->data[i] = (uint8_t)((i * 2654435761u) >> 13 ^ (i / 1000));
	return b;
}

static void test_roundtrip(void)
{
	for (unsigned i = 0; i < G_N_ELEMENTS(fmts); i++) {
		/* LZ4: more than one 8 MiB legacy block */
		g_autoptr(GByteArray) in = sample(!strcmp(fmts[i], "lz4") ? 9 * MiB + 77 : MiB + 77);
		g_autoptr(GByteArray) z = img_compress(fmts[i], in->data, in->len);
		g_assert_cmpstr(payload_format(z->data, z->len), ==, fmts[i]);
		uint8_t *out = NULL;
		size_t olen = 0;
		GError *err = NULL;
		if (!payload_decompress(z->data, z->len, 64 * MiB, &out, &olen, &err))
			g_error("%s: %s", fmts[i], err->message);
		g_assert_cmpuint(olen, ==, in->len);
		g_assert_true(memcmp(out, in->data, olen) == 0);
		g_free(out);
	}
}

static void expect_fail(const uint8_t *p, size_t len, uint64_t max, const char *want)
{
	uint8_t *out = NULL;
	size_t olen = 0;
	GError *err = NULL;
	g_assert_false(payload_decompress(p, len, max, &out, &olen, &err));
	g_assert_null(out);
	g_assert_nonnull(err);
	if (!strstr(err->message, want))
		g_error("\"%s\" does not contain \"%s\"", err->message, want);
	g_error_free(err);
}

static void test_truncated(void)
{
	g_autoptr(GByteArray) in = sample(200000);
	static const char *want[] = { "gzip payload is truncated", "xz payload is truncated", "lz4 payload is",
				      "zstd payload is truncated" };
	for (unsigned i = 0; i < G_N_ELEMENTS(fmts); i++) {
		g_autoptr(GByteArray) z = img_compress(fmts[i], in->data, in->len);
		size_t cut = z->len / 2;
		expect_fail(z->data, cut, 64 * MiB, want[i]);
		/* every short prefix fails cleanly too */
		for (size_t l = 0; l < 64; l++) {
			uint8_t *out = NULL;
			size_t olen;
			GError *err = NULL;
			if (payload_decompress(z->data, l, 64 * MiB, &out, &olen, &err)) {
				g_assert_cmpstr(fmts[i], ==, "lz4");   /* an empty lz4 stream is valid */
				g_free(out);
			} else {
				g_assert_nonnull(err);
				g_error_free(err);
			}
		}
	}
}

static void test_corrupt(void)
{
	g_autoptr(GByteArray) in = sample(100000);
	static const char *want[] = { "gzip payload is corrupt", "xz payload is corrupt", "lz4 payload is corrupt",
				      "zstd payload is corrupt" };
	for (unsigned i = 0; i < G_N_ELEMENTS(fmts); i++) {
		g_autoptr(GByteArray) z = img_compress(fmts[i], in->data, in->len);
		for (size_t k = 16; k < 48; k++)
			z->data[k] ^= 0xA5;
		if (!strcmp(fmts[i], "lz4"))
			st32(z->data + 4, 0x7FFFFFFF);     /* impossible block size */
		if (!strcmp(fmts[i], "zstd"))
			z->data[4] |= 0x08;                /* reserved frame header bit */
		expect_fail(z->data, z->len, 64 * MiB, want[i]);
	}
}

static void test_limit(void)
{
	g_autoptr(GByteArray) in = sample(3 * MiB);
	for (unsigned i = 0; i < G_N_ELEMENTS(fmts); i++) {
		g_autoptr(GByteArray) z = img_compress(fmts[i], in->data, in->len);
		expect_fail(z->data, z->len, 2 * MiB, "decompressed payload is larger than 2 MiB");
		/* a lying size trailer changes nothing */
		st32(z->data + z->len - 4, 0xFFFFFFFF);
		expect_fail(z->data, z->len, 2 * MiB, "larger than 2 MiB");
	}
}

static void test_formats(void)
{
	static const uint8_t bz2[] = "BZh91AY&SY", lzma[] = { 0x5D, 0, 0, 0x80, 0 }, lzo[] = { 0x89, 'L', 'Z', 'O', 0 };
	expect_fail(bz2, sizeof(bz2), MiB, "payload is bzip2-compressed; tandem decompresses gzip, xz, lz4 and zstd");
	expect_fail(lzma, sizeof(lzma), MiB, "payload is lzma-compressed");
	expect_fail(lzo, sizeof(lzo), MiB, "payload is lzo-compressed");
	static const uint8_t junk[] = { 0xDE, 0xAD, 0xBE, 0xEF };
	expect_fail(junk, sizeof(junk), MiB, "payload format not recognised (first bytes de ad be ef)");
	expect_fail(junk, 0, MiB, "payload format not recognised");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/boot/payload/roundtrip", test_roundtrip);
	g_test_add_func("/boot/payload/truncated", test_truncated);
	g_test_add_func("/boot/payload/corrupt", test_corrupt);
	g_test_add_func("/boot/payload/limit", test_limit);
	g_test_add_func("/boot/payload/formats", test_formats);
	return g_test_run();
}
