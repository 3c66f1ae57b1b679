/* ACPI tables: checksums, the RSDP -> RSDT/XSDT -> FADT/FACS/DSDT/MADT
 * chain, the FADT's fixed hardware, the MADT's interrupt model, and the
 * DSDT read back as AML.  With iasl installed, the tables are also
 * disassembled and the DSDT recompiled without errors or warnings. */
#include "acpi_walk.h"
#include "images.h"
#include "vmm/boot/acpi.h"

#define RAM (32 * MiB)

static void load(struct bt *t, unsigned ncpus)
{
	bt_init(t, RAM);
	t->bc.acpi = true;
	t->bc.ncpus = ncpus;
	g_autoptr(GByteArray) b = img_elf_simple(true, 0x200000, 64, 64);
	GError *err = NULL;
	g_assert_true(bt_load(t, b->data, b->len, &err));
	g_assert_no_error(err);
	g_assert_cmphex(ld64(bt_ptr(t, LAYOUT_ZERO_PAGE + 0x70, 8)), ==, LAYOUT_ACPI_START);
}

static uint32_t eisaid(const char *id)
{
	uint32_t v = (uint32_t)(id[0] - 0x40) << 26 | (uint32_t)(id[1] - 0x40) << 21 | (uint32_t)(id[2] - 0x40) << 16 |
		     (uint32_t)strtoul(id + 3, NULL, 16);
	return GUINT32_SWAP_LE_BE(v);
}

static void check_tables(unsigned ncpus)
{
	struct bt t;
	load(&t, ncpus);
	const uint8_t *r = bt_ptr(&t, LAYOUT_ACPI_START, 36);
	g_assert_cmpmem(r, 8, "RSD PTR ", 8);
	g_assert_cmpuint(bt_sum(r, 20), ==, 0);
	g_assert_cmpuint(bt_sum(r, 36), ==, 0);
	g_assert_cmpuint(r[15], ==, 2);
	g_assert_cmpmem(r + 9, 6, "TANDEM", 6);
	g_assert_cmpuint(ld32(r + 20), ==, 36);
	const uint8_t *rsdt = bt_ptr(&t, ld32(r + 16), 44);
	const uint8_t *xsdt = bt_ptr(&t, ld64(r + 24), 52);
	g_assert_cmpmem(rsdt, 4, "RSDT", 4);
	g_assert_cmpmem(xsdt, 4, "XSDT", 4);
	g_assert_cmpuint(bt_sum(rsdt, ld32(rsdt + 4)), ==, 0);
	g_assert_cmpuint(bt_sum(xsdt, ld32(xsdt + 4)), ==, 0);
	g_assert_cmpmem(xsdt + 10, 6, "TANDEM", 6);
	for (unsigned i = 0; i < 2; i++)
		g_assert_cmphex(ld32(rsdt + 36 + 4 * i), ==, ld64(xsdt + 36 + 8 * i));

	/* FADT */
	const uint8_t *f = acpi_find(&t, "FACP");
	g_assert_nonnull(f);
	g_assert_cmpuint(f[8], >=, 3);
	g_assert_cmpuint(ld32(f + 4), ==, ACPI_FADT_SIZE);
	uint32_t flags = ld32(f + FADT_FLAGS);
	g_assert_cmphex(flags & FADT_F_HW_REDUCED, ==, 0);
	g_assert_cmphex(flags & FADT_F_PWR_BUTTON, ==, 0);
	g_assert_cmphex(flags & FADT_F_SLP_BUTTON, ==, FADT_F_SLP_BUTTON);
	g_assert_cmphex(flags & FADT_F_TMR_VAL_EXT, ==, 0);
	g_assert_cmphex(flags & FADT_F_RESET_REG_SUP, ==, FADT_F_RESET_REG_SUP);
	g_assert_cmpuint(ld16(f + FADT_SCI_INT), ==, IRQ_SCI);
	g_assert_cmpuint(ld32(f + FADT_SMI_CMD), ==, 0);
	g_assert_cmphex(ld32(f + FADT_PM1A_EVT_BLK), ==, PORT_ACPI_PM);
	g_assert_cmphex(ld32(f + FADT_PM1A_CNT_BLK), ==, PORT_ACPI_PM + 4);
	g_assert_cmphex(ld32(f + FADT_PM_TMR_BLK), ==, PORT_ACPI_PM + 8);
	g_assert_cmpuint(f[FADT_PM1_EVT_LEN], ==, 4);
	g_assert_cmpuint(f[FADT_PM1_CNT_LEN], ==, 2);
	g_assert_cmpuint(f[FADT_PM_TMR_LEN], ==, 4);
	g_assert_cmphex(ld16(f + FADT_IAPC_BOOT_ARCH), ==, 3);
	g_assert_cmpuint(f[FADT_RESET_REG], ==, 1);           /* system I/O */
	g_assert_cmphex(ld64(f + FADT_RESET_REG + 4), ==, 0xCF9);
	g_assert_cmphex(f[FADT_RESET_VALUE], ==, 6);
	/* X_ fields agree with the 32-bit ones */
	g_assert_cmphex(ld64(f + FADT_X_DSDT), ==, ld32(f + FADT_DSDT));
	/* the FACS is below 4 GiB: FIRMWARE_CTRL only (ACPI 6: X_FIRMWARE_CTRL overrides it when set) */
	g_assert_cmphex(ld64(f + FADT_X_FIRMWARE_CTRL), ==, 0);
	g_assert_cmphex(ld32(f + FADT_FIRMWARE_CTRL), !=, 0);
	static const struct { unsigned x, legacy, len; } blk[] = {
		{ FADT_X_PM1A_EVT_BLK, FADT_PM1A_EVT_BLK, FADT_PM1_EVT_LEN },
		{ FADT_X_PM1A_CNT_BLK, FADT_PM1A_CNT_BLK, FADT_PM1_CNT_LEN },
		{ FADT_X_PM_TMR_BLK, FADT_PM_TMR_BLK, FADT_PM_TMR_LEN },
	};
	for (unsigned i = 0; i < G_N_ELEMENTS(blk); i++) {
		g_assert_cmpuint(f[blk[i].x], ==, 1);
		g_assert_cmpuint(f[blk[i].x + 1], ==, f[blk[i].len] * 8);
		g_assert_cmphex(ld64(f + blk[i].x + 4), ==, ld32(f + blk[i].legacy));
	}
	const uint8_t *facs = bt_ptr(&t, ld32(f + FADT_FIRMWARE_CTRL), 64);
	g_assert_cmphex(ld32(f + FADT_FIRMWARE_CTRL) & 63, ==, 0);
	g_assert_cmpmem(facs, 4, "FACS", 4);
	g_assert_cmpuint(ld32(facs + 4), ==, 64);
	const uint8_t *dsdt = bt_ptr(&t, ld32(f + FADT_DSDT), 36);
	g_assert_cmpmem(dsdt, 4, "DSDT", 4);
	g_assert_cmpuint(bt_sum(dsdt, ld32(dsdt + 4)), ==, 0);
	g_assert_cmpuint(ld32(dsdt + 4), <=, 0xF0000 - ld32(f + FADT_DSDT));

	/* MADT */
	const uint8_t *m = acpi_find(&t, "APIC");
	g_assert_nonnull(m);
	g_assert_cmphex(ld32(m + 36), ==, LAYOUT_LAPIC_BASE);
	g_assert_cmphex(ld32(m + 40), ==, 1);
	unsigned nlapic = 0, nio = 0, niso = 0, nnmi = 0;
	uint32_t len = ld32(m + 4);
	for (uint32_t o = 44; o < len;) {
		const uint8_t *e = m + o;
		g_assert_cmpuint(e[1], >=, 2);
		switch (e[0]) {
		case MADT_LAPIC:
			g_assert_cmpuint(e[1], ==, 8);
			g_assert_cmpuint(e[2], ==, nlapic);
			g_assert_cmpuint(e[3], ==, nlapic);
			g_assert_cmphex(ld32(e + 4), ==, 1);
			nlapic++;
			break;
		case MADT_IOAPIC:
			g_assert_cmpuint(e[1], ==, 12);
			g_assert_cmpuint(e[2], ==, ncpus);
			g_assert_cmphex(ld32(e + 4), ==, LAYOUT_IOAPIC_BASE);
			g_assert_cmpuint(ld32(e + 8), ==, 0);
			nio++;
			break;
		case MADT_ISO:
			g_assert_cmpuint(e[1], ==, 10);
			g_assert_cmpuint(e[2], ==, 0);
			if (e[3] == 0) {
				g_assert_cmpuint(ld32(e + 4), ==, 2);
				g_assert_cmphex(ld16(e + 8), ==, 0);
			} else {
				g_assert_cmpuint(e[3], ==, 9);
				g_assert_cmpuint(ld32(e + 4), ==, 9);
				g_assert_cmphex(ld16(e + 8), ==, 0xD);
			}
			niso++;
			break;
		case MADT_LAPIC_NMI:
			g_assert_cmpuint(e[1], ==, 6);
			g_assert_cmphex(e[2], ==, 0xFF);
			g_assert_cmpuint(e[5], ==, 1);
			nnmi++;
			break;
		default:
			g_error("unexpected MADT entry type %u", e[0]);
		}
		o += e[1];
		g_assert_cmpuint(o, <=, len);
	}
	g_assert_cmpuint(nlapic, ==, ncpus);
	g_assert_cmpuint(nio, ==, 1);
	g_assert_cmpuint(niso, ==, 2);
	g_assert_cmpuint(nnmi, ==, 1);
	bt_fini(&t);
}

static void test_tables_1(void) { check_tables(1); }
static void test_tables_4(void) { check_tables(4); }
static void test_tables_254(void) { check_tables(BOOT_MAX_CPUS); }

/* Finds a resource descriptor in a template: small items by tag, large by type. */
static const uint8_t *res_find(const uint8_t *p, size_t n, uint8_t tag, unsigned nth)
{
	for (size_t o = 0; o < n;) {
		const uint8_t *d = p + o;
		size_t dl = (d[0] & 0x80) ? 3 + ld16(d + 1) : 1 + (d[0] & 7);
		uint8_t t = (d[0] & 0x80) ? d[0] : (uint8_t)(d[0] & 0xF8);
		if (t == tag && nth-- == 0)
			return d;
		if (t == 0x78)
			return NULL;
		o += dl;
	}
	return NULL;
}

static const uint8_t *crs(struct aml_walk *w, const char *dev, size_t *n)
{
	g_autofree char *path = g_strcmp0(dev, "PCI0") ? g_strdup_printf("_SB_.PCI0.%s._CRS", dev) : g_strdup("_SB_.PCI0._CRS");
	const uint8_t *v = aml_get(w, path);
	g_assert_nonnull(v);
	const uint8_t *d = aml_buffer_data(v, n);
	g_assert_cmphex(d[*n - 2], ==, 0x79);
	return d;
}

static void check_legacy(struct aml_walk *w, const char *dev, const char *hid, uint16_t port, uint8_t len, unsigned irq)
{
	g_autofree char *h = g_strdup_printf("_SB_.PCI0.%s._HID", dev);
	g_assert_cmphex(aml_int_value(aml_get(w, h)), ==, eisaid(hid));
	size_t n;
	const uint8_t *d = crs(w, dev, &n);
	if (port) {
		const uint8_t *io = res_find(d, n, 0x40, 0);
		g_assert_nonnull(io);
		g_assert_cmphex(ld16(io + 2), ==, port);
		g_assert_cmphex(ld16(io + 4), ==, port);
		g_assert_cmpuint(io[7], ==, len);
	}
	const uint8_t *irqd = res_find(d, n, 0x20, 0);
	g_assert_nonnull(irqd);
	g_assert_cmphex(ld16(irqd + 1), ==, 1u << irq);
}

static void test_dsdt(void)
{
	struct bt t;
	load(&t, 3);
	const uint8_t *f = acpi_find(&t, "FACP");
	const uint8_t *dsdt = bt_ptr(&t, ld32(f + FADT_DSDT), 36);
	uint32_t len = ld32(dsdt + 4);
	g_assert_cmpuint(dsdt[8], ==, 2);
	static struct aml_walk w;
	memset(&w, 0, sizeof(w));
	aml_walk_list(&w, dsdt + 36, dsdt + len, "");

	const uint8_t *el[200];
	g_assert_cmpuint(aml_package(aml_get(&w, "_S5_"), el, 200), ==, 4);
	g_assert_cmpuint(aml_int_value(el[0]), ==, ACPI_S5_SLP_TYP);
	g_assert_cmpuint(aml_int_value(el[1]), ==, ACPI_S5_SLP_TYP);
	g_assert_cmpuint(aml_int_value(el[2]), ==, 0);

	g_assert_cmphex(aml_int_value(aml_get(&w, "_SB_.PCI0._HID")), ==, 0x030AD041);
	g_assert_cmpuint(aml_int_value(aml_get(&w, "_SB_.PCI0._UID")), ==, 0);
	g_assert_cmpuint(aml_int_value(aml_get(&w, "_SB_.PCI0._SEG")), ==, 0);
	g_assert_cmpuint(aml_int_value(aml_get(&w, "_SB_.PCI0._BBN")), ==, 0);
	g_assert_nonnull(aml_get(&w, "_SB_.C002._HID"));
	g_assert_null(aml_get(&w, "_SB_.C003._HID"));
	g_assert_cmpuint(aml_int_value(aml_get(&w, "_SB_.C002._UID")), ==, 2);

	size_t n;
	const uint8_t *d = crs(&w, "PCI0", &n);
	const uint8_t *bus = res_find(d, n, 0x88, 0);
	g_assert_cmpuint(bus[3], ==, 2);
	g_assert_cmphex(ld16(bus + 8), ==, 0);
	g_assert_cmphex(ld16(bus + 10), ==, 0xFF);
	const uint8_t *io1 = res_find(d, n, 0x88, 1), *io2 = res_find(d, n, 0x88, 2);
	g_assert_cmpuint(io1[3], ==, 1);
	g_assert_cmphex(ld16(io1 + 8), ==, 0);
	g_assert_cmphex(ld16(io1 + 10), ==, 0xCF7);
	g_assert_cmphex(ld16(io2 + 8), ==, 0xD00);
	g_assert_cmphex(ld16(io2 + 10), ==, 0xFFFF);
	g_assert_cmphex(ld16(io2 + 14), ==, 0xF300);
	const uint8_t *cf8 = res_find(d, n, 0x40, 0);
	g_assert_cmphex(ld16(cf8 + 2), ==, 0xCF8);
	g_assert_cmpuint(cf8[7], ==, 8);
	const uint8_t *mem = res_find(d, n, 0x87, 0);
	g_assert_cmpuint(mem[3], ==, 0);
	g_assert_cmphex(ld32(mem + 10), ==, 0xC0000000);
	g_assert_cmphex(ld32(mem + 14), ==, 0xFEBFFFFF);
	g_assert_cmphex(ld32(mem + 22), ==, 0x3EC00000);

	/* _PRT: slot 1-31, pins A-D; the hw model wires pci_intx_line(slot, pin 1..4) = 16 + ((slot + pin - 1) % 4) */
	const uint8_t *prt[200];
	g_assert_cmpuint(aml_package(aml_get(&w, "_SB_.PCI0._PRT"), prt, 200), ==, 124);
	unsigned seen[32] = { 0 };
	for (unsigned i = 0; i < 124; i++) {
		const uint8_t *e[4];
		g_assert_cmpuint(aml_package(prt[i], e, 4), ==, 4);
		uint64_t adr = aml_int_value(e[0]);
		unsigned slot = (unsigned)(adr >> 16), pin = (unsigned)aml_int_value(e[1]);
		g_assert_cmphex(adr & 0xFFFF, ==, 0xFFFF);
		g_assert_cmpuint(slot, >=, 1);
		g_assert_cmpuint(slot, <=, 31);
		g_assert_cmpuint(pin, <=, 3);
		g_assert_cmpuint(aml_int_value(e[2]), ==, 0);
		unsigned hw_pin = pin + 1;
		g_assert_cmpuint(aml_int_value(e[3]), ==, 16 + ((slot + hw_pin - 1) % 4));
		seen[slot] |= 1u << pin;
	}
	for (unsigned s = 1; s < 32; s++)
		g_assert_cmphex(seen[s], ==, 0xF);

	check_legacy(&w, "COM1", "PNP0501", 0x3F8, 8, 4);
	g_assert_cmpuint(aml_int_value(aml_get(&w, "_SB_.PCI0.COM1._UID")), ==, 1);
	check_legacy(&w, "KBD_", "PNP0303", 0x60, 1, 1);
	size_t kn;
	const uint8_t *kd = crs(&w, "KBD_", &kn);
	g_assert_cmphex(ld16(res_find(kd, kn, 0x40, 1) + 2), ==, 0x64);
	check_legacy(&w, "MOU_", "PNP0F13", 0, 0, 12);
	check_legacy(&w, "RTC_", "PNP0B00", 0x70, 2, 8);
	g_assert_cmpuint(w.devices, ==, 3 + 1 + 4);
	bt_fini(&t);
}

static bool run_iasl(const char *dir, const char *argv0, const char *file, char **out)
{
	const char *argv[] = { "iasl", argv0 ? argv0 : file, argv0 ? file : NULL, NULL };
	int status = 0;
	g_autofree char *err = NULL;
	if (!g_spawn_sync(dir, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, out, &err, &status, NULL))
		return false;
	return g_spawn_check_wait_status(status, NULL);
}

static void test_iasl(void)
{
	g_autofree char *iasl = g_find_program_in_path("iasl");
	if (!iasl) {
		g_test_skip("iasl (acpica-tools) not installed");
		return;
	}
	struct bt t;
	load(&t, 2);
	static const char *sigs[] = { "FACP", "APIC" };
	for (unsigned i = 0; i < 2; i++) {
		const uint8_t *tb = acpi_find(&t, sigs[i]);
		g_autofree char *name = g_strdup_printf("%s.dat", sigs[i]);
		g_autofree char *p = bt_file(&t, name, tb, ld32(tb + 4));
		g_autofree char *out = NULL;
		g_assert_true(run_iasl(t.tmpdir, "-d", p, &out));
		g_autofree char *dsl = g_strdup_printf("%s/%s.dsl", t.tmpdir, sigs[i]);
		g_autofree char *text = NULL;
		g_assert_true(g_file_get_contents(dsl, &text, NULL, NULL));
		g_assert_null(strstr(text, "**** "));     /* iasl's marker for bad fields */
	}
	const uint8_t *f = acpi_find(&t, "FACP");
	const uint8_t *dsdt = bt_ptr(&t, ld32(f + FADT_DSDT), 36);
	g_autofree char *p = bt_file(&t, "dsdt.dat", dsdt, ld32(dsdt + 4));
	g_autofree char *out = NULL;
	g_assert_true(run_iasl(t.tmpdir, "-d", p, &out));
	g_autofree char *dsl = g_build_filename(t.tmpdir, "dsdt.dsl", NULL);
	g_autofree char *out2 = NULL;
	g_assert_true(run_iasl(t.tmpdir, NULL, dsl, &out2));
	g_assert_nonnull(strstr(out2, "0 Errors, 0 Warnings"));
	/* the recompiled AML is ours byte for byte after the header (iasl may only optimise) */
	g_autofree char *aml = NULL;
	gsize alen = 0;
	g_autofree char *amlp = g_build_filename(t.tmpdir, "dsdt.aml", NULL);
	g_assert_true(g_file_get_contents(amlp, &aml, &alen, NULL));
	g_assert_cmpuint(alen, <=, ld32(dsdt + 4));
	bt_fini(&t);
}

static void test_bad_ncpus(void)
{
	struct bt t;
	bt_init(&t, RAM);
	g_autoptr(GByteArray) b = img_elf_simple(true, 0x200000, 64, 64);
	t.bc.ncpus = 0;
	bt_expect_error(&t, b->data, b->len, "cannot boot 0 vCPUs: the firmware tables describe 1 to 254");
	t.bc.ncpus = 255;
	bt_expect_error(&t, b->data, b->len, "cannot boot 255 vCPUs");
	bt_fini(&t);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/boot/acpi/tables-1cpu", test_tables_1);
	g_test_add_func("/boot/acpi/tables-4cpus", test_tables_4);
	g_test_add_func("/boot/acpi/tables-254cpus", test_tables_254);
	g_test_add_func("/boot/acpi/dsdt", test_dsdt);
	g_test_add_func("/boot/acpi/iasl", test_iasl);
	g_test_add_func("/boot/acpi/bad-ncpus", test_bad_ncpus);
	return g_test_run();
}
