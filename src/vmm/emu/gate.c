/* Far JMP, CALL and RET in every mode (SDM vol. 2 "CALL", "JMP", "RET";
 * vol. 3 5.8): direct transfers to conforming and non-conforming code,
 * call gates (16/32-bit in protected mode, 64-bit in long mode) with the
 * stack switch from the TSS and the parameter copy, returns to an outer
 * privilege level, and the hand-off to task switches (task.c). Every check
 * and every stack write that can fault happens before anything is
 * committed. */
#include "vmm/emu/cpu.h"

static inline bool d_code(uint64_t lo) { return (lo >> 43) & 1; }
static inline bool d_seg(uint64_t lo) { return (lo >> 44) & 1; }
static inline bool d_conf(uint64_t lo) { return (lo >> 42) & 1; }
static inline bool d_rw(uint64_t lo) { return (lo >> 41) & 1; }
static inline unsigned d_dpl(uint64_t lo) { return (lo >> 45) & 3; }
static inline bool d_present(uint64_t lo) { return (lo >> 47) & 1; }
static inline unsigned d_type(uint64_t lo) { return (lo >> 40) & 0xf; }

static uint64_t d_limit(uint64_t lo)
{
	uint64_t l = (lo & 0xffff) | (((lo >> 48) & 0xf) << 16);
	return ((lo >> 55) & 1) ? (l << 12) | 0xfff : l;
}

static inline bool long_mode(const struct emu_cpu *c) { return c->efer & EFER_LMA; }

void seg_set_sp(struct emu_cpu *c, uint64_t v)
{
	if (c->stack_size == 8)
		c->r[R_SP] = v;
	else if (c->stack_size == 4)
		c->r[R_SP] = v & 0xffffffffULL;
	else
		c->r[R_SP] = (c->r[R_SP] & ~0xffffULL) | (v & 0xffff);
}

static uint64_t ipmask(unsigned osz)
{
	return osz == 8 ? ~0ULL : size_mask(osz);
}

/* The new RIP against the new code segment: the limit outside 64-bit code,
 * canonical form inside it. */
static void check_target(struct emu_cpu *c, uint64_t lo, uint64_t ip)
{
	bool to64 = long_mode(c) && ((lo >> 53) & 1);
	if (to64) {
		if ((uint64_t)((int64_t)(ip << 16) >> 16) != ip)
			emu_gp(c, 0);
	} else if (ip > d_limit(lo)) {
		emu_gp(c, 0);
	}
}

static void commit_cs(struct emu_cpu *c, uint16_t sel, uint64_t lo, unsigned cpl)
{
	desc_set_accessed(c, sel, lo);
	desc_to_seg(&c->seg[S_CS], (sel & ~3u) | cpl, lo | (1ULL << 40), 0);
	seg_set_cpl(c, cpl);
	cpu_update_mode(c);
}

/* A code segment reached directly (not through a gate) by JMP or CALL:
 * checks the descriptor and the new RIP, returns that RIP. */
static uint64_t direct_code_target(struct emu_cpu *c, uint16_t sel, uint64_t lo, uint64_t off, unsigned osz)
{
	unsigned rpl = sel & 3;
	if (!d_code(lo))
		emu_gp(c, sel & 0xfffc);
	if (d_conf(lo) ? d_dpl(lo) > c->cpl : (rpl > c->cpl || d_dpl(lo) != c->cpl))
		emu_gp(c, sel & 0xfffc);
	if (!d_present(lo))
		emu_raise(c, EX_NP, sel & 0xfffc, true);
	if (long_mode(c) && ((lo >> 53) & 1) && ((lo >> 54) & 1))
		emu_gp(c, sel & 0xfffc);
	off &= ipmask(osz);
	check_target(c, lo, off);
	return off;
}

/* Reads the descriptor of a far transfer target; #GP(0) for null,
 * #GP(sel) outside the table. */
static uint64_t read_target(struct emu_cpu *c, uint16_t sel, uint64_t *hi, bool sys16)
{
	uint64_t lo;
	if ((sel & ~3u) == 0)
		emu_gp(c, 0);
	if (!desc_read(c, sel, &lo, hi, sys16))
		emu_gp(c, sel & 0xfffc);
	return lo;
}

struct gate {
	uint16_t sel;      /* target code segment */
	uint64_t off;
	unsigned size;     /* 2, 4, 8: push size */
	unsigned params;   /* words/dwords to copy on a stack switch */
	uint64_t clo;      /* target code descriptor */
};

/* Checks a call gate descriptor (lo/hi, selector gsel) and its target code
 * segment for JMP (is_call false) or CALL. */
static void gate_open(struct emu_cpu *c, uint16_t gsel, uint64_t lo, struct gate *g, bool is_call)
{
	unsigned type = d_type(lo);
	bool lm = long_mode(c);
	if (lm) {
		uint64_t hi;
		if (!desc_read(c, gsel, &lo, &hi, true))
			emu_gp(c, gsel & 0xfffc);
		if (((hi >> 40) & 0x1f) != 0)
			emu_gp(c, gsel & 0xfffc);  /* the upper half must have type 0 */
		g->off = (lo & 0xffff) | ((lo >> 32) & 0xffff0000ULL) | ((hi & 0xffffffffULL) << 32);
		g->size = 8;
		g->params = 0;
	} else {
		g->off = (lo & 0xffff) | ((lo >> 32) & 0xffff0000ULL);
		g->size = type == 0xc ? 4 : 2;
		if (g->size == 2)
			g->off &= 0xffff;
		g->params = (lo >> 32) & 0x1f;
	}
	unsigned gdpl = d_dpl(lo);
	if (gdpl < c->cpl || gdpl < (gsel & 3u))
		emu_gp(c, gsel & 0xfffc);
	if (!d_present(lo))
		emu_raise(c, EX_NP, gsel & 0xfffc, true);
	g->sel = (uint16_t)(lo >> 16);
	uint64_t chi;
	uint64_t clo = read_target(c, g->sel, &chi, false);
	if (!d_seg(clo) || !d_code(clo) || d_dpl(clo) > c->cpl)
		emu_gp(c, g->sel & 0xfffc);
	if (!is_call && !d_conf(clo) && d_dpl(clo) != c->cpl)
		emu_gp(c, g->sel & 0xfffc);
	if (!d_present(clo))
		emu_raise(c, EX_NP, g->sel & 0xfffc, true);
	if (lm && !(((clo >> 53) & 1) && !((clo >> 54) & 1)))
		emu_gp(c, g->sel & 0xfffc);  /* a 64-bit gate leads to 64-bit code */
	g->clo = clo;
}

static void real_far_jump(struct emu_cpu *c, uint16_t sel, uint64_t off, unsigned osz)
{
	off &= ipmask(osz);
	if (off > c->seg[S_CS].limit)
		emu_gp(c, 0);
	seg_load_real(c, S_CS, sel);
	c->next_rip = off;
}

void far_jump(struct emu_cpu *c, uint16_t sel, uint64_t off, unsigned osz)
{
	if (c->mode == MODE_REAL || (c->flags & F_VM)) {
		real_far_jump(c, sel, off, osz);
		return;
	}
	uint64_t hi;
	uint64_t lo = read_target(c, sel, &hi, false);
	if (d_seg(lo)) {
		off = direct_code_target(c, sel, lo, off, osz);
		commit_cs(c, sel, lo, c->cpl);
		c->next_rip = off;
		return;
	}
	unsigned type = d_type(lo);
	if (!long_mode(c) && (type == 1 || type == 9 || type == 5)) {
		task_switch_far(c, sel, lo, TASK_JMP);
		return;
	}
	if (type != 0xc && (long_mode(c) || type != 4))
		emu_gp(c, sel & 0xfffc);
	struct gate g;
	gate_open(c, sel, lo, &g, false);
	check_target(c, g.clo, g.off);
	commit_cs(c, g.sel, g.clo, c->cpl);
	c->next_rip = g.off;
}

/* Writes n values of sz bytes at SS:sp-sz, SS:sp-2sz, ... (first value
 * highest) after checking them all against the current stack segment. */
static void push_all(struct emu_cpu *c, const uint64_t *v, unsigned n, unsigned sz)
{
	uint64_t m = sp_mask(c), sp = c->r[R_SP];
	uint64_t lin[8];
	for (unsigned k = 0; k < n; k++)
		lin[k] = seg_addr(c, S_SS, (sp - (k + 1) * sz) & m, sz, ACC_W);
	for (unsigned k = 0; k < n; k++)
		mmu_probe_write(c, lin[k], sz);
	for (unsigned k = 0; k < n; k++)
		mem_write(c, lin[k], sz, v[k]);
	c->r[R_SP] = (sp & ~m) | ((sp - n * sz) & m);
}

static void real_far_call(struct emu_cpu *c, uint16_t sel, uint64_t off, unsigned osz)
{
	off &= ipmask(osz);
	if (off > c->seg[S_CS].limit)
		emu_gp(c, 0);
	uint64_t v[2] = {c->seg[S_CS].selector, c->next_rip};
	push_all(c, v, 2, osz);
	seg_load_real(c, S_CS, sel);
	c->next_rip = off;
}

/* Reads SS:ESP for privilege level dpl from the current TSS. */
static void tss_stack(struct emu_cpu *c, unsigned dpl, uint16_t *ss, uint64_t *sp)
{
	uint32_t err = c->tr.selector & 0xfffc;
	if (long_mode(c)) {
		if (4 + dpl * 8 + 7 > c->tr.limit)
			emu_raise(c, EX_TS, err, true);
		mmu_read_buf(c, (c->tr.base + 4 + dpl * 8) & c->lin_mask, sp, 8, ACC_R | ACC_SYS);
		*ss = (uint16_t)dpl;
		return;
	}
	bool t32 = c->tr.type & 8;
	unsigned at = t32 ? 4 + dpl * 8 : 2 + dpl * 4;
	if (at + (t32 ? 5 : 3) > c->tr.limit)
		emu_raise(c, EX_TS, err, true);
	uint64_t v = 0;
	uint16_t s = 0;
	mmu_read_buf(c, (c->tr.base + at) & c->lin_mask, &v, t32 ? 4 : 2, ACC_R | ACC_SYS);
	mmu_read_buf(c, (c->tr.base + at + (t32 ? 4 : 2)) & c->lin_mask, &s, 2, ACC_R | ACC_SYS);
	*sp = v;
	*ss = s;
}

/* The privilege-raising CALL through gate g: new stack from the TSS, old
 * SS:ESP and the parameters pushed there, then CS:EIP. */
static void call_inner(struct emu_cpu *c, const struct gate *g)
{
	unsigned ncpl = d_dpl(g->clo), sz = g->size;
	uint16_t nss;
	uint64_t nsp, slo = 0, shi;
	tss_stack(c, ncpl, &nss, &nsp);
	struct kvm_segment ss;
	if (long_mode(c)) {
		seg_null(&ss, ncpl);
		ss.dpl = ncpl;
		ss.db = 1;
	} else {
		uint32_t e = nss & 0xfffc;
		if ((nss & ~3u) == 0 || !desc_read(c, nss, &slo, &shi, false))
			emu_raise(c, EX_TS, e, true);
		if ((nss & 3u) != ncpl || d_dpl(slo) != ncpl || !d_seg(slo) || d_code(slo) || !d_rw(slo))
			emu_raise(c, EX_TS, e, true);
		if (!d_present(slo))
			emu_raise(c, EX_SS, e, true);
		desc_to_seg(&ss, nss, slo | (1ULL << 40), 0);
	}
	/* the frame, highest address first */
	uint64_t v[4 + 31];
	unsigned n = 0;
	v[n++] = c->seg[S_SS].selector;
	v[n++] = c->r[R_SP] & (sz == 8 ? ~0ULL : size_mask(sz));
	for (unsigned k = 0; k < g->params; k++) {
		/* parameters: the one at the highest address first */
		unsigned off = (g->params - 1 - k) * sz;
		v[n++] = stack_peek(c, off, sz);
	}
	v[n++] = c->seg[S_CS].selector;
	v[n++] = c->next_rip;
	check_target(c, g->clo, g->off);
	/* write the new stack; its limit faults are #SS(new SS) */
	uint64_t m = long_mode(c) ? ~0ULL : (ss.db ? 0xffffffffULL : 0xffffULL);
	uint64_t top = nsp & m;
	uint64_t lin[4 + 31];
	for (unsigned k = 0; k < n; k++) {
		uint64_t a = (top - (k + 1) * sz) & m;
		if (!long_mode(c)) {
			if (!seg_room(&ss, a, sz))
				emu_raise(c, EX_SS, nss & 0xfffc, true);
		} else if ((uint64_t)((int64_t)(a << 16) >> 16) != a) {
			emu_raise(c, EX_SS, 0, true);
		}
		lin[k] = (ss.base + a) & c->lin_mask;
	}
	for (unsigned k = 0; k < n; k++)
		mmu_write_buf(c, lin[k], &v[k], sz, ACC_W | ACC_SYS);
	if (!long_mode(c))
		desc_set_accessed(c, nss, slo);
	c->seg[S_SS] = ss;
	commit_cs(c, g->sel, g->clo, ncpl);
	seg_set_sp(c, top - n * sz);
	c->next_rip = g->off;
}

void far_call(struct emu_cpu *c, uint16_t sel, uint64_t off, unsigned osz)
{
	if (c->mode == MODE_REAL || (c->flags & F_VM)) {
		real_far_call(c, sel, off, osz);
		return;
	}
	uint64_t hi;
	uint64_t lo = read_target(c, sel, &hi, false);
	if (d_seg(lo)) {
		off = direct_code_target(c, sel, lo, off, osz);
		uint64_t v[2] = {c->seg[S_CS].selector, c->next_rip};
		push_all(c, v, 2, osz);
		commit_cs(c, sel, lo, c->cpl);
		c->next_rip = off;
		return;
	}
	unsigned type = d_type(lo);
	if (!long_mode(c) && (type == 1 || type == 9 || type == 5)) {
		task_switch_far(c, sel, lo, TASK_CALL);
		return;
	}
	if (type != 0xc && (long_mode(c) || type != 4))
		emu_gp(c, sel & 0xfffc);
	struct gate g;
	gate_open(c, sel, lo, &g, true);
	if (!d_conf(g.clo) && d_dpl(g.clo) < c->cpl) {
		call_inner(c, &g);
		return;
	}
	check_target(c, g.clo, g.off);
	uint64_t v[2] = {c->seg[S_CS].selector, c->next_rip};
	push_all(c, v, 2, g.size);
	commit_cs(c, g.sel, g.clo, c->cpl);
	c->next_rip = g.off;
}

/* After a return to an outer level: data segments the new CPL may not use
 * become null (SDM "RET": DS, ES, FS, GS). */
void seg_null_outer(struct emu_cpu *c)
{
	static const unsigned segs[] = {S_ES, S_DS, S_FS, S_GS};
	for (unsigned k = 0; k < 4; k++) {
		struct kvm_segment *s = &c->seg[segs[k]];
		bool conforming_code = (s->type & 8) && (s->type & 4);
		if (!s->unusable && s->s && !conforming_code && s->dpl < c->cpl) {
			uint64_t base = s->base;
			seg_null(s, 0);
			if (long_mode(c))
				s->base = base;  /* 64-bit mode keeps FS/GS bases meaningful */
		}
	}
	cpu_update_mode(c);
}

void far_ret(struct emu_cpu *c, unsigned osz, unsigned extra)
{
	uint64_t ip = stack_peek(c, 0, osz);
	uint16_t sel = (uint16_t)stack_peek(c, osz, osz);
	uint64_t m = sp_mask(c);
	if (c->mode == MODE_REAL || (c->flags & F_VM)) {
		ip &= ipmask(osz);
		if (ip > c->seg[S_CS].limit)
			emu_gp(c, 0);
		c->r[R_SP] = (c->r[R_SP] & ~m) | ((c->r[R_SP] + 2 * osz + extra) & m);
		seg_load_real(c, S_CS, sel);
		c->next_rip = ip;
		return;
	}
	uint64_t hi;
	uint64_t lo = read_target(c, sel, &hi, false);
	unsigned rpl = sel & 3;
	if (!d_seg(lo) || !d_code(lo) || rpl < c->cpl)
		emu_gp(c, sel & 0xfffc);
	if (d_conf(lo) ? d_dpl(lo) > rpl : d_dpl(lo) != rpl)
		emu_gp(c, sel & 0xfffc);
	if (!d_present(lo))
		emu_raise(c, EX_NP, sel & 0xfffc, true);
	if (long_mode(c) && ((lo >> 53) & 1) && ((lo >> 54) & 1))
		emu_gp(c, sel & 0xfffc);
	ip &= ipmask(osz);
	if (rpl == c->cpl) {
		check_target(c, lo, ip);
		c->r[R_SP] = (c->r[R_SP] & ~m) | ((c->r[R_SP] + 2 * osz + extra) & m);
		commit_cs(c, sel, lo, c->cpl);
		c->next_rip = ip;
		return;
	}
	/* return to an outer privilege level: SS:SP follow the parameters */
	uint64_t nsp = stack_peek(c, 2 * osz + extra, osz);
	uint16_t nss = (uint16_t)stack_peek(c, 3 * osz + extra, osz);
	uint64_t slo = 0, shi;
	bool to64 = long_mode(c) && ((lo >> 53) & 1);
	if ((nss & ~3u) == 0) {
		if (!to64 || rpl == 3)
			emu_gp(c, 0);
	} else {
		if (!desc_read(c, nss, &slo, &shi, false))
			emu_gp(c, nss & 0xfffc);
		if ((nss & 3u) != rpl || d_dpl(slo) != rpl || !d_seg(slo) || d_code(slo) || !d_rw(slo))
			emu_gp(c, nss & 0xfffc);
		if (!d_present(slo))
			emu_raise(c, EX_SS, nss & 0xfffc, true);
	}
	check_target(c, lo, ip);
	if ((nss & ~3u) == 0) {
		seg_null(&c->seg[S_SS], nss);
		c->seg[S_SS].dpl = rpl;
		c->seg[S_SS].db = 1;
	} else {
		desc_set_accessed(c, nss, slo);
		desc_to_seg(&c->seg[S_SS], nss, slo | (1ULL << 40), 0);
	}
	commit_cs(c, sel, lo, rpl);
	seg_set_sp(c, nsp + extra);
	c->next_rip = ip;
	seg_null_outer(c);
}
