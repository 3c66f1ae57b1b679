/* System instructions: HLT, CLI/STI, IN/OUT, CPUID, RDTSC, RDMSR/WRMSR,
 * MOV CR/DR, descriptor-table instructions, SYSCALL/SYSRET, SWAPGS, and
 * the architectural no-ops (fences, CLFLUSH, PAUSE). */
#include "vmm/emu/ops.h"

static inline void need_cpl0(struct emu_cpu *c)
{
	if (c->cpl != 0)
		emu_gp(c, 0);
}

static inline void need_prot(struct emu_cpu *c)
{
	if (c->mode == MODE_REAL || (c->flags & F_VM))
		emu_ud(c);  /* not recognized in real and virtual-8086 mode */
}

void op_ud(struct emu_cpu *c, const struct insn *i)
{
	emu_ud(c);
}

void op_unimpl(struct emu_cpu *c, const struct insn *i)
{
	emu_fatal(c, "unimplemented instruction (opcode %s%02x) at RIP %#llx",
		  i->map == 1 ? "0f " : "", i->opcode, (unsigned long long)c->rip);
}

/* ARPL r/m16, r16 (outside 64-bit mode): raises the destination selector's
 * RPL to the source's; ZF says whether it changed. */
void op_arpl(struct emu_cpu *c, const struct insn *i)
{
	need_prot(c);
	uint64_t lin = 0;
	uint16_t d;
	if (i->mod == 3) {
		d = (uint16_t)c->r[i->rm];
	} else {
		lin = insn_addr(c, i, 2, ACC_W);
		d = (uint16_t)mem_read(c, lin, 2);
	}
	uint16_t s = (uint16_t)c->r[i->reg & 7];
	bool adjust = (d & 3u) < (s & 3u);
	if (adjust) {
		d = (uint16_t)((d & ~3u) | (s & 3u));
		if (i->mod == 3)
			reg_set(c, i->rm, 2, d);
		else
			mem_write(c, lin, 2, d);
	}
	flags_arith(c, F_ZF, adjust ? F_ZF : 0);
}

void op_hlt(struct emu_cpu *c, const struct insn *i)
{
	need_cpl0(c);
	c->halted = true;
	c->events = 1;
}

static void check_iopl(struct emu_cpu *c)
{
	if (c->mode != MODE_REAL && c->cpl > ((flags_get(c) & F_IOPL) >> 12))
		emu_gp(c, 0);
}

void op_cli(struct emu_cpu *c, const struct insn *i)
{
	check_iopl(c);
	c->flags &= ~(uint64_t)F_IF;
}

void op_sti(struct emu_cpu *c, const struct insn *i)
{
	check_iopl(c);
	if (!(c->flags & F_IF))
		c->shadow = 1;  /* interrupts wait for one more instruction */
	c->flags |= F_IF;
	c->events = 1;
}

void op_in(struct emu_cpu *c, const struct insn *i)
{
	unsigned sz = i->osz == 8 ? 4 : i->osz;
	uint16_t port = (i->opcode & 8) ? (uint16_t)c->r[R_DX] : (uint16_t)i->imm;
	if (!io_allowed(c, port, sz))
		emu_gp(c, 0);
	reg_set(c, R_AX, sz, io_in(c, port, sz));
}

void op_out(struct emu_cpu *c, const struct insn *i)
{
	unsigned sz = i->osz == 8 ? 4 : i->osz;
	uint16_t port = (i->opcode & 8) ? (uint16_t)c->r[R_DX] : (uint16_t)i->imm;
	if (!io_allowed(c, port, sz))
		emu_gp(c, 0);
	io_out(c, port, sz, reg_get(c, R_AX, sz));
}

void op_cpuid(struct emu_cpu *c, const struct insn *i)
{
	uint32_t o[4];
	cpuid_query(c, (uint32_t)c->r[R_AX], (uint32_t)c->r[R_CX], o);
	c->r[R_AX] = o[0];
	c->r[R_BX] = o[1];
	c->r[R_CX] = o[2];
	c->r[R_DX] = o[3];
}

void op_rdtsc(struct emu_cpu *c, const struct insn *i)
{
	if ((c->cr4 & 0x4) && c->cpl != 0)
		emu_gp(c, 0);
	uint64_t t = emu_tsc(c);
	c->r[R_AX] = t & 0xffffffff;
	c->r[R_DX] = t >> 32;
}

void op_rdtscp(struct emu_cpu *c, const struct insn *i)
{
	emu_ud(c);
}

void op_rdmsr(struct emu_cpu *c, const struct insn *i)
{
	need_cpl0(c);
	uint64_t v = 0;
	if (!msr_read(c, (uint32_t)c->r[R_CX], &v))
		emu_gp(c, 0);
	c->r[R_AX] = v & 0xffffffff;
	c->r[R_DX] = v >> 32;
}

void op_wrmsr(struct emu_cpu *c, const struct insn *i)
{
	need_cpl0(c);
	uint64_t v = (c->r[R_AX] & 0xffffffff) | (c->r[R_DX] << 32);
	if (!msr_write(c, (uint32_t)c->r[R_CX], v))
		emu_gp(c, 0);
	c->events = 1;
}

void op_mov_cr(struct emu_cpu *c, const struct insn *i)
{
	need_cpl0(c);
	unsigned n = i->reg;
	unsigned sz = c->mode == MODE_LONG ? 8 : 4;
	if (n != 0 && n != 2 && n != 3 && n != 4 && n != 8)
		emu_ud(c);
	if (i->opcode == 0x20) {
		uint64_t v = n == 0 ? c->cr0 : n == 2 ? c->cr2 : n == 3 ? c->cr3 : n == 4 ? c->cr4 : c->cr8;
		reg_set(c, i->rm, sz, v);
	} else {
		cr_write(c, n, reg_get(c, i->rm, sz));
		c->events = 1;
	}
}

void op_mov_dr(struct emu_cpu *c, const struct insn *i)
{
	need_cpl0(c);
	unsigned n = i->reg;
	unsigned sz = c->mode == MODE_LONG ? 8 : 4;
	if (n > 7)
		emu_ud(c);
	if (n == 4 || n == 5)
		n += 2;
	if (i->opcode == 0x21) {
		uint64_t v = c->dr[n];
		if (n == 6)
			v |= 0xffff0ff0;
		if (n == 7)
			v |= 0x400;
		reg_set(c, i->rm, sz, v);
	} else {
		c->dr[n] = reg_get(c, i->rm, sz);
	}
}

void op_clts(struct emu_cpu *c, const struct insn *i)
{
	need_cpl0(c);
	c->cr0 &= ~(uint64_t)CR0_TS;
}

void op_wbinvd(struct emu_cpu *c, const struct insn *i)
{
	need_cpl0(c);
}

void op_invlpg(struct emu_cpu *c, const struct insn *i)
{
	need_cpl0(c);
	tlb_flush_page(c, insn_lin(c, i));
	c->events = 1;  /* serializing: what follows is fetched through the new mapping */
}

static void load_dtable(struct emu_cpu *c, const struct insn *i, struct kvm_dtable *t)
{
	need_cpl0(c);
	uint64_t lin = insn_addr(c, i, c->code_size == 8 ? 10 : 6, ACC_R);
	uint16_t limit = (uint16_t)mem_read(c, lin, 2);
	uint64_t base = mem_read(c, (lin + 2) & c->lin_mask, c->code_size == 8 ? 8 : 4);
	if (c->code_size != 8 && i->osz == 2)
		base &= 0xffffff;
	t->limit = limit;
	t->base = base;
}

static void store_dtable(struct emu_cpu *c, const struct insn *i, const struct kvm_dtable *t)
{
	unsigned bsz = c->code_size == 8 ? 8 : 4;
	uint64_t lin = insn_addr(c, i, 2 + bsz, ACC_W);
	mmu_probe_write(c, lin, 2 + bsz);
	mem_write(c, lin, 2, t->limit);
	mem_write(c, (lin + 2) & c->lin_mask, bsz, t->base);
}

void op_lgdt(struct emu_cpu *c, const struct insn *i) { load_dtable(c, i, &c->gdt); }
void op_lidt(struct emu_cpu *c, const struct insn *i) { load_dtable(c, i, &c->idt); }
void op_sgdt(struct emu_cpu *c, const struct insn *i) { store_dtable(c, i, &c->gdt); }
void op_sidt(struct emu_cpu *c, const struct insn *i) { store_dtable(c, i, &c->idt); }

void op_smsw(struct emu_cpu *c, const struct insn *i)
{
	if (i->mod == 3)
		reg_set(c, i->rm, i->osz, c->cr0 & size_mask(i->osz));
	else
		mem_write(c, insn_addr(c, i, 2, ACC_W), 2, c->cr0 & 0xffff);
}

void op_lmsw(struct emu_cpu *c, const struct insn *i)
{
	need_cpl0(c);
	uint64_t v = i->mod == 3 ? c->r[i->rm] & 0xffff : mem_read(c, insn_addr(c, i, 2, ACC_R), 2);
	uint64_t n = (c->cr0 & ~0xeULL) | (v & 0xf) | (c->cr0 & CR0_PE);
	cr_write(c, 0, n);
	c->events = 1;
}

static void store_sel(struct emu_cpu *c, const struct insn *i, uint16_t sel)
{
	if (i->mod == 3)
		reg_set(c, i->rm, i->osz == 1 ? 2 : i->osz, sel);
	else
		mem_write(c, insn_addr(c, i, 2, ACC_W), 2, sel);
}

static uint16_t read_sel(struct emu_cpu *c, const struct insn *i)
{
	return i->mod == 3 ? (uint16_t)c->r[i->rm] : (uint16_t)mem_read(c, insn_addr(c, i, 2, ACC_R), 2);
}

void op_sldt(struct emu_cpu *c, const struct insn *i)
{
	need_prot(c);
	store_sel(c, i, c->ldt.selector);
}

void op_str(struct emu_cpu *c, const struct insn *i)
{
	need_prot(c);
	store_sel(c, i, c->tr.selector);
}

void op_lldt(struct emu_cpu *c, const struct insn *i)
{
	need_prot(c);
	need_cpl0(c);
	uint16_t sel = read_sel(c, i);
	if ((sel & ~3u) == 0) {
		seg_null(&c->ldt, sel);
		return;
	}
	uint64_t lo, hi;
	bool lm = c->efer & EFER_LMA;
	if ((sel & 4) || !desc_read(c, sel, &lo, &hi, lm) || ((lo >> 44) & 1) || ((lo >> 40) & 0xf) != 2)
		emu_gp(c, sel & 0xfffc);
	if (!((lo >> 47) & 1))
		emu_raise(c, EX_NP, sel & 0xfffc, true);
	desc_to_seg(&c->ldt, sel, lo, hi);
}

void op_ltr(struct emu_cpu *c, const struct insn *i)
{
	need_prot(c);
	need_cpl0(c);
	uint16_t sel = read_sel(c, i);
	uint64_t lo, hi;
	bool lm = c->efer & EFER_LMA;
	unsigned type;
	if ((sel & ~3u) == 0 || (sel & 4) || !desc_read(c, sel, &lo, &hi, lm) || ((lo >> 44) & 1))
		emu_gp(c, sel & 0xfffc);
	type = (lo >> 40) & 0xf;
	if (type != 9 && !(type == 1 && !lm))
		emu_gp(c, sel & 0xfffc);
	if (!((lo >> 47) & 1))
		emu_raise(c, EX_NP, sel & 0xfffc, true);
	uint8_t b = (uint8_t)((lo >> 40) | 2);  /* busy */
	mmu_write_buf(c, (c->gdt.base + (sel & ~7u) + 5) & c->lin_mask, &b, 1, ACC_W | ACC_SYS);
	desc_to_seg(&c->tr, sel, lo | (2ULL << 40), hi);
}

/* LAR/LSL/VERR/VERW: ZF says whether the selector passes the checks. */
static bool probe_desc(struct emu_cpu *c, uint16_t sel, uint64_t *lo, bool for_lsl)
{
	uint64_t hi;
	if ((sel & ~3u) == 0 || !desc_read(c, sel, lo, &hi, false))
		return false;
	bool s = (*lo >> 44) & 1;
	unsigned type = (*lo >> 40) & 0xf, dpl = (*lo >> 45) & 3;
	if (!s) {
		static const uint16_t lar_ok32 = (1u << 1) | (1u << 2) | (1u << 3) | (1u << 4) | (1u << 5) |
						 (1u << 9) | (1u << 11) | (1u << 12) | (1u << 14) | (1u << 15);
		static const uint16_t lar_ok64 = (1u << 2) | (1u << 9) | (1u << 11) | (1u << 12) | (1u << 14) | (1u << 15);
		uint16_t ok = (c->efer & EFER_LMA) ? lar_ok64 : lar_ok32;
		if (for_lsl)
			ok &= (1u << 1) | (1u << 2) | (1u << 3) | (1u << 9) | (1u << 11);
		if (!((ok >> type) & 1))
			return false;
	}
	bool conforming = s && (type & 0xc) == 0xc;
	if (!conforming && (dpl < c->cpl || dpl < (sel & 3u)))
		return false;
	return true;
}

void op_lar(struct emu_cpu *c, const struct insn *i)
{
	need_prot(c);
	uint64_t lo;
	uint16_t sel = read_sel(c, i);
	bool ok = probe_desc(c, sel, &lo, false);
	if (ok)
		reg_set(c, i->reg, i->osz, (lo >> 32) & 0x00f0ff00);
	flags_arith(c, F_ZF, ok ? F_ZF : 0);
}

void op_lsl(struct emu_cpu *c, const struct insn *i)
{
	need_prot(c);
	uint64_t lo;
	uint16_t sel = read_sel(c, i);
	bool ok = probe_desc(c, sel, &lo, true);
	if (ok) {
		struct kvm_segment s;
		desc_to_seg(&s, sel, lo, 0);
		reg_set(c, i->reg, i->osz, s.limit);
	}
	flags_arith(c, F_ZF, ok ? F_ZF : 0);
}

static void verx(struct emu_cpu *c, const struct insn *i, bool write)
{
	need_prot(c);
	uint64_t lo;
	uint16_t sel = read_sel(c, i);
	bool ok = probe_desc(c, sel, &lo, false) && ((lo >> 44) & 1);
	if (ok) {
		bool code = (lo >> 43) & 1, rw = (lo >> 41) & 1;
		ok = write ? (!code && rw) : (!code || rw);
	}
	flags_arith(c, F_ZF, ok ? F_ZF : 0);
}

void op_verr(struct emu_cpu *c, const struct insn *i) { verx(c, i, false); }
void op_verw(struct emu_cpu *c, const struct insn *i) { verx(c, i, true); }

static void set_flat(struct kvm_segment *s, uint16_t sel, bool code, bool l, unsigned dpl)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = 0xffffffff;
	s->g = 1;
	s->s = 1;
	s->present = 1;
	s->dpl = dpl;
	s->type = code ? 0xb : 0x3;
	s->l = l;
	s->db = !l;
}

void op_syscall(struct emu_cpu *c, const struct insn *i)
{
	if (!(c->efer & EFER_SCE) || !(c->efer & EFER_LMA))
		emu_ud(c);
	uint16_t sel = (uint16_t)(c->star >> 32);
	uint64_t f = flags_get(c);
	uint64_t target = c->code_size == 8 ? c->lstar : c->cstar;
	c->r[R_CX] = c->next_rip;
	c->r[11] = f & ~(uint64_t)F_RF;
	set_flat(&c->seg[S_CS], sel & 0xfffc, true, true, 0);
	set_flat(&c->seg[S_SS], (sel + 8) & 0xfffc, false, false, 0);
	seg_set_cpl(c, 0);
	flags_set(c, f & ~(c->sfmask | F_RF));
	cpu_update_mode(c);
	c->next_rip = target;
	c->events = 1;
}

void op_sysret(struct emu_cpu *c, const struct insn *i)
{
	if (!(c->efer & EFER_SCE))
		emu_ud(c);
	if (c->cpl != 0 || c->mode != MODE_LONG)
		emu_gp(c, 0);
	bool to64 = i->rex & 8;
	uint16_t base = (uint16_t)(c->star >> 48);
	uint64_t rip = to64 ? c->r[R_CX] : c->r[R_CX] & 0xffffffff;
	if (to64 && (uint64_t)((int64_t)(rip << 16) >> 16) != rip)
		emu_gp(c, 0);
	if (to64)
		set_flat(&c->seg[S_CS], (uint16_t)((base + 16) | 3), true, true, 3);
	else
		set_flat(&c->seg[S_CS], (uint16_t)(base | 3), true, false, 3);
	/* SS keeps a flat writable descriptor at DPL 3 */
	set_flat(&c->seg[S_SS], (uint16_t)((base + 8) | 3), false, false, 3);
	flags_set(c, (c->r[11] & 0x3c7fd7) | 2);
	seg_set_cpl(c, 3);
	cpu_update_mode(c);
	c->next_rip = rip;
	c->events = 1;
}

void op_swapgs(struct emu_cpu *c, const struct insn *i)
{
	need_cpl0(c);
	uint64_t t = c->seg[S_GS].base;
	c->seg[S_GS].base = c->kernel_gs_base;
	c->kernel_gs_base = t;
	c->segbase[S_GS] = c->seg[S_GS].base;
}

void op_fence(struct emu_cpu *c, const struct insn *i)
{
}

void op_clflush(struct emu_cpu *c, const struct insn *i)
{
}

void op_pause(struct emu_cpu *c, const struct insn *i)
{
}

void op_wait(struct emu_cpu *c, const struct insn *i)
{
	if ((c->cr0 & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS))
		emu_raise(c, EX_NM, 0, false);
	if (fpu_pending_mf(&c->fpu))
		emu_raise(c, EX_MF, 0, false);
}
