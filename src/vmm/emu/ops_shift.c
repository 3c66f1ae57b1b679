/* Shifts and rotates (incl. RCL/RCR, SHLD/SHRD), BT/BTS/BTR/BTC, BSF/BSR,
 * BSWAP. Flags are computed eagerly here: these set CF/OF in ways the lazy
 * record does not describe. Same pattern as ops_alu.c: read, compute,
 * write memory, then commit registers and flags. */
#include "vmm/emu/ops.h"

/* --- shifts and rotates ----------------------------------------------------------- */
/* Reads a shift's destination (register, or memory checked for writing). A
 * zero count changes nothing but still zero-extends a 32-bit register
 * destination; then it returns false and the caller stops. */
static bool shift_dest(struct emu_cpu *c, const struct insn *i, unsigned cnt, uint64_t *a, uint64_t *lin)
{
	unsigned sz = i->osz;
	*lin = 0;
	if (i->mod == 3) {
		*a = reg_get(c, i->rm, sz);
	} else {
		*lin = insn_addr(c, i, sz, ACC_W);
		*a = mem_read(c, *lin, sz);
	}
	if (cnt == 0) {
		if (i->mod == 3 && sz == 4)
			reg_set(c, i->rm, 4, *a);
		return false;
	}
	return true;
}

void op_shift(struct emu_cpu *c, const struct insn *i)
{
	unsigned sz = i->osz, bits = sz * 8, op = i->reg & 7;
	unsigned cnt;
	if (i->opcode == 0xd0 || i->opcode == 0xd1)
		cnt = 1;
	else if (i->opcode == 0xd2 || i->opcode == 0xd3)
		cnt = c->r[R_CX] & 0xff;
	else
		cnt = i->imm & 0xff;
	cnt &= sz == 8 ? 0x3f : 0x1f;
	uint64_t lin, a;
	if (!shift_dest(c, i, cnt, &a, &lin))
		return;
	uint64_t m = size_mask(sz), r = 0, f = 0;
	uint64_t msb = 1ULL << (bits - 1);
	uint64_t setmask = F_ARITH;
	unsigned k;
	switch (op) {
	case 0: /* ROL */
		k = cnt % bits;
		r = k ? ((a << k) | (a >> (bits - k))) & m : a;
		f = (r & 1) ? F_CF : 0;
		if ((r & msb) ? !(r & 1) : (r & 1))
			f |= F_OF;
		setmask = F_CF | F_OF;
		break;
	case 1: /* ROR */
		k = cnt % bits;
		r = k ? ((a >> k) | (a << (bits - k))) & m : a;
		f = (r & msb) ? F_CF : 0;
		if (((r >> (bits - 1)) ^ (r >> (bits - 2))) & 1)
			f |= F_OF;
		setmask = F_CF | F_OF;
		break;
	case 2: /* RCL */
	case 3: /* RCR */ {
		k = sz == 1 ? cnt % 9 : sz == 2 ? cnt % 17 : cnt;
		uint64_t cf = flag_cf(c) ? 1 : 0;
		r = a;
		for (unsigned n = 0; n < k; n++) {
			uint64_t out;
			if (op == 2) {
				out = (r >> (bits - 1)) & 1;
				r = ((r << 1) | cf) & m;
			} else {
				out = r & 1;
				r = (r >> 1) | (cf << (bits - 1));
			}
			cf = out;
		}
		f = cf ? F_CF : 0;
		if (op == 2) {
			if (((r >> (bits - 1)) & 1) ^ cf)
				f |= F_OF;
		} else if (((r >> (bits - 1)) ^ (r >> (bits - 2))) & 1) {
			f |= F_OF;
		}
		setmask = F_CF | F_OF;
		break;
	}
	case 4: case 6: /* SHL */
		r = (a << cnt) & m;
		f = flags_zsp(r, sz);
		if (cnt <= bits && ((a >> (bits - cnt)) & 1))
			f |= F_CF;
		if (((r >> (bits - 1)) & 1) ^ ((f & F_CF) ? 1 : 0))
			f |= F_OF;
		break;
	case 5: /* SHR */
		r = cnt >= bits ? 0 : a >> cnt;
		f = flags_zsp(r, sz);
		if (cnt <= bits && ((a >> (cnt - 1)) & 1))
			f |= F_CF;
		if (a & msb)
			f |= F_OF;
		break;
	case 7: { /* SAR */
		int64_t s = (int64_t)sext(a, sz);
		r = (uint64_t)(s >> (cnt >= 64 ? 63 : cnt)) & m;
		f = flags_zsp(r, sz);
		if ((s >> (cnt - 1 >= 63 ? 63 : cnt - 1)) & 1)
			f |= F_CF;
		break;
	}
	}
	if (i->mod == 3)
		reg_set(c, i->rm, sz, r);
	else
		mem_write(c, lin, sz, r);
	flags_arith(c, setmask, f);
}

/* SHL/SHR/SAR of a 32/64-bit register (chosen by the decoder), flags lazy.
 * A zero count changes no flags (a 32-bit register is still written). */
#define SHIFT_R(name, sz, kind, expr)                                            \
	void name(struct emu_cpu *c, const struct insn *i)                       \
	{                                                                        \
		unsigned cnt = (i->opcode == 0xd1 ? 1 : i->opcode == 0xd3 ? c->r[R_CX] : i->imm) & \
			       (sz == 8 ? 0x3f : 0x1f);                          \
		uint64_t a = c->r[i->rm] & size_mask(sz), r;                     \
		if (cnt == 0) {                                                  \
			c->r[i->rm] = a;                                         \
			return;                                                  \
		}                                                                \
		r = (expr) & size_mask(sz);                                      \
		c->r[i->rm] = r;                                                 \
		lf_set(c, kind, sz, a, cnt, r);                                  \
	}
SHIFT_R(op_shl_r64, 8, LF_SHL, a << cnt)
SHIFT_R(op_shr_r64, 8, LF_SHR, a >> cnt)
SHIFT_R(op_sar_r64, 8, LF_SAR, (uint64_t)((int64_t)a >> cnt))
SHIFT_R(op_shl_r32, 4, LF_SHL, a << cnt)
SHIFT_R(op_shr_r32, 4, LF_SHR, a >> cnt)
SHIFT_R(op_sar_r32, 4, LF_SAR, (uint64_t)((int64_t)(int32_t)a >> cnt))

static void shxd(struct emu_cpu *c, const struct insn *i, bool right)
{
	unsigned sz = i->osz, bits = sz * 8;
	unsigned cnt = (i->opcode & 1) ? c->r[R_CX] & 0xff : i->imm & 0xff;
	cnt &= sz == 8 ? 0x3f : 0x1f;
	uint64_t lin, a;
	if (!shift_dest(c, i, cnt, &a, &lin))
		return;
	uint64_t b = reg_get(c, i->reg, sz), m = size_mask(sz), r, cf;
	if (sz == 2) {
		/* 16-bit: behaves as a 32-bit shift of a:b (counts > 16 undefined) */
		uint64_t w = right ? (a | (b << 16) | (a << 32)) : ((a << 32) | (b << 16) | a);
		if (right) {
			r = (w >> cnt) & m;
			cf = (w >> (cnt - 1)) & 1;
		} else {
			r = (w << cnt >> 32) & m;
			cf = (w << (cnt - 1) >> 47) & 1;
		}
	} else if (right) {
		r = ((a >> cnt) | (b << (bits - cnt))) & m;
		cf = (a >> (cnt - 1)) & 1;
	} else {
		r = ((a << cnt) | (b >> (bits - cnt))) & m;
		cf = (a >> (bits - cnt)) & 1;
	}
	uint64_t f = flags_zsp(r, sz) | (cf ? F_CF : 0);
	if (((r ^ a) >> (bits - 1)) & 1)
		f |= F_OF;
	if (i->mod == 3)
		reg_set(c, i->rm, sz, r);
	else
		mem_write(c, lin, sz, r);
	flags_arith(c, F_ARITH, f);
}

void op_shld(struct emu_cpu *c, const struct insn *i) { shxd(c, i, false); }
void op_shrd(struct emu_cpu *c, const struct insn *i) { shxd(c, i, true); }

/* --- bit instructions ----------------------------------------------------------- */
static void bt_common(struct emu_cpu *c, const struct insn *i, unsigned op, int64_t off, bool reg_off)
{
	unsigned sz = i->osz, bits = sz * 8;
	uint64_t lin = 0, v;
	unsigned bit;
	if (i->mod == 3) {
		bit = (uint64_t)off & (bits - 1);
		v = reg_get(c, i->rm, sz);
	} else {
		uint64_t ea = insn_ea(c, i);
		if (reg_off) {
			int64_t adj = (off >> (sz == 8 ? 6 : sz == 4 ? 5 : 4)) * (int64_t)sz;
			ea += (uint64_t)adj;
			if (i->asz == 4)
				ea &= 0xffffffff;
			else if (i->asz == 2)
				ea &= 0xffff;
		}
		bit = (uint64_t)off & (bits - 1);
		lin = seg_addr(c, i->seg, ea, sz, op != 4 ? ACC_W : ACC_R);
		v = mem_read(c, lin, sz);
	}
	bool cf = (v >> bit) & 1;
	uint64_t nv = v;
	switch (op) {
	case 5: nv = v | (1ULL << bit); break;
	case 6: nv = v & ~(1ULL << bit); break;
	case 7: nv = v ^ (1ULL << bit); break;
	default: break;
	}
	if (op != 4) {
		if (i->mod == 3)
			reg_set(c, i->rm, sz, nv);
		else
			mem_write(c, lin, sz, nv);
	}
	flags_arith(c, F_CF, cf ? F_CF : 0);
}

void op_bt_rm_r(struct emu_cpu *c, const struct insn *i)
{
	static const uint8_t ops[4] = {4, 5, 6, 7}; /* A3 BT, AB BTS, B3 BTR, BB BTC */
	unsigned op = ops[(i->opcode >> 3) & 3];
	bt_common(c, i, op, (int64_t)sext(reg_get(c, i->reg, i->osz), i->osz), true);
}

void op_bt_rm_imm(struct emu_cpu *c, const struct insn *i)
{
	bt_common(c, i, i->reg & 7, (int64_t)(i->imm & 0xff), false);
}

static void bsx(struct emu_cpu *c, const struct insn *i, bool rev)
{
	uint64_t v = rm_read(c, i);
	if (v == 0) {
		flags_arith(c, F_ZF, F_ZF);
		return;
	}
	unsigned idx = rev ? 63 - (unsigned)__builtin_clzll(v) : (unsigned)__builtin_ctzll(v);
	reg_set(c, i->reg, i->osz, idx);
	flags_arith(c, F_ARITH, flags_zsp(idx, 1) & ~(uint64_t)F_ZF);
}

void op_bsf(struct emu_cpu *c, const struct insn *i) { bsx(c, i, false); }
void op_bsr(struct emu_cpu *c, const struct insn *i) { bsx(c, i, true); }

void op_bswap(struct emu_cpu *c, const struct insn *i)
{
	if (i->osz == 8)
		c->r[i->rm] = __builtin_bswap64(c->r[i->rm]);
	else if (i->osz == 4)
		c->r[i->rm] = __builtin_bswap32((uint32_t)c->r[i->rm]);
	else
		reg_set(c, i->rm, 2, 0);
}

