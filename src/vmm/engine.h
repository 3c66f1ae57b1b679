/* The CPU-engine interface: the small surface both engines (emu, kvm)
 * implement. Everything else (devices, loaders, the exit loop) is shared.
 *
 * Port I/O and MMIO: KVM reports them as exits that the shared exit loop
 * dispatches (vcpu_loop.c); the emulator calls the very same dispatch
 * functions (machine_pio / machine_mmio) synchronously from inside the
 * instruction, since an interpreter cannot "return" mid-instruction. */
#ifndef TANDEM_ENGINE_H
#define TANDEM_ENGINE_H

#include "vmm/cpu_state.h"

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

struct machine;
struct engine_vcpu;

enum vcpu_exit_reason {
	VCPU_EXIT_NONE = 0,
	VCPU_EXIT_IO,        /* kvm: port I/O in info.io */
	VCPU_EXIT_MMIO,      /* kvm: MMIO in info.mmio */
	VCPU_EXIT_HLT,       /* HLT with no interrupt pending: wait for one */
	VCPU_EXIT_SHUTDOWN,  /* triple fault */
	VCPU_EXIT_SLICE,     /* time slice over, or kicked: nothing to do */
	VCPU_EXIT_ERROR,     /* engine failure; info.error holds a message */
	VCPU_EXIT__COUNT
};

struct vcpu_exit {
	enum vcpu_exit_reason reason;
	union {
		struct {
			uint16_t port;
			uint8_t size;      /* 1, 2, 4 */
			bool is_write;
			uint32_t count;    /* string I/O repeat count */
			uint8_t *data;     /* count * size bytes */
		} io;
		struct {
			uint64_t addr;
			uint8_t data[8];
			uint8_t len;
			bool is_write;
		} mmio;
		char error[256];
	};
};

enum vcpu_run_state {
	VCPU_RUNNABLE,
	VCPU_HALTED,          /* HLT: runnable again when an interrupt is pending */
	VCPU_WAIT_FOR_SIPI,   /* AP after INIT */
};

struct engine_ops {
	const char *name;
	/* One host thread per vCPU, each in run() without the machine lock,
	 * which is taken only to dispatch an exit (kvm: the in-kernel LAPIC
	 * does HLT, INIT and SIPI). false: all vCPUs take turns on one thread
	 * holding the lock (emu). Threaded engines' run() must be given the
	 * same vcpu_exit each time: an MMIO read's answer goes back through it. */
	bool threaded;
	/* Can this engine run here? false with a message saying why and what to do. */
	bool (*available)(GError **err);
	/* Per-machine setup after guest RAM exists and before any vCPU. */
	bool (*vm_init)(struct machine *m, GError **err);
	void (*vm_destroy)(struct machine *m);
	struct engine_vcpu *(*vcpu_create)(struct machine *m, unsigned index, GError **err);
	void (*vcpu_destroy)(struct engine_vcpu *v);
	bool (*set_state)(struct engine_vcpu *v, const struct cpu_state *st, GError **err);
	bool (*get_state)(struct engine_vcpu *v, struct cpu_state *st, GError **err);
	/* Runs until an exit. The emulator returns VCPU_EXIT_SLICE at least every
	 * `budget` instructions (and at the next timer deadline), so the loop can
	 * service timers and other vCPUs. */
	enum vcpu_exit_reason (*run)(struct engine_vcpu *v, uint64_t budget, struct vcpu_exit *exit);
	/* From any thread: make run() return soon. */
	void (*kick)(struct engine_vcpu *v);
	/* Instructions retired so far (emu), or 0 where unknown (kvm). */
	uint64_t (*instructions)(struct engine_vcpu *v);
	/* emu only (NULL for kvm, whose in-kernel LAPIC does this): the
	 * interrupt state of this vCPU may have changed (machine_irq_pending
	 * is worth asking again); INIT and Startup IPIs from another LAPIC. */
	void (*irq_notify)(struct engine_vcpu *v);
	void (*init_signal)(struct engine_vcpu *v);
	void (*sipi)(struct engine_vcpu *v, uint8_t vector);
	enum vcpu_run_state (*run_state)(struct engine_vcpu *v);
};

extern const struct engine_ops engine_emu;
extern const struct engine_ops engine_kvm;

#endif
