/* Raw backend: read/write, bounds, flush, discard (hole punched), read-only. */
#include "hw/virtio/block/blk.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *mkimage(const char *dir, uint64_t size)
{
	char *path = g_build_filename(dir, "disk.raw", NULL);
	int fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0600);
	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpint(ftruncate(fd, (off_t)size), ==, 0);
	close(fd);
	return path;
}

static void test_rw(void)
{
	g_autofree char *dir = g_dir_make_tmp("tandem-raw-XXXXXX", NULL);
	g_autofree char *path = mkimage(dir, 1 << 20);
	GError *err = NULL;
	struct blk *b = blk_open(path, BLK_FORMAT_AUTO, false, &err);
	g_assert_no_error(err);
	g_assert_cmpuint(b->size, ==, 1 << 20);
	uint8_t buf[8192], back[8192];
	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	g_assert_true(blk_write(b, 4096 + 17, buf, sizeof(buf), &err));
	g_assert_true(blk_read(b, 4096 + 17, back, sizeof(back), &err));
	g_assert_cmpmem(buf, sizeof(buf), back, sizeof(back));
	g_assert_true(blk_flush(b, &err));
	/* Beyond the end. */
	g_assert_false(blk_read(b, (1 << 20) - 10, back, 11, &err));
	g_assert_nonnull(strstr(err->message, "beyond the disk size"));
	g_clear_error(&err);
	g_assert_false(blk_write(b, UINT64_MAX - 4, buf, 8, &err));
	g_clear_error(&err);
	blk_close(b);
	unlink(path);
	rmdir(dir);
}

static void test_discard(void)
{
	g_autofree char *dir = g_dir_make_tmp("tandem-raw-XXXXXX", NULL);
	g_autofree char *path = mkimage(dir, 4 << 20);
	GError *err = NULL;
	struct blk *b = blk_open(path, BLK_FORMAT_RAW, false, &err);
	g_assert_no_error(err);
	g_autofree uint8_t *buf = g_malloc(1 << 20);
	memset(buf, 0xab, 1 << 20);
	g_assert_true(blk_write(b, 1 << 20, buf, 1 << 20, &err));
	g_assert_true(blk_flush(b, &err));
	struct stat st1, st2;
	g_assert_cmpint(stat(path, &st1), ==, 0);
	g_assert_true(blk_discard(b, 1 << 20, 1 << 20, &err));
	g_assert_no_error(err);
	g_assert_cmpint(stat(path, &st2), ==, 0);
	g_assert_cmpint(st2.st_size, ==, 4 << 20);
	if (st2.st_blocks >= st1.st_blocks) {
		g_test_skip("file system does not punch holes");
	} else {
		g_assert_true(blk_read(b, 1 << 20, buf, 4096, &err));
		for (unsigned i = 0; i < 4096; i++)
			g_assert_cmpuint(buf[i], ==, 0);
	}
	blk_close(b);
	unlink(path);
	rmdir(dir);
}

static void test_readonly(void)
{
	g_autofree char *dir = g_dir_make_tmp("tandem-raw-XXXXXX", NULL);
	g_autofree char *path = mkimage(dir, 65536);
	chmod(path, 0400);
	GError *err = NULL;
	/* Opening writable fails with a message naming the file (unless root). */
	if (geteuid() != 0) {
		g_assert_null(blk_open(path, BLK_FORMAT_RAW, false, &err));
		g_assert_nonnull(strstr(err->message, path));
		g_clear_error(&err);
	}
	struct blk *b = blk_open(path, BLK_FORMAT_RAW, true, &err);
	g_assert_no_error(err);
	uint8_t buf[512] = { 1 };
	g_assert_false(blk_write(b, 0, buf, sizeof(buf), &err));
	g_assert_nonnull(strstr(err->message, "read-only"));
	g_clear_error(&err);
	g_assert_false(blk_discard(b, 0, 512, &err));
	g_clear_error(&err);
	g_assert_true(blk_read(b, 0, buf, sizeof(buf), &err));
	g_assert_true(blk_flush(b, &err));
	blk_close(b);
	g_assert_null(blk_open("/nonexistent/x.img", BLK_FORMAT_RAW, true, &err));
	g_assert_nonnull(strstr(err->message, "/nonexistent/x.img"));
	g_clear_error(&err);
	unlink(path);
	rmdir(dir);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/raw/read-write", test_rw);
	g_test_add_func("/raw/discard", test_discard);
	g_test_add_func("/raw/readonly", test_readonly);
	return g_test_run();
}
