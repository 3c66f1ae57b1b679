/* 8259A pair: initialisation, IMR readback, priority, EOI, cascade,
 * spurious IRQ7/IRQ15, edge and level (ELCR) inputs, poll, rotation. */
#include "hw/pic.h"

#include <glib.h>

static unsigned notifies;

static void on_notify(void *opaque)
{
	(void)opaque;
	notifies++;
}

static void outb(struct pic *p, unsigned port, uint8_t v)
{
	if (port >= 0x4D0)
		pic_elcr_io(p, port - 0x4D0, &v, 1, true, 0);
	else if (port >= 0xA0)
		pic_slave_io(p, port - 0xA0, &v, 1, true, 0);
	else
		pic_master_io(p, port - 0x20, &v, 1, true, 0);
}

static uint8_t inb(struct pic *p, unsigned port)
{
	uint8_t v = 0;
	if (port >= 0x4D0)
		pic_elcr_io(p, port - 0x4D0, &v, 1, false, 0);
	else if (port >= 0xA0)
		pic_slave_io(p, port - 0xA0, &v, 1, false, 0);
	else
		pic_master_io(p, port - 0x20, &v, 1, false, 0);
	return v;
}

/* Linux's init_8259A(0) with vector bases 0x30/0x38. */
static void linux_init(struct pic *p, uint8_t icw4)
{
	outb(p, 0x21, 0xFF);
	outb(p, 0xA1, 0xFF);
	outb(p, 0x20, 0x11);
	outb(p, 0x21, 0x30);
	outb(p, 0x21, 0x04);
	outb(p, 0x21, icw4);
	outb(p, 0xA0, 0x11);
	outb(p, 0xA1, 0x38);
	outb(p, 0xA1, 0x02);
	outb(p, 0xA1, icw4);
	outb(p, 0x21, 0x00);
	outb(p, 0xA1, 0x00);
}

static void pulse(struct pic *p, unsigned irq)
{
	pic_set_irq(p, irq, true);
	pic_set_irq(p, irq, false);
}

static uint8_t read_isr(struct pic *p, unsigned cmd_port)
{
	outb(p, cmd_port, 0x0B);
	return inb(p, cmd_port);
}

static uint8_t read_irr(struct pic *p, unsigned cmd_port)
{
	outb(p, cmd_port, 0x0A);
	return inb(p, cmd_port);
}

static void test_reset_state(void)
{
	struct pic p;
	pic_init(&p, on_notify, NULL);
	/* as firmware leaves it: everything but the cascade masked */
	g_assert_cmphex(inb(&p, 0x21), ==, 0xFB);
	g_assert_cmphex(inb(&p, 0xA1), ==, 0xFF);
	pulse(&p, 1);
	g_assert_false(pic_intr(&p));
	outb(&p, 0x21, 0xF9);
	g_assert_true(pic_intr(&p));
	g_assert_cmphex(pic_ack(&p), ==, 0x09);  /* BIOS base 0x08 */
}

static void test_init_and_imr_probe(void)
{
	struct pic p;
	pic_init(&p, on_notify, NULL);
	linux_init(&p, 0x01);
	/* probe_8259A: the IMR reads back what was written */
	static const uint8_t vals[] = { 0xFF, 0xFB, 0x00, 0x5A, 0xA5 };
	for (unsigned i = 0; i < G_N_ELEMENTS(vals); i++) {
		outb(&p, 0x21, vals[i]);
		g_assert_cmphex(inb(&p, 0x21), ==, vals[i]);
		outb(&p, 0xA1, vals[i] ^ 0xFF);
		g_assert_cmphex(inb(&p, 0xA1), ==, vals[i] ^ 0xFF);
	}
	/* ICW1 clears the mask and the read select is IRR */
	outb(&p, 0x20, 0x11);
	g_assert_cmphex(inb(&p, 0x21), ==, 0x00);
}

static void test_priority_and_eoi(void)
{
	struct pic p;
	pic_init(&p, on_notify, NULL);
	linux_init(&p, 0x01);
	notifies = 0;
	pulse(&p, 3);
	pulse(&p, 5);
	g_assert_cmpuint(notifies, >, 0);
	g_assert_true(pic_intr(&p));
	g_assert_cmphex(read_irr(&p, 0x20), ==, 0x28);
	g_assert_cmphex(pic_ack(&p), ==, 0x33);
	g_assert_cmphex(read_isr(&p, 0x20), ==, 0x08);
	g_assert_cmphex(read_irr(&p, 0x20), ==, 0x20);
	/* IRQ5 is lower priority than IRQ3 in service */
	g_assert_false(pic_intr(&p));
	/* IRQ1 beats it: nesting */
	pulse(&p, 1);
	g_assert_true(pic_intr(&p));
	g_assert_cmphex(pic_ack(&p), ==, 0x31);
	g_assert_cmphex(read_isr(&p, 0x20), ==, 0x0A);
	outb(&p, 0x20, 0x20);  /* non-specific EOI: the highest (IRQ1) */
	g_assert_cmphex(read_isr(&p, 0x20), ==, 0x08);
	g_assert_false(pic_intr(&p));
	outb(&p, 0x20, 0x63);  /* specific EOI IRQ3 */
	g_assert_cmphex(read_isr(&p, 0x20), ==, 0x00);
	g_assert_true(pic_intr(&p));
	g_assert_cmphex(pic_ack(&p), ==, 0x35);
	outb(&p, 0x20, 0x20);
	g_assert_false(pic_intr(&p));
	/* masked requests stay in IRR */
	outb(&p, 0x21, 0x40);
	pulse(&p, 6);
	g_assert_false(pic_intr(&p));
	g_assert_cmphex(read_irr(&p, 0x20), ==, 0x40);
	outb(&p, 0x21, 0x00);
	g_assert_true(pic_intr(&p));
	g_assert_cmphex(pic_ack(&p), ==, 0x36);
}

static void test_cascade(void)
{
	struct pic p;
	pic_init(&p, on_notify, NULL);
	linux_init(&p, 0x01);
	pulse(&p, 10);
	g_assert_true(pic_intr(&p));
	g_assert_cmphex(pic_ack(&p), ==, 0x3A);
	g_assert_cmphex(read_isr(&p, 0x20), ==, 0x04);
	g_assert_cmphex(read_isr(&p, 0xA0), ==, 0x04);
	/* a second slave request waits for the master's IR2 */
	pulse(&p, 9);
	g_assert_false(pic_intr(&p));
	outb(&p, 0xA0, 0x20);
	outb(&p, 0x20, 0x20);
	g_assert_true(pic_intr(&p));
	g_assert_cmphex(pic_ack(&p), ==, 0x39);
	outb(&p, 0xA0, 0x20);
	outb(&p, 0x20, 0x20);
	g_assert_false(pic_intr(&p));
	/* a masked slave input does not reach the master */
	outb(&p, 0xA1, 0x10);
	pulse(&p, 12);
	g_assert_false(pic_intr(&p));
	outb(&p, 0xA1, 0x00);
	g_assert_cmphex(pic_ack(&p), ==, 0x3C);
	/* line 2 is the cascade: no device can drive it */
	outb(&p, 0xA0, 0x20);
	outb(&p, 0x20, 0x20);
	pulse(&p, 2);
	g_assert_false(pic_intr(&p));
}

static void test_spurious(void)
{
	struct pic p;
	pic_init(&p, on_notify, NULL);
	linux_init(&p, 0x01);
	outb(&p, 0x4D0, 0x08);  /* IRQ3 level */
	outb(&p, 0x4D1, 0x02);  /* IRQ9 level */
	pic_set_irq(&p, 3, true);
	g_assert_true(pic_intr(&p));
	pic_set_irq(&p, 3, false);
	g_assert_false(pic_intr(&p));
	/* the request vanished before INTA: IRQ7, nothing in service */
	g_assert_cmphex(pic_ack(&p), ==, 0x37);
	g_assert_cmphex(read_isr(&p, 0x20), ==, 0x00);
	/* slave: its request vanishes after the master latched IR2 */
	pic_set_irq(&p, 9, true);
	pic_set_irq(&p, 9, false);
	g_assert_true(pic_intr(&p));
	g_assert_cmphex(pic_ack(&p), ==, 0x3F);
	g_assert_cmphex(read_isr(&p, 0x20), ==, 0x04);  /* the master needs its EOI */
	g_assert_cmphex(read_isr(&p, 0xA0), ==, 0x00);
}

static void test_level_and_elcr(void)
{
	struct pic p;
	pic_init(&p, on_notify, NULL);
	linux_init(&p, 0x01);
	outb(&p, 0x4D0, 0xFF);
	outb(&p, 0x4D1, 0xFF);
	g_assert_cmphex(inb(&p, 0x4D0), ==, 0xF8);  /* IRQ0-2 always edge */
	g_assert_cmphex(inb(&p, 0x4D1), ==, 0xDE);  /* IRQ8, IRQ13 always edge */
	outb(&p, 0x4D0, 0x00);
	outb(&p, 0x4D1, 0x02);
	pic_set_irq(&p, 9, true);
	g_assert_cmphex(pic_ack(&p), ==, 0x39);
	outb(&p, 0xA0, 0x20);
	outb(&p, 0x20, 0x20);
	/* still asserted: requested again */
	g_assert_true(pic_intr(&p));
	g_assert_cmphex(pic_ack(&p), ==, 0x39);
	pic_set_irq(&p, 9, false);
	outb(&p, 0xA0, 0x20);
	outb(&p, 0x20, 0x20);
	g_assert_false(pic_intr(&p));
	/* edge: an input held high requests once */
	pic_set_irq(&p, 4, true);
	g_assert_cmphex(pic_ack(&p), ==, 0x34);
	outb(&p, 0x20, 0x20);
	pic_set_irq(&p, 4, true);
	g_assert_false(pic_intr(&p));
	pic_set_irq(&p, 4, false);
	pic_set_irq(&p, 4, true);
	g_assert_true(pic_intr(&p));
	/* ICW1.LTIM makes every input of the chip level-triggered */
	pic_set_irq(&p, 4, false);
	outb(&p, 0x20, 0x19);
	outb(&p, 0x21, 0x30);
	outb(&p, 0x21, 0x04);
	outb(&p, 0x21, 0x01);
	pic_set_irq(&p, 5, true);
	g_assert_true(pic_intr(&p));
	pic_set_irq(&p, 5, false);
	g_assert_false(pic_intr(&p));
}

static void test_auto_eoi_and_rotation(void)
{
	struct pic p;
	pic_init(&p, on_notify, NULL);
	linux_init(&p, 0x03);  /* AEOI */
	pulse(&p, 0);
	g_assert_cmphex(pic_ack(&p), ==, 0x30);
	g_assert_cmphex(read_isr(&p, 0x20), ==, 0x00);
	/* rotate on non-specific EOI: the serviced IR becomes lowest */
	linux_init(&p, 0x01);
	pulse(&p, 0);
	pulse(&p, 1);
	g_assert_cmphex(pic_ack(&p), ==, 0x30);
	outb(&p, 0x20, 0xA0);
	pulse(&p, 0);
	g_assert_cmphex(pic_ack(&p), ==, 0x31);  /* IR1 now beats IR0 */
	outb(&p, 0x20, 0x20);
	/* set priority: IR5 lowest, so IR6 is highest */
	outb(&p, 0x20, 0xC5);
	pulse(&p, 6);
	g_assert_cmphex(pic_ack(&p), ==, 0x36);
	outb(&p, 0x20, 0x20);
	g_assert_cmphex(pic_ack(&p), ==, 0x30);
	outb(&p, 0x20, 0x20);
	/* rotate in AEOI mode */
	linux_init(&p, 0x03);
	outb(&p, 0x20, 0x80);
	pulse(&p, 2 + 1);
	pulse(&p, 4);
	g_assert_cmphex(pic_ack(&p), ==, 0x33);
	pulse(&p, 3);
	g_assert_cmphex(pic_ack(&p), ==, 0x34);  /* IR3 became lowest */
}

static void test_poll_and_special_mask(void)
{
	struct pic p;
	pic_init(&p, on_notify, NULL);
	linux_init(&p, 0x01);
	outb(&p, 0x20, 0x0C);  /* poll with nothing pending */
	g_assert_cmphex(inb(&p, 0x20), ==, 0x00);
	pulse(&p, 6);
	outb(&p, 0x20, 0x0C);
	g_assert_cmphex(inb(&p, 0x20), ==, 0x86);
	g_assert_cmphex(read_isr(&p, 0x20), ==, 0x40);
	outb(&p, 0x20, 0x20);
	/* special mask mode: a masked in-service level stops blocking */
	pulse(&p, 3);
	g_assert_cmphex(pic_ack(&p), ==, 0x33);
	pulse(&p, 5);
	g_assert_false(pic_intr(&p));
	outb(&p, 0x20, 0x68);  /* set SMM */
	outb(&p, 0x21, 0x08);
	g_assert_true(pic_intr(&p));
	g_assert_cmphex(pic_ack(&p), ==, 0x35);
	outb(&p, 0x20, 0x48);  /* clear SMM */
	outb(&p, 0x20, 0x65);
	outb(&p, 0x20, 0x63);
	g_assert_cmphex(read_isr(&p, 0x20), ==, 0x00);
}

/* Special fully nested mode: the slave may interrupt its own in-service
 * IR2 with a higher-priority request. */
static void test_special_fully_nested(void)
{
	struct pic p;
	pic_init(&p, on_notify, NULL);
	linux_init(&p, 0x01);
	outb(&p, 0x20, 0x11);
	outb(&p, 0x21, 0x30);
	outb(&p, 0x21, 0x04);
	outb(&p, 0x21, 0x11);  /* SFNM */
	outb(&p, 0x21, 0x00);
	pulse(&p, 12);
	g_assert_cmphex(pic_ack(&p), ==, 0x3C);
	pulse(&p, 9);
	g_assert_true(pic_intr(&p));
	g_assert_cmphex(pic_ack(&p), ==, 0x39);
	/* without SFNM the same request waits */
	linux_init(&p, 0x01);
	pulse(&p, 12);
	g_assert_cmphex(pic_ack(&p), ==, 0x3C);
	pulse(&p, 9);
	g_assert_false(pic_intr(&p));
}

static void test_odd_accesses(void)
{
	struct pic p;
	pic_init(&p, on_notify, NULL);
	linux_init(&p, 0x01);
	outb(&p, 0x21, 0x5A);
	uint8_t buf[8];
	memset(buf, 0, sizeof(buf));
	pic_master_io(&p, 0, buf, 2, false, 0);  /* a word read covers both ports */
	g_assert_cmphex(buf[1], ==, 0x5A);
	memset(buf, 0, sizeof(buf));
	pic_master_io(&p, 1, buf, 8, false, 0);
	g_assert_cmphex(buf[0], ==, 0x5A);
	g_assert_cmphex(buf[1], ==, 0xFF);
	g_assert_cmphex(buf[7], ==, 0xFF);
	memset(buf, 0x77, sizeof(buf));
	pic_slave_io(&p, 1, buf, 8, true, 0);
	g_assert_cmphex(inb(&p, 0xA1), ==, 0x77);
	pic_elcr_io(&p, 1, buf, 8, true, 0);
	g_assert_cmphex(inb(&p, 0x4D1), ==, 0x77 & 0xDE);
	pic_set_irq(&p, 99, true);  /* out of range: ignored */
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/pic/reset-state", test_reset_state);
	g_test_add_func("/pic/init-and-imr-probe", test_init_and_imr_probe);
	g_test_add_func("/pic/priority-and-eoi", test_priority_and_eoi);
	g_test_add_func("/pic/cascade", test_cascade);
	g_test_add_func("/pic/spurious", test_spurious);
	g_test_add_func("/pic/level-and-elcr", test_level_and_elcr);
	g_test_add_func("/pic/auto-eoi-and-rotation", test_auto_eoi_and_rotation);
	g_test_add_func("/pic/poll-and-special-mask", test_poll_and_special_mask);
	g_test_add_func("/pic/special-fully-nested", test_special_fully_nested);
	g_test_add_func("/pic/odd-accesses", test_odd_accesses);
	return g_test_run();
}
