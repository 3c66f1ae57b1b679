/* SSE/SSE2 data movement: full and partial moves, MOVD/MOVQ, shuffles and
 * unpacks, mask extraction, PEXTRW/PINSRW. Pure data movement, so plain C. */
#include "vmm/emu/simd_host.h"

#define X(r) (f->xmm[(r) & 15])

/* MOVAPS/MOVUPS/MOVAPD/MOVUPD/MOVDQA/MOVDQU xmm, xmm/m128 */
int simd_load128(struct fpu_state *f, struct simd_insn *in)
{
	v128 s;
	simd_src(f, in, &s, 16);
	memcpy(X(in->reg), s.b, 16);
	return 0;
}

/* ...and the store direction, also MOVNTPS/MOVNTPD/MOVNTDQ (memory only) */
int simd_store128(struct fpu_state *f, struct simd_insn *in)
{
	if (in->rm_is_reg)
		memcpy(X(in->rm), X(in->reg), 16);
	else
		memcpy(in->mem, X(in->reg), 16);
	return 0;
}

/* MOVSS/MOVSD load: register source merges the low element, memory zero-extends. */
static void move_scalar_load(struct fpu_state *f, struct simd_insn *in, unsigned n)
{
	if (in->rm_is_reg) {
		memmove(X(in->reg), X(in->rm), n);
	} else {
		memset(X(in->reg), 0, 16);
		memcpy(X(in->reg), in->mem, n);
	}
}

static void move_scalar_store(struct fpu_state *f, struct simd_insn *in, unsigned n)
{
	if (in->rm_is_reg)
		memmove(X(in->rm), X(in->reg), n);
	else
		memcpy(in->mem, X(in->reg), n);
}

int simd_movss_load(struct fpu_state *f, struct simd_insn *in) { move_scalar_load(f, in, 4); return 0; }
int simd_movsd_load(struct fpu_state *f, struct simd_insn *in) { move_scalar_load(f, in, 8); return 0; }
int simd_movss_store(struct fpu_state *f, struct simd_insn *in) { move_scalar_store(f, in, 4); return 0; }
int simd_movsd_store(struct fpu_state *f, struct simd_insn *in) { move_scalar_store(f, in, 8); return 0; }

/* 0F 12: MOVLPS xmm, m64 / MOVHLPS xmm, xmm; 66 0F 12 MOVLPD (memory only) */
int simd_movlps_load(struct fpu_state *f, struct simd_insn *in)
{
	memmove(X(in->reg), in->rm_is_reg ? X(in->rm) + 8 : in->mem, 8);
	return 0;
}

/* 0F 16: MOVHPS xmm, m64 / MOVLHPS xmm, xmm; 66 0F 16 MOVHPD (memory only) */
int simd_movhps_load(struct fpu_state *f, struct simd_insn *in)
{
	memmove(X(in->reg) + 8, in->rm_is_reg ? X(in->rm) : in->mem, 8);
	return 0;
}

/* 0F 13 / 0F 17 (and 66): low / high quadword to m64 */
int simd_movlps_store(struct fpu_state *f, struct simd_insn *in) { memcpy(in->mem, X(in->reg), 8); return 0; }
int simd_movhps_store(struct fpu_state *f, struct simd_insn *in) { memcpy(in->mem, X(in->reg) + 8, 8); return 0; }

/* 66 0F 6E: MOVD/MOVQ xmm, r/m32|64 */
int simd_movd_to_xmm(struct fpu_state *f, struct simd_insn *in)
{
	unsigned n = in->rex_w ? 8 : 4;
	uint64_t v = 0;
	if (in->rm_is_reg)
		v = in->gpr[in->rm & 15];
	else
		memcpy(&v, in->mem, n);
	if (n == 4)
		v = (uint32_t)v;
	memset(X(in->reg), 0, 16);
	memcpy(X(in->reg), &v, 8);
	return 0;
}

/* 66 0F 7E: MOVD/MOVQ r/m32|64, xmm (a 32-bit GPR write zero-extends) */
int simd_movd_from_xmm(struct fpu_state *f, struct simd_insn *in)
{
	unsigned n = in->rex_w ? 8 : 4;
	uint64_t v = 0;
	memcpy(&v, X(in->reg), n);
	if (in->rm_is_reg)
		in->gpr[in->rm & 15] = v;
	else
		memcpy(in->mem, &v, n);
	return 0;
}

/* F3 0F 7E: MOVQ xmm, xmm/m64 (zero-extends) */
int simd_movq_load(struct fpu_state *f, struct simd_insn *in)
{
	v128 s;
	simd_src(f, in, &s, 8);
	memset(s.b + 8, 0, 8);
	memcpy(X(in->reg), s.b, 16);
	return 0;
}

/* 66 0F D6: MOVQ xmm/m64, xmm (register destination zero-extends) */
int simd_movq_store(struct fpu_state *f, struct simd_insn *in)
{
	if (in->rm_is_reg) {
		uint8_t t[16] = { 0 };
		memcpy(t, X(in->reg), 8);
		memcpy(X(in->rm), t, 16);
	} else {
		memcpy(in->mem, X(in->reg), 8);
	}
	return 0;
}

SIMD_DEF_INT(simd_unpcklps, "unpcklps")
SIMD_DEF_INT(simd_unpckhps, "unpckhps")
SIMD_DEF_INT(simd_unpcklpd, "unpcklpd")
SIMD_DEF_INT(simd_unpckhpd, "unpckhpd")

int simd_shufps(struct fpu_state *f, struct simd_insn *in)
{
	v128 s;
	uint32_t d[4], sv[4], r[4];
	simd_src(f, in, &s, 16);
	memcpy(d, X(in->reg), 16);
	memcpy(sv, s.b, 16);
	unsigned i = in->imm8;
	r[0] = d[i & 3];
	r[1] = d[(i >> 2) & 3];
	r[2] = sv[(i >> 4) & 3];
	r[3] = sv[(i >> 6) & 3];
	memcpy(X(in->reg), r, 16);
	return 0;
}

int simd_shufpd(struct fpu_state *f, struct simd_insn *in)
{
	v128 s;
	uint64_t d[2], sv[2], r[2];
	simd_src(f, in, &s, 16);
	memcpy(d, X(in->reg), 16);
	memcpy(sv, s.b, 16);
	r[0] = d[in->imm8 & 1];
	r[1] = sv[(in->imm8 >> 1) & 1];
	memcpy(X(in->reg), r, 16);
	return 0;
}

int simd_pshufd(struct fpu_state *f, struct simd_insn *in)
{
	v128 s;
	uint32_t sv[4], r[4];
	simd_src(f, in, &s, 16);
	memcpy(sv, s.b, 16);
	for (unsigned i = 0; i < 4; i++)
		r[i] = sv[(in->imm8 >> (2 * i)) & 3];
	memcpy(X(in->reg), r, 16);
	return 0;
}

/* PSHUFLW (half 0) / PSHUFHW (half 1): shuffle four words of one half, copy the other */
static void pshuf_half(struct fpu_state *f, struct simd_insn *in, unsigned half)
{
	v128 s;
	uint16_t sv[8], r[8];
	simd_src(f, in, &s, 16);
	memcpy(sv, s.b, 16);
	memcpy(r, sv, 16);
	for (unsigned i = 0; i < 4; i++)
		r[4 * half + i] = sv[4 * half + ((in->imm8 >> (2 * i)) & 3)];
	memcpy(X(in->reg), r, 16);
}

int simd_pshuflw(struct fpu_state *f, struct simd_insn *in) { pshuf_half(f, in, 0); return 0; }
int simd_pshufhw(struct fpu_state *f, struct simd_insn *in) { pshuf_half(f, in, 1); return 0; }

/* MOVMSKPS/MOVMSKPD/PMOVMSKB r32, xmm: sign bits of each element */
static uint64_t sign_mask(const uint8_t *x, unsigned elem)
{
	uint64_t m = 0;
	for (unsigned i = 0; i < 16 / elem; i++)
		if (x[i * elem + elem - 1] & 0x80)
			m |= 1u << i;
	return m;
}

int simd_movmskps(struct fpu_state *f, struct simd_insn *in) { in->gpr[in->reg & 15] = sign_mask(X(in->rm), 4); return 0; }
int simd_movmskpd(struct fpu_state *f, struct simd_insn *in) { in->gpr[in->reg & 15] = sign_mask(X(in->rm), 8); return 0; }
int simd_pmovmskb(struct fpu_state *f, struct simd_insn *in) { in->gpr[in->reg & 15] = sign_mask(X(in->rm), 1); return 0; }

/* 66 0F C5: PEXTRW r32, xmm, imm8 */
int simd_pextrw(struct fpu_state *f, struct simd_insn *in)
{
	uint16_t w;
	memcpy(&w, X(in->rm) + 2 * (in->imm8 & 7), 2);
	in->gpr[in->reg & 15] = w;
	return 0;
}

/* 66 0F C4: PINSRW xmm, r32/m16, imm8 */
int simd_pinsrw(struct fpu_state *f, struct simd_insn *in)
{
	uint16_t w;
	if (in->rm_is_reg)
		w = (uint16_t)in->gpr[in->rm & 15];
	else
		memcpy(&w, in->mem, 2);
	memcpy(X(in->reg) + 2 * (in->imm8 & 7), &w, 2);
	return 0;
}
