/* AML encoding helpers; see aml.h. */
#include "vmm/boot/aml.h"

#include <stdlib.h>
#include <string.h>

void aml_byte(GByteArray *b, uint8_t v)
{
	g_byte_array_append(b, &v, 1);
}

void aml_bytes(GByteArray *b, const void *p, size_t n)
{
	g_byte_array_append(b, p, (guint)n);
}

void aml_int(GByteArray *b, uint64_t v)
{
	uint8_t le[8];
	for (int i = 0; i < 8; i++)
		le[i] = (uint8_t)(v >> (8 * i));
	if (v == 0) {
		aml_byte(b, 0x00);          /* ZeroOp */
	} else if (v == 1) {
		aml_byte(b, 0x01);          /* OneOp */
	} else if (v <= 0xFF) {
		aml_byte(b, 0x0A);
		aml_bytes(b, le, 1);
	} else if (v <= 0xFFFF) {
		aml_byte(b, 0x0B);
		aml_bytes(b, le, 2);
	} else if (v <= 0xFFFFFFFF) {
		aml_byte(b, 0x0C);
		aml_bytes(b, le, 4);
	} else {
		aml_byte(b, 0x0E);
		aml_bytes(b, le, 8);
	}
}

void aml_string(GByteArray *b, const char *s)
{
	aml_byte(b, 0x0D);
	aml_bytes(b, s, strlen(s) + 1);
}

static void nameseg(GByteArray *b, const char *s, size_t n)
{
	char seg[4] = { '_', '_', '_', '_' };
	memcpy(seg, s, MIN(n, (size_t)4));
	aml_bytes(b, seg, 4);
}

void aml_namestring(GByteArray *b, const char *path)
{
	while (*path == '\\' || *path == '^')
		aml_byte(b, (uint8_t)*path++);
	g_auto(GStrv) segs = g_strsplit(path, ".", -1);
	guint n = g_strv_length(segs);
	if (n == 0 || (n == 1 && !*segs[0])) {
		aml_byte(b, 0x00);          /* NullName */
		return;
	}
	if (n == 2)
		aml_byte(b, 0x2E);          /* DualNamePrefix */
	else if (n > 2) {
		aml_byte(b, 0x2F);          /* MultiNamePrefix */
		aml_byte(b, (uint8_t)n);
	}
	for (guint i = 0; i < n; i++)
		nameseg(b, segs[i], strlen(segs[i]));
}

void aml_eisaid(GByteArray *b, const char *id)
{
	/* Three letters, 5 bits each, then four hex digits, stored big-endian. */
	uint32_t v = (uint32_t)((id[0] - 0x40) & 0x1F) << 26 | (uint32_t)((id[1] - 0x40) & 0x1F) << 21 |
		     (uint32_t)((id[2] - 0x40) & 0x1F) << 16 | (uint32_t)strtoul(id + 3, NULL, 16);
	uint8_t be[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	aml_byte(b, 0x0C);
	aml_bytes(b, be, 4);
}

void aml_name(GByteArray *b, const char *name)
{
	aml_byte(b, AML_NAME);
	aml_namestring(b, name);
}

size_t aml_open(GByteArray *b, uint8_t op)
{
	aml_byte(b, op);
	return b->len;
}

size_t aml_open_device(GByteArray *b, const char *name)
{
	aml_byte(b, AML_EXT);
	size_t pos = aml_open(b, AML_DEVICE);
	aml_namestring(b, name);
	return pos;
}

size_t aml_open_scope(GByteArray *b, const char *name)
{
	size_t pos = aml_open(b, AML_SCOPE);
	aml_namestring(b, name);
	return pos;
}

size_t aml_open_package(GByteArray *b, uint8_t nelems)
{
	size_t pos = aml_open(b, AML_PACKAGE);
	aml_byte(b, nelems);
	return pos;
}

unsigned aml_pkglen(size_t len, uint8_t out[4])
{
	if (len + 1 < 0x40) {
		out[0] = (uint8_t)(len + 1);
		return 1;
	}
	unsigned k = 2;
	while (k < 4 && len + k >= (size_t)1 << (4 + 8 * (k - 1)))
		k++;
	size_t total = len + k;
	out[0] = (uint8_t)((k - 1) << 6 | (total & 0xF));
	for (unsigned i = 1; i < k; i++)
		out[i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
	return k;
}

void aml_close(GByteArray *b, size_t pos)
{
	uint8_t enc[4];
	unsigned k = aml_pkglen(b->len - pos, enc);
	size_t old = b->len;
	g_byte_array_set_size(b, (guint)(old + k));
	memmove(b->data + pos + k, b->data + pos, old - pos);
	memcpy(b->data + pos, enc, k);
}

void aml_buffer(GByteArray *b, const uint8_t *data, size_t n)
{
	size_t pos = aml_open(b, AML_BUFFER);
	aml_int(b, n);
	aml_bytes(b, data, n);
	aml_close(b, pos);
}
