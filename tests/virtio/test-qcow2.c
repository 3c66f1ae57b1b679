/* qcow2 against qemu-img: images made by `qemu-img create/convert`, written
 * through our code, must pass `qemu-img check` and read back (via
 * `qemu-img convert -O raw`) exactly as a reference buffer says. Covers v2
 * and v3, small clusters (refcount block allocation and refcount table
 * growth), refcount widths, backing files (qcow2 and raw), zlib and zstd
 * compressed clusters, discard, growing the L1 table, and malformed
 * headers. */
#include "hw/virtio/block/blk.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static char *tmpdir;
static bool have_qemu_img;

static char *tpath(const char *name)
{
	return g_build_filename(tmpdir, name, NULL);
}

/* Runs argv; returns the exit status, stdout in *out when given. */
static int run(const char *const *argv, char **out)
{
	g_autofree char *err_text = NULL;
	char *o = NULL;
	int status = -1;
	GError *err = NULL;
	if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &o, &err_text,
			  &status, &err))
		g_error("cannot run %s: %s", argv[0], err->message);
	if (out)
		*out = o;
	else
		g_free(o);
	if (!g_spawn_check_wait_status(status, NULL) && g_test_verbose())
		g_printerr("%s failed: %s\n", argv[0], err_text);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void qemu_img_create(const char *path, const char *opts, const char *size)
{
	const char *argv[] = { "qemu-img", "create", "-q", "-u", "-f", "qcow2", "-o", opts, path, size, NULL };
	g_assert_cmpint(run(argv, NULL), ==, 0);
}

static void check_clean(const char *path)
{
	g_autofree char *out = NULL;
	const char *argv[] = { "qemu-img", "check", path, NULL };
	int rc = run(argv, &out);
	if (rc != 0 || !strstr(out, "No errors were found"))
		g_error("qemu-img check %s (exit %d):\n%s", path, rc, out);
}

/* Compares the image's guest-visible contents with `expect`. */
static void check_contents(const char *path, const uint8_t *expect, size_t size)
{
	g_autofree char *raw = tpath("readback.raw");
	const char *argv[] = { "qemu-img", "convert", "-O", "raw", path, raw, NULL };
	g_assert_cmpint(run(argv, NULL), ==, 0);
	g_autofree char *got = NULL;
	gsize len = 0;
	g_assert_true(g_file_get_contents(raw, &got, &len, NULL));
	g_assert_cmpuint(len, ==, size);
	for (size_t i = 0; i < size; i++)
		if ((uint8_t)got[i] != expect[i])
			g_error("%s: byte %zu is 0x%02x, expected 0x%02x", path, i, (uint8_t)got[i], expect[i]);
	unlink(raw);
}

/* Random writes applied to both the image and `ref`, then a full read
 * through our code. */
static void random_writes(struct blk *b, uint8_t *ref, size_t size, unsigned n, size_t max_len, guint32 seed)
{
	GRand *r = g_rand_new_with_seed(seed);
	g_autofree uint8_t *buf = g_malloc(max_len);
	GError *err = NULL;
	for (unsigned i = 0; i < n; i++) {
		size_t len = (size_t)g_rand_int_range(r, 1, (gint32)max_len);
		size_t off = (size_t)g_rand_int_range(r, 0, (gint32)(size - len));
		if (i % 3 == 0)  /* sector aligned, like a guest */
			off &= ~(size_t)511, len = MAX(len & ~(size_t)511, 512);
		for (size_t j = 0; j < len; j++)
			buf[j] = (uint8_t)g_rand_int(r);
		if (!blk_write(b, off, buf, len, &err))
			g_error("write %zu+%zu: %s", off, len, err->message);
		memcpy(ref + off, buf, len);
	}
	g_autofree uint8_t *all = g_malloc(size);
	g_assert_true(blk_read(b, 0, all, size, &err));
	g_assert_no_error(err);
	g_assert_cmpmem(all, size, ref, size);
	g_rand_free(r);
}

/* Big-endian u32 header field of an image file. */
static uint32_t header_u32(const char *path, off_t off)
{
	uint8_t b[4] = { 0 };
	int fd = open(path, O_RDONLY);
	g_assert_cmpint(pread(fd, b, 4, off), ==, 4);
	close(fd);
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static void write_check_rt(const char *opts, size_t size, unsigned n, size_t max_len, bool expect_rt_growth)
{
	if (!have_qemu_img) {
		g_test_skip("qemu-img not installed");
		return;
	}
	g_autofree char *img = tpath("w.qcow2");
	g_autofree char *sz = g_strdup_printf("%zu", size);
	qemu_img_create(img, opts, sz);
	GError *err = NULL;
	struct blk *b = blk_open(img, BLK_FORMAT_QCOW2, false, &err);
	g_assert_no_error(err);
	g_assert_cmpuint(b->size, ==, size);
	g_autofree uint8_t *ref = g_malloc0(size);
	random_writes(b, ref, size, n, max_len, 42);
	g_assert_true(blk_flush(b, &err));
	blk_close(b);
	check_clean(img);
	check_contents(img, ref, size);
	/* refcount_table_clusters: the table had to move and grow. */
	if (expect_rt_growth)
		g_assert_cmpuint(header_u32(img, 56), >, 1);
	/* Reopen and write more: state reloaded from the file is right too. */
	b = blk_open(img, BLK_FORMAT_AUTO, false, &err);
	g_assert_no_error(err);
	random_writes(b, ref, size, n / 2, max_len, 7);
	blk_close(b);
	check_clean(img);
	check_contents(img, ref, size);
	unlink(img);
}

static void write_check(const char *opts, size_t size, unsigned n, size_t max_len)
{
	write_check_rt(opts, size, n, max_len, false);
}

static void test_v3(void) { write_check("compat=1.1", 32 << 20, 200, 300000); }
static void test_v2(void) { write_check("compat=0.10", 32 << 20, 200, 300000); }
/* 512-byte clusters: many L2 tables, refcount blocks, refcount table growth. */
static void test_v2_small(void) { write_check_rt("compat=0.10,cluster_size=512", 12 << 20, 300, 200000, true); }
static void test_v3_rc64(void) { write_check_rt("cluster_size=512,refcount_bits=64", 6 << 20, 80, 200000, true); }
static void test_v3_rc8(void) { write_check("cluster_size=1024,refcount_bits=8", 6 << 20, 80, 200000); }

static void fill_pattern(uint8_t *p, size_t n, guint32 seed)
{
	GRand *r = g_rand_new_with_seed(seed);
	for (size_t i = 0; i < n; i++)
		p[i] = (i / 4096) % 3 == 0 ? (uint8_t)(i / 4096) : (uint8_t)g_rand_int(r);
	g_rand_free(r);
}

static void backing(const char *base_fmt)
{
	if (!have_qemu_img) {
		g_test_skip("qemu-img not installed");
		return;
	}
	const size_t size = 8 << 20;
	g_autofree uint8_t *ref = g_malloc(size);
	fill_pattern(ref, size, 3);
	g_autofree char *raw = tpath("base.raw");
	g_assert_true(g_file_set_contents(raw, (char *)ref, size, NULL));
	g_autofree char *base = tpath(!strcmp(base_fmt, "raw") ? "base.raw" : "base.qcow2");
	if (strcmp(base_fmt, "raw")) {
		const char *argv[] = { "qemu-img", "convert", "-O", "qcow2", raw, base, NULL };
		g_assert_cmpint(run(argv, NULL), ==, 0);
	}
	g_autofree char *top = tpath("top.qcow2");
	/* A relative backing name: resolved against the overlay's directory. */
	g_autofree char *base_name = g_path_get_basename(base);
	const char *argv[] = { "qemu-img", "create", "-q", "-f", "qcow2", "-b", base_name, "-F", base_fmt,
			       top, NULL };
	g_assert_cmpint(run(argv, NULL), ==, 0);
	GError *err = NULL;
	struct blk *b = blk_open(top, BLK_FORMAT_QCOW2, false, &err);
	g_assert_no_error(err);
	g_assert_cmpuint(b->size, ==, size);
	g_autofree uint8_t *all = g_malloc(size);
	g_assert_true(blk_read(b, 0, all, size, &err));
	g_assert_cmpmem(all, size, ref, size);
	random_writes(b, ref, size, 60, 100000, 11);
	blk_close(b);
	check_clean(top);
	check_contents(top, ref, size);
	unlink(top);
	unlink(base);
	unlink(raw);
}

static void test_backing_raw(void) { backing("raw"); }
static void test_backing_qcow2(void) { backing("qcow2"); }

static void compressed(const char *opts)
{
	if (!have_qemu_img) {
		g_test_skip("qemu-img not installed");
		return;
	}
	const size_t size = 4 << 20;
	g_autofree uint8_t *ref = g_malloc(size);
	fill_pattern(ref, size, 5);
	memset(ref + (1 << 20), 0, 1 << 20);  /* zero clusters too */
	g_autofree char *raw = tpath("plain.raw");
	g_assert_true(g_file_set_contents(raw, (char *)ref, size, NULL));
	g_autofree char *img = tpath("c.qcow2");
	const char *argv[] = { "qemu-img", "convert", "-c", "-O", "qcow2", "-o", opts, raw, img, NULL };
	if (run(argv, NULL) != 0) {
		g_test_skip("qemu-img cannot make this compressed image");
		return;
	}
	GError *err = NULL;
	struct blk *b = blk_open(img, BLK_FORMAT_AUTO, false, &err);
	g_assert_no_error(err);
	g_autofree uint8_t *all = g_malloc(size);
	g_assert_true(blk_read(b, 0, all, size, &err));
	g_assert_no_error(err);
	g_assert_cmpmem(all, size, ref, size);
	/* Overwrite parts of compressed clusters (read-modify-write). */
	random_writes(b, ref, size, 40, 20000, 13);
	blk_close(b);
	check_clean(img);
	check_contents(img, ref, size);
	unlink(img);
	unlink(raw);
}

static void test_compressed_zlib(void) { compressed("compat=1.1"); }
static void test_compressed_v2(void) { compressed("compat=0.10,cluster_size=4096"); }
static void test_compressed_zstd(void) { compressed("compression_type=zstd"); }

static void test_discard(void)
{
	if (!have_qemu_img) {
		g_test_skip("qemu-img not installed");
		return;
	}
	const size_t size = 4 << 20;
	g_autofree char *img = tpath("d.qcow2");
	qemu_img_create(img, "cluster_size=4096", "4M");
	GError *err = NULL;
	struct blk *b = blk_open(img, BLK_FORMAT_QCOW2, false, &err);
	g_autofree uint8_t *ref = g_malloc0(size);
	random_writes(b, ref, size, 30, 200000, 17);
	/* Whole clusters in [8192+100, 1 MiB) become zeros; partial ones stay. */
	g_assert_true(blk_discard(b, 8192 + 100, (1 << 20) - 8192 - 100, &err));
	g_assert_no_error(err);
	memset(ref + 12288, 0, (1 << 20) - 12288);
	blk_close(b);
	check_clean(img);
	check_contents(img, ref, size);
	unlink(img);
}

static void test_grow(void)
{
	if (!have_qemu_img) {
		g_test_skip("qemu-img not installed");
		return;
	}
	g_autofree char *img = tpath("g.qcow2");
	qemu_img_create(img, "cluster_size=512", "1M");
	GError *err = NULL;
	struct blk *b = blk_open(img, BLK_FORMAT_QCOW2, false, &err);
	g_assert_no_error(err);
	const size_t size = 64 << 20;
	g_autofree uint8_t *ref = g_malloc0(size);
	random_writes(b, ref, 1 << 20, 10, 50000, 19);
	g_assert_true(blk_qcow2_grow(b, size, &err));
	g_assert_no_error(err);
	g_assert_cmpuint(b->size, ==, size);
	random_writes(b, ref, size, 30, 100000, 23);
	blk_close(b);
	check_clean(img);
	check_contents(img, ref, size);
	unlink(img);
}

static void test_readonly(void)
{
	if (!have_qemu_img) {
		g_test_skip("qemu-img not installed");
		return;
	}
	g_autofree char *img = tpath("ro.qcow2");
	qemu_img_create(img, "compat=1.1", "1M");
	GError *err = NULL;
	struct blk *b = blk_open(img, BLK_FORMAT_QCOW2, true, &err);
	g_assert_no_error(err);
	uint8_t buf[512] = { 0 };
	g_assert_false(blk_write(b, 0, buf, sizeof(buf), &err));
	g_assert_nonnull(strstr(err->message, "read-only"));
	g_clear_error(&err);
	blk_close(b);
	unlink(img);
}

/* Patches `len` big-endian bytes at `off` of a fresh image and expects
 * opening it to fail with `msg`. */
static void expect_bad(const char *opts, uint64_t off, unsigned len, uint64_t value, bool readonly,
		       const char *msg)
{
	g_autofree char *img = tpath("bad.qcow2");
	qemu_img_create(img, opts, "1M");
	int fd = open(img, O_RDWR);
	uint8_t be[8];
	for (unsigned i = 0; i < len; i++)
		be[i] = (uint8_t)(value >> (8 * (len - 1 - i)));
	g_assert_cmpint(pwrite(fd, be, len, (off_t)off), ==, (ssize_t)len);
	close(fd);
	GError *err = NULL;
	struct blk *b = blk_open(img, BLK_FORMAT_QCOW2, readonly, &err);
	if (b)
		g_error("image with field at %" G_GUINT64_FORMAT " = 0x%" G_GINT64_MODIFIER "x opened", off, value);
	if (!strstr(err->message, msg))
		g_error("error '%s' does not mention '%s'", err->message, msg);
	g_assert_nonnull(strstr(err->message, img));
	g_clear_error(&err);
	unlink(img);
}

static void test_bad_headers(void)
{
	if (!have_qemu_img) {
		g_test_skip("qemu-img not installed");
		return;
	}
	const char *v3 = "compat=1.1", *v2 = "compat=0.10";
	expect_bad(v3, 0, 4, 0x51464900, false, "bad magic");
	expect_bad(v3, 4, 4, 4, false, "version 4");
	expect_bad(v3, 20, 4, 8, false, "cluster_bits 8");
	expect_bad(v3, 20, 4, 30, false, "cluster_bits 30");
	expect_bad(v3, 24, 8, 1ULL << 60, false, "virtual size");
	expect_bad(v3, 24, 8, 1ULL << 40, false, "too small for the virtual size");
	expect_bad(v3, 32, 4, 1, false, "encrypted");
	expect_bad(v3, 36, 4, 0x10000000, false, "larger than 32 MiB");
	expect_bad(v3, 40, 8, 0x30001, false, "L1 table offset");
	expect_bad(v3, 40, 8, 1ULL << 40, false, "past the end of the file");
	expect_bad(v3, 48, 8, 0, false, "refcount table offset");
	expect_bad(v3, 48, 8, 0x10200, false, "refcount table offset");
	expect_bad(v3, 56, 4, 0, false, "refcount table of 0 clusters");
	expect_bad(v3, 56, 4, 100000, false, "refcount table of 100000 clusters");
	expect_bad(v3, 60, 4, 1, false, "internal snapshots");
	expect_bad(v3, 72, 8, 1ULL << 20, false, "unknown incompatible features");
	expect_bad(v3, 72, 8, 1, false, "dirty");
	expect_bad(v3, 72, 8, 2, false, "corrupt");
	expect_bad(v3, 72, 8, 4, true, "external data files");
	expect_bad(v3, 72, 8, 16, true, "extended L2");
	expect_bad(v3, 96, 4, 7, true, "refcount width");
	expect_bad(v3, 96, 4, 1, true, "refcount width of 2 bits");
	expect_bad(v3, 100, 4, 64, true, "header_length 64");
	expect_bad(v3, 104, 1, 1, true, "without the compression-type");
	expect_bad(v3, 104, 1, 9, true, "compression type 9");
	expect_bad(v3, 8, 8, 0x10000 - 4, true, "backing file name");
	expect_bad(v2, 8, 8, 0x200, true, "backing file name length 0");
	expect_bad("compat=0.10,backing_file=missing.raw,backing_fmt=raw", 16, 4, 2000, true,
		   "backing file name length 2000");
	expect_bad("compat=0.10,backing_file=missing.raw,backing_fmt=raw", 8, 8, 0x10000 - 2, true,
		   "not in the first cluster");
	/* A backing file that does not exist: the message names it. */
	g_autofree char *img = tpath("nb.qcow2");
	const char *argv[] = { "qemu-img", "create", "-q", "-f", "qcow2", "-u", "-b", "missing.raw", "-F",
			       "raw", img, "1M", NULL };
	g_assert_cmpint(run(argv, NULL), ==, 0);
	GError *err = NULL;
	g_assert_null(blk_open(img, BLK_FORMAT_QCOW2, true, &err));
	g_assert_nonnull(strstr(err->message, "missing.raw"));
	g_clear_error(&err);
	unlink(img);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_autofree char *qi = g_find_program_in_path("qemu-img");
	have_qemu_img = qi != NULL;
	tmpdir = g_dir_make_tmp("tandem-qcow2-XXXXXX", NULL);
	g_test_add_func("/qcow2/v3-write-check", test_v3);
	g_test_add_func("/qcow2/v2-write-check", test_v2);
	g_test_add_func("/qcow2/v2-512-byte-clusters", test_v2_small);
	g_test_add_func("/qcow2/v3-refcount-64", test_v3_rc64);
	g_test_add_func("/qcow2/v3-refcount-8", test_v3_rc8);
	g_test_add_func("/qcow2/backing-raw", test_backing_raw);
	g_test_add_func("/qcow2/backing-qcow2", test_backing_qcow2);
	g_test_add_func("/qcow2/compressed-zlib", test_compressed_zlib);
	g_test_add_func("/qcow2/compressed-v2", test_compressed_v2);
	g_test_add_func("/qcow2/compressed-zstd", test_compressed_zstd);
	g_test_add_func("/qcow2/discard", test_discard);
	g_test_add_func("/qcow2/grow-l1", test_grow);
	g_test_add_func("/qcow2/readonly", test_readonly);
	g_test_add_func("/qcow2/bad-headers", test_bad_headers);
	int rc = g_test_run();
	rmdir(tmpdir);
	g_free(tmpdir);
	return rc;
}
