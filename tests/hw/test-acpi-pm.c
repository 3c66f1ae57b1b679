#include "hw/acpi_pm.h"

#include "vmm/layout.h"

#include "devtest.h"

#define STS (PORT_ACPI_PM + 0)
#define EN  (PORT_ACPI_PM + 2)
#define CNT (PORT_ACPI_PM + 4)
#define TMR (PORT_ACPI_PM + 8)
#define SLP_EN 0x2000

struct fixture {
	struct irqlog irq;
	struct bus pio;
	struct vclock clock;
	struct acpi_pm *pm;
	unsigned poweroffs;
};

static void on_poweroff(void *opaque)
{
	((struct fixture *)opaque)->poweroffs++;
}

static void setup(struct fixture *f)
{
	irqlog_init(&f->irq);
	bus_init(&f->pio, "pio");
	vclock_init(&f->clock, VCLOCK_DETERMINISTIC);
	f->poweroffs = 0;
	f->pm = acpi_pm_create(&f->clock, irqlog_line(&f->irq, IRQ_SCI), on_poweroff, f);
	g_assert_true(acpi_pm_register(f->pm, &f->pio, NULL));
}

static void teardown(struct fixture *f)
{
	acpi_pm_destroy(f->pm);
	bus_destroy(&f->pio);
}

static void test_reset_state(void)
{
	struct fixture f;
	setup(&f);
	g_assert_cmpuint(pio_in(&f.pio, STS, 2), ==, 0);
	g_assert_cmpuint(pio_in(&f.pio, EN, 2), ==, 0);
	g_assert_cmpuint(pio_in(&f.pio, CNT, 2), ==, 0x0001);  /* SCI_EN */
	g_assert_cmpuint(pio_in(&f.pio, PORT_ACPI_PM + 12, 4), ==, 0);
	g_assert_false(f.irq.level[IRQ_SCI]);
	g_assert_cmpuint(vclock_next_deadline(&f.clock), ==, VCLOCK_NEVER);
	teardown(&f);
}

static void test_s5_poweroff(void)
{
	struct fixture f;
	setup(&f);
	/* ACPICA writes SLP_TYP first, then SLP_TYP | SLP_EN. */
	pio_out(&f.pio, CNT, 0x0001 | (ACPI_S5_SLP_TYP << 10), 2);
	g_assert_cmpuint(f.poweroffs, ==, 0);
	pio_out(&f.pio, CNT, 0x0001 | (ACPI_S5_SLP_TYP << 10) | SLP_EN, 2);
	g_assert_cmpuint(f.poweroffs, ==, 1);
	g_assert_cmpuint(pio_in(&f.pio, CNT, 2) & SLP_EN, ==, 0);  /* write-only */
	/* Another sleep type: no power-off, WAK_STS set at once. */
	unsigned other = (ACPI_S5_SLP_TYP + 1) & 7;
	pio_out(&f.pio, CNT, 0x0001 | (other << 10) | SLP_EN, 2);
	g_assert_cmpuint(f.poweroffs, ==, 1);
	g_assert_cmpuint(pio_in(&f.pio, STS, 2), ==, 0x8000);
	pio_out(&f.pio, STS, 0x8000, 2);  /* write 1 to clear */
	g_assert_cmpuint(pio_in(&f.pio, STS, 2), ==, 0);
	g_assert_cmpuint(pio_in(&f.pio, CNT, 2), ==, 0x0001 | (other << 10));
	/* Byte-wide: SLP_TYP and SLP_EN both live in the high byte. */
	outb(&f.pio, CNT + 1, (uint8_t)(((ACPI_S5_SLP_TYP << 10) | SLP_EN) >> 8));
	g_assert_cmpuint(f.poweroffs, ==, 2);
	teardown(&f);
}

static void test_power_button(void)
{
	struct fixture f;
	setup(&f);
	acpi_pm_power_button(f.pm);                 /* not enabled: status only */
	g_assert_cmpuint(pio_in(&f.pio, STS, 2), ==, 0x0100);
	g_assert_false(f.irq.level[IRQ_SCI]);
	pio_out(&f.pio, EN, 0x0100, 2);             /* PWRBTN_EN */
	g_assert_true(f.irq.level[IRQ_SCI]);
	g_assert_cmpuint(inb(&f.pio, STS + 1), ==, 0x01);
	pio_out(&f.pio, STS, 0x0001, 2);            /* clearing another bit: still high */
	g_assert_true(f.irq.level[IRQ_SCI]);
	pio_out(&f.pio, STS, 0x0100, 2);
	g_assert_false(f.irq.level[IRQ_SCI]);
	acpi_pm_power_button(f.pm);
	g_assert_true(f.irq.level[IRQ_SCI]);
	g_assert_cmpuint(f.irq.edges[IRQ_SCI], ==, 2);
	/* SCI_EN clear: no SCI. */
	pio_out(&f.pio, CNT, 0, 2);
	g_assert_false(f.irq.level[IRQ_SCI]);
	pio_out(&f.pio, CNT, 1, 2);
	g_assert_true(f.irq.level[IRQ_SCI]);
	/* EN and STS in one 32-bit access. */
	pio_out(&f.pio, STS, 0x00000100, 4);        /* clears STS, EN = 0 */
	g_assert_cmpuint(pio_in(&f.pio, STS, 4), ==, 0);
	g_assert_false(f.irq.level[IRQ_SCI]);
	acpi_pm_reset(f.pm);
	g_assert_cmpuint(pio_in(&f.pio, CNT, 2), ==, 1);
	teardown(&f);
}

static void test_pm_timer(void)
{
	struct fixture f;
	setup(&f);
	g_assert_cmpuint(pio_in(&f.pio, TMR, 4), ==, 0);
	vclock_warp_to(&f.clock, 1000000000);
	g_assert_cmpuint(pio_in(&f.pio, TMR, 4), ==, 3579545);
	vclock_warp_to(&f.clock, 10000000000ULL);
	g_assert_cmpuint(pio_in(&f.pio, TMR, 4), ==, 35795450 & 0xFFFFFF);  /* 24-bit wrap */
	g_assert_cmpuint(pio_in(&f.pio, TMR, 4) >> 24, ==, 0);
	/* Wrapped past bit 23 meanwhile: TMR_STS. */
	g_assert_cmpuint(pio_in(&f.pio, STS, 2) & 1, ==, 1);
	pio_out(&f.pio, STS, 1, 2);
	/* TMR_EN: an SCI at the next toggle of bit 23. */
	pio_out(&f.pio, EN, 0x0001, 2);
	uint64_t ticks = 35795450;
	uint64_t next = ((ticks >> 23) + 1) << 23;
	uint64_t ns = (next * 1000000000ULL + 3579545 - 1) / 3579545;
	g_assert_cmpuint(vclock_next_deadline(&f.clock), ==, ns);
	vclock_warp_to(&f.clock, ns - 1);
	vclock_run_expired(&f.clock);
	g_assert_false(f.irq.level[IRQ_SCI]);
	vclock_warp_to(&f.clock, ns);
	vclock_run_expired(&f.clock);
	g_assert_true(f.irq.level[IRQ_SCI]);
	g_assert_cmpuint(pio_in(&f.pio, TMR, 4), ==, next & 0xFFFFFF);
	pio_out(&f.pio, STS, 1, 2);
	g_assert_false(f.irq.level[IRQ_SCI]);
	teardown(&f);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/acpi-pm/reset-state", test_reset_state);
	g_test_add_func("/acpi-pm/s5-poweroff", test_s5_poweroff);
	g_test_add_func("/acpi-pm/power-button", test_power_button);
	g_test_add_func("/acpi-pm/pm-timer", test_pm_timer);
	return g_test_run();
}
