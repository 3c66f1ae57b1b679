#include "hw/misc_ports.h"

#include "vmm/layout.h"

#include "devtest.h"

struct host {
	unsigned resets, stops;
	int status;
	bool debug_exit;
};

static void host_reset(void *opaque)
{
	((struct host *)opaque)->resets++;
}

static void host_stop(void *opaque, int status, bool debug_exit)
{
	struct host *h = opaque;
	h->stops++;
	h->status = status;
	h->debug_exit = debug_exit;
}

struct fixture {
	struct host h;
	struct bus pio;
	struct misc_ports *m;
};

static void setup(struct fixture *f)
{
	memset(&f->h, 0, sizeof(f->h));
	bus_init(&f->pio, "pio");
	struct misc_ports_host mh = { &f->h, host_reset, host_stop };
	f->m = misc_ports_create(&mh);
	g_assert_true(misc_ports_register(f->m, &f->pio, NULL));
	g_assert_true(misc_ports_register_reset_control(f->m, &f->pio, NULL));
}

static void teardown(struct fixture *f)
{
	misc_ports_destroy(f->m);
	bus_destroy(&f->pio);
}

static void test_post(void)
{
	struct fixture f;
	setup(&f);
	g_assert_cmpuint(inb(&f.pio, PORT_POST), ==, 0);
	outb(&f.pio, PORT_POST, 0x42);
	g_assert_cmpuint(inb(&f.pio, PORT_POST), ==, 0x42);
	g_assert_cmpuint(misc_ports_post_code(f.m), ==, 0x42);
	g_assert_cmpuint(f.h.resets + f.h.stops, ==, 0);
	misc_ports_reset(f.m);
	g_assert_cmpuint(misc_ports_post_code(f.m), ==, 0);
	teardown(&f);
}

static void test_debug_exit(void)
{
	struct fixture f;
	setup(&f);
	outb(&f.pio, PORT_DEBUG_EXIT, 0x10);
	g_assert_cmpuint(f.h.stops, ==, 1);
	g_assert_cmpint(f.h.status, ==, 0x21);
	g_assert_true(f.h.debug_exit);
	pio_out(&f.pio, PORT_DEBUG_EXIT, 0x1234, 2);
	g_assert_cmpint(f.h.status, ==, 0x2469);
	pio_out(&f.pio, PORT_DEBUG_EXIT, 0, 4);
	g_assert_cmpint(f.h.status, ==, 1);
	g_assert_cmpuint(f.h.stops, ==, 3);
	/* Writes not at the base port are ignored; reads are harmless. */
	outb(&f.pio, PORT_DEBUG_EXIT + 1, 5);
	g_assert_cmpuint(f.h.stops, ==, 3);
	g_assert_cmpuint(inb(&f.pio, PORT_DEBUG_EXIT), ==, 0xFF);
	teardown(&f);
}

static void test_reset_control(void)
{
	struct fixture f;
	setup(&f);
	outb(&f.pio, PORT_RESET, 0x02);          /* SYS_RST alone: no reset yet */
	g_assert_cmpuint(f.h.resets, ==, 0);
	g_assert_cmpuint(inb(&f.pio, PORT_RESET), ==, 0x02);
	outb(&f.pio, PORT_RESET, 0x06);          /* hard reset */
	g_assert_cmpuint(f.h.resets, ==, 1);
	g_assert_cmpuint(inb(&f.pio, PORT_RESET), ==, 0x06);
	outb(&f.pio, PORT_RESET, 0x04);          /* soft reset */
	g_assert_cmpuint(f.h.resets, ==, 2);
	g_assert_cmpuint(f.h.stops, ==, 0);
	teardown(&f);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/misc-ports/post", test_post);
	g_test_add_func("/misc-ports/debug-exit", test_debug_exit);
	g_test_add_func("/misc-ports/reset-control", test_reset_control);
	return g_test_run();
}
