/* Decoder cross-check against libzydis: instruction lengths agree on
 * random byte streams (64-, 32- and 16-bit code) and on a linear sweep of
 * the Debian cloud kernel's text (skipped when the kernel is not in
 * ~/.cache/tandem/guest). Only instructions both decoders accept are
 * compared: Zydis must decode a legacy-encoded instruction and ours must
 * not have turned it into #UD (VEX/EVEX and unimplemented extensions). */
#include "vmm/emu/cpu.h"
#include "vmm/emu/ops.h"

#include <Zydis/Zydis.h>
#include <glib.h>
#include <lz4.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

struct tally {
	uint64_t compared, mismatched;
};

static bool compare_one(ZydisDecoder *zd, const uint8_t *p, unsigned avail, unsigned code_size, struct tally *t,
			bool report)
{
	ZydisDecodedInstruction zi;
	if (!ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(zd, NULL, p, avail, &zi)))
		return false;
	if (zi.encoding != ZYDIS_INSTRUCTION_ENCODING_LEGACY)
		return false;
	struct insn in;
	int len = emu_decode(&in, p, avail, code_size);
	if (len <= 0 || in.fn == op_ud)
		return false;
	t->compared++;
	if ((unsigned)len != zi.length) {
		t->mismatched++;
		if (report && t->mismatched <= 10) {
			char hex[64] = "";
			for (unsigned k = 0; k < zi.length && k < 15; k++)
				snprintf(hex + 3 * k, 4, "%02x ", p[k]);
			g_test_message("length mismatch (%u-bit): %s: zydis %u, emu %d", code_size * 8, hex, zi.length,
				       len);
		}
	}
	return true;
}

static void random_streams(unsigned code_size, ZydisMachineMode mode, ZydisStackWidth sw)
{
	ZydisDecoder zd;
	g_assert_true(ZYAN_SUCCESS(ZydisDecoderInit(&zd, mode, sw)));
	GRand *g = g_rand_new_with_seed(7 + code_size);
	static const uint8_t prefixes[] = {0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x2e, 0x3e, 0x26, 0x64, 0x65, 0x36};
	struct tally t = {0, 0};
	for (unsigned n = 0; n < 300000; n++) {
		uint8_t b[16];
		for (unsigned k = 0; k < 16; k++)
			b[k] = (uint8_t)g_rand_int(g);
		unsigned pos = 0;
		unsigned np = g_rand_int_range(g, 0, 3);
		for (unsigned k = 0; k < np; k++)
			b[pos++] = prefixes[g_rand_int_range(g, 0, G_N_ELEMENTS(prefixes))];
		if (code_size == 8 && g_rand_boolean(g))
			b[pos++] = (uint8_t)(0x40 | g_rand_int_range(g, 0, 16));
		if (g_rand_int_range(g, 0, 3) == 0)
			b[pos] = 0x0f;
		compare_one(&zd, b, 15, code_size, &t, true);
	}
	g_rand_free(g);
	printf("# %u-bit random streams: %llu instructions compared, %llu length mismatches\n", code_size * 8,
	       (unsigned long long)t.compared, (unsigned long long)t.mismatched);
	g_assert_cmpuint(t.compared, >, 100000);
	g_assert_cmpuint(t.mismatched, ==, 0);
}

static void test_random64(void) { random_streams(8, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64); }
static void test_random32(void) { random_streams(4, ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_STACK_WIDTH_32); }
static void test_random16(void) { random_streams(2, ZYDIS_MACHINE_MODE_LEGACY_16, ZYDIS_STACK_WIDTH_16); }

/* The bzImage payload of the cloud kernel is an LZ4 legacy frame: magic,
 * then blocks of (le32 compressed size, data), each at most 8 MiB out. */
static uint8_t *decompress_vmlinux(const char *path, size_t *out_len)
{
	gchar *img = NULL;
	gsize len = 0;
	if (!g_file_get_contents(path, &img, &len, NULL) || len < 0x250)
		return NULL;
	const uint8_t *d = (const uint8_t *)img;
	unsigned setup_sects = d[0x1f1] ? d[0x1f1] : 4;
	uint32_t po, pl;
	memcpy(&po, d + 0x248, 4);
	memcpy(&pl, d + 0x24c, 4);
	size_t off = (setup_sects + 1) * 512 + (size_t)po;
	if (off + pl > len || pl < 8 || memcmp(d + off, "\x02\x21\x4c\x18", 4) != 0) {
		g_free(img);
		return NULL;
	}
	size_t cap = 96u << 20, used = 0, p = off + 4, end = off + pl;
	uint8_t *out = g_malloc(cap);
	while (p + 4 <= end) {
		uint32_t bs;
		memcpy(&bs, d + p, 4);
		p += 4;
		if (bs == 0x184c2102)
			continue;
		if (bs > end - p || cap - used < (8u << 20))
			break;
		int n = LZ4_decompress_safe((const char *)d + p, (char *)out + used, (int)bs, 8 << 20);
		if (n < 0)
			break;
		used += (size_t)n;
		p += bs;
	}
	g_free(img);
	*out_len = used;
	return out;
}

static void test_kernel_text(void)
{
	g_autofree gchar *path = g_build_filename(g_get_home_dir(), ".cache/tandem/guest/vmlinuz-cloud", NULL);
	size_t vlen = 0;
	uint8_t *v = g_file_test(path, G_FILE_TEST_EXISTS) ? decompress_vmlinux(path, &vlen) : NULL;
	if (!v || vlen < 64 || memcmp(v, "\x7f" "ELF", 4) != 0) {
		g_free(v);
		g_test_skip("Debian cloud kernel not in ~/.cache/tandem/guest (scripts/fetch-guest.sh)");
		return;
	}
	/* first executable PT_LOAD of the ELF64 */
	uint64_t phoff;
	uint16_t phnum;
	memcpy(&phoff, v + 32, 8);
	memcpy(&phnum, v + 56, 2);
	uint64_t toff = 0, tsz = 0;
	for (unsigned k = 0; k < phnum && phoff + (k + 1) * 56 <= vlen; k++) {
		const uint8_t *ph = v + phoff + k * 56;
		uint32_t type, flags;
		memcpy(&type, ph, 4);
		memcpy(&flags, ph + 4, 4);
		if (type == 1 && (flags & 1)) {
			memcpy(&toff, ph + 8, 8);
			memcpy(&tsz, ph + 32, 8);
			break;
		}
	}
	g_assert_cmpuint(tsz, >, 0);
	g_assert_cmpuint(toff + tsz, <=, vlen);
	ZydisDecoder zd;
	g_assert_true(ZYAN_SUCCESS(ZydisDecoderInit(&zd, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64)));
	struct tally t = {0, 0};
	const uint8_t *text = v + toff;
	clock_t start = clock();
	uint64_t pos = 0;
	while (pos + 15 < tsz) {
		ZydisDecodedInstruction zi;
		if (!ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(&zd, NULL, text + pos, 15, &zi))) {
			pos++;
			continue;
		}
		compare_one(&zd, text + pos, 15, 8, &t, true);
		pos += zi.length;
		if ((pos & 0xffff) < 16 && clock() - start > 6 * CLOCKS_PER_SEC)
			break;  /* keep the test short on a loaded machine */
	}
	g_free(v);
	printf("# kernel text: %llu of %llu bytes swept, %llu instructions compared, %llu length mismatches\n",
	       (unsigned long long)pos, (unsigned long long)tsz, (unsigned long long)t.compared,
	       (unsigned long long)t.mismatched);
	g_assert_cmpuint(t.compared, >, 100000);
	g_assert_cmpuint(t.mismatched, ==, 0);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/emu/decode/random-64", test_random64);
	g_test_add_func("/emu/decode/random-32", test_random32);
	g_test_add_func("/emu/decode/random-16", test_random16);
	g_test_add_func("/emu/decode/kernel-text", test_kernel_text);
	return g_test_run();
}
