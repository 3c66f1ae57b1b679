/* i8259A pair: see pic.h. Register behaviour from the Intel 8259A
 * datasheet: ICW1-ICW4 initialisation, OCW1 mask, OCW2 EOI/rotation, OCW3
 * read select, poll and special mask; priority rotates with `lowest`. */
#include "hw/pic.h"

#include <string.h>

#define ICW1_IC4   0x01
#define ICW1_SNGL  0x02
#define ICW1_LTIM  0x08
#define ICW1_INIT  0x10
#define ICW4_AEOI  0x02
#define ICW4_SFNM  0x10
#define OCW3_SEL   0x08
#define PIC_CASCADE_IR 2
#define PIC_NO_IRQ 8

static bool chip_level_mode(const struct pic_chip *c, unsigned irq)
{
	return (c->icw1 & ICW1_LTIM) || (c->elcr & (1u << irq));
}

/* Priority rank (0 highest) of the best request in `mask`, or PIC_NO_IRQ. */
static unsigned chip_best_rank(const struct pic_chip *c, uint8_t mask)
{
	for (unsigned rank = 0; rank < 8; rank++)
		if (mask & (1u << ((c->lowest + 1 + rank) & 7)))
			return rank;
	return PIC_NO_IRQ;
}

static unsigned chip_rank_irq(const struct pic_chip *c, unsigned rank)
{
	return (c->lowest + 1 + rank) & 7;
}

/* The IR this chip would present at INTA, or -1. A request must beat
 * everything in service; special mask mode ignores in-service levels that
 * are masked, special fully nested mode lets the slave interrupt itself. */
static int chip_pending(const struct pic_chip *c, bool master)
{
	unsigned rank = chip_best_rank(c, c->irr & ~c->imr);
	if (rank == PIC_NO_IRQ)
		return -1;
	uint8_t in_service = c->isr;
	if (c->special_mask)
		in_service &= ~c->imr;
	if (master && c->sfnm)
		in_service &= ~(1u << PIC_CASCADE_IR);
	if (rank < chip_best_rank(c, in_service))
		return (int)chip_rank_irq(c, rank);
	return -1;
}

static void chip_set_input(struct pic_chip *c, unsigned irq, bool level)
{
	uint8_t bit = 1u << irq;
	if (chip_level_mode(c, irq)) {
		c->irr = level ? (c->irr | bit) : (c->irr & ~bit);
	} else if (level && !(c->input & bit)) {
		c->irr |= bit;  /* rising edge; stays latched until INTA */
	}
	c->input = level ? (c->input | bit) : (c->input & ~bit);
}

static void chip_intack(struct pic_chip *c, unsigned irq)
{
	uint8_t bit = 1u << irq;
	if (!chip_level_mode(c, irq))
		c->irr &= ~bit;
	if (c->auto_eoi) {
		if (c->rotate_aeoi)
			c->lowest = irq;
	} else {
		c->isr |= bit;
	}
}

/* Slave INTR drives master IR2; the master's INTR is the CPU's. */
static void pic_update(struct pic *p)
{
	chip_set_input(&p->chip[0], PIC_CASCADE_IR, chip_pending(&p->chip[1], false) >= 0);
	p->intr = chip_pending(&p->chip[0], true) >= 0;
	if (p->notify)
		p->notify(p->opaque);
}

/* ICW1: what the datasheet says initialisation clears. The input levels
 * are kept, so an input that is already high needs a new rising edge. */
static void chip_icw1(struct pic_chip *c, uint8_t val)
{
	c->icw1 = val;
	c->init_state = 2;
	c->imr = 0;
	c->isr = 0;
	c->irr = 0;
	for (unsigned irq = 0; irq < 8; irq++)
		if (chip_level_mode(c, irq) && (c->input & (1u << irq)))
			c->irr |= 1u << irq;
	c->lowest = 7;
	c->read_isr = false;
	c->poll = false;
	c->special_mask = false;
	c->auto_eoi = false;
	c->rotate_aeoi = false;
	c->sfnm = false;
}

static void chip_ocw2(struct pic_chip *c, uint8_t val)
{
	unsigned cmd = val >> 5;
	unsigned rank, irq;
	switch (cmd) {
	case 0: /* clear rotate in AEOI mode */
	case 4: /* set rotate in AEOI mode */
		c->rotate_aeoi = cmd == 4;
		break;
	case 1: /* non-specific EOI */
	case 5: /* rotate on non-specific EOI */
		rank = chip_best_rank(c, c->isr);
		if (rank == PIC_NO_IRQ)
			break;
		irq = chip_rank_irq(c, rank);
		c->isr &= ~(1u << irq);
		if (cmd == 5)
			c->lowest = irq;
		break;
	case 3: /* specific EOI */
	case 7: /* rotate on specific EOI */
		irq = val & 7;
		c->isr &= ~(1u << irq);
		if (cmd == 7)
			c->lowest = irq;
		break;
	case 6: /* set priority: IR(val&7) becomes the lowest */
		c->lowest = val & 7;
		break;
	default: /* 2: no operation */
		break;
	}
}

static void chip_write(struct pic *p, struct pic_chip *c, unsigned port, uint8_t val)
{
	if (port == 0) {
		if (val & ICW1_INIT)
			chip_icw1(c, val);
		else if (val & OCW3_SEL) {
			if (val & 0x04)
				c->poll = true;
			if (val & 0x02)
				c->read_isr = val & 0x01;
			if (val & 0x40)
				c->special_mask = val & 0x20;
		} else {
			chip_ocw2(c, val);
		}
	} else {
		switch (c->init_state) {
		case 2: /* ICW2 */
			c->base = val & 0xF8;
			if (c->icw1 & ICW1_SNGL)
				c->init_state = (c->icw1 & ICW1_IC4) ? 4 : 0;
			else
				c->init_state = 3;
			break;
		case 3: /* ICW3: the cascade wiring is fixed on a PC */
			c->init_state = (c->icw1 & ICW1_IC4) ? 4 : 0;
			break;
		case 4: /* ICW4 (8086 mode assumed) */
			c->auto_eoi = val & ICW4_AEOI;
			c->sfnm = val & ICW4_SFNM;
			c->init_state = 0;
			break;
		default: /* OCW1 */
			c->imr = val;
			break;
		}
	}
	pic_update(p);
}

/* The poll command: an INTA without the CPU, answered as 0x80 | IR. */
static uint8_t chip_poll(struct pic *p, struct pic_chip *c, bool master)
{
	c->poll = false;
	int irq = chip_pending(c, master);
	if (irq < 0)
		return 0;
	chip_intack(c, (unsigned)irq);
	if (!master) {
		/* the slave was serviced: the master's cascade request is consumed */
		p->chip[0].irr &= ~(1u << PIC_CASCADE_IR);
	}
	pic_update(p);
	return 0x80 | (uint8_t)irq;
}

static uint8_t chip_read(struct pic *p, struct pic_chip *c, unsigned port, bool master)
{
	if (c->poll)
		return chip_poll(p, c, master);
	if (port == 1)
		return c->imr;
	return c->read_isr ? c->isr : c->irr;
}

uint8_t pic_ack(struct pic *p)
{
	struct pic_chip *m = &p->chip[0], *s = &p->chip[1];
	uint8_t vector;
	int irq = chip_pending(m, true);
	if (irq < 0) {
		vector = m->base | 7;  /* spurious IRQ7: ISR untouched */
	} else {
		chip_intack(m, (unsigned)irq);
		if (irq == PIC_CASCADE_IR) {
			int irq2 = chip_pending(s, false);
			if (irq2 >= 0) {
				chip_intack(s, (unsigned)irq2);
				vector = s->base | (uint8_t)irq2;
			} else {
				vector = s->base | 7;  /* spurious IRQ15 */
			}
		} else {
			vector = m->base | (uint8_t)irq;
		}
	}
	pic_update(p);
	return vector;
}

void pic_set_irq(struct pic *p, unsigned irq, bool level)
{
	if (irq >= 16 || irq == PIC_CASCADE_IR)
		return;
	chip_set_input(&p->chip[irq >> 3], irq & 7, level);
	pic_update(p);
}

void pic_init(struct pic *p, void (*notify)(void *opaque), void *opaque)
{
	memset(p, 0, sizeof(*p));
	p->notify = notify;
	p->opaque = opaque;
	pic_reset(p);
}

/* Power-up state as PC firmware leaves it: initialised for edge mode with
 * the BIOS vector bases (0x08, 0x70) and everything but the cascade masked,
 * so no device interrupt can reach the CPU with an exception's vector
 * before the OS reprograms the pair. */
void pic_reset(struct pic *p)
{
	for (unsigned i = 0; i < 2; i++) {
		struct pic_chip *c = &p->chip[i];
		uint8_t input = c->input;
		memset(c, 0, sizeof(*c));
		c->input = input & (i == 0 ? (uint8_t)~(1u << PIC_CASCADE_IR) : 0xFF);
		c->lowest = 7;
		c->elcr_mask = i == 0 ? 0xF8 : 0xDE;  /* IRQ0-2, 8 and 13 are always edge */
		c->base = i == 0 ? 0x08 : 0x70;
		c->imr = i == 0 ? (uint8_t)~(1u << PIC_CASCADE_IR) : 0xFF;
		c->icw1 = ICW1_INIT | ICW1_IC4;
	}
	p->intr = false;
	pic_update(p);
}

static void pic_io(struct pic *p, unsigned idx, uint64_t offset, void *data, unsigned len, bool is_write)
{
	uint8_t *bytes = data;
	for (unsigned i = 0; i < len; i++) {
		uint64_t port = offset + i;
		if (port >= 2) {
			if (!is_write)
				bytes[i] = 0xFF;
			continue;
		}
		if (is_write)
			chip_write(p, &p->chip[idx], (unsigned)port, bytes[i]);
		else
			bytes[i] = chip_read(p, &p->chip[idx], (unsigned)port, idx == 0);
	}
}

void pic_master_io(void *opaque, uint64_t offset, void *data, unsigned len, bool is_write, unsigned cpu)
{
	(void)cpu;
	pic_io(opaque, 0, offset, data, len, is_write);
}

void pic_slave_io(void *opaque, uint64_t offset, void *data, unsigned len, bool is_write, unsigned cpu)
{
	(void)cpu;
	pic_io(opaque, 1, offset, data, len, is_write);
}

void pic_elcr_io(void *opaque, uint64_t offset, void *data, unsigned len, bool is_write, unsigned cpu)
{
	struct pic *p = opaque;
	uint8_t *bytes = data;
	(void)cpu;
	for (unsigned i = 0; i < len; i++) {
		uint64_t idx = offset + i;
		if (idx >= 2) {
			if (!is_write)
				bytes[i] = 0xFF;
			continue;
		}
		struct pic_chip *c = &p->chip[idx];
		if (!is_write) {
			bytes[i] = c->elcr;
			continue;
		}
		c->elcr = bytes[i] & c->elcr_mask;
		/* inputs switched to level mode: IRR follows the line from now on */
		for (unsigned irq = 0; irq < 8; irq++)
			if (c->elcr & (1u << irq))
				c->irr = (c->irr & ~(1u << irq)) | (c->input & (1u << irq));
	}
	if (is_write)
		pic_update(p);
}
