/* SSE/SSE2 floating-point arithmetic, logic, compares (0F 51-5F, 54-57, C2, 2E/2F).
 * Each op is the host's own instruction under the guest's MXCSR (simd_host.h). */
#include "vmm/emu/simd_host.h"

#define FP4(op)                                                         \
	SIMD_DEF_FP(simd_##op##ps, #op "ps", 16)                        \
	SIMD_DEF_FP(simd_##op##pd, #op "pd", 16)                        \
	SIMD_DEF_FP(simd_##op##ss, #op "ss", 4)                         \
	SIMD_DEF_FP(simd_##op##sd, #op "sd", 8)
#define FP4U(op, k)                                                     \
	SIMD_DEF_FP_U(simd_##op##ps, #op "ps", 16, SHAPE_PS | (k))      \
	SIMD_DEF_FP_U(simd_##op##pd, #op "pd", 16, SHAPE_PD | (k))      \
	SIMD_DEF_FP_U(simd_##op##ss, #op "ss", 4, SHAPE_SS | (k))       \
	SIMD_DEF_FP_U(simd_##op##sd, #op "sd", 8, SHAPE_SD | (k))

FP4U(add, OPK_ADD)
FP4U(sub, OPK_SUB)
FP4U(mul, OPK_MUL)
FP4U(div, OPK_DIV)
FP4(min)
FP4(max)
FP4(sqrt)
SIMD_DEF_FP(simd_rsqrtps, "rsqrtps", 16)
SIMD_DEF_FP(simd_rsqrtss, "rsqrtss", 4)
SIMD_DEF_FP(simd_rcpps, "rcpps", 16)
SIMD_DEF_FP(simd_rcpss, "rcpss", 4)

/* bitwise: never raise anything */
SIMD_DEF_INT(simd_andps, "andps")
SIMD_DEF_INT(simd_andnps, "andnps")
SIMD_DEF_INT(simd_orps, "orps")
SIMD_DEF_INT(simd_xorps, "xorps")

/* CMPccPS/PD/SS/SD: legacy encodings use only imm8[2:0]. */
#define CMP_CASE(insn, k)                                         \
	case k:                                                   \
		SIMD_HOST_FP_IMM(insn, k, &d, &s, mx);            \
		break;
#define SIMD_DEF_CMP(fn, insn, size)                              \
	int fn(struct fpu_state *f, struct simd_insn *in)         \
	{                                                         \
		v128 d, s;                                        \
		simd_src(f, in, &s, size);                        \
		memcpy(d.b, f->xmm[in->reg & 15], 16);            \
		uint32_t mx = simd_host_mxcsr(f);                 \
		switch (in->imm8 & 7) {                           \
			CMP_CASE(insn, 0) CMP_CASE(insn, 1)       \
			CMP_CASE(insn, 2) CMP_CASE(insn, 3)       \
			CMP_CASE(insn, 4) CMP_CASE(insn, 5)       \
			CMP_CASE(insn, 6) CMP_CASE(insn, 7)       \
		}                                                 \
		return simd_fp_commit(f, in->reg, &d, mx);        \
	}

SIMD_DEF_CMP(simd_cmpps, "cmpps", 16)
SIMD_DEF_CMP(simd_cmppd, "cmppd", 16)
SIMD_DEF_CMP(simd_cmpss, "cmpss", 4)
SIMD_DEF_CMP(simd_cmpsd, "cmpsd", 8)

/* (U)COMISS/SD: ZF/PF/CF from the compare, OF/SF/AF cleared. */
#define SIMD_DEF_COMI(fn, insn, size)                                                 \
	int fn(struct fpu_state *f, struct simd_insn *in)                             \
	{                                                                             \
		v128 d, s;                                                            \
		simd_src(f, in, &s, size);                                            \
		memcpy(d.b, f->xmm[in->reg & 15], 16);                                \
		uint32_t mx = simd_host_mxcsr(f), host_mx;                            \
		uint8_t zf, pf, cf;                                                   \
		asm volatile("stmxcsr %[h]\n\tldmxcsr %[m]\n\t"                       \
			     "movdqa %[d], %%xmm0\n\tmovdqa %[s], %%xmm1\n\t"         \
			     insn " %%xmm1, %%xmm0\n\t"                               \
			     "setz %[zf]\n\tsetp %[pf]\n\tsetc %[cf]\n\t"             \
			     "stmxcsr %[m]\n\tldmxcsr %[h]"                           \
			     : [m] "+m"(mx), [h] "=m"(host_mx), [zf] "=q"(zf),        \
			       [pf] "=q"(pf), [cf] "=q"(cf)                           \
			     : [d] "m"(d), [s] "m"(s)                                 \
			     : "xmm0", "xmm1", "cc");                                 \
		int vec = simd_fp_check(f, mx);                                       \
		if (vec)                                                              \
			return vec;                                                   \
		uint64_t fl = *in->rflags & ~(uint64_t)(RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | \
						       RFLAGS_ZF | RFLAGS_SF | RFLAGS_OF); \
		*in->rflags = fl | (zf ? RFLAGS_ZF : 0) | (pf ? RFLAGS_PF : 0) |      \
			      (cf ? RFLAGS_CF : 0);                                   \
		return 0;                                                             \
	}

SIMD_DEF_COMI(simd_comiss, "comiss", 4)
SIMD_DEF_COMI(simd_ucomiss, "ucomiss", 4)
SIMD_DEF_COMI(simd_comisd, "comisd", 8)
SIMD_DEF_COMI(simd_ucomisd, "ucomisd", 8)
