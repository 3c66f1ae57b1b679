#include "hw/uart.h"

#include <string.h>

/* Register offsets (DLAB selects DLL/DLM at 0/1). */
enum {
	UART_RBR_THR = 0, UART_IER = 1, UART_IIR_FCR = 2, UART_LCR = 3,
	UART_MCR = 4, UART_LSR = 5, UART_MSR = 6, UART_SCR = 7,
};

#define IER_RDI   0x01  /* received data available */
#define IER_THRI  0x02  /* transmitter holding register empty */
#define IER_RLSI  0x04  /* receiver line status */
#define IER_MSI   0x08  /* modem status */

#define IIR_NO_INT  0x01
#define IIR_MSI     0x00
#define IIR_THRI    0x02
#define IIR_RDI     0x04
#define IIR_RLSI    0x06
#define IIR_TIMEOUT 0x0C
#define IIR_FIFO    0xC0

#define FCR_ENABLE   0x01
#define FCR_CLEAR_RX 0x02

#define LCR_DLAB 0x80

#define MCR_DTR  0x01
#define MCR_RTS  0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10

#define LSR_DR   0x01
#define LSR_OE   0x02
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

#define MSR_DCTS 0x01
#define MSR_DDSR 0x02
#define MSR_TERI 0x04
#define MSR_DDCD 0x08
#define MSR_CTS  0x10
#define MSR_DSR  0x20
#define MSR_RI   0x40
#define MSR_DCD  0x80

struct uart {
	struct irq_line irq;
	struct uart_backend be;

	uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
	uint8_t lsr_err;       /* sticky error bits (OE), cleared by reading LSR */
	uint8_t msr;           /* modem status inputs (bits 7:4) and deltas (3:0) */
	uint8_t rx_trigger;    /* FIFO trigger level: 1, 4, 8 or 14 */
	bool thr_ipending;     /* THRE interrupt armed (not yet acknowledged) */

	/* Receive buffer: the first min(count, FIFO depth) bytes are what the
	 * guest sees as its RX FIFO; the rest waits behind it. */
	uint8_t rx[UART_RX_BUF];
	size_t rx_head, rx_count;
};

static bool uart_fifo_on(const struct uart *u)
{
	return u->fcr & FCR_ENABLE;
}

/* Bytes the guest can see in its receive FIFO (or RBR with FIFOs off). */
static size_t uart_rx_visible(const struct uart *u)
{
	size_t depth = uart_fifo_on(u) ? UART_FIFO_SIZE : 1;
	return u->rx_count < depth ? u->rx_count : depth;
}

/* Interrupt identification, highest priority first. Without a character
 * clock, the FIFO "character timeout" is reported at once whenever data
 * sits below the trigger level (Linux treats both the same way). */
static uint8_t uart_iir_id(const struct uart *u)
{
	if ((u->ier & IER_RLSI) && (u->lsr_err & LSR_OE))
		return IIR_RLSI;
	size_t n = uart_rx_visible(u);
	if ((u->ier & IER_RDI) && n > 0) {
		if (!uart_fifo_on(u) || n >= u->rx_trigger)
			return IIR_RDI;
		return IIR_TIMEOUT;
	}
	if ((u->ier & IER_THRI) && u->thr_ipending)
		return IIR_THRI;
	if ((u->ier & IER_MSI) && (u->msr & 0x0F))
		return IIR_MSI;
	return IIR_NO_INT;
}

static void uart_update_irq(struct uart *u)
{
	bool gate = (u->mcr & MCR_OUT2) && !(u->mcr & MCR_LOOP);
	irq_line_set(&u->irq, gate && uart_iir_id(u) != IIR_NO_INT);
}

/* Modem status inputs: the MCR outputs in loopback, otherwise a cable
 * with the other end always ready (CTS, DSR, DCD asserted). Changes set
 * the delta bits as on hardware. */
static void uart_update_msr(struct uart *u)
{
	uint8_t in;
	if (u->mcr & MCR_LOOP) {
		in = ((u->mcr & MCR_RTS) ? MSR_CTS : 0) | ((u->mcr & MCR_DTR) ? MSR_DSR : 0) |
		     ((u->mcr & MCR_OUT1) ? MSR_RI : 0) | ((u->mcr & MCR_OUT2) ? MSR_DCD : 0);
	} else {
		in = MSR_CTS | MSR_DSR | MSR_DCD;
	}
	uint8_t old = u->msr & 0xF0, changed = old ^ in;
	uint8_t delta = u->msr & 0x0F;
	if (changed & MSR_CTS)
		delta |= MSR_DCTS;
	if (changed & MSR_DSR)
		delta |= MSR_DDSR;
	if ((old & MSR_RI) && !(in & MSR_RI))
		delta |= MSR_TERI;
	if (changed & MSR_DCD)
		delta |= MSR_DDCD;
	u->msr = in | delta;
}

static void uart_rx_drop(struct uart *u, size_t n)
{
	if (n > u->rx_count)
		n = u->rx_count;
	u->rx_head = (u->rx_head + n) % UART_RX_BUF;
	u->rx_count -= n;
}

static void uart_rx_push(struct uart *u, uint8_t b)
{
	u->rx[(u->rx_head + u->rx_count) % UART_RX_BUF] = b;
	u->rx_count++;
}

static void uart_transmit(struct uart *u, uint8_t b)
{
	if (u->mcr & MCR_LOOP) {
		/* Looped back into the receiver: a full FIFO overruns. */
		size_t depth = uart_fifo_on(u) ? UART_FIFO_SIZE : 1;
		if (u->rx_count >= depth)
			u->lsr_err |= LSR_OE;
		else
			uart_rx_push(u, b);
	} else if (u->be.write) {
		u->be.write(u->be.opaque, &b, 1);
	}
}

static uint8_t uart_read(struct uart *u, unsigned reg)
{
	bool dlab = u->lcr & LCR_DLAB;
	uint8_t v = 0;

	switch (reg) {
	case UART_RBR_THR:
		if (dlab)
			return u->dll;
		if (u->rx_count) {
			v = u->rx[u->rx_head];
			uart_rx_drop(u, 1);
		}
		uart_update_irq(u);
		return v;
	case UART_IER:
		return dlab ? u->dlm : u->ier;
	case UART_IIR_FCR:
		v = uart_iir_id(u);
		/* Reading IIR acknowledges a THRE interrupt it reports. */
		if (v == IIR_THRI) {
			u->thr_ipending = false;
			uart_update_irq(u);
		}
		return v | (uart_fifo_on(u) ? IIR_FIFO : 0);
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		v = LSR_THRE | LSR_TEMT | u->lsr_err | (u->rx_count ? LSR_DR : 0);
		u->lsr_err = 0;
		uart_update_irq(u);
		return v;
	case UART_MSR:
		v = u->msr;
		u->msr &= 0xF0;
		uart_update_irq(u);
		return v;
	case UART_SCR:
		return u->scr;
	default:
		return 0xFF;
	}
}

static void uart_write_fcr(struct uart *u, uint8_t v)
{
	static const uint8_t trigger[4] = { 1, 4, 8, 14 };
	/* Toggling the enable bit clears the FIFOs; so does the clear bit. */
	if (((u->fcr ^ v) & FCR_ENABLE) || ((v & FCR_ENABLE) && (v & FCR_CLEAR_RX)))
		uart_rx_drop(u, UART_FIFO_SIZE);
	/* Kept: enable, DMA mode and trigger bits (clear bits self-reset). */
	u->fcr = (v & FCR_ENABLE) ? (v & 0xC9) : 0;
	u->rx_trigger = trigger[v >> 6];
}

static void uart_write(struct uart *u, unsigned reg, uint8_t v)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (reg) {
	case UART_RBR_THR:
		if (dlab) {
			u->dll = v;
			return;
		}
		/* Writing THR acknowledges the THRE interrupt; the byte leaves at
		 * once, so THR is empty again and the interrupt re-arms (a new
		 * edge for the interrupt controller). */
		u->thr_ipending = false;
		uart_update_irq(u);
		uart_transmit(u, v);
		u->thr_ipending = true;
		break;
	case UART_IER:
		if (dlab) {
			u->dlm = v;
			return;
		}
		/* Setting ETBEI while THR is empty (always) raises THRE again. */
		if ((v & IER_THRI) && !(u->ier & IER_THRI))
			u->thr_ipending = true;
		u->ier = v & 0x0F;
		break;
	case UART_IIR_FCR:
		/* Also the target of Linux's EFR probe (LCR = 0xBF): a 16550A has
		 * no EFR, so the write lands in FCR as it would on the real part. */
		uart_write_fcr(u, v);
		break;
	case UART_LCR:
		u->lcr = v;
		return;
	case UART_MCR:
		u->mcr = v & 0x1F;
		uart_update_msr(u);
		break;
	case UART_SCR:
		u->scr = v;
		return;
	default:
		return;  /* LSR and MSR are read-only here */
	}
	uart_update_irq(u);
}

void uart_io(void *opaque, uint64_t offset, void *data, unsigned len, bool is_write, unsigned cpu)
{
	(void)cpu;
	struct uart *u = opaque;
	uint8_t *p = data;
	/* Wider accesses touch consecutive registers, as on the ISA bus. */
	for (unsigned i = 0; i < len; i++) {
		uint64_t reg = offset + i;
		if (reg >= UART_NR_PORTS) {
			if (!is_write)
				p[i] = 0xFF;
			continue;
		}
		if (is_write)
			uart_write(u, (unsigned)reg, p[i]);
		else
			p[i] = uart_read(u, (unsigned)reg);
	}
}

size_t uart_receive(struct uart *u, const uint8_t *buf, size_t len)
{
	size_t n = uart_rx_space(u);
	if (len < n)
		n = len;
	for (size_t i = 0; i < n; i++)
		uart_rx_push(u, buf[i]);
	if (n)
		uart_update_irq(u);
	return n;
}

size_t uart_rx_space(const struct uart *u)
{
	return UART_RX_BUF - u->rx_count;
}

void uart_reset(struct uart *u)
{
	u->ier = 0;
	u->lcr = 0;
	u->mcr = 0;
	u->scr = 0;
	u->fcr = 0;
	u->dll = 0x0C;  /* 9600 baud */
	u->dlm = 0;
	u->lsr_err = 0;
	u->rx_trigger = 1;
	u->thr_ipending = false;
	u->rx_head = u->rx_count = 0;
	u->msr = MSR_CTS | MSR_DSR | MSR_DCD;
	uart_update_irq(u);
}

struct uart *uart_create(struct irq_line irq, const struct uart_backend *be)
{
	struct uart *u = g_new0(struct uart, 1);
	u->irq = irq;
	if (be)
		u->be = *be;
	uart_reset(u);
	return u;
}

bool uart_register(struct uart *u, struct bus *pio, uint16_t base, GError **err)
{
	return bus_register(pio, base, UART_NR_PORTS, uart_io, u, "uart", err);
}

void uart_destroy(struct uart *u)
{
	g_free(u);
}
