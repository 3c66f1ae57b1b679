/* i8042 keyboard controller at ports 0x60 (data) and 0x64 (status /
 * command), with an AT keyboard behind it that answers commands (there
 * is no key input source yet) and no mouse: every byte sent to the aux
 * device (command 0xD4) is answered 0xFE ("resend": nothing there), which
 * makes Linux's psmouse probe fail once, quietly.
 *
 * Bytes for the guest wait in a small queue; the head is "in the output
 * buffer" (status OBF, plus AUX_OBF when it came from the aux side). IRQ 1
 * is held high while a keyboard/controller byte is in the output buffer and
 * the command byte enables keyboard interrupts; IRQ 12 likewise for aux
 * bytes. Each read of 0x60 drops the line, and the next queued byte raises
 * it again (a new edge).
 *
 * Reset: controller command 0xFE (any of 0xF0-0xFF whose bit 0 is clear
 * pulses output-port bit 0, the CPU reset line) and writing the output port
 * (0xD1) with bit 0 clear call the reset callback. A20 (output-port bit 1)
 * is stored but has no effect: A20 is always enabled.
 *
 * No locking: the caller holds the machine lock. */
#ifndef TANDEM_HW_I8042_H
#define TANDEM_HW_I8042_H

#include "vmm/bus.h"
#include "vmm/irq.h"

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

struct i8042;

struct i8042 *i8042_create(struct irq_line kbd_irq, struct irq_line aux_irq,
			   void (*request_reset)(void *opaque), void *opaque);
/* Claims ports 0x60 and 0x64 (not 0x61, the PIT's port B). */
bool i8042_register(struct i8042 *k, struct bus *pio, GError **err);
void i8042_reset(struct i8042 *k);
void i8042_destroy(struct i8042 *k);

/* Handlers: offset 0 of the data port (0x60) and of the status port (0x64). */
io_handler_fn i8042_data_io;
io_handler_fn i8042_cmd_io;

#endif
