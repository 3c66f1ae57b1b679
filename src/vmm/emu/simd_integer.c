/* SSE2 integer ops on XMM registers (66 0F 60-76, D1-FE, 71-73 groups).
 * Computed by the host's own instructions (simd_host.h); none touch MXCSR. */
#include "vmm/emu/simd_host.h"

#define I(op) SIMD_DEF_INT(simd_##op, #op)

I(punpcklbw) I(punpcklwd) I(punpckldq) I(punpcklqdq)
I(punpckhbw) I(punpckhwd) I(punpckhdq) I(punpckhqdq)
I(packsswb) I(packssdw) I(packuswb)
I(pcmpgtb) I(pcmpgtw) I(pcmpgtd) I(pcmpeqb) I(pcmpeqw) I(pcmpeqd)
I(paddb) I(paddw) I(paddd) I(paddq) I(paddsb) I(paddsw) I(paddusb) I(paddusw)
I(psubb) I(psubw) I(psubd) I(psubq) I(psubsb) I(psubsw) I(psubusb) I(psubusw)
I(pmullw) I(pmulhw) I(pmulhuw) I(pmuludq) I(pmaddwd) I(psadbw)
I(pavgb) I(pavgw) I(pminub) I(pmaxub) I(pminsw) I(pmaxsw)
I(pand) I(pandn) I(por) I(pxor)
I(psrlw) I(psrld) I(psrlq) I(psraw) I(psrad) I(psllw) I(pslld) I(psllq)

/* Shift by immediate (66 0F 71-73 /2 /4 /6, rm is the destination):
 * same result as the shift by an XMM count whose low quadword is imm8. */
#define SIMD_DEF_SHIFT_IMM(fn, insn)                              \
	int fn(struct fpu_state *f, struct simd_insn *in)         \
	{                                                         \
		v128 d, s;                                        \
		memset(s.b, 0, 16);                               \
		s.b[0] = in->imm8;                                \
		memcpy(d.b, f->xmm[in->rm & 15], 16);             \
		SIMD_HOST_INT(insn, &d, &s);                      \
		memcpy(f->xmm[in->rm & 15], d.b, 16);             \
		return 0;                                         \
	}

SIMD_DEF_SHIFT_IMM(simd_psrlw_imm, "psrlw")
SIMD_DEF_SHIFT_IMM(simd_psraw_imm, "psraw")
SIMD_DEF_SHIFT_IMM(simd_psllw_imm, "psllw")
SIMD_DEF_SHIFT_IMM(simd_psrld_imm, "psrld")
SIMD_DEF_SHIFT_IMM(simd_psrad_imm, "psrad")
SIMD_DEF_SHIFT_IMM(simd_pslld_imm, "pslld")
SIMD_DEF_SHIFT_IMM(simd_psrlq_imm, "psrlq")
SIMD_DEF_SHIFT_IMM(simd_psllq_imm, "psllq")

/* PSRLDQ/PSLLDQ xmm, imm8: byte shifts; counts above 15 clear the register. */
int simd_psrldq(struct fpu_state *f, struct simd_insn *in)
{
	uint8_t *x = f->xmm[in->rm & 15];
	uint8_t t[16] = { 0 };
	unsigned n = in->imm8;
	for (unsigned i = 0; n < 16 && i + n < 16; i++)
		t[i] = x[i + n];
	memcpy(x, t, 16);
	return 0;
}

int simd_pslldq(struct fpu_state *f, struct simd_insn *in)
{
	uint8_t *x = f->xmm[in->rm & 15];
	uint8_t t[16] = { 0 };
	unsigned n = in->imm8;
	for (unsigned i = n; i < 16; i++)
		t[i] = x[i - n];
	memcpy(x, t, 16);
	return 0;
}
