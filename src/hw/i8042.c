#include "hw/i8042.h"

#include "vmm/layout.h"

#include <string.h>

/* Status register. */
#define STR_OBF     0x01
#define STR_SYS     0x04
#define STR_CMD     0x08  /* last write went to the command port */
#define STR_UNLOCK  0x10  /* keyboard not inhibited */
#define STR_AUX_OBF 0x20

/* Command byte (controller RAM byte 0). */
#define CTR_KBD_INT 0x01
#define CTR_AUX_INT 0x02
#define CTR_SYS     0x04
#define CTR_KBD_DIS 0x10
#define CTR_AUX_DIS 0x20
#define CTR_XLATE   0x40
#define CTR_DEFAULT (CTR_KBD_INT | CTR_SYS | CTR_XLATE)

/* Output port. */
#define OUT_RESET 0x01  /* low = CPU held in reset */
#define OUT_A20   0x02
#define OUT_IRQ1  0x10
#define OUT_IRQ12 0x20

#define KBD_ACK    0xFA
#define KBD_RESEND 0xFE
#define KBD_BAT_OK 0xAA

#define I8042_QUEUE 16  /* Linux's i8042_flush() gives up after 16 bytes */
#define I8042_RAM   32

struct i8042_byte {
	uint8_t val;
	bool aux;
};

struct i8042 {
	struct irq_line kbd_irq, aux_irq;
	void (*request_reset)(void *opaque);
	void *opaque;

	uint8_t ram[I8042_RAM];  /* ram[0] is the command byte */
	uint8_t outport;
	uint8_t last_read;       /* 0x60 reads with nothing queued repeat it */
	bool sys, last_was_cmd;
	uint8_t ctrl_pending;    /* controller command awaiting its data byte, or 0 */

	struct i8042_byte q[I8042_QUEUE];
	unsigned q_head, q_count;

	/* The keyboard. */
	uint8_t kbd_pending;     /* command awaiting its argument, or 0 */
	uint8_t kbd_set, kbd_leds, kbd_typematic;
	bool kbd_scanning;
};

static void i8042_update_irq(struct i8042 *k)
{
	bool obf = k->q_count > 0;
	bool aux = obf && k->q[k->q_head].aux;
	irq_line_set(&k->kbd_irq, obf && !aux && (k->ram[0] & CTR_KBD_INT));
	irq_line_set(&k->aux_irq, aux && (k->ram[0] & CTR_AUX_INT));
}

static void i8042_push(struct i8042 *k, uint8_t val, bool aux)
{
	if (k->q_count == I8042_QUEUE)
		return;  /* overflow: the byte is lost, as on a busy controller */
	k->q[(k->q_head + k->q_count) % I8042_QUEUE] = (struct i8042_byte){ val, aux };
	k->q_count++;
	i8042_update_irq(k);
}

static void i8042_request_reset(struct i8042 *k)
{
	if (k->request_reset)
		k->request_reset(k->opaque);
}

static void kbd_defaults(struct i8042 *k)
{
	k->kbd_set = 2;
	k->kbd_leds = 0;
	k->kbd_typematic = 0x2B;
	k->kbd_pending = 0;
}

/* A byte for the keyboard: a command, or the argument of the last one. */
static void kbd_write(struct i8042 *k, uint8_t v)
{
	uint8_t cmd = k->kbd_pending;
	if (cmd) {
		k->kbd_pending = 0;
		switch (cmd) {
		case 0xED:
			k->kbd_leds = v & 0x07;
			i8042_push(k, KBD_ACK, false);
			return;
		case 0xF3:
			k->kbd_typematic = v & 0x7F;
			i8042_push(k, KBD_ACK, false);
			return;
		case 0xF0:
			if (v == 0) {
				i8042_push(k, KBD_ACK, false);
				i8042_push(k, k->kbd_set, false);
			} else if (v <= 3) {
				k->kbd_set = v;
				i8042_push(k, KBD_ACK, false);
			} else {
				i8042_push(k, KBD_RESEND, false);
			}
			return;
		}
	}
	switch (v) {
	case 0xFF:  /* reset: ack, then the self-test result */
		kbd_defaults(k);
		k->kbd_scanning = true;
		i8042_push(k, KBD_ACK, false);
		i8042_push(k, KBD_BAT_OK, false);
		break;
	case 0xF2:  /* identify: an MF2 keyboard */
		i8042_push(k, KBD_ACK, false);
		i8042_push(k, 0xAB, false);
		i8042_push(k, 0x83, false);
		break;
	case 0xF4:
		k->kbd_scanning = true;
		i8042_push(k, KBD_ACK, false);
		break;
	case 0xF5:  /* disable and restore defaults */
		kbd_defaults(k);
		k->kbd_scanning = false;
		i8042_push(k, KBD_ACK, false);
		break;
	case 0xF6:
		kbd_defaults(k);
		i8042_push(k, KBD_ACK, false);
		break;
	case 0xED:
	case 0xF3:
	case 0xF0:
		k->kbd_pending = v;
		i8042_push(k, KBD_ACK, false);
		break;
	case 0xEE:  /* echo */
		i8042_push(k, 0xEE, false);
		break;
	default:
		i8042_push(k, KBD_RESEND, false);
		break;
	}
}

static void i8042_write_command_byte(struct i8042 *k, uint8_t v)
{
	k->ram[0] = v;
	k->sys = v & CTR_SYS;
	i8042_update_irq(k);
}

static void i8042_write_data(struct i8042 *k, uint8_t v)
{
	uint8_t cmd = k->ctrl_pending;
	k->ctrl_pending = 0;
	k->last_was_cmd = false;

	if (cmd >= 0x60 && cmd < 0x60 + I8042_RAM) {
		if (cmd == 0x60)
			i8042_write_command_byte(k, v);
		else
			k->ram[cmd - 0x60] = v;
		return;
	}
	switch (cmd) {
	case 0xD1:  /* write output port */
		k->outport = v;
		if (!(v & OUT_RESET))
			i8042_request_reset(k);
		return;
	case 0xD2:  /* as if the keyboard sent v */
		i8042_push(k, v, false);
		return;
	case 0xD3:  /* as if the aux device sent v */
		i8042_push(k, v, true);
		return;
	case 0xD4:  /* to the aux device: there is none */
		i8042_push(k, KBD_RESEND, true);
		return;
	default:
		kbd_write(k, v);
	}
}

static void i8042_write_cmd(struct i8042 *k, uint8_t cmd)
{
	k->last_was_cmd = true;
	k->ctrl_pending = 0;

	if (cmd >= 0x20 && cmd < 0x20 + I8042_RAM) {  /* read controller RAM */
		i8042_push(k, k->ram[cmd - 0x20], false);
		return;
	}
	if ((cmd >= 0x60 && cmd < 0x60 + I8042_RAM) ||
	    (cmd >= 0xD1 && cmd <= 0xD4)) {
		k->ctrl_pending = cmd;  /* the data byte follows on 0x60 */
		return;
	}
	if (cmd >= 0xF0) {  /* pulse output-port bits whose mask bit is 0 */
		if (!(cmd & 0x01))
			i8042_request_reset(k);
		return;
	}
	switch (cmd) {
	case 0xA7:
		k->ram[0] |= CTR_AUX_DIS;
		break;
	case 0xA8:
		k->ram[0] &= ~CTR_AUX_DIS;
		break;
	case 0xA9:  /* aux interface test: OK */
	case 0xAB:  /* keyboard interface test: OK */
		i8042_push(k, 0x00, false);
		break;
	case 0xAA:  /* controller self-test */
		k->sys = true;
		i8042_push(k, 0x55, false);
		break;
	case 0xAD:
		k->ram[0] |= CTR_KBD_DIS;
		break;
	case 0xAE:
		k->ram[0] &= ~CTR_KBD_DIS;
		break;
	case 0xD0: {  /* read output port; its IRQ bits mirror the lines */
		bool obf = k->q_count > 0, aux = obf && k->q[k->q_head].aux;
		uint8_t v = (k->outport & ~(OUT_IRQ1 | OUT_IRQ12)) |
			    (obf && !aux ? OUT_IRQ1 : 0) | (aux ? OUT_IRQ12 : 0);
		i8042_push(k, v, false);
		break;
	}
	default:
		break;  /* unknown: ignored */
	}
}

static uint8_t i8042_status(const struct i8042 *k)
{
	uint8_t s = STR_UNLOCK;
	if (k->q_count) {
		s |= STR_OBF;
		if (k->q[k->q_head].aux)
			s |= STR_AUX_OBF;
	}
	if (k->sys)
		s |= STR_SYS;
	if (k->last_was_cmd)
		s |= STR_CMD;
	return s;
}

void i8042_data_io(void *opaque, uint64_t offset, void *data, unsigned len, bool is_write, unsigned cpu)
{
	(void)cpu;
	struct i8042 *k = opaque;
	uint8_t *p = data;
	if (is_write) {
		if (offset == 0)
			i8042_write_data(k, p[0]);
		return;
	}
	memset(p, 0xFF, len);
	if (offset != 0)
		return;
	if (k->q_count) {
		k->last_read = k->q[k->q_head].val;
		k->q_head = (k->q_head + 1) % I8042_QUEUE;
		k->q_count--;
		/* Drops the line, and raises it again for the next byte. */
		irq_line_lower(&k->kbd_irq);
		irq_line_lower(&k->aux_irq);
		i8042_update_irq(k);
	}
	p[0] = k->last_read;
}

void i8042_cmd_io(void *opaque, uint64_t offset, void *data, unsigned len, bool is_write, unsigned cpu)
{
	(void)cpu;
	struct i8042 *k = opaque;
	uint8_t *p = data;
	if (is_write) {
		if (offset == 0)
			i8042_write_cmd(k, p[0]);
		return;
	}
	memset(p, 0xFF, len);
	if (offset == 0)
		p[0] = i8042_status(k);
}

void i8042_reset(struct i8042 *k)
{
	memset(k->ram, 0, sizeof(k->ram));
	k->ram[0] = CTR_DEFAULT;
	k->sys = true;  /* as a BIOS leaves it after POST */
	k->outport = OUT_RESET | OUT_A20;
	k->last_read = 0;
	k->last_was_cmd = false;
	k->ctrl_pending = 0;
	k->q_head = k->q_count = 0;
	kbd_defaults(k);
	k->kbd_scanning = true;
	i8042_update_irq(k);
}

struct i8042 *i8042_create(struct irq_line kbd_irq, struct irq_line aux_irq,
			   void (*request_reset)(void *opaque), void *opaque)
{
	struct i8042 *k = g_new0(struct i8042, 1);
	k->kbd_irq = kbd_irq;
	k->aux_irq = aux_irq;
	k->request_reset = request_reset;
	k->opaque = opaque;
	i8042_reset(k);
	return k;
}

bool i8042_register(struct i8042 *k, struct bus *pio, GError **err)
{
	return bus_register(pio, PORT_KBD_DATA, 1, i8042_data_io, k, "i8042-data", err) &&
	       bus_register(pio, PORT_KBD_CMD, 1, i8042_cmd_io, k, "i8042-cmd", err);
}

void i8042_destroy(struct i8042 *k)
{
	g_free(k);
}
