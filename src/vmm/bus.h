/* Port-I/O and MMIO buses: devices register address ranges with one handler
 * signature; overlapping registrations are refused. The vCPU exit path (both
 * engines) dispatches guest accesses through bus_access(). */
#ifndef TANDEM_BUS_H
#define TANDEM_BUS_H

#include <gio/gio.h>
#include <stdbool.h>
#include <stdint.h>

/* One handler signature for every device (kvmtool's shape). `offset` is
 * relative to the registered base; `data` holds `len` bytes (1, 2, 4 or 8),
 * little-endian; `cpu` is the index of the accessing vCPU. For reads the
 * handler fills `data`; it must accept any offset/len within its range and
 * validate them itself (the guest chooses both). */
typedef void io_handler_fn(void *opaque, uint64_t offset, void *data, unsigned len,
			   bool is_write, unsigned cpu);

struct bus_range {
	uint64_t base;
	uint64_t len;
	io_handler_fn *fn;
	void *opaque;
	char name[32];
};

struct bus {
	const char *name;          /* "pio" or "mmio", for messages */
	struct bus_range *ranges;  /* sorted by base, non-overlapping */
	size_t n, cap;
	uint64_t unhandled;        /* accesses that hit no range */
};

void bus_init(struct bus *b, const char *name);
void bus_destroy(struct bus *b);

/* Fails (with a message naming both devices) when [base, base+len) overlaps
 * an existing range or len is 0 / wraps. */
bool bus_register(struct bus *b, uint64_t base, uint64_t len, io_handler_fn *fn,
		  void *opaque, const char *name, GError **err);
/* Removes the range starting exactly at base; false when there is none. */
bool bus_unregister(struct bus *b, uint64_t base);

/* The range containing addr, or NULL. */
const struct bus_range *bus_find(const struct bus *b, uint64_t addr);

/* Dispatches one access. An access that is not wholly inside one range is
 * dropped (writes) or reads as all-ones, and false is returned. */
bool bus_access(struct bus *b, uint64_t addr, void *data, unsigned len, bool is_write, unsigned cpu);

#endif
