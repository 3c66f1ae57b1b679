#include "vmm/bus.h"

#include <string.h>

void bus_init(struct bus *b, const char *name)
{
	memset(b, 0, sizeof(*b));
	b->name = name;
}

void bus_destroy(struct bus *b)
{
	g_free(b->ranges);
	memset(b, 0, sizeof(*b));
}

/* Index of the first range whose end is above addr. */
static size_t bus_lower_bound(const struct bus *b, uint64_t addr)
{
	size_t lo = 0, hi = b->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct bus_range *r = &b->ranges[mid];
		if (r->base + r->len - 1 < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool bus_register(struct bus *b, uint64_t base, uint64_t len, io_handler_fn *fn,
		  void *opaque, const char *name, GError **err)
{
	if (len == 0 || base + len - 1 < base) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "%s: cannot register '%s' at 0x%" G_GINT64_MODIFIER "x: bad length 0x%" G_GINT64_MODIFIER "x",
			    b->name, name, base, len);
		return false;
	}
	size_t i = bus_lower_bound(b, base);
	if (i < b->n && b->ranges[i].base <= base + len - 1) {
		const struct bus_range *o = &b->ranges[i];
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_EXISTS,
			    "%s: '%s' at [0x%" G_GINT64_MODIFIER "x, 0x%" G_GINT64_MODIFIER "x] overlaps '%s' at [0x%"
			    G_GINT64_MODIFIER "x, 0x%" G_GINT64_MODIFIER "x]",
			    b->name, name, base, base + len - 1, o->name, o->base, o->base + o->len - 1);
		return false;
	}
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 16;
		b->ranges = g_renew(struct bus_range, b->ranges, b->cap);
	}
	memmove(&b->ranges[i + 1], &b->ranges[i], (b->n - i) * sizeof(*b->ranges));
	struct bus_range *r = &b->ranges[i];
	r->base = base;
	r->len = len;
	r->fn = fn;
	r->opaque = opaque;
	g_strlcpy(r->name, name, sizeof(r->name));
	b->n++;
	return true;
}

bool bus_unregister(struct bus *b, uint64_t base)
{
	size_t i = bus_lower_bound(b, base);
	if (i >= b->n || b->ranges[i].base != base)
		return false;
	memmove(&b->ranges[i], &b->ranges[i + 1], (b->n - i - 1) * sizeof(*b->ranges));
	b->n--;
	return true;
}

const struct bus_range *bus_find(const struct bus *b, uint64_t addr)
{
	size_t i = bus_lower_bound(b, addr);
	if (i < b->n && b->ranges[i].base <= addr)
		return &b->ranges[i];
	return NULL;
}

bool bus_access(struct bus *b, uint64_t addr, void *data, unsigned len, bool is_write, unsigned cpu)
{
	const struct bus_range *r = bus_find(b, addr);
	if (!r || len == 0 || len > 8 || addr - r->base + len > r->len) {
		b->unhandled++;
		if (!is_write)
			memset(data, 0xff, len > 8 ? 8 : len);
		return false;
	}
	r->fn(r->opaque, addr - r->base, data, len, is_write, cpu);
	return true;
}
