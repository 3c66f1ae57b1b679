/* I/O APIC: see ioapic.h. Register layout from the Intel 82093AA
 * datasheet: IOREGSEL/IOWIN, ID (0), version (1), arbitration (2) and the
 * 64-bit redirection entries at 0x10 + 2 * pin. */
#include "hw/ioapic.h"

#include <string.h>

#define IOAPIC_REG_ID    0x00
#define IOAPIC_REG_VER   0x01
#define IOAPIC_REG_ARB   0x02
#define IOAPIC_REG_REDIR 0x10

#define IOAPIC_MMIO_REGSEL 0x00
#define IOAPIC_MMIO_WIN    0x10
#define IOAPIC_MMIO_EOI    0x40

#define RTE_DEST_LOGICAL  (1ull << 11)
#define RTE_DELIV_STATUS  (1ull << 12)
#define RTE_REMOTE_IRR    (1ull << 14)
#define RTE_LEVEL         (1ull << 15)
#define RTE_MASKED        (1ull << 16)
/* vector, delivery mode, dest mode, polarity, trigger, mask, destination */
#define RTE_WRITABLE      (0xFF00000000000000ull | 0x1AFFFull)

static void ioapic_service(struct ioapic *io, unsigned pin)
{
	uint64_t e = io->redir[pin];
	uint32_t bit = 1u << pin;
	if (e & RTE_MASKED)
		return;
	if (e & RTE_LEVEL) {
		if (!(io->input & bit) || (e & RTE_REMOTE_IRR))
			return;
	} else {
		if (!(io->edge_pending & bit))
			return;
		io->edge_pending &= ~bit;
	}
	struct apic_msg msg = {
		.vector = (uint8_t)e,
		.delivery = (uint8_t)((e >> 8) & 7),
		.logical = e & RTE_DEST_LOGICAL,
		.level = e & RTE_LEVEL,
		.assert = true,
		.shorthand = APIC_SH_NONE,
		.dest = (uint8_t)(e >> 56),
	};
	bool accepted = io->deliver ? io->deliver(io->opaque, &msg) : false;
	if ((e & RTE_LEVEL) && accepted)
		io->redir[pin] |= RTE_REMOTE_IRR;
}

void ioapic_set_irq(struct ioapic *io, unsigned pin, bool level)
{
	if (pin >= IOAPIC_NUM_PINS)
		return;
	uint32_t bit = 1u << pin;
	bool was = io->input & bit;
	io->input = level ? (io->input | bit) : (io->input & ~bit);
	if (!(io->redir[pin] & RTE_LEVEL) && level && !was)
		io->edge_pending |= bit;
	ioapic_service(io, pin);
}

void ioapic_eoi(struct ioapic *io, uint8_t vector)
{
	for (unsigned pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
		uint64_t e = io->redir[pin];
		if ((uint8_t)e != vector || !(e & RTE_LEVEL))
			continue;
		io->redir[pin] &= ~RTE_REMOTE_IRR;
		/* still asserted (or never accepted): deliver again */
		ioapic_service(io, pin);
	}
}

static uint32_t ioapic_reg_read(struct ioapic *io, uint8_t reg)
{
	switch (reg) {
	case IOAPIC_REG_ID:
	case IOAPIC_REG_ARB:
		return io->id & 0x0F000000u;
	case IOAPIC_REG_VER:
		return IOAPIC_VERSION;
	default:
		if (reg >= IOAPIC_REG_REDIR && reg < IOAPIC_REG_REDIR + 2 * IOAPIC_NUM_PINS) {
			uint64_t e = io->redir[(reg - IOAPIC_REG_REDIR) / 2];
			return (reg & 1) ? (uint32_t)(e >> 32) : (uint32_t)e;
		}
		return 0;
	}
}

static void ioapic_reg_write(struct ioapic *io, uint8_t reg, uint32_t val)
{
	if (reg == IOAPIC_REG_ID) {
		io->id = val & 0x0F000000u;
		return;
	}
	if (reg < IOAPIC_REG_REDIR || reg >= IOAPIC_REG_REDIR + 2 * IOAPIC_NUM_PINS)
		return;  /* version, arbitration and unknown registers are read-only */
	unsigned pin = (reg - IOAPIC_REG_REDIR) / 2;
	uint64_t old = io->redir[pin];
	uint64_t e = (reg & 1) ? (old & 0xFFFFFFFFull) | (uint64_t)val << 32
			       : (old & 0xFFFFFFFF00000000ull) | val;
	e = (e & RTE_WRITABLE) | (old & (RTE_DELIV_STATUS | RTE_REMOTE_IRR));
	if (!(e & RTE_LEVEL))
		e &= ~RTE_REMOTE_IRR;  /* Remote IRR is undefined for edge pins */
	else
		io->edge_pending &= ~(1u << pin);
	io->redir[pin] = e;
	ioapic_service(io, pin);  /* unmasking may deliver a held request */
}

static uint32_t ioapic_mmio_read(void *opaque, uint32_t off)
{
	struct ioapic *io = opaque;
	if (off == IOAPIC_MMIO_REGSEL)
		return io->regsel;
	if (off == IOAPIC_MMIO_WIN)
		return ioapic_reg_read(io, io->regsel);
	return 0;
}

static void ioapic_mmio_write(void *opaque, uint32_t off, uint32_t val)
{
	struct ioapic *io = opaque;
	if (off == IOAPIC_MMIO_REGSEL)
		io->regsel = (uint8_t)val;
	else if (off == IOAPIC_MMIO_WIN)
		ioapic_reg_write(io, io->regsel, val);
	else if (off == IOAPIC_MMIO_EOI)
		ioapic_eoi(io, (uint8_t)val);
}

void ioapic_mmio(void *opaque, uint64_t offset, void *data, unsigned len, bool is_write, unsigned cpu)
{
	(void)cpu;
	apic_mmio_dwords(opaque, offset, data, len, is_write, ioapic_mmio_read, ioapic_mmio_write);
}

void ioapic_init(struct ioapic *io, ioapic_deliver_fn *deliver, void *opaque)
{
	memset(io, 0, sizeof(*io));
	io->deliver = deliver;
	io->opaque = opaque;
	ioapic_reset(io);
}

/* Every pin masked, edge, vector 0; the pin levels are the devices' and stay. */
void ioapic_reset(struct ioapic *io)
{
	io->id = 0;
	io->regsel = 0;
	io->edge_pending = 0;
	for (unsigned pin = 0; pin < IOAPIC_NUM_PINS; pin++)
		io->redir[pin] = RTE_MASKED;
}
