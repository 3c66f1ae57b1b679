/* Backend dispatch, bounds checks and whole-buffer I/O helpers; see blk.h. */
#include "hw/virtio/block/blk.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define BLK_MAX_BACKING_DEPTH 16

static bool blk_set_errno(GError **err, int e, const char *what, const char *path, uint64_t off)
{
	g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e), "%s: %s at offset %" G_GUINT64_FORMAT ": %s",
		    path, what, off, g_strerror(e));
	return false;
}

bool blk_pread_full(int fd, uint64_t off, void *buf, size_t len, const char *path, GError **err)
{
	uint8_t *p = buf;
	while (len) {
		ssize_t n = pread(fd, p, len, (off_t)off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return blk_set_errno(err, errno, "read failed", path, off);
		}
		if (n == 0) {  /* end of file: the rest reads as zeros */
			memset(p, 0, len);
			return true;
		}
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return true;
}

bool blk_pwrite_full(int fd, uint64_t off, const void *buf, size_t len, const char *path, GError **err)
{
	const uint8_t *p = buf;
	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return blk_set_errno(err, errno, "write failed", path, off);
		}
		if (n == 0)
			return blk_set_errno(err, ENOSPC, "write made no progress", path, off);
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return true;
}

bool blk_parse_format(const char *s, enum blk_format *fmt)
{
	if (!s || !strcmp(s, "auto"))
		*fmt = BLK_FORMAT_AUTO;
	else if (!strcmp(s, "raw"))
		*fmt = BLK_FORMAT_RAW;
	else if (!strcmp(s, "qcow2"))
		*fmt = BLK_FORMAT_QCOW2;
	else
		return false;
	return true;
}

struct blk *blk_open_depth(const char *path, enum blk_format fmt, bool readonly, unsigned depth,
			   GError **err)
{
	if (depth > BLK_MAX_BACKING_DEPTH) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			    "%s: backing chain deeper than %d images (a loop?)", path, BLK_MAX_BACKING_DEPTH);
		return NULL;
	}
	int fd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e), "cannot open disk image %s%s: %s",
			    path, readonly ? "" : " for writing", g_strerror(e));
		return NULL;
	}
	if (fmt == BLK_FORMAT_AUTO) {
		uint8_t magic[4] = { 0 };
		if (!blk_pread_full(fd, 0, magic, 4, path, err)) {
			close(fd);
			return NULL;
		}
		fmt = memcmp(magic, "QFI\xfb", 4) == 0 ? BLK_FORMAT_QCOW2 : BLK_FORMAT_RAW;
	}
	struct blk *b = fmt == BLK_FORMAT_QCOW2 ? blk_qcow2_open(path, fd, readonly, depth, err)
						: blk_raw_open(path, fd, readonly, err);
	if (!b)
		close(fd);
	return b;
}

struct blk *blk_open(const char *path, enum blk_format fmt, bool readonly, GError **err)
{
	return blk_open_depth(path, fmt, readonly, 0, err);
}

void blk_close(struct blk *b)
{
	if (!b)
		return;
	if (b->ops->close)
		b->ops->close(b);
	if (b->fd >= 0)
		close(b->fd);
	g_free(b->path);
	g_free(b);
}

static bool blk_check_range(struct blk *b, uint64_t off, uint64_t len, GError **err)
{
	if (off > b->size || len > b->size - off) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			    "%s: request [%" G_GUINT64_FORMAT ", +%" G_GUINT64_FORMAT ") is beyond the disk size %"
			    G_GUINT64_FORMAT, b->path, off, len, b->size);
		return false;
	}
	return true;
}

static bool blk_check_writable(struct blk *b, GError **err)
{
	if (b->readonly) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_PERM, "%s: disk is read-only", b->path);
		return false;
	}
	return true;
}

bool blk_read(struct blk *b, uint64_t off, void *buf, size_t len, GError **err)
{
	return blk_check_range(b, off, len, err) && b->ops->read(b, off, buf, len, err);
}

bool blk_write(struct blk *b, uint64_t off, const void *buf, size_t len, GError **err)
{
	return blk_check_writable(b, err) && blk_check_range(b, off, len, err) &&
	       b->ops->write(b, off, buf, len, err);
}

bool blk_flush(struct blk *b, GError **err)
{
	if (b->readonly)
		return true;
	return b->ops->flush(b, err);
}

bool blk_discard(struct blk *b, uint64_t off, uint64_t len, GError **err)
{
	if (!blk_check_writable(b, err) || !blk_check_range(b, off, len, err))
		return false;
	return b->ops->discard ? b->ops->discard(b, off, len, err) : true;
}
