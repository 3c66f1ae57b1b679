/* Character backends for the serial console: stdio (raw terminal, Ctrl-A x
 * quits as in QEMU), a pty (path reported to the control socket), a file
 * (output only), or nothing. Output comes from the vCPU thread; input is read
 * on the I/O thread's main context and handed to a callback. */
#ifndef TANDEM_CHARDEV_H
#define TANDEM_CHARDEV_H

#include "vmm/machine_config.h"

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

struct chardev;

/* Input: `space` says how many bytes the guest can take now; `in` gets at most that many. */
typedef void chardev_input_fn(void *opaque, const uint8_t *buf, size_t len);
typedef size_t chardev_space_fn(void *opaque);
typedef void chardev_quit_fn(void *opaque);

struct chardev *chardev_open(enum serial_kind kind, const char *path, GError **err);
/* Never blocks the guest: output that cannot be written now (pty with no reader) is dropped. */
void chardev_write(struct chardev *c, const uint8_t *buf, size_t len);
/* "/dev/pts/N" for a pty backend, else NULL. */
const char *chardev_pty_path(const struct chardev *c);
/* Starts delivering input on ctx. */
void chardev_attach(struct chardev *c, GMainContext *ctx, chardev_input_fn *in, chardev_space_fn *space,
		    chardev_quit_fn *quit, void *opaque);
/* Restores the terminal and closes; NULL is fine. */
void chardev_close(struct chardev *c);

#endif
