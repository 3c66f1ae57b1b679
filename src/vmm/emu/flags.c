/* Lazy condition flags: arithmetic records (op, size, a, b, result) and the
 * six status flags are computed only when something reads them. */
#include "vmm/emu/cpu.h"

static uint64_t lazy_compute(const struct emu_cpu *c)
{
	unsigned sz = c->lf_size;
	uint64_t m = size_mask(sz);
	uint64_t sign = 1ULL << (sz * 8 - 1);
	uint64_t a = c->lf_a & m, b = c->lf_b & m, res = c->lf_res & m;
	uint64_t f = flags_zsp(res, sz);
	switch (c->lf_op) {
	case LF_ADD:
		if (res < a)
			f |= F_CF;
		if ((a ^ res) & (b ^ res) & sign)
			f |= F_OF;
		f |= (a ^ b ^ res) & F_AF;
		break;
	case LF_ADC:
		/* b holds the addend without carry; carry-in is res - a - b */
		if (((res - a - b) & m) ? res <= a : res < a)
			f |= F_CF;
		if ((a ^ res) & (b ^ res) & sign)
			f |= F_OF;
		f |= (a ^ b ^ res) & F_AF;
		break;
	case LF_SUB:
		if (a < b)
			f |= F_CF;
		if ((a ^ b) & (a ^ res) & sign)
			f |= F_OF;
		f |= (a ^ b ^ res) & F_AF;
		break;
	case LF_SBB:
		if (((a - b - res) & m) ? a <= b : a < b)
			f |= F_CF;
		if ((a ^ b) & (a ^ res) & sign)
			f |= F_OF;
		f |= (a ^ b ^ res) & F_AF;
		break;
	case LF_LOGIC:
		break;
	case LF_INC:
		f |= c->flags & F_CF;
		if (res == sign)
			f |= F_OF;
		if ((res & 0xf) == 0)
			f |= F_AF;
		break;
	case LF_DEC:
		f |= c->flags & F_CF;
		if (res == sign - 1)
			f |= F_OF;
		if ((res & 0xf) == 0xf)
			f |= F_AF;
		break;
	/* as op_shift computes them (AF clear; OF as for a count of 1) */
	case LF_SHL:
		if ((a >> (sz * 8 - b)) & 1)
			f |= F_CF;
		if (((res & sign) != 0) ^ ((f & F_CF) != 0))
			f |= F_OF;
		break;
	case LF_SHR:
		if ((a >> (b - 1)) & 1)
			f |= F_CF;
		if (a & sign)
			f |= F_OF;
		break;
	case LF_SAR:
		if (((int64_t)sext(a, sz) >> (b - 1)) & 1)
			f |= F_CF;
		break;
	}
	return f;
}

uint64_t flags_get(struct emu_cpu *c)
{
	if (c->lf_op != LF_NONE) {
		c->flags = (c->flags & ~(uint64_t)F_ARITH) | lazy_compute(c);
		c->lf_op = LF_NONE;
	}
	return c->flags;
}

void flags_set(struct emu_cpu *c, uint64_t v)
{
	c->flags = v | 2;
	c->lf_op = LF_NONE;
}

bool cond_eval(struct emu_cpu *c, unsigned cc)
{
	bool r;
	/* Fast paths: answer from the lazy record without materialising. */
	unsigned sz = c->lf_size;
	uint64_t m = size_mask(sz), sign = 1ULL << (sz * 8 - 1);
	switch (c->lf_op) {
	case LF_SUB: {
		uint64_t a = c->lf_a & m, b = c->lf_b & m;
		switch (cc >> 1) {
		case 1: r = a < b; return r ^ (cc & 1);              /* B */
		case 2: r = a == b; return r ^ (cc & 1);             /* E */
		case 3: r = a <= b; return r ^ (cc & 1);             /* BE */
		case 4: r = (c->lf_res & sign) != 0; return r ^ (cc & 1);  /* S */
		case 6: r = (int64_t)sext(a, sz) < (int64_t)sext(b, sz); return r ^ (cc & 1);   /* L */
		case 7: r = (int64_t)sext(a, sz) <= (int64_t)sext(b, sz); return r ^ (cc & 1);  /* LE */
		default: break;
		}
		break;
	}
	case LF_LOGIC: {
		uint64_t res = c->lf_res & m;
		switch (cc >> 1) {
		case 0: case 1: return cc & 1;                      /* O, B: clear */
		case 2: case 3: r = res == 0; return r ^ (cc & 1);  /* E, BE */
		case 4: case 6: r = (res & sign) != 0; return r ^ (cc & 1);  /* S, L (OF = 0) */
		case 7: r = res == 0 || (res & sign); return r ^ (cc & 1);   /* LE */
		default: break;
		}
		break;
	}
	case LF_ADD: case LF_INC: case LF_DEC: case LF_SHL: case LF_SHR: case LF_SAR:
		if ((cc >> 1) == 2)
			return ((c->lf_res & m) == 0) ^ (cc & 1);
		if ((cc >> 1) == 4)
			return ((c->lf_res & sign) != 0) ^ (cc & 1);
		break;
	default:
		break;
	}
	uint64_t f = flags_get(c);
	switch (cc >> 1) {
	case 0: r = f & F_OF; break;
	case 1: r = f & F_CF; break;
	case 2: r = f & F_ZF; break;
	case 3: r = f & (F_CF | F_ZF); break;
	case 4: r = f & F_SF; break;
	case 5: r = f & F_PF; break;
	case 6: r = !(f & F_SF) != !(f & F_OF); break;
	default: r = (f & F_ZF) || (!(f & F_SF) != !(f & F_OF)); break;
	}
	return r ^ (cc & 1);
}
