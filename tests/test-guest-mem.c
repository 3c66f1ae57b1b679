#include <string.h>
#include "vmm/guest_mem.h"
#include "vmm/layout.h"

static void test_small(void)
{
	struct guest_mem gm;
	GError *err = NULL;
	g_assert_true(guest_mem_init(&gm, 64 * MiB, &err));
	g_assert_cmpuint(gm.low_end, ==, 64 * MiB);
	g_assert_cmpuint(gm.high_end, ==, LAYOUT_4G);
	g_assert_true(guest_mem_is_ram(&gm, 0, 64 * MiB));
	g_assert_false(guest_mem_is_ram(&gm, 64 * MiB - 1, 2));
	g_assert_false(guest_mem_is_ram(&gm, UINT64_MAX - 1, 4));
	g_assert_null(guest_mem_ptr(&gm, LAYOUT_4G, 1));
	uint32_t v = 0xdeadbeef, r = 0;
	g_assert_true(guest_mem_write(&gm, 0x1000, &v, 4));
	g_assert_true(guest_mem_read(&gm, 0x1000, &r, 4));
	g_assert_cmphex(r, ==, v);
	g_assert_false(guest_mem_write(&gm, 64 * MiB - 2, &v, 4));
	guest_mem_destroy(&gm);
}

static void test_hole(void)
{
	struct guest_mem gm;
	g_assert_true(guest_mem_init(&gm, 4 * GiB, NULL));
	g_assert_cmpuint(gm.low_end, ==, LAYOUT_PCI_HOLE_START);
	g_assert_cmpuint(gm.high_end, ==, LAYOUT_4G + 1 * GiB);
	g_assert_true(guest_mem_is_ram(&gm, LAYOUT_PCI_HOLE_START - 8, 8));
	g_assert_false(guest_mem_is_ram(&gm, LAYOUT_PCI_HOLE_START - 4, 8));
	g_assert_false(guest_mem_is_ram(&gm, LAYOUT_IOAPIC_BASE, 4));
	g_assert_true(guest_mem_is_ram(&gm, LAYOUT_4G, 4));
	g_assert_true(guest_mem_is_ram(&gm, LAYOUT_4G + GiB - 4, 4));
	g_assert_false(guest_mem_is_ram(&gm, LAYOUT_4G + GiB - 4, 8));
	/* an access straddling the hole's end is refused too */
	g_assert_false(guest_mem_is_ram(&gm, LAYOUT_4G - 4, 8));
	uint64_t v = 42;
	g_assert_true(guest_mem_write(&gm, LAYOUT_4G + 0x1000, &v, 8));
	g_assert_cmpuint(*(uint64_t *)guest_mem_ptr(&gm, LAYOUT_4G + 0x1000, 8), ==, 42);
	guest_mem_destroy(&gm);
}

static void test_bad_sizes(void)
{
	struct guest_mem gm;
	GError *err = NULL;
	g_assert_false(guest_mem_init(&gm, 1 * MiB, &err));
	g_assert_nonnull(err);
	g_assert_nonnull(strstr(err->message, "too small"));
	g_clear_error(&err);
	g_assert_false(guest_mem_init(&gm, 2048 * GiB, &err));
	g_assert_nonnull(strstr(err->message, "too large"));
	g_clear_error(&err);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/guest-mem/small", test_small);
	g_test_add_func("/guest-mem/pci-hole", test_hole);
	g_test_add_func("/guest-mem/bad-sizes", test_bad_sizes);
	return g_test_run();
}
