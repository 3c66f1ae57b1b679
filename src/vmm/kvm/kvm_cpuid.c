/* CPUID for a vCPU, planned from KVM_GET_SUPPORTED_CPUID's answer. KVM
 * reports what it can virtualize on this host; what only the VMM knows is
 * the vCPU's identity and the machine's topology, so that is what is
 * filled in here (the spec's §4 step 13). Pure: unit-tested from a
 * recorded answer. */
#include "vmm/kvm/kvm_priv.h"

#include <string.h>

#define CPUID1_ECX_VMX        (1u << 5)
#define CPUID1_ECX_HYPERVISOR (1u << 31)
#define CPUID1_EDX_HTT        (1u << 28)
#define CPUID_EXT1_ECX_SVM    (1u << 2)
#define TOPO_LEVEL_SMT  1u
#define TOPO_LEVEL_CORE 2u

struct kvm_cpuid_entry2 *kvm_cpuid_find(struct kvm_cpuid2 *c, uint32_t function, uint32_t index)
{
	for (uint32_t i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];
		if (e->function != function)
			continue;
		if (!(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) || e->index == index)
			return e;
	}
	return NULL;
}

/* Bits needed to number `n` things (the x2APIC id shift of a level). */
static unsigned order_of(unsigned n)
{
	unsigned s = 0;
	while ((1u << s) < n)
		s++;
	return s;
}

/* Leaf 0xB / 0x1F: the extended topology, which Linux prefers to every
 * other source. Level 0 (SMT): one thread per core; level 1 (core): ncpus
 * cores per package; level 2 ends the list. EDX is the x2APIC id. */
static void plan_topology_leaf(struct kvm_cpuid2 *c, uint32_t leaf, unsigned apic_id, unsigned ncpus)
{
	/* Replace whatever subleaves KVM listed with exactly three. */
	uint32_t w = 0;
	for (uint32_t i = 0; i < c->nent; i++)
		if (c->entries[i].function != leaf)
			c->entries[w++] = c->entries[i];
	c->nent = w;
	for (uint32_t sub = 0; sub < 3; sub++) {
		struct kvm_cpuid_entry2 *e = &c->entries[c->nent++];
		memset(e, 0, sizeof(*e));
		e->function = leaf;
		e->index = sub;
		e->flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
		e->edx = apic_id;
		e->ecx = sub;
		if (sub == 0) {
			e->eax = 0;
			e->ebx = 1;
			e->ecx |= TOPO_LEVEL_SMT << 8;
		} else if (sub == 1) {
			e->eax = order_of(ncpus);
			e->ebx = ncpus;
			e->ecx |= TOPO_LEVEL_CORE << 8;
		}
	}
}

struct kvm_cpuid2 *kvm_plan_cpuid(const struct kvm_cpuid2 *supported, unsigned apic_id, unsigned ncpus)
{
	/* Room for the 3 subleaves of 0xB and 0x1F beyond what KVM listed. */
	uint32_t cap = supported->nent + 6;
	struct kvm_cpuid2 *c = g_malloc0(sizeof(*c) + cap * sizeof(c->entries[0]));
	c->nent = supported->nent;
	memcpy(c->entries, supported->entries, supported->nent * sizeof(c->entries[0]));
	if (ncpus == 0)
		ncpus = 1;

	struct kvm_cpuid_entry2 *e = kvm_cpuid_find(c, 1, 0);
	if (e) {
		/* EBX[31:24] initial APIC id, EBX[23:16] logical processors per package. */
		e->ebx = (e->ebx & 0x0000FFFFu) | ((apic_id & 0xFFu) << 24) | ((MIN(ncpus, 255u) & 0xFFu) << 16);
		e->ecx = (e->ecx & ~CPUID1_ECX_VMX) | CPUID1_ECX_HYPERVISOR;
		e->edx = ncpus > 1 ? e->edx | CPUID1_EDX_HTT : e->edx & ~CPUID1_EDX_HTT;
	}
	/* Leaf 4 (deterministic cache parameters): EAX[31:26] cores per
	 * package - 1; EAX[25:14] threads sharing the cache - 1: caches are
	 * per core here (one thread per core). */
	for (uint32_t i = 0; i < c->nent; i++) {
		e = &c->entries[i];
		if (e->function == 4 && (e->eax & 0x1F) != 0)
			e->eax = (e->eax & 0x00003FFFu) | ((MIN(ncpus, 64u) - 1) << 26);
	}
	struct kvm_cpuid_entry2 *max = kvm_cpuid_find(c, 0, 0);
	if (max && max->eax >= 0xB)
		plan_topology_leaf(c, 0xB, apic_id, ncpus);
	if (max && max->eax >= 0x1F)
		plan_topology_leaf(c, 0x1F, apic_id, ncpus);

	e = kvm_cpuid_find(c, 0x80000001, 0);
	if (e)
		e->ecx &= ~CPUID_EXT1_ECX_SVM;
	/* AMD: ECX[7:0] number of cores - 1. */
	e = kvm_cpuid_find(c, 0x80000008, 0);
	if (e)
		e->ecx = (e->ecx & ~0xFFu) | ((MIN(ncpus, 256u) - 1) & 0xFFu);
	return c;
}
