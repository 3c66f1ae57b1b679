/* Block backends for virtio-blk: raw files/block devices and qcow2 images.
 *
 * A backend is a byte-addressed disk of `size` bytes. Requests are
 * synchronous (pread/pwrite under the hood) and are bounds-checked against
 * the disk size here, so device models may pass guest-chosen sectors
 * straight through. Errors carry the image path and what went wrong. */
#ifndef TANDEM_BLK_H
#define TANDEM_BLK_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum blk_format {
	BLK_FORMAT_AUTO,   /* qcow2 when the file has the qcow2 magic, else raw */
	BLK_FORMAT_RAW,
	BLK_FORMAT_QCOW2,
};

struct blk;

struct blk_ops {
	bool (*read)(struct blk *b, uint64_t off, void *buf, size_t len, GError **err);
	bool (*write)(struct blk *b, uint64_t off, const void *buf, size_t len, GError **err);
	bool (*flush)(struct blk *b, GError **err);
	/* Optional: the range's contents become unspecified (reads return
	 * zeros or old data); space may be returned to the host. */
	bool (*discard)(struct blk *b, uint64_t off, uint64_t len, GError **err);
	void (*close)(struct blk *b);
};

struct blk {
	const struct blk_ops *ops;
	char *path;
	uint64_t size;      /* bytes */
	bool readonly;
	int fd;
	void *priv;         /* format state */
};

/* Opens `path`. Backing files of qcow2 images are opened read-only. */
struct blk *blk_open(const char *path, enum blk_format fmt, bool readonly, GError **err);
void blk_close(struct blk *b);
bool blk_parse_format(const char *s, enum blk_format *fmt);

bool blk_read(struct blk *b, uint64_t off, void *buf, size_t len, GError **err);
bool blk_write(struct blk *b, uint64_t off, const void *buf, size_t len, GError **err);
bool blk_flush(struct blk *b, GError **err);
bool blk_discard(struct blk *b, uint64_t off, uint64_t len, GError **err);

/* Format openers (blk.c dispatches). `fd` is owned by the result on success. */
struct blk *blk_raw_open(const char *path, int fd, bool readonly, GError **err);
struct blk *blk_qcow2_open(const char *path, int fd, bool readonly, unsigned depth, GError **err);
/* Opens a backing file (qcow2's), depth-limited against loops. */
struct blk *blk_open_depth(const char *path, enum blk_format fmt, bool readonly, unsigned depth,
			   GError **err);

/* Whole-buffer pread/pwrite with EINTR/short-transfer handling. pread past
 * end of file fills with zeros. */
bool blk_pread_full(int fd, uint64_t off, void *buf, size_t len, const char *path, GError **err);
bool blk_pwrite_full(int fd, uint64_t off, const void *buf, size_t len, const char *path, GError **err);

/* qcow2 only: grows the virtual size (L1 table grows as needed). */
bool blk_qcow2_grow(struct blk *b, uint64_t new_size, GError **err);

#endif
