/* Guest RAM: one host mapping in which guest physical address X lives at
 * base + X. The 32-bit PCI hole is reserved PROT_NONE inside the mapping, so
 * a stray host access there faults instead of touching other memory.
 * Every accessor checks that the whole range is RAM; callers never compute
 * host pointers themselves. */
#ifndef TANDEM_GUEST_MEM_H
#define TANDEM_GUEST_MEM_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct guest_mem {
	uint8_t *base;      /* host address of guest physical 0 */
	uint64_t map_size;  /* bytes reserved from base */
	uint64_t ram_size;  /* total RAM */
	uint64_t low_end;   /* RAM is [0, low_end) ... */
	uint64_t high_end;  /* ... and [4 GiB, high_end); high_end == 4 GiB when there is none */
};

bool guest_mem_init(struct guest_mem *gm, uint64_t ram_size, GError **err);
void guest_mem_destroy(struct guest_mem *gm);

/* True when [gpa, gpa+len) lies entirely in one RAM range (len may be 0). */
static inline bool guest_mem_is_ram(const struct guest_mem *gm, uint64_t gpa, uint64_t len)
{
	uint64_t end = gpa + len;
	if (end < gpa)
		return false;
	if (end <= gm->low_end)
		return true;
	return gpa >= 0x100000000ULL && end <= gm->high_end;
}

/* Host pointer for [gpa, gpa+len), or NULL when any byte is not RAM. */
static inline void *guest_mem_ptr(const struct guest_mem *gm, uint64_t gpa, uint64_t len)
{
	return guest_mem_is_ram(gm, gpa, len) ? gm->base + gpa : NULL;
}

/* Copy to/from RAM; false (and nothing copied) unless the whole range is RAM. */
bool guest_mem_read(const struct guest_mem *gm, uint64_t gpa, void *dst, size_t len);
bool guest_mem_write(const struct guest_mem *gm, uint64_t gpa, const void *src, size_t len);

#endif
