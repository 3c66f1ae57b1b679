/* The cascaded 8259A pair of a PC (master 0x20-0x21, slave 0xA0-0xA1 on the
 * master's IR2) with the PIIX edge/level control registers (ELCR,
 * 0x4D0-0x4D1). Plain state, owned by the intc complex.
 *
 * Edge mode latches IRR on a rising input edge and keeps it until INTA (so
 * a raise+lower pulse is not lost); level mode (ICW1.LTIM or the ELCR bit)
 * makes IRR follow the input. INTA with nothing left to acknowledge yields
 * the spurious IRQ7 (master) or IRQ15 (slave) vector. */
#ifndef TANDEM_HW_PIC_H
#define TANDEM_HW_PIC_H

#include <stdbool.h>
#include <stdint.h>

struct pic_chip {
	uint8_t irr, isr, imr;
	uint8_t input;            /* current input levels */
	uint8_t elcr, elcr_mask;  /* level-triggered inputs (PIIX ELCR) */
	uint8_t base;             /* ICW2 vector base (bits 7:3) */
	uint8_t icw1;
	uint8_t init_state;       /* 0 ready, 2/3/4: the ICW expected next */
	uint8_t lowest;           /* rotation: IR(lowest+1) has the highest priority */
	bool read_isr;            /* OCW3 RR/RIS: port 0 reads ISR, else IRR */
	bool poll;                /* OCW3 poll command armed */
	bool auto_eoi, rotate_aeoi, special_mask, sfnm;
};

struct pic {
	struct pic_chip chip[2];  /* 0 master, 1 slave */
	bool intr;                /* INTR output of the master */
	void (*notify)(void *opaque);  /* INTR may have changed */
	void *opaque;
};

void pic_init(struct pic *p, void (*notify)(void *opaque), void *opaque);
void pic_reset(struct pic *p);
/* Input IRQ0-15 (IRQ2 is the cascade and ignored). */
void pic_set_irq(struct pic *p, unsigned irq, bool level);
/* INTR: an unmasked request beats what is in service. */
static inline bool pic_intr(const struct pic *p) { return p->intr; }
/* The INTA cycle: the vector, spurious IRQ7/IRQ15 if the request vanished. */
uint8_t pic_ack(struct pic *p);

/* Bus handlers: opaque is the struct pic. */
void pic_master_io(void *opaque, uint64_t offset, void *data, unsigned len, bool is_write, unsigned cpu);
void pic_slave_io(void *opaque, uint64_t offset, void *data, unsigned len, bool is_write, unsigned cpu);
void pic_elcr_io(void *opaque, uint64_t offset, void *data, unsigned len, bool is_write, unsigned cpu);

#endif
