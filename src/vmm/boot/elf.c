/* ELF loading, used for ELF kernels (vmlinux, freestanding test guests),
 * for the vmlinux inside a bzImage (host-side decompression) and for
 * multiboot ELF32 kernels.  Every program header is checked before anything
 * is copied: offsets inside the file, p_filesz <= p_memsz, segments in RAM
 * at or above 1 MiB (below lie the boot structures) and not overlapping. */
#include "vmm/boot/boot_priv.h"

#include <string.h>

#define ELF_MAX_PHDRS 256

struct phdr {
	uint32_t type;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

bool elf_detect(const uint8_t *img, size_t size)
{
	return size >= SELFMAG && memcmp(img, ELFMAG, SELFMAG) == 0;
}

static void read_phdr(const uint8_t *p, bool is64, struct phdr *ph)
{
	if (is64) {
		ph->type = ld32(p);
		ph->offset = ld64(p + 8);
		ph->vaddr = ld64(p + 16);
		ph->paddr = ld64(p + 24);
		ph->filesz = ld64(p + 32);
		ph->memsz = ld64(p + 40);
	} else {
		ph->type = ld32(p);
		ph->offset = ld32(p + 4);
		ph->vaddr = ld32(p + 8);
		ph->paddr = ld32(p + 12);
		ph->filesz = ld32(p + 16);
		ph->memsz = ld32(p + 20);
	}
}

#define FAIL(...) do { \
	g_autofree char *m_ = g_strdup_printf(__VA_ARGS__); \
	g_set_error(err, BOOT_ERROR, BOOT_ERROR_INVALID, "%s: %s", what, m_); \
	return false; \
} while (0)

bool elf_load_segments(struct boot_ctx *c, const char *what, const uint8_t *img, size_t size,
		       bool want64, struct elf_image *out, GError **err)
{
	if (size < EI_NIDENT || !elf_detect(img, size))
		FAIL("not an ELF file (no \\x7fELF magic)");
	bool is64 = img[EI_CLASS] == ELFCLASS64;
	if (img[EI_CLASS] != ELFCLASS32 && !is64)
		FAIL("unknown ELF class %u", img[EI_CLASS]);
	if (is64 != want64)
		FAIL("an ELF%s file where ELF%s is required", is64 ? "64" : "32", want64 ? "64" : "32");
	if (img[EI_DATA] != ELFDATA2LSB)
		FAIL("not a little-endian ELF file");
	size_t ehsize = is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	if (size < ehsize)
		FAIL("truncated: %zu bytes, the ELF header needs %zu", size, ehsize);
	uint16_t type = ld16(img + 16), machine = ld16(img + 18);
	uint64_t entry = is64 ? ld64(img + 24) : ld32(img + 24);
	uint64_t phoff = is64 ? ld64(img + 32) : ld32(img + 28);
	uint16_t phentsize = ld16(img + (is64 ? 54 : 42)), phnum = ld16(img + (is64 ? 56 : 44));
	if (type != ET_EXEC)
		FAIL("ELF type %u is not an executable (ET_EXEC)", type);
	if (machine != (is64 ? EM_X86_64 : EM_386))
		FAIL("ELF machine %u is not %s", machine, is64 ? "x86-64 (62)" : "i386 (3)");
	size_t phsize = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	if (phentsize != phsize)
		FAIL("e_phentsize %u, expected %zu", phentsize, phsize);
	if (phnum == 0 || phnum > ELF_MAX_PHDRS)
		FAIL("%u program headers (1 to %u accepted)", phnum, ELF_MAX_PHDRS);
	if (phoff > size || (uint64_t)phnum * phsize > size - phoff)
		FAIL("program headers at %" G_GUINT64_FORMAT " (%u x %zu bytes) lie outside the %zu-byte file",
		     phoff, phnum, phsize, size);

	struct phdr ph[ELF_MAX_PHDRS];
	unsigned n = 0;
	uint64_t lo = UINT64_MAX, hi = 0;
	for (unsigned i = 0; i < phnum; i++) {
		struct phdr p;
		read_phdr(img + phoff + (uint64_t)i * phsize, is64, &p);
		if (p.type != PT_LOAD || p.memsz == 0)
			continue;
		if (p.filesz > p.memsz)
			FAIL("segment %u: p_filesz 0x%" G_GINT64_MODIFIER "x exceeds p_memsz 0x%" G_GINT64_MODIFIER "x",
			     i, p.filesz, p.memsz);
		if (p.offset > size || p.filesz > size - p.offset)
			FAIL("segment %u: file range [0x%" G_GINT64_MODIFIER "x, +0x%" G_GINT64_MODIFIER "x) lies outside "
			     "the %zu-byte file", i, p.offset, p.filesz, size);
		if (p.paddr + p.memsz < p.paddr || !guest_mem_is_ram(c->gm, p.paddr, p.memsz))
			FAIL("segment %u: [0x%" G_GINT64_MODIFIER "x, +0x%" G_GINT64_MODIFIER "x) is not in guest RAM "
			     "(RAM below the PCI hole ends at 0x%" G_GINT64_MODIFIER "x)", i, p.paddr, p.memsz, c->gm->low_end);
		if (p.paddr < LAYOUT_KERNEL_START)
			FAIL("segment %u at 0x%" G_GINT64_MODIFIER "x overlaps the boot structures below 1 MiB", i, p.paddr);
		for (unsigned j = 0; j < n; j++)
			if (p.paddr < ph[j].paddr + ph[j].memsz && ph[j].paddr < p.paddr + p.memsz)
				FAIL("segment %u [0x%" G_GINT64_MODIFIER "x, 0x%" G_GINT64_MODIFIER "x) overlaps another "
				     "at [0x%" G_GINT64_MODIFIER "x, 0x%" G_GINT64_MODIFIER "x)", i, p.paddr,
				     p.paddr + p.memsz, ph[j].paddr, ph[j].paddr + ph[j].memsz);
		ph[n++] = p;
		lo = MIN(lo, p.paddr);
		hi = MAX(hi, p.paddr + p.memsz);
	}
	if (n == 0)
		FAIL("no loadable segments");

	/* The entry point is physical when it lies in a loaded segment (vmlinux
	 * has e_entry = startup_64's physical address); otherwise translate it
	 * through the segment whose virtual range holds it. */
	uint64_t pentry = UINT64_MAX;
	for (unsigned j = 0; j < n && pentry == UINT64_MAX; j++)
		if (entry >= ph[j].paddr && entry - ph[j].paddr < ph[j].memsz)
			pentry = entry;
	for (unsigned j = 0; j < n && pentry == UINT64_MAX; j++)
		if (entry >= ph[j].vaddr && entry - ph[j].vaddr < ph[j].memsz)
			pentry = entry - ph[j].vaddr + ph[j].paddr;
	if (pentry == UINT64_MAX)
		FAIL("entry point 0x%" G_GINT64_MODIFIER "x is outside every loaded segment", entry);

	for (unsigned j = 0; j < n; j++) {
		uint8_t *dst = guest_mem_ptr(c->gm, ph[j].paddr, ph[j].memsz);
		memcpy(dst, img + ph[j].offset, ph[j].filesz);
		memset(dst + ph[j].filesz, 0, ph[j].memsz - ph[j].filesz);
	}
	out->is64 = is64;
	out->entry = pentry;
	out->lo = lo;
	out->hi = hi;
	return true;
}

/* An ELF file given as the kernel: ELF64 is entered in long mode like
 * startup_64 (RSI = a zero page carrying the e820 map, command line and
 * initrd), ELF32 in flat 32-bit protected mode with paging off. */
bool elf_load_kernel(struct boot_ctx *c, const uint8_t *img, size_t size, GError **err)
{
	bool is64 = size > EI_CLASS && img[EI_CLASS] == ELFCLASS64;
	struct elf_image elf;
	g_autofree char *what = g_strdup_printf("ELF kernel %s", c->name);
	if (!elf_load_segments(c, what, img, size, is64, &elf, err))
		return false;
	if (elf.entry >= LAYOUT_4G) {
		g_set_error(err, BOOT_ERROR, BOOT_ERROR_INVALID, "%s: entry 0x%" G_GINT64_MODIFIER "x is above 4 GiB",
			    what, elf.entry);
		return false;
	}
	c->kernel_lo = elf.lo;
	c->kernel_hi = elf.hi;
	if (!boot_write_cmdline(c, LAYOUT_CMDLINE_MAX - 1, "tandem's command-line area", err) ||
	    !initrd_load(c, 0x80000000ULL, "initrd_addr_max 0x7fffffff", err))
		return false;

	/* A minimal setup header, as for a kernel without one (vmlinux). */
	uint8_t hdr[0x26C - 0x1F1] = { 0 };
#define H(off) (hdr + ((off) - 0x1F1))
	st16(H(0x1FE), 0xAA55);
	st32(H(0x202), 0x53726448u);       /* "HdrS" */
	st16(H(0x206), 0x20F);
	*H(0x211) = 0x01;                  /* LOADED_HIGH */
	st32(H(0x22C), 0x7FFFFFFF);        /* initrd_addr_max */
	st32(H(0x230), 0x1000000);         /* kernel_alignment */
	st32(H(0x238), LAYOUT_CMDLINE_MAX - 1);
#undef H
	if (!zero_page_build(c, hdr, sizeof(hdr), err) ||
	    !cpu_setup(c, is64 ? BOOT_CPU_LONG64 : BOOT_CPU_PROT32, elf.entry, err))
		return false;
	c->bsp->regs.rsi = LAYOUT_ZERO_PAGE;
	return true;
}
