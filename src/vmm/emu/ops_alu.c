/* Integer arithmetic and logic, multiply/divide, CMPXCHG/XADD, sign
 * extension, SETcc/CMOVcc, flag and BCD instructions (shifts and bit
 * instructions are in ops_shift.c). Pattern everywhere: read
 * operands, compute, write memory, then commit registers and flags. */
#include "vmm/emu/ops.h"

static const uint8_t alu_lf[8] = {LF_ADD, LF_LOGIC, LF_ADC, LF_SBB, LF_LOGIC, LF_SUB, LF_LOGIC, LF_SUB};

static inline uint64_t alu_calc(struct emu_cpu *c, unsigned op, uint64_t a, uint64_t b)
{
	switch (op) {
	case 0: return a + b;
	case 1: return a | b;
	case 2: return a + b + (flag_cf(c) ? 1 : 0);
	case 3: return a - b - (flag_cf(c) ? 1 : 0);
	case 4: return a & b;
	case 6: return a ^ b;
	default: return a - b;  /* SUB, CMP */
	}
}

/* dest = r/m, source b */
static inline void alu_rm(struct emu_cpu *c, const struct insn *i, unsigned op, uint64_t b)
{
	unsigned sz = i->osz;
	uint64_t a, r;
	if (i->mod == 3) {
		a = reg_get(c, i->rm, sz);
		r = alu_calc(c, op, a, b);
		if (op != 7)
			reg_set(c, i->rm, sz, r);
	} else {
		uint64_t lin = insn_addr(c, i, sz, op != 7 ? ACC_W : ACC_R);
		a = mem_read(c, lin, sz);
		r = alu_calc(c, op, a, b);
		if (op != 7)
			mem_write(c, lin, sz, r);
	}
	lf_set(c, alu_lf[op], sz, a, b, r);
}

void op_alu_rm_r(struct emu_cpu *c, const struct insn *i)
{
	alu_rm(c, i, (i->opcode >> 3) & 7, reg_get(c, i->reg, i->osz));
}

void op_alu_r_rm(struct emu_cpu *c, const struct insn *i)
{
	unsigned op = (i->opcode >> 3) & 7, sz = i->osz;
	uint64_t b = rm_read(c, i);
	uint64_t a = reg_get(c, i->reg, sz);
	uint64_t r = alu_calc(c, op, a, b);
	if (op != 7)
		reg_set(c, i->reg, sz, r);
	lf_set(c, alu_lf[op], sz, a, b, r);
}

/* Register-register and register-immediate forms of the carry-less ALU ops
 * at 32/64 bits, chosen by the decoder (the hottest integer instructions):
 * dest = rm, src = reg or the immediate. */
#define ALU_FAST(name, src, expr, kind, sz, write)                               \
	void name(struct emu_cpu *c, const struct insn *i)                       \
	{                                                                        \
		uint64_t m = size_mask(sz);                                      \
		uint64_t a = c->r[i->rm] & m, b = (src) & m, r = (expr);        \
		if (write)                                                       \
			c->r[i->rm] = r & m;                                     \
		lf_set(c, kind, sz, a, b, r);                                    \
	}
#define ALU_RR(name, expr, kind, sz, write) ALU_FAST(name, c->r[i->reg], expr, kind, sz, write)
#define ALU_RI(name, expr, kind, sz, write) ALU_FAST(name, i->imm, expr, kind, sz, write)
ALU_RR(op_add_rr64, a + b, LF_ADD, 8, 1)
ALU_RR(op_or_rr64, a | b, LF_LOGIC, 8, 1)
ALU_RR(op_and_rr64, a & b, LF_LOGIC, 8, 1)
ALU_RR(op_sub_rr64, a - b, LF_SUB, 8, 1)
ALU_RR(op_xor_rr64, a ^ b, LF_LOGIC, 8, 1)
ALU_RR(op_cmp_rr64, a - b, LF_SUB, 8, 0)
ALU_RR(op_add_rr32, a + b, LF_ADD, 4, 1)
ALU_RR(op_or_rr32, a | b, LF_LOGIC, 4, 1)
ALU_RR(op_and_rr32, a & b, LF_LOGIC, 4, 1)
ALU_RR(op_sub_rr32, a - b, LF_SUB, 4, 1)
ALU_RR(op_xor_rr32, a ^ b, LF_LOGIC, 4, 1)
ALU_RR(op_cmp_rr32, a - b, LF_SUB, 4, 0)

/* The same with an immediate source (group 1, 81/83 with a register). */
ALU_RI(op_add_ri64, a + b, LF_ADD, 8, 1)
ALU_RI(op_or_ri64, a | b, LF_LOGIC, 8, 1)
ALU_RI(op_and_ri64, a & b, LF_LOGIC, 8, 1)
ALU_RI(op_sub_ri64, a - b, LF_SUB, 8, 1)
ALU_RI(op_xor_ri64, a ^ b, LF_LOGIC, 8, 1)
ALU_RI(op_cmp_ri64, a - b, LF_SUB, 8, 0)
ALU_RI(op_add_ri32, a + b, LF_ADD, 4, 1)
ALU_RI(op_or_ri32, a | b, LF_LOGIC, 4, 1)
ALU_RI(op_and_ri32, a & b, LF_LOGIC, 4, 1)
ALU_RI(op_sub_ri32, a - b, LF_SUB, 4, 1)
ALU_RI(op_xor_ri32, a ^ b, LF_LOGIC, 4, 1)
ALU_RI(op_cmp_ri32, a - b, LF_SUB, 4, 0)

void op_alu_acc_imm(struct emu_cpu *c, const struct insn *i)
{
	unsigned op = (i->opcode >> 3) & 7, sz = i->osz;
	uint64_t a = reg_get(c, R_AX, sz), b = i->imm & size_mask(sz);
	uint64_t r = alu_calc(c, op, a, b);
	if (op != 7)
		reg_set(c, R_AX, sz, r);
	lf_set(c, alu_lf[op], sz, a, b, r);
}

void op_grp1(struct emu_cpu *c, const struct insn *i)
{
	alu_rm(c, i, i->reg & 7, i->imm & size_mask(i->osz));
}

void op_test_rm_r(struct emu_cpu *c, const struct insn *i)
{
	uint64_t r = rm_read(c, i) & reg_get(c, i->reg, i->osz);
	lf_set(c, LF_LOGIC, i->osz, 0, 0, r);
}

void op_test_acc_imm(struct emu_cpu *c, const struct insn *i)
{
	lf_set(c, LF_LOGIC, i->osz, 0, 0, reg_get(c, R_AX, i->osz) & i->imm);
}

void op_test_rm_imm(struct emu_cpu *c, const struct insn *i)
{
	lf_set(c, LF_LOGIC, i->osz, 0, 0, rm_read(c, i) & i->imm);
}

static void incdec(struct emu_cpu *c, const struct insn *i, bool dec)
{
	unsigned sz = i->osz;
	uint64_t a, r;
	if (i->mod == 3) {
		a = reg_get(c, i->rm, sz);
		r = dec ? a - 1 : a + 1;
		reg_set(c, i->rm, sz, r);
	} else {
		uint64_t lin = insn_addr(c, i, sz, ACC_W);
		a = mem_read(c, lin, sz);
		r = dec ? a - 1 : a + 1;
		mem_write(c, lin, sz, r);
	}
	flags_get(c);  /* INC/DEC keep CF: materialise it first */
	lf_set(c, dec ? LF_DEC : LF_INC, sz, a, 1, r);
}

void op_inc_r(struct emu_cpu *c, const struct insn *i) { incdec(c, i, false); }
void op_dec_r(struct emu_cpu *c, const struct insn *i) { incdec(c, i, true); }
void op_inc_rm(struct emu_cpu *c, const struct insn *i) { incdec(c, i, false); }
void op_dec_rm(struct emu_cpu *c, const struct insn *i) { incdec(c, i, true); }

void op_not(struct emu_cpu *c, const struct insn *i)
{
	rm_write(c, i, ~rm_read(c, i));
}

void op_neg(struct emu_cpu *c, const struct insn *i)
{
	uint64_t a, r;
	if (i->mod == 3) {
		a = reg_get(c, i->rm, i->osz);
		r = -a;
		reg_set(c, i->rm, i->osz, r);
	} else {
		uint64_t lin = insn_addr(c, i, i->osz, ACC_W);
		a = mem_read(c, lin, i->osz);
		r = -a;
		mem_write(c, lin, i->osz, r);
	}
	lf_set(c, LF_SUB, i->osz, 0, a, r);
}

/* MUL/IMUL flags: CF = OF = overflow; SF/ZF/PF from the low half (undefined). */
static void mul_flags(struct emu_cpu *c, bool ovf, uint64_t lo, unsigned sz)
{
	flags_arith(c, F_ARITH, (ovf ? F_CF | F_OF : 0) | flags_zsp(lo, sz));
}

void op_mul(struct emu_cpu *c, const struct insn *i)
{
	unsigned sz = i->osz;
	uint64_t b = rm_read(c, i);
	uint64_t a = reg_get(c, R_AX, sz);
	if (sz == 8) {
		unsigned __int128 p = (unsigned __int128)a * b;
		c->r[R_AX] = (uint64_t)p;
		c->r[R_DX] = (uint64_t)(p >> 64);
		mul_flags(c, c->r[R_DX] != 0, (uint64_t)p, sz);
		return;
	}
	uint64_t p = a * b;
	unsigned bits = sz * 8;
	if (sz == 1) {
		reg_set(c, R_AX, 2, p);
	} else {
		reg_set(c, R_AX, sz, p);
		reg_set(c, R_DX, sz, p >> bits);
	}
	mul_flags(c, (p >> bits) != 0, p, sz);
}

void op_imul1(struct emu_cpu *c, const struct insn *i)
{
	unsigned sz = i->osz;
	int64_t b = (int64_t)sext(rm_read(c, i), sz);
	int64_t a = (int64_t)sext(reg_get(c, R_AX, sz), sz);
	if (sz == 8) {
		__int128 p = (__int128)a * b;
		c->r[R_AX] = (uint64_t)p;
		c->r[R_DX] = (uint64_t)((unsigned __int128)p >> 64);
		mul_flags(c, p != (int64_t)p, (uint64_t)p, sz);
		return;
	}
	int64_t p = a * b;
	unsigned bits = sz * 8;
	if (sz == 1) {
		reg_set(c, R_AX, 2, (uint64_t)p);
	} else {
		reg_set(c, R_AX, sz, (uint64_t)p);
		reg_set(c, R_DX, sz, (uint64_t)p >> bits);
	}
	mul_flags(c, (int64_t)sext((uint64_t)p, sz) != p, (uint64_t)p, sz);
}

static void imul2(struct emu_cpu *c, const struct insn *i, uint64_t x, uint64_t y)
{
	unsigned sz = i->osz;
	int64_t a = (int64_t)sext(x, sz), b = (int64_t)sext(y, sz);
	__int128 p = (__int128)a * b;
	uint64_t lo = (uint64_t)p;
	reg_set(c, i->reg, sz, lo);
	mul_flags(c, (__int128)(int64_t)sext(lo, sz) != p, lo, sz);
}

void op_imul_r_rm(struct emu_cpu *c, const struct insn *i)
{
	imul2(c, i, reg_get(c, i->reg, i->osz), rm_read(c, i));
}

void op_imul_r_rm_imm(struct emu_cpu *c, const struct insn *i)
{
	imul2(c, i, rm_read(c, i), i->imm);
}

void op_div(struct emu_cpu *c, const struct insn *i)
{
	unsigned sz = i->osz;
	uint64_t d = rm_read(c, i);
	if (d == 0)
		emu_raise(c, EX_DE, 0, false);
	if (sz == 8) {
		unsigned __int128 n = ((unsigned __int128)c->r[R_DX] << 64) | c->r[R_AX];
		unsigned __int128 q = n / d;
		if (q >> 64)
			emu_raise(c, EX_DE, 0, false);
		c->r[R_AX] = (uint64_t)q;
		c->r[R_DX] = (uint64_t)(n % d);
		return;
	}
	unsigned bits = sz * 8;
	uint64_t n = sz == 1 ? reg_get(c, R_AX, 2) : (reg_get(c, R_DX, sz) << bits) | reg_get(c, R_AX, sz);
	uint64_t q = n / d, r = n % d;
	if (q > size_mask(sz))
		emu_raise(c, EX_DE, 0, false);
	if (sz == 1) {
		reg_set(c, R_AX, 2, q | (r << 8));
	} else {
		reg_set(c, R_AX, sz, q);
		reg_set(c, R_DX, sz, r);
	}
}

void op_idiv(struct emu_cpu *c, const struct insn *i)
{
	unsigned sz = i->osz;
	int64_t d = (int64_t)sext(rm_read(c, i), sz);
	if (d == 0)
		emu_raise(c, EX_DE, 0, false);
	if (sz == 8) {
		__int128 n = (__int128)(((unsigned __int128)c->r[R_DX] << 64) | c->r[R_AX]);
		if (d == -1 && n == (__int128)((unsigned __int128)1 << 127))
			emu_raise(c, EX_DE, 0, false);
		__int128 q = n / d;
		if (q != (int64_t)q)
			emu_raise(c, EX_DE, 0, false);
		c->r[R_AX] = (uint64_t)q;
		c->r[R_DX] = (uint64_t)(int64_t)(n % d);
		return;
	}
	unsigned bits = sz * 8;
	int64_t n = sz == 1 ? (int64_t)sext(reg_get(c, R_AX, 2), 2)
			    : (int64_t)sext((reg_get(c, R_DX, sz) << bits) | reg_get(c, R_AX, sz), sz * 2);
	if (d == -1 && n == INT64_MIN)
		emu_raise(c, EX_DE, 0, false);  /* the host would trap on this division */
	int64_t q = n / d, r = n % d;
	if (q != (int64_t)sext((uint64_t)q, sz))
		emu_raise(c, EX_DE, 0, false);
	if (sz == 1) {
		reg_set(c, R_AX, 2, ((uint64_t)q & 0xff) | (((uint64_t)r & 0xff) << 8));
	} else {
		reg_set(c, R_AX, sz, (uint64_t)q);
		reg_set(c, R_DX, sz, (uint64_t)r);
	}
}

void op_xadd(struct emu_cpu *c, const struct insn *i)
{
	unsigned sz = i->osz;
	uint64_t b = reg_get(c, i->reg, sz), a, r;
	if (i->mod == 3) {
		a = reg_get(c, i->rm, sz);
		r = a + b;
		reg_set(c, i->reg, sz, a);
		reg_set(c, i->rm, sz, r);
	} else {
		uint64_t lin = insn_addr(c, i, sz, ACC_W);
		a = mem_read(c, lin, sz);
		r = a + b;
		mem_write(c, lin, sz, r);
		reg_set(c, i->reg, sz, a);
	}
	lf_set(c, LF_ADD, sz, a, b, r);
}

void op_cmpxchg(struct emu_cpu *c, const struct insn *i)
{
	unsigned sz = i->osz;
	uint64_t acc = reg_get(c, R_AX, sz), src = reg_get(c, i->reg, sz), d;
	if (i->mod == 3) {
		d = reg_get(c, i->rm, sz);
		if (d == acc)
			reg_set(c, i->rm, sz, src);
		else
			reg_set(c, R_AX, sz, d);
	} else {
		uint64_t lin = insn_addr(c, i, sz, ACC_W);
		d = mem_read(c, lin, sz);
		mem_write(c, lin, sz, d == acc ? src : d);
		if (d != acc)
			reg_set(c, R_AX, sz, d);
	}
	lf_set(c, LF_SUB, sz, acc, d, acc - d);
}

void op_cmpxchg8b16b(struct emu_cpu *c, const struct insn *i)
{
	uint64_t lin = insn_addr(c, i, (i->rex & 8) ? 16 : 8, ACC_W);
	if (i->rex & 8) {
		if (lin & 15)
			emu_gp(c, 0);
		uint64_t m[2];
		mmu_read_buf(c, lin, m, 16, ACC_R);
		if (m[0] == c->r[R_AX] && m[1] == c->r[R_DX]) {
			uint64_t n[2] = {c->r[R_BX], c->r[R_CX]};
			mmu_write_buf(c, lin, n, 16, ACC_W);
			flags_arith(c, F_ZF, F_ZF);
		} else {
			mmu_write_buf(c, lin, m, 16, ACC_W);
			c->r[R_AX] = m[0];
			c->r[R_DX] = m[1];
			flags_arith(c, F_ZF, 0);
		}
		return;
	}
	uint64_t m = mem_read(c, lin, 8);
	uint64_t cmp = (c->r[R_AX] & 0xffffffff) | (c->r[R_DX] << 32);
	if (m == cmp) {
		mem_write(c, lin, 8, (c->r[R_BX] & 0xffffffff) | (c->r[R_CX] << 32));
		flags_arith(c, F_ZF, F_ZF);
	} else {
		mem_write(c, lin, 8, m);
		c->r[R_AX] = m & 0xffffffff;
		c->r[R_DX] = m >> 32;
		flags_arith(c, F_ZF, 0);
	}
}

void op_cbw(struct emu_cpu *c, const struct insn *i)
{
	unsigned sz = i->osz;
	reg_set(c, R_AX, sz, sext(reg_get(c, R_AX, sz / 2), sz / 2));
}

void op_cwd(struct emu_cpu *c, const struct insn *i)
{
	unsigned sz = i->osz;
	uint64_t a = reg_get(c, R_AX, sz);
	reg_set(c, R_DX, sz, ((a >> (sz * 8 - 1)) & 1) ? ~0ULL : 0);
}

void op_setcc(struct emu_cpu *c, const struct insn *i)
{
	rm_write(c, i, cond_eval(c, i->opcode & 15));
}

void op_cmovcc(struct emu_cpu *c, const struct insn *i)
{
	uint64_t v = rm_read(c, i);
	if (cond_eval(c, i->opcode & 15))
		reg_set(c, i->reg, i->osz, v);
	else if (i->osz == 4)
		c->r[i->reg] &= 0xffffffff;
}

void op_lahf(struct emu_cpu *c, const struct insn *i)
{
	reg_set(c, 16 + R_AX, 1, (flags_get(c) & 0xd5) | 2);
}

void op_sahf(struct emu_cpu *c, const struct insn *i)
{
	flags_arith(c, F_CF | F_PF | F_AF | F_ZF | F_SF, (c->r[R_AX] >> 8) & 0xd5);
}

void op_flagop(struct emu_cpu *c, const struct insn *i)
{
	uint64_t f = flags_get(c);
	switch (i->opcode) {
	case 0xf5: f ^= F_CF; break;
	case 0xf8: f &= ~(uint64_t)F_CF; break;
	case 0xf9: f |= F_CF; break;
	case 0xfc: f &= ~(uint64_t)F_DF; break;
	case 0xfd: f |= F_DF; break;
	}
	c->flags = f;
}

void op_aam(struct emu_cpu *c, const struct insn *i)
{
	unsigned base = i->imm & 0xff, al = c->r[R_AX] & 0xff;
	if (base == 0)
		emu_raise(c, EX_DE, 0, false);
	unsigned r = al % base;
	reg_set(c, R_AX, 2, ((al / base) << 8) | r);
	flags_arith(c, F_ARITH, flags_zsp(r, 1));
}

void op_aad(struct emu_cpu *c, const struct insn *i)
{
	unsigned base = i->imm & 0xff;
	unsigned r = ((c->r[R_AX] & 0xff) + ((c->r[R_AX] >> 8) & 0xff) * base) & 0xff;
	reg_set(c, R_AX, 2, r);
	flags_arith(c, F_ARITH, flags_zsp(r, 1));
}

void op_salc(struct emu_cpu *c, const struct insn *i)
{
	reg_set(c, R_AX, 1, flag_cf(c) ? 0xff : 0);
}

static void bcd_adjust(struct emu_cpu *c, bool sub, bool ascii)
{
	uint64_t f = flags_get(c);
	unsigned al = c->r[R_AX] & 0xff, old_al = al;
	bool cf = f & F_CF, af = f & F_AF;
	if (ascii) {
		if ((al & 0xf) > 9 || af) {
			unsigned ax = c->r[R_AX] & 0xffff;
			ax = sub ? ax - 6 : ax + 0x106;
			if (sub)
				ax -= 0x100;
			reg_set(c, R_AX, 2, (ax & 0xff0f) | 0);
			flags_arith(c, F_AF | F_CF, F_AF | F_CF);
		} else {
			reg_set(c, R_AX, 1, al & 0xf);
			flags_arith(c, F_AF | F_CF, 0);
		}
		return;
	}
	uint64_t nf = 0;
	if ((al & 0xf) > 9 || af) {
		al = sub ? al - 6 : al + 6;
		nf |= F_AF;
	}
	if (old_al > 0x99 || cf) {
		al = sub ? al - 0x60 : al + 0x60;
		nf |= F_CF;
	}
	reg_set(c, R_AX, 1, al);
	flags_arith(c, F_ARITH, nf | flags_zsp(al, 1));
}

void op_daa(struct emu_cpu *c, const struct insn *i) { bcd_adjust(c, false, false); }
void op_das(struct emu_cpu *c, const struct insn *i) { bcd_adjust(c, true, false); }
void op_aaa(struct emu_cpu *c, const struct insn *i) { bcd_adjust(c, false, true); }
void op_aas(struct emu_cpu *c, const struct insn *i) { bcd_adjust(c, true, true); }
