/* virtio-pci transport for a transitional device (virtio 1.x section 4.1),
 * on the machine's PCI host (hw/pci.h).
 *
 * BAR layout (QEMU's shape):
 *   BAR0  I/O, legacy registers (VIRTIO_PCI_HOST_FEATURES..ISR, the MSI-X
 *         vectors when MSI-X is on, then the device config)
 *   BAR1  32-bit memory, 4 KiB: MSI-X table at 0, PBA at VIRTIO_PCI_PBA_OFF
 *   BAR2  32-bit memory, 16 KiB: modern regions named by vendor
 *         capabilities: common cfg 0x0000, ISR 0x1000, device cfg 0x2000,
 *         notify 0x3000 (queue q at 0x3000 + 4q)
 * Interrupts: MSI-X when the guest enabled it (irq_router_msi), else INTx
 * pin A, level, deasserted when the guest reads the ISR.
 *
 * Everything the guest writes is range-checked here or in virtio_dev; no
 * locking (the caller holds the machine lock). */
#ifndef TANDEM_VIRTIO_PCI_H
#define TANDEM_VIRTIO_PCI_H

#include "hw/pci.h"
#include "hw/virtio/virtio_dev.h"
#include "vmm/irq.h"

#define VIRTIO_PCI_LEGACY_BAR 0
#define VIRTIO_PCI_MSIX_BAR   1
#define VIRTIO_PCI_MODERN_BAR 2

#define VIRTIO_PCI_COMMON_OFF 0x0000
#define VIRTIO_PCI_ISR_OFF    0x1000
#define VIRTIO_PCI_DEVICE_OFF 0x2000
#define VIRTIO_PCI_NOTIFY_OFF 0x3000
#define VIRTIO_PCI_NOTIFY_MULT 4
#define VIRTIO_PCI_MODERN_SIZE 0x4000
#define VIRTIO_PCI_MSIX_SIZE  0x1000
#define VIRTIO_PCI_PBA_OFF    0x800
#define VIRTIO_PCI_MAX_VECTORS 64     /* queues + 1 config vector */

struct virtio_pci {
	struct pci_device pci;
	struct virtio_dev *vdev;
	struct irq_router *irq;
	uint32_t dfselect, gfselect;
	uint16_t queue_sel;
	uint16_t config_vector;
	unsigned nvectors;
	uint8_t msix_cap;                           /* config offset */
	uint32_t msix_table[VIRTIO_PCI_MAX_VECTORS][4]; /* addr lo, hi, data, ctrl */
	uint64_t msix_pba;
	uint64_t msi_sent, intx_raised;             /* counters, for tests */
};

/* Builds the PCI function for vdev: IDs from the virtio type, BARs and
 * capabilities as above. Register it with pci_register_device(&vp->pci). */
bool virtio_pci_init(struct virtio_pci *vp, struct virtio_dev *vdev, struct irq_router *irq,
		     GError **err);
/* Device reset as at power-on (the PCI host restores config space itself). */
void virtio_pci_reset(struct virtio_pci *vp);

bool virtio_pci_msix_enabled(const struct virtio_pci *vp);

/* The BAR handlers (exposed for unit tests). */
io_handler_fn virtio_pci_legacy_io;
io_handler_fn virtio_pci_modern_io;
io_handler_fn virtio_pci_msix_io;

#endif
