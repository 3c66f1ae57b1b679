/* LAPIC: register semantics and write masks, software disable, ESR,
 * TPR/PPR gating, EOI, spurious vector, IPIs (INIT/SIPI/fixed/NMI with
 * shorthands, physical/logical/lowest-priority destinations), the timer
 * in one-shot, periodic and TSC-deadline modes at exact guest times, and
 * LINT pins. Through the intc complex with a recording host. */
#include "intc-fixture.h"

#include "hw/lapic.h"

static void enable(struct fixture *f, unsigned cpu)
{
	fix_lapic_w(f, cpu, 0xF0, 0x1FF);
}

/* A fixed self-IPI: the simplest way to put a vector in IRR. */
static void self_ipi(struct fixture *f, unsigned cpu, uint8_t vector)
{
	fix_lapic_w(f, cpu, 0x300, 0x40000 | vector);
}

static void test_reset_values(void)
{
	struct fixture f;
	fix_setup(&f, 2);
	for (unsigned cpu = 0; cpu < 2; cpu++) {
		g_assert_cmphex(fix_lapic_r(&f, cpu, 0x20), ==, cpu << 24);
		g_assert_cmphex(fix_lapic_r(&f, cpu, 0x30), ==, 0x00050014);
		g_assert_cmphex(fix_lapic_r(&f, cpu, 0x80), ==, 0);
		g_assert_cmphex(fix_lapic_r(&f, cpu, 0xA0), ==, 0);
		g_assert_cmphex(fix_lapic_r(&f, cpu, 0xD0), ==, 0);
		g_assert_cmphex(fix_lapic_r(&f, cpu, 0xE0), ==, 0xFFFFFFFF);
		g_assert_cmphex(fix_lapic_r(&f, cpu, 0xF0), ==, 0xFF);
		for (uint32_t r = 0x320; r <= 0x370; r += 0x10)
			if (r != 0x350 && r != 0x360)
				g_assert_cmphex(fix_lapic_r(&f, cpu, r), ==, 0x10000);
		g_assert_cmphex(fix_lapic_r(&f, cpu, 0x380), ==, 0);
		g_assert_cmphex(fix_lapic_r(&f, cpu, 0x390), ==, 0);
		g_assert_cmphex(fix_lapic_r(&f, cpu, 0x3E0), ==, 0);
		for (uint32_t r = 0x100; r < 0x280; r += 0x10)
			g_assert_cmphex(fix_lapic_r(&f, cpu, r), ==, 0);
	}
	fix_teardown(&f);
}

static void test_register_masks(void)
{
	struct fixture f;
	fix_setup(&f, 1);
	fix_lapic_w(&f, 0, 0x20, 0x05000000);  /* ID read-only here */
	g_assert_cmphex(fix_lapic_r(&f, 0, 0x20), ==, 0);
	fix_lapic_w(&f, 0, 0x30, 0);
	g_assert_cmphex(fix_lapic_r(&f, 0, 0x30), ==, 0x00050014);
	fix_lapic_w(&f, 0, 0x80, 0x1FF);
	g_assert_cmphex(fix_lapic_r(&f, 0, 0x80), ==, 0xFF);
	g_assert_cmphex(fix_lapic_r(&f, 0, 0x90), ==, 0);  /* APR */
	fix_lapic_w(&f, 0, 0xD0, 0x12345678);
	g_assert_cmphex(fix_lapic_r(&f, 0, 0xD0), ==, 0x12000000);
	fix_lapic_w(&f, 0, 0xE0, 0);
	g_assert_cmphex(fix_lapic_r(&f, 0, 0xE0), ==, 0x0FFFFFFF);
	fix_lapic_w(&f, 0, 0xF0, 0xFFFFFFFF);
	g_assert_cmphex(fix_lapic_r(&f, 0, 0xF0), ==, 0x3FF);
	/* enabled: LVTs take their writable bits */
	fix_lapic_w(&f, 0, 0x320, 0xFFFFFFFF);
	g_assert_cmphex(fix_lapic_r(&f, 0, 0x320), ==, 0x100FF);  /* reserved mode 3: old mode kept */
	fix_lapic_w(&f, 0, 0x320, 0x200EF);
	g_assert_cmphex(fix_lapic_r(&f, 0, 0x320), ==, 0x200EF);
	fix_lapic_w(&f, 0, 0x330, 0xFFFFFFFF);
	g_assert_cmphex(fix_lapic_r(&f, 0, 0x330), ==, 0x107FF);
	fix_lapic_w(&f, 0, 0x340, 0xFFFFFFFF);
	g_assert_cmphex(fix_lapic_r(&f, 0, 0x340), ==, 0x107FF);
	fix_lapic_w(&f, 0, 0x350, 0xFFFFFFFF);
	g_assert_cmphex(fix_lapic_r(&f, 0, 0x350), ==, 0x1A7FF);
	fix_lapic_w(&f, 0, 0x360, 0xFFFFFFFF);
	g_assert_cmphex(fix_lapic_r(&f, 0, 0x360), ==, 0x1A7FF);
	fix_lapic_w(&f, 0, 0x370, 0xFFFFFFFF);
	g_assert_cmphex(fix_lapic_r(&f, 0, 0x370), ==, 0x100FF);
	fix_lapic_w(&f, 0, 0x3E0, 0xFFFFFFFF);
	g_assert_cmphex(fix_lapic_r(&f, 0, 0x3E0), ==, 0xB);
	fix_lapic_w(&f, 0, 0x310, 0xFFFFFFFF);
	g_assert_cmphex(fix_lapic_r(&f, 0, 0x310), ==, 0xFF000000);
	/* read-only registers ignore writes */
	fix_lapic_w(&f, 0, 0x390, 1234);
	fix_lapic_w(&f, 0, 0x100, 0xFFFFFFFF);
	fix_lapic_w(&f, 0, 0x200, 0xFFFFFFFF);
	g_assert_cmphex(fix_lapic_r(&f, 0, 0x390), ==, 0);
	g_assert_cmphex(fix_lapic_r(&f, 0, 0x100), ==, 0);
	g_assert_cmphex(fix_lapic_r(&f, 0, 0x200), ==, 0);
	/* software disable masks every LVT, and they cannot be unmasked */
	fix_lapic_w(&f, 0, 0x350, 0x700);
	fix_lapic_w(&f, 0, 0xF0, 0xFF);
	for (uint32_t r = 0x320; r <= 0x370; r += 0x10)
		g_assert_cmphex(fix_lapic_r(&f, 0, r) & 0x10000, ==, 0x10000);
	fix_lapic_w(&f, 0, 0x350, 0x700);
	g_assert_cmphex(fix_lapic_r(&f, 0, 0x350), ==, 0x10700);
	/* ... but the other registers still work */
	fix_lapic_w(&f, 0, 0x80, 0x30);
	g_assert_cmphex(fix_lapic_r(&f, 0, 0x80), ==, 0x30);
	fix_teardown(&f);
}

static void test_esr(void)
{
	struct fixture f;
	fix_setup(&f, 1);
	enable(&f, 0);
	self_ipi(&f, 0, 0x05);  /* illegal vector */
	g_assert_cmphex(fix_lapic_r(&f, 0, 0x280), ==, 0);  /* not until written */
	fix_lapic_w(&f, 0, 0x280, 0);
	g_assert_cmphex(fix_lapic_r(&f, 0, 0x280), ==, 0x20);
	fix_lapic_w(&f, 0, 0x280, 0);
	g_assert_cmphex(fix_lapic_r(&f, 0, 0x280), ==, 0);
	/* received illegal vector (MSI with vector 3), with the error LVT */
	fix_lapic_w(&f, 0, 0x370, 0xFE);
	intc_msi(f.ic, 0xFEE00000, 0x03);
	fix_lapic_w(&f, 0, 0x280, 0);
	g_assert_cmphex(fix_lapic_r(&f, 0, 0x280), ==, 0x40);
	g_assert_cmpint(intc_irq_ack(f.ic, 0), ==, 0xFE);
	fix_teardown(&f);
}

static void test_priority(void)
{
	struct fixture f;
	fix_setup(&f, 1);
	enable(&f, 0);
	fix_lapic_w(&f, 0, 0x350, 0x10000);
	self_ipi(&f, 0, 0x45);
	g_assert_cmphex(fix_lapic_r(&f, 0, 0x220), ==, 1u << 5);
	fix_lapic_w(&f, 0, 0x80, 0x50);
	g_assert_false(intc_irq_pending(f.ic, 0));
	fix_lapic_w(&f, 0, 0x80, 0x40);  /* same class: still blocked */
	g_assert_false(intc_irq_pending(f.ic, 0));
	g_assert_cmphex(fix_lapic_r(&f, 0, 0xA0), ==, 0x40);
	unsigned n = f.notify[0];
	fix_lapic_w(&f, 0, 0x80, 0x3F);
	g_assert_cmpuint(f.notify[0], >, n);
	g_assert_true(intc_irq_pending(f.ic, 0));
	g_assert_cmpint(intc_irq_ack(f.ic, 0), ==, 0x45);
	g_assert_cmphex(fix_lapic_r(&f, 0, 0x120), ==, 1u << 5);  /* ISR */
	g_assert_cmphex(fix_lapic_r(&f, 0, 0x220), ==, 0);
	g_assert_cmphex(fix_lapic_r(&f, 0, 0xA0), ==, 0x40);  /* PPR = ISRV class */
	fix_lapic_w(&f, 0, 0x80, 0x4F);
	g_assert_cmphex(fix_lapic_r(&f, 0, 0xA0), ==, 0x4F);  /* TPR class >= ISRV: TPR */
	fix_lapic_w(&f, 0, 0x80, 0);
	self_ipi(&f, 0, 0x41);  /* same class as in service */
	g_assert_false(intc_irq_pending(f.ic, 0));
	self_ipi(&f, 0, 0x61);  /* higher class nests */
	g_assert_cmpint(intc_irq_ack(f.ic, 0), ==, 0x61);
	fix_lapic_w(&f, 0, 0xB0, 0);  /* EOI: the highest in service */
	g_assert_cmphex(fix_lapic_r(&f, 0, 0x130), ==, 0);
	g_assert_false(intc_irq_pending(f.ic, 0));
	fix_lapic_w(&f, 0, 0xB0, 0);
	g_assert_cmpint(intc_irq_ack(f.ic, 0), ==, 0x41);
	fix_lapic_w(&f, 0, 0xB0, 0);
	fix_lapic_w(&f, 0, 0xB0, 0);  /* EOI with nothing in service: harmless */
	/* nothing pending: INTA gets the spurious vector */
	g_assert_cmpint(intc_irq_ack(f.ic, 0), ==, 0xFF);
	fix_lapic_w(&f, 0, 0xF0, 0x1EF);
	g_assert_cmpint(intc_irq_ack(f.ic, 0), ==, 0xEF);
	g_assert_cmphex(fix_lapic_r(&f, 0, 0x170), ==, 0);  /* not put in service */
	/* software-disabled: fixed interrupts refused, NMI accepted */
	fix_lapic_w(&f, 0, 0xF0, 0xFF);
	self_ipi(&f, 0, 0x80);
	g_assert_false(intc_irq_pending(f.ic, 0));
	fix_lapic_w(&f, 0, 0x300, 0x40400);
	g_assert_true(intc_nmi_pending(f.ic, 0));
	g_assert_false(intc_nmi_pending(f.ic, 0));
	fix_teardown(&f);
}

static void test_ipis(void)
{
	struct fixture f;
	fix_setup(&f, 4);
	for (unsigned cpu = 0; cpu < 4; cpu++)
		enable(&f, cpu);
	/* the AP boot sequence: INIT assert, INIT de-assert, SIPI x2 */
	fix_lapic_w(&f, 1, 0x80, 0x20);
	fix_lapic_w(&f, 0, 0x310, 0x01000000);
	fix_lapic_w(&f, 0, 0x300, 0x0000C500);
	g_assert_cmpuint(f.inits[1], ==, 1);
	g_assert_cmphex(fix_lapic_r(&f, 1, 0x80), ==, 0);  /* INIT reset the LAPIC */
	g_assert_cmphex(fix_lapic_r(&f, 1, 0xF0), ==, 0xFF);
	g_assert_cmphex(fix_lapic_r(&f, 1, 0x20), ==, 0x01000000);
	fix_lapic_w(&f, 0, 0x300, 0x00008500);  /* de-assert: ignored */
	g_assert_cmpuint(f.inits[1], ==, 1);
	fix_lapic_w(&f, 0, 0x300, 0x0000069A);
	fix_lapic_w(&f, 0, 0x300, 0x0000069A);
	g_assert_cmpuint(f.sipis[1], ==, 2);
	g_assert_cmpuint(f.sipi_vector[1], ==, 0x9A);
	g_assert_cmpuint(f.inits[0] + f.inits[2] + f.inits[3], ==, 0);
	g_assert_cmpuint(f.sipis[0] + f.sipis[2] + f.sipis[3], ==, 0);
	g_assert_cmphex(fix_lapic_r(&f, 0, 0x300) & 0x1000, ==, 0);  /* delivery status idle */
	/* INIT to all excluding self */
	fix_lapic_w(&f, 0, 0x300, 0x000C4500);
	g_assert_cmpuint(f.inits[0], ==, 0);
	g_assert_cmpuint(f.inits[1], ==, 2);
	g_assert_cmpuint(f.inits[2], ==, 1);
	g_assert_cmpuint(f.inits[3], ==, 1);
	for (unsigned cpu = 0; cpu < 4; cpu++)
		enable(&f, cpu);
	/* fixed: physical, with notify to the target */
	unsigned n2 = f.notify[2];
	fix_lapic_w(&f, 0, 0x310, 0x02000000);
	fix_lapic_w(&f, 0, 0x300, 0x00000031);
	g_assert_cmpuint(f.notify[2], >, n2);
	g_assert_true(intc_irq_pending(f.ic, 2));
	g_assert_false(intc_irq_pending(f.ic, 1));
	g_assert_cmpint(intc_irq_ack(f.ic, 2), ==, 0x31);
	fix_lapic_w(&f, 2, 0xB0, 0);
	/* shorthands: self, all including self, all excluding self */
	fix_lapic_w(&f, 1, 0x300, 0x00040032);
	g_assert_cmphex(fix_lapic_r(&f, 1, 0x210), ==, 1u << 18);
	g_assert_cmphex(fix_lapic_r(&f, 0, 0x210), ==, 0);
	fix_lapic_w(&f, 1, 0x300, 0x00080033);
	for (unsigned cpu = 0; cpu < 4; cpu++)
		g_assert_cmphex(fix_lapic_r(&f, cpu, 0x210) & (1u << 19), ==, 1u << 19);
	fix_lapic_w(&f, 1, 0x300, 0x000C0034);
	for (unsigned cpu = 0; cpu < 4; cpu++)
		g_assert_cmphex(fix_lapic_r(&f, cpu, 0x210) & (1u << 20), ==, cpu == 1 ? 0 : 1u << 20);
	/* physical broadcast 0xFF */
	fix_lapic_w(&f, 3, 0x310, 0xFF000000);
	fix_lapic_w(&f, 3, 0x300, 0x00000035);
	for (unsigned cpu = 0; cpu < 4; cpu++)
		g_assert_cmphex(fix_lapic_r(&f, cpu, 0x210) & (1u << 21), ==, 1u << 21);
	/* logical flat: one bit per CPU */
	for (unsigned cpu = 0; cpu < 4; cpu++)
		fix_lapic_w(&f, cpu, 0xD0, (1u << cpu) << 24);
	fix_lapic_w(&f, 0, 0x310, 0x0A000000);
	fix_lapic_w(&f, 0, 0x300, 0x00000836);
	for (unsigned cpu = 0; cpu < 4; cpu++)
		g_assert_cmphex(fix_lapic_r(&f, cpu, 0x210) & (1u << 22), ==, (cpu == 1 || cpu == 3) ? 1u << 22 : 0);
	/* logical cluster: cluster 1 members 1 and 2 */
	for (unsigned cpu = 0; cpu < 4; cpu++) {
		fix_lapic_w(&f, cpu, 0xE0, 0x0FFFFFFF);
		fix_lapic_w(&f, cpu, 0xD0, (cpu < 2 ? 0x10u : 0x20u) << 24 | (1u << (cpu & 1)) << 24);
	}
	fix_lapic_w(&f, 0, 0x310, 0x12000000);  /* cluster 1, member bit 1 */
	fix_lapic_w(&f, 0, 0x300, 0x00000837);
	for (unsigned cpu = 0; cpu < 4; cpu++)
		g_assert_cmphex(fix_lapic_r(&f, cpu, 0x210) & (1u << 23), ==, cpu == 1 ? 1u << 23 : 0);
	fix_lapic_w(&f, 0, 0x310, 0xFF000000);  /* cluster broadcast */
	fix_lapic_w(&f, 0, 0x300, 0x00000838);
	for (unsigned cpu = 0; cpu < 4; cpu++)
		g_assert_cmphex(fix_lapic_r(&f, cpu, 0x210) & (1u << 24), ==, 1u << 24);
	/* lowest priority: the lowest TPR among the destinations */
	fix_lapic_w(&f, 0, 0x80, 0x30);
	fix_lapic_w(&f, 1, 0x80, 0x20);
	fix_lapic_w(&f, 2, 0x80, 0x10);
	fix_lapic_w(&f, 3, 0x80, 0x40);
	fix_lapic_w(&f, 0, 0x300, 0x00080139);  /* all incl. self, lowest priority */
	for (unsigned cpu = 0; cpu < 4; cpu++)
		g_assert_cmphex(fix_lapic_r(&f, cpu, 0x210) & (1u << 25), ==, cpu == 2 ? 1u << 25 : 0);
	/* NMI IPI */
	fix_lapic_w(&f, 0, 0x310, 0x03000000);
	fix_lapic_w(&f, 0, 0x300, 0x00000400);
	g_assert_true(intc_nmi_pending(f.ic, 3));
	g_assert_false(intc_nmi_pending(f.ic, 0));
	/* SMI: dropped; no destination: nothing */
	fix_lapic_w(&f, 0, 0x300, 0x00000200);
	fix_lapic_w(&f, 0, 0x310, 0x09000000);
	fix_lapic_w(&f, 0, 0x300, 0x0000003A);
	fix_teardown(&f);
}

static void test_timer_oneshot(void)
{
	struct fixture f;
	fix_setup(&f, 1);
	enable(&f, 0);
	fix_go(&f, 5000);
	fix_lapic_w(&f, 0, 0x3E0, 0xB);  /* divide by 1 */
	fix_lapic_w(&f, 0, 0x320, 0x20);
	uint64_t t0 = vclock_now(&f.vc);
	fix_lapic_w(&f, 0, 0x380, 1000);
	g_assert_cmphex(fix_lapic_r(&f, 0, 0x380), ==, 1000);
	fix_go(&f, t0 + 250);
	g_assert_cmpuint(fix_lapic_r(&f, 0, 0x390), ==, 750);
	fix_go(&f, t0 + 999);
	g_assert_false(intc_irq_pending(f.ic, 0));
	fix_go(&f, t0 + 1000);
	g_assert_true(intc_irq_pending(f.ic, 0));
	g_assert_cmpint(intc_irq_ack(f.ic, 0), ==, 0x20);
	fix_lapic_w(&f, 0, 0xB0, 0);
	g_assert_cmpuint(fix_lapic_r(&f, 0, 0x390), ==, 0);
	fix_go(&f, t0 + 100000);
	g_assert_false(intc_irq_pending(f.ic, 0));
	/* every divide encoding: (bits 3,1:0) -> 2,4,8,16,32,64,128,1 */
	static const uint32_t enc[8] = { 0x0, 0x1, 0x2, 0x3, 0x8, 0x9, 0xA, 0xB };
	static const unsigned div[8] = { 2, 4, 8, 16, 32, 64, 128, 1 };
	for (unsigned i = 0; i < 8; i++) {
		fix_lapic_w(&f, 0, 0x3E0, enc[i]);
		t0 = vclock_now(&f.vc);
		fix_lapic_w(&f, 0, 0x380, 100);
		fix_go(&f, t0 + 10 * div[i]);
		g_assert_cmpuint(fix_lapic_r(&f, 0, 0x390), ==, 90);
		fix_go(&f, t0 + 100 * div[i] - 1);
		g_assert_false(intc_irq_pending(f.ic, 0));
		fix_go(&f, t0 + 100 * div[i]);
		g_assert_cmpint(intc_irq_ack(f.ic, 0), ==, 0x20);
		fix_lapic_w(&f, 0, 0xB0, 0);
	}
	/* changing the divider mid-count: the rest runs at the new rate */
	fix_lapic_w(&f, 0, 0x3E0, 0xB);
	t0 = vclock_now(&f.vc);
	fix_lapic_w(&f, 0, 0x380, 1000);
	fix_go(&f, t0 + 400);
	fix_lapic_w(&f, 0, 0x3E0, 0x0);  /* divide by 2: 600 left = 1200 ns */
	g_assert_cmpuint(fix_lapic_r(&f, 0, 0x390), ==, 600);
	fix_go(&f, t0 + 400 + 1199);
	g_assert_false(intc_irq_pending(f.ic, 0));
	fix_go(&f, t0 + 400 + 1200);
	g_assert_cmpint(intc_irq_ack(f.ic, 0), ==, 0x20);
	fix_lapic_w(&f, 0, 0xB0, 0);
	/* writing 0 stops it */
	fix_lapic_w(&f, 0, 0x3E0, 0xB);
	t0 = vclock_now(&f.vc);
	fix_lapic_w(&f, 0, 0x380, 1000);
	fix_lapic_w(&f, 0, 0x380, 0);
	fix_go(&f, t0 + 5000);
	g_assert_false(intc_irq_pending(f.ic, 0));
	/* masked: counts, no interrupt */
	fix_lapic_w(&f, 0, 0x320, 0x10020);
	t0 = vclock_now(&f.vc);
	fix_lapic_w(&f, 0, 0x380, 1000);
	fix_go(&f, t0 + 500);
	g_assert_cmpuint(fix_lapic_r(&f, 0, 0x390), ==, 500);
	fix_go(&f, t0 + 1000);
	g_assert_false(intc_irq_pending(f.ic, 0));
	fix_teardown(&f);
}

static void test_timer_periodic(void)
{
	struct fixture f;
	fix_setup(&f, 1);
	enable(&f, 0);
	fix_lapic_w(&f, 0, 0x3E0, 0xB);
	fix_lapic_w(&f, 0, 0x320, 0x20021);
	uint64_t t0 = vclock_now(&f.vc);
	fix_lapic_w(&f, 0, 0x380, 50000);
	for (unsigned k = 1; k <= 4; k++) {
		fix_go(&f, t0 + k * 50000 - 1);
		g_assert_false(intc_irq_pending(f.ic, 0));
		g_assert_cmpuint(fix_lapic_r(&f, 0, 0x390), ==, 1);
		fix_go(&f, t0 + k * 50000);
		g_assert_cmpint(intc_irq_ack(f.ic, 0), ==, 0x21);
		fix_lapic_w(&f, 0, 0xB0, 0);
		g_assert_cmpuint(fix_lapic_r(&f, 0, 0x390), ==, 50000);
	}
	fix_go(&f, t0 + 4 * 50000 + 12345);
	g_assert_cmpuint(fix_lapic_r(&f, 0, 0x390), ==, 50000 - 12345);
	/* switching to one-shot keeps the count running, stops reloading */
	fix_lapic_w(&f, 0, 0x320, 0x00021);
	fix_go(&f, t0 + 5 * 50000);
	g_assert_cmpint(intc_irq_ack(f.ic, 0), ==, 0x21);
	fix_lapic_w(&f, 0, 0xB0, 0);
	fix_go(&f, t0 + 7 * 50000);
	g_assert_false(intc_irq_pending(f.ic, 0));
	/* a tiny periodic count is clamped */
	fix_lapic_w(&f, 0, 0x320, 0x20021);
	t0 = vclock_now(&f.vc);
	fix_lapic_w(&f, 0, 0x380, 1);
	unsigned fired = 0;
	for (uint64_t t = 1; t <= 1000000; t += 500) {
		fix_go(&f, t0 + t);
		if (intc_irq_pending(f.ic, 0)) {
			fired++;
			intc_irq_ack(f.ic, 0);
			fix_lapic_w(&f, 0, 0xB0, 0);
		}
	}
	g_assert_cmpuint(fired, <=, 1000000 / LAPIC_MIN_PERIOD_NS + 1);
	g_assert_cmpuint(fired, >=, 10);
	fix_teardown(&f);
}

static void test_timer_tsc_deadline(void)
{
	struct fixture f;
	fix_setup(&f, 2);
	enable(&f, 1);
	uint64_t v;
	/* not in deadline mode: the MSR reads 0 and ignores writes */
	v = 12345;
	g_assert_true(intc_lapic_msr(f.ic, 1, 0x6E0, &v, true));
	g_assert_true(intc_lapic_msr(f.ic, 1, 0x6E0, &v, false));
	g_assert_cmpuint(v, ==, 0);
	fix_lapic_w(&f, 1, 0x320, 0x400EC);
	fix_go(&f, 100000);
	v = 130000;
	g_assert_true(intc_lapic_msr(f.ic, 1, 0x6E0, &v, true));
	v = 0;
	g_assert_true(intc_lapic_msr(f.ic, 1, 0x6E0, &v, false));
	g_assert_cmpuint(v, ==, 130000);
	fix_lapic_w(&f, 1, 0x380, 10);  /* ignored in deadline mode */
	g_assert_cmpuint(fix_lapic_r(&f, 1, 0x380), ==, 0);
	g_assert_cmpuint(fix_lapic_r(&f, 1, 0x390), ==, 0);
	fix_go(&f, 129999);
	g_assert_false(intc_irq_pending(f.ic, 1));
	fix_go(&f, 130000);
	g_assert_true(intc_irq_pending(f.ic, 1));
	g_assert_false(intc_irq_pending(f.ic, 0));
	g_assert_cmpint(intc_irq_ack(f.ic, 1), ==, 0xEC);
	fix_lapic_w(&f, 1, 0xB0, 0);
	g_assert_true(intc_lapic_msr(f.ic, 1, 0x6E0, &v, false));
	g_assert_cmpuint(v, ==, 0);  /* cleared when it fires */
	/* writing 0 disarms */
	v = 150000;
	intc_lapic_msr(f.ic, 1, 0x6E0, &v, true);
	v = 0;
	intc_lapic_msr(f.ic, 1, 0x6E0, &v, true);
	fix_go(&f, 200000);
	g_assert_false(intc_irq_pending(f.ic, 1));
	/* a deadline in the past fires at once */
	v = 1000;
	intc_lapic_msr(f.ic, 1, 0x6E0, &v, true);
	vclock_run_expired(&f.vc);
	g_assert_cmpint(intc_irq_ack(f.ic, 1), ==, 0xEC);
	fix_lapic_w(&f, 1, 0xB0, 0);
	/* leaving deadline mode disarms */
	v = 250000;
	intc_lapic_msr(f.ic, 1, 0x6E0, &v, true);
	fix_lapic_w(&f, 1, 0x320, 0x000EC);
	fix_go(&f, 300000);
	g_assert_false(intc_irq_pending(f.ic, 1));
	fix_lapic_w(&f, 1, 0x320, 0x400EC);
	g_assert_true(intc_lapic_msr(f.ic, 1, 0x6E0, &v, false));
	g_assert_cmpuint(v, ==, 0);
	fix_teardown(&f);
}

/* Several CPUs' timers at once: each fires at its own time. */
static void test_timer_several_cpus(void)
{
	struct fixture f;
	fix_setup(&f, 3);
	static const uint32_t counts[3] = { 30000, 10000, 20000 };
	uint64_t t0 = vclock_now(&f.vc);
	for (unsigned cpu = 0; cpu < 3; cpu++) {
		enable(&f, cpu);
		fix_lapic_w(&f, cpu, 0x3E0, 0xB);
		fix_lapic_w(&f, cpu, 0x320, cpu == 2 ? 0x20040 : 0x40);
		fix_lapic_w(&f, cpu, 0x380, counts[cpu]);
	}
	g_assert_cmpuint(vclock_next_deadline(&f.vc), ==, t0 + 10000);
	unsigned fired[3] = { 0 };
	uint64_t when[3][4];
	for (uint64_t t = t0 + 1000; t <= t0 + 60000; t += 1000) {
		fix_go(&f, t);
		for (unsigned cpu = 0; cpu < 3; cpu++) {
			if (!intc_irq_pending(f.ic, cpu))
				continue;
			g_assert_cmpint(intc_irq_ack(f.ic, cpu), ==, 0x40);
			fix_lapic_w(&f, cpu, 0xB0, 0);
			if (fired[cpu] < 4)
				when[cpu][fired[cpu]] = t;
			fired[cpu]++;
		}
	}
	g_assert_cmpuint(fired[0], ==, 1);
	g_assert_cmpuint(when[0][0], ==, t0 + 30000);
	g_assert_cmpuint(fired[1], ==, 1);
	g_assert_cmpuint(when[1][0], ==, t0 + 10000);
	g_assert_cmpuint(fired[2], ==, 3);
	g_assert_cmpuint(when[2][2], ==, t0 + 60000);
	/* stopping the periodic one leaves nothing armed */
	fix_lapic_w(&f, 2, 0x380, 0);
	g_assert_cmpuint(vclock_next_deadline(&f.vc), ==, VCLOCK_NEVER);
	fix_teardown(&f);
}

/* The LINT pins and EOI broadcast, on a LAPIC alone. */
struct lone {
	unsigned notifies, eois;
	uint8_t eoi_vector;
};

static void lone_notify(void *o, unsigned cpu) { (void)cpu; ((struct lone *)o)->notifies++; }
static void lone_eoi(void *o, uint8_t v) { ((struct lone *)o)->eois++; ((struct lone *)o)->eoi_vector = v; }

static void test_lint_and_eoi_broadcast(void)
{
	struct vclock vc;
	vclock_init(&vc, VCLOCK_DETERMINISTIC);
	struct lone rec = { 0 };
	static const struct lapic_ops ops = { .notify = lone_notify, .eoi = lone_eoi };
	struct lapic l;
	lapic_init(&l, 0, &vc, &ops, &rec);
	uint32_t v = 0x1FF;
	lapic_mmio(&l, 0xF0, &v, 4, true);
	v = 0x400;  /* LINT1: NMI */
	lapic_mmio(&l, 0x360, &v, 4, true);
	lapic_set_lint(&l, 1, true);
	g_assert_true(l.nmi_pending);
	l.nmi_pending = false;
	lapic_set_lint(&l, 1, true);  /* no new edge */
	g_assert_false(l.nmi_pending);
	lapic_set_lint(&l, 1, false);
	v = 0x10400;  /* masked */
	lapic_mmio(&l, 0x360, &v, 4, true);
	lapic_set_lint(&l, 1, true);
	g_assert_false(l.nmi_pending);
	/* LINT0 fixed, level-triggered: a vector with TMR */
	v = 0x8033;
	lapic_mmio(&l, 0x350, &v, 4, true);
	lapic_set_lint(&l, 0, true);
	g_assert_cmpint(lapic_ack(&l), ==, 0x33);
	g_assert_true(l.tmr[1] & (1u << (0x33 - 32)));
	unsigned n = rec.notifies;
	v = 0;
	lapic_mmio(&l, 0xB0, &v, 4, true);
	g_assert_cmpuint(rec.eois, ==, 1);
	g_assert_cmpuint(rec.eoi_vector, ==, 0x33);
	g_assert_cmpuint(rec.notifies, >, n);
	/* edge vectors do not broadcast */
	struct apic_msg m = { .vector = 0x44, .delivery = APIC_DM_FIXED };
	g_assert_true(lapic_accept(&l, &m));
	g_assert_cmpint(lapic_ack(&l), ==, 0x44);
	lapic_mmio(&l, 0xB0, &v, 4, true);
	g_assert_cmpuint(rec.eois, ==, 1);
	/* reserved delivery mode 3: refused */
	m.delivery = 3;
	g_assert_false(lapic_accept(&l, &m));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/lapic/reset-values", test_reset_values);
	g_test_add_func("/lapic/register-masks", test_register_masks);
	g_test_add_func("/lapic/esr", test_esr);
	g_test_add_func("/lapic/priority", test_priority);
	g_test_add_func("/lapic/ipis", test_ipis);
	g_test_add_func("/lapic/timer-oneshot", test_timer_oneshot);
	g_test_add_func("/lapic/timer-periodic", test_timer_periodic);
	g_test_add_func("/lapic/timer-tsc-deadline", test_timer_tsc_deadline);
	g_test_add_func("/lapic/timer-several-cpus", test_timer_several_cpus);
	g_test_add_func("/lapic/lint-and-eoi-broadcast", test_lint_and_eoi_broadcast);
	return g_test_run();
}
