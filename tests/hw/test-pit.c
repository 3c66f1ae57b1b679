/* 8254 PIT: OUT and count of every mode over exact guest time
 * (deterministic vclock), IRQ0 pulses, latch and read-back, the access
 * modes, port 0x61 and the rate clamp. */
#include "hw/pit.h"

#include <glib.h>

struct fixture {
	struct vclock vc;
	struct irq_router router;
	struct bus pio;
	struct pit *pit;
	unsigned edges;          /* rising edges seen on line 0 */
	uint64_t edge_time[64];
};

static void on_irq(void *opaque, unsigned line, bool level)
{
	struct fixture *f = opaque;
	g_assert_cmpuint(line, ==, 0);
	if (level) {
		if (f->edges < G_N_ELEMENTS(f->edge_time))
			f->edge_time[f->edges] = vclock_now(&f->vc);
		f->edges++;
	}
}

static void setup(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	vclock_init(&f->vc, VCLOCK_DETERMINISTIC);
	irq_router_init(&f->router, on_irq, f);
	bus_init(&f->pio, "pio");
	f->pit = pit_create(&f->vc, (struct irq_line){ &f->router, 0 });
	g_assert_true(pit_register(f->pit, &f->pio, NULL));
}

static void teardown(struct fixture *f)
{
	pit_destroy(f->pit);
	bus_destroy(&f->pio);
}

static void outb(struct fixture *f, uint16_t port, uint8_t v)
{
	g_assert_true(bus_access(&f->pio, port, &v, 1, true, 0));
}

static uint8_t inb(struct fixture *f, uint16_t port)
{
	uint8_t v = 0;
	g_assert_true(bus_access(&f->pio, port, &v, 1, false, 0));
	return v;
}

/* Guest ns at which `ticks` PIT clocks have elapsed since t0. */
static uint64_t at_tick(uint64_t t0, uint64_t ticks)
{
	return t0 + (ticks * 1000000000ULL + PIT_FREQ_HZ - 1) / PIT_FREQ_HZ;
}

static void go(struct fixture *f, uint64_t t)
{
	vclock_warp_to(&f->vc, t);
	g_assert_cmpuint(vclock_now(&f->vc), ==, t);
	vclock_run_expired(&f->vc);
}

static bool out2(struct fixture *f)
{
	return inb(f, 0x61) & 0x20;
}

static uint16_t read_count(struct fixture *f, unsigned ch)
{
	uint8_t lo = inb(f, 0x40 + ch);
	return (uint16_t)(lo | inb(f, 0x40 + ch) << 8);
}

static void write_count(struct fixture *f, unsigned ch, uint16_t v)
{
	outb(f, 0x40 + ch, (uint8_t)v);
	outb(f, 0x40 + ch, (uint8_t)(v >> 8));
}

/* Linux pit_calibrate_tsc(): ch2 mode 0, poll OUT2 through port 0x61. */
static void test_mode0_channel2_calibration(void)
{
	struct fixture f;
	setup(&f);
	go(&f, 1000);
	outb(&f, 0x61, (inb(&f, 0x61) & ~0x02) | 0x01);
	g_assert_cmphex(inb(&f, 0x61) & 0x0F, ==, 0x01);
	outb(&f, 0x43, 0xB0);
	g_assert_false(out2(&f));  /* mode 0: OUT low after the control word */
	uint64_t t0 = vclock_now(&f.vc);
	write_count(&f, 2, 11932);
	go(&f, at_tick(t0, 1000));
	g_assert_cmpuint(read_count(&f, 2), ==, 10932);
	g_assert_false(out2(&f));
	go(&f, at_tick(t0, 11932) - 1);
	g_assert_false(out2(&f));
	go(&f, at_tick(t0, 11932));
	g_assert_true(out2(&f));
	go(&f, at_tick(t0, 11932 + 5));
	g_assert_true(out2(&f));  /* stays high; the count wraps on */
	g_assert_cmpuint(read_count(&f, 2), ==, 0x10000 - 5);
	g_assert_cmpuint(f.edges, ==, 0);  /* channel 2 has no interrupt */
	/* gate low suspends counting in mode 0 */
	outb(&f, 0x43, 0xB0);
	t0 = vclock_now(&f.vc);
	write_count(&f, 2, 100);
	go(&f, at_tick(t0, 40));
	outb(&f, 0x61, 0x00);
	go(&f, at_tick(t0, 500));
	g_assert_cmpuint(read_count(&f, 2), ==, 60);
	g_assert_false(out2(&f));
	teardown(&f);
}

static void test_mode0_irq_once(void)
{
	struct fixture f;
	setup(&f);
	outb(&f, 0x43, 0x30);
	uint64_t t0 = vclock_now(&f.vc);
	write_count(&f, 0, 1000);
	go(&f, at_tick(t0, 1000) - 1);
	g_assert_cmpuint(f.edges, ==, 0);
	go(&f, at_tick(t0, 1000));
	g_assert_cmpuint(f.edges, ==, 1);
	g_assert_cmpuint(f.edge_time[0], ==, at_tick(t0, 1000));
	go(&f, at_tick(t0, 200000));
	g_assert_cmpuint(f.edges, ==, 1);
	/* Linux's one-shot clockevent rewrites the count: restart */
	t0 = vclock_now(&f.vc);
	write_count(&f, 0, 50);
	go(&f, at_tick(t0, 50));
	g_assert_cmpuint(f.edges, ==, 2);
	/* the first byte of a new count stops counting: no interrupt */
	t0 = vclock_now(&f.vc);
	write_count(&f, 0, 100);
	go(&f, at_tick(t0, 50));
	outb(&f, 0x40, 0x10);
	go(&f, at_tick(t0, 300));
	g_assert_cmpuint(f.edges, ==, 2);
	t0 = vclock_now(&f.vc);
	outb(&f, 0x40, 0x00);  /* count 0x0010 */
	go(&f, at_tick(t0, 16));
	g_assert_cmpuint(f.edges, ==, 3);
	teardown(&f);
}

static void test_mode2_periodic(void)
{
	struct fixture f;
	setup(&f);
	go(&f, 777);
	outb(&f, 0x43, 0x34);
	uint64_t t0 = vclock_now(&f.vc);
	write_count(&f, 0, 100);
	for (unsigned k = 1; k <= 5; k++) {
		go(&f, at_tick(t0, k * 100) - 1);
		g_assert_cmpuint(f.edges, ==, k - 1);
		go(&f, at_tick(t0, k * 100));
		g_assert_cmpuint(f.edges, ==, k);
	}
	/* count readback: N, N-1, ..., 1 */
	go(&f, at_tick(t0, 530));
	outb(&f, 0x43, 0x00);  /* latch */
	go(&f, at_tick(t0, 560));
	g_assert_cmpuint(read_count(&f, 0), ==, 70);
	g_assert_cmpuint(read_count(&f, 0), ==, 40);
	/* a new count takes over at the end of the current period */
	write_count(&f, 0, 300);
	go(&f, at_tick(t0, 600));
	g_assert_cmpuint(f.edges, ==, 6);
	go(&f, at_tick(t0, 700));
	g_assert_cmpuint(f.edges, ==, 6);
	go(&f, at_tick(t0, 899));
	g_assert_cmpuint(f.edges, ==, 6);
	go(&f, at_tick(t0, 900));
	g_assert_cmpuint(f.edges, ==, 7);
	/* shutting the channel down (control word) stops the interrupts */
	outb(&f, 0x43, 0x30);
	go(&f, at_tick(t0, 5000));
	g_assert_cmpuint(f.edges, ==, 7);
	teardown(&f);
}

static void test_mode2_out_and_status(void)
{
	struct fixture f;
	setup(&f);
	outb(&f, 0x61, 0x01);
	outb(&f, 0x43, 0xB4);  /* ch2 mode 2 */
	uint64_t t0 = vclock_now(&f.vc);
	write_count(&f, 2, 10);
	go(&f, at_tick(t0, 8));
	g_assert_true(out2(&f));
	go(&f, at_tick(t0, 9));
	g_assert_false(out2(&f));  /* low for the last tick of the period */
	go(&f, at_tick(t0, 10));
	g_assert_true(out2(&f));
	g_assert_cmpuint(read_count(&f, 2), ==, 10);
	/* read-back: status then count of channel 2 */
	go(&f, at_tick(t0, 13));
	outb(&f, 0x43, 0xC8);
	g_assert_cmphex(inb(&f, 0x42), ==, 0x80 | 0x30 | 0x04);
	g_assert_cmpuint(read_count(&f, 2), ==, 7);
	/* status only; then the live count */
	go(&f, at_tick(t0, 19));
	outb(&f, 0x43, 0xE8);
	g_assert_cmphex(inb(&f, 0x42), ==, 0x30 | 0x04);  /* OUT low now */
	g_assert_cmpuint(read_count(&f, 2), ==, 1);
	/* null count after a control word */
	outb(&f, 0x43, 0xB4);
	outb(&f, 0x43, 0xE8);
	g_assert_cmphex(inb(&f, 0x42), ==, 0x80 | 0x40 | 0x30 | 0x04);
	/* gate low forces OUT high and stops; rising edge reloads */
	write_count(&f, 2, 10);
	t0 = vclock_now(&f.vc);
	go(&f, at_tick(t0, 9));
	g_assert_false(out2(&f));
	outb(&f, 0x61, 0x00);
	g_assert_true(out2(&f));
	go(&f, at_tick(t0, 50));
	outb(&f, 0x61, 0x01);
	t0 = vclock_now(&f.vc);
	go(&f, at_tick(t0, 3));
	g_assert_cmpuint(read_count(&f, 2), ==, 7);
	teardown(&f);
}

static void test_mode3_square_wave(void)
{
	struct fixture f;
	setup(&f);
	outb(&f, 0x61, 0x01);
	outb(&f, 0x43, 0xB6);
	g_assert_true(out2(&f));
	uint64_t t0 = vclock_now(&f.vc);
	write_count(&f, 2, 10);
	for (unsigned t = 0; t < 30; t++) {
		go(&f, at_tick(t0, t));
		g_assert_cmpint(out2(&f), ==, (t % 10) < 5);
	}
	go(&f, at_tick(t0, 31));
	g_assert_cmpuint(read_count(&f, 2), ==, 8);  /* decrements by two */
	/* odd count: high one tick longer */
	outb(&f, 0x43, 0xB6);
	t0 = vclock_now(&f.vc);
	write_count(&f, 2, 7);
	go(&f, at_tick(t0, 3));
	g_assert_true(out2(&f));
	go(&f, at_tick(t0, 4));
	g_assert_false(out2(&f));
	go(&f, at_tick(t0, 7));
	g_assert_true(out2(&f));
	/* channel 0 in mode 3: one interrupt per period (rising edges) */
	outb(&f, 0x43, 0x36);
	t0 = vclock_now(&f.vc);
	write_count(&f, 0, 1000);
	for (unsigned t = 500; t <= 3500; t += 500)
		go(&f, at_tick(t0, t));
	g_assert_cmpuint(f.edges, ==, 3);
	g_assert_cmpuint(f.edge_time[2], ==, at_tick(t0, 3000));
	teardown(&f);
}

static void test_mode4_strobe(void)
{
	struct fixture f;
	setup(&f);
	outb(&f, 0x43, 0x38);
	uint64_t t0 = vclock_now(&f.vc);
	write_count(&f, 0, 50);
	go(&f, at_tick(t0, 50));
	g_assert_cmpuint(f.edges, ==, 0);
	outb(&f, 0x43, 0xE2);
	g_assert_cmphex(inb(&f, 0x40) & 0x80, ==, 0);  /* the strobe */
	go(&f, at_tick(t0, 51));
	g_assert_cmpuint(f.edges, ==, 1);
	outb(&f, 0x43, 0xE2);
	g_assert_cmphex(inb(&f, 0x40) & 0x80, ==, 0x80);
	go(&f, at_tick(t0, 70000));
	g_assert_cmpuint(f.edges, ==, 1);
	teardown(&f);
}

static void test_gate_triggered_modes(void)
{
	struct fixture f;
	setup(&f);
	/* mode 1: a gate rising edge starts a one-shot; OUT low meanwhile */
	outb(&f, 0x43, 0xB2);
	write_count(&f, 2, 20);
	g_assert_true(out2(&f));
	go(&f, 100000);
	g_assert_true(out2(&f));
	outb(&f, 0x61, 0x01);
	uint64_t t0 = vclock_now(&f.vc);
	g_assert_false(out2(&f));
	go(&f, at_tick(t0, 19));
	g_assert_false(out2(&f));
	g_assert_cmpuint(read_count(&f, 2), ==, 1);
	go(&f, at_tick(t0, 20));
	g_assert_true(out2(&f));
	/* retrigger */
	outb(&f, 0x61, 0x00);
	outb(&f, 0x61, 0x01);
	t0 = vclock_now(&f.vc);
	g_assert_false(out2(&f));
	go(&f, at_tick(t0, 20));
	g_assert_true(out2(&f));
	/* mode 5: strobe 20 ticks after the trigger */
	outb(&f, 0x61, 0x00);
	outb(&f, 0x43, 0xBA);
	write_count(&f, 2, 20);
	outb(&f, 0x61, 0x01);
	t0 = vclock_now(&f.vc);
	go(&f, at_tick(t0, 19));
	g_assert_true(out2(&f));
	go(&f, at_tick(t0, 20));
	g_assert_false(out2(&f));
	go(&f, at_tick(t0, 21));
	g_assert_true(out2(&f));
	teardown(&f);
}

static void test_access_modes(void)
{
	struct fixture f;
	setup(&f);
	outb(&f, 0x61, 0x01);
	/* LSB only */
	outb(&f, 0x43, 0x90);
	uint64_t t0 = vclock_now(&f.vc);
	outb(&f, 0x42, 0x50);
	go(&f, at_tick(t0, 0x10));
	g_assert_cmphex(inb(&f, 0x42), ==, 0x40);
	g_assert_cmphex(inb(&f, 0x42), ==, 0x40);
	/* MSB only */
	outb(&f, 0x43, 0xA0);
	t0 = vclock_now(&f.vc);
	outb(&f, 0x42, 0x12);
	go(&f, at_tick(t0, 0x100));
	g_assert_cmphex(inb(&f, 0x42), ==, 0x11);
	/* count 0 is 65536 */
	outb(&f, 0x43, 0xB0);
	t0 = vclock_now(&f.vc);
	write_count(&f, 2, 0);
	go(&f, at_tick(t0, 1));
	g_assert_cmphex(read_count(&f, 2), ==, 0xFFFF);
	go(&f, at_tick(t0, 65535));
	g_assert_false(out2(&f));
	go(&f, at_tick(t0, 65536));
	g_assert_true(out2(&f));
	/* BCD: 1000 decimal */
	outb(&f, 0x43, 0xB1);
	t0 = vclock_now(&f.vc);
	write_count(&f, 2, 0x1000);
	go(&f, at_tick(t0, 1));
	g_assert_cmphex(read_count(&f, 2), ==, 0x0999);
	go(&f, at_tick(t0, 1000));
	g_assert_true(out2(&f));
	/* a latched count survives later reads of the other byte order */
	outb(&f, 0x43, 0xB0);
	t0 = vclock_now(&f.vc);
	write_count(&f, 2, 0x1234);
	outb(&f, 0x43, 0x80);  /* latch ch2 */
	outb(&f, 0x43, 0x80);  /* a second latch is ignored */
	go(&f, at_tick(t0, 0x34));
	g_assert_cmphex(inb(&f, 0x42), ==, 0x34);
	go(&f, at_tick(t0, 0x200));
	g_assert_cmphex(inb(&f, 0x42), ==, 0x12);
	g_assert_cmphex(read_count(&f, 2), ==, 0x1234 - 0x200);
	/* the control port reads nothing useful; odd sizes are safe */
	g_assert_cmphex(inb(&f, 0x43), ==, 0xFF);
	uint8_t buf[8];
	memset(buf, 0, sizeof(buf));
	g_assert_true(bus_access(&f.pio, 0x42, buf, 2, false, 0));
	g_assert_cmphex(buf[1], ==, 0xFF);
	memset(buf, 0, sizeof(buf));
	g_assert_true(bus_access(&f.pio, 0x61, buf, 1, false, 0));
	teardown(&f);
}

static void test_port61(void)
{
	struct fixture f;
	setup(&f);
	outb(&f, 0x61, 0xFF);
	g_assert_cmphex(inb(&f, 0x61) & 0xCF, ==, 0x0F);
	outb(&f, 0x61, 0x02);
	g_assert_cmphex(inb(&f, 0x61) & 0xCF, ==, 0x02);
	/* the refresh bit toggles every 15.085 us */
	go(&f, 1000);
	uint8_t a = inb(&f, 0x61) & 0x10;
	go(&f, 1000 + 15085);
	uint8_t b = inb(&f, 0x61) & 0x10;
	g_assert_cmphex(a ^ b, ==, 0x10);
	teardown(&f);
}

static void test_tiny_count_clamped(void)
{
	struct fixture f;
	setup(&f);
	outb(&f, 0x43, 0x34);
	write_count(&f, 0, 2);  /* 1.68 us period */
	uint64_t end = 1000000;  /* 1 ms */
	for (uint64_t t = 0; t < end; t += 1000)
		go(&f, t);
	/* at most one interrupt per PIT_MIN_PERIOD_NS (plus the first) */
	g_assert_cmpuint(f.edges, <=, end / PIT_MIN_PERIOD_NS + 1);
	g_assert_cmpuint(f.edges, >=, end / PIT_MIN_PERIOD_NS / 2);
	/* the count itself still follows time exactly */
	outb(&f, 0x43, 0x00);
	uint8_t lo = inb(&f, 0x40);
	g_assert_cmpuint(lo, >=, 1);
	g_assert_cmpuint(lo, <=, 2);
	teardown(&f);
}

/* Destroying the PIT takes its timer out of the clock (no dangling timer). */
static void test_destroy_removes_timer(void)
{
	struct fixture f;
	setup(&f);
	unsigned n = f.vc.ntimers;
	g_assert_cmpuint(n, ==, 1);
	outb(&f, 0x43, 0x34);
	write_count(&f, 0, 100);
	g_assert_cmpuint(vclock_next_deadline(&f.vc), !=, VCLOCK_NEVER);
	teardown(&f);
	g_assert_cmpuint(f.vc.ntimers, ==, 0);
	go(&f, 10000000);  /* nothing left to fire */
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/pit/mode0-channel2-calibration", test_mode0_channel2_calibration);
	g_test_add_func("/pit/mode0-irq-once", test_mode0_irq_once);
	g_test_add_func("/pit/mode2-periodic", test_mode2_periodic);
	g_test_add_func("/pit/mode2-out-and-status", test_mode2_out_and_status);
	g_test_add_func("/pit/mode3-square-wave", test_mode3_square_wave);
	g_test_add_func("/pit/mode4-strobe", test_mode4_strobe);
	g_test_add_func("/pit/gate-triggered-modes", test_gate_triggered_modes);
	g_test_add_func("/pit/access-modes", test_access_modes);
	g_test_add_func("/pit/port61", test_port61);
	g_test_add_func("/pit/tiny-count-clamped", test_tiny_count_clamped);
	g_test_add_func("/pit/destroy-removes-timer", test_destroy_removes_timer);
	return g_test_run();
}
