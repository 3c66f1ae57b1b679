/* The kvm engine's internals. Two kinds of functions live here:
 *  - plans: pure functions that compute what an ioctl is given (memory
 *    slots, GSI routes, CPUID, MSRs, segment registers) from the machine's
 *    state. They touch no file descriptor, so unit tests run them anywhere;
 *  - the ioctl wrappers (kvm_vm.c, kvm_vcpu.c, kvm_run.c), which do nothing
 *    but issue what the plans say and turn failures into messages.
 *
 * Threads: one host thread per vCPU calls kvm_vcpu_run() (KVM_RUN without
 * the machine lock); kvm_vcpu_kick() may be called from any thread. */
#ifndef TANDEM_KVM_PRIV_H
#define TANDEM_KVM_PRIV_H

#include "vmm/cpu_state.h"
#include "vmm/engine.h"
#include "vmm/guest_mem.h"

#include <gio/gio.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* ---- plans (pure) ---- */

/* RAM slots around the 32-bit PCI hole: [0, low_end) and [4 GiB, high_end).
 * Returns how many of out[0..1] were filled. */
unsigned kvm_plan_memslots(const struct guest_mem *gm, struct kvm_userspace_memory_region out[2]);

/* GSI routes matching the MADT / MP table: ISA IRQ n reaches PIC pin n and
 * IOAPIC pin n, except IRQ0 (the PIT), which reaches IOAPIC pin 2 (the
 * interrupt source override); GSI 2 is the cascade and has no route.
 * GSIs 16-23 reach IOAPIC pins 16-23. Returns the number of entries. */
#define KVM_PLAN_MAX_ROUTES 48
unsigned kvm_plan_gsi_routes(struct kvm_irq_routing_entry out[KVM_PLAN_MAX_ROUTES]);

/* The CPUID a vCPU gets: KVM_GET_SUPPORTED_CPUID's answer with the APIC id
 * and the topology (one package, ncpus cores, one thread each) filled in,
 * the hypervisor bit set, and nested virtualization (VMX/SVM) hidden.
 * Returns a new table (g_free) that may have more entries than `supported`. */
struct kvm_cpuid2 *kvm_plan_cpuid(const struct kvm_cpuid2 *supported, unsigned apic_id, unsigned ncpus);
/* The entry for (function, index), or NULL. */
struct kvm_cpuid_entry2 *kvm_cpuid_find(struct kvm_cpuid2 *c, uint32_t function, uint32_t index);

/* MSRs a vCPU's state carries (get_state reads these back). */
extern const uint32_t kvm_state_msrs[];
extern const unsigned kvm_state_nmsrs;
/* The KVM_SET_MSRS list for `st`: its MSRs that KVM saves and restores
 * (KVM_GET_MSR_INDEX_LIST's `supported`); the others are skipped and, when
 * `skipped` is given, appended to it as "0x%x" names. Returns a new
 * struct kvm_msrs (g_free). */
struct kvm_msrs *kvm_plan_msrs(const struct cpu_state *st, const uint32_t *supported, unsigned nsupported,
			       GString *skipped);

/* Segment and control registers for vCPU `index` from the loader's BSP
 * state: the APIC base gets the BSP flag only on vCPU 0, no interrupt is
 * pending, and null/absent segments are marked unusable as VMX requires. */
void kvm_plan_sregs(const struct kvm_sregs *in, unsigned index, struct kvm_sregs *out);
/* The VM-entry consistency rules a loader's state must obey (long mode
 * needs PAE and paging, a 64-bit CS is not also 32-bit, TR is a busy TSS,
 * ...). False with the first violated rule. */
bool kvm_sregs_check(const struct kvm_sregs *s, GError **err);

/* KVM_SET_FPU and KVM_GET_FPU never copy MXCSR (every kernel's
 * kvm_arch_vcpu_ioctl_set_fpu/get_fpu skip it: GET returns 0), so MXCSR
 * goes in and out through the XSAVE image: byte 24 of the legacy area.
 * Going in, the x87 and SSE bits of XSTATE_BV (byte 512) must be set or
 * KVM_SET_XSAVE ignores the legacy area; KVM_SET_FPU then sets the rest. */
#define KVM_XSAVE_MXCSR_WORD 6
#define KVM_XSAVE_XSTATE_BV_WORD 128
void kvm_plan_xsave_mxcsr(struct kvm_xsave *x, uint32_t mxcsr);

/* LAPIC register page: LVT0 = ExtINT on the BSP (the 8259 reaches CPU 0,
 * "virtual wire"), masked elsewhere; LVT1 = NMI everywhere. */
#define KVM_APIC_LVT0 0x350
#define KVM_APIC_LVT1 0x360
void kvm_plan_lapic(struct kvm_lapic_state *lapic, unsigned index);

/* ---- ioctl wrappers ---- */

struct machine;

struct kvm_vm {
	struct machine *m;
	int sys_fd;                    /* /dev/kvm */
	int vm_fd;
	int run_size;                  /* KVM_GET_VCPU_MMAP_SIZE */
	struct kvm_cpuid2 *supported;  /* KVM_GET_SUPPORTED_CPUID */
	uint32_t *msr_index;           /* KVM_GET_MSR_INDEX_LIST */
	unsigned nmsr_index;
	size_t xsave_size;             /* KVM_GET/SET_XSAVE buffer; 0 without KVM_CAP_XSAVE */
};

struct engine_vcpu {
	struct kvm_vm *vm;
	unsigned index;
	int fd;
	struct kvm_run *run;           /* mmap'd, run_size bytes */
	pthread_t thread;              /* the thread in KVM_RUN, for kicks */
	int thread_known;              /* atomic */
	bool mmio_read_pending;        /* the last exit was an MMIO read */
};

/* kvm_vm.c */
struct kvm_vm *kvm_vm_create(struct machine *m, GError **err);
void kvm_vm_destroy(struct kvm_vm *vm);

/* kvm_vcpu.c */
struct engine_vcpu *kvm_vcpu_create(struct kvm_vm *vm, unsigned index, GError **err);
void kvm_vcpu_destroy(struct engine_vcpu *v);
bool kvm_vcpu_set_state(struct engine_vcpu *v, const struct cpu_state *st, GError **err);
bool kvm_vcpu_get_state(struct engine_vcpu *v, struct cpu_state *st, GError **err);

/* kvm_run.c */
enum vcpu_exit_reason kvm_vcpu_run(struct engine_vcpu *v, struct vcpu_exit *ex);
void kvm_vcpu_kick(struct engine_vcpu *v);
/* Installs the no-op handler of the kick signal (once per process). */
bool kvm_kick_signal_init(GError **err);
/* Turns a kvm_run exit into a vcpu_exit (pure; run_size bounds io data). */
enum vcpu_exit_reason kvm_translate_exit(struct kvm_run *run, size_t run_size, struct vcpu_exit *ex,
					 bool *mmio_read_pending);

/* Retries on EINTR; -1 with errno otherwise. */
int kvm_ioctl(int fd, unsigned long req, void *arg);
/* "<what> failed: <errno text>" with a hint for the errnos that have one. */
void kvm_set_errno_error(GError **err, int e, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

#endif
