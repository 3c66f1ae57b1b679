/* Segmentation: the mode derived from CR0/EFER/CS, descriptor loads with
 * their protection checks, far JMP/CALL/RET and IRET. Faults are raised
 * before anything is committed. */
#include "vmm/emu/cpu.h"

#include "vmm/machine.h"

void seg_set_cpl(struct emu_cpu *c, unsigned cpl)
{
	c->cpl = cpl;
	c->tlbc = c->tlb[cpl == 3];
}

void cpu_update_mode(struct emu_cpu *c)
{
	if (!(c->cr0 & CR0_PE))
		c->mode = MODE_REAL;
	else if (c->efer & EFER_LMA)
		c->mode = MODE_LONG;
	else
		c->mode = MODE_PROT;
	if (c->mode == MODE_REAL)
		seg_set_cpl(c, 0);
	if (c->mode == MODE_LONG && c->seg[S_CS].l)
		c->code_size = 8;
	else
		c->code_size = c->seg[S_CS].db ? 4 : 2;
	if (c->code_size == 8)
		c->stack_size = 8;
	else
		c->stack_size = c->seg[S_SS].db ? 4 : 2;
	c->lin_mask = (c->efer & EFER_LMA) ? ~0ULL : 0xffffffffULL;
	c->ip_mask = size_mask(c->code_size);
	for (unsigned s = 0; s < 6; s++)
		c->segbase[s] = (c->code_size == 8 && s < S_FS) ? 0 : c->seg[s].base;
	c->segbase[6] = c->segbase[7] = 0;
	seg_update_chk(c);
}

void seg_null(struct kvm_segment *s, uint16_t sel)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->unusable = 1;
}

void desc_to_seg(struct kvm_segment *s, uint16_t sel, uint64_t lo, uint64_t hi)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->base = ((lo >> 16) & 0xffffff) | (((lo >> 56) & 0xff) << 24);
	uint32_t limit = (lo & 0xffff) | (((lo >> 48) & 0xf) << 16);
	s->g = (lo >> 55) & 1;
	s->limit = s->g ? (limit << 12) | 0xfff : limit;
	s->type = (lo >> 40) & 0xf;
	s->s = (lo >> 44) & 1;
	s->dpl = (lo >> 45) & 3;
	s->present = (lo >> 47) & 1;
	s->avl = (lo >> 52) & 1;
	s->l = (lo >> 53) & 1;
	s->db = (lo >> 54) & 1;
	if (!s->s)
		s->base |= (hi & 0xffffffffULL) << 32;
}

bool desc_read(struct emu_cpu *c, uint16_t sel, uint64_t *lo, uint64_t *hi, bool sys16)
{
	uint64_t base, limit;
	if (sel & 4) {
		if (c->ldt.unusable || !c->ldt.present)
			return false;
		base = c->ldt.base;
		limit = c->ldt.limit;
	} else {
		base = c->gdt.base;
		limit = c->gdt.limit;
	}
	unsigned idx = sel & ~7u;
	if (idx + (sys16 ? 15u : 7u) > limit)
		return false;
	mmu_read_buf(c, (base + idx) & c->lin_mask, lo, 8, ACC_R | ACC_SYS);
	*hi = 0;
	if (sys16)
		mmu_read_buf(c, (base + idx + 8) & c->lin_mask, hi, 8, ACC_R | ACC_SYS);
	return true;
}

void desc_set_accessed(struct emu_cpu *c, uint16_t sel, uint64_t lo)
{
	if (lo & (1ULL << 40))
		return;
	uint64_t base = (sel & 4) ? c->ldt.base : c->gdt.base;
	uint8_t b = (uint8_t)((lo >> 40) | 1);
	mmu_write_buf(c, (base + (sel & ~7u) + 5) & c->lin_mask, &b, 1, ACC_W | ACC_SYS);
}

void seg_load_real(struct emu_cpu *c, unsigned s, uint16_t sel)
{
	c->seg[s].selector = sel;
	c->seg[s].base = (uint64_t)sel << 4;
	c->seg[s].unusable = 0;
	c->seg[s].present = 1;
	if (s == S_CS || s == S_SS)
		cpu_update_mode(c);
	else {
		c->segbase[s] = c->seg[s].base;
		seg_update_chk(c);
	}
}

static inline bool is_code(uint64_t lo) { return (lo >> 43) & 1; }
static inline bool is_seg(uint64_t lo) { return (lo >> 44) & 1; }
static inline unsigned dpl_of(uint64_t lo) { return (lo >> 45) & 3; }
static inline bool present(uint64_t lo) { return (lo >> 47) & 1; }

void seg_load(struct emu_cpu *c, unsigned s, uint16_t sel)
{
	uint64_t lo, hi;
	unsigned rpl = sel & 3;
	if (c->mode == MODE_REAL) {
		seg_load_real(c, s, sel);
		return;
	}
	if (c->flags & F_VM) {
		v86_load_seg(c, s, sel);
		return;
	}
	if ((sel & ~3u) == 0) {
		if (s == S_SS && !(c->code_size == 8 && c->cpl != 3 && rpl == c->cpl))
			emu_gp(c, 0);
		seg_null(&c->seg[s], sel);
		if (s == S_SS) {
			c->seg[s].db = c->code_size == 8;
			c->seg[s].dpl = c->cpl;
		}
		cpu_update_mode(c);
		return;
	}
	if (!desc_read(c, sel, &lo, &hi, false) || !is_seg(lo))
		emu_gp(c, sel & 0xfffc);
	if (s == S_SS) {
		/* writable data, RPL == DPL == CPL */
		if (is_code(lo) || !((lo >> 41) & 1) || rpl != c->cpl || dpl_of(lo) != c->cpl)
			emu_gp(c, sel & 0xfffc);
		if (!present(lo))
			emu_raise(c, EX_SS, sel & 0xfffc, true);
	} else {
		if (is_code(lo) && !((lo >> 41) & 1))
			emu_gp(c, sel & 0xfffc);  /* execute-only code */
		bool conforming_code = is_code(lo) && ((lo >> 42) & 1);
		if (!conforming_code && (dpl_of(lo) < c->cpl || dpl_of(lo) < rpl))
			emu_gp(c, sel & 0xfffc);
		if (!present(lo))
			emu_raise(c, EX_NP, sel & 0xfffc, true);
	}
	desc_set_accessed(c, sel, lo);
	desc_to_seg(&c->seg[s], sel, lo | (1ULL << 40), hi);
	cpu_update_mode(c);
}

/* Checks a code-segment descriptor as the target of a far transfer at the
 * current privilege; returns the descriptor. */
static uint64_t code_target(struct emu_cpu *c, uint16_t sel, bool is_ret)
{
	uint64_t lo, hi;
	unsigned rpl = sel & 3;
	if ((sel & ~3u) == 0)
		emu_gp(c, 0);
	if (!desc_read(c, sel, &lo, &hi, false))
		emu_gp(c, sel & 0xfffc);
	if (!is_seg(lo) || !is_code(lo))
		emu_gp(c, sel & 0xfffc);
	bool conforming = (lo >> 42) & 1;
	if (is_ret) {
		if (rpl < c->cpl || (conforming ? dpl_of(lo) > rpl : dpl_of(lo) != rpl))
			emu_gp(c, sel & 0xfffc);
	} else if (conforming ? dpl_of(lo) > c->cpl : (rpl > c->cpl || dpl_of(lo) != c->cpl)) {
		emu_gp(c, sel & 0xfffc);
	}
	if (!present(lo))
		emu_raise(c, EX_NP, sel & 0xfffc, true);
	if ((c->efer & EFER_LMA) && ((lo >> 53) & 1) && ((lo >> 54) & 1))
		emu_gp(c, sel & 0xfffc);  /* L and D both set */
	return lo;
}

static void load_cs(struct emu_cpu *c, uint16_t sel, uint64_t lo, unsigned cpl)
{
	desc_set_accessed(c, sel, lo);
	desc_to_seg(&c->seg[S_CS], (sel & ~3u) | cpl, lo | (1ULL << 40), 0);
	seg_set_cpl(c, cpl);
	cpu_update_mode(c);
}

static uint64_t ip_mask(unsigned osz)
{
	return osz == 8 ? ~0ULL : size_mask(osz);
}

static uint64_t iret_flags(struct emu_cpu *c, uint64_t nf, unsigned osz, unsigned old_cpl)
{
	uint64_t f = flags_get(c);
	uint64_t mask = F_ARITH | F_TF | F_DF | F_NT | F_OF;
	if (osz >= 4)
		mask |= F_RF | F_AC | F_ID;
	if (old_cpl == 0)
		mask |= F_IOPL | F_VIF | F_VIP;
	if (old_cpl <= ((f & F_IOPL) >> 12))
		mask |= F_IF;
	if (osz == 2)
		mask &= 0xffff;
	return ((f & ~mask) | (nf & mask)) | 2;
}

void do_iret(struct emu_cpu *c, unsigned osz)
{
	uint64_t ip = stack_peek(c, 0, osz);
	uint16_t sel = (uint16_t)stack_peek(c, osz, osz);
	uint64_t nf = stack_peek(c, 2 * osz, osz);
	if (c->mode == MODE_REAL) {
		c->r[R_SP] = (c->r[R_SP] & ~sp_mask(c)) | ((c->r[R_SP] + 3 * osz) & sp_mask(c));
		seg_load_real(c, S_CS, sel);
		flags_set(c, iret_flags(c, nf, osz, 0) & ~(uint64_t)(F_VM));
		c->next_rip = ip & ip_mask(osz);
		c->nmi_blocked = false;
		return;
	}
	if (c->flags & F_VM) {
		v86_iret(c, osz);
		return;
	}
	if (c->flags & F_NT) {
		if (c->efer & EFER_LMA)
			emu_gp(c, 0);  /* no tasks in long mode */
		task_return(c);
		c->nmi_blocked = false;
		return;
	}
	if ((nf & F_VM) && osz == 4 && c->cpl == 0 && c->mode == MODE_PROT) {
		v86_iret_enter(c);
		c->nmi_blocked = false;
		return;
	}
	uint64_t lo = code_target(c, sel, true);
	bool to64 = (c->efer & EFER_LMA) && ((lo >> 53) & 1);
	if (!to64) {
		struct kvm_segment t;
		desc_to_seg(&t, sel, lo, 0);
		if ((ip & ip_mask(osz)) > t.limit)
			emu_gp(c, 0);
	}
	unsigned rpl = sel & 3, old_cpl = c->cpl;
	bool long64 = c->code_size == 8;
	if (rpl > c->cpl || long64) {
		uint64_t nsp = stack_peek(c, 3 * osz, osz);
		uint16_t nss = (uint16_t)stack_peek(c, 4 * osz, osz);
		uint64_t newf = iret_flags(c, nf, osz, old_cpl);
		/* validate SS at the new CPL before committing anything */
		uint64_t slo = 0, shi;
		bool null_ss = (nss & ~3u) == 0;
		if (null_ss) {
			if (!(long64 && rpl != 3 && ((lo >> 53) & 1)))
				emu_gp(c, 0);
		} else {
			if (!desc_read(c, nss, &slo, &shi, false) || !is_seg(slo) || is_code(slo) ||
			    !((slo >> 41) & 1) || (nss & 3) != rpl || dpl_of(slo) != rpl)
				emu_gp(c, nss & 0xfffc);
			if (!present(slo))
				emu_raise(c, EX_SS, nss & 0xfffc, true);
			desc_set_accessed(c, nss, slo);
		}
		load_cs(c, sel, lo, rpl);
		if (null_ss) {
			seg_null(&c->seg[S_SS], nss);
			c->seg[S_SS].dpl = rpl;
		} else {
			desc_to_seg(&c->seg[S_SS], nss, slo | (1ULL << 40), 0);
		}
		flags_set(c, newf);
		cpu_update_mode(c);
		c->r[R_SP] = nsp;
		if (c->stack_size == 4)
			c->r[R_SP] &= 0xffffffffULL;
		else if (c->stack_size == 2)
			c->r[R_SP] = (c->r[R_SP] & ~0xffffULL) | (nsp & 0xffff);
		if (rpl > old_cpl)
			seg_null_outer(c);
	} else {
		uint64_t newf = iret_flags(c, nf, osz, old_cpl);
		c->r[R_SP] = (c->r[R_SP] & ~sp_mask(c)) | ((c->r[R_SP] + 3 * osz) & sp_mask(c));
		load_cs(c, sel, lo, c->cpl);
		flags_set(c, newf);
	}
	c->next_rip = ip & ip_mask(c->code_size == 8 ? 8 : osz);
	c->nmi_blocked = false;
}
