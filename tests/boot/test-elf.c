/* ELF kernels: ELF64 entered in long mode with a zero page, ELF32 in flat
 * protected mode; every malformed header and segment is refused. */
#include "boot_test.h"
#include "images.h"

#define RAM (32 * MiB)

static void test_elf64(void)
{
	struct bt t;
	bt_init(&t, RAM);
	t.bc.cmdline = "root=/dev/vda";
	g_autoptr(GByteArray) b = img_elf_simple(true, 0x200000, 100, 8192);
	/* dirty the bss area first: the loader must zero it */
	memset(guest_mem_ptr(&t.gm, 0x200000, 8192), 0xCC, 8192);
	uint8_t ird[5000] = { 7 };
	g_autofree char *ip = bt_file(&t, "initrd", ird, sizeof(ird));
	t.bc.initrd = ip;
	GError *err = NULL;
	g_assert_true(bt_load(&t, b->data, b->len, &err));
	g_assert_no_error(err);
	g_assert_cmphex(t.bsp.regs.rip, ==, 0x200000);
	g_assert_cmphex(t.bsp.regs.rsi, ==, LAYOUT_ZERO_PAGE);
	g_assert_cmpuint(t.bsp.sregs.cs.l, ==, 1);
	g_assert_cmphex(t.bsp.sregs.cr3, ==, LAYOUT_PML4);
	g_assert_cmpmem(bt_ptr(&t, 0x200000, 100), 100, b->data + 120, 100);
	const uint8_t *bss = bt_ptr(&t, 0x200000 + 100, 8092);
	for (unsigned i = 0; i < 8092; i++)
		g_assert_cmphex(bss[i], ==, 0);
	const uint8_t *zp = bt_ptr(&t, LAYOUT_ZERO_PAGE, ZP_SIZE);
	g_assert_cmphex(ld16(zp + ZP_BOOT_FLAG), ==, 0xAA55);
	g_assert_cmphex(ld32(zp + ZP_HEADER), ==, ZP_HDRS_MAGIC);
	g_assert_cmphex(zp[ZP_TYPE_OF_LOADER], ==, 0xFF);
	g_assert_cmphex(ld32(zp + ZP_CMD_LINE_PTR), ==, LAYOUT_CMDLINE);
	g_assert_cmpuint(ld32(zp + ZP_RAMDISK_SIZE), ==, sizeof(ird));
	g_assert_cmphex(ld32(zp + ZP_RAMDISK_IMAGE), ==, (RAM - sizeof(ird)) & ~0xFFFULL);
	g_assert_cmpuint(zp[ZP_E820_ENTRIES], ==, 4);
	g_assert_cmpstr((const char *)bt_ptr(&t, LAYOUT_CMDLINE, 14), ==, "root=/dev/vda");
	bt_fini(&t);
}

static void test_elf32(void)
{
	struct bt t;
	bt_init(&t, RAM);
	g_autoptr(GByteArray) b = img_elf_simple(false, 0x100000, 64, 64);
	GError *err = NULL;
	g_assert_true(bt_load(&t, b->data, b->len, &err));
	g_assert_cmphex(t.bsp.regs.rip, ==, 0x100000);
	g_assert_cmpuint(t.bsp.sregs.cs.l, ==, 0);
	g_assert_cmpuint(t.bsp.sregs.cs.db, ==, 1);
	g_assert_cmphex(t.bsp.sregs.cr0, ==, 0x11);
	g_assert_cmphex(t.bsp.sregs.cr4, ==, 0);
	g_assert_cmphex(t.bsp.sregs.efer, ==, 0);
	g_assert_cmphex(t.bsp.sregs.ss.selector, ==, 0x18);
	g_assert_cmphex(t.bsp.sregs.apic_base, ==, 0xFEE00900);
	g_assert_cmphex(t.bsp.sregs.tr.type, ==, 0xB);
	bt_fini(&t);
}

static void test_vaddr_entry(void)
{
	/* Like vmlinux: high virtual addresses, the entry given as a virtual address. */
	struct bt t;
	bt_init(&t, RAM);
	struct img_seg s = { PT_LOAD, 0x400000, 0xffffffff81000000ULL, 256, 256, 0 };
	g_autoptr(GByteArray) b = img_elf(true, 0xffffffff81000010ULL, &s, 1);
	GError *err = NULL;
	g_assert_true(bt_load(&t, b->data, b->len, &err));
	g_assert_cmphex(t.bsp.regs.rip, ==, 0x400010);
	bt_fini(&t);
}

static void expect(bool is64, const struct img_seg *s, unsigned n, uint64_t entry, void (*mut)(GByteArray *),
		   const char *want)
{
	struct bt t;
	bt_init(&t, RAM);
	g_autoptr(GByteArray) b = img_elf(is64, entry, s, n);
	if (mut)
		mut(b);
	g_test_message("want %s", want);
	bt_expect_error(&t, b->data, b->len, want);
	bt_fini(&t);
}

static void m_class(GByteArray *b) { b->data[EI_CLASS] = 3; }
static void m_endian(GByteArray *b) { b->data[EI_DATA] = ELFDATA2MSB; }
static void m_type(GByteArray *b) { st16(b->data + 16, ET_DYN); }
static void m_machine(GByteArray *b) { st16(b->data + 18, 40); }
static void m_phentsize(GByteArray *b) { st16(b->data + 54, 40); }
static void m_phnum0(GByteArray *b) { st16(b->data + 56, 0); }
static void m_phnumbig(GByteArray *b) { st16(b->data + 56, 300); }
static void m_phoff(GByteArray *b) { st64(b->data + 32, 0xFFFFFFFFFFFFFFF0ULL); }
static void m_phoff32(GByteArray *b) { st32(b->data + 28, 0xFFFFFF00); }

static void test_bad(void)
{
	const struct img_seg ok = { PT_LOAD, 0x200000, 0x200000, 64, 64, 0 };
	expect(true, &ok, 1, 0x200000, m_class, "unknown ELF class 3");
	expect(true, &ok, 1, 0x200000, m_endian, "not a little-endian ELF file");
	expect(true, &ok, 1, 0x200000, m_type, "ELF type 3 is not an executable");
	expect(true, &ok, 1, 0x200000, m_machine, "ELF machine 40 is not x86-64");
	expect(true, &ok, 1, 0x200000, m_phentsize, "e_phentsize 40, expected 56");
	expect(true, &ok, 1, 0x200000, m_phnum0, "0 program headers");
	expect(true, &ok, 1, 0x200000, m_phnumbig, "300 program headers");
	expect(true, &ok, 1, 0x200000, m_phoff, "program headers at 18446744073709551600");
	expect(false, &ok, 1, 0x200000, m_phoff32, "program headers at 4294967040");
	expect(false, &ok, 1, 0x200000, m_machine, "ELF machine 40 is not i386");

	struct img_seg s[3] = { ok, ok, ok };
	s[0].paddr = RAM - 32;
	expect(true, s, 1, RAM - 32, NULL, "segment 0: [0x1ffffe0, +0x40) is not in guest RAM");
	s[0].paddr = 0xFEC00000;
	expect(false, s, 1, 0xFEC00000, NULL, "is not in guest RAM");
	s[0] = ok;
	s[0].memsz = 0x7FFFFFFFFFFFFFFFULL;
	expect(true, s, 1, 0x200000, NULL, "is not in guest RAM");
	s[0].memsz = 0xFFFFFFFFFFFFFFFFULL;
	expect(true, s, 1, 0x200000, NULL, "is not in guest RAM");
	s[0] = ok;
	s[0].paddr = 0x7000;
	expect(true, s, 1, 0x7000, NULL, "segment 0 at 0x7000 overlaps the boot structures below 1 MiB");
	s[0] = ok;
	s[2].paddr = 0x200010;
	expect(true, s, 3, 0x200000, NULL, "segment 1 [0x200000, 0x200040) overlaps another");
	s[2] = ok;
	s[2].paddr = 0x300000;
	s[1].paddr = 0x280000;
	s[1].filesz = 65;
	expect(true, s, 3, 0x200000, NULL, "segment 1: p_filesz 0x41 exceeds p_memsz 0x40");
	s[1].filesz = 64;
	s[1].offset = 1 << 20;
	expect(true, s, 3, 0x200000, NULL, "segment 1: file range [0x100000, +0x40) lies outside the");
	expect(true, &ok, 1, 0x900000, NULL, "entry point 0x900000 is outside every loaded segment");
}

static void test_truncated(void)
{
	struct bt t;
	bt_init(&t, RAM);
	for (int is64 = 0; is64 < 2; is64++) {
		g_autoptr(GByteArray) b = img_elf_simple(is64, 0x200000, 64, 64);
		GError *err = NULL;
		g_assert_true(bt_load(&t, b->data, b->len, &err));
		for (size_t len = 0; len < b->len; len++) {
			g_assert_false(bt_load(&t, b->data, len, &err));
			g_assert_nonnull(err);
			g_clear_error(&err);
		}
	}
	bt_fini(&t);
}

static void test_high_entry(void)
{
	/* A segment above 4 GiB is RAM, but the 64-bit entry must be in the identity map. */
	struct bt t;
	memset(&t, 0, sizeof(t));
	bt_init(&t, LAYOUT_PCI_HOLE_START + 64 * MiB);
	g_autoptr(GByteArray) b = img_elf_simple(true, LAYOUT_4G + MiB, 64, 64);
	bt_expect_error(&t, b->data, b->len, "entry 0x100100000 is above 4 GiB");

	/* RAM above the hole appears as a fifth e820 entry */
	g_autoptr(GByteArray) ok = img_elf_simple(true, 0x200000, 64, 64);
	GError *err = NULL;
	g_assert_true(bt_load(&t, ok->data, ok->len, &err));
	const uint8_t *zp = bt_ptr(&t, LAYOUT_ZERO_PAGE, ZP_SIZE);
	g_assert_cmpuint(zp[ZP_E820_ENTRIES], ==, 5);
	const uint8_t *e = zp + ZP_E820_TABLE;
	g_assert_cmphex(ld64(e + 3 * 20), ==, 0x100000);
	g_assert_cmphex(ld64(e + 3 * 20 + 8), ==, LAYOUT_PCI_HOLE_START - 0x100000);
	g_assert_cmphex(ld64(e + 4 * 20), ==, LAYOUT_4G);
	g_assert_cmphex(ld64(e + 4 * 20 + 8), ==, 64 * MiB);
	g_assert_cmpuint(ld32(e + 4 * 20 + 16), ==, 1);
	bt_fini(&t);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/boot/elf/elf64", test_elf64);
	g_test_add_func("/boot/elf/elf32", test_elf32);
	g_test_add_func("/boot/elf/vaddr-entry", test_vaddr_entry);
	g_test_add_func("/boot/elf/bad", test_bad);
	g_test_add_func("/boot/elf/truncated", test_truncated);
	g_test_add_func("/boot/elf/high-entry", test_high_entry);
	return g_test_run();
}
