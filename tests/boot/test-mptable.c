/* MP table: floating pointer and configuration table checksums, the entry
 * count against a walk of the entries, processors, buses, the IOAPIC (same
 * id as the MADT) and the interrupt assignments. */
#include "boot_test.h"
#include "images.h"
#include "vmm/boot/mptable.h"

static void check(unsigned ncpus)
{
	struct bt t;
	bt_init(&t, 32 * MiB);
	t.bc.ncpus = ncpus;
	g_autoptr(GByteArray) b = img_elf_simple(false, 0x200000, 64, 64);
	GError *err = NULL;
	g_assert_true(bt_load(&t, b->data, b->len, &err));

	const uint8_t *fp = bt_ptr(&t, LAYOUT_EBDA_START, 16);
	g_assert_cmpmem(fp, 4, "_MP_", 4);
	g_assert_cmpuint(fp[8], ==, 1);
	g_assert_cmpuint(fp[9], ==, 4);
	g_assert_cmpuint(bt_sum(fp, 16), ==, 0);
	g_assert_cmpuint(fp[11], ==, 0);                   /* a configuration table is present */
	const uint8_t *h = bt_ptr(&t, ld32(fp + 4), 44);
	g_assert_cmpmem(h, 4, "PCMP", 4);
	uint16_t len = ld16(h + 4);
	g_assert_cmpuint(bt_sum(bt_ptr(&t, ld32(fp + 4), len), len), ==, 0);
	g_assert_cmpuint(h[6], ==, 4);
	g_assert_cmphex(ld32(h + 36), ==, LAYOUT_LAPIC_BASE);
	/* the table lies in e820-reserved memory */
	g_assert_cmpuint(ld32(fp + 4), >=, LAYOUT_ACPI_START);
	g_assert_cmpuint(ld32(fp + 4) + len, <=, LAYOUT_BIOS_END);

	unsigned count = ld16(h + 34), seen = 0, procs = 0, buses = 0, ioapics = 0, lints = 0;
	uint8_t isa_pin[16];
	memset(isa_pin, 0xFF, sizeof(isa_pin));
	unsigned pci = 0;
	const uint8_t *p = h + 44, *end = h + len;
	while (p < end) {
		seen++;
		switch (p[0]) {
		case MP_PROCESSOR:
			g_assert_cmpuint(p[1], ==, procs);
			g_assert_cmphex(p[3], ==, procs == 0 ? 3 : 1);
			procs++;
			p += 20;
			break;
		case MP_BUS:
			g_assert_cmpmem(p + 2, 6, p[1] == 0 ? "PCI   " : "ISA   ", 6);
			buses++;
			p += 8;
			break;
		case MP_IOAPIC:
			g_assert_cmpuint(p[1], ==, ncpus);
			g_assert_cmpuint(p[3], ==, 1);
			g_assert_cmphex(ld32(p + 4), ==, LAYOUT_IOAPIC_BASE);
			ioapics++;
			p += 8;
			break;
		case MP_INTSRC:
			g_assert_cmpuint(p[6], ==, ncpus);
			if (p[4] == MP_BUS_ISA) {
				g_assert_cmpuint(p[5], <, 16);
				isa_pin[p[5]] = p[7];
				g_assert_cmphex(ld16(p + 2), ==, p[5] == 9 ? 0x0D : 0);
			} else {
				unsigned slot = p[5] >> 2, pin = p[5] & 3;
				g_assert_cmpuint(p[7], ==, 16 + (slot + pin) % 4);
				g_assert_cmphex(ld16(p + 2), ==, 0x0F);
				pci++;
			}
			p += 8;
			break;
		case MP_LINTSRC:
			g_assert_cmphex(p[6], ==, 0xFF);
			g_assert_cmpuint(p[1], ==, p[7] == 0 ? MP_EXTINT : MP_NMI);
			lints++;
			p += 8;
			break;
		default:
			g_error("unknown MP entry type %u", p[0]);
		}
	}
	g_assert_true(p == end);
	g_assert_cmpuint(seen, ==, count);
	g_assert_cmpuint(procs, ==, ncpus);
	g_assert_cmpuint(buses, ==, 2);
	g_assert_cmpuint(ioapics, ==, 1);
	g_assert_cmpuint(lints, ==, 2);
	g_assert_cmpuint(pci, ==, 124);
	g_assert_cmpuint(isa_pin[0], ==, 2);
	g_assert_cmpuint(isa_pin[2], ==, 0xFF);
	for (unsigned irq = 1; irq < 16; irq++)
		if (irq != 2)
			g_assert_cmpuint(isa_pin[irq], ==, irq);
	bt_fini(&t);
}

static void test_1(void) { check(1); }
static void test_8(void) { check(8); }
static void test_254(void) { check(254); }

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/boot/mptable/1cpu", test_1);
	g_test_add_func("/boot/mptable/8cpus", test_8);
	g_test_add_func("/boot/mptable/254cpus", test_254);
	return g_test_run();
}
