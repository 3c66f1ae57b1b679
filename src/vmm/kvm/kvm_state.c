/* Register-state plans: what KVM_SET_SREGS, KVM_SET_MSRS and KVM_SET_LAPIC
 * get for a vCPU, derived from the loader's engine-neutral state, and the
 * VM-entry rules that state must obey (checked before KVM_RUN so that a
 * loader bug reads as a message, not as KVM_EXIT_FAIL_ENTRY). Pure. */
#include "vmm/kvm/kvm_priv.h"
#include "vmm/layout.h"

#include <string.h>

#define CR0_PE   (1ULL << 0)
#define CR0_PG   (1ULL << 31)
#define CR4_PAE  (1ULL << 5)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)
#define APIC_BASE_BSP    (1ULL << 8)
#define APIC_BASE_ENABLE (1ULL << 11)

const uint32_t kvm_state_msrs[] = {
	0x10,                                /* TSC */
	0x174, 0x175, 0x176,                 /* SYSENTER_CS/ESP/EIP */
	0x1A0,                               /* MISC_ENABLE */
	0x277,                               /* PAT */
	0x6E0,                               /* TSC_DEADLINE */
	0xC0000081, 0xC0000082, 0xC0000083,  /* STAR, LSTAR, CSTAR */
	0xC0000084, 0xC0000102,              /* SYSCALL_MASK, KERNEL_GS_BASE */
};
const unsigned kvm_state_nmsrs = G_N_ELEMENTS(kvm_state_msrs);

static bool msr_supported(uint32_t index, const uint32_t *supported, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (supported[i] == index)
			return true;
	return false;
}

struct kvm_msrs *kvm_plan_msrs(const struct cpu_state *st, const uint32_t *supported, unsigned nsupported,
			       GString *skipped)
{
	unsigned n = MIN(st->nmsrs, CPU_STATE_MAX_MSRS);
	struct kvm_msrs *l = g_malloc0(sizeof(*l) + n * sizeof(l->entries[0]));
	for (unsigned i = 0; i < n; i++) {
		if (!msr_supported(st->msrs[i].index, supported, nsupported)) {
			if (skipped)
				g_string_append_printf(skipped, "%s0x%x", skipped->len ? " " : "", st->msrs[i].index);
			continue;
		}
		l->entries[l->nmsrs].index = st->msrs[i].index;
		l->entries[l->nmsrs].data = st->msrs[i].data;
		l->nmsrs++;
	}
	return l;
}

static void mark_unusable(struct kvm_segment *s)
{
	s->unusable = !s->present;
}

void kvm_plan_sregs(const struct kvm_sregs *in, unsigned index, struct kvm_sregs *out)
{
	*out = *in;
	uint64_t base = in->apic_base ? in->apic_base : LAYOUT_LAPIC_BASE | APIC_BASE_ENABLE;
	out->apic_base = index == 0 ? base | APIC_BASE_BSP : base & ~APIC_BASE_BSP;
	memset(out->interrupt_bitmap, 0, sizeof(out->interrupt_bitmap));
	mark_unusable(&out->cs);
	mark_unusable(&out->ds);
	mark_unusable(&out->es);
	mark_unusable(&out->fs);
	mark_unusable(&out->gs);
	mark_unusable(&out->ss);
	mark_unusable(&out->ldt);
	/* TR can never be unusable at VM entry: the loader must give a TSS. */
}

#define CHECK(cond, ...)                                                                   \
	do {                                                                               \
		if (!(cond)) {                                                             \
			g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, __VA_ARGS__); \
			return false;                                                      \
		}                                                                          \
	} while (0)

static bool check_data_segment(const struct kvm_segment *s, const char *name, GError **err)
{
	if (!s->present || s->unusable)
		return true;
	CHECK(s->s, "initial CPU state: %s is not a code/data segment (S=0)", name);
	CHECK(s->type & 1, "initial CPU state: %s type %#x is not marked accessed", name, s->type);
	CHECK(!(s->type & 8) || (s->type & 2), "initial CPU state: %s is an execute-only code segment", name);
	return true;
}

bool kvm_sregs_check(const struct kvm_sregs *s, GError **err)
{
	bool pg = s->cr0 & CR0_PG, lme = s->efer & EFER_LME, lma = s->efer & EFER_LMA;
	CHECK(!pg || (s->cr0 & CR0_PE), "initial CPU state: CR0.PG without CR0.PE (cr0 %#llx)",
	      (unsigned long long)s->cr0);
	CHECK(lma == (lme && pg), "initial CPU state: EFER.LMA %d does not match EFER.LME %d and CR0.PG %d",
	      lma, lme, pg);
	CHECK(!lma || (s->cr4 & CR4_PAE), "initial CPU state: long mode without CR4.PAE (cr4 %#llx)",
	      (unsigned long long)s->cr4);
	CHECK(!s->cs.l || lma, "initial CPU state: 64-bit code segment (CS.L) outside long mode");
	CHECK(!(s->cs.l && s->cs.db), "initial CPU state: CS has both L and D/B set");
	CHECK(s->cs.present && s->cs.s && (s->cs.type & 8) && (s->cs.type & 1),
	      "initial CPU state: CS is not a present, accessed code segment (type %#x, P %d, S %d)",
	      s->cs.type, s->cs.present, s->cs.s);
	CHECK(!(s->cr0 & CR0_PE) || s->ss.dpl == s->cs.dpl, "initial CPU state: SS.DPL %d differs from CS.DPL %d",
	      s->ss.dpl, s->cs.dpl);
	CHECK(!s->ss.present || s->ss.unusable || s->ss.type == 3 || s->ss.type == 7,
	      "initial CPU state: SS type %#x is not a read/write data segment", s->ss.type);
	if (!check_data_segment(&s->ds, "DS", err) || !check_data_segment(&s->es, "ES", err) ||
	    !check_data_segment(&s->fs, "FS", err) || !check_data_segment(&s->gs, "GS", err) ||
	    !check_data_segment(&s->ss, "SS", err))
		return false;
	CHECK(s->tr.present && !s->tr.s && (s->tr.type == 11 || (!lma && s->tr.type == 3)),
	      "initial CPU state: TR must be a present busy TSS (type %#x, P %d, S %d)", s->tr.type, s->tr.present,
	      s->tr.s);
	CHECK(!s->ldt.present || s->ldt.unusable || (!s->ldt.s && s->ldt.type == 2),
	      "initial CPU state: LDTR type %#x is not an LDT", s->ldt.type);
	CHECK(s->gdt.limit <= 0xFFFF && s->idt.limit <= 0xFFFF, "initial CPU state: GDT/IDT limit above 0xFFFF");
	return true;
}

void kvm_plan_xsave_mxcsr(struct kvm_xsave *x, uint32_t mxcsr)
{
	x->region[KVM_XSAVE_MXCSR_WORD] = mxcsr;
	x->region[KVM_XSAVE_XSTATE_BV_WORD] |= 3;  /* x87 | SSE: the legacy area counts */
}

static void lapic_set_reg(struct kvm_lapic_state *l, unsigned off, uint32_t v)
{
	memcpy(&l->regs[off], &v, sizeof(v));
}

static uint32_t lapic_get_reg(const struct kvm_lapic_state *l, unsigned off)
{
	uint32_t v;
	memcpy(&v, &l->regs[off], sizeof(v));
	return v;
}

#define LVT_MASKED        (1u << 16)
#define LVT_DELIVERY_MASK (7u << 8)
#define LVT_DM_NMI        (4u << 8)
#define LVT_DM_EXTINT     (7u << 8)

void kvm_plan_lapic(struct kvm_lapic_state *lapic, unsigned index)
{
	uint32_t lvt0 = lapic_get_reg(lapic, KVM_APIC_LVT0) & ~(LVT_DELIVERY_MASK | LVT_MASKED);
	uint32_t lvt1 = lapic_get_reg(lapic, KVM_APIC_LVT1) & ~(LVT_DELIVERY_MASK | LVT_MASKED);
	lapic_set_reg(lapic, KVM_APIC_LVT0, index == 0 ? lvt0 | LVT_DM_EXTINT : lvt0 | LVT_MASKED);
	lapic_set_reg(lapic, KVM_APIC_LVT1, lvt1 | LVT_DM_NMI);
}
