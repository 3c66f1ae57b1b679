/* Synthetic kernel images; see images.h. */
#include "images.h"
#include "vmm/boot/boot_priv.h"
#include "vmm/boot/zero_page.h"

#include <lz4.h>
#include <lzma.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

GByteArray *img_elf(bool is64, uint64_t entry, const struct img_seg *segs, unsigned n)
{
	size_t eh = is64 ? 64 : 52, ph = is64 ? 56 : 32;
	size_t off = eh + n * ph;
	GByteArray *b = g_byte_array_new();
	g_byte_array_set_size(b, (guint)off);
	uint8_t *p = b->data;
	memset(p, 0, off);
	memcpy(p, ELFMAG, 4);
	p[EI_CLASS] = is64 ? ELFCLASS64 : ELFCLASS32;
	p[EI_DATA] = ELFDATA2LSB;
	p[EI_VERSION] = 1;
	st16(p + 16, ET_EXEC);
	st16(p + 18, is64 ? EM_X86_64 : EM_386);
	st32(p + 20, 1);
	if (is64) {
		st64(p + 24, entry);
		st64(p + 32, eh);
		st16(p + 52, (uint16_t)eh);
		st16(p + 54, (uint16_t)ph);
		st16(p + 56, (uint16_t)n);
	} else {
		st32(p + 24, (uint32_t)entry);
		st32(p + 28, (uint32_t)eh);
		st16(p + 40, (uint16_t)eh);
		st16(p + 42, (uint16_t)ph);
		st16(p + 44, (uint16_t)n);
	}
	for (unsigned i = 0; i < n; i++) {
		uint64_t o = segs[i].offset ? segs[i].offset : off;
		if (!segs[i].offset)
			off += segs[i].filesz;
		uint8_t *q = b->data + eh + i * ph;
		if (is64) {
			st32(q, segs[i].type);
			st32(q + 4, 7);
			st64(q + 8, o);
			st64(q + 16, segs[i].vaddr);
			st64(q + 24, segs[i].paddr);
			st64(q + 32, segs[i].filesz);
			st64(q + 40, segs[i].memsz);
			st64(q + 48, 0x1000);
		} else {
			st32(q, segs[i].type);
			st32(q + 4, (uint32_t)o);
			st32(q + 8, (uint32_t)segs[i].vaddr);
			st32(q + 12, (uint32_t)segs[i].paddr);
			st32(q + 16, (uint32_t)segs[i].filesz);
			st32(q + 20, (uint32_t)segs[i].memsz);
			st32(q + 24, 7);
			st32(q + 28, 0x1000);
		}
	}
	/* segment contents: a byte pattern, so tests can check the copy */
	size_t old = b->len;
	if (off > old) {
		g_byte_array_set_size(b, (guint)off);
		for (size_t i = old; i < off; i++)
			b->data[i] = (uint8_t)(i - old + 1);
	}
	return b;
}

GByteArray *img_elf_simple(bool is64, uint64_t paddr, uint64_t filesz, uint64_t memsz)
{
	struct img_seg s = { PT_LOAD, paddr, paddr, filesz, memsz, 0 };
	return img_elf(is64, paddr, &s, 1);
}

GByteArray *img_compress(const char *fmt, const uint8_t *data, size_t len)
{
	GByteArray *b = g_byte_array_new();
	if (!strcmp(fmt, "gzip")) {
		z_stream zs;
		memset(&zs, 0, sizeof(zs));
		g_assert_cmpint(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), ==, Z_OK);
		g_byte_array_set_size(b, (guint)deflateBound(&zs, (uLong)len));
		zs.next_in = (Bytef *)data;
		zs.avail_in = (uInt)len;
		zs.next_out = b->data;
		zs.avail_out = b->len;
		g_assert_cmpint(deflate(&zs, Z_FINISH), ==, Z_STREAM_END);
		g_byte_array_set_size(b, (guint)zs.total_out);
		deflateEnd(&zs);
		return b;                        /* gzip carries its own size (ISIZE) */
	} else if (!strcmp(fmt, "xz")) {
		g_byte_array_set_size(b, (guint)lzma_stream_buffer_bound(len));
		size_t pos = 0;
		g_assert_cmpint(lzma_easy_buffer_encode(1, LZMA_CHECK_CRC32, NULL, data, len, b->data, &pos, b->len), ==,
				LZMA_OK);
		g_byte_array_set_size(b, (guint)pos);
	} else if (!strcmp(fmt, "lz4")) {
		uint8_t m[4];
		st32(m, 0x184C2102);
		g_byte_array_append(b, m, 4);
		for (size_t off = 0; off < len; off += 8 * MiB) {
			int n = (int)MIN(len - off, 8 * MiB);
			size_t at = b->len;
			g_byte_array_set_size(b, (guint)(at + 4 + (size_t)LZ4_compressBound(n)));
			int c = LZ4_compress_default((const char *)data + off, (char *)b->data + at + 4, n, LZ4_compressBound(n));
			g_assert_cmpint(c, >, 0);
			st32(b->data + at, (uint32_t)c);
			g_byte_array_set_size(b, (guint)(at + 4 + (size_t)c));
		}
	} else if (!strcmp(fmt, "zstd")) {
		g_byte_array_set_size(b, (guint)ZSTD_compressBound(len));
		size_t n = ZSTD_compress(b->data, b->len, data, len, 3);
		g_assert_false(ZSTD_isError(n));
		g_byte_array_set_size(b, (guint)n);
	} else {
		g_assert_not_reached();
	}
	uint8_t sz[4];
	st32(sz, (uint32_t)len);
	g_byte_array_append(b, sz, 4);
	return b;
}

GByteArray *img_bzimage(const struct img_bz *o, const uint8_t *payload, size_t len)
{
	struct img_bz d = *o;
	if (!d.set_all) {
		d.version = d.version ? d.version : 0x20F;
		d.setup_sects = d.setup_sects ? d.setup_sects : 4;
		d.loadflags = d.loadflags ? d.loadflags : ZP_LOADED_HIGH;
		d.xloadflags = d.xloadflags ? d.xloadflags : ZP_XLF_KERNEL_64;
		d.init_size = d.init_size ? d.init_size : 8 * MiB;
		d.cmdline_size = d.cmdline_size ? d.cmdline_size : 255;
		d.initrd_addr_max = d.initrd_addr_max ? d.initrd_addr_max : 0x7FFFFFFF;
		d.pref_address = d.pref_address ? d.pref_address : 0x1000000;
		d.kernel_alignment = d.kernel_alignment ? d.kernel_alignment : 0x200000;
	}
	size_t setup = (size_t)((d.setup_sects ? d.setup_sects : 4) + 1) * 512;
	size_t pm = d.pad + len;
	GByteArray *b = g_byte_array_new();
	g_byte_array_set_size(b, (guint)(setup + pm));
	uint8_t *p = b->data;
	memset(p, 0, setup);
	memset(p + setup, 0x90, d.pad);
	memcpy(p + setup + d.pad, payload, len);
	p[ZP_SETUP_SECTS] = d.setup_sects;
	st32(p + ZP_SYSSIZE, (uint32_t)(pm / 16));
	st16(p + ZP_BOOT_FLAG, 0xAA55);
	p[ZP_JUMP] = 0xEB;
	p[ZP_JUMP + 1] = 0x6A;                 /* header ends at 0x26C, like Linux 6.1 */
	st32(p + ZP_HEADER, ZP_HDRS_MAGIC);
	st16(p + ZP_VERSION, d.version);
	p[ZP_LOADFLAGS] = d.loadflags;
	st32(p + ZP_CODE32_START, 0x100000);
	st32(p + ZP_INITRD_ADDR_MAX, d.initrd_addr_max);
	st32(p + ZP_KERNEL_ALIGNMENT, d.kernel_alignment);
	p[ZP_RELOCATABLE] = 1;
	st16(p + ZP_XLOADFLAGS, d.xloadflags);
	st32(p + ZP_CMDLINE_SIZE, d.cmdline_size);
	st32(p + ZP_PAYLOAD_OFFSET, d.pad);
	st32(p + ZP_PAYLOAD_LENGTH, (uint32_t)len);
	st64(p + ZP_PREF_ADDRESS, d.pref_address);
	st32(p + ZP_INIT_SIZE, d.init_size);
	return b;
}

static void mb_header(uint8_t *h, uint32_t flags)
{
	st32(h, 0x1BADB002);
	st32(h + 4, flags);
	st32(h + 8, (uint32_t)-(0x1BADB002u + flags));
}

GByteArray *img_multiboot_aout(uint32_t hoff, uint32_t load_addr, uint32_t size, uint32_t bss, uint32_t entry)
{
	GByteArray *b = g_byte_array_new();
	g_byte_array_set_size(b, size);
	for (uint32_t i = 0; i < size; i++)
		b->data[i] = (uint8_t)(i * 7);
	uint8_t *h = b->data + hoff;
	mb_header(h, 1u << 16 | 3);
	st32(h + 12, load_addr + hoff);        /* header_addr */
	st32(h + 16, load_addr);
	st32(h + 20, load_addr + size);        /* load_end_addr */
	st32(h + 24, bss);                     /* bss_end_addr */
	st32(h + 28, entry);
	return b;
}

GByteArray *img_multiboot_elf(uint32_t paddr, uint32_t size)
{
	GByteArray *b = img_elf_simple(false, paddr, size, size + 4096);
	mb_header(b->data + 52 + 32 + 8, 3);   /* inside the segment, 4-byte aligned */
	return b;
}
