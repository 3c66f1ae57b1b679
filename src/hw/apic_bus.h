/* What the IOAPIC, the LAPICs and MSI share: the interrupt message of the
 * APIC bus and a helper that turns any guest access (1-8 bytes, any
 * alignment) into aligned 32-bit register reads and writes. */
#ifndef TANDEM_HW_APIC_BUS_H
#define TANDEM_HW_APIC_BUS_H

#include <stdbool.h>
#include <stdint.h>

/* An interrupt message on the APIC bus (IOAPIC redirection, MSI, ICR). */
struct apic_msg {
	uint8_t vector;
	uint8_t delivery;     /* APIC_DM_* */
	bool logical;         /* destination mode */
	bool level;           /* trigger mode: level */
	bool assert;          /* level bit (INIT de-assert has it clear) */
	uint8_t shorthand;    /* APIC_SH_* (ICR only) */
	uint8_t dest;         /* 8-bit xAPIC destination */
	unsigned src;         /* sending CPU (ICR only) */
};

enum {
	APIC_DM_FIXED = 0, APIC_DM_LOWEST = 1, APIC_DM_SMI = 2, APIC_DM_NMI = 4,
	APIC_DM_INIT = 5, APIC_DM_STARTUP = 6, APIC_DM_EXTINT = 7,
};
enum { APIC_SH_NONE = 0, APIC_SH_SELF = 1, APIC_SH_ALL = 2, APIC_SH_OTHERS = 3 };

typedef uint32_t apic_reg_read_fn(void *opaque, uint32_t reg);  /* reg: 4-aligned offset */
typedef void apic_reg_write_fn(void *opaque, uint32_t reg, uint32_t val);

/* Reads assemble bytes from the aligned registers they fall in (reads must
 * have no side effects); a write of less than a whole register merges
 * with its current value, and each touched register is written once. */
static inline void apic_mmio_dwords(void *opaque, uint64_t offset, void *data, unsigned len,
				    bool is_write, apic_reg_read_fn *rd, apic_reg_write_fn *wr)
{
	uint8_t *bytes = data;
	unsigned i = 0;
	while (i < len) {
		uint64_t addr = offset + i;
		uint32_t reg = (uint32_t)(addr & ~3ull);
		unsigned first = (unsigned)(addr & 3);
		unsigned n = 4 - first;
		if (n > len - i)
			n = len - i;
		uint32_t cur = (is_write && n == 4) ? 0 : rd(opaque, reg);
		for (unsigned b = 0; b < n; b++) {
			unsigned shift = (first + b) * 8;
			if (is_write)
				cur = (cur & ~(0xFFu << shift)) | (uint32_t)bytes[i + b] << shift;
			else
				bytes[i + b] = (uint8_t)(cur >> shift);
		}
		if (is_write)
			wr(opaque, reg, cur);
		i += n;
	}
}

#endif
