#include "vmm/guest_mem.h"
#include "vmm/layout.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

bool guest_mem_init(struct guest_mem *gm, uint64_t ram_size, GError **err)
{
	memset(gm, 0, sizeof(*gm));
	if (ram_size < 2 * MiB) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			    "guest memory %" G_GUINT64_FORMAT " bytes is too small: at least 2 MiB", ram_size);
		return false;
	}
	if (ram_size > 1024 * GiB) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			    "guest memory %" G_GUINT64_FORMAT " MiB is too large: at most 1 TiB", ram_size / MiB);
		return false;
	}
	gm->ram_size = ram_size;
	gm->low_end = MIN(ram_size, LAYOUT_PCI_HOLE_START);
	gm->high_end = LAYOUT_4G + (ram_size - gm->low_end);
	gm->map_size = ram_size > gm->low_end ? gm->high_end : gm->low_end;

	/* Reserve the whole span inaccessible, then open the RAM ranges. */
	void *p = mmap(NULL, gm->map_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
			    "cannot reserve %" G_GUINT64_FORMAT " MiB of address space for guest RAM: %s",
			    gm->map_size / MiB, g_strerror(errno));
		return false;
	}
	gm->base = p;
	if (mprotect(gm->base, gm->low_end, PROT_READ | PROT_WRITE) < 0 ||
	    (gm->high_end > LAYOUT_4G &&
	     mprotect(gm->base + LAYOUT_4G, gm->high_end - LAYOUT_4G, PROT_READ | PROT_WRITE) < 0)) {
		int e = errno;
		munmap(gm->base, gm->map_size);
		gm->base = NULL;
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e),
			    "cannot map %" G_GUINT64_FORMAT " MiB of guest RAM: %s", ram_size / MiB, g_strerror(e));
		return false;
	}
	madvise(gm->base, gm->map_size, MADV_DONTDUMP);
	return true;
}

void guest_mem_destroy(struct guest_mem *gm)
{
	if (gm->base)
		munmap(gm->base, gm->map_size);
	memset(gm, 0, sizeof(*gm));
}

bool guest_mem_read(const struct guest_mem *gm, uint64_t gpa, void *dst, size_t len)
{
	void *p = guest_mem_ptr(gm, gpa, len);
	if (!p)
		return false;
	memcpy(dst, p, len);
	return true;
}

bool guest_mem_write(const struct guest_mem *gm, uint64_t gpa, const void *src, size_t len)
{
	void *p = guest_mem_ptr(gm, gpa, len);
	if (!p)
		return false;
	memcpy(p, src, len);
	return true;
}
