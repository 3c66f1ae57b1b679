/* engine_emu: vCPU lifecycle, state transfer in KVM's format, and the run
 * loop: fetch through the exec TLB, look the block up in the decode cache
 * (block.c: keyed by physical address and code size, trusted while its
 * page's code state and the I/O epoch are unchanged), run its handler, and take interrupts at instruction
 * boundaries when the machine said something may be pending. */
#include "vmm/emu/cpu.h"
#include "vmm/emu/emu.h"
#include "vmm/machine.h"

#include <stdio.h>
#include <stdlib.h>

struct engine_vcpu {
	struct emu_cpu c;
};

static bool trace_ud, trace_exc;

static inline struct emu_cpu *CPU(struct engine_vcpu *v)
{
	return &v->c;
}

/* --- state ------------------------------------------------------------------ */
static void seg_reset(struct kvm_segment *s, uint16_t sel, uint64_t base, uint8_t type)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->base = base;
	s->limit = 0xffff;
	s->type = type;
	s->present = 1;
	s->s = 1;
}

static void cpu_reset(struct emu_cpu *c, bool init_only)
{
	memset(c->r, 0, sizeof(c->r));
	c->r[R_DX] = 0x206a7;
	c->rip = 0xfff0;
	c->flags = 2;
	c->lf_op = LF_NONE;
	seg_reset(&c->seg[S_CS], 0xf000, 0xffff0000, 0xb);
	for (unsigned s = 0; s < 6; s++)
		if (s != S_CS)
			seg_reset(&c->seg[s], 0, 0, 3);
	seg_reset(&c->tr, 0, 0, 0xb);
	c->tr.s = 0;
	seg_reset(&c->ldt, 0, 0, 2);
	c->ldt.s = 0;
	c->gdt.base = c->idt.base = 0;
	c->gdt.limit = c->idt.limit = 0xffff;
	c->cr0 = 0x60000010;
	c->cr2 = c->cr3 = c->cr4 = c->cr8 = 0;
	c->efer = 0;
	memset(c->dr, 0, sizeof(c->dr));
	c->dr[6] = 0xffff0ff0;
	c->dr[7] = 0x400;
	if (!init_only) {
		c->star = c->lstar = c->cstar = c->sfmask = c->kernel_gs_base = 0;
		c->sysenter_cs = c->sysenter_esp = c->sysenter_eip = 0;
		c->pat = 0x0007040600070406ULL;
		c->misc_enable = 1;  /* fast strings */
		c->tsc_offset = 0;
		c->tsc_adjust = 0;
	}
	fpu_reset(&c->fpu);
	c->shadow = 0;
	c->halted = false;
	c->nmi_blocked = false;
	c->exc_depth = 0;
	seg_set_cpl(c, 0);
	cpu_update_mode(c);
	tlb_flush(c, true);
}

static bool emu_set_state(struct engine_vcpu *v, const struct cpu_state *st, GError **err)
{
	struct emu_cpu *c = CPU(v);
	const struct kvm_regs *r = &st->regs;
	const struct kvm_sregs *s = &st->sregs;
	uint64_t regs[16] = {r->rax, r->rcx, r->rdx, r->rbx, r->rsp, r->rbp, r->rsi, r->rdi,
			     r->r8, r->r9, r->r10, r->r11, r->r12, r->r13, r->r14, r->r15};
	memcpy(c->r, regs, sizeof(regs));
	c->rip = r->rip;
	flags_set(c, r->rflags);
	c->seg[S_ES] = s->es;
	c->seg[S_CS] = s->cs;
	c->seg[S_SS] = s->ss;
	c->seg[S_DS] = s->ds;
	c->seg[S_FS] = s->fs;
	c->seg[S_GS] = s->gs;
	c->tr = s->tr;
	c->ldt = s->ldt;
	c->gdt = s->gdt;
	c->idt = s->idt;
	c->cr0 = s->cr0;
	c->cr2 = s->cr2;
	c->cr3 = s->cr3;
	c->cr4 = s->cr4;
	c->cr8 = s->cr8;
	c->efer = s->efer;
	if ((c->cr0 & CR0_PG) && (c->efer & EFER_LME))
		c->efer |= EFER_LMA;
	fpu_from_kvm(&c->fpu, &st->fpu);
	for (unsigned k = 0; k < st->nmsrs && k < CPU_STATE_MAX_MSRS; k++) {
		uint32_t idx = st->msrs[k].index;
		if (idx == 0xc0000080 || idx == 0x1b)
			continue;  /* EFER is in sregs; the APIC base belongs to the machine */
		/* MSRs this CPU model does not have (MTRRs, ...) are dropped, as
		 * the guest could not see them anyway (CPUID does not advertise them) */
		msr_write(c, idx, st->msrs[k].data);
	}
	/* A TSC value in the state is a fresh start, not a guest adjustment. */
	c->tsc_adjust = 0;
	seg_set_cpl(c, (c->cr0 & CR0_PE) ? c->seg[S_CS].dpl : 0);
	cpu_update_mode(c);
	tlb_flush(c, true);
	(void)mmu_load_pdptes(c, c->cr3);  /* the state has no PDPTE registers: as if CR3 were written */
	c->halted = false;
	c->shadow = 0;
	c->events = 1;
	c->run_state = VCPU_RUNNABLE;
	return true;
}

static bool emu_get_state(struct engine_vcpu *v, struct cpu_state *st, GError **err)
{
	struct emu_cpu *c = CPU(v);
	struct kvm_regs *r = &st->regs;
	struct kvm_sregs *s = &st->sregs;
	memset(st, 0, sizeof(*st));
	r->rax = c->r[0]; r->rcx = c->r[1]; r->rdx = c->r[2]; r->rbx = c->r[3];
	r->rsp = c->r[4]; r->rbp = c->r[5]; r->rsi = c->r[6]; r->rdi = c->r[7];
	r->r8 = c->r[8]; r->r9 = c->r[9]; r->r10 = c->r[10]; r->r11 = c->r[11];
	r->r12 = c->r[12]; r->r13 = c->r[13]; r->r14 = c->r[14]; r->r15 = c->r[15];
	r->rip = c->rip;
	r->rflags = flags_get(c);
	s->es = c->seg[S_ES];
	s->cs = c->seg[S_CS];
	s->ss = c->seg[S_SS];
	s->ds = c->seg[S_DS];
	s->fs = c->seg[S_FS];
	s->gs = c->seg[S_GS];
	s->tr = c->tr;
	s->ldt = c->ldt;
	s->gdt = c->gdt;
	s->idt = c->idt;
	s->cr0 = c->cr0;
	s->cr2 = c->cr2;
	s->cr3 = c->cr3;
	s->cr4 = c->cr4;
	s->cr8 = c->cr8;
	s->efer = c->efer;
	uint64_t apic = 0;
	if (machine_lapic_msr(c->m, c->index, 0x1b, &apic, false))
		s->apic_base = apic;
	fpu_to_kvm(&c->fpu, &st->fpu);
	static const uint32_t msrs[] = {0x10, 0x174, 0x175, 0x176, 0x1a0, 0x277, 0xc0000081, 0xc0000082,
					0xc0000083, 0xc0000084, 0xc0000102};
	for (unsigned k = 0; k < G_N_ELEMENTS(msrs); k++) {
		uint64_t val;
		if (msr_read(c, msrs[k], &val))
			cpu_state_set_msr(st, msrs[k], val);
	}
	return true;
}

/* --- interrupts and exceptions -------------------------------------------------- */
static bool contributory(int v)
{
	return v == EX_DE || (v >= EX_TS && v <= EX_GP);
}

static void report_ud(struct emu_cpu *c)
{
	uint8_t b[INSN_MAX_LEN] = {0};
	uint64_t lin = (c->segbase[S_CS] + c->rip) & c->lin_mask;
	for (unsigned k = 0; k < INSN_MAX_LEN; k++) {
		uint64_t v = 0;
		mmu_read_buf(c, lin + k, &v, 1, ACC_R | ACC_SYS);
		b[k] = (uint8_t)v;
	}
	fprintf(stderr, "emu: #UD at %04x:%#llx bytes %02x %02x %02x %02x %02x %02x %02x %02x\n",
		c->seg[S_CS].selector, (unsigned long long)c->rip, b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]);
}

/* Runs after emu_raise longjmps to the run loop. Returns false on triple fault. */
static bool exception_dispatch(struct emu_cpu *c)
{
	int vec = c->exc_vec;
	uint32_t err = c->exc_err;
	bool has_err = c->exc_has_err;
	c->halted = false;
	c->shadow = 0;
	if (c->exc_depth == 0) {
		c->exc_depth = 1;
		c->exc_first = vec;
		if (vec == EX_UD && trace_ud) {
			c->exc_depth = 2;  /* a fault while reporting is not the guest's */
			report_ud(c);
			c->exc_depth = 1;
		}
	} else if (c->exc_depth == 1) {
		int first = c->exc_first;
		if (first == EX_DF)
			return false;
		if ((contributory(first) && contributory(vec)) ||
		    (first == EX_PF && (contributory(vec) || vec == EX_PF))) {
			vec = EX_DF;
			err = 0;
			has_err = true;
			c->exc_first = EX_DF;
		} else {
			c->exc_first = vec;
		}
	} else {
		return false;
	}
	c->stats.exceptions++;
	if (trace_exc)
		fprintf(stderr, "emu: exception %d err %#x at %04x:%#llx cr2 %#llx\n", vec, err, c->seg[S_CS].selector,
			(unsigned long long)c->rip, (unsigned long long)c->cr2);
	intr_deliver(c, (unsigned)vec, false, has_err, err, c->rip);
	c->exc_depth = 0;
	return true;
}

/* Takes a pending NMI or external interrupt if the CPU can accept it now. */
static void check_interrupts(struct emu_cpu *c)
{
	struct machine *m = c->m;
	if (!c->nmi_blocked && machine_nmi_pending(m, c->index)) {
		c->exc_depth = 1;
		c->exc_first = -1;
		c->nmi_blocked = true;
		c->stats.interrupts++;
		intr_deliver(c, EX_NMI, false, false, 0, c->rip);
		c->exc_depth = 0;
		return;
	}
	if (!(c->flags & F_IF))
		return;
	if (!machine_irq_pending(m, c->index))
		return;
	int vec = machine_irq_ack(m, c->index);
	if (vec < 0)
		return;
	c->exc_depth = 1;
	c->exc_first = -1;  /* benign: a fault while delivering is handled serially */
	c->stats.interrupts++;
	intr_deliver(c, (unsigned)vec, false, false, 0, c->rip);
	c->exc_depth = 0;
}

/* --- the run loop ------------------------------------------------------------------ */
static uint64_t slice_limit(struct emu_cpu *c, uint64_t budget)
{
	struct vclock *vc = &c->m->clock;
	if (vc->mode == VCLOCK_DETERMINISTIC) {
		uint64_t dl = vclock_next_deadline(vc), now = vclock_now(vc);
		if (dl != VCLOCK_NEVER) {
			uint64_t allowed = dl > now ? dl - now : 1;
			if (allowed < budget)
				budget = allowed;
		}
	}
	return c->icount + (budget ? budget : 1);
}

static enum vcpu_exit_reason run_loop(struct emu_cpu *c, uint64_t limit, struct vcpu_exit *exit)
{
	struct vclock *vc = &c->m->clock;
	bool realtime = vc->mode == VCLOCK_REALTIME;

	switch (setjmp(c->jb)) {
	case 0:
		break;
	case 1:
		if (!exception_dispatch(c))
			return VCPU_EXIT_SHUTDOWN;
		break;
	default:
		exit->reason = VCPU_EXIT_ERROR;
		snprintf(exit->error, sizeof(exit->error), "emu: %s (cpu %u, %04x:%#llx)", c->errmsg, c->index,
			 c->seg[S_CS].selector, (unsigned long long)c->rip);
		c->error = 0;
		return VCPU_EXIT_ERROR;
	}

	for (;;) {
		if (c->events) {
			c->events = 0;
			if (c->kicked) {
				c->kicked = 0;
				return VCPU_EXIT_SLICE;
			}
			if (!c->shadow) {
				check_interrupts(c);
				if (c->halted)
					return VCPU_EXIT_HLT;
			}
		}
		if (c->icount >= limit)
			return VCPU_EXIT_SLICE;
		if (realtime && c->icount >= c->rt_check) {
			c->rt_check = c->icount + 4096;
			if (vclock_now(vc) >= vclock_next_deadline(vc))
				return VCPU_EXIT_SLICE;
		}
		bool shadowed = c->shadow, single_step = c->flags & F_TF;
		/* exactly one instruction before interrupts / the #DB trap (and
		 * then never a fused record: block_fetch_one decodes one) */
		const struct block *b = unlikely(c->seg_chk & SEGCHK_FETCH) ? seg_block_fetch(c)
					: unlikely(shadowed || single_step) ? block_fetch_one(c)
					: block_fetch(c);
		unsigned n = b->n;
		if (shadowed || single_step)
			n = 1;
		if (n > limit - c->icount)
			n = (unsigned)(limit - c->icount);
		const struct insn *i = b->in, *end = b->in + n;
		do {
			uint64_t next = (c->rip + i->len) & c->ip_mask;
			c->next_rip = next;
			i->fn(c, i);
			c->rip = c->next_rip;
			c->icount++;
			if (unlikely((c->next_rip != next) | c->events))
				break;
		} while (++i < end);
		if (shadowed) {
			c->shadow = 0;
			c->events = 1;
		}
		if (single_step) {
			/* TF was set when the instruction began: single-step trap after it */
			c->dr[6] |= 0x4000;
			c->exc_depth = 1;
			c->exc_first = EX_DB;
			c->stats.exceptions++;
			intr_deliver(c, EX_DB, false, false, 0, c->rip);
			c->exc_depth = 0;
		}
	}
}

static enum vcpu_exit_reason emu_run(struct engine_vcpu *v, uint64_t budget, struct vcpu_exit *exit)
{
	struct emu_cpu *c = CPU(v);
	memset(exit, 0, sizeof(exit->reason) + sizeof(exit->io));
	if (c->run_state == VCPU_WAIT_FOR_SIPI) {
		exit->reason = VCPU_EXIT_HLT;
		return VCPU_EXIT_HLT;
	}
	c->credited = c->icount;
	if (c->halted)
		c->events = 1;
	code_io_note(c);  /* the machine may have written RAM since the last slice */
	enum vcpu_exit_reason r = run_loop(c, slice_limit(c, budget), exit);
	if (c->m->clock.mode == VCLOCK_DETERMINISTIC)
		vclock_credit(&c->m->clock, c->icount - c->credited);
	c->credited = c->icount;
	c->stats.instructions = c->icount;
	exit->reason = r;
	return r;
}

/* --- engine ops ----------------------------------------------------------------------- */
static bool emu_available(GError **err)
{
	return true;
}

static bool emu_vm_init(struct machine *m, GError **err)
{
	struct emu_vm *vm = g_new0(struct emu_vm, 1);
	vm->m = m;
	block_cache_init(vm);
	m->engine_vm = vm;
	trace_ud = getenv("TANDEM_EMU_TRACE_UD") != NULL;
	trace_exc = getenv("TANDEM_EMU_TRACE_EXC") != NULL;
	return true;
}

static void emu_vm_destroy(struct machine *m)
{
	struct emu_vm *vm = m->engine_vm;
	if (!vm)
		return;
	block_cache_fini(vm);
	g_free(vm);
	m->engine_vm = NULL;
}

static struct engine_vcpu *emu_vcpu_create(struct machine *m, unsigned index, GError **err)
{
	struct emu_vm *vm = m->engine_vm;
	if (!vm || vm->ncpus >= G_N_ELEMENTS(vm->cpus)) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED, "emu: too many vCPUs (max %u)",
			    (unsigned)G_N_ELEMENTS(vm->cpus));
		return NULL;
	}
	struct engine_vcpu *v = g_new0(struct engine_vcpu, 1);
	struct emu_cpu *c = CPU(v);
	c->m = m;
	c->vm = vm;
	c->index = index;
	vm->cpus[vm->ncpus++] = c;
	c->tlbc = c->tlb[0];
	cpu_reset(c, false);
	c->run_state = index == 0 ? VCPU_RUNNABLE : VCPU_WAIT_FOR_SIPI;
	return v;
}

static void emu_vcpu_destroy(struct engine_vcpu *v)
{
	struct emu_cpu *c = CPU(v);
	struct emu_vm *vm = c->vm;
	for (unsigned k = 0; k < vm->ncpus; k++)
		if (vm->cpus[k] == c) {
			vm->cpus[k] = vm->cpus[--vm->ncpus];
			break;
		}
	g_free(v);
}

static void emu_kick(struct engine_vcpu *v)
{
	CPU(v)->kicked = 1;
	CPU(v)->events = 1;
}

static uint64_t emu_instructions(struct engine_vcpu *v)
{
	return CPU(v)->icount;
}

static void emu_irq_notify(struct engine_vcpu *v)
{
	CPU(v)->events = 1;
}

static void emu_init_signal(struct engine_vcpu *v)
{
	struct emu_cpu *c = CPU(v);
	cpu_reset(c, true);
	c->run_state = VCPU_WAIT_FOR_SIPI;
}

static void emu_sipi(struct engine_vcpu *v, uint8_t vector)
{
	struct emu_cpu *c = CPU(v);
	if (c->run_state != VCPU_WAIT_FOR_SIPI)
		return;
	seg_reset(&c->seg[S_CS], (uint16_t)(vector << 8), (uint64_t)vector << 12, 0xb);
	c->rip = 0;
	cpu_update_mode(c);
	c->run_state = VCPU_RUNNABLE;
	c->halted = false;
}

static enum vcpu_run_state emu_run_state(struct engine_vcpu *v)
{
	struct emu_cpu *c = CPU(v);
	if (c->run_state == VCPU_WAIT_FOR_SIPI)
		return VCPU_WAIT_FOR_SIPI;
	return c->halted ? VCPU_HALTED : VCPU_RUNNABLE;
}

void emu_get_stats(struct engine_vcpu *v, struct emu_stats *out)
{
	struct emu_cpu *c = CPU(v);
	*out = c->stats;
	out->instructions = c->icount;
}

const struct engine_ops engine_emu = {
	.name = "emu",
	.available = emu_available,
	.vm_init = emu_vm_init,
	.vm_destroy = emu_vm_destroy,
	.vcpu_create = emu_vcpu_create,
	.vcpu_destroy = emu_vcpu_destroy,
	.set_state = emu_set_state,
	.get_state = emu_get_state,
	.run = emu_run,
	.kick = emu_kick,
	.instructions = emu_instructions,
	.irq_notify = emu_irq_notify,
	.init_signal = emu_init_signal,
	.sipi = emu_sipi,
	.run_state = emu_run_state,
};
