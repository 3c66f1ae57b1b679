#include "hw/pc_devices.h"

#include "vmm/layout.h"

#include "devtest.h"

struct host {
	unsigned notifies, resets, stops;
	int status;
	bool debug_exit;
};

static void h_notify(void *opaque, unsigned cpu) { (void)cpu; ((struct host *)opaque)->notifies++; }
static void h_init(void *opaque, unsigned cpu) { (void)opaque; (void)cpu; }
static void h_sipi(void *opaque, unsigned cpu, uint8_t v) { (void)opaque; (void)cpu; (void)v; }
static void h_reset(void *opaque) { ((struct host *)opaque)->resets++; }

static void h_stop(void *opaque, int status, bool debug_exit)
{
	struct host *h = opaque;
	h->stops++;
	h->status = status;
	h->debug_exit = debug_exit;
}

static void serial_out(void *opaque, const uint8_t *buf, size_t len)
{
	g_byte_array_append(opaque, buf, (guint)len);
}

struct fixture {
	struct host h;
	struct bus pio, mmio;
	struct irq_router irq;
	struct vclock clock;
	struct guest_mem mem;
	GByteArray *out;
	struct uart_backend be;
	struct pc_devices *pc;
};

static void setup_with(struct fixture *f, unsigned ncpus, bool kernel_irqchip)
{
	memset(f, 0, sizeof(*f));
	bus_init(&f->pio, "pio");
	bus_init(&f->mmio, "mmio");
	vclock_init(&f->clock, VCLOCK_DETERMINISTIC);
	g_assert_true(guest_mem_init(&f->mem, 64 * MiB, NULL));
	f->out = g_byte_array_new();
	f->be = (struct uart_backend){ f->out, serial_out };
	struct pc_devices_params p = {
		.pio = &f->pio, .mmio = &f->mmio, .irq = &f->irq, .clock = &f->clock,
		.mem = &f->mem, .ncpus = ncpus, .serial = &f->be,
		.host = { &f->h, h_notify, h_init, h_sipi, h_reset, h_stop },
		.kernel_irqchip = kernel_irqchip,
	};
	g_autoptr(GError) err = NULL;
	f->pc = pc_devices_create(&p, &err);
	g_assert_no_error(err);
	g_assert_nonnull(f->pc);
}

static void setup(struct fixture *f, unsigned ncpus)
{
	setup_with(f, ncpus, false);
}

static void teardown(struct fixture *f)
{
	pc_devices_destroy(f->pc);
	bus_destroy(&f->pio);
	bus_destroy(&f->mmio);
	guest_mem_destroy(&f->mem);
	g_byte_array_unref(f->out);
}

static void test_everything_registered(void)
{
	struct fixture f;
	setup(&f, 2);
	static const uint16_t ports[] = {
		0x20, 0x21, 0xA0, 0xA1, 0x4D0, 0x4D1,      /* PICs, ELCR */
		0x40, 0x43, 0x61,                          /* PIT, port B */
		0x3F8, 0x3FF,                              /* COM1 */
		0x70, 0x71,                                /* RTC */
		0x60, 0x64,                                /* i8042 */
		0x80, 0xF4,                                /* POST, debug exit */
		0x600, 0x608, 0x60F,                       /* ACPI PM */
		0xCF8, 0xCF9, 0xCFC, 0xCFF,                /* PCI conf1 (+ reset control) */
	};
	for (size_t i = 0; i < G_N_ELEMENTS(ports); i++)
		g_assert_nonnull(bus_find(&f.pio, ports[i]));
	g_assert_null(bus_find(&f.pio, 0x2F8));        /* no COM2 */
	g_assert_nonnull(bus_find(&f.mmio, LAYOUT_IOAPIC_BASE));
	g_assert_nonnull(bus_find(&f.mmio, LAYOUT_LAPIC_BASE));
	/* Ranges never overlap (bus_register refuses it): check neighbours. */
	for (size_t i = 1; i < f.pio.n; i++)
		g_assert_cmpuint(f.pio.ranges[i - 1].base + f.pio.ranges[i - 1].len, <=, f.pio.ranges[i].base);
	/* The router now feeds the interrupt controllers. */
	g_assert_nonnull(f.irq.set);
	g_assert_nonnull(f.irq.msi);
	g_assert_nonnull(pc_pci(f.pc));
	teardown(&f);
}

/* Every device timer fits on the clock even with the most CPUs, and all of
 * them are off it once the devices are gone. */
static void test_timers(void)
{
	struct fixture f;
	setup(&f, 64);
	g_assert_cmpuint(f.clock.ntimers, >, 64);
	g_assert_cmpuint(f.clock.ntimers, <, VCLOCK_MAX_TIMERS);
	outb(&f.pio, 0x70, 0x0B);
	outb(&f.pio, 0x71, 0x42);   /* RTC periodic interrupt on */
	g_assert_cmpuint(vclock_next_deadline(&f.clock), !=, VCLOCK_NEVER);
	teardown(&f);
	g_assert_cmpuint(f.clock.ntimers, ==, 0);
	vclock_run_expired(&f.clock);
}

/* kvm's in-kernel irqchip: no PIC/IOAPIC/LAPIC/PIT here, router untouched. */
static void test_kernel_irqchip(void)
{
	struct fixture f;
	setup_with(&f, 4, true);
	g_assert_null(bus_find(&f.pio, 0x20));
	g_assert_null(bus_find(&f.pio, 0x40));
	g_assert_null(bus_find(&f.pio, 0x61));
	g_assert_null(bus_find(&f.mmio, LAYOUT_IOAPIC_BASE));
	g_assert_nonnull(bus_find(&f.pio, 0x3F8));
	g_assert_nonnull(bus_find(&f.pio, 0xCFC));
	g_assert_null(f.irq.set);
	g_assert_false(pc_irq_pending(f.pc, 0));
	g_assert_cmpint(pc_irq_ack(f.pc, 0), ==, -1);
	g_assert_false(pc_nmi_pending(f.pc, 0));
	uint64_t v = 0;
	g_assert_false(pc_lapic_msr(f.pc, 0, 0x1B, &v, false));
	/* Lines still carry their level for the engine to pick up. */
	outb(&f.pio, 0x3FC, 0x08);
	outb(&f.pio, 0x3F9, 0x02);
	g_assert_true(f.irq.level & (1u << IRQ_COM1));
	pc_devices_reset(f.pc);
	teardown(&f);
}

static void test_bad_cpu_count(void)
{
	struct fixture f;
	memset(&f, 0, sizeof(f));
	bus_init(&f.pio, "pio");
	bus_init(&f.mmio, "mmio");
	vclock_init(&f.clock, VCLOCK_DETERMINISTIC);
	struct pc_devices_params p = { .pio = &f.pio, .mmio = &f.mmio, .irq = &f.irq, .clock = &f.clock, .ncpus = 0 };
	g_autoptr(GError) err = NULL;
	g_assert_null(pc_devices_create(&p, &err));
	g_assert_nonnull(err);
	g_assert_nonnull(strstr(err->message, "CPUs"));
	bus_destroy(&f.pio);
	bus_destroy(&f.mmio);
}

static void test_serial_and_interrupts(void)
{
	struct fixture f;
	setup(&f, 1);
	/* Output reaches the backend. */
	outb(&f.pio, 0x3F8, 'O');
	outb(&f.pio, 0x3F8, 'K');
	g_assert_cmpuint(f.out->len, ==, 2);
	g_assert_cmpmem(f.out->data, 2, "OK", 2);
	/* The PIC as Linux programs it (vectors 0x30/0x38), IRQ 4 from COM1. */
	static const uint8_t init[][2] = {
		{ 0x20, 0x11 }, { 0x21, 0x30 }, { 0x21, 0x04 }, { 0x21, 0x01 },
		{ 0xA0, 0x11 }, { 0xA1, 0x38 }, { 0xA1, 0x02 }, { 0xA1, 0x01 },
		{ 0x21, 0x00 }, { 0xA1, 0x00 },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(init); i++)
		outb(&f.pio, init[i][0], init[i][1]);
	g_assert_false(pc_irq_pending(f.pc, 0));
	outb(&f.pio, 0x3FC, 0x08);  /* OUT2 */
	outb(&f.pio, 0x3F9, 0x01);  /* RX interrupt */
	g_assert_cmpuint(pc_serial_rx_space(f.pc), ==, UART_RX_BUF);
	g_assert_cmpuint(pc_serial_receive(f.pc, (const uint8_t *)"x", 1), ==, 1);
	g_assert_true(pc_irq_pending(f.pc, 0));
	g_assert_cmpuint(f.h.notifies, >, 0);
	g_assert_cmpint(pc_irq_ack(f.pc, 0), ==, 0x34);
	g_assert_cmpuint(inb(&f.pio, 0x3F8), ==, 'x');
	outb(&f.pio, 0x20, 0x20);
	g_assert_false(pc_irq_pending(f.pc, 0));
	g_assert_false(pc_nmi_pending(f.pc, 0));
	/* The LAPIC's base MSR is reachable. */
	uint64_t base = 0;
	g_assert_true(pc_lapic_msr(f.pc, 0, 0x1B, &base, false));
	g_assert_cmpuint(base & ~0xFFFULL, ==, LAYOUT_LAPIC_BASE);
	/* Power button: the SCI (line 9) goes up once PWRBTN_EN is set. */
	pio_out(&f.pio, 0x602, 0x0100, 2);
	pc_power_button(f.pc);
	g_assert_true(f.irq.level & (1u << IRQ_SCI));
	pio_out(&f.pio, 0x600, 0x0100, 2);
	g_assert_false(f.irq.level & (1u << IRQ_SCI));
	teardown(&f);
}

static void test_stop_and_reset_paths(void)
{
	struct fixture f;
	setup(&f, 1);
	outb(&f.pio, PORT_DEBUG_EXIT, 0x10);
	g_assert_cmpuint(f.h.stops, ==, 1);
	g_assert_cmpint(f.h.status, ==, 0x21);
	g_assert_true(f.h.debug_exit);
	pio_out(&f.pio, 0x604, 0x0001 | (ACPI_S5_SLP_TYP << 10) | 0x2000, 2);  /* S5 */
	g_assert_cmpuint(f.h.stops, ==, 2);
	g_assert_cmpint(f.h.status, ==, 0);
	g_assert_false(f.h.debug_exit);
	outb(&f.pio, PORT_KBD_CMD, 0xFE);
	g_assert_cmpuint(f.h.resets, ==, 1);
	outb(&f.pio, PORT_RESET, 0x06);   /* through the PCI host's address dword */
	g_assert_cmpuint(f.h.resets, ==, 2);
	g_assert_cmpuint(inb(&f.pio, PORT_RESET), ==, 0x06);
	/* PCI still sees its 32-bit address register. */
	pio_out(&f.pio, 0xCF8, 0x80000000, 4);
	g_assert_cmpuint(pio_in(&f.pio, 0xCF8, 4), ==, 0x80000000);
	g_assert_cmpuint(pio_in(&f.pio, 0xCFC, 4), ==, 0x12378086);
	/* CMOS memory size: 63 MiB above 1 MiB, 48 MiB above 16 MiB. */
	outb(&f.pio, 0x70, 0x30);
	unsigned ext = inb(&f.pio, 0x71);
	outb(&f.pio, 0x70, 0x31);
	ext |= (unsigned)inb(&f.pio, 0x71) << 8;
	g_assert_cmpuint(ext, ==, 63 * 1024);
	/* Reset: devices back to power-on state. */
	outb(&f.pio, 0x3FB, 0x83);
	outb(&f.pio, PORT_POST, 0x55);
	pc_devices_reset(f.pc);
	g_assert_cmpuint(inb(&f.pio, 0x3FB), ==, 0);
	g_assert_cmpuint(inb(&f.pio, PORT_POST), ==, 0);
	g_assert_cmpuint(pio_in(&f.pio, 0xCF8, 4), ==, 0);
	teardown(&f);
}

/* The guest chooses every port, width and value: random accesses around
 * every registered range (and interrupt acknowledges, timer expiries,
 * host input) must never crash or touch memory out of bounds. */
static void test_hostile_accesses(void)
{
	struct fixture f;
	setup(&f, 2);
	GRand *rng = g_rand_new_with_seed(12345);
	static const unsigned widths[] = { 1, 2, 4 };
	for (unsigned i = 0; i < 200000; i++) {
		bool mmio = g_rand_int_range(rng, 0, 8) == 0;
		struct bus *b = mmio ? &f.mmio : &f.pio;
		const struct bus_range *r = &b->ranges[g_rand_int_range(rng, 0, (gint32)b->n)];
		uint64_t addr = r->base + (uint64_t)g_rand_int_range(rng, -2, (gint32)r->len + 2);
		unsigned len = widths[g_rand_int_range(rng, 0, 3)];
		uint32_t v = g_rand_int(rng);
		bool write = g_rand_boolean(rng);
		/* Aim config cycles at real devices often enough. */
		if (!mmio && r->base == 0xCF8 && write && g_rand_boolean(rng)) {
			pio_out(&f.pio, 0xCF8, 0x80000000u | (v & 0x0000FFFC), 4);
			continue;
		}
		bus_access(b, addr, &v, len, write, g_rand_int_range(rng, 0, 2));
		if (i % 64 == 0) {
			vclock_warp_to(&f.clock, vclock_now(&f.clock) + g_rand_int_range(rng, 0, 2000000));
			vclock_run_expired(&f.clock);
			unsigned cpu = g_rand_int_range(rng, 0, 2);
			if (pc_irq_pending(f.pc, cpu))
				pc_irq_ack(f.pc, cpu);
			pc_nmi_pending(f.pc, cpu);
			uint8_t in[8] = { 0 };
			pc_serial_receive(f.pc, in, sizeof(in));
		}
		if (i % 50000 == 0)
			pc_devices_reset(f.pc);
	}
	g_rand_free(rng);
	teardown(&f);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/pc-devices/everything-registered", test_everything_registered);
	g_test_add_func("/pc-devices/timers", test_timers);
	g_test_add_func("/pc-devices/kernel-irqchip", test_kernel_irqchip);
	g_test_add_func("/pc-devices/bad-cpu-count", test_bad_cpu_count);
	g_test_add_func("/pc-devices/serial-and-interrupts", test_serial_and_interrupts);
	g_test_add_func("/pc-devices/stop-and-reset", test_stop_and_reset_paths);
	g_test_add_func("/pc-devices/hostile-accesses", test_hostile_accesses);
	return g_test_run();
}
