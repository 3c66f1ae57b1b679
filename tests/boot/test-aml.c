/* The AML builder's encodings: PkgLength at each size boundary, names,
 * integers, EISA ids. */
#include "vmm/boot/aml.h"

#include <string.h>

static void test_pkglen(void)
{
	uint8_t e[4];
	g_assert_cmpuint(aml_pkglen(0, e), ==, 1);
	g_assert_cmphex(e[0], ==, 1);
	g_assert_cmpuint(aml_pkglen(62, e), ==, 1);
	g_assert_cmphex(e[0], ==, 63);
	/* 63 + 1 = 64 no longer fits in 6 bits: two bytes, total 65 */
	g_assert_cmpuint(aml_pkglen(63, e), ==, 2);
	g_assert_cmphex(e[0], ==, 0x41);
	g_assert_cmphex(e[1], ==, 0x04);
	g_assert_cmpuint(aml_pkglen(0xFFD, e), ==, 2);    /* total 0xFFF */
	g_assert_cmphex(e[0], ==, 0x4F);
	g_assert_cmphex(e[1], ==, 0xFF);
	g_assert_cmpuint(aml_pkglen(0xFFE, e), ==, 3);    /* total 0x1001 */
	g_assert_cmphex(e[0], ==, 0x81);
	g_assert_cmphex(e[1], ==, 0x00);
	g_assert_cmphex(e[2], ==, 0x01);
	g_assert_cmpuint(aml_pkglen(0x100000, e), ==, 4);
	g_assert_cmphex(e[0] >> 6, ==, 3);
}

static void test_close(void)
{
	/* A scope whose body crosses the one-byte limit gets a two-byte PkgLength in front. */
	g_autoptr(GByteArray) b = g_byte_array_new();
	size_t pos = aml_open_scope(b, "\\_SB_");
	for (int i = 0; i < 20; i++)
		aml_int(b, 0x1234);
	aml_close(b, pos);
	g_assert_cmphex(b->data[0], ==, 0x10);
	g_assert_cmphex(b->data[1] >> 6, ==, 1);
	size_t len = (b->data[1] & 0xF) | (size_t)b->data[2] << 4;
	g_assert_cmpuint(1 + len, ==, b->len);
	g_assert_cmpmem(b->data + 3, 5, "\\_SB_", 5);
}

static void test_names(void)
{
	g_autoptr(GByteArray) b = g_byte_array_new();
	aml_namestring(b, "_HID");
	aml_namestring(b, "\\_SB_.PCI0");
	aml_namestring(b, "\\_SB_.PCI0.COM1");
	aml_namestring(b, "^KB");
	static const uint8_t want[] = { '_', 'H', 'I', 'D', '\\', 0x2E, '_', 'S', 'B', '_', 'P', 'C', 'I', '0',
					'\\', 0x2F, 3, '_', 'S', 'B', '_', 'P', 'C', 'I', '0', 'C', 'O', 'M', '1',
					'^', 'K', 'B', '_', '_' };
	g_assert_cmpmem(b->data, b->len, want, sizeof(want));
}

static void test_ints(void)
{
	g_autoptr(GByteArray) b = g_byte_array_new();
	aml_int(b, 0);
	aml_int(b, 1);
	aml_int(b, 2);
	aml_int(b, 0x100);
	aml_int(b, 0x10000);
	aml_int(b, 0x100000000ULL);
	aml_eisaid(b, "PNP0A03");
	aml_string(b, "ACPI0007");
	static const uint8_t want[] = { 0x00, 0x01, 0x0A, 2, 0x0B, 0, 1, 0x0C, 0, 0, 1, 0, 0x0E, 0, 0, 0, 0, 1, 0, 0, 0,
					0x0C, 0x41, 0xD0, 0x0A, 0x03, 0x0D, 'A', 'C', 'P', 'I', '0', '0', '0', '7', 0 };
	g_assert_cmpmem(b->data, b->len, want, sizeof(want));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/boot/aml/pkglen", test_pkglen);
	g_test_add_func("/boot/aml/close", test_close);
	g_test_add_func("/boot/aml/names", test_names);
	g_test_add_func("/boot/aml/ints", test_ints);
	return g_test_run();
}
