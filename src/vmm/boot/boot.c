/* boot_load: validates the configuration, reads the kernel file, builds the
 * firmware tables and hands the bytes to the loader that recognises them. */
#include "vmm/boot/boot_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

G_DEFINE_QUARK(tandem-boot-error-quark, boot_error)

uint8_t boot_checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;
	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	return (uint8_t)-sum;
}

bool boot_write_cmdline(struct boot_ctx *c, uint64_t max_len, const char *limit_what, GError **err)
{
	const char *cmd = c->bc->cmdline ? c->bc->cmdline : "";
	size_t len = strlen(cmd);
	if (max_len > LAYOUT_CMDLINE_MAX - 1)
		max_len = LAYOUT_CMDLINE_MAX - 1;
	if (len > max_len) {
		g_set_error(err, BOOT_ERROR, BOOT_ERROR_INVALID,
			    "kernel command line is %zu bytes long, but %s allows at most %" G_GUINT64_FORMAT,
			    len, limit_what, max_len);
		return false;
	}
	if (!guest_mem_write(c->gm, LAYOUT_CMDLINE, cmd, len + 1)) {
		g_set_error(err, BOOT_ERROR, BOOT_ERROR_NOSPACE, "guest RAM too small for the command line");
		return false;
	}
	return true;
}

bool boot_build_tables(struct boot_ctx *c, GError **err)
{
	c->rsdp = 0;
	if (!mptable_build(c->gm, c->bc->ncpus, err))
		return false;
	if (c->bc->acpi && !acpi_build(c->gm, c->bc->ncpus, &c->rsdp, err))
		return false;
	return true;
}

bool boot_load_image(struct boot_ctx *c, const uint8_t *img, size_t size, GError **err)
{
	if (c->bc->ncpus < 1 || c->bc->ncpus > BOOT_MAX_CPUS) {
		g_set_error(err, BOOT_ERROR, BOOT_ERROR_INVALID,
			    "cannot boot %u vCPUs: the firmware tables describe 1 to %u", c->bc->ncpus, BOOT_MAX_CPUS);
		return false;
	}
	if (c->gm->low_end < LAYOUT_KERNEL_START + MiB) {
		g_set_error(err, BOOT_ERROR, BOOT_ERROR_NOSPACE,
			    "guest RAM of %" G_GUINT64_FORMAT " KiB is too small to boot a kernel: at least 2 MiB",
			    c->gm->low_end / KiB);
		return false;
	}
	memset(c->bsp, 0, sizeof(*c->bsp));
	c->kernel_lo = c->kernel_hi = 0;
	c->initrd_addr = c->initrd_size = 0;
	if (!boot_build_tables(c, err))
		return false;
	if (bzimage_detect(img, size))
		return bzimage_load(c, img, size, err);
	if (elf_detect(img, size) && size > EI_CLASS && img[EI_CLASS] == ELFCLASS64)
		return elf_load_kernel(c, img, size, err);
	if (multiboot_detect(img, size))
		return multiboot_load(c, img, size, err);
	if (elf_detect(img, size))
		return elf_load_kernel(c, img, size, err);
	g_set_error(err, BOOT_ERROR, BOOT_ERROR_INVALID,
		    "%s is not a kernel tandem can boot: no bzImage header (\"HdrS\" at 0x202), "
		    "no ELF magic and no multiboot header in the first 8 KiB", c->name);
	return false;
}

/* Reads a whole file of at most max bytes. */
static bool read_file(const char *path, const char *what, uint64_t max, uint8_t **data, size_t *size, GError **err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		g_set_error(err, BOOT_ERROR, BOOT_ERROR_IO, "cannot open %s %s: %s", what, path, g_strerror(errno));
		return false;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		g_set_error(err, BOOT_ERROR, BOOT_ERROR_IO, "%s %s is not a regular file", what, path);
		close(fd);
		return false;
	}
	if ((uint64_t)st.st_size > max) {
		g_set_error(err, BOOT_ERROR, BOOT_ERROR_INVALID, "%s %s is %" G_GUINT64_FORMAT " MiB, more than the %"
			    G_GUINT64_FORMAT " MiB tandem accepts", what, path, (uint64_t)st.st_size / MiB, max / MiB);
		close(fd);
		return false;
	}
	size_t n = (size_t)st.st_size, got = 0;
	uint8_t *buf = g_malloc(n ? n : 1);
	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			g_set_error(err, BOOT_ERROR, BOOT_ERROR_IO, "cannot read %s %s: %s", what, path,
				    r < 0 ? g_strerror(errno) : "file shrank while reading");
			g_free(buf);
			close(fd);
			return false;
		}
		got += (size_t)r;
	}
	close(fd);
	*data = buf;
	*size = n;
	return true;
}

bool boot_load(struct guest_mem *gm, const struct boot_config *bc, struct cpu_state *bsp, GError **err)
{
	if (!bc->kernel) {
		g_set_error(err, BOOT_ERROR, BOOT_ERROR_INVALID, "no kernel given");
		return false;
	}
	g_autofree uint8_t *img = NULL;
	size_t size = 0;
	if (!read_file(bc->kernel, "kernel", BOOT_KERNEL_FILE_MAX, &img, &size, err))
		return false;
	struct boot_ctx c = {
		.gm = gm, .bc = bc, .bsp = bsp, .name = bc->kernel,
		.max_decompressed = BOOT_DECOMPRESS_MAX,
	};
	return boot_load_image(&c, img, size, err);
}
