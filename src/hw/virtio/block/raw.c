/* Raw disk images and host block devices: the disk is the file. */
#include "hw/virtio/block/blk.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

struct raw_state {
	bool is_blockdev;
};

static bool raw_read(struct blk *b, uint64_t off, void *buf, size_t len, GError **err)
{
	return blk_pread_full(b->fd, off, buf, len, b->path, err);
}

static bool raw_write(struct blk *b, uint64_t off, const void *buf, size_t len, GError **err)
{
	return blk_pwrite_full(b->fd, off, buf, len, b->path, err);
}

static bool raw_flush(struct blk *b, GError **err)
{
	if (fdatasync(b->fd) < 0) {
		int e = errno;
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e), "%s: fdatasync failed: %s",
			    b->path, g_strerror(e));
		return false;
	}
	return true;
}

static bool raw_discard(struct blk *b, uint64_t off, uint64_t len, GError **err)
{
	struct raw_state *s = b->priv;
	int r;
	if (s->is_blockdev) {
		uint64_t range[2] = { off, len };
		r = ioctl(b->fd, BLKDISCARD, range);
	} else {
		r = fallocate(b->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len);
	}
	/* Discard is a hint: a file system or device without support is fine. */
	if (r < 0 && errno != EOPNOTSUPP && errno != ENOTTY && errno != ENOSYS) {
		int e = errno;
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e), "%s: discard of [%" G_GUINT64_FORMAT
			    ", +%" G_GUINT64_FORMAT ") failed: %s", b->path, off, len, g_strerror(e));
		return false;
	}
	return true;
}

static void raw_close(struct blk *b)
{
	g_free(b->priv);
}

static const struct blk_ops raw_ops = {
	.read = raw_read,
	.write = raw_write,
	.flush = raw_flush,
	.discard = raw_discard,
	.close = raw_close,
};

struct blk *blk_raw_open(const char *path, int fd, bool readonly, GError **err)
{
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int e = errno;
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e), "%s: stat failed: %s", path, g_strerror(e));
		return NULL;
	}
	uint64_t size = (uint64_t)st.st_size;
	bool blockdev = S_ISBLK(st.st_mode);
	if (blockdev && ioctl(fd, BLKGETSIZE64, &size) < 0) {
		int e = errno;
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e), "%s: cannot get block device size: %s",
			    path, g_strerror(e));
		return NULL;
	}
	if (!blockdev && !S_ISREG(st.st_mode)) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: not a regular file or block device", path);
		return NULL;
	}
	struct blk *b = g_new0(struct blk, 1);
	struct raw_state *s = g_new0(struct raw_state, 1);
	s->is_blockdev = blockdev;
	b->ops = &raw_ops;
	b->path = g_strdup(path);
	b->size = size;
	b->readonly = readonly;
	b->fd = fd;
	b->priv = s;
	return b;
}
