/* Multiboot v1 loader (the Multiboot Specification 0.6.96).  The header
 * (magic 0x1BADB002, flags, checksum) lies 4-byte aligned in the first
 * 8 KiB.  With flags bit 16 the a.out-kludge address fields say where the
 * image goes; otherwise the kernel must be ELF32.  The CPU enters in flat
 * 32-bit protected mode, paging off, EAX = 0x2BADB002, EBX = the
 * multiboot_info built at LAYOUT_MB_INFO (memory sizes, command line, the
 * initrd as module 0, the e820 map). */
#include "vmm/boot/boot_priv.h"

#include <string.h>

#define MB_MAGIC        0x1BADB002u
#define MB_BOOT_MAGIC   0x2BADB002u
#define MB_SEARCH       8192
#define MB_PAGE_ALIGN   (1u << 0)
#define MB_MEMORY_INFO  (1u << 1)
#define MB_AOUT_KLUDGE  (1u << 16)
#define MB_SUPPORTED    (MB_PAGE_ALIGN | MB_MEMORY_INFO | MB_AOUT_KLUDGE)

#define MBI_MEM      (1u << 0)
#define MBI_CMDLINE  (1u << 2)
#define MBI_MODS     (1u << 3)
#define MBI_MMAP     (1u << 6)
#define MBI_LOADER   (1u << 9)
#define MBI_SIZE     88

static bool find_header(const uint8_t *img, size_t size, size_t *off)
{
	size_t end = MIN(size, (size_t)MB_SEARCH);
	for (size_t o = 0; o + 12 <= end; o += 4)
		if (ld32(img + o) == MB_MAGIC && (uint32_t)(MB_MAGIC + ld32(img + o + 4) + ld32(img + o + 8)) == 0) {
			*off = o;
			return true;
		}
	return false;
}

bool multiboot_detect(const uint8_t *img, size_t size)
{
	size_t off;
	return find_header(img, size, &off);
}

#define FAIL(...) do { \
	g_autofree char *m_ = g_strdup_printf(__VA_ARGS__); \
	g_set_error(err, BOOT_ERROR, BOOT_ERROR_INVALID, "multiboot kernel %s: %s", c->name, m_); \
	return false; \
} while (0)

/* a.out kludge: the file from load_offset is copied to load_addr. */
static bool load_aout(struct boot_ctx *c, const uint8_t *img, size_t size, size_t hoff, uint64_t *entry, GError **err)
{
	if (hoff + 32 > size)
		FAIL("header at %zu is cut off by the end of the %zu-byte file", hoff, size);
	uint32_t header_addr = ld32(img + hoff + 12), load_addr = ld32(img + hoff + 16);
	uint32_t load_end = ld32(img + hoff + 20), bss_end = ld32(img + hoff + 24);
	*entry = ld32(img + hoff + 28);
	if (header_addr < load_addr || header_addr - load_addr > hoff)
		FAIL("header_addr 0x%x and load_addr 0x%x put the image start before the file's start", header_addr, load_addr);
	uint64_t file_off = hoff - (header_addr - load_addr);
	uint64_t len = load_end ? (uint64_t)load_end - load_addr : size - file_off;
	if (load_end && load_end < load_addr)
		FAIL("load_end_addr 0x%x is below load_addr 0x%x", load_end, load_addr);
	if (len > size - file_off)
		FAIL("load range [0x%x, +0x%" G_GINT64_MODIFIER "x) needs %" G_GUINT64_FORMAT " bytes from file offset %"
		     G_GUINT64_FORMAT ", the file has %zu", load_addr, len, len, file_off, size);
	uint64_t end = (uint64_t)load_addr + len;
	if (bss_end && bss_end < end)
		FAIL("bss_end_addr 0x%x is below the end of the loaded image 0x%" G_GINT64_MODIFIER "x", bss_end, end);
	uint64_t mem_end = bss_end ? bss_end : end;
	if (load_addr < LAYOUT_KERNEL_START)
		FAIL("load_addr 0x%x overlaps the boot structures below 1 MiB", load_addr);
	if (!guest_mem_is_ram(c->gm, load_addr, mem_end - load_addr))
		FAIL("image [0x%x, 0x%" G_GINT64_MODIFIER "x) is not in guest RAM (RAM below the PCI hole ends at 0x%"
		     G_GINT64_MODIFIER "x)", load_addr, mem_end, c->gm->low_end);
	if (*entry < load_addr || *entry >= mem_end)
		FAIL("entry_addr 0x%" G_GINT64_MODIFIER "x is outside the image [0x%x, 0x%" G_GINT64_MODIFIER "x)",
		     *entry, load_addr, mem_end);
	uint8_t *dst = guest_mem_ptr(c->gm, load_addr, mem_end - load_addr);
	memcpy(dst, img + file_off, len);
	memset(dst + len, 0, mem_end - end);
	c->kernel_lo = load_addr;
	c->kernel_hi = mem_end;
	return true;
}

static bool write_info(struct boot_ctx *c, GError **err)
{
	uint8_t info[MBI_SIZE] = { 0 };
	uint32_t flags = MBI_MEM | MBI_CMDLINE | MBI_MMAP | MBI_LOADER;
	st32(info + 4, (uint32_t)(LAYOUT_EBDA_START / KiB));                 /* mem_lower, KiB */
	st32(info + 8, (uint32_t)((c->gm->low_end - LAYOUT_BIOS_END) / KiB)); /* mem_upper, KiB above 1 MiB */
	st32(info + 16, (uint32_t)LAYOUT_CMDLINE);

	static const char loader[] = "tandem";
	static const char modname[] = "initrd";
	bool ok = guest_mem_write(c->gm, BOOT_MB_STRINGS, loader, sizeof(loader)) &&
		  guest_mem_write(c->gm, BOOT_MB_STRINGS + 16, modname, sizeof(modname));
	st32(info + 64, (uint32_t)BOOT_MB_STRINGS);                           /* boot_loader_name */
	if (c->bc->initrd) {
		uint8_t mod[16] = { 0 };
		st32(mod, (uint32_t)c->initrd_addr);
		st32(mod + 4, (uint32_t)(c->initrd_addr + c->initrd_size));
		st32(mod + 8, (uint32_t)(BOOT_MB_STRINGS + 16));
		ok = ok && guest_mem_write(c->gm, BOOT_MB_MODS, mod, sizeof(mod));
		flags |= MBI_MODS;
		st32(info + 20, 1);                                            /* mods_count */
		st32(info + 24, (uint32_t)BOOT_MB_MODS);
	}
	struct e820_entry e[E820_MAX_ENTRIES];
	unsigned n = e820_build(c->gm, e);
	uint8_t mmap[E820_MAX_ENTRIES * 24];
	for (unsigned i = 0; i < n; i++) {
		st32(mmap + 24 * i, 20);                                       /* size of the rest of the entry */
		st64(mmap + 24 * i + 4, e[i].addr);
		st64(mmap + 24 * i + 12, e[i].size);
		st32(mmap + 24 * i + 20, e[i].type);
	}
	ok = ok && guest_mem_write(c->gm, BOOT_MB_MMAP, mmap, 24 * n);
	st32(info + 44, 24 * n);                                               /* mmap_length */
	st32(info + 48, (uint32_t)BOOT_MB_MMAP);
	st32(info, flags);
	ok = ok && guest_mem_write(c->gm, LAYOUT_MB_INFO, info, sizeof(info));
	if (!ok)
		g_set_error(err, BOOT_ERROR, BOOT_ERROR_NOSPACE, "guest RAM too small for the multiboot information");
	return ok;
}

bool multiboot_load(struct boot_ctx *c, const uint8_t *img, size_t size, GError **err)
{
	size_t hoff;
	if (!find_header(img, size, &hoff))
		FAIL("no multiboot header (magic 0x%x with a valid checksum) in the first 8 KiB", MB_MAGIC);
	uint32_t flags = ld32(img + hoff + 4);
	if (flags & 0xFFFF & ~MB_SUPPORTED)
		FAIL("header flags 0x%x request features tandem does not provide (bits 0x%x)", flags,
		     flags & 0xFFFF & ~MB_SUPPORTED);
	uint64_t entry;
	if (flags & MB_AOUT_KLUDGE) {
		if (!load_aout(c, img, size, hoff, &entry, err))
			return false;
	} else {
		if (!elf_detect(img, size) || size <= EI_CLASS || img[EI_CLASS] != ELFCLASS32)
			FAIL("no address fields (flags bit 16 clear) and not an ELF32 file");
		struct elf_image elf;
		g_autofree char *what = g_strdup_printf("multiboot kernel %s", c->name);
		if (!elf_load_segments(c, what, img, size, false, &elf, err))
			return false;
		entry = elf.entry;
		c->kernel_lo = elf.lo;
		c->kernel_hi = elf.hi;
	}
	g_autofree char *what = g_strdup_printf("the end of low RAM 0x%" G_GINT64_MODIFIER "x", c->gm->low_end);
	if (!boot_write_cmdline(c, LAYOUT_CMDLINE_MAX - 1, "tandem's command-line area", err) ||
	    !initrd_load(c, c->gm->low_end, what, err) ||
	    !write_info(c, err) ||
	    !cpu_setup(c, BOOT_CPU_PROT32, entry, err))
		return false;
	c->bsp->regs.rax = MB_BOOT_MAGIC;
	c->bsp->regs.rbx = LAYOUT_MB_INFO;
	return true;
}
