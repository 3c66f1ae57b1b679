/* SSE/SSE2 conversions (0F 2A-2D, 5A, 5B, E6). Out-of-range or NaN sources give
 * the integer indefinite value (0x80000000 / 0x8000000000000000), as the host does. */
#include "vmm/emu/simd_host.h"

SIMD_DEF_FP(simd_cvtps2pd, "cvtps2pd", 8)
SIMD_DEF_FP_U(simd_cvtpd2ps, "cvtpd2ps", 16, SHAPE_PD2PS | OPK_CVT)
SIMD_DEF_FP(simd_cvtss2sd, "cvtss2sd", 4)
SIMD_DEF_FP_U(simd_cvtsd2ss, "cvtsd2ss", 8, SHAPE_SD2SS | OPK_CVT)
SIMD_DEF_FP(simd_cvtdq2ps, "cvtdq2ps", 16)
SIMD_DEF_FP(simd_cvtps2dq, "cvtps2dq", 16)
SIMD_DEF_FP(simd_cvttps2dq, "cvttps2dq", 16)
SIMD_DEF_FP(simd_cvtpd2dq, "cvtpd2dq", 16)
SIMD_DEF_FP(simd_cvttpd2dq, "cvttpd2dq", 16)
SIMD_DEF_FP(simd_cvtdq2pd, "cvtdq2pd", 8)

/* CVTSI2SS/SD xmm, r/m32 (r/m64 with REX.W) */
#define SIMD_DEF_CVTSI(fn, insn)                                                      \
	int fn(struct fpu_state *f, struct simd_insn *in)                             \
	{                                                                             \
		v128 d;                                                               \
		uint64_t src;                                                         \
		if (in->rm_is_reg)                                                    \
			src = in->gpr[in->rm & 15];                                   \
		else {                                                                \
			src = 0;                                                      \
			memcpy(&src, in->mem, in->rex_w ? 8 : 4);                     \
		}                                                                     \
		memcpy(d.b, f->xmm[in->reg & 15], 16);                                \
		uint32_t mx = simd_host_mxcsr(f), host_mx;                            \
		if (in->rex_w)                                                        \
			asm volatile("stmxcsr %[h]\n\tldmxcsr %[m]\n\tmovdqa %[d], %%xmm0\n\t" \
				     insn "q %[g], %%xmm0\n\t"                        \
				     "movdqa %%xmm0, %[d]\n\tstmxcsr %[m]\n\tldmxcsr %[h]" \
				     : [d] "+m"(d), [m] "+m"(mx), [h] "=m"(host_mx)   \
				     : [g] "r"(src) : "xmm0");                        \
		else                                                                  \
			asm volatile("stmxcsr %[h]\n\tldmxcsr %[m]\n\tmovdqa %[d], %%xmm0\n\t" \
				     insn "l %k[g], %%xmm0\n\t"                       \
				     "movdqa %%xmm0, %[d]\n\tstmxcsr %[m]\n\tldmxcsr %[h]" \
				     : [d] "+m"(d), [m] "+m"(mx), [h] "=m"(host_mx)   \
				     : [g] "r"(src) : "xmm0");                        \
		return simd_fp_commit(f, in->reg, &d, mx);                            \
	}

SIMD_DEF_CVTSI(simd_cvtsi2ss, "cvtsi2ss")
SIMD_DEF_CVTSI(simd_cvtsi2sd, "cvtsi2sd")

/* CVT(T)SS2SI / CVT(T)SD2SI r32/r64, xmm/m32|m64; a 32-bit result zero-extends. */
#define SIMD_DEF_CVT2SI(fn, insn, size)                                               \
	int fn(struct fpu_state *f, struct simd_insn *in)                             \
	{                                                                             \
		v128 s;                                                               \
		uint64_t res;                                                         \
		simd_src(f, in, &s, size);                                            \
		uint32_t mx = simd_host_mxcsr(f), host_mx;                            \
		if (in->rex_w)                                                        \
			asm volatile("stmxcsr %[h]\n\tldmxcsr %[m]\n\tmovdqa %[s], %%xmm1\n\t" \
				     insn " %%xmm1, %q[g]\n\tstmxcsr %[m]\n\tldmxcsr %[h]" \
				     : [g] "=r"(res), [m] "+m"(mx), [h] "=m"(host_mx) \
				     : [s] "m"(s) : "xmm1");                          \
		else {                                                                \
			uint32_t r32;                                                 \
			asm volatile("stmxcsr %[h]\n\tldmxcsr %[m]\n\tmovdqa %[s], %%xmm1\n\t" \
				     insn " %%xmm1, %k[g]\n\tstmxcsr %[m]\n\tldmxcsr %[h]" \
				     : [g] "=r"(r32), [m] "+m"(mx), [h] "=m"(host_mx) \
				     : [s] "m"(s) : "xmm1");                          \
			res = r32;                                                    \
		}                                                                     \
		int vec = simd_fp_check(f, mx);                                       \
		if (vec == 0)                                                         \
			in->gpr[in->reg & 15] = res;                                  \
		return vec;                                                           \
	}

SIMD_DEF_CVT2SI(simd_cvtss2si, "cvtss2si", 4)
SIMD_DEF_CVT2SI(simd_cvttss2si, "cvttss2si", 4)
SIMD_DEF_CVT2SI(simd_cvtsd2si, "cvtsd2si", 8)
SIMD_DEF_CVT2SI(simd_cvttsd2si, "cvttsd2si", 8)
