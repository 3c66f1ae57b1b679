/* simd_fp_run(): SSE/SSE2 arithmetic that can overflow or underflow, with
 * the exception flags hardware reports when OE/UE are unmasked.
 *
 * The host runs with every exception masked, which gives the right flags in
 * the common case. Two things differ when the guest unmasks OE or UE:
 *  - UE is reported for every tiny result, also exact ones (masked: only
 *    inexact ones). An exact tiny result is a denormal: look for one.
 *  - An element that raises an unmasked OE/UE reports PE only if its result,
 *    rounded with an unbounded exponent, is inexact. The host's x87 computes
 *    that: with precision control at 24/53 bits and its 15-bit exponent, a
 *    single/double add, sub, mul, div or narrowing is rounded once, exactly
 *    as with an unbounded exponent.
 * Both only cost anything when the guest has OE/UE unmasked. */
#include "vmm/emu/simd_host.h"

static unsigned shape_elems(int shape)
{
	return shape == SHAPE_PS ? 4 : shape == SHAPE_PD || shape == SHAPE_PD2PS ? 2 : 1;
}

static bool shape_single_result(int shape)
{
	return shape == SHAPE_SS || shape == SHAPE_PS || shape == SHAPE_PD2PS || shape == SHAPE_SD2SS;
}

static bool shape_single_input(int shape)
{
	return shape == SHAPE_SS || shape == SHAPE_PS;
}

static uint32_t tiny_flag(const v128 *d, int shape)
{
	for (unsigned i = 0; i < shape_elems(shape); i++) {
		if (shape_single_result(shape)) {
			uint32_t v;
			memcpy(&v, d->b + 4 * i, 4);
			if (!(v & 0x7f800000) && (v & 0x7fffff))
				return 0x10;
		} else {
			uint64_t v;
			memcpy(&v, d->b + 8 * i, 8);
			if (!(v & 0x7ff0000000000000ull) && (v & 0xfffffffffffffull))
				return 0x10;
		}
	}
	return 0;
}

/* Replaces every input element but i by 1.0, which is exact and raises
 * nothing in every op here, so element i's exceptions are seen alone. */
static void isolate(v128 *v, bool single, unsigned i)
{
	static const uint32_t one_f = 0x3f800000;
	static const uint64_t one_d = 0x3ff0000000000000ull;
	for (unsigned k = 0; k < (single ? 4u : 2u); k++)
		if (k != i) {
			if (single)
				memcpy(v->b + 4 * k, &one_f, 4);
			else
				memcpy(v->b + 8 * k, &one_d, 8);
		}
}

/* Element i of v as an 80-bit value (via the x87's exact widening), with
 * DAZ applied to denormal inputs. */
static long double element(const v128 *v, bool single, unsigned i, bool daz)
{
	if (single) {
		uint32_t b;
		memcpy(&b, v->b + 4 * i, 4);
		if (daz && !(b & 0x7f800000))
			b &= 0x80000000u;
		float x;
		memcpy(&x, &b, 4);
		return x;
	}
	uint64_t b;
	memcpy(&b, v->b + 8 * i, 8);
	if (daz && !(b & 0x7ff0000000000000ull))
		b &= 0x8000000000000000ull;
	double x;
	memcpy(&x, &b, 8);
	return x;
}

/* Whether op(a, b) rounded to 24/53 bits with an unbounded exponent is inexact. */
static bool unbounded_inexact(int opk, long double a, long double b, bool single, uint32_t mxcsr)
{
	uint16_t cw = (uint16_t)(0x3f | (single ? 0x000 : 0x200) | ((mxcsr >> 3) & 0xc00));
	uint16_t hcw, sw;
	long double r;
	switch (opk) {
	case OPK_ADD: asm volatile("fnstcw %[h]\n\tfldcw %[c]\n\tfnclex\n\tfldt %[b]\n\tfldt %[a]\n\tfaddp\n\t"
				   "fnstsw %[s]\n\tfstpt %[r]\n\tfnclex\n\tfldcw %[h]"
				   : [h] "=m"(hcw), [s] "=m"(sw), [r] "=m"(r)
				   : [c] "m"(cw), [a] "m"(a), [b] "m"(b)); break;
	case OPK_SUB: asm volatile("fnstcw %[h]\n\tfldcw %[c]\n\tfnclex\n\tfldt %[b]\n\tfldt %[a]\n\t"
				   "fsub %%st(1), %%st\n\tfnstsw %[s]\n\tfstpt %[r]\n\tfstp %%st(0)\n\tfnclex\n\tfldcw %[h]"
				   : [h] "=m"(hcw), [s] "=m"(sw), [r] "=m"(r)
				   : [c] "m"(cw), [a] "m"(a), [b] "m"(b)); break;
	case OPK_MUL: asm volatile("fnstcw %[h]\n\tfldcw %[c]\n\tfnclex\n\tfldt %[b]\n\tfldt %[a]\n\tfmulp\n\t"
				   "fnstsw %[s]\n\tfstpt %[r]\n\tfnclex\n\tfldcw %[h]"
				   : [h] "=m"(hcw), [s] "=m"(sw), [r] "=m"(r)
				   : [c] "m"(cw), [a] "m"(a), [b] "m"(b)); break;
	case OPK_DIV: asm volatile("fnstcw %[h]\n\tfldcw %[c]\n\tfnclex\n\tfldt %[b]\n\tfldt %[a]\n\t"
				   "fdiv %%st(1), %%st\n\tfnstsw %[s]\n\tfstpt %[r]\n\tfstp %%st(0)\n\tfnclex\n\tfldcw %[h]"
				   : [h] "=m"(hcw), [s] "=m"(sw), [r] "=m"(r)
				   : [c] "m"(cw), [a] "m"(a), [b] "m"(b)); break;
	default: /* narrowing: a * 1 rounds a to the precision control */
		asm volatile("fnstcw %[h]\n\tfldcw %[c]\n\tfnclex\n\tfld1\n\tfldt %[a]\n\tfmulp\n\t"
			     "fnstsw %[s]\n\tfstpt %[r]\n\tfnclex\n\tfldcw %[h]"
			     : [h] "=m"(hcw), [s] "=m"(sw), [r] "=m"(r)
			     : [c] "m"(cw), [a] "m"(a)); break;
	}
	return (sw & 0x20) != 0;
}

int simd_fp_run(struct fpu_state *f, struct simd_insn *in, unsigned size, int shape_opk, simd_hostfn h)
{
	int shape = SHAPE_OF(shape_opk);
	v128 d, s;
	simd_src(f, in, &s, size);
	memcpy(d.b, f->xmm[in->reg & 15], 16);
	const v128 d0 = d;
	uint32_t mx = simd_host_mxcsr(f);
	h(&d, &s, &mx);
	uint32_t unmasked_ou = ~(f->mxcsr >> 7) & 0x18;
	if (shape == SHAPE_NONE || !unmasked_ou)
		return simd_fp_commit(f, in->reg, &d, mx);
	if (!(f->mxcsr & 0x800))
		mx |= tiny_flag(&d, shape);
	uint32_t unmasked = mx & ~(f->mxcsr >> 7) & MXCSR_FLAGS;
	if (!(unmasked & unmasked_ou) || (unmasked & MXCSR_PRE))
		return simd_fp_commit(f, in->reg, &d, mx);

	/* #XM from OE/UE: rebuild the flags element by element */
	bool single_in = shape_single_input(shape);
	bool daz = f->mxcsr & 0x40;
	uint32_t acc = 0;
	for (unsigned i = 0; i < shape_elems(shape); i++) {
		v128 di = d0, si = s;
		if (shape_elems(shape) > 1) {
			isolate(&di, single_in, i);
			isolate(&si, single_in, i);
		}
		uint32_t mi = simd_host_mxcsr(f);
		h(&di, &si, &mi);
		uint32_t fl = (mi & MXCSR_FLAGS) | (f->mxcsr & 0x800 ? 0 : tiny_flag(&di, shape));
		if (fl & unmasked_ou) {
			long double a = element(OPK_OF(shape_opk) == OPK_CVT ? &s : &d0, single_in, i, daz);
			long double b = element(&s, single_in, i, daz);
			fl &= ~0x20u;
			if (unbounded_inexact(OPK_OF(shape_opk), a, b, shape_single_result(shape), f->mxcsr))
				fl |= 0x20;
		}
		acc |= fl;
	}
	mx = (mx & ~(uint32_t)MXCSR_FLAGS) | acc;
	return simd_fp_commit(f, in->reg, &d, mx);
}
