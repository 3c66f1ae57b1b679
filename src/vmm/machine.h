/* The machine: guest RAM, buses, interrupt routing, the guest clock, the
 * devices and the vCPUs, assembled in one readable function
 * (machine_create). Engines and devices reach the rest of the machine only
 * through the functions declared here. */
#ifndef TANDEM_MACHINE_H
#define TANDEM_MACHINE_H

#include "hw/uart.h"
#include "vmm/bus.h"
#include "vmm/machine_config.h"
#include "vmm/cpu_state.h"
#include "vmm/engine.h"
#include "vmm/guest_mem.h"
#include "vmm/irq.h"
#include "vmm/vclock.h"

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

struct pc_devices;
struct virtio_devices;
struct chardev;

/* Why the machine stopped; maps 1:1 to the tandem exit status. */
enum machine_stop {
	STOP_NONE = -1,
	STOP_POWEROFF = 0,      /* guest powered off (ACPI S5, or halt with IF=0 forever) */
	STOP_ERROR = 1,         /* tandem failed (configuration, I/O, engine) */
	STOP_REBOOT = 2,        /* guest rebooted and --no-reboot was given */
	STOP_TRIPLE_FAULT = 3,  /* triple fault with --no-reboot */
	STOP_INTERNAL = 4,      /* emulation error (unimplemented instruction, ...) */
	STOP_QUIT = 5,          /* stopped from the control socket or a signal */
	STOP_DEBUG_EXIT = 6,    /* isa-debug-exit port: status is (value << 1) | 1 */
};

struct machine_stats {
	uint64_t exits[VCPU_EXIT__COUNT];
	uint64_t pio, mmio;
	uint64_t start_ns, end_ns;
};

/* Lifecycle notifications for the control socket (run.c). */
typedef void machine_event_fn(void *opaque, const char *event, const char *reason, bool guest);

struct machine {
	struct machine_config *cfg;
	machine_event_fn *event;
	void *event_opaque;
	struct chardev *serial;          /* the first UART's backend */
	struct uart_backend serial_backend; /* COM1 output -> serial */
	const struct engine_ops *engine;
	void *engine_vm;                 /* engine-private */
	bool engine_started;             /* vm_init succeeded */

	struct guest_mem mem;
	struct bus pio;
	struct bus mmio;
	struct irq_router irq;
	struct vclock clock;
	struct pc_devices *pc;
	struct virtio_devices *virtio;

	unsigned ncpus;
	struct engine_vcpu *vcpus[CONFIG_MAX_CPUS];

	GMutex lock;                     /* the machine lock: held while the vCPU thread runs */
	GCond wake;                      /* signalled when a halted/paused machine has work */
	int io_waiting;                  /* atomic: other threads queued for the lock */
	enum machine_stop stop;          /* STOP_NONE while running */
	int exit_status;                 /* process exit status once stopped */
	bool reset_requested;
	bool paused;
	unsigned wakeups;                /* bumped by machine_irq_notify */

	struct cpu_state boot_state;     /* BSP state produced by the loader */
	struct machine_stats stats;
};

/* Builds everything the configuration asks for, loads the kernel, and
 * leaves the machine ready to run. `serial` is the first UART's backend. */
struct machine *machine_create(struct machine_config *cfg, struct chardev *serial, GError **err);
void machine_destroy(struct machine *m);
/* Reloads the kernel and resets devices and vCPUs (guest reboot). */
bool machine_reset(struct machine *m, GError **err);

/* Dispatch of guest accesses (both engines). */
void machine_pio(struct machine *m, unsigned cpu, uint16_t port, void *data, unsigned len, bool is_write);
void machine_mmio(struct machine *m, unsigned cpu, uint64_t addr, void *data, unsigned len, bool is_write);

/* Emulated interrupt controllers (emu only). */
bool machine_irq_pending(struct machine *m, unsigned cpu);  /* a maskable interrupt awaits (IF not considered) */
int machine_irq_ack(struct machine *m, unsigned cpu);       /* INTA cycle: the vector, or -1 */
bool machine_nmi_pending(struct machine *m, unsigned cpu);  /* and consumes it */
bool machine_lapic_msr(struct machine *m, unsigned cpu, uint32_t index, uint64_t *value, bool is_write);
void machine_irq_notify(struct machine *m, unsigned cpu);   /* devices: interrupt state changed */
void machine_send_init(struct machine *m, unsigned cpu);
void machine_send_sipi(struct machine *m, unsigned cpu, uint8_t vector);

/* Takes / drops the machine lock from a thread other than the vCPU thread
 * (the vCPU thread yields to waiters between slices). */
void machine_lock_other(struct machine *m);
void machine_unlock_other(struct machine *m);

/* Runs the vCPUs until the machine stops; returns the exit status. Called
 * with the lock not held. (vcpu_loop.c) */
int machine_run(struct machine *m);

/* From any thread with the lock held: stop the machine with a reason. */
void machine_request_stop(struct machine *m, enum machine_stop why, int exit_status);
/* With the lock held: make every vCPU leave run() soon and wake the loop. */
void machine_kick_all(struct machine *m);
/* Guest asked for a reset (i8042 0xFE, port 0xCF9, triple fault). */
void machine_request_reset(struct machine *m);

#endif
