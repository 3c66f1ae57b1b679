/* bzImage loader on synthetic images: both modes with every compressor,
 * the 32-bit entry, and every error path (truncation at each offset, bad
 * magic, old protocol, setup_sects, syssize, payload bounds, corrupt
 * payloads, bad vmlinux ELF, initrd and command line limits). */
#include "boot_test.h"
#include "images.h"

#define RAM (64 * MiB)

static GByteArray *vmlinux(void)
{
	return img_elf_simple(true, 0x1000000, 4096, 3 * 4096);
}

static GByteArray *host_image(const char *fmt, const struct img_bz *o)
{
	g_autoptr(GByteArray) v = vmlinux();
	g_autoptr(GByteArray) z = img_compress(fmt, v->data, v->len);
	struct img_bz d = o ? *o : (struct img_bz){ 0 };
	if (!d.pad)
		d.pad = 100;
	return img_bzimage(&d, z->data, z->len);
}

static void test_guest_mode(void)
{
	struct bt t;
	bt_init(&t, RAM);
	static const uint8_t code[300] = { 0xF4 };
	struct img_bz o = { .pad = 0 };
	g_autoptr(GByteArray) b = img_bzimage(&o, code, sizeof(code));
	t.bc.cmdline = "hello";
	GError *err = NULL;
	g_assert_true(bt_load(&t, b->data, b->len, &err));
	g_assert_no_error(err);
	g_assert_cmphex(t.bsp.regs.rip, ==, 0x100200);
	g_assert_cmphex(t.bsp.regs.rsi, ==, LAYOUT_ZERO_PAGE);
	g_assert_cmpuint(t.bsp.sregs.cs.l, ==, 1);
	g_assert_cmpmem(bt_ptr(&t, 0x100000, sizeof(code)), sizeof(code), code, sizeof(code));
	const uint8_t *zp = bt_ptr(&t, LAYOUT_ZERO_PAGE, ZP_SIZE);
	g_assert_cmphex(ld64(zp + ZP_ACPI_RSDP_ADDR), ==, 0);     /* no ACPI asked */
	g_assert_cmphex(ld32(zp + ZP_RAMDISK_IMAGE), ==, 0);
	g_assert_cmphex(ld32(zp + ZP_CODE32_START), ==, 0x100000);
	g_assert_cmpstr((const char *)bt_ptr(&t, LAYOUT_CMDLINE, 6), ==, "hello");
	/* the MP table is always there */
	g_assert_cmpmem(bt_ptr(&t, LAYOUT_EBDA_START, 4), 4, "_MP_", 4);
	bt_fini(&t);
}

static void test_entry32(void)
{
	/* Without XLF_KERNEL_64 (or before protocol 2.12) the 32-bit entry is used. */
	static const uint16_t versions[] = { 0x20F, 0x206 };
	for (unsigned i = 0; i < 2; i++) {
		struct bt t;
		bt_init(&t, RAM);
		static const uint8_t code[64] = { 0 };
		struct img_bz o = { .version = versions[i], .xloadflags = 0x2 };
		g_autoptr(GByteArray) b = img_bzimage(&o, code, sizeof(code));
		GError *err = NULL;
		g_assert_true(bt_load(&t, b->data, b->len, &err));
		g_assert_no_error(err);
		g_assert_cmphex(t.bsp.regs.rip, ==, 0x100000);
		g_assert_cmphex(t.bsp.regs.rsi, ==, LAYOUT_ZERO_PAGE);
		g_assert_cmpuint(t.bsp.sregs.cs.l, ==, 0);
		g_assert_cmpuint(t.bsp.sregs.cs.db, ==, 1);
		g_assert_cmphex(t.bsp.sregs.cs.selector, ==, 0x10);
		g_assert_cmphex(t.bsp.sregs.ds.selector, ==, 0x18);
		g_assert_cmphex(t.bsp.sregs.cr0 & 0x80000001, ==, 1);
		g_assert_cmphex(t.bsp.sregs.efer, ==, 0);
		g_assert_cmphex(ld64(bt_ptr(&t, LAYOUT_GDT + 0x10, 8)), ==, 0x00CF9B000000FFFFULL);
		bt_fini(&t);
	}
}

static void test_host_mode(void)
{
	static const char *fmts[] = { "gzip", "xz", "lz4", "zstd" };
	for (unsigned i = 0; i < G_N_ELEMENTS(fmts); i++) {
		struct bt t;
		bt_init(&t, RAM);
		t.bc.host_decompress = true;
		t.bc.acpi = true;
		g_autoptr(GByteArray) b = host_image(fmts[i], NULL);
		GError *err = NULL;
		if (!bt_load(&t, b->data, b->len, &err))
			g_error("%s: %s", fmts[i], err->message);
		g_assert_cmphex(t.bsp.regs.rip, ==, 0x1000000);
		g_assert_cmphex(t.bsp.regs.rsi, ==, LAYOUT_ZERO_PAGE);
		g_assert_cmpuint(t.bsp.sregs.cs.l, ==, 1);
		g_autoptr(GByteArray) v = vmlinux();
		g_assert_cmpmem(bt_ptr(&t, 0x1000000, 4096), 4096, v->data + 120, 4096);
		const uint8_t *bss = bt_ptr(&t, 0x1000000 + 4096, 8192);
		for (unsigned k = 0; k < 8192; k++)
			g_assert_cmphex(bss[k], ==, 0);
		const uint8_t *zp = bt_ptr(&t, LAYOUT_ZERO_PAGE, ZP_SIZE);
		g_assert_cmphex(ld64(zp + ZP_ACPI_RSDP_ADDR), ==, LAYOUT_ACPI_START);
		bt_fini(&t);
	}
}

static void test_truncated(void)
{
	/* Every prefix of a valid image is refused, in both modes. */
	for (int host = 0; host < 2; host++) {
		struct bt t;
		bt_init(&t, RAM);
		t.bc.host_decompress = host;
		g_autoptr(GByteArray) b = host_image("gzip", NULL);
		GError *err = NULL;
		g_assert_true(bt_load(&t, b->data, b->len, &err));
		for (size_t len = 0; len + 16 <= b->len; len++) {
			g_assert_false(bt_load(&t, b->data, len, &err));
			g_assert_nonnull(err);
			g_assert_cmpstr(err->message, !=, "");
			g_clear_error(&err);
		}
		bt_fini(&t);
	}
}

struct bad_case {
	const char *what;
	void (*mutate)(GByteArray *b);
	bool host;
	const char *want;
};

static void m_magic(GByteArray *b) { b->data[0x202] = 'X'; }
static void m_bootflag(GByteArray *b) { st16(b->data + 0x1FE, 0x1234); }
static void m_old(GByteArray *b) { st16(b->data + ZP_VERSION, 0x205); }
static void m_hdrlen(GByteArray *b) { b->data[0x201] = 0x10; }
static void m_sects(GByteArray *b) { b->data[ZP_SETUP_SECTS] = 200; }
static void m_syssize(GByteArray *b) { st32(b->data + ZP_SYSSIZE, 0x10000000); }
static void m_nohigh(GByteArray *b) { b->data[ZP_LOADFLAGS] = 0; }
static void m_align(GByteArray *b) { st32(b->data + ZP_KERNEL_ALIGNMENT, 0x3000); }
static void m_initsize(GByteArray *b) { st32(b->data + ZP_INIT_SIZE, 0xF0000000); }
static void m_pref(GByteArray *b) { st64(b->data + ZP_PREF_ADDRESS, 0xFFFFFFFFFFFFF000ULL); }
static void m_payoff(GByteArray *b) { st32(b->data + ZP_PAYLOAD_OFFSET, 0xFFFFFFF0); }
static void m_paylen(GByteArray *b) { st32(b->data + ZP_PAYLOAD_LENGTH, 0x7FFFFFFF); }
static void m_paylen0(GByteArray *b) { st32(b->data + ZP_PAYLOAD_LENGTH, 0); }
static void m_paymagic(GByteArray *b) { b->data[2560 + 100] = 0x42; }
static void m_paycorrupt(GByteArray *b) { for (int i = 20; i < 60; i++) b->data[2560 + 100 + i] ^= 0x5A; }
static void m_bzip2(GByteArray *b) { memcpy(b->data + 2560 + 100, "BZh9", 4); }
static void m_host_old(GByteArray *b) { st16(b->data + ZP_VERSION, 0x207); b->data[0x201] = 0x3A; }

static void test_bad_headers(void)
{
	static const struct bad_case cases[] = {
		{ "magic", m_magic, false, "not a kernel tandem can boot" },
		{ "boot flag", m_bootflag, false, "not a kernel tandem can boot" },
		{ "old protocol", m_old, false, "boot protocol 2.05, which is too old: tandem needs 2.06" },
		{ "short header", m_hdrlen, false, "setup header ends at 0x212, but boot protocol 2.15 needs" },
		{ "setup_sects", m_sects, false, "setup_sects 200 puts the protected-mode kernel at 102912" },
		{ "syssize", m_syssize, false, "syssize says the protected-mode kernel is 4294967296 bytes" },
		{ "not loaded high", m_nohigh, false, "not loaded high" },
		{ "kernel_alignment", m_align, false, "kernel_alignment 0x3000 is not a power of two" },
		{ "init_size", m_initsize, false, "runtime start + init_size), but guest RAM below the PCI hole ends at 0x4000000" },
		{ "pref_address", m_pref, false, "runtime start + init_size" },
		{ "payload offset", m_payoff, true, "payload [4294967280, +" },
		{ "payload length", m_paylen, true, "lies outside the" },
		{ "payload length 0", m_paylen0, true, "lies outside the" },
		{ "payload magic", m_paymagic, true, "payload format not recognised (first bytes 42 8b" },
		{ "payload corrupt", m_paycorrupt, true, "gzip payload is corrupt" },
		{ "bzip2", m_bzip2, true, "payload is bzip2-compressed" },
		{ "host protocol 2.07", m_host_old, true, "host-side decompression needs boot protocol 2.08" },
	};
	for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct bt t;
		bt_init(&t, RAM);
		t.bc.host_decompress = cases[i].host;
		g_autoptr(GByteArray) b = host_image("gzip", NULL);
		cases[i].mutate(b);
		g_test_message("case %s", cases[i].what);
		bt_expect_error(&t, b->data, b->len, cases[i].want);
		bt_fini(&t);
	}
}

static void test_direct_not_bzimage(void)
{
	struct bt t;
	bt_init(&t, RAM);
	static const uint8_t junk[1024] = { 1, 2, 3 };
	GError *err = NULL;
	t.c = (struct boot_ctx){ .gm = &t.gm, .bc = &t.bc, .bsp = &t.bsp, .name = "junk" };
	g_assert_false(bzimage_load(&t.c, junk, sizeof(junk), &err));
	g_assert_nonnull(strstr(err->message, "junk is not a bzImage"));
	g_error_free(err);
	bt_fini(&t);
}

/* Host mode with a vmlinux that is not a good ELF. */
static void bad_vmlinux(const struct img_seg *segs, unsigned n, uint64_t entry, const char *want)
{
	struct bt t;
	bt_init(&t, RAM);
	t.bc.host_decompress = true;
	g_autoptr(GByteArray) v = img_elf(true, entry, segs, n);
	g_autoptr(GByteArray) z = img_compress("zstd", v->data, v->len);
	struct img_bz o = { .pad = 16 };
	g_autoptr(GByteArray) b = img_bzimage(&o, z->data, z->len);
	g_test_message("want %s", want);
	bt_expect_error(&t, b->data, b->len, want);
	bt_fini(&t);
}

static void test_bad_vmlinux(void)
{
	const struct img_seg ok = { PT_LOAD, 0x1000000, 0x1000000, 64, 64, 0 };
	struct img_seg s[2] = { ok, ok };
	s[1].paddr = 0x1000020;
	bad_vmlinux(s, 2, 0x1000000, "segment 1 [0x1000020, 0x1000060) overlaps another at [0x1000000, 0x1000040)");
	s[1] = ok;
	s[1].paddr = 0x8000000;
	bad_vmlinux(s, 2, 0x1000000, "segment 1: [0x8000000, +0x40) is not in guest RAM");
	s[1].paddr = 0x2000000;
	s[1].memsz = 0xFFFFFFFFFFFFF000ULL;
	bad_vmlinux(s, 2, 0x1000000, "is not in guest RAM");
	s[1] = ok;
	s[1].paddr = 0x2000000;
	s[1].offset = 0x7FFFFFFF;
	bad_vmlinux(s, 2, 0x1000000, "segment 1: file range [0x7fffffff, +0x40) lies outside");
	s[1].offset = 0;
	s[1].filesz = 128;
	bad_vmlinux(s, 2, 0x1000000, "segment 1: p_filesz 0x80 exceeds p_memsz 0x40");
	s[1] = ok;
	s[1].paddr = 0x80000;
	bad_vmlinux(s, 2, 0x1000000, "overlaps the boot structures below 1 MiB");
	bad_vmlinux(s, 1, 0x3000000, "entry point 0x3000000 is outside every loaded segment");
	s[0].type = PT_NOTE;
	bad_vmlinux(s, 1, 0x1000000, "no loadable segments");

	/* garbage instead of an ELF file */
	struct bt t;
	bt_init(&t, RAM);
	t.bc.host_decompress = true;
	static uint8_t junk[4096];
	memset(junk, 0x41, sizeof(junk));
	g_autoptr(GByteArray) z = img_compress("xz", junk, sizeof(junk));
	struct img_bz o = { .pad = 16 };
	g_autoptr(GByteArray) b = img_bzimage(&o, z->data, z->len);
	bt_expect_error(&t, b->data, b->len, "decompressed vmlinux: not an ELF file");
	/* an ELF32 inside */
	g_autoptr(GByteArray) e32 = img_elf_simple(false, 0x1000000, 64, 64);
	g_autoptr(GByteArray) z32 = img_compress("lz4", e32->data, e32->len);
	g_autoptr(GByteArray) b32 = img_bzimage(&o, z32->data, z32->len);
	bt_expect_error(&t, b32->data, b32->len, "an ELF32 file where ELF64 is required");
	bt_fini(&t);
}

static void test_decompress_limit(void)
{
	struct bt t;
	bt_init(&t, RAM);
	t.bc.host_decompress = true;
	g_autoptr(GByteArray) b = host_image("xz", NULL);
	t.c = (struct boot_ctx){ .gm = &t.gm, .bc = &t.bc, .bsp = &t.bsp, .name = "k", .max_decompressed = 1000 };
	GError *err = NULL;
	g_assert_false(bzimage_load(&t.c, b->data, b->len, &err));
	g_assert_nonnull(strstr(err->message, "decompressed payload is larger than 0 MiB"));
	g_error_free(err);
	bt_fini(&t);
}

static void test_cmdline(void)
{
	struct bt t;
	bt_init(&t, RAM);
	struct img_bz o = { .cmdline_size = 10 };
	static const uint8_t code[64];
	g_autoptr(GByteArray) b = img_bzimage(&o, code, sizeof(code));
	t.bc.cmdline = "0123456789";
	GError *err = NULL;
	g_assert_true(bt_load(&t, b->data, b->len, &err));
	g_assert_cmpstr((const char *)bt_ptr(&t, LAYOUT_CMDLINE, 11), ==, "0123456789");
	t.bc.cmdline = "0123456789A";
	bt_expect_error(&t, b->data, b->len, "kernel command line is 11 bytes long, but the kernel's cmdline_size allows at most 10");
	/* cmdline_size larger than tandem's area: tandem's area is the limit */
	st32(b->data + ZP_CMDLINE_SIZE, 0xFFFFFFFF);
	g_autofree char *huge = g_strnfill(LAYOUT_CMDLINE_MAX, 'a');
	t.bc.cmdline = huge;
	bt_expect_error(&t, b->data, b->len, "allows at most 65535");
	bt_fini(&t);
}

static void test_initrd(void)
{
	struct bt t;
	bt_init(&t, RAM);
	static const uint8_t code[64];
	struct img_bz o = { .initrd_addr_max = 0x37FFFFF };   /* 56 MiB - 1 */
	g_autoptr(GByteArray) b = img_bzimage(&o, code, sizeof(code));
	g_autofree uint8_t *ird = g_malloc0(20 * MiB);
	/* kernel region: 1 MiB .. 16 MiB + 8 MiB init_size; free above: 24..56 MiB = 32 MiB */
	g_autofree char *p = bt_file(&t, "initrd", ird, 20 * MiB);
	t.bc.initrd = p;
	GError *err = NULL;
	g_assert_true(bt_load(&t, b->data, b->len, &err));
	const uint8_t *zp = bt_ptr(&t, LAYOUT_ZERO_PAGE, ZP_SIZE);
	g_assert_cmphex(ld32(zp + ZP_RAMDISK_IMAGE), ==, 0x3800000 - 20 * MiB);
	g_assert_cmphex(ld32(zp + ZP_RAMDISK_SIZE), ==, 20 * MiB);

	g_autofree uint8_t *big = g_malloc0(41 * MiB);
	g_autofree char *pb = bt_file(&t, "big", big, 41 * MiB);
	t.bc.initrd = pb;
	bt_expect_error(&t, b->data, b->len, "initrd does not fit below initrd_addr_max 0x37fffff: needs 41 MiB, 32 MiB free");

	t.bc.initrd = "/nonexistent/initrd";
	bt_expect_error(&t, b->data, b->len, "cannot open initrd /nonexistent/initrd");
	bt_fini(&t);
}

static void test_small_ram(void)
{
	struct bt t;
	bt_init(&t, 16 * MiB);
	static const uint8_t code[64];
	struct img_bz o = { 0 };
	g_autoptr(GByteArray) b = img_bzimage(&o, code, sizeof(code));
	bt_expect_error(&t, b->data, b->len, "needs RAM at [0x1000000, 0x1800000)");
	bt_fini(&t);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/boot/bzimage/guest-mode", test_guest_mode);
	g_test_add_func("/boot/bzimage/entry32", test_entry32);
	g_test_add_func("/boot/bzimage/host-mode", test_host_mode);
	g_test_add_func("/boot/bzimage/truncated", test_truncated);
	g_test_add_func("/boot/bzimage/bad-headers", test_bad_headers);
	g_test_add_func("/boot/bzimage/direct-not-bzimage", test_direct_not_bzimage);
	g_test_add_func("/boot/bzimage/bad-vmlinux", test_bad_vmlinux);
	g_test_add_func("/boot/bzimage/decompress-limit", test_decompress_limit);
	g_test_add_func("/boot/bzimage/cmdline", test_cmdline);
	g_test_add_func("/boot/bzimage/initrd", test_initrd);
	g_test_add_func("/boot/bzimage/small-ram", test_small_ram);
	return g_test_run();
}
