/* x87_lookup(): (D8-DF opcode, ModRM, operand size) -> op descriptor, and
 * the per-encoding properties x87_exec() needs. Every valid encoding runs
 * on the host (x87_host.c); this file only says which encodings are valid,
 * how much memory they touch, and whether they wait / are control ops.
 * Undocumented aliases (D9 D8-DF, DC D0-DF, DD C8-CF, DE D0-D7, DF C0-DF:
 * FSTP1, FCOM2, FCOMP3, FXCH4, FCOMP5, FFREEP, FXCH7, FSTP8, FSTP9) are #UD
 * here: no compiler emits them. */
#include "vmm/emu/x87_int.h"

#define R X87_READ
/* Stores also read: if an unmasked exception suppresses the store, the
 * core writes back the unchanged bytes. */
#define RW (X87_READ | X87_WRITE)

static const struct x87_op mem_ops[8][8] = {
	/* D8: arithmetic on m32fp */
	{ { 4, R, x87_exec }, { 4, R, x87_exec }, { 4, R, x87_exec }, { 4, R, x87_exec },
	  { 4, R, x87_exec }, { 4, R, x87_exec }, { 4, R, x87_exec }, { 4, R, x87_exec } },
	/* D9: FLD m32, -, FST m32, FSTP m32, FLDENV, FLDCW, FNSTENV, FNSTCW (env sizes: see below) */
	{ { 4, R, x87_exec }, { 0, 0, NULL }, { 4, RW, x87_exec }, { 4, RW, x87_exec },
	  { 28, R, x87_exec }, { 2, R, x87_exec }, { 28, RW, x87_exec }, { 2, RW, x87_exec } },
	/* DA: arithmetic on m32int */
	{ { 4, R, x87_exec }, { 4, R, x87_exec }, { 4, R, x87_exec }, { 4, R, x87_exec },
	  { 4, R, x87_exec }, { 4, R, x87_exec }, { 4, R, x87_exec }, { 4, R, x87_exec } },
	/* DB: FILD m32, FISTTP m32, FIST m32, FISTP m32, -, FLD m80, -, FSTP m80 */
	{ { 4, R, x87_exec }, { 4, RW, x87_exec }, { 4, RW, x87_exec }, { 4, RW, x87_exec },
	  { 0, 0, NULL }, { 10, R, x87_exec }, { 0, 0, NULL }, { 10, RW, x87_exec } },
	/* DC: arithmetic on m64fp */
	{ { 8, R, x87_exec }, { 8, R, x87_exec }, { 8, R, x87_exec }, { 8, R, x87_exec },
	  { 8, R, x87_exec }, { 8, R, x87_exec }, { 8, R, x87_exec }, { 8, R, x87_exec } },
	/* DD: FLD m64, FISTTP m64, FST m64, FSTP m64, FRSTOR, -, FNSAVE, FNSTSW m16 */
	{ { 8, R, x87_exec }, { 8, RW, x87_exec }, { 8, RW, x87_exec }, { 8, RW, x87_exec },
	  { 108, R, x87_exec }, { 0, 0, NULL }, { 108, RW, x87_exec }, { 2, RW, x87_exec } },
	/* DE: arithmetic on m16int */
	{ { 2, R, x87_exec }, { 2, R, x87_exec }, { 2, R, x87_exec }, { 2, R, x87_exec },
	  { 2, R, x87_exec }, { 2, R, x87_exec }, { 2, R, x87_exec }, { 2, R, x87_exec } },
	/* DF: FILD m16, FISTTP m16, FIST m16, FISTP m16, FBLD, FILD m64, FBSTP, FISTP m64 */
	{ { 2, R, x87_exec }, { 2, RW, x87_exec }, { 2, RW, x87_exec }, { 2, RW, x87_exec },
	  { 10, R, x87_exec }, { 8, R, x87_exec }, { 10, RW, x87_exec }, { 8, RW, x87_exec } },
};

/* 16-bit operand size forms of the environment instructions */
static const struct x87_op op_fldenv16 = { 14, R, x87_exec };
static const struct x87_op op_fnstenv16 = { 14, RW, x87_exec };
static const struct x87_op op_frstor16 = { 94, R, x87_exec };
static const struct x87_op op_fnsave16 = { 94, RW, x87_exec };
static const struct x87_op op_reg = { 0, 0, x87_exec };

static bool reg_form_valid(uint8_t opcode, uint8_t modrm)
{
	unsigned rf = (modrm >> 3) & 7;
	switch (opcode) {
	case 0xd8:
		return true;
	case 0xd9:
		if (rf <= 1)
			return true;  /* FLD ST(i), FXCH */
		switch (modrm) {
		case 0xd0: /* FNOP */
		case 0xe0: case 0xe1: case 0xe4: case 0xe5: /* FCHS FABS FTST FXAM */
		case 0xe8: case 0xe9: case 0xea: case 0xeb: case 0xec: case 0xed: case 0xee: /* constants */
			return true;
		default:
			return modrm >= 0xf0;  /* F2XM1 ... FCOS */
		}
	case 0xda:
		return rf <= 3 || modrm == 0xe9;  /* FCMOVB/E/BE/U, FUCOMPP */
	case 0xdb:
		/* FCMOVNB/NE/NBE/NU, FNENI/FNDISI (ignored), FNCLEX, FNINIT, FNSETPM (ignored), FUCOMI, FCOMI */
		return rf <= 3 || (modrm >= 0xe0 && modrm <= 0xe4) || rf == 5 || rf == 6;
	case 0xdc:
		return rf != 2 && rf != 3;
	case 0xdd:
		return rf == 0 || (rf >= 2 && rf <= 5);  /* FFREE, FST, FSTP, FUCOM, FUCOMP */
	case 0xde:
		return rf != 2 && (rf != 3 || modrm == 0xd9);  /* ...P forms, FCOMPP */
	case 0xdf:
		return modrm == 0xe0 || rf == 5 || rf == 6;  /* FNSTSW AX, FUCOMIP, FCOMIP */
	default:
		return false;
	}
}

const struct x87_op *x87_lookup(uint8_t opcode, uint8_t modrm, bool opsize16)
{
	if (opcode < 0xd8 || opcode > 0xdf)
		return NULL;
	if ((modrm >> 6) == 3)
		return reg_form_valid(opcode, modrm) ? &op_reg : NULL;
	unsigned rf = (modrm >> 3) & 7;
	if (opsize16) {
		if (opcode == 0xd9 && rf == 4)
			return &op_fldenv16;
		if (opcode == 0xd9 && rf == 6)
			return &op_fnstenv16;
		if (opcode == 0xdd && rf == 4)
			return &op_frstor16;
		if (opcode == 0xdd && rf == 6)
			return &op_fnsave16;
	}
	const struct x87_op *op = &mem_ops[opcode - 0xd8][rf];
	return op->exec ? op : NULL;
}

unsigned x87_props(uint8_t opcode, uint8_t modrm)
{
	unsigned rf = (modrm >> 3) & 7;
	if ((modrm >> 6) == 3) {
		if (opcode == 0xdf && modrm == 0xe0)
			return X87F_NOWAIT | X87F_CONTROL;  /* FNSTSW AX */
		if (opcode == 0xdb && modrm >= 0xe0 && modrm <= 0xe4)
			return X87F_NOWAIT | X87F_CONTROL | (modrm == 0xe3 ? X87F_INIT : 0);
		return 0;
	}
	if (opcode == 0xd9 && rf >= 4)  /* FLDENV FLDCW FNSTENV FNSTCW */
		return X87F_CONTROL | (rf >= 6 ? X87F_NOWAIT : 0) | (rf == 4 ? X87F_LOAD_ENV : 0) |
		       (rf == 6 ? X87F_STORE_ENV : 0);
	if (opcode == 0xdd && rf >= 4)  /* FRSTOR FNSAVE FNSTSW */
		return X87F_CONTROL | (rf >= 6 ? X87F_NOWAIT : 0) | (rf == 4 ? X87F_LOAD_ENV : 0) |
		       (rf == 6 ? X87F_STORE_ENV | X87F_INIT : 0);
	return 0;
}
