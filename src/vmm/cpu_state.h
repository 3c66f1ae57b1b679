/* Engine-neutral vCPU state: the Linux KVM structures, used by both engines
 * so that state saved under one can be restored under the other. */
#ifndef TANDEM_CPU_STATE_H
#define TANDEM_CPU_STATE_H

#include <linux/kvm.h>
#include <stdint.h>

#define CPU_STATE_MAX_MSRS 32

struct cpu_msr {
	uint32_t index;
	uint64_t data;
};

struct cpu_state {
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_fpu fpu;
	struct cpu_msr msrs[CPU_STATE_MAX_MSRS];
	unsigned nmsrs;
};

/* Adds or replaces one MSR in the list; returns false when it is full. */
static inline int cpu_state_set_msr(struct cpu_state *s, uint32_t index, uint64_t data)
{
	for (unsigned i = 0; i < s->nmsrs; i++)
		if (s->msrs[i].index == index) {
			s->msrs[i].data = data;
			return 1;
		}
	if (s->nmsrs >= CPU_STATE_MAX_MSRS)
		return 0;
	s->msrs[s->nmsrs].index = index;
	s->msrs[s->nmsrs].data = data;
	s->nmsrs++;
	return 1;
}

#endif
