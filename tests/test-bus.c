#include "vmm/bus.h"

#include <string.h>

struct rec {
	uint64_t offset;
	unsigned len, cpu, calls;
	bool is_write;
	uint32_t value;
};

static void rec_handler(void *opaque, uint64_t offset, void *data, unsigned len, bool is_write, unsigned cpu)
{
	struct rec *r = opaque;
	r->offset = offset;
	r->len = len;
	r->cpu = cpu;
	r->is_write = is_write;
	r->calls++;
	if (is_write)
		memcpy(&r->value, data, len < 4 ? len : 4);
	else
		memset(data, 0x5a, len);
}

static void test_register_and_dispatch(void)
{
	struct bus b;
	struct rec r = { 0 };
	GError *err = NULL;
	bus_init(&b, "pio");
	g_assert_true(bus_register(&b, 0x3f8, 8, rec_handler, &r, "uart", &err));
	g_assert_no_error(err);

	uint32_t v = 0x41;
	g_assert_true(bus_access(&b, 0x3f9, &v, 1, true, 3));
	g_assert_cmpuint(r.offset, ==, 1);
	g_assert_cmpuint(r.cpu, ==, 3);
	g_assert_true(r.is_write);
	g_assert_cmpuint(r.value & 0xff, ==, 0x41);

	uint16_t w = 0;
	g_assert_true(bus_access(&b, 0x3fe, &w, 2, false, 0));
	g_assert_cmpuint(w, ==, 0x5a5a);
	bus_destroy(&b);
}

static void test_overlap_refused(void)
{
	struct bus b;
	struct rec r = { 0 };
	GError *err = NULL;
	bus_init(&b, "mmio");
	g_assert_true(bus_register(&b, 0x1000, 0x100, rec_handler, &r, "a", NULL));
	g_assert_true(bus_register(&b, 0x1100, 0x100, rec_handler, &r, "b", NULL));
	g_assert_true(bus_register(&b, 0x0f00, 0x100, rec_handler, &r, "c", NULL));
	/* inside, straddling the start, straddling the end, covering */
	g_assert_false(bus_register(&b, 0x1010, 0x10, rec_handler, &r, "d", &err));
	g_assert_error(err, G_IO_ERROR, G_IO_ERROR_EXISTS);
	g_assert_nonnull(strstr(err->message, "overlaps 'a'"));
	g_clear_error(&err);
	g_assert_false(bus_register(&b, 0x0ff0, 0x20, rec_handler, &r, "e", &err));
	g_clear_error(&err);
	g_assert_false(bus_register(&b, 0x11f0, 0x20, rec_handler, &r, "f", &err));
	g_clear_error(&err);
	g_assert_false(bus_register(&b, 0x0000, 0x10000, rec_handler, &r, "g", &err));
	g_clear_error(&err);
	/* zero length and wrap-around */
	g_assert_false(bus_register(&b, 0x5000, 0, rec_handler, &r, "h", &err));
	g_clear_error(&err);
	g_assert_false(bus_register(&b, UINT64_MAX - 1, 4, rec_handler, &r, "i", &err));
	g_clear_error(&err);
	/* adjacent is fine */
	g_assert_true(bus_register(&b, 0x1200, 1, rec_handler, &r, "j", NULL));
	g_assert_cmpuint(b.n, ==, 4);
	bus_destroy(&b);
}

static void test_unmapped_reads_ones(void)
{
	struct bus b;
	struct rec r = { 0 };
	bus_init(&b, "pio");
	g_assert_true(bus_register(&b, 0x60, 1, rec_handler, &r, "kbd", NULL));
	uint32_t v = 0;
	g_assert_false(bus_access(&b, 0x61, &v, 4, false, 0));
	g_assert_cmphex(v, ==, 0xffffffff);
	/* an access running past the end of a range is not delivered */
	v = 0;
	g_assert_false(bus_access(&b, 0x60, &v, 2, false, 0));
	g_assert_cmphex(v & 0xffff, ==, 0xffff);
	g_assert_cmpuint(r.calls, ==, 0);
	g_assert_cmpuint(b.unhandled, ==, 2);
	bus_destroy(&b);
}

static void test_unregister(void)
{
	struct bus b;
	struct rec r = { 0 };
	bus_init(&b, "mmio");
	g_assert_true(bus_register(&b, 0xe0000000, 0x1000, rec_handler, &r, "bar", NULL));
	g_assert_false(bus_unregister(&b, 0xe0000010));
	g_assert_true(bus_unregister(&b, 0xe0000000));
	g_assert_null(bus_find(&b, 0xe0000000));
	g_assert_true(bus_register(&b, 0xe0000800, 0x1000, rec_handler, &r, "bar", NULL));
	g_assert_nonnull(bus_find(&b, 0xe00017ff));
	g_assert_null(bus_find(&b, 0xe0001800));
	bus_destroy(&b);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/bus/register-dispatch", test_register_and_dispatch);
	g_test_add_func("/bus/overlap-refused", test_overlap_refused);
	g_test_add_func("/bus/unmapped-reads-ones", test_unmapped_reads_ones);
	g_test_add_func("/bus/unregister", test_unregister);
	return g_test_run();
}
