#include "hw/i8042.h"

#include "vmm/layout.h"

#include "devtest.h"

#define DATA PORT_KBD_DATA
#define CMD PORT_KBD_CMD

struct fixture {
	struct irqlog irq;
	struct bus pio;
	struct i8042 *k;
	unsigned resets;
};

static void on_reset(void *opaque)
{
	((struct fixture *)opaque)->resets++;
}

static void setup(struct fixture *f)
{
	irqlog_init(&f->irq);
	bus_init(&f->pio, "pio");
	f->resets = 0;
	f->k = i8042_create(irqlog_line(&f->irq, IRQ_KBD), irqlog_line(&f->irq, IRQ_MOUSE), on_reset, f);
	g_assert_true(i8042_register(f->k, &f->pio, NULL));
}

static void teardown(struct fixture *f)
{
	i8042_destroy(f->k);
	bus_destroy(&f->pio);
}

/* Reads every queued byte into out; returns how many. */
static unsigned drain(struct fixture *f, uint8_t *out, unsigned max)
{
	unsigned n = 0;
	while ((inb(&f->pio, CMD) & 0x01) && n < max)
		out[n++] = inb(&f->pio, DATA);
	return n;
}

static uint8_t command(struct fixture *f, uint8_t cmd)
{
	outb(&f->pio, CMD, cmd);
	g_assert_cmpuint(inb(&f->pio, CMD) & 0x01, ==, 0x01);
	return inb(&f->pio, DATA);
}

static void test_status_and_command_byte(void)
{
	struct fixture f;
	setup(&f);
	uint8_t st = inb(&f.pio, CMD);
	g_assert_cmpuint(st, !=, 0xFF);            /* a controller is there */
	g_assert_cmpuint(st & 0x01, ==, 0);        /* nothing to read */
	g_assert_cmpuint(st & 0x02, ==, 0);        /* never busy */
	g_assert_cmpuint(st & 0x04, ==, 0x04);     /* SYS after POST */
	g_assert_cmpuint(command(&f, 0x20), ==, 0x45);
	g_assert_cmpuint(inb(&f.pio, CMD) & 0x08, ==, 0x08);  /* last write: command */
	outb(&f.pio, CMD, 0x60);
	outb(&f.pio, DATA, 0x62);                   /* aux disabled, aux int, no sys */
	g_assert_cmpuint(inb(&f.pio, CMD) & 0x0C, ==, 0);
	g_assert_cmpuint(command(&f, 0x20), ==, 0x62);
	/* Other controller RAM bytes. */
	outb(&f.pio, CMD, 0x65);
	outb(&f.pio, DATA, 0x99);
	g_assert_cmpuint(command(&f, 0x25), ==, 0x99);
	g_assert_cmpuint(command(&f, 0x20), ==, 0x62);
	teardown(&f);
}

static void test_controller_commands(void)
{
	struct fixture f;
	setup(&f);
	g_assert_cmpuint(command(&f, 0xAA), ==, 0x55);
	g_assert_cmpuint(command(&f, 0xAB), ==, 0x00);
	g_assert_cmpuint(command(&f, 0xA9), ==, 0x00);
	outb(&f.pio, CMD, 0xA7);
	g_assert_cmpuint(command(&f, 0x20) & 0x20, ==, 0x20);
	outb(&f.pio, CMD, 0xA8);
	g_assert_cmpuint(command(&f, 0x20) & 0x20, ==, 0);
	outb(&f.pio, CMD, 0xAD);
	g_assert_cmpuint(command(&f, 0x20) & 0x10, ==, 0x10);
	outb(&f.pio, CMD, 0xAE);
	g_assert_cmpuint(command(&f, 0x20) & 0x10, ==, 0);
	/* Unknown commands are ignored. */
	outb(&f.pio, CMD, 0xC5);
	g_assert_cmpuint(inb(&f.pio, CMD) & 0x01, ==, 0);
	g_assert_cmpuint(f.resets, ==, 0);
	teardown(&f);
}

static void test_output_port_and_reset(void)
{
	struct fixture f;
	setup(&f);
	g_assert_cmpuint(command(&f, 0xD0) & 0x03, ==, 0x03);  /* running, A20 on */
	outb(&f.pio, CMD, 0xD1);
	outb(&f.pio, DATA, 0x03);
	g_assert_cmpuint(f.resets, ==, 0);
	outb(&f.pio, CMD, 0xD1);
	outb(&f.pio, DATA, 0x02);                    /* bit 0 clear: reset */
	g_assert_cmpuint(f.resets, ==, 1);
	g_assert_cmpuint(command(&f, 0xD0) & 0x03, ==, 0x02);
	outb(&f.pio, CMD, 0xFE);                     /* the classic reboot */
	g_assert_cmpuint(f.resets, ==, 2);
	outb(&f.pio, CMD, 0xF0);                     /* pulse all: includes bit 0 */
	g_assert_cmpuint(f.resets, ==, 3);
	outb(&f.pio, CMD, 0xFF);                     /* pulse none */
	outb(&f.pio, CMD, 0xF1);
	g_assert_cmpuint(f.resets, ==, 3);
	teardown(&f);
}

static void test_loopback_and_aux(void)
{
	struct fixture f;
	setup(&f);
	/* Linux's i8042_check_aux: AUX_LOOP must come back with AUX_OBF. */
	outb(&f.pio, CMD, 0xD3);
	outb(&f.pio, DATA, 0x5A);
	g_assert_cmpuint(inb(&f.pio, CMD) & 0x21, ==, 0x21);
	g_assert_cmpuint(inb(&f.pio, DATA), ==, 0x5A);
	/* Keyboard loopback: OBF without AUX_OBF. */
	outb(&f.pio, CMD, 0xD2);
	outb(&f.pio, DATA, 0x1C);
	g_assert_cmpuint(inb(&f.pio, CMD) & 0x21, ==, 0x01);
	g_assert_cmpuint(inb(&f.pio, DATA), ==, 0x1C);
	/* No mouse: every aux byte is answered 0xFE on the aux side. */
	outb(&f.pio, CMD, 0xD4);
	outb(&f.pio, DATA, 0xF2);
	g_assert_cmpuint(inb(&f.pio, CMD) & 0x21, ==, 0x21);
	g_assert_cmpuint(inb(&f.pio, DATA), ==, 0xFE);
	g_assert_cmpuint(inb(&f.pio, CMD) & 0x01, ==, 0);
	/* An empty buffer re-reads the last byte, harmlessly. */
	g_assert_cmpuint(inb(&f.pio, DATA), ==, 0xFE);
	teardown(&f);
}

static void test_keyboard_commands(void)
{
	struct fixture f;
	setup(&f);
	uint8_t b[16];
	outb(&f.pio, DATA, 0xFF);
	g_assert_cmpuint(drain(&f, b, 16), ==, 2);
	g_assert_cmpuint(b[0], ==, 0xFA);
	g_assert_cmpuint(b[1], ==, 0xAA);
	outb(&f.pio, DATA, 0xF2);
	g_assert_cmpuint(drain(&f, b, 16), ==, 3);
	g_assert_cmpuint(b[0], ==, 0xFA);
	g_assert_cmpuint(b[1], ==, 0xAB);
	g_assert_cmpuint(b[2], ==, 0x83);
	for (uint8_t c = 0xF4; c <= 0xF6; c++) {
		outb(&f.pio, DATA, c);
		g_assert_cmpuint(drain(&f, b, 16), ==, 1);
		g_assert_cmpuint(b[0], ==, 0xFA);
	}
	/* Commands with an argument: ack each byte. */
	outb(&f.pio, DATA, 0xED);
	g_assert_cmpuint(drain(&f, b, 16), ==, 1);
	outb(&f.pio, DATA, 0x07);
	g_assert_cmpuint(drain(&f, b, 16), ==, 1);
	g_assert_cmpuint(b[0], ==, 0xFA);
	outb(&f.pio, DATA, 0xF3);
	outb(&f.pio, DATA, 0x20);
	g_assert_cmpuint(drain(&f, b, 16), ==, 2);
	g_assert_cmpuint(b[0], ==, 0xFA);
	g_assert_cmpuint(b[1], ==, 0xFA);
	/* Scancode set: get answers 2; set 3 then get 3. */
	outb(&f.pio, DATA, 0xF0);
	outb(&f.pio, DATA, 0x00);
	g_assert_cmpuint(drain(&f, b, 16), ==, 3);
	g_assert_cmpuint(b[0], ==, 0xFA);
	g_assert_cmpuint(b[1], ==, 0xFA);
	g_assert_cmpuint(b[2], ==, 2);
	outb(&f.pio, DATA, 0xF0);
	outb(&f.pio, DATA, 0x03);
	outb(&f.pio, DATA, 0xF0);
	outb(&f.pio, DATA, 0x00);
	g_assert_cmpuint(drain(&f, b, 16), ==, 5);
	g_assert_cmpuint(b[4], ==, 3);
	/* Echo and unknown. */
	outb(&f.pio, DATA, 0xEE);
	g_assert_cmpuint(drain(&f, b, 16), ==, 1);
	g_assert_cmpuint(b[0], ==, 0xEE);
	outb(&f.pio, DATA, 0x42);
	g_assert_cmpuint(drain(&f, b, 16), ==, 1);
	g_assert_cmpuint(b[0], ==, 0xFE);
	teardown(&f);
}

static void test_interrupts(void)
{
	struct fixture f;
	setup(&f);
	/* Keyboard interrupts on (default command byte): each byte is an edge. */
	outb(&f.pio, DATA, 0xF2);
	g_assert_true(f.irq.level[IRQ_KBD]);
	g_assert_cmpuint(f.irq.edges[IRQ_KBD], ==, 1);
	inb(&f.pio, DATA);
	g_assert_cmpuint(f.irq.edges[IRQ_KBD], ==, 2);
	inb(&f.pio, DATA);
	g_assert_cmpuint(f.irq.edges[IRQ_KBD], ==, 3);
	inb(&f.pio, DATA);
	g_assert_false(f.irq.level[IRQ_KBD]);
	/* Aux bytes raise IRQ 12 only when the command byte enables it. */
	outb(&f.pio, CMD, 0xD3);
	outb(&f.pio, DATA, 0x11);
	g_assert_false(f.irq.level[IRQ_MOUSE]);
	g_assert_false(f.irq.level[IRQ_KBD]);
	outb(&f.pio, CMD, 0x60);
	outb(&f.pio, DATA, 0x47);
	g_assert_true(f.irq.level[IRQ_MOUSE]);
	inb(&f.pio, DATA);
	g_assert_false(f.irq.level[IRQ_MOUSE]);
	/* Keyboard interrupt disabled: no IRQ 1. */
	outb(&f.pio, CMD, 0x60);
	outb(&f.pio, DATA, 0x46);
	outb(&f.pio, DATA, 0xF4);
	g_assert_false(f.irq.level[IRQ_KBD]);
	g_assert_cmpuint(inb(&f.pio, DATA), ==, 0xFA);
	teardown(&f);
}

static void test_queue_bounded_and_reset(void)
{
	struct fixture f;
	setup(&f);
	for (int i = 0; i < 40; i++)
		outb(&f.pio, DATA, 0xF2);
	uint8_t b[64];
	g_assert_cmpuint(drain(&f, b, 64), ==, 16);
	outb(&f.pio, DATA, 0xED);   /* leave an argument pending ... */
	outb(&f.pio, CMD, 0x60);    /* ... and a controller command */
	outb(&f.pio, DATA, 0x00);
	i8042_reset(f.k);
	g_assert_false(f.irq.level[IRQ_KBD]);
	g_assert_cmpuint(inb(&f.pio, CMD) & 0x01, ==, 0);
	g_assert_cmpuint(command(&f, 0x20), ==, 0x45);
	outb(&f.pio, DATA, 0xF4);   /* a command again, not an argument */
	g_assert_cmpuint(drain(&f, b, 64), ==, 1);
	g_assert_cmpuint(b[0], ==, 0xFA);
	teardown(&f);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/i8042/status-command-byte", test_status_and_command_byte);
	g_test_add_func("/i8042/controller-commands", test_controller_commands);
	g_test_add_func("/i8042/output-port-reset", test_output_port_and_reset);
	g_test_add_func("/i8042/loopback-aux", test_loopback_and_aux);
	g_test_add_func("/i8042/keyboard-commands", test_keyboard_commands);
	g_test_add_func("/i8042/interrupts", test_interrupts);
	g_test_add_func("/i8042/queue-reset", test_queue_bounded_and_reset);
	return g_test_run();
}
