/* simd_lookup(): (prefix, map, opcode, modrm) -> op descriptor, for the SSE
 * and SSE2 instructions in map 1 (0F xx). MMX register forms (no prefix on
 * 0F 60-7F/D0-FF, CVTPI2PS...), SSE3+ and maps 2/3 are not advertised: #UD.
 * Not ours (NULL here, the core's): 0F AE register forms (fences), MOVNTI
 * (0F C3), prefetch/hint space. MASKMOVDQU (66 0F F7) is #UD for now: it
 * writes memory at DS:rDI, which this interface has no buffer for. */
#include "vmm/emu/fpu_int.h"
#include "vmm/emu/simd_ops.h"

enum { P0, P66, PF3, PF2 };
enum { ANY = 0, REG_ONLY, MEM_ONLY };

struct simd_ent {
	struct simd_op op;
	uint8_t form;
};

#define R SIMD_READ
#define W SIMD_WRITE
#define RW (SIMD_READ | SIMD_WRITE)
#define A SIMD_ALIGN16
#define E(size, flags, fn) { { size, flags, fn }, ANY }
#define EREG(fn) { { 0, 0, fn }, REG_ONLY }
#define EMEM(size, flags, fn) { { size, flags, fn }, MEM_ONLY }
/* packed-single, packed-double, scalar-single, scalar-double of one operation */
#define FP4(op) { [P0] = E(16, R | A, simd_##op##ps), [P66] = E(16, R | A, simd_##op##pd), \
		  [PF3] = E(4, R, simd_##op##ss), [PF2] = E(8, R, simd_##op##sd) }
#define INT66(fn) { [P66] = E(16, R | A, fn) }

static const struct simd_ent map1[256][4] = {
	[0x10] = { [P0] = E(16, R, simd_load128), [P66] = E(16, R, simd_load128),
		   [PF3] = E(4, R, simd_movss_load), [PF2] = E(8, R, simd_movsd_load) },
	[0x11] = { [P0] = E(16, W, simd_store128), [P66] = E(16, W, simd_store128),
		   [PF3] = E(4, W, simd_movss_store), [PF2] = E(8, W, simd_movsd_store) },
	[0x12] = { [P0] = E(8, R, simd_movlps_load), [P66] = EMEM(8, R, simd_movlps_load) },
	[0x13] = { [P0] = EMEM(8, W, simd_movlps_store), [P66] = EMEM(8, W, simd_movlps_store) },
	[0x14] = { [P0] = E(16, R | A, simd_unpcklps), [P66] = E(16, R | A, simd_unpcklpd) },
	[0x15] = { [P0] = E(16, R | A, simd_unpckhps), [P66] = E(16, R | A, simd_unpckhpd) },
	[0x16] = { [P0] = E(8, R, simd_movhps_load), [P66] = EMEM(8, R, simd_movhps_load) },
	[0x17] = { [P0] = EMEM(8, W, simd_movhps_store), [P66] = EMEM(8, W, simd_movhps_store) },
	[0x28] = { [P0] = E(16, R | A, simd_load128), [P66] = E(16, R | A, simd_load128) },
	[0x29] = { [P0] = E(16, W | A, simd_store128), [P66] = E(16, W | A, simd_store128) },
	[0x2a] = { [PF3] = E(4, R | SIMD_MEM_W, simd_cvtsi2ss), [PF2] = E(4, R | SIMD_MEM_W, simd_cvtsi2sd) },
	[0x2b] = { [P0] = EMEM(16, W | A, simd_store128), [P66] = EMEM(16, W | A, simd_store128) },
	[0x2c] = { [PF3] = E(4, R, simd_cvttss2si), [PF2] = E(8, R, simd_cvttsd2si) },
	[0x2d] = { [PF3] = E(4, R, simd_cvtss2si), [PF2] = E(8, R, simd_cvtsd2si) },
	[0x2e] = { [P0] = E(4, R, simd_ucomiss), [P66] = E(8, R, simd_ucomisd) },
	[0x2f] = { [P0] = E(4, R, simd_comiss), [P66] = E(8, R, simd_comisd) },
	[0x50] = { [P0] = EREG(simd_movmskps), [P66] = EREG(simd_movmskpd) },
	[0x51] = FP4(sqrt),
	[0x52] = { [P0] = E(16, R | A, simd_rsqrtps), [PF3] = E(4, R, simd_rsqrtss) },
	[0x53] = { [P0] = E(16, R | A, simd_rcpps), [PF3] = E(4, R, simd_rcpss) },
	[0x54] = { [P0] = E(16, R | A, simd_andps), [P66] = E(16, R | A, simd_andps) },
	[0x55] = { [P0] = E(16, R | A, simd_andnps), [P66] = E(16, R | A, simd_andnps) },
	[0x56] = { [P0] = E(16, R | A, simd_orps), [P66] = E(16, R | A, simd_orps) },
	[0x57] = { [P0] = E(16, R | A, simd_xorps), [P66] = E(16, R | A, simd_xorps) },
	[0x58] = FP4(add),
	[0x59] = FP4(mul),
	[0x5a] = { [P0] = E(8, R, simd_cvtps2pd), [P66] = E(16, R | A, simd_cvtpd2ps),
		   [PF3] = E(4, R, simd_cvtss2sd), [PF2] = E(8, R, simd_cvtsd2ss) },
	[0x5b] = { [P0] = E(16, R | A, simd_cvtdq2ps), [P66] = E(16, R | A, simd_cvtps2dq),
		   [PF3] = E(16, R | A, simd_cvttps2dq) },
	[0x5c] = FP4(sub),
	[0x5d] = FP4(min),
	[0x5e] = FP4(div),
	[0x5f] = FP4(max),
	[0x60] = INT66(simd_punpcklbw), [0x61] = INT66(simd_punpcklwd), [0x62] = INT66(simd_punpckldq),
	[0x63] = INT66(simd_packsswb), [0x64] = INT66(simd_pcmpgtb), [0x65] = INT66(simd_pcmpgtw),
	[0x66] = INT66(simd_pcmpgtd), [0x67] = INT66(simd_packuswb), [0x68] = INT66(simd_punpckhbw),
	[0x69] = INT66(simd_punpckhwd), [0x6a] = INT66(simd_punpckhdq), [0x6b] = INT66(simd_packssdw),
	[0x6c] = INT66(simd_punpcklqdq), [0x6d] = INT66(simd_punpckhqdq),
	[0x6e] = { [P66] = E(4, R | SIMD_MEM_W, simd_movd_to_xmm) },
	[0x6f] = { [P66] = E(16, R | A, simd_load128), [PF3] = E(16, R, simd_load128) },
	[0x70] = { [P66] = E(16, R | A, simd_pshufd), [PF3] = E(16, R | A, simd_pshufhw),
		   [PF2] = E(16, R | A, simd_pshuflw) },
	/* 0x71-0x73: groups, resolved in simd_lookup() */
	[0x74] = INT66(simd_pcmpeqb), [0x75] = INT66(simd_pcmpeqw), [0x76] = INT66(simd_pcmpeqd),
	[0x7e] = { [P66] = E(4, W | SIMD_MEM_W, simd_movd_from_xmm), [PF3] = E(8, R, simd_movq_load) },
	[0x7f] = { [P66] = E(16, W | A, simd_store128), [PF3] = E(16, W, simd_store128) },
	[0xc2] = FP4(cmp),
	[0xc4] = { [P66] = E(2, R, simd_pinsrw) },
	[0xc5] = { [P66] = EREG(simd_pextrw) },
	[0xc6] = { [P0] = E(16, R | A, simd_shufps), [P66] = E(16, R | A, simd_shufpd) },
	[0xd1] = INT66(simd_psrlw), [0xd2] = INT66(simd_psrld), [0xd3] = INT66(simd_psrlq),
	[0xd4] = INT66(simd_paddq), [0xd5] = INT66(simd_pmullw),
	[0xd6] = { [P66] = E(8, W, simd_movq_store) },
	[0xd7] = { [P66] = EREG(simd_pmovmskb) },
	[0xd8] = INT66(simd_psubusb), [0xd9] = INT66(simd_psubusw), [0xda] = INT66(simd_pminub),
	[0xdb] = INT66(simd_pand), [0xdc] = INT66(simd_paddusb), [0xdd] = INT66(simd_paddusw),
	[0xde] = INT66(simd_pmaxub), [0xdf] = INT66(simd_pandn),
	[0xe0] = INT66(simd_pavgb), [0xe1] = INT66(simd_psraw), [0xe2] = INT66(simd_psrad),
	[0xe3] = INT66(simd_pavgw), [0xe4] = INT66(simd_pmulhuw), [0xe5] = INT66(simd_pmulhw),
	[0xe6] = { [P66] = E(16, R | A, simd_cvttpd2dq), [PF2] = E(16, R | A, simd_cvtpd2dq),
		   [PF3] = E(8, R, simd_cvtdq2pd) },
	[0xe7] = { [P66] = EMEM(16, W | A, simd_store128) },
	[0xe8] = INT66(simd_psubsb), [0xe9] = INT66(simd_psubsw), [0xea] = INT66(simd_pminsw),
	[0xeb] = INT66(simd_por), [0xec] = INT66(simd_paddsb), [0xed] = INT66(simd_paddsw),
	[0xee] = INT66(simd_pmaxsw), [0xef] = INT66(simd_pxor),
	[0xf1] = INT66(simd_psllw), [0xf2] = INT66(simd_pslld), [0xf3] = INT66(simd_psllq),
	[0xf4] = INT66(simd_pmuludq), [0xf5] = INT66(simd_pmaddwd), [0xf6] = INT66(simd_psadbw),
	[0xf8] = INT66(simd_psubb), [0xf9] = INT66(simd_psubw), [0xfa] = INT66(simd_psubd),
	[0xfb] = INT66(simd_psubq), [0xfc] = INT66(simd_paddb), [0xfd] = INT66(simd_paddw),
	[0xfe] = INT66(simd_paddd),
};

/* 66 0F 71/72/73 /digit ib (register forms only) */
static const struct simd_op shift_imm[3][8] = {
	[0] = { [2] = { 0, 0, simd_psrlw_imm }, [4] = { 0, 0, simd_psraw_imm }, [6] = { 0, 0, simd_psllw_imm } },
	[1] = { [2] = { 0, 0, simd_psrld_imm }, [4] = { 0, 0, simd_psrad_imm }, [6] = { 0, 0, simd_pslld_imm } },
	[2] = { [2] = { 0, 0, simd_psrlq_imm }, [3] = { 0, 0, simd_psrldq },
		[6] = { 0, 0, simd_psllq_imm }, [7] = { 0, 0, simd_pslldq } },
};

static const struct simd_op op_fxsave = { 512, RW | A, simd_fxsave };
static const struct simd_op op_fxrstor = { 512, R | A, simd_fxrstor };
static const struct simd_op op_ldmxcsr = { 4, R, simd_ldmxcsr };
static const struct simd_op op_stmxcsr = { 4, W, simd_stmxcsr };

unsigned simd_mem_size(const struct simd_op *op, const struct simd_insn *in)
{
	if ((op->flags & SIMD_MEM_W) && in->rex_w)
		return 8;
	return op->mem_size;
}

const struct simd_op *simd_lookup(uint8_t prefix, uint8_t map, uint8_t opcode, uint8_t modrm)
{
	bool is_reg = (modrm >> 6) == 3;
	unsigned regf = (modrm >> 3) & 7;
	unsigned p;
	switch (prefix) {
	case 0: p = P0; break;
	case 0x66: p = P66; break;
	case 0xf3: p = PF3; break;
	case 0xf2: p = PF2; break;
	default: return NULL;
	}
	if (map != 1)
		return NULL;
	if (opcode == 0xae) {
		if (p != P0 || is_reg)
			return NULL;  /* fences (mod=3) and the F3 forms are the core's */
		switch (regf) {
		case 0: return &op_fxsave;
		case 1: return &op_fxrstor;
		case 2: return &op_ldmxcsr;
		case 3: return &op_stmxcsr;
		default: return NULL;
		}
	}
	if (opcode >= 0x71 && opcode <= 0x73) {
		if (p != P66 || !is_reg)
			return NULL;
		const struct simd_op *op = &shift_imm[opcode - 0x71][regf];
		return op->exec ? op : NULL;
	}
	const struct simd_ent *e = &map1[opcode][p];
	if (!e->op.exec)
		return NULL;
	if ((e->form == REG_ONLY && !is_reg) || (e->form == MEM_ONLY && is_reg))
		return NULL;
	return &e->op;
}
