/* initrd placement: page-aligned, as high as possible below the limit the
 * kernel gives (initrd_addr_max) and the end of low RAM, outside the range
 * the kernel occupies while it unpacks and runs.  The file is read straight
 * into guest RAM. */
#include "vmm/boot/boot_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAGE 4096ULL

static bool read_into(const char *path, int fd, uint8_t *dst, uint64_t n, GError **err)
{
	uint64_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, dst + got, MIN(n - got, (uint64_t)1 << 30));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			g_set_error(err, BOOT_ERROR, BOOT_ERROR_IO, "cannot read initrd %s: %s", path,
				    r < 0 ? g_strerror(errno) : "file shrank while reading");
			return false;
		}
		got += (uint64_t)r;
	}
	return true;
}

bool initrd_load(struct boot_ctx *c, uint64_t limit, const char *limit_what, GError **err)
{
	const char *path = c->bc->initrd;
	c->initrd_addr = c->initrd_size = 0;
	if (!path)
		return true;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		g_set_error(err, BOOT_ERROR, BOOT_ERROR_IO, "cannot open initrd %s: %s", path, g_strerror(errno));
		return false;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		g_set_error(err, BOOT_ERROR, BOOT_ERROR_IO, "initrd %s is not a regular file", path);
		close(fd);
		return false;
	}
	uint64_t size = (uint64_t)st.st_size;
	uint64_t top = MIN(limit, c->gm->low_end) & ~(PAGE - 1);
	/* Two candidate gaps: above the kernel and between 1 MiB and the kernel. */
	uint64_t above_lo = MAX(c->kernel_hi, LAYOUT_KERNEL_START);
	uint64_t below_hi = MIN(MAX(c->kernel_lo, LAYOUT_KERNEL_START), top);
	uint64_t free_above = top > above_lo ? top - above_lo : 0;
	uint64_t free_below = below_hi - LAYOUT_KERNEL_START;
	uint64_t addr = UINT64_MAX;
	if (size <= free_above) {
		addr = (top - size) & ~(PAGE - 1);
		if (addr < above_lo)
			addr = UINT64_MAX;
	}
	if (addr == UINT64_MAX && size <= free_below) {
		addr = (below_hi - size) & ~(PAGE - 1);
		if (addr < LAYOUT_KERNEL_START)
			addr = UINT64_MAX;
	}
	if (addr == UINT64_MAX) {
		g_set_error(err, BOOT_ERROR, BOOT_ERROR_NOSPACE,
			    "initrd does not fit below %s: needs %" G_GUINT64_FORMAT " MiB, %" G_GUINT64_FORMAT " MiB free",
			    limit_what, (size + MiB - 1) / MiB, MAX(free_above, free_below) / MiB);
		close(fd);
		return false;
	}
	uint8_t *dst = guest_mem_ptr(c->gm, addr, size);
	bool ok = dst && read_into(path, fd, dst, size, err);
	close(fd);
	if (!dst)
		g_set_error(err, BOOT_ERROR, BOOT_ERROR_NOSPACE, "initrd placement 0x%" G_GINT64_MODIFIER "x is not RAM", addr);
	if (!ok)
		return false;
	c->initrd_addr = addr;
	c->initrd_size = size;
	return true;
}
