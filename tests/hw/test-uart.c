#include "hw/uart.h"

#include "devtest.h"

#define BASE 0x3F8
#define THR (BASE + 0)
#define RBR (BASE + 0)
#define IER (BASE + 1)
#define IIR (BASE + 2)
#define FCR (BASE + 2)
#define LCR (BASE + 3)
#define MCR (BASE + 4)
#define LSR (BASE + 5)
#define MSR (BASE + 6)
#define SCR (BASE + 7)
#define LINE 4

struct fixture {
	struct irqlog irq;
	struct bus pio;
	struct uart *u;
	GByteArray *out;
};

static void out_write(void *opaque, const uint8_t *buf, size_t len)
{
	g_byte_array_append(opaque, buf, (guint)len);
}

static void setup(struct fixture *f)
{
	irqlog_init(&f->irq);
	bus_init(&f->pio, "pio");
	f->out = g_byte_array_new();
	struct uart_backend be = { f->out, out_write };
	f->u = uart_create(irqlog_line(&f->irq, LINE), &be);
	g_assert_true(uart_register(f->u, &f->pio, BASE, NULL));
}

static void teardown(struct fixture *f)
{
	uart_destroy(f->u);
	bus_destroy(&f->pio);
	g_byte_array_unref(f->out);
}

/* What Linux 6.1's autoconfig() and autoconfig_16550a() do. */
static void test_autoconfig(void)
{
	struct fixture f;
	setup(&f);
	outb(&f.pio, IER, 0);
	g_assert_cmpuint(inb(&f.pio, IER) & 0x0F, ==, 0);
	outb(&f.pio, IER, 0x0F);
	g_assert_cmpuint(inb(&f.pio, IER) & 0x0F, ==, 0x0F);
	outb(&f.pio, IER, 0xFF);
	g_assert_cmpuint(inb(&f.pio, IER), ==, 0x0F);  /* UUE (bit 6) not writable: no XScale */
	outb(&f.pio, IER, 0);

	outb(&f.pio, LCR, 0xBF);   /* UART_LCR_CONF_MODE_B */
	outb(&f.pio, FCR, 0);      /* the EFR write */
	outb(&f.pio, LCR, 0);
	outb(&f.pio, FCR, 0x01);
	g_assert_cmpuint(inb(&f.pio, IIR) >> 6, ==, 3);  /* 16550A */

	/* No EFR with DLAB set (EFR reads back IIR, non-zero). */
	outb(&f.pio, LCR, 0x80);
	g_assert_cmpuint(inb(&f.pio, IIR), !=, 0);
	outb(&f.pio, LCR, 0xBF);
	g_assert_cmpuint(inb(&f.pio, IIR), !=, 0);
	outb(&f.pio, LCR, 0);
	/* Not a TI16750: IIR bit 5 stays clear with FCR bit 5. */
	outb(&f.pio, FCR, 0x21);
	g_assert_cmpuint(inb(&f.pio, IIR) >> 5, ==, 6);
	/* Not a NatSemi SuperIO: IIR bit 4 does not follow MCR loop. */
	g_assert_cmpuint(inb(&f.pio, IIR) & 0x10, ==, 0);

	outb(&f.pio, FCR, 0);
	g_assert_cmpuint(inb(&f.pio, IIR), ==, 0x01);
	g_assert_cmpuint(inb(&f.pio, LSR), ==, 0x60);
	g_assert_cmpuint(inb(&f.pio, LSR), !=, 0xFF);
	teardown(&f);
}

static void test_dlab_lcr_scr(void)
{
	struct fixture f;
	setup(&f);
	outb(&f.pio, IER, 0x05);
	outb(&f.pio, LCR, 0x83);
	g_assert_cmpuint(inb(&f.pio, LCR), ==, 0x83);
	g_assert_cmpuint(inb(&f.pio, BASE + 0), ==, 0x0C);  /* reset divisor: 9600 */
	outb(&f.pio, BASE + 0, 0x01);
	outb(&f.pio, BASE + 1, 0x02);
	g_assert_cmpuint(inb(&f.pio, BASE + 0), ==, 0x01);
	g_assert_cmpuint(inb(&f.pio, BASE + 1), ==, 0x02);
	outb(&f.pio, LCR, 0x03);
	g_assert_cmpuint(inb(&f.pio, IER), ==, 0x05);  /* untouched by the DLM write */
	g_assert_cmpuint(f.out->len, ==, 0);             /* the DLL write sent nothing */
	outb(&f.pio, SCR, 0x5A);
	g_assert_cmpuint(inb(&f.pio, SCR), ==, 0x5A);
	/* A 16-bit read covers two registers. */
	outb(&f.pio, LCR, 0x80);
	g_assert_cmpuint(pio_in(&f.pio, BASE, 2), ==, 0x0201);
	teardown(&f);
}

static void test_transmit(void)
{
	struct fixture f;
	setup(&f);
	const char *msg = "hello";
	for (const char *p = msg; *p; p++) {
		g_assert_cmpuint(inb(&f.pio, LSR) & 0x60, ==, 0x60);
		outb(&f.pio, THR, (uint8_t)*p);
	}
	g_assert_cmpuint(f.out->len, ==, 5);
	g_assert_cmpmem(f.out->data, 5, msg, 5);
	g_assert_cmpuint(inb(&f.pio, LSR), ==, 0x60);
	teardown(&f);
}

/* Linux's startup THRE test and its transmit path. */
static void test_thre_interrupt(void)
{
	struct fixture f;
	setup(&f);
	outb(&f.pio, MCR, 0x0B);  /* DTR RTS OUT2 */
	outb(&f.pio, FCR, 0x01);
	g_assert_false(f.irq.level[LINE]);
	outb(&f.pio, IER, 0x02);
	g_assert_true(f.irq.level[LINE]);
	g_assert_cmpuint(inb(&f.pio, IIR), ==, 0xC2);  /* iir1 */
	g_assert_false(f.irq.level[LINE]);              /* reading IIR acknowledged it */
	g_assert_cmpuint(inb(&f.pio, IIR), ==, 0xC1);
	outb(&f.pio, IER, 0);
	outb(&f.pio, IER, 0x02);                         /* re-armed by setting ETBEI */
	g_assert_cmpuint(inb(&f.pio, IIR), ==, 0xC2);
	outb(&f.pio, IER, 0);

	/* Transmit: each THR write gives a new edge. */
	outb(&f.pio, IER, 0x02);
	unsigned edges = f.irq.edges[LINE];
	outb(&f.pio, THR, 'a');
	g_assert_true(f.irq.level[LINE]);
	g_assert_cmpuint(f.irq.edges[LINE], ==, edges + 1);
	outb(&f.pio, THR, 'b');
	g_assert_cmpuint(f.irq.edges[LINE], ==, edges + 2);
	/* Stop tx: clearing ETBEI lowers the line. */
	outb(&f.pio, IER, 0);
	g_assert_false(f.irq.level[LINE]);
	/* Writing IER with ETBEI already set does not re-arm. */
	outb(&f.pio, IER, 0x02);
	inb(&f.pio, IIR);
	outb(&f.pio, IER, 0x03);
	g_assert_cmpuint(inb(&f.pio, IIR), ==, 0xC1);
	teardown(&f);
}

/* serial8250_do_startup's TXEN test, then a console write in the middle of
 * interrupt-driven output (serial8250_console_write): IER saved and
 * cleared, bytes written while polling LSR, IER restored, which re-arms
 * THRE so the interrupted transmission goes on. */
static void test_linux_startup_and_console_write(void)
{
	struct fixture f;
	setup(&f);
	outb(&f.pio, LCR, 0x03);
	outb(&f.pio, MCR, 0x0B);
	outb(&f.pio, IER, 0x02);
	uint8_t lsr = inb(&f.pio, LSR);
	uint8_t iir = inb(&f.pio, IIR);
	outb(&f.pio, IER, 0);
	g_assert_true(lsr & 0x40);
	g_assert_false(iir & 0x01);   /* no UART_BUG_TXEN */
	g_assert_false(f.irq.level[LINE]);

	outb(&f.pio, FCR, 0x81);
	outb(&f.pio, IER, 0x03);      /* RX + TX interrupts: transmitting */
	g_assert_true(f.irq.level[LINE]);
	uint8_t ier = inb(&f.pio, IER);
	outb(&f.pio, IER, 0);
	g_assert_false(f.irq.level[LINE]);
	for (const char *p = "console\n"; *p; p++) {
		unsigned spins = 0;
		while (!(inb(&f.pio, LSR) & 0x20))
			g_assert_cmpuint(++spins, <, 2);
		outb(&f.pio, THR, (uint8_t)*p);
	}
	g_assert_false(f.irq.level[LINE]);  /* no interrupt while IER is 0 */
	g_assert_cmpuint(inb(&f.pio, LSR) & 0x60, ==, 0x60);
	unsigned edges = f.irq.edges[LINE];
	outb(&f.pio, IER, ier);
	g_assert_true(f.irq.level[LINE]);
	g_assert_cmpuint(f.irq.edges[LINE], ==, edges + 1);
	g_assert_cmpuint(inb(&f.pio, IIR), ==, 0xC2);
	g_assert_cmpuint(f.out->len, ==, 8);
	teardown(&f);
}

static void test_out2_gates_line(void)
{
	struct fixture f;
	setup(&f);
	outb(&f.pio, IER, 0x02);
	g_assert_cmpuint(inb(&f.pio, IIR), ==, 0x02);  /* pending, but... */
	outb(&f.pio, IER, 0);
	outb(&f.pio, IER, 0x02);
	g_assert_false(f.irq.level[LINE]);  /* ...OUT2 clear: the line stays low */
	outb(&f.pio, MCR, 0x08);
	g_assert_true(f.irq.level[LINE]);
	outb(&f.pio, MCR, 0x00);
	g_assert_false(f.irq.level[LINE]);
	teardown(&f);
}

static void test_receive(void)
{
	struct fixture f;
	setup(&f);
	outb(&f.pio, MCR, 0x08);
	outb(&f.pio, FCR, 0x01);  /* trigger 1 */
	outb(&f.pio, IER, 0x01);
	g_assert_cmpuint(inb(&f.pio, LSR) & 0x01, ==, 0);
	g_assert_cmpuint(uart_receive(f.u, (const uint8_t *)"xyz", 3), ==, 3);
	g_assert_true(f.irq.level[LINE]);
	g_assert_cmpuint(inb(&f.pio, IIR), ==, 0xC4);
	g_assert_cmpuint(inb(&f.pio, LSR), ==, 0x61);
	g_assert_cmpuint(inb(&f.pio, RBR), ==, 'x');
	g_assert_cmpuint(inb(&f.pio, RBR), ==, 'y');
	g_assert_cmpuint(inb(&f.pio, RBR), ==, 'z');
	g_assert_false(f.irq.level[LINE]);
	g_assert_cmpuint(inb(&f.pio, IIR), ==, 0xC1);
	g_assert_cmpuint(inb(&f.pio, LSR), ==, 0x60);

	/* Trigger level 8: fewer bytes report a character timeout. */
	outb(&f.pio, FCR, 0x81);
	uart_receive(f.u, (const uint8_t *)"abc", 3);
	g_assert_cmpuint(inb(&f.pio, IIR), ==, 0xCC);
	uart_receive(f.u, (const uint8_t *)"defgh", 5);
	g_assert_cmpuint(inb(&f.pio, IIR), ==, 0xC4);
	/* FCR clear: the FIFO's bytes are gone. */
	outb(&f.pio, FCR, 0x83);
	g_assert_cmpuint(inb(&f.pio, LSR) & 0x01, ==, 0);
	g_assert_false(f.irq.level[LINE]);

	/* FIFOs off: one byte at a time, RDI without FIFO bits. */
	outb(&f.pio, FCR, 0x00);
	uart_receive(f.u, (const uint8_t *)"12", 2);
	g_assert_cmpuint(inb(&f.pio, IIR), ==, 0x04);
	g_assert_cmpuint(inb(&f.pio, RBR), ==, '1');
	g_assert_cmpuint(inb(&f.pio, IIR), ==, 0x04);
	g_assert_cmpuint(inb(&f.pio, RBR), ==, '2');
	g_assert_cmpuint(inb(&f.pio, IIR), ==, 0x01);
	g_assert_cmpuint(inb(&f.pio, RBR), ==, 0);  /* empty reads are harmless */
	teardown(&f);
}

static void test_receive_buffer(void)
{
	struct fixture f;
	setup(&f);
	outb(&f.pio, FCR, 0x01);
	g_assert_cmpuint(uart_rx_space(f.u), ==, UART_RX_BUF);
	uint8_t big[5000];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);
	g_assert_cmpuint(uart_receive(f.u, big, sizeof(big)), ==, UART_RX_BUF);
	g_assert_cmpuint(uart_rx_space(f.u), ==, 0);
	g_assert_cmpuint(uart_receive(f.u, big, 1), ==, 0);
	for (size_t i = 0; i < UART_RX_BUF; i++) {
		g_assert_cmpuint(inb(&f.pio, LSR) & 0x03, ==, 0x01);  /* DR, never OE */
		g_assert_cmpuint(inb(&f.pio, RBR), ==, (uint8_t)(i * 7));
	}
	g_assert_cmpuint(inb(&f.pio, LSR) & 0x01, ==, 0);
	g_assert_cmpuint(uart_rx_space(f.u), ==, UART_RX_BUF);
	/* A FIFO clear drops only what the guest could see (16 bytes). */
	uart_receive(f.u, big, 40);
	outb(&f.pio, FCR, 0x03);
	g_assert_cmpuint(uart_rx_space(f.u), ==, UART_RX_BUF - 24);
	g_assert_cmpuint(inb(&f.pio, RBR), ==, big[16]);
	teardown(&f);
}

/* A 4 KiB paste drained the way serial8250_interrupt does it (handle_irq
 * until IIR says "no interrupt", at most 256 bytes per rx_chars), well
 * within its PASS_LIMIT; the next byte gives a new edge. */
static void test_linux_rx_paste(void)
{
	struct fixture f;
	setup(&f);
	outb(&f.pio, MCR, 0x0B);
	outb(&f.pio, FCR, 0x81);
	outb(&f.pio, IER, 0x05);
	uint8_t buf[UART_RX_BUF];
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)i;
	g_assert_cmpuint(uart_receive(f.u, buf, sizeof(buf)), ==, sizeof(buf));
	g_assert_cmpuint(f.irq.edges[LINE], ==, 1);
	size_t got = 0;
	unsigned passes = 0;
	while (!(inb(&f.pio, IIR) & 0x01)) {
		g_assert_cmpuint(++passes, <, 512);
		uint8_t lsr = inb(&f.pio, LSR);
		for (unsigned max = 256; (lsr & 0x01) && max; max--) {
			g_assert_cmpuint(inb(&f.pio, RBR), ==, (uint8_t)got);
			got++;
			lsr = inb(&f.pio, LSR);
		}
	}
	g_assert_cmpuint(got, ==, sizeof(buf));
	g_assert_false(f.irq.level[LINE]);
	uart_receive(f.u, buf, 1);
	g_assert_cmpuint(f.irq.edges[LINE], ==, 2);
	teardown(&f);
}

static void test_priority(void)
{
	struct fixture f;
	setup(&f);
	outb(&f.pio, MCR, 0x08);
	outb(&f.pio, FCR, 0x01);
	outb(&f.pio, IER, 0x0F);
	uart_receive(f.u, (const uint8_t *)"q", 1);
	g_assert_cmpuint(inb(&f.pio, IIR), ==, 0xC4);  /* RX before THRE */
	g_assert_cmpuint(inb(&f.pio, IIR), ==, 0xC4);  /* still: no THRE ack */
	inb(&f.pio, RBR);
	g_assert_cmpuint(inb(&f.pio, IIR), ==, 0xC2);
	g_assert_cmpuint(inb(&f.pio, IIR), ==, 0xC1);
	/* Modem status last: enter loopback (MSR changes) ... */
	outb(&f.pio, MCR, 0x10);
	g_assert_cmpuint(inb(&f.pio, IIR), ==, 0xC0);
	g_assert_cmpuint(inb(&f.pio, MSR) & 0x0F, !=, 0);
	g_assert_cmpuint(inb(&f.pio, IIR), ==, 0xC1);
	/* ... and a loopback overrun (line status) beats everything. */
	outb(&f.pio, FCR, 0x00);
	outb(&f.pio, THR, 1);
	outb(&f.pio, THR, 2);   /* RBR full: overrun */
	g_assert_cmpuint(inb(&f.pio, IIR), ==, 0x06);
	g_assert_cmpuint(inb(&f.pio, LSR), ==, 0x63);  /* DR|OE|THRE|TEMT */
	g_assert_cmpuint(inb(&f.pio, LSR), ==, 0x61);  /* OE cleared by the read */
	g_assert_cmpuint(inb(&f.pio, IIR), ==, 0x04);
	teardown(&f);
}

static void test_loopback_msr(void)
{
	struct fixture f;
	setup(&f);
	g_assert_cmpuint(inb(&f.pio, MSR), ==, 0xB0);  /* CTS DSR DCD */
	outb(&f.pio, MCR, 0x1F);  /* LOOP + all outputs */
	g_assert_cmpuint(inb(&f.pio, MCR), ==, 0x1F);
	g_assert_cmpuint(inb(&f.pio, MSR), ==, 0xF0 | 0x00);  /* RI appeared, no delta for the rest */
	outb(&f.pio, MCR, 0x10);  /* outputs off */
	g_assert_cmpuint(inb(&f.pio, MSR), ==, 0x0F);   /* all four deltas (TERI: RI fell) */
	g_assert_cmpuint(inb(&f.pio, MSR), ==, 0x00);   /* deltas cleared by the read */
	outb(&f.pio, MCR, 0x12);  /* RTS -> CTS */
	g_assert_cmpuint(inb(&f.pio, MSR), ==, 0x11);

	/* TX loops to RX; nothing reaches the backend; the line stays low. */
	outb(&f.pio, MCR, 0x18);
	outb(&f.pio, FCR, 0x01);
	outb(&f.pio, IER, 0x01);
	outb(&f.pio, THR, 'L');
	g_assert_cmpuint(inb(&f.pio, IIR), ==, 0xC4);
	g_assert_false(f.irq.level[LINE]);
	g_assert_cmpuint(inb(&f.pio, RBR), ==, 'L');
	g_assert_cmpuint(f.out->len, ==, 0);
	outb(&f.pio, MCR, 0x08);
	outb(&f.pio, THR, 'M');
	g_assert_cmpuint(f.out->len, ==, 1);
	teardown(&f);
}

static void test_reset(void)
{
	struct fixture f;
	setup(&f);
	outb(&f.pio, MCR, 0x08);
	outb(&f.pio, IER, 0x03);
	outb(&f.pio, FCR, 0x01);
	outb(&f.pio, LCR, 0x03);
	uart_receive(f.u, (const uint8_t *)"zz", 2);
	g_assert_true(f.irq.level[LINE]);
	uart_reset(f.u);
	g_assert_false(f.irq.level[LINE]);
	g_assert_cmpuint(inb(&f.pio, IER), ==, 0);
	g_assert_cmpuint(inb(&f.pio, IIR), ==, 0x01);
	g_assert_cmpuint(inb(&f.pio, LCR), ==, 0);
	g_assert_cmpuint(inb(&f.pio, MCR), ==, 0);
	g_assert_cmpuint(inb(&f.pio, LSR), ==, 0x60);
	g_assert_cmpuint(uart_rx_space(f.u), ==, UART_RX_BUF);
	teardown(&f);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/uart/autoconfig", test_autoconfig);
	g_test_add_func("/uart/dlab-lcr-scr", test_dlab_lcr_scr);
	g_test_add_func("/uart/transmit", test_transmit);
	g_test_add_func("/uart/thre-interrupt", test_thre_interrupt);
	g_test_add_func("/uart/linux-startup-console-write", test_linux_startup_and_console_write);
	g_test_add_func("/uart/out2-gates-line", test_out2_gates_line);
	g_test_add_func("/uart/receive", test_receive);
	g_test_add_func("/uart/receive-buffer", test_receive_buffer);
	g_test_add_func("/uart/linux-rx-paste", test_linux_rx_paste);
	g_test_add_func("/uart/priority", test_priority);
	g_test_add_func("/uart/loopback-msr", test_loopback_msr);
	g_test_add_func("/uart/reset", test_reset);
	return g_test_run();
}
