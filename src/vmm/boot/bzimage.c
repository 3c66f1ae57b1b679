/* Linux bzImage loader (Documentation/x86/boot.rst, protocol 2.06+).
 * Guest-decompress mode: the protected-mode part goes to 1 MiB and the CPU
 * enters it at its 64-bit entry (load address + 0x200) or, without
 * XLF_KERNEL_64, at its 32-bit entry.  Host-decompress mode: the payload
 * (payload_offset/length) is decompressed here and the vmlinux ELF inside
 * is loaded at its link-time physical addresses and entered at startup_64,
 * skipping the guest-side decompressor.  Both modes share the zero page,
 * command line and initrd handling. */
#include "vmm/boot/boot_priv.h"
#include "vmm/boot/zero_page.h"

#include <string.h>

struct bzimage {
	const uint8_t *img;
	size_t size;
	size_t hdr_end;          /* 0x202 + byte[0x201] */
	uint16_t version;
	uint64_t setup_size;     /* real-mode part, (setup_sects + 1) * 512 */
	const uint8_t *pm;       /* protected-mode part */
	uint64_t pm_size;
	uint64_t runtime_start;  /* where the kernel unpacks itself */
	uint64_t init_size;
};

bool bzimage_detect(const uint8_t *img, size_t size)
{
	return size >= ZP_HEADER + 4 && ld16(img + ZP_BOOT_FLAG) == 0xAA55 && ld32(img + ZP_HEADER) == ZP_HDRS_MAGIC;
}

/* Parses and checks the setup header. */
static bool parse(struct boot_ctx *c, struct bzimage *bz, GError **err)
{
	const uint8_t *img = bz->img;
	if (!bzimage_detect(img, bz->size)) {
		g_set_error(err, BOOT_ERROR, BOOT_ERROR_INVALID, "%s is not a bzImage: no boot flag 0xAA55 at 0x1FE "
			    "and \"HdrS\" at 0x202", c->name);
		return false;
	}
	if (bz->size < ZP_VERSION + 2) {
		g_set_error(err, BOOT_ERROR, BOOT_ERROR_INVALID, "bzImage %s is truncated: %zu bytes, the setup header "
			    "alone needs %u", c->name, bz->size, ZP_VERSION + 2);
		return false;
	}
	bz->version = ld16(img + ZP_VERSION);
	if (bz->version < 0x206) {
		g_set_error(err, BOOT_ERROR, BOOT_ERROR_INVALID, "bzImage %s uses boot protocol %u.%02u, which is too old: "
			    "tandem needs 2.06 or later", c->name, bz->version >> 8, bz->version & 0xFF);
		return false;
	}
	bz->hdr_end = (size_t)ZP_JUMP + 2 + img[ZP_JUMP + 1];
	size_t need = bz->version >= 0x20A ? ZP_INIT_SIZE + 4 : bz->version >= 0x208 ? ZP_SETUP_DATA : ZP_CMDLINE_SIZE + 4;
	if (bz->hdr_end < need) {
		g_set_error(err, BOOT_ERROR, BOOT_ERROR_INVALID, "bzImage %s: setup header ends at 0x%zx, but boot protocol "
			    "%u.%02u needs it to reach 0x%zx", c->name, bz->hdr_end, bz->version >> 8, bz->version & 0xFF, need);
		return false;
	}
	if (bz->hdr_end > bz->size) {
		g_set_error(err, BOOT_ERROR, BOOT_ERROR_INVALID, "bzImage %s is truncated: the setup header ends at 0x%zx, "
			    "the file is %zu bytes", c->name, bz->hdr_end, bz->size);
		return false;
	}
	unsigned sects = img[ZP_SETUP_SECTS] ? img[ZP_SETUP_SECTS] : 4;
	bz->setup_size = (sects + 1) * 512ULL;
	if (bz->setup_size >= bz->size) {
		g_set_error(err, BOOT_ERROR, BOOT_ERROR_INVALID, "bzImage %s is truncated: setup_sects %u puts the "
			    "protected-mode kernel at %" G_GUINT64_FORMAT ", but the file is %zu bytes",
			    c->name, sects, bz->setup_size, bz->size);
		return false;
	}
	bz->pm = img + bz->setup_size;
	bz->pm_size = bz->size - bz->setup_size;
	uint64_t sys = (uint64_t)ld32(img + ZP_SYSSIZE) * 16;
	if (sys > bz->pm_size) {
		g_set_error(err, BOOT_ERROR, BOOT_ERROR_INVALID, "bzImage %s is truncated: syssize says the protected-mode "
			    "kernel is %" G_GUINT64_FORMAT " bytes, the file holds %" G_GUINT64_FORMAT,
			    c->name, sys, bz->pm_size);
		return false;
	}
	if (!(img[ZP_LOADFLAGS] & ZP_LOADED_HIGH)) {
		g_set_error(err, BOOT_ERROR, BOOT_ERROR_INVALID, "bzImage %s is not loaded high (LOADED_HIGH clear in "
			    "loadflags): a zImage, which tandem cannot boot", c->name);
		return false;
	}

	/* Where the decompressor unpacks the kernel: a relocatable kernel at
	 * the load address rounded up to kernel_alignment, but never below its
	 * link address (pref_address, LOAD_PHYSICAL_ADDR); otherwise at
	 * pref_address. */
	uint64_t align = ld32(img + ZP_KERNEL_ALIGNMENT);
	bool reloc = img[ZP_RELOCATABLE] != 0;
	uint64_t pref = bz->version >= 0x20A ? ld64(img + ZP_PREF_ADDRESS) : LAYOUT_KERNEL_START;
	if (reloc && (align == 0 || (align & (align - 1)) || align > GiB)) {
		g_set_error(err, BOOT_ERROR, BOOT_ERROR_INVALID, "bzImage %s: kernel_alignment 0x%" G_GINT64_MODIFIER "x is "
			    "not a power of two up to 1 GiB", c->name, align);
		return false;
	}
	bz->runtime_start = reloc ? MAX((LAYOUT_KERNEL_START + align - 1) & ~(align - 1), pref) : pref;
	/* Before 2.10 there is no init_size: assume the usual 4x expansion. */
	bz->init_size = bz->version >= 0x20A ? ld32(img + ZP_INIT_SIZE) : 4 * bz->pm_size;
	return true;
}

static bool load_guest_decompress(struct boot_ctx *c, struct bzimage *bz, uint64_t *entry, bool *lm, GError **err)
{
	if (bz->runtime_start < LAYOUT_KERNEL_START || bz->runtime_start > c->gm->low_end ||
	    bz->init_size > c->gm->low_end - bz->runtime_start) {
		g_set_error(err, BOOT_ERROR, BOOT_ERROR_NOSPACE, "bzImage %s needs RAM at [0x%" G_GINT64_MODIFIER "x, "
			    "0x%" G_GINT64_MODIFIER "x) (runtime start + init_size), but guest RAM below the PCI hole ends "
			    "at 0x%" G_GINT64_MODIFIER "x", c->name, bz->runtime_start, bz->runtime_start + bz->init_size,
			    c->gm->low_end);
		return false;
	}
	if (!guest_mem_write(c->gm, LAYOUT_KERNEL_START, bz->pm, bz->pm_size)) {
		g_set_error(err, BOOT_ERROR, BOOT_ERROR_NOSPACE, "bzImage %s: the %" G_GUINT64_FORMAT " KiB protected-mode "
			    "kernel does not fit in guest RAM at 1 MiB", c->name, bz->pm_size / KiB);
		return false;
	}
	c->kernel_lo = LAYOUT_KERNEL_START;
	c->kernel_hi = MAX(LAYOUT_KERNEL_START + bz->pm_size, bz->runtime_start + bz->init_size);
	*lm = bz->version >= 0x20C && (bz->img[ZP_XLOADFLAGS] & ZP_XLF_KERNEL_64);
	*entry = LAYOUT_KERNEL_START + (*lm ? 0x200 : 0);
	return true;
}

static bool load_host_decompress(struct boot_ctx *c, struct bzimage *bz, uint64_t *entry, GError **err)
{
	if (bz->version < 0x208) {
		g_set_error(err, BOOT_ERROR, BOOT_ERROR_INVALID, "bzImage %s: host-side decompression needs boot protocol "
			    "2.08 (payload_offset), the kernel has %u.%02u", c->name, bz->version >> 8, bz->version & 0xFF);
		return false;
	}
	uint64_t off = ld32(bz->img + ZP_PAYLOAD_OFFSET), len = ld32(bz->img + ZP_PAYLOAD_LENGTH);
	if (len == 0 || off > bz->pm_size || len > bz->pm_size - off) {
		g_set_error(err, BOOT_ERROR, BOOT_ERROR_INVALID, "bzImage %s: payload [%" G_GUINT64_FORMAT ", +%"
			    G_GUINT64_FORMAT ") lies outside the %" G_GUINT64_FORMAT "-byte protected-mode kernel",
			    c->name, off, len, bz->pm_size);
		return false;
	}
	g_autofree uint8_t *vmlinux = NULL;
	size_t vlen = 0;
	g_autoptr(GError) derr = NULL;
	if (!payload_decompress(bz->pm + off, len, c->max_decompressed, &vmlinux, &vlen, &derr)) {
		g_set_error(err, BOOT_ERROR, BOOT_ERROR_INVALID, "bzImage %s: %s", c->name, derr->message);
		return false;
	}
	struct elf_image elf;
	g_autofree char *what = g_strdup_printf("bzImage %s: decompressed vmlinux", c->name);
	if (!elf_load_segments(c, what, vmlinux, vlen, true, &elf, err))
		return false;
	if (elf.entry >= LAYOUT_4G) {
		g_set_error(err, BOOT_ERROR, BOOT_ERROR_INVALID, "%s: entry 0x%" G_GINT64_MODIFIER "x is above the "
			    "4 GiB identity map", what, elf.entry);
		return false;
	}
	c->kernel_lo = elf.lo;
	c->kernel_hi = elf.hi;
	*entry = elf.entry;
	return true;
}

bool bzimage_load(struct boot_ctx *c, const uint8_t *img, size_t size, GError **err)
{
	struct bzimage bz = { .img = img, .size = size };
	if (!parse(c, &bz, err))
		return false;
	uint64_t entry = 0;
	bool lm = true;
	if (c->bc->host_decompress ? !load_host_decompress(c, &bz, &entry, err)
				   : !load_guest_decompress(c, &bz, &entry, &lm, err))
		return false;

	uint32_t cmdline_size = ld32(img + ZP_CMDLINE_SIZE);
	if (!boot_write_cmdline(c, cmdline_size, "the kernel's cmdline_size", err))
		return false;
	uint64_t addr_max = ld32(img + ZP_INITRD_ADDR_MAX);
	g_autofree char *what = g_strdup_printf("initrd_addr_max 0x%" G_GINT64_MODIFIER "x", addr_max);
	if (!initrd_load(c, addr_max + 1, what, err))
		return false;
	if (!zero_page_build(c, img + ZP_HDR, bz.hdr_end - ZP_HDR, err))
		return false;
	if (!c->bc->host_decompress) {
		uint8_t code32[4];
		st32(code32, (uint32_t)LAYOUT_KERNEL_START);
		guest_mem_write(c->gm, LAYOUT_ZERO_PAGE + ZP_CODE32_START, code32, 4);
	}
	if (!cpu_setup(c, lm ? BOOT_CPU_LONG64 : BOOT_CPU_PROT32, entry, err))
		return false;
	c->bsp->regs.rsi = LAYOUT_ZERO_PAGE;
	return true;
}
