/* A tiny ACPI table walker for the tests: RSDP -> XSDT -> tables, with
 * checksum checks, and an AML reader for the subset the DSDT uses
 * (Name, Scope, Device, Package, Buffer, integers, strings). */
#ifndef TANDEM_TESTS_BOOT_ACPI_WALK_H
#define TANDEM_TESTS_BOOT_ACPI_WALK_H

#include "boot_test.h"

/* Finds a table by signature through the XSDT; checks its checksum. */
static inline const uint8_t *acpi_find(struct bt *t, const char *sig)
{
	const uint8_t *rsdp = bt_ptr(t, LAYOUT_ACPI_START, 36);
	const uint8_t *x = bt_ptr(t, ld64(rsdp + 24), 36);
	uint32_t xl = ld32(x + 4);
	for (uint32_t o = 36; o + 8 <= xl; o += 8) {
		const uint8_t *tb = bt_ptr(t, ld64(x + o), 36);
		if (!memcmp(tb, sig, 4)) {
			g_assert_cmpuint(bt_sum(bt_ptr(t, ld64(x + o), ld32(tb + 4)), ld32(tb + 4)), ==, 0);
			return tb;
		}
	}
	return NULL;
}

struct aml_named {
	char path[64];
	const uint8_t *val;      /* the data object after the name */
};

struct aml_walk {
	struct aml_named objs[1024];
	unsigned n;
	unsigned devices;
};

static inline size_t aml_rd_pkglen(const uint8_t *p, size_t *len)
{
	unsigned k = (p[0] >> 6) + 1;
	if (k == 1) {
		*len = p[0] & 0x3F;
		return 1;
	}
	size_t v = p[0] & 0xF;
	for (unsigned i = 1; i < k; i++)
		v |= (size_t)p[i] << (4 + 8 * (i - 1));
	*len = v;
	return k;
}

/* Reads a NameString into out relative to scope; returns bytes consumed. */
static inline size_t aml_rd_name(const uint8_t *p, const char *scope, char *out, size_t outlen)
{
	const uint8_t *s = p;
	g_autoptr(GString) path = g_string_new(NULL);
	if (*p == '\\') {
		p++;
	} else {
		g_string_append(path, scope);
		while (*p == '^') {
			char *dot = strrchr(path->str, '.');
			g_string_truncate(path, dot ? (gsize)(dot - path->str) : 0);
			p++;
		}
	}
	unsigned nseg = 1;
	if (*p == 0x2E) {
		nseg = 2;
		p++;
	} else if (*p == 0x2F) {
		nseg = p[1];
		p += 2;
	} else if (*p == 0x00) {
		nseg = 0;
		p++;
	}
	for (unsigned i = 0; i < nseg; i++, p += 4) {
		if (path->len)
			g_string_append_c(path, '.');
		g_string_append_len(path, (const char *)p, 4);
	}
	g_strlcpy(out, path->str, outlen);
	return (size_t)(p - s);
}

/* Length of a data object (integer, string, buffer, package). */
static inline size_t aml_data_len(const uint8_t *p)
{
	size_t len;
	switch (p[0]) {
	case 0x00: case 0x01: case 0xFF: return 1;
	case 0x0A: return 2;
	case 0x0B: return 3;
	case 0x0C: return 5;
	case 0x0E: return 9;
	case 0x0D: return strlen((const char *)p + 1) + 2;
	case 0x11: case 0x12: aml_rd_pkglen(p + 1, &len); return 1 + len;
	default: g_error("unexpected AML data opcode 0x%02x", p[0]);
	}
}

static inline uint64_t aml_int_value(const uint8_t *p)
{
	switch (p[0]) {
	case 0x00: return 0;
	case 0x01: return 1;
	case 0x0A: return p[1];
	case 0x0B: return ld16(p + 1);
	case 0x0C: return ld32(p + 1);
	case 0x0E: return ld64(p + 1);
	default: g_error("not an AML integer: opcode 0x%02x", p[0]);
	}
}

static inline void aml_walk_list(struct aml_walk *w, const uint8_t *p, const uint8_t *end, const char *scope)
{
	while (p < end) {
		char name[64];
		size_t len;
		if (p[0] == 0x08) {
			p += 1 + aml_rd_name(p + 1, scope, name, sizeof(name));
			g_assert_cmpuint(w->n, <, G_N_ELEMENTS(w->objs));
			g_strlcpy(w->objs[w->n].path, name, sizeof(w->objs[0].path));
			w->objs[w->n++].val = p;
			p += aml_data_len(p);
		} else if (p[0] == 0x10 || (p[0] == 0x5B && p[1] == 0x82)) {
			const uint8_t *start = p + (p[0] == 0x10 ? 1 : 2);
			size_t k = aml_rd_pkglen(start, &len);
			const uint8_t *body_end = start + len;
			const uint8_t *q = start + k;
			q += aml_rd_name(q, scope, name, sizeof(name));
			if (p[0] == 0x5B)
				w->devices++;
			aml_walk_list(w, q, body_end, name);
			p = body_end;
		} else {
			g_error("unexpected AML opcode 0x%02x", p[0]);
		}
		g_assert_true(p <= end);
	}
}

static inline const uint8_t *aml_get(struct aml_walk *w, const char *path)
{
	for (unsigned i = 0; i < w->n; i++)
		if (!strcmp(w->objs[i].path, path))
			return w->objs[i].val;
	return NULL;
}

/* Package elements: fills el[] with pointers to each element; returns the count. */
static inline unsigned aml_package(const uint8_t *p, const uint8_t **el, unsigned max)
{
	g_assert_cmphex(p[0], ==, 0x12);
	size_t len;
	size_t k = aml_rd_pkglen(p + 1, &len);
	const uint8_t *end = p + 1 + len;
	unsigned n = p[1 + k];
	const uint8_t *q = p + 2 + k;
	for (unsigned i = 0; i < n; i++) {
		g_assert_cmpuint(i, <, max);
		el[i] = q;
		q += aml_data_len(q);
	}
	g_assert_true(q == end);
	return n;
}

/* Buffer contents. */
static inline const uint8_t *aml_buffer_data(const uint8_t *p, size_t *n)
{
	g_assert_cmphex(p[0], ==, 0x11);
	size_t len;
	size_t k = aml_rd_pkglen(p + 1, &len);
	const uint8_t *sz = p + 1 + k;
	*n = aml_int_value(sz);
	const uint8_t *data = sz + aml_data_len(sz);
	g_assert_true(data + *n == p + 1 + len);
	return data;
}

#endif
