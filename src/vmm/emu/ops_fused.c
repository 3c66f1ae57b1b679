/* Fused compare-and-branch. When a block (block.c) holds a flag-setting
 * instruction directly followed by a Jcc, both in 64-bit code with a
 * 64-bit Jcc, the Jcc's record is folded into the first one: its len covers
 * both, fcc is the condition, imm2 the Jcc's displacement (a RIP-relative
 * operand's disp is reduced by the Jcc's length, since next_rip is now after
 * the Jcc). A fused handler does the first instruction exactly as its own
 * handler does, then counts the Jcc as retired and branches, saving a
 * dispatch and (for the hottest forms) the lazy-flag condition lookup.
 * The run loop never runs a fused record when it must stop after one
 * instruction (single-step, interrupt shadow): it decodes one there. */
#include "vmm/emu/ops.h"

static inline void fused_branch(struct emu_cpu *c, const struct insn *i, bool taken)
{
	c->icount++;  /* the Jcc retires with the first instruction */
	if (taken)
		c->next_rip += (uint64_t)(int64_t)(int32_t)i->imm2;
}

/* Condition cc after a - b = r (operands masked to sz bytes). */
static inline bool cond_sub(struct emu_cpu *c, unsigned cc, uint64_t a, uint64_t b, uint64_t r, unsigned sz)
{
	bool x;
	switch (cc >> 1) {
	case 1: x = a < b; break;                                            /* B */
	case 2: x = a == b; break;                                           /* E */
	case 3: x = a <= b; break;                                           /* BE */
	case 4: x = (r >> (sz * 8 - 1)) & 1; break;                          /* S */
	case 6: x = (int64_t)sext(a, sz) < (int64_t)sext(b, sz); break;      /* L */
	case 7: x = (int64_t)sext(a, sz) <= (int64_t)sext(b, sz); break;     /* LE */
	default: return cond_eval(c, cc);                                    /* O, P */
	}
	return x ^ (cc & 1);
}

/* Condition cc after a logic result r (CF = OF = 0). */
static inline bool cond_logic(struct emu_cpu *c, unsigned cc, uint64_t r, unsigned sz)
{
	bool x, s = (r >> (sz * 8 - 1)) & 1;
	switch (cc >> 1) {
	case 0: case 1: x = false; break;        /* O, B */
	case 2: case 3: x = r == 0; break;       /* E, BE */
	case 4: case 6: x = s; break;            /* S, L */
	case 7: x = r == 0 || s; break;          /* LE */
	default: return cond_eval(c, cc);        /* P */
	}
	return x ^ (cc & 1);
}

#define FJ_CMP(name, sz, bexpr)                                                  \
	void name(struct emu_cpu *c, const struct insn *i)                       \
	{                                                                        \
		uint64_t m = size_mask(sz);                                      \
		uint64_t a = c->r[i->rm] & m, b = (bexpr) & m, r = (a - b) & m;  \
		lf_set(c, LF_SUB, sz, a, b, r);                                  \
		fused_branch(c, i, cond_sub(c, i->fcc, a, b, r, sz));            \
	}
FJ_CMP(op_fj_cmp_rr64, 8, c->r[i->reg])
FJ_CMP(op_fj_cmp_rr32, 4, c->r[i->reg])
FJ_CMP(op_fj_cmp_ri64, 8, i->imm)
FJ_CMP(op_fj_cmp_ri32, 4, i->imm)

#define FJ_TEST(name, sz)                                                        \
	void name(struct emu_cpu *c, const struct insn *i)                       \
	{                                                                        \
		uint64_t r = c->r[i->rm] & c->r[i->reg] & size_mask(sz);         \
		lf_set(c, LF_LOGIC, sz, 0, 0, r);                                \
		fused_branch(c, i, cond_logic(c, i->fcc, r, sz));                \
	}
FJ_TEST(op_fj_test_rr64, 8)
FJ_TEST(op_fj_test_rr32, 4)

/* TEST in its other forms: its own handler leaves a logic result. */
#define FJ_TEST_CALL(name, orig)                                                 \
	void name(struct emu_cpu *c, const struct insn *i)                       \
	{                                                                        \
		orig(c, i);                                                      \
		fused_branch(c, i, cond_logic(c, i->fcc, c->lf_res & size_mask(i->osz), i->osz)); \
	}
FJ_TEST_CALL(op_fj_test_rm_r, op_test_rm_r)
FJ_TEST_CALL(op_fj_test_rm_imm, op_test_rm_imm)
FJ_TEST_CALL(op_fj_test_acc_imm, op_test_acc_imm)

/* Everything else: the instruction's own handler, then the condition from
 * the lazy flags it left. */
#define FJ_CALL(name, orig)                                                      \
	void name(struct emu_cpu *c, const struct insn *i)                       \
	{                                                                        \
		orig(c, i);                                                      \
		fused_branch(c, i, cond_eval(c, i->fcc));                        \
	}
FJ_CALL(op_fj_alu_rm_r, op_alu_rm_r)
FJ_CALL(op_fj_alu_r_rm, op_alu_r_rm)
FJ_CALL(op_fj_alu_acc_imm, op_alu_acc_imm)
FJ_CALL(op_fj_grp1, op_grp1)
FJ_CALL(op_fj_inc_r, op_inc_r)
FJ_CALL(op_fj_dec_r, op_dec_r)
FJ_CALL(op_fj_inc_rm, op_inc_rm)
FJ_CALL(op_fj_dec_rm, op_dec_rm)
FJ_CALL(op_fj_add_rr64, op_add_rr64)
FJ_CALL(op_fj_sub_rr64, op_sub_rr64)
FJ_CALL(op_fj_and_rr64, op_and_rr64)
FJ_CALL(op_fj_or_rr64, op_or_rr64)
FJ_CALL(op_fj_xor_rr64, op_xor_rr64)
FJ_CALL(op_fj_add_rr32, op_add_rr32)
FJ_CALL(op_fj_sub_rr32, op_sub_rr32)
FJ_CALL(op_fj_and_rr32, op_and_rr32)
FJ_CALL(op_fj_or_rr32, op_or_rr32)
FJ_CALL(op_fj_xor_rr32, op_xor_rr32)
FJ_CALL(op_fj_add_ri64, op_add_ri64)
FJ_CALL(op_fj_sub_ri64, op_sub_ri64)
FJ_CALL(op_fj_and_ri64, op_and_ri64)
FJ_CALL(op_fj_or_ri64, op_or_ri64)
FJ_CALL(op_fj_xor_ri64, op_xor_ri64)
FJ_CALL(op_fj_add_ri32, op_add_ri32)
FJ_CALL(op_fj_sub_ri32, op_sub_ri32)
FJ_CALL(op_fj_and_ri32, op_and_ri32)
FJ_CALL(op_fj_or_ri32, op_or_ri32)
FJ_CALL(op_fj_xor_ri32, op_xor_ri32)
FJ_CALL(op_fj_shl_r64, op_shl_r64)
FJ_CALL(op_fj_shr_r64, op_shr_r64)
FJ_CALL(op_fj_sar_r64, op_sar_r64)
FJ_CALL(op_fj_shl_r32, op_shl_r32)
FJ_CALL(op_fj_shr_r32, op_shr_r32)
FJ_CALL(op_fj_sar_r32, op_sar_r32)

/* The fused handler for a flag-setting handler, or NULL. */
insn_fn *fused_jcc_for(const struct insn *i)
{
	static const struct {
		insn_fn *orig, *fused;
	} map[] = {
		{op_cmp_rr64, op_fj_cmp_rr64}, {op_cmp_rr32, op_fj_cmp_rr32},
		{op_cmp_ri64, op_fj_cmp_ri64}, {op_cmp_ri32, op_fj_cmp_ri32},
		{op_alu_rm_r, op_fj_alu_rm_r}, {op_alu_r_rm, op_fj_alu_r_rm},
		{op_alu_acc_imm, op_fj_alu_acc_imm}, {op_grp1, op_fj_grp1},
		{op_test_rm_imm, op_fj_test_rm_imm}, {op_test_acc_imm, op_fj_test_acc_imm},
		{op_inc_r, op_fj_inc_r}, {op_dec_r, op_fj_dec_r}, {op_inc_rm, op_fj_inc_rm}, {op_dec_rm, op_fj_dec_rm},
		{op_add_rr64, op_fj_add_rr64}, {op_sub_rr64, op_fj_sub_rr64}, {op_and_rr64, op_fj_and_rr64},
		{op_or_rr64, op_fj_or_rr64}, {op_xor_rr64, op_fj_xor_rr64},
		{op_add_rr32, op_fj_add_rr32}, {op_sub_rr32, op_fj_sub_rr32}, {op_and_rr32, op_fj_and_rr32},
		{op_or_rr32, op_fj_or_rr32}, {op_xor_rr32, op_fj_xor_rr32},
		{op_add_ri64, op_fj_add_ri64}, {op_sub_ri64, op_fj_sub_ri64}, {op_and_ri64, op_fj_and_ri64},
		{op_or_ri64, op_fj_or_ri64}, {op_xor_ri64, op_fj_xor_ri64},
		{op_add_ri32, op_fj_add_ri32}, {op_sub_ri32, op_fj_sub_ri32}, {op_and_ri32, op_fj_and_ri32},
		{op_or_ri32, op_fj_or_ri32}, {op_xor_ri32, op_fj_xor_ri32},
		{op_shl_r64, op_fj_shl_r64}, {op_shr_r64, op_fj_shr_r64}, {op_sar_r64, op_fj_sar_r64},
		{op_shl_r32, op_fj_shl_r32}, {op_shr_r32, op_fj_shr_r32}, {op_sar_r32, op_fj_sar_r32},
	};
	if (i->fn == op_test_rm_r) {
		if (i->mod == 3 && i->osz == 8)
			return op_fj_test_rr64;
		if (i->mod == 3 && i->osz == 4)
			return op_fj_test_rr32;
		return op_fj_test_rm_r;
	}
	for (unsigned k = 0; k < sizeof(map) / sizeof(map[0]); k++)
		if (map[k].orig == i->fn)
			return map[k].fused;
	return NULL;
}
