/* 16550A UART (the PC's COM ports), as Linux 6.1's 8250 driver probes and
 * drives it.
 *
 * Output is instant: a byte written to THR goes straight to the backend, so
 * LSR always shows THRE|TEMT and the THRE interrupt re-arms right after each
 * write (which gives the interrupt controller a fresh edge, as a real part
 * does when its shift register drains). Input comes from the host through
 * uart_receive() into a receive buffer of UART_RX_BUF bytes; the guest sees
 * the first 16 of them (1 with FIFOs off) as the RX FIFO, so pasted input is
 * never dropped: uart_receive() accepts only what fits.
 *
 * The interrupt line is a level: high while an enabled interrupt is pending
 * and MCR.OUT2 is set (on a PC, OUT2 gates the IRQ driver; in loopback mode
 * the OUT2 pin is forced inactive, so the line stays low).
 *
 * No locking: the caller holds the machine lock. */
#ifndef TANDEM_HW_UART_H
#define TANDEM_HW_UART_H

#include "vmm/bus.h"
#include "vmm/irq.h"

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UART_NR_PORTS 8
#define UART_FIFO_SIZE 16
#define UART_RX_BUF 4096

/* Where transmitted bytes go (a pty, stdout, a test buffer). */
struct uart_backend {
	void *opaque;
	void (*write)(void *opaque, const uint8_t *buf, size_t len);
};

struct uart;

/* The backend is copied; be may be NULL (output discarded). */
struct uart *uart_create(struct irq_line irq, const struct uart_backend *be);
/* Claims ports [base, base + 8) on pio. */
bool uart_register(struct uart *u, struct bus *pio, uint16_t base, GError **err);
/* Power-on state; the receive buffer is emptied. */
void uart_reset(struct uart *u);
void uart_destroy(struct uart *u);

/* Host input: queues up to len bytes and returns how many were accepted. */
size_t uart_receive(struct uart *u, const uint8_t *buf, size_t len);
/* Bytes uart_receive() would accept now. */
size_t uart_rx_space(const struct uart *u);

/* The bus handler (exposed for tests and for machines that map it
 * themselves); offset is relative to the base port. */
io_handler_fn uart_io;

#endif
