/* The decoder: prefixes, REX, opcode maps (1-byte, 0F, 0F38, 0F3A), ModRM,
 * SIB, displacement and immediates, into a struct insn whose handler is
 * chosen here once (groups resolved by ModRM.reg), so execution does no
 * decoding at all. */
#include "vmm/emu/ops.h"

/* opcode attributes */
enum {
	M = 1 << 0,      /* ModRM follows */
	B = 1 << 1,      /* byte operands */
	I8 = 1 << 2,     /* imm8, sign-extended */
	U8 = 1 << 3,     /* imm8, zero-extended */
	IZ = 1 << 4,     /* imm16/32 (sign-extended to 64) */
	IV = 1 << 5,     /* imm16/32/64 (MOV r, imm) */
	I16 = 1 << 6,    /* imm16 */
	D64 = 1 << 7,    /* default 64-bit operand in long mode */
	F64 = 1 << 8,    /* forced 64-bit operand in long mode (near branches) */
	I64 = 1 << 9,    /* invalid in 64-bit mode */
	LK = 1 << 10,    /* LOCK allowed (memory destination) */
	RMB = 1 << 11,   /* r/m is a byte, reg is not */
	SPEC = 1 << 12,  /* immediates decided by special code */
	GRP = 1 << 13,   /* handler chosen by ModRM.reg */
	SIMD = 1 << 14,  /* handled by the SSE unit */
	REGOP = 1 << 15, /* register in opcode bits 2:0 */
};
/* ModRM.mod is ignored (always a register): MOV CR/DR */
#define MREG_OP(map, op) ((map) == 1 && (op) >= 0x20 && (op) <= 0x23)

struct opdesc {
	uint16_t f;
	uint8_t grp;
	insn_fn *fn;
};

enum { G_NONE, G1, G1B, G2, G3, G4, G5, G6, G7, G8, G9, G11, G15, G8F, G_MAX };

#define D(fl, h) { (fl), 0, (h) }
#define DG(fl, g) { (fl) | GRP, (g), NULL }

#define ALU(o) [o] = D(M | B | LK, op_alu_rm_r), [o + 1] = D(M | LK, op_alu_rm_r), \
	[o + 2] = D(M | B, op_alu_r_rm), [o + 3] = D(M, op_alu_r_rm), \
	[o + 4] = D(B | U8, op_alu_acc_imm), [o + 5] = D(IZ, op_alu_acc_imm)

static const struct opdesc map0[256] = {
	ALU(0x00), ALU(0x08), ALU(0x10), ALU(0x18), ALU(0x20), ALU(0x28), ALU(0x30), ALU(0x38),
	[0x06] = D(I64, op_push_seg), [0x07] = D(I64, op_pop_seg),
	[0x0e] = D(I64, op_push_seg),
	[0x16] = D(I64, op_push_seg), [0x17] = D(I64, op_pop_seg),
	[0x1e] = D(I64, op_push_seg), [0x1f] = D(I64, op_pop_seg),
	[0x27] = D(I64, op_daa), [0x2f] = D(I64, op_das), [0x37] = D(I64, op_aaa), [0x3f] = D(I64, op_aas),
	[0x40 ... 0x47] = D(REGOP, op_inc_r), [0x48 ... 0x4f] = D(REGOP, op_dec_r),
	[0x50 ... 0x57] = D(REGOP | D64, op_push_r), [0x58 ... 0x5f] = D(REGOP | D64, op_pop_r),
	[0x60] = D(I64, op_pusha), [0x61] = D(I64, op_popa),
	[0x63] = D(M, op_movsxd),
	[0x68] = D(IZ | D64, op_push_imm), [0x69] = D(M | IZ, op_imul_r_rm_imm),
	[0x6a] = D(I8 | D64, op_push_imm), [0x6b] = D(M | I8, op_imul_r_rm_imm),
	[0x6c] = D(B, op_ins), [0x6d] = D(0, op_ins), [0x6e] = D(B, op_outs), [0x6f] = D(0, op_outs),
	[0x70 ... 0x7f] = D(I8 | F64, op_jcc),
	[0x80] = DG(M | B | U8 | LK, G1), [0x81] = DG(M | IZ | LK, G1), [0x82] = DG(M | B | U8 | LK | I64, G1),
	[0x83] = DG(M | I8 | LK, G1),
	[0x84] = D(M | B, op_test_rm_r), [0x85] = D(M, op_test_rm_r),
	[0x86] = D(M | B | LK, op_xchg_rm_r), [0x87] = D(M | LK, op_xchg_rm_r),
	[0x88] = D(M | B, op_mov_rm_r), [0x89] = D(M, op_mov_rm_r),
	[0x8a] = D(M | B, op_mov_r_rm), [0x8b] = D(M, op_mov_r_rm),
	[0x8c] = D(M, op_mov_rm_seg), [0x8d] = D(M, op_lea), [0x8e] = D(M, op_mov_seg_rm),
	[0x8f] = DG(M | D64, G8F),
	[0x90 ... 0x97] = D(REGOP, op_xchg_ax_r),
	[0x98] = D(0, op_cbw), [0x99] = D(0, op_cwd), [0x9a] = D(I64 | SPEC, op_callf_ptr),
	[0x9b] = D(0, op_wait), [0x9c] = D(D64, op_pushf), [0x9d] = D(D64, op_popf),
	[0x9e] = D(0, op_sahf), [0x9f] = D(0, op_lahf),
	[0xa0] = D(B | SPEC, op_mov_moffs), [0xa1] = D(SPEC, op_mov_moffs),
	[0xa2] = D(B | SPEC, op_mov_moffs), [0xa3] = D(SPEC, op_mov_moffs),
	[0xa4] = D(B, op_movs), [0xa5] = D(0, op_movs), [0xa6] = D(B, op_cmps), [0xa7] = D(0, op_cmps),
	[0xa8] = D(B | U8, op_test_acc_imm), [0xa9] = D(IZ, op_test_acc_imm),
	[0xaa] = D(B, op_stos), [0xab] = D(0, op_stos), [0xac] = D(B, op_lods), [0xad] = D(0, op_lods),
	[0xae] = D(B, op_scas), [0xaf] = D(0, op_scas),
	[0xb0 ... 0xb7] = D(B | U8 | REGOP, op_mov_r_imm), [0xb8 ... 0xbf] = D(IV | REGOP, op_mov_r_imm),
	[0xc0] = DG(M | B | U8, G2), [0xc1] = DG(M | U8, G2),
	[0xc2] = D(I16 | F64, op_ret), [0xc3] = D(F64, op_ret),
	[0xc4] = D(M | I64, op_lxs), [0xc5] = D(M | I64, op_lxs),
	[0xc6] = DG(M | B | U8, G11), [0xc7] = DG(M | IZ, G11),
	[0xc8] = D(SPEC | D64, op_enter), [0xc9] = D(D64, op_leave),
	[0xca] = D(I16, op_retf), [0xcb] = D(0, op_retf),
	[0xcc] = D(0, op_int3), [0xcd] = D(U8, op_int), [0xce] = D(I64, op_into), [0xcf] = D(0, op_iret),
	[0xd0] = DG(M | B, G2), [0xd1] = DG(M, G2), [0xd2] = DG(M | B, G2), [0xd3] = DG(M, G2),
	[0xd4] = D(U8 | I64, op_aam), [0xd5] = D(U8 | I64, op_aad), [0xd6] = D(I64, op_salc),
	[0xd7] = D(0, op_xlat),
	[0xd8 ... 0xdf] = D(M, op_x87),
	[0xe0 ... 0xe2] = D(I8 | F64, op_loop), [0xe3] = D(I8 | F64, op_jcxz),
	[0xe4] = D(B | U8, op_in), [0xe5] = D(U8, op_in), [0xe6] = D(B | U8, op_out), [0xe7] = D(U8, op_out),
	[0xe8] = D(IZ | F64, op_call_rel), [0xe9] = D(IZ | F64, op_jmp_rel),
	[0xea] = D(I64 | SPEC, op_jmpf_ptr), [0xeb] = D(I8 | F64, op_jmp_rel),
	[0xec] = D(B, op_in), [0xed] = D(0, op_in), [0xee] = D(B, op_out), [0xef] = D(0, op_out),
	[0xf1] = D(0, op_int1), [0xf4] = D(0, op_hlt), [0xf5] = D(0, op_flagop),
	[0xf6] = DG(M | B | LK, G3), [0xf7] = DG(M | LK, G3),
	[0xf8 ... 0xf9] = D(0, op_flagop), [0xfa] = D(0, op_cli), [0xfb] = D(0, op_sti),
	[0xfc ... 0xfd] = D(0, op_flagop),
	[0xfe] = DG(M | B | LK, G4), [0xff] = DG(M | LK, G5),
};

static const struct opdesc map1[256] = {
	[0x00] = DG(M, G6), [0x01] = DG(M, G7), [0x02] = D(M, op_lar), [0x03] = D(M, op_lsl),
	[0x05] = D(0, op_syscall), [0x06] = D(0, op_clts), [0x07] = D(0, op_sysret),
	[0x08] = D(0, op_wbinvd), [0x09] = D(0, op_wbinvd), [0x0b] = D(0, NULL),
	[0x0d] = D(M, op_nop),
	[0x10 ... 0x17] = D(M | SIMD, op_simd),
	[0x18 ... 0x1f] = D(M, op_nop),
	[0x20] = D(M, op_mov_cr), [0x21] = D(M, op_mov_dr), [0x22] = D(M, op_mov_cr), [0x23] = D(M, op_mov_dr),
	[0x28 ... 0x2f] = D(M | SIMD, op_simd),
	[0x30] = D(0, op_wrmsr), [0x31] = D(0, op_rdtsc), [0x32] = D(0, op_rdmsr),
	[0x40 ... 0x4f] = D(M, op_cmovcc),
	[0x50 ... 0x6f] = D(M | SIMD, op_simd),
	[0x70 ... 0x73] = D(M | SIMD | U8, op_simd),
	[0x74 ... 0x76] = D(M | SIMD, op_simd),
	[0x7c ... 0x7f] = D(M | SIMD, op_simd),
	[0x80 ... 0x8f] = D(IZ | F64, op_jcc),
	[0x90 ... 0x9f] = D(M | B, op_setcc),
	[0xa0] = D(D64, op_push_seg), [0xa1] = D(D64, op_pop_seg), [0xa2] = D(0, op_cpuid),
	[0xa3] = D(M, op_bt_rm_r), [0xa4] = D(M | U8, op_shld), [0xa5] = D(M, op_shld),
	[0xa8] = D(D64, op_push_seg), [0xa9] = D(D64, op_pop_seg),
	[0xab] = D(M | LK, op_bt_rm_r), [0xac] = D(M | U8, op_shrd), [0xad] = D(M, op_shrd),
	[0xae] = DG(M, G15), [0xaf] = D(M, op_imul_r_rm),
	[0xb0] = D(M | B | LK, op_cmpxchg), [0xb1] = D(M | LK, op_cmpxchg),
	[0xb2] = D(M, op_lxs), [0xb3] = D(M | LK, op_bt_rm_r), [0xb4] = D(M, op_lxs), [0xb5] = D(M, op_lxs),
	[0xb6] = D(M | RMB, op_movzx), [0xb7] = D(M, op_movzx),
	[0xb9] = D(M, NULL), [0xba] = DG(M | U8 | LK, G8), [0xbb] = D(M | LK, op_bt_rm_r),
	[0xbc] = D(M, op_bsf), [0xbd] = D(M, op_bsr),
	[0xbe] = D(M | RMB, op_movsx), [0xbf] = D(M, op_movsx),
	[0xc0] = D(M | B | LK, op_xadd), [0xc1] = D(M | LK, op_xadd),
	[0xc2] = D(M | SIMD | U8, op_simd), [0xc3] = D(M, op_movnti),
	[0xc4 ... 0xc6] = D(M | SIMD | U8, op_simd),
	[0xc7] = DG(M | LK, G9),
	[0xc8 ... 0xcf] = D(REGOP, op_bswap),
	[0xd0 ... 0xfe] = D(M | SIMD, op_simd),
	[0xff] = D(M, NULL),
};

static insn_fn *const grp_fn[G_MAX][8] = {
	[G1] = {op_grp1, op_grp1, op_grp1, op_grp1, op_grp1, op_grp1, op_grp1, op_grp1},
	[G2] = {op_shift, op_shift, op_shift, op_shift, op_shift, op_shift, op_shift, op_shift},
	[G3] = {op_test_rm_imm, op_test_rm_imm, op_not, op_neg, op_mul, op_imul1, op_div, op_idiv},
	[G4] = {op_inc_rm, op_dec_rm},
	[G5] = {op_inc_rm, op_dec_rm, op_call_rm, op_callf_m, op_jmp_rm, op_jmpf_m, op_push_rm, NULL},
	[G6] = {op_sldt, op_str, op_lldt, op_ltr, op_verr, op_verw, NULL, NULL},
	[G7] = {op_sgdt, op_sidt, op_lgdt, op_lidt, op_smsw, NULL, op_lmsw, op_invlpg},
	[G8] = {NULL, NULL, NULL, NULL, op_bt_rm_imm, op_bt_rm_imm, op_bt_rm_imm, op_bt_rm_imm},
	[G9] = {NULL, op_cmpxchg8b16b, NULL, NULL, NULL, NULL, NULL, NULL},
	[G11] = {op_mov_rm_imm},
	[G8F] = {op_pop_rm},
};

/* which group members accept LOCK */
static const uint8_t grp_lock[G_MAX] = {
	[G1] = 0x7f, [G3] = 0x0c, [G4] = 0x03, [G5] = 0x03, [G8] = 0xe0, [G9] = 0x02,
};

struct cursor {
	const uint8_t *b;
	unsigned n, avail;
	bool short_;
};

static inline uint64_t take(struct cursor *cu, unsigned sz)
{
	if (cu->n + sz > cu->avail) {
		cu->short_ = true;
		cu->n += sz;
		return 0;
	}
	uint64_t v = 0;
	memcpy(&v, cu->b + cu->n, sz);
	cu->n += sz;
	return v;
}

static void decode_modrm(struct insn *i, struct cursor *cu, unsigned rex, int seg_override, bool long64,
			 bool force_reg)
{
	uint8_t modrm = (uint8_t)take(cu, 1);
	i->modrm = modrm;
	i->mod = force_reg ? 3 : modrm >> 6;
	i->reg = ((modrm >> 3) & 7) | ((rex & 4) << 1);
	unsigned rm = modrm & 7;
	i->base = i->index = EA_NONE;
	i->scale = 0;
	i->disp = 0;
	unsigned dseg = S_DS;
	if (i->mod == 3) {
		i->rm = rm | ((rex & 1) << 3);
		i->seg = seg_override >= 0 ? seg_override : S_DS;
		return;
	}
	i->rm = rm;
	if (i->asz == 2) {
		static const uint8_t b16[8] = {R_BX, R_BX, R_BP, R_BP, R_SI, R_DI, R_BP, R_BX};
		static const uint8_t x16[8] = {R_SI, R_DI, R_SI, R_DI, EA_NONE, EA_NONE, EA_NONE, EA_NONE};
		if (i->mod == 0 && rm == 6) {
			i->disp = (int16_t)take(cu, 2);
		} else {
			i->base = b16[rm];
			i->index = x16[rm];
			if (rm == 2 || rm == 3 || rm == 6)
				dseg = S_SS;
			if (i->mod == 1)
				i->disp = (int8_t)take(cu, 1);
			else if (i->mod == 2)
				i->disp = (int16_t)take(cu, 2);
		}
	} else {
		if (rm == 4) {
			uint8_t sib = (uint8_t)take(cu, 1);
			unsigned base = sib & 7, idx = ((sib >> 3) & 7) | ((rex & 2) << 2);
			i->scale = sib >> 6;
			if (idx != 4)
				i->index = idx;
			if (base == 5 && i->mod == 0) {
				i->disp = (int32_t)take(cu, 4);
			} else {
				i->base = base | ((rex & 1) << 3);
				if (base == 4 || base == 5)
					dseg = S_SS;
			}
		} else if (rm == 5 && i->mod == 0) {
			i->disp = (int32_t)take(cu, 4);
			if (long64)
				i->base = EA_RIP;
		} else {
			i->base = rm | ((rex & 1) << 3);
			if (rm == 5)
				dseg = S_SS;
		}
		if (i->mod == 1)
			i->disp = (int8_t)take(cu, 1);
		else if (i->mod == 2)
			i->disp = (int32_t)take(cu, 4);
	}
	i->seg = (uint8_t)(seg_override >= 0 ? (unsigned)seg_override : dseg);
}

/* MOV r, r/m as a register move: the rr handlers copy reg -> rm. */
static void swap_reg_rm(struct insn *i)
{
	uint8_t t = i->reg;
	i->reg = i->rm;
	i->rm = t;
}

int emu_decode(struct insn *i, const uint8_t *bytes, unsigned avail, unsigned code_size)
{
	struct cursor cu = {bytes, 0, avail, false};
	int seg_override = -1;
	unsigned rex = 0, rep = 0, lock = 0;
	bool p66 = false, p67 = false;
	uint8_t last_sse = 0;
	uint8_t op;
	bool long64 = code_size == 8;

	memset(i, 0, sizeof(*i));
	for (;;) {
		if (cu.n >= INSN_MAX_LEN)
			return cu.n >= avail ? 0 : -2;
		op = (uint8_t)take(&cu, 1);
		if (cu.short_)
			return 0;
		switch (op) {
		case 0x26: seg_override = S_ES; rex = 0; continue;
		case 0x2e: seg_override = S_CS; rex = 0; continue;
		case 0x36: seg_override = S_SS; rex = 0; continue;
		case 0x3e: seg_override = S_DS; rex = 0; continue;
		case 0x64: seg_override = S_FS; rex = 0; continue;
		case 0x65: seg_override = S_GS; rex = 0; continue;
		case 0x66: p66 = true; if (!last_sse) last_sse = 0x66; rex = 0; continue;
		case 0x67: p67 = true; rex = 0; continue;
		case 0xf0: lock = 1; rex = 0; continue;
		case 0xf2: case 0xf3: rep = op; last_sse = op; rex = 0; continue;
		default: break;
		}
		if (long64 && (op & 0xf0) == 0x40) {
			rex = op;
			continue;
		}
		break;
	}
	if (long64 && seg_override >= 0 && seg_override < S_FS)
		seg_override = -1;  /* ES/CS/SS/DS overrides are ignored in 64-bit mode */
	const struct opdesc *d;
	unsigned map = 0;
	if (op == 0x0f) {
		op = (uint8_t)take(&cu, 1);
		if (cu.short_)
			return 0;
		if (op == 0x38 || op == 0x3a) {
			map = op == 0x38 ? 2 : 3;
			op = (uint8_t)take(&cu, 1);
			if (cu.short_)
				return 0;
			static const struct opdesc simd_m = D(M | SIMD, op_simd), simd_mi = D(M | SIMD | U8, op_simd);
			d = map == 2 ? &simd_m : &simd_mi;
		} else {
			map = 1;
			d = &map1[op];
		}
	} else {
		d = &map0[op];
	}
	unsigned f = d->f;
	i->opcode = op;
	i->map = (uint8_t)map;
	i->rex = (uint8_t)rex;
	i->rep = (uint8_t)rep;
	i->lock = (uint8_t)lock;
	i->pfx66 = p66;
	i->sse_pfx = (rep ? (uint8_t)rep : (p66 ? 0x66 : 0));
	(void)last_sse;

	/* operand and address size */
	unsigned osz;
	if (long64) {
		if (f & F64)
			osz = 8;
		else if (rex & 8)
			osz = 8;
		else if (p66)
			osz = 2;
		else
			osz = (f & D64) ? 8 : 4;
		i->asz = p67 ? 4 : 8;
	} else {
		osz = (code_size == 4) ^ p66 ? 4 : 2;
		i->asz = (code_size == 4) ^ p67 ? 4 : 2;
	}
	i->osz = (f & B) ? 1 : (uint8_t)osz;
	i->seg = seg_override >= 0 ? (uint8_t)seg_override : S_DS;
	i->base = i->index = EA_NONE;

	if (f & M) {
		decode_modrm(i, &cu, rex, seg_override, long64, MREG_OP(map, op));
		if (cu.short_)
			return 0;
		/* 8-bit registers without REX: 4..7 are AH, CH, DH, BH */
		if (!rex && (f & B) && !(f & GRP) && i->reg >= 4 && i->reg < 8)
			i->reg += 12;
		if (!rex && (f & (B | RMB)) && i->mod == 3 && i->rm >= 4 && i->rm < 8)
			i->rm += 12;
	} else if (f & REGOP) {
		i->mod = 3;
		i->rm = (op & 7) | ((rex & 1) << 3);
		if (!rex && (f & B) && i->rm >= 4)
			i->rm += 12;
		i->reg = i->rm;
	}

	/* immediates */
	if (f & I8)
		i->imm = (uint64_t)(int64_t)(int8_t)take(&cu, 1);
	else if (f & U8)
		i->imm = take(&cu, 1);
	else if (f & I16)
		i->imm = take(&cu, 2);
	else if (f & IZ)
		i->imm = i->osz == 2 ? (uint64_t)(int64_t)(int16_t)take(&cu, 2) : (uint64_t)(int64_t)(int32_t)take(&cu, 4);
	else if (f & IV)
		i->imm = i->osz == 2 ? take(&cu, 2) : i->osz == 4 ? take(&cu, 4) : take(&cu, 8);
	if (f & SPEC) {
		if (op == 0xc8) {               /* ENTER imm16, imm8 */
			i->imm = take(&cu, 2);
			i->imm2 = (uint32_t)take(&cu, 1);
		} else if (op >= 0xa0 && op <= 0xa3) {  /* moffs */
			i->imm = take(&cu, i->asz);
		} else {                        /* far pointer: offset, selector */
			i->imm = take(&cu, i->osz == 2 ? 2 : 4);
			i->imm2 = (uint32_t)take(&cu, 2);
		}
	}
	/* group 3 TEST takes an immediate */
	if (d->grp == G3 && (i->reg & 7) < 2)
		i->imm = i->osz == 1 ? take(&cu, 1)
				     : i->osz == 2 ? (uint64_t)(int64_t)(int16_t)take(&cu, 2)
						   : (uint64_t)(int64_t)(int32_t)take(&cu, 4);
	if (cu.short_)
		return 0;
	if (cu.n > INSN_MAX_LEN)
		return -2;
	i->len = (uint8_t)cu.n;

	/* handler */
	insn_fn *fn = d->fn;
	unsigned r = i->reg & 7;
	if (f & GRP) {
		fn = grp_fn[d->grp][r];
		if (d->grp == G7 && i->mod == 3) {
			switch (i->modrm) {
			case 0xf8: fn = long64 ? op_swapgs : NULL; break;
			case 0xd0: case 0xd1: case 0xc8: case 0xc9: case 0xca: case 0xcb: case 0xf9: fn = NULL; break;
			default: if (r != 4 && r != 6) fn = NULL; break;
			}
		} else if (d->grp == G15) {
			if (i->mod == 3)
				fn = (r >= 5 && !rep) ? op_fence : NULL;
			else if (r <= 3)
				fn = op_simd, f |= SIMD;
			else if (r == 7)
				fn = op_clflush;
			else
				fn = NULL;
		} else if (d->grp == G9) {
			if (i->mod == 3)
				fn = NULL;
		} else if ((d->grp == G5 && (r == 3 || r == 5) && i->mod == 3) || (d->grp == G11 && r != 0)) {
			fn = NULL;
		}
		if (d->grp == G5 && (r == 2 || r == 4) && long64)
			i->osz = 8;
		if (d->grp == G5 && r == 6 && long64 && !p66)
			i->osz = 8;
		if (lock && !((grp_lock[d->grp] >> r) & 1))
			fn = NULL;
	} else if (lock && !(f & LK)) {
		fn = NULL;
	}
	if (lock && i->mod == 3)
		fn = NULL;
	if (long64 && (f & I64))
		fn = NULL;
	if (map == 1 && op == 0xb8 && rep)
		fn = NULL;  /* POPCNT is not advertised */
	if (long64 && map == 0 && op == 0x63 && !(rex & 8))
		i->osz = 4;
	if (!long64 && map == 0 && op == 0x63)
		fn = op_arpl;
	if (map == 0 && op == 0x90 && !(rex & 1))
		fn = rep == 0xf3 ? op_pause : op_nop;
	if (f & SIMD) {
		const struct simd_op *so = simd_lookup(i->sse_pfx, (uint8_t)(map ? map : 1), op, i->modrm);
		i->imm2 = (uint32_t)i->imm;
		i->imm = (uintptr_t)so;
		if (!so)
			fn = NULL;
	}
	if (fn == op_x87) {
		const struct x87_op *xo = x87_lookup(op, i->modrm, i->osz == 2);
		i->imm = (uintptr_t)xo;
		if (!xo)
			fn = NULL;
	}
	/* specialised handlers for the hottest forms */
	if (fn == op_mov_r_rm && (i->osz == 8 || i->osz == 4)) {
		if (i->mod == 3) {
			swap_reg_rm(i);
			fn = i->osz == 8 ? op_mov_rr64 : op_mov_rr32;
		} else {
			fn = i->osz == 8 ? op_mov_r_m64 : op_mov_r_m32;
		}
	} else if (fn == op_mov_rm_r && (i->osz == 8 || i->osz == 4)) {
		if (i->mod == 3)
			fn = i->osz == 8 ? op_mov_rr64 : op_mov_rr32;
		else
			fn = i->osz == 8 ? op_mov_m_r64 : op_mov_m_r32;
	}
	if (fn == op_shift && i->mod == 3 && (i->osz == 8 || i->osz == 4) && i->opcode != 0xd2 &&
	    ((i->reg & 7) == 4 || (i->reg & 7) == 5 || (i->reg & 7) == 7)) {
		static insn_fn *const sh64[8] = {[4] = op_shl_r64, [5] = op_shr_r64, [7] = op_sar_r64};
		static insn_fn *const sh32[8] = {[4] = op_shl_r32, [5] = op_shr_r32, [7] = op_sar_r32};
		fn = (i->osz == 8 ? sh64 : sh32)[i->reg & 7];
	}
	if (fn == op_movzx && (i->osz == 8 || i->osz == 4)) {
		if (i->mod == 3)
			fn = i->opcode == 0xb6 ? op_movzx_r_r8 : op_movzx_r_r16;
		else
			fn = i->opcode == 0xb6 ? op_movzx_r_m8 : op_movzx_r_m16;
	}
	if ((fn == op_alu_rm_r || fn == op_alu_r_rm) && i->mod == 3 && (i->osz == 8 || i->osz == 4)) {
		static insn_fn *const rr64[8] = {op_add_rr64, op_or_rr64, NULL, NULL, op_and_rr64, op_sub_rr64,
						 op_xor_rr64, op_cmp_rr64};
		static insn_fn *const rr32[8] = {op_add_rr32, op_or_rr32, NULL, NULL, op_and_rr32, op_sub_rr32,
						 op_xor_rr32, op_cmp_rr32};
		insn_fn *spec = (i->osz == 8 ? rr64 : rr32)[(op >> 3) & 7];
		if (spec) {
			if (fn == op_alu_r_rm)
				swap_reg_rm(i);  /* the rr handlers compute rm op reg into rm */
			fn = spec;
		}
	}
	if (fn == op_grp1 && i->mod == 3 && (i->osz == 8 || i->osz == 4)) {
		static insn_fn *const ri64[8] = {op_add_ri64, op_or_ri64, NULL, NULL, op_and_ri64, op_sub_ri64,
						 op_xor_ri64, op_cmp_ri64};
		static insn_fn *const ri32[8] = {op_add_ri32, op_or_ri32, NULL, NULL, op_and_ri32, op_sub_ri32,
						 op_xor_ri32, op_cmp_ri32};
		insn_fn *spec = (i->osz == 8 ? ri64 : ri32)[i->reg & 7];
		if (spec)
			fn = spec;
	}
	i->fn = fn ? fn : op_ud;
	return i->len;
}

int emu_insn_length(const uint8_t *bytes, unsigned avail, unsigned code_size)
{
	struct insn i;
	int n = emu_decode(&i, bytes, avail, code_size);
	return n > 0 ? n : -1;
}
