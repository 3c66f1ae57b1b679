/* The PC's devices, built and wired in one place (pc_devices_create lists
 * them in order): interrupt controllers (8259 pair, IOAPIC, LAPICs), PIT,
 * COM1, CMOS RTC, i8042, POST port, isa-debug-exit, reset control, ACPI PM
 * block, PCI host bridge. The machine forwards its interrupt-controller
 * queries, serial input and the power button here.
 *
 * pc_devices_create() takes over the machine's irq router: it routes lines
 * to intc_set_irq and MSIs to intc_msi (unless kernel_irqchip, see below).
 *
 * No locking: the caller holds the machine lock. The devices put vtimers
 * on the clock; pc_devices_destroy takes them all off again. It does not
 * unregister the bus ranges: destroy the buses along with the devices. */
#ifndef TANDEM_HW_PC_DEVICES_H
#define TANDEM_HW_PC_DEVICES_H

#include "hw/pci.h"
#include "hw/uart.h"
#include "vmm/bus.h"
#include "vmm/guest_mem.h"
#include "vmm/irq.h"
#include "vmm/vclock.h"

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the devices ask of the machine. */
struct pc_host_ops {
	void *opaque;
	void (*irq_notify)(void *opaque, unsigned cpu);
	void (*send_init)(void *opaque, unsigned cpu);
	void (*send_sipi)(void *opaque, unsigned cpu, uint8_t vector);
	void (*request_reset)(void *opaque);  /* i8042, port 0xCF9 */
	/* isa-debug-exit (debug_exit, status (v << 1) | 1) or ACPI S5 (status 0) */
	void (*request_stop)(void *opaque, int exit_status, bool debug_exit);
};

struct pc_devices_params {
	struct bus *pio, *mmio;
	struct irq_router *irq;
	struct vclock *clock;
	struct guest_mem *mem;
	unsigned ncpus;
	const struct uart_backend *serial;  /* COM1 output; NULL discards it */
	struct pc_host_ops host;
	/* kvm with KVM_CREATE_IRQCHIP/PIT2: the PIC, IOAPIC, LAPICs and PIT live
	 * in the kernel, so they are not built here and the irq router is left
	 * to the engine; the pc_irq_* / pc_lapic_msr accessors then answer
	 * "nothing" (false, -1). */
	bool kernel_irqchip;
};

struct pc_devices;

struct pc_devices *pc_devices_create(const struct pc_devices_params *p, GError **err);
/* Guest reboot: every device back to its power-on state (CMOS time kept). */
void pc_devices_reset(struct pc_devices *pc);
void pc_devices_destroy(struct pc_devices *pc);

/* The interrupt controllers, for the emulator's vCPUs. */
bool pc_irq_pending(struct pc_devices *pc, unsigned cpu);
int pc_irq_ack(struct pc_devices *pc, unsigned cpu);
bool pc_nmi_pending(struct pc_devices *pc, unsigned cpu);
bool pc_lapic_msr(struct pc_devices *pc, unsigned cpu, uint32_t index, uint64_t *value, bool is_write);

/* ACPI power button (virsh shutdown). */
void pc_power_button(struct pc_devices *pc);
/* COM1 input: bytes accepted, and room left. */
size_t pc_serial_receive(struct pc_devices *pc, const uint8_t *buf, size_t len);
size_t pc_serial_rx_space(struct pc_devices *pc);
/* For devices added later (virtio-pci). */
struct pci_host *pc_pci(struct pc_devices *pc);

#endif
