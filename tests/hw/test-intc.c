/* The intc complex: line wiring (PIC and IOAPIC pin 2 for line 0), the
 * LINT0 ExtINT and APIC-disabled paths of the 8259, MSI decoding, NMI,
 * the MSRs and hostile accesses. */
#include "intc-fixture.h"

#include "hw/pit.h"
#include "vmm/irq.h"

static void enable_apic(struct fixture *f, unsigned cpu)
{
	fix_lapic_w(f, cpu, 0xF0, 0x1FF);
}

static void test_create_limits(void)
{
	struct vclock vc;
	vclock_init(&vc, VCLOCK_DETERMINISTIC);
	g_assert_null(intc_create(0, &vc, NULL));
	g_assert_null(intc_create(INTC_MAX_CPUS + 1, &vc, NULL));
	struct intc *ic = intc_create(1, &vc, NULL);  /* no host: no callbacks */
	g_assert_nonnull(ic);
	intc_set_irq(ic, 0, true);
	intc_destroy(ic);
}

static void test_line0_reaches_pic_through_lint0(void)
{
	struct fixture f;
	fix_setup(&f, 2);
	/* reset: virtual wire on the BSP, LINT1 = NMI */
	g_assert_cmphex(fix_lapic_r(&f, 0, 0x350), ==, 0x700);
	g_assert_cmphex(fix_lapic_r(&f, 0, 0x360), ==, 0x400);
	g_assert_cmphex(fix_lapic_r(&f, 1, 0x350), ==, 0x10000);
	fix_pic_init(&f);
	g_assert_false(intc_irq_pending(f.ic, 0));
	unsigned n0 = f.notify[0];
	fix_pulse(&f, 0);
	g_assert_cmpuint(f.notify[0], >, n0);
	g_assert_true(intc_irq_pending(f.ic, 0));
	g_assert_false(intc_irq_pending(f.ic, 1));
	g_assert_cmpint(intc_irq_ack(f.ic, 0), ==, 0x30);
	g_assert_false(intc_irq_pending(f.ic, 0));
	fix_outb(&f, 0x20, 0x20);
	/* every ISA line but the cascade reaches its PIC input */
	for (unsigned line = 1; line < 16; line++) {
		if (line == 2)
			continue;
		fix_pulse(&f, line);
		g_assert_true(intc_irq_pending(f.ic, 0));
		g_assert_cmpint(intc_irq_ack(f.ic, 0), ==, (line < 8 ? 0x30 : 0x38) + (line & 7));
		if (line >= 8)
			fix_outb(&f, 0xA0, 0x20);
		fix_outb(&f, 0x20, 0x20);
	}
	/* lines 16-23 do not reach the PIC */
	fix_pulse(&f, 16);
	g_assert_false(intc_irq_pending(f.ic, 0));
	/* LINT0 masked (Linux in IOAPIC mode): the PIC is cut off */
	enable_apic(&f, 0);
	fix_lapic_w(&f, 0, 0x350, 0x10700);
	fix_pulse(&f, 0);
	g_assert_false(intc_irq_pending(f.ic, 0));
	/* unmasking LINT0 in ExtINT mode shows the held request */
	fix_lapic_w(&f, 0, 0x350, 0x700);
	g_assert_true(intc_irq_pending(f.ic, 0));
	g_assert_cmpint(intc_irq_ack(f.ic, 0), ==, 0x30);
	/* ExtINT bypasses the TPR */
	fix_outb(&f, 0x20, 0x20);
	fix_lapic_w(&f, 0, 0x80, 0xF0);
	fix_pulse(&f, 0);
	g_assert_true(intc_irq_pending(f.ic, 0));
	fix_teardown(&f);
}

static void test_line0_reaches_ioapic_pin2(void)
{
	struct fixture f;
	fix_setup(&f, 2);
	fix_pic_init(&f);
	fix_outb(&f, 0x21, 0xFF);
	fix_outb(&f, 0xA1, 0xFF);
	enable_apic(&f, 0);
	enable_apic(&f, 1);
	fix_lapic_w(&f, 0, 0x350, 0x10700);
	fix_redir(&f, 2, 0x30, 0);
	fix_pulse(&f, 0);
	g_assert_true(intc_irq_pending(f.ic, 0));
	g_assert_cmpint(intc_irq_ack(f.ic, 0), ==, 0x30);
	fix_lapic_w(&f, 0, 0xB0, 0);
	/* lines 1-23 reach pin n; pin 0 has no line */
	fix_redir(&f, 0, 0x20, 1);
	for (unsigned line = 1; line < 24; line++) {
		fix_redir(&f, line, 0x40 + line, 1);
		fix_pulse(&f, line);
		g_assert_false(intc_irq_pending(f.ic, 0));
		g_assert_true(intc_irq_pending(f.ic, 1));
		g_assert_cmpint(intc_irq_ack(f.ic, 1), ==, (int)(0x40 + line));
		fix_lapic_w(&f, 1, 0xB0, 0);
		g_assert_false(intc_irq_pending(f.ic, 1));
	}
	intc_set_irq(f.ic, 24, true);  /* no such line */
	intc_set_irq(f.ic, 1000, true);
	g_assert_false(intc_irq_pending(f.ic, 1));
	fix_teardown(&f);
}

/* SCI-style: level, active high, via IOAPIC; remote IRR until EOI. */
static void test_level_line_through_ioapic(void)
{
	struct fixture f;
	fix_setup(&f, 1);
	enable_apic(&f, 0);
	fix_redir(&f, 9, 0x8000 | 0x59, 0);
	intc_set_irq(f.ic, 9, true);
	g_assert_cmpint(intc_irq_ack(f.ic, 0), ==, 0x59);
	g_assert_cmphex(fix_lapic_r(&f, 0, 0x180 + 0x20), ==, 1u << (0x59 - 0x40));  /* TMR */
	g_assert_cmphex(fix_ioapic_r(&f, 0x10 + 18) & (1u << 14), !=, 0);            /* remote IRR */
	g_assert_false(intc_irq_pending(f.ic, 0));
	fix_lapic_w(&f, 0, 0xB0, 0);  /* EOI: broadcast, still asserted: again */
	g_assert_true(intc_irq_pending(f.ic, 0));
	g_assert_cmpint(intc_irq_ack(f.ic, 0), ==, 0x59);
	intc_set_irq(f.ic, 9, false);
	fix_lapic_w(&f, 0, 0xB0, 0);
	g_assert_false(intc_irq_pending(f.ic, 0));
	g_assert_cmphex(fix_ioapic_r(&f, 0x10 + 18) & (1u << 14), ==, 0);
	fix_teardown(&f);
}

/* IOAPIC pin in ExtINT mode (virtual wire through the IOAPIC): the vector
 * comes from the 8259's INTA. */
static void test_ioapic_extint(void)
{
	struct fixture f;
	fix_setup(&f, 2);
	fix_pic_init(&f);
	enable_apic(&f, 0);
	fix_lapic_w(&f, 0, 0x350, 0x10700);  /* LINT0 masked */
	fix_redir(&f, 3, 0x700, 0);
	fix_pulse(&f, 3);
	g_assert_true(intc_irq_pending(f.ic, 0));
	g_assert_cmpint(intc_irq_ack(f.ic, 0), ==, 0x33);
	g_assert_false(intc_irq_pending(f.ic, 0));
	fix_teardown(&f);
}

/* Line 2 has no PIC input (cascade) but shares IOAPIC pin 2 with line 0. */
static void test_line2_shares_pin2(void)
{
	struct fixture f;
	fix_setup(&f, 1);
	enable_apic(&f, 0);
	fix_redir(&f, 2, 0x8032, 0);  /* level, to see the combined input */
	intc_set_irq(f.ic, 0, true);
	g_assert_cmpint(intc_irq_ack(f.ic, 0), ==, 0x32);
	intc_set_irq(f.ic, 2, true);
	intc_set_irq(f.ic, 0, false);
	fix_lapic_w(&f, 0, 0xB0, 0);
	g_assert_true(intc_irq_pending(f.ic, 0));  /* line 2 still holds the pin */
	g_assert_cmpint(intc_irq_ack(f.ic, 0), ==, 0x32);
	intc_set_irq(f.ic, 2, false);
	fix_lapic_w(&f, 0, 0xB0, 0);
	g_assert_false(intc_irq_pending(f.ic, 0));
	fix_teardown(&f);
}

/* Linux's check_timer() fallback: PIC IRQ0 in auto-EOI mode through LINT0. */
static void test_pic_auto_eoi_virtual_wire(void)
{
	struct fixture f;
	fix_setup(&f, 1);
	static const uint8_t seq[][2] = {
		{ 0x21, 0xFF }, { 0x20, 0x11 }, { 0x21, 0x30 }, { 0x21, 0x04 }, { 0x21, 0x03 },
		{ 0xA0, 0x11 }, { 0xA1, 0x38 }, { 0xA1, 0x02 }, { 0xA1, 0x01 }, { 0x21, 0xFA },
	};
	for (unsigned i = 0; i < G_N_ELEMENTS(seq); i++)
		fix_outb(&f, seq[i][0], seq[i][1]);
	enable_apic(&f, 0);
	fix_lapic_w(&f, 0, 0x350, 0x700);
	for (unsigned k = 0; k < 3; k++) {
		fix_pulse(&f, 0);
		g_assert_true(intc_irq_pending(f.ic, 0));
		g_assert_cmpint(intc_irq_ack(f.ic, 0), ==, 0x30);
		g_assert_false(intc_irq_pending(f.ic, 0));
	}
	fix_teardown(&f);
}

/* Runs the "CPU": every `step` ns up to `end`, acknowledges and EOIs what
 * is pending on CPU 0; returns how many times `vector` was taken. */
static unsigned run_cpu0(struct fixture *f, uint64_t end, uint64_t step, int vector)
{
	unsigned n = 0;
	for (uint64_t t = vclock_now(&f->vc) + step; t <= end; t += step) {
		fix_go(f, t);
		for (int guard = 0; guard < 8 && intc_irq_pending(f->ic, 0); guard++) {
			int v = intc_irq_ack(f->ic, 0);
			if (v == vector)
				n++;
			fix_lapic_w(f, 0, 0xB0, 0);
		}
	}
	return n;
}

/* What Linux 6.1 does with ACPI: 8259 masked, LAPIC enabled, PIT IRQ0
 * through IOAPIC pin 2 (check_timer), then the LAPIC TSC-deadline timer
 * takes over and the PIT is shut down. The PIT is wired through a real
 * irq_router as in the machine. */
static void test_linux_timer_sequence(void)
{
	struct fixture f;
	fix_setup(&f, 1);
	struct irq_router router;
	irq_router_init(&router, intc_set_irq, f.ic);
	struct pit *pit = pit_create(&f.vc, (struct irq_line){ &router, 0 });
	g_assert_true(pit_register(pit, &f.pio, NULL));
	fix_pic_init(&f);
	fix_outb(&f, 0x21, 0xFB);
	fix_outb(&f, 0xA1, 0xFF);
	/* setup_local_APIC: LVT0 was unmasked, so the BSP keeps ExtINT */
	g_assert_cmphex(fix_lapic_r(&f, 0, 0x350) & 0x10000, ==, 0);
	fix_lapic_w(&f, 0, 0xF0, 0x1FF);
	fix_lapic_w(&f, 0, 0x350, 0x700);
	fix_lapic_w(&f, 0, 0x360, 0x400);
	fix_lapic_w(&f, 0, 0x370, 0xFE);
	/* PIT periodic at HZ=250, IRQ0 on pin 2 */
	fix_outb(&f, 0x43, 0x34);
	fix_outb(&f, 0x40, 4773 & 0xFF);
	fix_outb(&f, 0x40, 4773 >> 8);
	fix_redir(&f, 2, 0x30, 0);
	uint64_t t0 = vclock_now(&f.vc);
	/* timer_irq_works(): about ten ticks in 40 ms */
	unsigned ticks = run_cpu0(&f, t0 + 40000000, 100000, 0x30);
	g_assert_cmpuint(ticks, >=, 9);
	g_assert_cmpuint(ticks, <=, 10);
	/* clockevents switch to the LAPIC: PIT shut down (mode 0, count 0) */
	fix_outb(&f, 0x43, 0x30);
	fix_outb(&f, 0x40, 0);
	fix_outb(&f, 0x40, 0);
	fix_lapic_w(&f, 0, 0x320, 0x400EC);
	uint64_t now = vclock_now(&f.vc), dl = now + 4000000;
	g_assert_true(intc_lapic_msr(f.ic, 0, 0x6E0, &dl, true));
	unsigned lapic_ticks = run_cpu0(&f, now + 4000000, 50000, 0xEC);
	g_assert_cmpuint(lapic_ticks, ==, 1);
	/* the shut-down PIT fires once more (65536 ticks) and then never */
	ticks = run_cpu0(&f, now + 200000000, 1000000, 0x30);
	g_assert_cmpuint(ticks, ==, 1);
	pit_destroy(pit);
	fix_teardown(&f);
}

/* Random register soup over every port and window of the complex and the
 * PIT, with lines toggling, time passing and interrupts taken: nothing may
 * crash or misbehave (run under ASan/UBSan too), answers stay in range. */
static void test_random_soup(void)
{
	struct fixture f;
	fix_setup(&f, 3);
	struct irq_router router;
	irq_router_init(&router, intc_set_irq, f.ic);
	struct pit *pit = pit_create(&f.vc, (struct irq_line){ &router, 0 });
	g_assert_true(pit_register(pit, &f.pio, NULL));
	GRand *rnd = g_rand_new_with_seed(0x7a4de3);
	unsigned taken = 0, nmis = 0;
	static const uint16_t ports[] = { 0x20, 0x21, 0xA0, 0xA1, 0x4D0, 0x4D1, 0x40, 0x41, 0x42, 0x43, 0x61 };
	for (unsigned i = 0; i < 200000; i++) {
		uint32_t r = g_rand_int(rnd);
		uint64_t val = (uint64_t)g_rand_int(rnd) << 32 | g_rand_int(rnd);
		unsigned len = 1u << g_rand_int_range(rnd, 0, 4);
		unsigned cpu = g_rand_int_range(rnd, 0, 3);
		switch (r % 8) {
		case 0: /* port I/O */
			bus_access(&f.pio, ports[g_rand_int_range(rnd, 0, G_N_ELEMENTS(ports))], &val, 1, r & 8, cpu);
			break;
		case 1: { /* LAPIC, biased to real registers */
			uint64_t off = (r & 16) ? (g_rand_int_range(rnd, 0, 0x40) << 4) : g_rand_int_range(rnd, 0, 0x1000);
			if (off + len <= 0x1000)
				bus_access(&f.mmio, APIC(off), &val, len, r & 8, cpu);
			break;
		}
		case 2: { /* IOAPIC: select a register, then the window */
			uint32_t sel = g_rand_int_range(rnd, 0, 0x40);
			fix_w32(&f, 0, 0xFEC00000, sel);
			bus_access(&f.mmio, 0xFEC00010, &val, 4, r & 8, 0);
			break;
		}
		case 3:
			intc_set_irq(f.ic, g_rand_int_range(rnd, 0, 26), r & 8);
			break;
		case 4:
			intc_msi(f.ic, 0xFEE00000 | (val & 0xFFFFF), (uint32_t)(val >> 32));
			break;
		case 5: { /* the MSRs, including values that #GP */
			uint64_t v = (r & 16) ? val : (0xFEE00000 | (val & 0x900));
			intc_lapic_msr(f.ic, cpu, (r & 32) ? 0x1B : 0x6E0, &v, r & 8);
			break;
		}
		case 6:
			fix_go(&f, vclock_now(&f.vc) + g_rand_int_range(rnd, 0, 20000));
			break;
		default:
			nmis += intc_nmi_pending(f.ic, cpu);
			if (intc_irq_pending(f.ic, cpu)) {
				int v = intc_irq_ack(f.ic, cpu);
				taken++;
				g_assert_cmpint(v, >=, -1);
				g_assert_cmpint(v, <=, 255);
			}
			break;
		}
	}
	g_test_message("%u interrupts and %u NMIs taken", taken, nmis);
	g_assert_cmpuint(taken, >, 100);
	g_rand_free(rnd);
	pit_destroy(pit);
	fix_teardown(&f);
}

static void test_apic_globally_disabled(void)
{
	struct fixture f;
	fix_setup(&f, 2);
	uint64_t v = 0;
	g_assert_true(intc_lapic_msr(f.ic, 0, 0x1B, &v, false));
	g_assert_cmphex(v, ==, 0xFEE00900);
	g_assert_true(intc_lapic_msr(f.ic, 1, 0x1B, &v, false));
	g_assert_cmphex(v, ==, 0xFEE00800);
	fix_pic_init(&f);
	enable_apic(&f, 0);
	fix_lapic_w(&f, 0, 0x350, 0x10000);  /* LINT0 masked */
	fix_lapic_w(&f, 0, 0x80, 0x20);
	fix_pulse(&f, 1);
	g_assert_false(intc_irq_pending(f.ic, 0));
	v = 0xFEE00100;  /* BSP flag is read-only: stays; enable clear */
	g_assert_true(intc_lapic_msr(f.ic, 0, 0x1B, &v, true));
	g_assert_true(intc_lapic_msr(f.ic, 0, 0x1B, &v, false));
	g_assert_cmphex(v, ==, 0xFEE00100);
	/* the INTR pin goes straight to the core */
	g_assert_true(intc_irq_pending(f.ic, 0));
	g_assert_cmpint(intc_irq_ack(f.ic, 0), ==, 0x31);
	g_assert_cmpint(intc_irq_ack(f.ic, 0), ==, -1);
	/* the window is not decoded; IPIs do not reach it */
	g_assert_cmphex(fix_lapic_r(&f, 0, 0x30), ==, 0xFFFFFFFF);
	enable_apic(&f, 1);
	fix_lapic_w(&f, 1, 0x310, 0);
	fix_lapic_w(&f, 1, 0x300, 0x4050);
	g_assert_false(intc_irq_pending(f.ic, 0));
	/* re-enabled: power-up register state */
	v = 0xFEE00800;
	g_assert_true(intc_lapic_msr(f.ic, 0, 0x1B, &v, true));
	g_assert_cmphex(fix_lapic_r(&f, 0, 0xF0), ==, 0xFF);
	g_assert_cmphex(fix_lapic_r(&f, 0, 0x80), ==, 0);
	g_assert_cmphex(fix_lapic_r(&f, 0, 0x350), ==, 0x10000);
	/* reserved bits and x2APIC: #GP; other MSRs are not ours */
	v = 0xFEE00C00;
	g_assert_false(intc_lapic_msr(f.ic, 0, 0x1B, &v, true));
	v = 0xFEE00801;
	g_assert_false(intc_lapic_msr(f.ic, 0, 0x1B, &v, true));
	g_assert_false(intc_lapic_msr(f.ic, 0, 0x10, &v, false));
	g_assert_false(intc_lapic_msr(f.ic, 7, 0x1B, &v, false));
	/* a moved base reads back; the window stays */
	v = 0xFED00800;
	g_assert_true(intc_lapic_msr(f.ic, 1, 0x1B, &v, true));
	g_assert_true(intc_lapic_msr(f.ic, 1, 0x1B, &v, false));
	g_assert_cmphex(v, ==, 0xFED00800);
	g_assert_cmphex(fix_lapic_r(&f, 1, 0x30), ==, 0x00050014);
	fix_teardown(&f);
}

static void test_msi(void)
{
	struct fixture f;
	fix_setup(&f, 4);
	for (unsigned cpu = 0; cpu < 4; cpu++)
		enable_apic(&f, cpu);
	/* physical destination 2 (address bits 19:12), vector 0x45, fixed, edge */
	intc_msi(f.ic, 0xFEE02000, 0x0045);
	g_assert_false(intc_irq_pending(f.ic, 0));
	g_assert_true(intc_irq_pending(f.ic, 2));
	g_assert_cmpint(intc_irq_ack(f.ic, 2), ==, 0x45);
	g_assert_cmphex(fix_lapic_r(&f, 2, 0x180 + 0x20), ==, 0);  /* edge: TMR clear */
	/* logical flat destination (DM bit 2) */
	fix_lapic_w(&f, 1, 0xD0, 0x02000000);
	fix_lapic_w(&f, 3, 0xD0, 0x08000000);
	intc_msi(f.ic, 0xFEE0A004, 0x0066);
	g_assert_true(intc_irq_pending(f.ic, 1));
	g_assert_true(intc_irq_pending(f.ic, 3));
	g_assert_false(intc_irq_pending(f.ic, 0));
	g_assert_cmpint(intc_irq_ack(f.ic, 3), ==, 0x66);
	/* NMI delivery mode */
	intc_msi(f.ic, 0xFEE00000, 0x0400);
	g_assert_true(intc_nmi_pending(f.ic, 0));
	g_assert_false(intc_nmi_pending(f.ic, 0));
	/* level-triggered data sets TMR */
	intc_msi(f.ic, 0xFEE00000, 0xC071);
	g_assert_cmphex(fix_lapic_r(&f, 0, 0x180 + 0x30), ==, 1u << (0x71 - 0x60));
	/* not an interrupt address: dropped */
	intc_msi(f.ic, 0xFED00000, 0x0077);
	intc_msi(f.ic, 0x1FEE00000ull, 0x0077);
	g_assert_cmphex(fix_lapic_r(&f, 0, 0x200 + 0x30), ==, 1u << (0x71 - 0x60));
	/* broadcast */
	intc_msi(f.ic, 0xFEEFF000, 0x0088);
	for (unsigned cpu = 0; cpu < 4; cpu++)
		g_assert_cmphex(fix_lapic_r(&f, cpu, 0x200 + 0x40), ==, 1u << 8);
	fix_teardown(&f);
}

static void test_hostile_accesses(void)
{
	struct fixture f;
	fix_setup(&f, 2);
	uint8_t buf[8];
	for (uint64_t off = 0; off < 0x1000; off += 1) {
		for (unsigned len = 1; len <= 8; len *= 2) {
			if (off + len > 0x1000)
				continue;
			memset(buf, 0, sizeof(buf));
			bus_access(&f.mmio, APIC(off), buf, len, false, off & 1);
			bus_access(&f.mmio, 0xFEC00000 + off, buf, len, false, 0);
			if ((off & 0xF) == 0 && off != 0x300 && off != 0x0B0)
				continue;  /* whole registers are written by the other tests */
			memset(buf, 0xA5, sizeof(buf));
			bus_access(&f.mmio, APIC(off), buf, len, true, off & 1);
			bus_access(&f.mmio, 0xFEC00000 + off, buf, len, true, 0);
		}
	}
	/* the LAPIC window as seen by a CPU that does not exist */
	uint32_t v = 0;
	g_assert_true(bus_access(&f.mmio, APIC(0x30), &v, 4, false, 9));
	g_assert_cmphex(v, ==, 0xFFFFFFFF);
	/* an unaligned read spanning two registers assembles their bytes */
	uint64_t q = 0;
	g_assert_true(bus_access(&f.mmio, APIC(0x2E), &q, 4, false, 0));
	g_assert_cmphex(q, ==, 0x00140000);
	/* a byte write to the ID byte of the IOAPIC ID register */
	fix_w32(&f, 0, 0xFEC00000, 0);
	uint8_t b = 0x05;
	g_assert_true(bus_access(&f.mmio, 0xFEC00013, &b, 1, true, 0));
	g_assert_cmphex(fix_ioapic_r(&f, 0), ==, 0x05000000);
	g_assert_false(intc_irq_pending(f.ic, 5));
	g_assert_cmpint(intc_irq_ack(f.ic, 5), ==, -1);
	g_assert_false(intc_nmi_pending(f.ic, 5));
	fix_teardown(&f);
}

static void test_reset(void)
{
	struct fixture f;
	fix_setup(&f, 2);
	enable_apic(&f, 0);
	fix_redir(&f, 4, 0x44, 0);
	fix_pulse(&f, 4);
	g_assert_true(intc_irq_pending(f.ic, 0));
	intc_reset(f.ic);
	g_assert_false(intc_irq_pending(f.ic, 0));
	g_assert_cmphex(fix_ioapic_r(&f, 0x18), ==, 0x10000);
	g_assert_cmphex(fix_lapic_r(&f, 0, 0xF0), ==, 0xFF);
	g_assert_cmphex(fix_inb(&f, 0x21), ==, 0xFB);
	fix_teardown(&f);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/intc/create-limits", test_create_limits);
	g_test_add_func("/intc/line0-pic-through-lint0", test_line0_reaches_pic_through_lint0);
	g_test_add_func("/intc/line0-ioapic-pin2", test_line0_reaches_ioapic_pin2);
	g_test_add_func("/intc/level-line-through-ioapic", test_level_line_through_ioapic);
	g_test_add_func("/intc/ioapic-extint", test_ioapic_extint);
	g_test_add_func("/intc/line2-shares-pin2", test_line2_shares_pin2);
	g_test_add_func("/intc/pic-auto-eoi-virtual-wire", test_pic_auto_eoi_virtual_wire);
	g_test_add_func("/intc/linux-timer-sequence", test_linux_timer_sequence);
	g_test_add_func("/intc/apic-globally-disabled", test_apic_globally_disabled);
	g_test_add_func("/intc/msi", test_msi);
	g_test_add_func("/intc/hostile-accesses", test_hostile_accesses);
	g_test_add_func("/intc/reset", test_reset);
	g_test_add_func("/intc/random-soup", test_random_soup);
	return g_test_run();
}
