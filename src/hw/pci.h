/* PCI host bridge with configuration mechanism #1 (ports 0xCF8-0xCFF) and
 * the registration API PCI devices (virtio-pci) build on.
 *
 * Config address (0xCF8): latched only by 32-bit accesses at 0xCF8 (enable
 * bit 31, bus 23:16, device 15:11, function 10:8, register 7:2). Byte and
 * word accesses to 0xCF8-0xCFB are not config accesses on real chipsets:
 * they reach other ports (0xCF9, the reset control register), which the
 * machine plugs in with pci_host_set_legacy_port(). Config data
 * (0xCFC-0xCFF): 1, 2 and 4-byte accesses at the matching byte offset of
 * the addressed dword. Only bus 0, function 0 exist: everything else, and
 * empty slots, read all-ones and ignore writes.
 *
 * Slot 0 is the host bridge itself, an Intel 440FX (8086:1237, class
 * 0x060000).
 *
 * Devices embed a struct pci_device, fill it with pci_device_init() and the
 * pci_device_set_* / add_capability helpers, then pci_register_device().
 * The host keeps the standard header coherent: writable bits come from
 * wmask, write-1-to-clear bits from w1cmask; BARs read back their size
 * mask after an all-ones write; the expansion ROM BAR reads 0 (no ROM).
 * When the guest programs a BAR or toggles COMMAND.IO/MEM, the host
 * registers (if the BAR has an io handler) or the device registers (in its
 * bar_map callback) the range on the pio or mmio bus. A BAR is decoded only
 * while its COMMAND enable bit is set, its address is not 0, and it lies
 * wholly in the 64 KiB I/O space or (32-bit BARs) below 4 GiB; a range the
 * bus refuses (overlap) stays unmapped.
 *
 * INTx: pin p (1 = INTA .. 4 = INTD) of slot s is wired to interrupt line
 *     pci_intx_line(s, p) = 16 + ((s + p - 1) % 4)
 * (IOAPIC pins 16-23, level; the MP table and the ACPI _PRT describe the
 * same wiring). Lines shared by several devices are the OR of their levels;
 * COMMAND.INTX_DISABLE masks a device, STATUS.INT_STATUS shows its level.
 *
 * No locking: the caller holds the machine lock. */
#ifndef TANDEM_HW_PCI_H
#define TANDEM_HW_PCI_H

#include "vmm/bus.h"
#include "vmm/irq.h"

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#define PCI_SLOTS 32
#define PCI_NUM_BARS 6
#define PCI_CONFIG_SIZE 256

/* Standard header offsets. */
#define PCI_VENDOR_ID      0x00
#define PCI_DEVICE_ID      0x02
#define PCI_COMMAND        0x04
#define PCI_STATUS         0x06
#define PCI_REVISION_ID    0x08
#define PCI_CLASS_PROG     0x09
#define PCI_HEADER_TYPE    0x0E
#define PCI_BAR0           0x10
#define PCI_SUBSYSTEM_VENDOR_ID 0x2C
#define PCI_SUBSYSTEM_ID   0x2E
#define PCI_ROM_ADDRESS    0x30
#define PCI_CAPABILITY_LIST 0x34
#define PCI_INTERRUPT_LINE 0x3C
#define PCI_INTERRUPT_PIN  0x3D

#define PCI_COMMAND_IO     0x0001
#define PCI_COMMAND_MEMORY 0x0002
#define PCI_COMMAND_MASTER 0x0004
#define PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS_INTERRUPT 0x0008
#define PCI_STATUS_CAP_LIST  0x0010

enum pci_bar_type { PCI_BAR_NONE, PCI_BAR_IO, PCI_BAR_MEM32, PCI_BAR_MEM64 };

struct pci_device;
struct pci_host;

/* The guest mapped (enabled) or unmapped a BAR at addr. Called for every
 * BAR; for one with an io handler the host has already done the bus
 * registration, so the callback is only a notification. */
typedef void pci_bar_map_fn(struct pci_device *dev, unsigned bar, uint64_t addr, bool enabled);
/* After the host applied a config write of len bytes at offset. */
typedef void pci_config_write_fn(struct pci_device *dev, unsigned offset, unsigned len, uint32_t value);
/* Lets a device compute a config read (value is what config[] holds). */
typedef uint32_t pci_config_read_fn(struct pci_device *dev, unsigned offset, unsigned len, uint32_t value);

struct pci_bar {
	enum pci_bar_type type;  /* NONE also for the upper half of a 64-bit BAR */
	bool prefetchable;
	uint64_t size;           /* power of two */
	io_handler_fn *io;       /* optional: the host registers the range itself */
	void *io_opaque;
	bool mapped;             /* current decode state */
	uint64_t addr;
};

struct pci_device {
	const char *name;
	void *opaque;                      /* for the device's callbacks */
	uint8_t config[PCI_CONFIG_SIZE];
	uint8_t wmask[PCI_CONFIG_SIZE];    /* bits the guest may write */
	uint8_t w1cmask[PCI_CONFIG_SIZE];  /* bits a guest 1 clears */
	struct pci_bar bars[PCI_NUM_BARS];
	pci_bar_map_fn *bar_map;
	pci_config_write_fn *config_write;
	pci_config_read_fn *config_read;

	/* Owned by the host. */
	struct pci_host *host;
	unsigned slot;
	bool intx_level;
	uint8_t next_cap;
	uint8_t config_reset[PCI_CONFIG_SIZE];
};

/* Header type 0, standard writable bits, no BARs, no capabilities. */
void pci_device_init(struct pci_device *d, const char *name, uint16_t vendor, uint16_t device,
		     uint32_t class_code, uint8_t revision);
void pci_device_set_subsystem(struct pci_device *d, uint16_t vendor, uint16_t id);
/* A BAR of `size` bytes (a power of two; at least 4 for I/O, 16 for
 * memory; I/O at most 256). A 64-bit BAR also takes slot bar + 1. io may be
 * NULL if the device maps the range itself in bar_map. False for a bad
 * request (a programming error of the device model). */
bool pci_device_set_bar(struct pci_device *d, unsigned bar, enum pci_bar_type type, uint64_t size,
			bool prefetchable, io_handler_fn *io, void *io_opaque);
/* Appends a capability of len bytes (id and next pointer included) to the
 * list; returns its config offset, 0 when it does not fit. The device fills
 * the rest, and its wmask. */
uint8_t pci_device_add_capability(struct pci_device *d, uint8_t id, unsigned len);
/* INTx pin 1-4 (INTA-INTD), 0 = none. */
void pci_device_set_interrupt_pin(struct pci_device *d, uint8_t pin);
/* Drives the device's INTx level. */
void pci_device_set_irq(struct pci_device *d, bool level);

static inline uint16_t pci_config_get16(const struct pci_device *d, unsigned off)
{
	return (uint16_t)(d->config[off] | d->config[off + 1] << 8);
}

static inline void pci_config_set16(struct pci_device *d, unsigned off, uint16_t v)
{
	d->config[off] = (uint8_t)v;
	d->config[off + 1] = (uint8_t)(v >> 8);
}

static inline void pci_config_set32(struct pci_device *d, unsigned off, uint32_t v)
{
	pci_config_set16(d, off, (uint16_t)v);
	pci_config_set16(d, off + 2, (uint16_t)(v >> 16));
}

unsigned pci_intx_line(unsigned slot, unsigned pin);

struct pci_host *pci_host_create(struct bus *pio, struct bus *mmio, struct irq_router *irq);
/* Claims ports 0xCF8-0xCFF. */
bool pci_host_register(struct pci_host *h, GError **err);
/* Byte port `port` in 0xCF8-0xCFB answered by fn (offset 0) for byte
 * accesses that are not config-address accesses (port 0xCF9). */
void pci_host_set_legacy_port(struct pci_host *h, uint16_t port, io_handler_fn *fn, void *opaque);
/* Fails if the slot is out of range or taken. The device's config space
 * as it is now becomes its reset state. */
bool pci_register_device(struct pci_host *h, struct pci_device *d, unsigned slot, GError **err);
/* Unmaps every BAR and restores each device's registered config space. */
void pci_host_reset(struct pci_host *h);
void pci_host_destroy(struct pci_host *h);

/* Config space access by address (the path the ports use). */
uint32_t pci_config_read(struct pci_host *h, unsigned bus, unsigned slot, unsigned fn,
			 unsigned offset, unsigned len);
void pci_config_write(struct pci_host *h, unsigned bus, unsigned slot, unsigned fn,
		      unsigned offset, unsigned len, uint32_t value);

io_handler_fn pci_host_io;

#endif
