/* Multiboot v1: a.out-kludge and ELF32 kernels, the multiboot_info the
 * kernel receives, and the header/address errors. */
#include "boot_test.h"
#include "images.h"

#define RAM (32 * MiB)

static void test_aout(void)
{
	struct bt t;
	bt_init(&t, RAM);
	t.bc.cmdline = "mb cmdline";
	uint8_t ird[10000];
	memset(ird, 0xAB, sizeof(ird));
	g_autofree char *ip = bt_file(&t, "initrd", ird, sizeof(ird));
	t.bc.initrd = ip;
	g_autoptr(GByteArray) b = img_multiboot_aout(0x40, 0x100000, 4096, 0x102000, 0x100080);
	memset(guest_mem_ptr(&t.gm, 0x101000, 0x1000), 0xEE, 0x1000);
	GError *err = NULL;
	g_assert_true(bt_load(&t, b->data, b->len, &err));
	g_assert_no_error(err);
	g_assert_cmphex(t.bsp.regs.rip, ==, 0x100080);
	g_assert_cmphex(t.bsp.regs.rax, ==, 0x2BADB002);
	g_assert_cmphex(t.bsp.regs.rbx, ==, LAYOUT_MB_INFO);
	g_assert_cmpuint(t.bsp.sregs.cs.l, ==, 0);
	g_assert_cmpuint(t.bsp.sregs.cs.db, ==, 1);
	g_assert_cmphex(t.bsp.sregs.cr0 & 0x80000001, ==, 1);
	g_assert_cmpmem(bt_ptr(&t, 0x100000, 4096), 4096, b->data, 4096);
	const uint8_t *bss = bt_ptr(&t, 0x101000, 0x1000);
	for (unsigned i = 0; i < 0x1000; i++)
		g_assert_cmphex(bss[i], ==, 0);

	const uint8_t *mbi = bt_ptr(&t, LAYOUT_MB_INFO, 88);
	uint32_t flags = ld32(mbi);
	g_assert_cmphex(flags, ==, 1 | 4 | 8 | 64 | 512);
	g_assert_cmpuint(ld32(mbi + 4), ==, 639);
	g_assert_cmpuint(ld32(mbi + 8), ==, (RAM - MiB) / KiB);
	g_assert_cmpstr((const char *)bt_ptr(&t, ld32(mbi + 16), 11), ==, "mb cmdline");
	g_assert_cmpuint(ld32(mbi + 20), ==, 1);
	const uint8_t *mod = bt_ptr(&t, ld32(mbi + 24), 16);
	uint32_t ms = ld32(mod), me = ld32(mod + 4);
	g_assert_cmpuint(me - ms, ==, sizeof(ird));
	g_assert_cmphex(ms & 0xFFF, ==, 0);
	g_assert_cmpuint(ms, >=, 0x102000);
	g_assert_cmpmem(bt_ptr(&t, ms, sizeof(ird)), sizeof(ird), ird, sizeof(ird));
	g_assert_cmpstr((const char *)bt_ptr(&t, ld32(mod + 8), 7), ==, "initrd");
	g_assert_cmpstr((const char *)bt_ptr(&t, ld32(mbi + 64), 7), ==, "tandem");
	uint32_t mlen = ld32(mbi + 44), maddr = ld32(mbi + 48);
	g_assert_cmpuint(mlen, ==, 4 * 24);
	const uint8_t *mm = bt_ptr(&t, maddr, mlen);
	g_assert_cmpuint(ld32(mm), ==, 20);
	g_assert_cmphex(ld64(mm + 4), ==, 0);
	g_assert_cmphex(ld64(mm + 12), ==, 0x9FC00);
	g_assert_cmpuint(ld32(mm + 20), ==, 1);
	g_assert_cmphex(ld64(mm + 3 * 24 + 4), ==, 0x100000);
	g_assert_cmphex(ld64(mm + 3 * 24 + 12), ==, RAM - 0x100000);
	bt_fini(&t);
}

static void test_elf(void)
{
	struct bt t;
	bt_init(&t, RAM);
	g_autoptr(GByteArray) b = img_multiboot_elf(0x200000, 512);
	GError *err = NULL;
	g_assert_true(bt_load(&t, b->data, b->len, &err));
	g_assert_no_error(err);
	g_assert_cmphex(t.bsp.regs.rip, ==, 0x200000);
	g_assert_cmphex(t.bsp.regs.rax, ==, 0x2BADB002);
	const uint8_t *mbi = bt_ptr(&t, LAYOUT_MB_INFO, 88);
	g_assert_cmphex(ld32(mbi) & 8, ==, 0);          /* no initrd, no modules */
	g_assert_cmpstr((const char *)bt_ptr(&t, LAYOUT_CMDLINE, 1), ==, "");
	bt_fini(&t);
}

static void expect(GByteArray *b, const char *want)
{
	struct bt t;
	bt_init(&t, RAM);
	g_test_message("want %s", want);
	bt_expect_error(&t, b->data, b->len, want);
	t.c = (struct boot_ctx){ .gm = &t.gm, .bc = &t.bc, .bsp = &t.bsp, .name = "k" };
	bt_fini(&t);
}

static void fix_checksum(uint8_t *h)
{
	st32(h + 8, (uint32_t)-(0x1BADB002u + ld32(h + 4)));
}

static void test_bad(void)
{
	g_autoptr(GByteArray) b = img_multiboot_aout(0x40, 0x100000, 4096, 0, 0x100080);
	b->data[0x40 + 8] ^= 1;
	expect(b, "not a kernel tandem can boot");          /* bad checksum: no header found */

	/* header beyond the first 8 KiB */
	g_autoptr(GByteArray) far = img_multiboot_aout(8192, 0x100000, 12288, 0, 0x100080);
	expect(far, "no multiboot header in the first 8 KiB");

	g_autoptr(GByteArray) f = img_multiboot_aout(0x40, 0x100000, 4096, 0, 0x100080);
	st32(f->data + 0x44, ld32(f->data + 0x44) | 4);   /* video mode */
	fix_checksum(f->data + 0x40);
	expect(f, "request features tandem does not provide (bits 0x4)");

	g_autoptr(GByteArray) o = img_multiboot_aout(0x40, RAM - 1024, 4096, 0, RAM - 1000);
	expect(o, "is not in guest RAM");
	g_autoptr(GByteArray) lo = img_multiboot_aout(0x40, 0x8000, 4096, 0, 0x8100);
	expect(lo, "load_addr 0x8000 overlaps the boot structures below 1 MiB");
	g_autoptr(GByteArray) hole = img_multiboot_aout(0x40, 0xFEC00000, 4096, 0, 0xFEC00100);
	expect(hole, "is not in guest RAM");
	g_autoptr(GByteArray) e = img_multiboot_aout(0x40, 0x100000, 4096, 0, 0x300000);
	expect(e, "entry_addr 0x300000 is outside the image");
	g_autoptr(GByteArray) bss = img_multiboot_aout(0x40, 0x100000, 4096, 0x100800, 0x100080);
	expect(bss, "bss_end_addr 0x100800 is below the end of the loaded image 0x101000");
	g_autoptr(GByteArray) bigbss = img_multiboot_aout(0x40, 0x100000, 4096, 0xF0000000, 0x100080);
	expect(bigbss, "is not in guest RAM");

	g_autoptr(GByteArray) h = img_multiboot_aout(0x40, 0x100000, 4096, 0, 0x100080);
	st32(h->data + 0x40 + 12, 0x100000 + 0x1000);      /* header_addr - load_addr > header offset */
	expect(h, "put the image start before the file's start");
	g_autoptr(GByteArray) le = img_multiboot_aout(0x40, 0x100000, 4096, 0, 0x100080);
	st32(le->data + 0x40 + 20, 0xFFFFF);
	expect(le, "load_end_addr 0xfffff is below load_addr 0x100000");
	g_autoptr(GByteArray) ll = img_multiboot_aout(0x40, 0x100000, 4096, 0, 0x100080);
	st32(ll->data + 0x40 + 20, 0x100000 + 8192);
	expect(ll, "needs 8192 bytes from file offset 0, the file has 4096");

	/* no address fields and not ELF32 */
	g_autoptr(GByteArray) n = img_multiboot_aout(0x40, 0x100000, 4096, 0, 0x100080);
	st32(n->data + 0x44, 3);
	fix_checksum(n->data + 0x40);
	expect(n, "flags bit 16 clear) and not an ELF32 file");
	/* a header cut off by the end of the file */
	g_autoptr(GByteArray) cut = img_multiboot_aout(0x40, 0x100000, 4096, 0, 0x100080);
	g_byte_array_set_size(cut, 0x40 + 16);
	expect(cut, "is cut off by the end of the");
	/* ELF32 multiboot with a segment outside RAM */
	g_autoptr(GByteArray) me = img_multiboot_elf(RAM - 256, 512);
	expect(me, "is not in guest RAM");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/boot/multiboot/aout", test_aout);
	g_test_add_func("/boot/multiboot/elf", test_elf);
	g_test_add_func("/boot/multiboot/bad", test_bad);
	return g_test_run();
}
