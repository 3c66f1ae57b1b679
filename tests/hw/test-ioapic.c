/* IOAPIC: registers (ID, version, arbitration, redirection entries and
 * their read-only bits), edge and level delivery, Remote IRR and EOI, the
 * message fields, odd MMIO accesses. The APIC bus is a recorder. */
#include "hw/ioapic.h"

#include <glib.h>
#include <string.h>

struct rec {
	unsigned n;
	struct apic_msg last;
	bool accept;
};

static bool on_deliver(void *opaque, const struct apic_msg *m)
{
	struct rec *r = opaque;
	r->n++;
	r->last = *m;
	return r->accept;
}

static void w32(struct ioapic *io, uint64_t off, uint32_t v)
{
	ioapic_mmio(io, off, &v, 4, true, 0);
}

static uint32_t r32(struct ioapic *io, uint64_t off)
{
	uint32_t v = 0;
	ioapic_mmio(io, off, &v, 4, false, 0);
	return v;
}

static void reg_w(struct ioapic *io, uint8_t reg, uint32_t v)
{
	w32(io, 0x00, reg);
	w32(io, 0x10, v);
}

static uint32_t reg_r(struct ioapic *io, uint8_t reg)
{
	w32(io, 0x00, reg);
	return r32(io, 0x10);
}

static void setup(struct ioapic *io, struct rec *r)
{
	memset(r, 0, sizeof(*r));
	r->accept = true;
	ioapic_init(io, on_deliver, r);
}

static void test_registers(void)
{
	struct ioapic io;
	struct rec r;
	setup(&io, &r);
	g_assert_cmphex(reg_r(&io, 1), ==, 0x00170011);
	g_assert_cmphex(reg_r(&io, 0), ==, 0);
	reg_w(&io, 0, 0xFFFFFFFF);
	g_assert_cmphex(reg_r(&io, 0), ==, 0x0F000000);
	g_assert_cmphex(reg_r(&io, 2), ==, 0x0F000000);
	reg_w(&io, 1, 0);  /* read-only */
	g_assert_cmphex(reg_r(&io, 1), ==, 0x00170011);
	g_assert_cmphex(r32(&io, 0x00), ==, 1);  /* IOREGSEL reads back */
	/* every entry starts masked */
	for (unsigned pin = 0; pin < 24; pin++) {
		g_assert_cmphex(reg_r(&io, (uint8_t)(0x10 + 2 * pin)), ==, 0x10000);
		g_assert_cmphex(reg_r(&io, (uint8_t)(0x11 + 2 * pin)), ==, 0);
	}
	/* delivery status and remote IRR are read-only; dest is bits 63:56 */
	reg_w(&io, 0x10 + 2 * 5, 0xFFFFFFFF);
	g_assert_cmphex(reg_r(&io, 0x10 + 2 * 5), ==, 0x0001AFFF);
	reg_w(&io, 0x11 + 2 * 5, 0xFFFFFFFF);
	g_assert_cmphex(reg_r(&io, 0x11 + 2 * 5), ==, 0xFF000000);
	reg_w(&io, 0x10 + 2 * 23, 0x000109AB);
	g_assert_cmphex(reg_r(&io, 0x10 + 2 * 23), ==, 0x000109AB);
	/* past the last entry, unknown registers */
	reg_w(&io, 0x40, 0x1234);
	g_assert_cmphex(reg_r(&io, 0x40), ==, 0);
	g_assert_cmphex(reg_r(&io, 0xFF), ==, 0);
	g_assert_cmphex(reg_r(&io, 3), ==, 0);
	g_assert_cmpuint(r.n, ==, 0);
}

static void test_edge(void)
{
	struct ioapic io;
	struct rec r;
	setup(&io, &r);
	reg_w(&io, 0x11 + 2 * 3, 0x03000000);
	reg_w(&io, 0x10 + 2 * 3, 0x00000933);  /* logical, lowest priority, vector 0x33 */
	ioapic_set_irq(&io, 3, true);
	g_assert_cmpuint(r.n, ==, 1);
	g_assert_cmpuint(r.last.vector, ==, 0x33);
	g_assert_cmpuint(r.last.delivery, ==, APIC_DM_LOWEST);
	g_assert_true(r.last.logical);
	g_assert_false(r.last.level);
	g_assert_cmpuint(r.last.dest, ==, 3);
	ioapic_set_irq(&io, 3, true);  /* no new edge */
	ioapic_set_irq(&io, 3, false);
	g_assert_cmpuint(r.n, ==, 1);
	ioapic_set_irq(&io, 3, true);
	g_assert_cmpuint(r.n, ==, 2);
	ioapic_set_irq(&io, 3, false);
	/* an edge on a masked pin is held and delivered on unmask */
	reg_w(&io, 0x10 + 2 * 3, 0x00010033);
	ioapic_set_irq(&io, 3, true);
	ioapic_set_irq(&io, 3, false);
	g_assert_cmpuint(r.n, ==, 2);
	reg_w(&io, 0x10 + 2 * 3, 0x00000033);
	g_assert_cmpuint(r.n, ==, 3);
	reg_w(&io, 0x10 + 2 * 3, 0x00000034);  /* only once */
	g_assert_cmpuint(r.n, ==, 3);
	/* EOI does nothing to edge pins; Remote IRR stays clear */
	ioapic_eoi(&io, 0x34);
	g_assert_cmpuint(r.n, ==, 3);
	g_assert_cmphex(reg_r(&io, 0x10 + 2 * 3) & 0x4000, ==, 0);
	/* delivery modes pass through: NMI, INIT, ExtINT, SMI */
	static const uint8_t modes[] = { APIC_DM_NMI, APIC_DM_INIT, APIC_DM_EXTINT, APIC_DM_SMI, APIC_DM_FIXED };
	for (unsigned i = 0; i < G_N_ELEMENTS(modes); i++) {
		reg_w(&io, 0x10 + 2 * 7, (uint32_t)modes[i] << 8 | 0x70);
		ioapic_set_irq(&io, 7, true);
		ioapic_set_irq(&io, 7, false);
		g_assert_cmpuint(r.last.delivery, ==, modes[i]);
		g_assert_false(r.last.logical);
	}
	/* out-of-range pins are ignored */
	ioapic_set_irq(&io, 24, true);
	ioapic_set_irq(&io, 1000, true);
}

static void test_level_remote_irr(void)
{
	struct ioapic io;
	struct rec r;
	setup(&io, &r);
	uint8_t lo = 0x10 + 2 * 9;
	reg_w(&io, lo, 0x00008059);
	g_assert_cmpuint(r.n, ==, 0);
	ioapic_set_irq(&io, 9, true);
	g_assert_cmpuint(r.n, ==, 1);
	g_assert_true(r.last.level);
	g_assert_cmphex(reg_r(&io, lo), ==, 0x0000C059);  /* Remote IRR */
	/* asserted, but Remote IRR blocks */
	ioapic_set_irq(&io, 9, false);
	ioapic_set_irq(&io, 9, true);
	g_assert_cmpuint(r.n, ==, 1);
	ioapic_eoi(&io, 0x58);  /* another vector */
	g_assert_cmpuint(r.n, ==, 1);
	ioapic_eoi(&io, 0x59);  /* still asserted: again */
	g_assert_cmpuint(r.n, ==, 2);
	g_assert_cmphex(reg_r(&io, lo) & 0x4000, ==, 0x4000);
	ioapic_set_irq(&io, 9, false);
	ioapic_eoi(&io, 0x59);
	g_assert_cmpuint(r.n, ==, 2);
	g_assert_cmphex(reg_r(&io, lo) & 0x4000, ==, 0);
	/* the EOI register (+0x40) does the same */
	ioapic_set_irq(&io, 9, true);
	g_assert_cmpuint(r.n, ==, 3);
	ioapic_set_irq(&io, 9, false);
	w32(&io, 0x40, 0x59);
	g_assert_cmphex(reg_r(&io, lo) & 0x4000, ==, 0);
	/* masked level: nothing, delivered on unmask while asserted */
	reg_w(&io, lo, 0x00018059);
	ioapic_set_irq(&io, 9, true);
	g_assert_cmpuint(r.n, ==, 3);
	reg_w(&io, lo, 0x00008059);
	g_assert_cmpuint(r.n, ==, 4);
	/* switching to edge clears Remote IRR */
	reg_w(&io, lo, 0x00000059);
	g_assert_cmphex(reg_r(&io, lo) & 0x4000, ==, 0);
	ioapic_set_irq(&io, 9, false);
	/* nobody accepted: Remote IRR stays clear, retried at the next EOI */
	r.accept = false;
	reg_w(&io, lo, 0x00008059);
	ioapic_set_irq(&io, 9, true);
	g_assert_cmpuint(r.n, ==, 5);
	g_assert_cmphex(reg_r(&io, lo) & 0x4000, ==, 0);
	r.accept = true;
	ioapic_eoi(&io, 0x59);
	g_assert_cmpuint(r.n, ==, 6);
	g_assert_cmphex(reg_r(&io, lo) & 0x4000, ==, 0x4000);
	/* polarity is stored, the input is already logical */
	ioapic_set_irq(&io, 9, false);
	ioapic_eoi(&io, 0x59);
	reg_w(&io, lo, 0x0000A059);
	g_assert_cmphex(reg_r(&io, lo), ==, 0x0000A059);
	g_assert_cmpuint(r.n, ==, 6);
	ioapic_set_irq(&io, 9, true);
	g_assert_cmpuint(r.n, ==, 7);
	/* reset masks everything and forgets Remote IRR */
	ioapic_reset(&io);
	g_assert_cmphex(reg_r(&io, lo), ==, 0x10000);
}

static void test_odd_accesses(void)
{
	struct ioapic io;
	struct rec r;
	setup(&io, &r);
	/* byte access to IOREGSEL, then a 16-bit read of the window's top half */
	uint8_t b = 0x01;
	ioapic_mmio(&io, 0x00, &b, 1, true, 0);
	uint16_t h = 0;
	ioapic_mmio(&io, 0x12, &h, 2, false, 0);
	g_assert_cmphex(h, ==, 0x0017);
	/* an 8-byte write at the window writes the window's dword only */
	uint64_t q = 0x0000000000000042ull | 0xFFFFFFFF00000000ull;
	w32(&io, 0x00, 0x10);
	ioapic_mmio(&io, 0x10, &q, 8, true, 0);
	g_assert_cmphex(reg_r(&io, 0x10), ==, 0x42);
	/* a byte write merges into the selected register */
	w32(&io, 0x00, 0x10);
	b = 0x01;
	ioapic_mmio(&io, 0x12, &b, 1, true, 0);
	g_assert_cmphex(reg_r(&io, 0x10), ==, 0x10042);
	/* anywhere else in the page: reads 0, writes ignored */
	for (uint64_t off = 0; off < 0x1000; off += 4) {
		if (off == 0x00 || off == 0x10 || off == 0x40)
			continue;
		w32(&io, off, 0xFFFFFFFF);
		g_assert_cmphex(r32(&io, off), ==, 0);
	}
	uint8_t buf[8];
	ioapic_mmio(&io, 0xFF9, buf, 7, false, 0);
	g_assert_cmpuint(r.n, ==, 0);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ioapic/registers", test_registers);
	g_test_add_func("/ioapic/edge", test_edge);
	g_test_add_func("/ioapic/level-remote-irr", test_level_remote_irr);
	g_test_add_func("/ioapic/odd-accesses", test_odd_accesses);
	return g_test_run();
}
