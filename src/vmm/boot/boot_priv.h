/* Internals shared by the boot loaders: the load context, each loader's
 * entry point (the fuzzer and the unit tests call them directly on byte
 * buffers), and the helpers they share.  Not for use outside src/vmm/boot
 * and its tests. */
#ifndef TANDEM_BOOT_PRIV_H
#define TANDEM_BOOT_PRIV_H

#include "vmm/boot/boot.h"
#include "vmm/boot/boot_layout.h"

#include <elf.h>
#include <stddef.h>
#include <stdint.h>

#define BOOT_ERROR (boot_error_quark())
GQuark boot_error_quark(void);
enum boot_error_code {
	BOOT_ERROR_INVALID,   /* the file (or configuration) is malformed or unsupported */
	BOOT_ERROR_NOSPACE,   /* it does not fit in guest RAM */
	BOOT_ERROR_IO,        /* reading a file failed */
};

struct boot_ctx {
	struct guest_mem *gm;
	const struct boot_config *bc;
	struct cpu_state *bsp;
	const char *name;              /* kernel file name, for messages */
	uint64_t max_decompressed;     /* bound on host-side decompression output */
	uint64_t rsdp;                 /* RSDP address, 0 when no ACPI tables were built */
	/* Physical range the kernel occupies (or may use while it unpacks
	 * itself); the initrd is placed outside it. */
	uint64_t kernel_lo, kernel_hi;
	uint64_t initrd_addr, initrd_size;
};

/* Loads from bytes already in memory (boot_load reads the file, then calls
 * this).  The kind of kernel is detected from the content. */
bool boot_load_image(struct boot_ctx *c, const uint8_t *img, size_t size, GError **err);
/* Builds the MP table (and the ACPI tables when c->bc->acpi); sets c->rsdp. */
bool boot_build_tables(struct boot_ctx *c, GError **err);

/* The loaders.  Each validates the image, loads it, the initrd and the
 * command line, builds its boot information and fills c->bsp. */
bool bzimage_detect(const uint8_t *img, size_t size);
bool bzimage_load(struct boot_ctx *c, const uint8_t *img, size_t size, GError **err);
bool elf_detect(const uint8_t *img, size_t size);
bool elf_load_kernel(struct boot_ctx *c, const uint8_t *img, size_t size, GError **err);
bool multiboot_detect(const uint8_t *img, size_t size);
bool multiboot_load(struct boot_ctx *c, const uint8_t *img, size_t size, GError **err);

/* ELF: validates every program header, then copies the PT_LOAD segments to
 * their physical addresses (p_paddr) and zeroes the rest of p_memsz.
 * "what" names the image in messages. */
struct elf_image {
	bool is64;
	uint64_t entry;       /* physical entry point */
	uint64_t lo, hi;      /* extent of the loaded segments */
};
bool elf_load_segments(struct boot_ctx *c, const char *what, const uint8_t *img, size_t size,
		       bool want64, struct elf_image *out, GError **err);

/* Compressed bzImage payloads (gzip, xz, lz4 legacy, zstd; detected by
 * magic).  The output is g_malloc'ed and at most max_out bytes. */
const char *payload_format(const uint8_t *in, size_t len);
bool payload_decompress(const uint8_t *in, size_t len, uint64_t max_out,
			uint8_t **out, size_t *out_len, GError **err);

/* e820 map of the machine (types below). */
#define E820_RAM      1
#define E820_RESERVED 2
struct e820_entry {
	uint64_t addr, size;
	uint32_t type;
};
#define E820_MAX_ENTRIES 8
unsigned e820_build(const struct guest_mem *gm, struct e820_entry *out);

/* Copies bc->cmdline (or "") with its NUL to LAYOUT_CMDLINE; refuses a
 * command line longer than max_len bytes ("limit_what" names the limit). */
bool boot_write_cmdline(struct boot_ctx *c, uint64_t max_len, const char *limit_what, GError **err);

/* Loads bc->initrd (if any) page-aligned as high as possible below limit
 * (exclusive, clipped to low RAM) and outside [kernel_lo, kernel_hi);
 * "limit_what" names the limit in the error. */
bool initrd_load(struct boot_ctx *c, uint64_t limit, const char *limit_what, GError **err);

/* Linux boot_params at LAYOUT_ZERO_PAGE: zeros, the setup header bytes
 * (hdr, copied to offset 0x1F1), then the loader's fields. */
bool zero_page_build(struct boot_ctx *c, const uint8_t *hdr, size_t hdr_len, GError **err);

/* Initial CPU state: GDT (flat __BOOT_CS 0x10 / __BOOT_DS 0x18), IDT, and for
 * 64-bit entries the identity page tables for 0-4 GiB; registers zero except
 * RIP, RSP, RFLAGS; MSRs and FPU per the common boot list. */
enum boot_cpu_mode { BOOT_CPU_LONG64, BOOT_CPU_PROT32 };
bool cpu_setup(struct boot_ctx *c, enum boot_cpu_mode mode, uint64_t rip, GError **err);

bool acpi_build(struct guest_mem *gm, unsigned ncpus, uint64_t *rsdp, GError **err);
bool mptable_build(struct guest_mem *gm, unsigned ncpus, GError **err);
uint8_t boot_checksum(const uint8_t *p, size_t len);   /* byte that makes the sum 0 */

/* Little-endian accessors on byte buffers (callers check bounds). */
static inline uint16_t ld16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t ld32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static inline uint64_t ld64(const uint8_t *p) { return ld32(p) | (uint64_t)ld32(p + 4) << 32; }
static inline void st16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void st32(uint8_t *p, uint32_t v) { st16(p, (uint16_t)v); st16(p + 2, (uint16_t)(v >> 16)); }
static inline void st64(uint8_t *p, uint64_t v) { st32(p, (uint32_t)v); st32(p + 4, (uint32_t)(v >> 32)); }

#endif
