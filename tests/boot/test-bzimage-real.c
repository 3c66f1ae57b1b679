/* The real Debian 6.1 bzImages (cloud: LZ4, generic: XZ) load in both
 * modes: zero page, e820, entry state, page tables, initrd placement.
 * Skipped when ~/.cache/tandem/guest does not have them. */
#include "acpi_walk.h"

#define RAM (512 * MiB)

static void check_common(struct bt *t, const uint8_t *file, size_t initrd_len)
{
	const uint8_t *zp = bt_ptr(t, LAYOUT_ZERO_PAGE, ZP_SIZE);
	g_assert_cmphex(zp[ZP_SENTINEL], ==, 0);
	g_assert_cmphex(ld32(zp + ZP_HEADER), ==, ZP_HDRS_MAGIC);
	g_assert_cmphex(ld16(zp + ZP_VERSION), ==, ld16(file + ZP_VERSION));
	size_t hdr_end = 0x202 + file[0x201];
	g_assert_cmpmem(zp + ZP_HDR, ZP_TYPE_OF_LOADER - ZP_HDR, file + ZP_HDR, ZP_TYPE_OF_LOADER - ZP_HDR);
	g_assert_cmphex(zp[ZP_TYPE_OF_LOADER], ==, 0xFF);
	g_assert_true(zp[ZP_LOADFLAGS] & ZP_CAN_USE_HEAP);
	g_assert_true(zp[ZP_LOADFLAGS] & ZP_LOADED_HIGH);
	g_assert_cmphex(ld16(zp + ZP_HEAP_END_PTR), ==, 0xFE00);
	g_assert_cmphex(ld32(zp + ZP_CMD_LINE_PTR), ==, LAYOUT_CMDLINE);
	g_assert_cmpmem(zp + ZP_INIT_SIZE, hdr_end - ZP_INIT_SIZE, file + ZP_INIT_SIZE, hdr_end - ZP_INIT_SIZE);
	g_assert_cmpstr((const char *)bt_ptr(t, LAYOUT_CMDLINE, 64), ==, t->bc.cmdline);
	g_assert_cmphex(ld64(zp + ZP_ACPI_RSDP_ADDR), ==, LAYOUT_ACPI_START);
	/* the tables verify (checksums are checked by acpi_find; test-acpi reads them in depth) */
	const uint8_t *rsdp = bt_ptr(t, LAYOUT_ACPI_START, 36);
	g_assert_cmpuint(bt_sum(rsdp, 20), ==, 0);
	g_assert_cmpuint(bt_sum(rsdp, 36), ==, 0);
	g_assert_nonnull(acpi_find(t, "FACP"));
	const uint8_t *madt = acpi_find(t, "APIC");
	g_assert_nonnull(madt);
	g_assert_cmpuint(madt[44], ==, 0);                 /* first entry: a local APIC */
	const uint8_t *mp = bt_ptr(t, LAYOUT_EBDA_START, 16);
	g_assert_cmpuint(bt_sum(mp, 16), ==, 0);
	uint16_t mpc_len = ld16(bt_ptr(t, ld32(mp + 4) + 4, 2));
	g_assert_cmpuint(bt_sum(bt_ptr(t, ld32(mp + 4), mpc_len), mpc_len), ==, 0);

	/* e820 */
	g_assert_cmpuint(zp[ZP_E820_ENTRIES], ==, 4);
	static const uint64_t want[4][3] = {
		{ 0, 0x9FC00, 1 }, { 0x9FC00, 0x400, 2 }, { 0xE0000, 0x20000, 2 }, { 0x100000, RAM - 0x100000, 1 },
	};
	for (unsigned i = 0; i < 4; i++) {
		const uint8_t *e = zp + ZP_E820_TABLE + 20 * i;
		g_assert_cmphex(ld64(e), ==, want[i][0]);
		g_assert_cmphex(ld64(e + 8), ==, want[i][1]);
		g_assert_cmpuint(ld32(e + 16), ==, want[i][2]);
	}

	/* initrd: page aligned, at the top of RAM, above the kernel */
	uint32_t ird = ld32(zp + ZP_RAMDISK_IMAGE);
	g_assert_cmpuint(ld32(zp + ZP_RAMDISK_SIZE), ==, initrd_len);
	g_assert_cmphex(ird & 0xFFF, ==, 0);
	g_assert_cmpuint(ird + initrd_len, <=, RAM);
	g_assert_cmpuint(ird + initrd_len, >, RAM - 4096);
	uint64_t init_end = ld64(file + ZP_PREF_ADDRESS) + ld32(file + ZP_INIT_SIZE);
	g_assert_cmpuint(ird, >=, init_end);
	const uint8_t *ip = bt_ptr(t, ird, initrd_len);
	g_assert_cmphex(ip[0], ==, 0x30);
	g_assert_cmphex(ip[initrd_len - 1], ==, 0x5A);

	/* 64-bit entry state */
	struct kvm_sregs *s = &t->bsp.sregs;
	g_assert_cmphex(t->bsp.regs.rsi, ==, LAYOUT_ZERO_PAGE);
	g_assert_cmphex(t->bsp.regs.rflags, ==, 2);
	g_assert_cmphex(s->cs.selector, ==, 0x10);
	g_assert_cmpuint(s->cs.l, ==, 1);
	g_assert_cmpuint(s->cs.db, ==, 0);
	g_assert_cmpuint(s->cs.present, ==, 1);
	g_assert_cmpuint(s->cs.s, ==, 1);
	g_assert_cmpuint(s->cs.type, ==, 0xB);
	g_assert_cmphex(s->ds.selector, ==, 0x18);
	g_assert_cmphex(s->ss.selector, ==, 0x18);
	g_assert_cmpuint(s->ss.db, ==, 1);
	g_assert_cmpuint(s->ds.type, ==, 3);
	g_assert_cmphex(s->ds.limit, ==, 0xFFFFFFFF);
	g_assert_cmphex(s->cr0 & 0x80000001, ==, 0x80000001);
	g_assert_cmphex(s->cr4 & 0x20, ==, 0x20);
	g_assert_cmphex(s->efer & 0x500, ==, 0x500);
	g_assert_cmphex(s->cr3, ==, LAYOUT_PML4);
	g_assert_cmphex(s->gdt.base, ==, LAYOUT_GDT);
	const uint8_t *gdt = bt_ptr(t, LAYOUT_GDT, 32);
	g_assert_cmphex(ld64(gdt + 0x10), ==, 0x00AF9B000000FFFFULL);
	g_assert_cmphex(ld64(gdt + 0x18), ==, 0x00CF93000000FFFFULL);
	/* identity map: walk 0x1234567 and 0xFEC00000 */
	const uint64_t probes[] = { 0x1234567, 0xFEC00000, 0x100200 };
	for (unsigned i = 0; i < G_N_ELEMENTS(probes); i++) {
		uint64_t va = probes[i];
		uint64_t e = ld64(bt_ptr(t, s->cr3 + 8 * ((va >> 39) & 511), 8));
		g_assert_true(e & 1);
		e = ld64(bt_ptr(t, (e & ~0xFFFULL) + 8 * ((va >> 30) & 511), 8));
		g_assert_true(e & 1);
		e = ld64(bt_ptr(t, (e & ~0xFFFULL) + 8 * ((va >> 21) & 511), 8));
		g_assert_cmphex(e & 0x83, ==, 0x83);
		g_assert_cmphex((e & ~0x1FFFFFULL & 0xFFFFFFFFFFULL) | (va & 0x1FFFFF), ==, va);
	}
	g_assert_cmphex(t->bsp.fpu.fcw, ==, 0x37F);
	g_assert_cmphex(t->bsp.fpu.mxcsr, ==, 0x1F80);
	bool misc = false;
	for (unsigned i = 0; i < t->bsp.nmsrs; i++)
		if (t->bsp.msrs[i].index == 0x1A0 && t->bsp.msrs[i].data == 1)
			misc = true;
	g_assert_true(misc);
}

static void run(const char *name, bool host)
{
	g_autofree char *path = bt_guest_file(name);
	if (!path) {
		g_test_skip("Debian kernel not downloaded");
		return;
	}
	g_autofree uint8_t *file = NULL;
	gsize flen = 0;
	g_assert_true(g_file_get_contents(path, (char **)&file, &flen, NULL));

	struct bt t;
	bt_init(&t, RAM);
	size_t ilen = 3 * MiB + 123;
	g_autofree uint8_t *ird = g_malloc0(ilen);
	ird[0] = 0x30;
	ird[ilen - 1] = 0x5A;
	g_autofree char *ipath = bt_file(&t, "initrd", ird, ilen);
	t.bc.kernel = path;
	t.bc.initrd = ipath;
	t.bc.cmdline = "console=ttyS0 earlyprintk=ttyS0";
	t.bc.acpi = true;
	t.bc.ncpus = 2;
	t.bc.host_decompress = host;
	GError *err = NULL;
	g_assert_true(boot_load(&t.gm, &t.bc, &t.bsp, &err));
	g_assert_no_error(err);
	check_common(&t, file, ilen);
	if (!host) {
		g_assert_cmphex(t.bsp.regs.rip, ==, 0x100200);
		size_t setup = (file[0x1F1] + 1) * 512;
		g_assert_cmpmem(bt_ptr(&t, LAYOUT_KERNEL_START, flen - setup), flen - setup, file + setup, flen - setup);
	} else {
		g_assert_cmphex(t.bsp.regs.rip, ==, 0x1000000);
		/* startup_64 begins with code, not zeros; the kernel image spans 16 MiB up */
		g_assert_cmphex(ld64(bt_ptr(&t, 0x1000000, 8)), !=, 0);
	}
	bt_fini(&t);
}

static void test_cloud_guest(void) { run("vmlinuz-cloud", false); }
static void test_cloud_host(void) { run("vmlinuz-cloud", true); }
static void test_generic_guest(void) { run("vmlinuz-generic", false); }
static void test_generic_host(void) { run("vmlinuz-generic", true); }

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/boot/bzimage-real/cloud-guest-decompress", test_cloud_guest);
	g_test_add_func("/boot/bzimage-real/cloud-host-decompress", test_cloud_host);
	g_test_add_func("/boot/bzimage-real/generic-guest-decompress", test_generic_guest);
	g_test_add_func("/boot/bzimage-real/generic-host-decompress", test_generic_host);
	return g_test_run();
}
