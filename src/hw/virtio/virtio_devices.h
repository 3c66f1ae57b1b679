/* The machine's virtio devices, built from struct machine_config in one
 * place: disks (virtio-blk on raw/qcow2), network cards (virtio-net on
 * user-mode/slirp or tap), virtio-rng, and a second console (virtio-console
 * on a pty or file), each a transitional virtio-pci function on the PCI
 * host, in that order from `first_slot` on.
 *
 * Two steps, because the I/O thread's context exists only after the
 * machine: virtio_devices_create() (from machine_create: opens images, so
 * bad paths fail early) and virtio_devices_start_io() (network backends and
 * console input on the I/O context; they take the machine lock through
 * `lock` whenever they touch a device). Device errors caused by the guest
 * are logged (g_warning) and leave the device in NEEDS_RESET; tandem keeps
 * running. */
#ifndef TANDEM_VIRTIO_DEVICES_H
#define TANDEM_VIRTIO_DEVICES_H

#include "hw/pci.h"
#include "hw/virtio/net/net_backend.h"
#include "vmm/guest_mem.h"
#include "vmm/irq.h"
#include "vmm/machine_config.h"

#include <glib.h>

struct virtio_devices_params {
	const struct machine_config *cfg;
	const struct guest_mem *mem;
	struct pci_host *pci;
	struct irq_router *irq;
	unsigned first_slot;           /* PCI slot of the first device (>= 1) */
};

struct virtio_devices;

/* NULL (and err) when an image cannot be opened, a slot is taken, ... A
 * configuration without virtio devices gives an empty, valid object. */
struct virtio_devices *virtio_devices_create(const struct virtio_devices_params *p, GError **err);
bool virtio_devices_start_io(struct virtio_devices *v, GMainContext *ctx, const struct net_lock *lock,
			     GError **err);
/* Destroy after the PCI host (pc_devices_destroy) and after the I/O thread
 * stopped; the I/O context must still exist. */
void virtio_devices_destroy(struct virtio_devices *v);
/* Guest reboot: every device back to its power-on state (after pci_host_reset). */
void virtio_devices_reset(struct virtio_devices *v);

/* "/dev/pts/N" of --console2 pty, else NULL. */
const char *virtio_devices_console2_pty(const struct virtio_devices *v);
/* Number of PCI functions created. */
unsigned virtio_devices_count(const struct virtio_devices *v);

#endif
