/* Synthetic kernel images for the loader tests and the fuzzer's seeds:
 * ELF32/64 files, compressed payloads (as Kbuild writes them), bzImages and
 * multiboot kernels, all written byte by byte. */
#ifndef TANDEM_TESTS_BOOT_IMAGES_H
#define TANDEM_TESTS_BOOT_IMAGES_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

struct img_seg {
	uint32_t type;              /* PT_LOAD = 1 */
	uint64_t paddr, vaddr;
	uint64_t filesz, memsz;
	uint64_t offset;            /* 0: placed after the headers */
};
GByteArray *img_elf(bool is64, uint64_t entry, const struct img_seg *segs, unsigned n);
/* One PT_LOAD of filesz bytes (pattern i & 0xFF) at paddr = vaddr, entry at its start. */
GByteArray *img_elf_simple(bool is64, uint64_t paddr, uint64_t filesz, uint64_t memsz);

/* "gzip", "xz", "lz4", "zstd": compressed like Kbuild, with the 4-byte size appended. */
GByteArray *img_compress(const char *fmt, const uint8_t *data, size_t len);

struct img_bz {
	uint16_t version;           /* default 0x20F */
	uint8_t setup_sects;        /* default 4 */
	uint8_t loadflags;          /* default LOADED_HIGH */
	uint16_t xloadflags;        /* default XLF_KERNEL_64 */
	uint32_t init_size;         /* default 8 MiB */
	uint32_t cmdline_size;      /* default 255 */
	uint32_t initrd_addr_max;   /* default 0x7FFFFFFF */
	uint64_t pref_address;      /* default 0x1000000 */
	uint32_t kernel_alignment;  /* default 0x200000 */
	uint32_t pad;               /* bytes before the payload in the protected-mode part (payload_offset) */
	bool set_all;               /* use the fields as given, no defaults */
};
GByteArray *img_bzimage(const struct img_bz *o, const uint8_t *payload, size_t len);

/* Multiboot v1 with the a.out kludge (flags bit 16): header at hoff, image loaded at load_addr. */
GByteArray *img_multiboot_aout(uint32_t hoff, uint32_t load_addr, uint32_t size, uint32_t bss, uint32_t entry);
/* Multiboot v1 ELF32: one segment at paddr, the header inside it. */
GByteArray *img_multiboot_elf(uint32_t paddr, uint32_t size);

#endif
