/* Small PC ports with no state worth a file of their own:
 *
 *  0x80   POST code sink: writes are kept, reads return the last value
 *         (Linux uses it as the outb_p delay port).
 *  0xF4   isa-debug-exit (QEMU compatible): a 1, 2 or 4-byte write of v
 *         stops the machine with exit status (v << 1) | 1; reads give 0xFF.
 *  0xCF9  reset control: a write with bit 2 set asks for a reset (bit 1
 *         set = hard reset, clear = soft reset; both reset the machine
 *         here); reads return the last value written.
 *
 * 0xCF9 lies inside the PCI configuration-address dword (0xCF8-0xCFB),
 * which the PCI host bridge owns: the bridge passes byte accesses there on
 * to misc_reset_control_io() (see pci_host_set_legacy_io). Machines without
 * a PCI host register it directly with misc_ports_register_reset_control().
 *
 * No locking: the caller holds the machine lock. */
#ifndef TANDEM_HW_MISC_PORTS_H
#define TANDEM_HW_MISC_PORTS_H

#include "vmm/bus.h"

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

struct misc_ports_host {
	void *opaque;
	void (*request_reset)(void *opaque);
	void (*request_stop)(void *opaque, int exit_status, bool debug_exit);
};

struct misc_ports;

struct misc_ports *misc_ports_create(const struct misc_ports_host *host);
/* Claims 0x80 and 0xF4-0xF7 (not 0xCF9, see above). */
bool misc_ports_register(struct misc_ports *m, struct bus *pio, GError **err);
/* Claims 0xCF9 alone, for machines without a PCI host bridge. */
bool misc_ports_register_reset_control(struct misc_ports *m, struct bus *pio, GError **err);
void misc_ports_reset(struct misc_ports *m);
void misc_ports_destroy(struct misc_ports *m);

/* Last value written to port 0x80. */
uint8_t misc_ports_post_code(const struct misc_ports *m);

/* Handlers, offsets relative to 0x80, 0xF4 and 0xCF9. */
io_handler_fn misc_post_io;
io_handler_fn misc_debug_exit_io;
io_handler_fn misc_reset_control_io;

#endif
