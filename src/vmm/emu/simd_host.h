/* Internal: running one SSE/SSE2 instruction on the host for the guest.
 *
 * Every op copies its operands into aligned temporaries, runs the same
 * instruction register-to-register on the host (xmm0 = destination, xmm1 =
 * source) and copies the result back. FP ops run with the guest's MXCSR
 * (rounding, FTZ, DAZ) but every exception masked, so the host never traps;
 * simd_fp_commit() then applies the guest's masks. The host MXCSR is saved
 * and restored inside the same asm statement, so no compiler-generated code
 * ever runs under the guest's MXCSR. */
#ifndef TANDEM_EMU_SIMD_HOST_H
#define TANDEM_EMU_SIMD_HOST_H

#include "vmm/emu/fpu_int.h"
#include "vmm/emu/simd_ops.h"

typedef struct {
	uint8_t b[16];
} __attribute__((aligned(16))) v128;

#define MXCSR_FLAGS 0x3f
#define MXCSR_MASKS 0x1f80
#define MXCSR_PRE (0x01 | 0x02 | 0x04)  /* IE, DE, ZE: detected before computing */

/* Source operand: the rm register, or size bytes of memory zero-extended. */
static inline void simd_src(const struct fpu_state *f, const struct simd_insn *in, v128 *s, unsigned size)
{
	if (in->rm_is_reg) {
		memcpy(s->b, f->xmm[in->rm & 15], 16);
	} else {
		memset(s->b, 0, 16);
		memcpy(s->b, in->mem, size);
	}
}

/* MXCSR to run the host with: the guest's control bits, all exceptions
 * masked, flags clear. FTZ only acts while UE is masked, so it is dropped
 * when the guest unmasks UE (simd_fp_run() then needs the denormal result). */
static inline uint32_t simd_host_mxcsr(const struct fpu_state *f)
{
	/* FPU_MXCSR_MASK: a reserved bit would make the host's LDMXCSR fault */
	uint32_t m = (f->mxcsr & FPU_MXCSR_MASK & ~(uint32_t)MXCSR_FLAGS) | MXCSR_MASKS;
	if (!(f->mxcsr & 0x800))
		m &= ~0x8000u;
	return m;
}

/* For ops that can overflow/underflow (simd_fp_run): the shape of the
 * elements, or'ed with the operation (needed to recompute PE, simd_xm.c). */
enum { SHAPE_NONE, SHAPE_SS, SHAPE_PS, SHAPE_SD, SHAPE_PD, SHAPE_PD2PS, SHAPE_SD2SS };
enum { OPK_ADD = 1 << 4, OPK_SUB = 2 << 4, OPK_MUL = 3 << 4, OPK_DIV = 4 << 4, OPK_CVT = 5 << 4 };
#define SHAPE_OF(x) ((x) & 15)
#define OPK_OF(x) ((x) & 0xf0)

static inline int simd_fp_check(struct fpu_state *f, uint32_t hostmx)
{
	uint32_t flags = hostmx & MXCSR_FLAGS;
	uint32_t unmasked = flags & ~(f->mxcsr >> 7) & MXCSR_FLAGS;
	if (unmasked) {
		f->mxcsr |= (unmasked & MXCSR_PRE) ? (flags & MXCSR_PRE) : flags;
		return FPU_VEC_XM;
	}
	f->mxcsr |= flags;
	return 0;
}

static inline int simd_fp_commit(struct fpu_state *f, unsigned reg, const v128 *d, uint32_t hostmx)
{
	int vec = simd_fp_check(f, hostmx);
	if (vec == 0)
		memcpy(f->xmm[reg & 15], d->b, 16);
	return vec;
}

/* d = insn(d, s) under mx (guest MXCSR, masked); mx gets the resulting MXCSR. */
#define SIMD_HOST_FP(insn, D_, S_, MX_)                                              \
	do {                                                                      \
		uint32_t host_mx_;                                                \
		asm volatile("stmxcsr %[h]\n\tldmxcsr %[m]\n\t"                   \
			     "movdqa %[d], %%xmm0\n\tmovdqa %[s], %%xmm1\n\t"     \
			     insn " %%xmm1, %%xmm0\n\t"                           \
			     "movdqa %%xmm0, %[d]\n\tstmxcsr %[m]\n\tldmxcsr %[h]" \
			     : [d] "+m"(*(D_)), [m] "+m"(MX_), [h] "=m"(host_mx_)   \
			     : [s] "m"(*(S_))                                      \
			     : "xmm0", "xmm1");                                   \
	} while (0)

/* Same with an immediate (compile-time constant) first operand. */
#define SIMD_HOST_FP_IMM(insn, imm, D_, S_, MX_)                                     \
	do {                                                                      \
		uint32_t host_mx_;                                                \
		asm volatile("stmxcsr %[h]\n\tldmxcsr %[m]\n\t"                   \
			     "movdqa %[d], %%xmm0\n\tmovdqa %[s], %%xmm1\n\t"     \
			     insn " %[i], %%xmm1, %%xmm0\n\t"                     \
			     "movdqa %%xmm0, %[d]\n\tstmxcsr %[m]\n\tldmxcsr %[h]" \
			     : [d] "+m"(*(D_)), [m] "+m"(MX_), [h] "=m"(host_mx_)   \
			     : [s] "m"(*(S_)), [i] "i"(imm)                        \
			     : "xmm0", "xmm1");                                   \
	} while (0)

/* Integer ops: no MXCSR involvement. */
#define SIMD_HOST_INT(insn, D_, S_)                                                 \
	asm volatile("movdqa %[d], %%xmm0\n\tmovdqa %[s], %%xmm1\n\t"             \
		     insn " %%xmm1, %%xmm0\n\tmovdqa %%xmm0, %[d]"                \
		     : [d] "+m"(*(D_))                                             \
		     : [s] "m"(*(S_))                                              \
		     : "xmm0", "xmm1")

typedef void (*simd_hostfn)(v128 *d, const v128 *s, uint32_t *mx);
/* Runs h for "op xmm(reg), xmm/m<size>" and commits per the guest's masks;
 * shape (SHAPE_*) lets unmasked OE/UE be reported as hardware does. */
int simd_fp_run(struct fpu_state *f, struct simd_insn *in, unsigned size, int shape, simd_hostfn h);

/* An exec function for "insn xmm, xmm/m<size>" computed on the host. */
#define SIMD_DEF_FP_U(fn, insn, size, shape)                                      \
	static void fn##_host(v128 *d_, const v128 *s_, uint32_t *mx_)            \
	{                                                                         \
		SIMD_HOST_FP(insn, d_, s_, *mx_);                                 \
	}                                                                         \
	int fn(struct fpu_state *f, struct simd_insn *in)                         \
	{                                                                         \
		return simd_fp_run(f, in, size, shape, fn##_host);                \
	}
#define SIMD_DEF_FP(fn, insn, size) SIMD_DEF_FP_U(fn, insn, size, SHAPE_NONE)

#define SIMD_DEF_INT(fn, insn)                                                    \
	int fn(struct fpu_state *f, struct simd_insn *in)                         \
	{                                                                         \
		v128 d, s;                                                        \
		simd_src(f, in, &s, 16);                                          \
		memcpy(d.b, f->xmm[in->reg & 15], 16);                            \
		SIMD_HOST_INT(insn, &d, &s);                                      \
		memcpy(f->xmm[in->reg & 15], d.b, 16);                            \
		return 0;                                                         \
	}

#endif
