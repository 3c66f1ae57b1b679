/* simd_lookup(): (prefix, map, opcode, modrm) -> op descriptor. */
#include "vmm/emu/fpu_int.h"
#include "vmm/emu/simd_int.h"

#define RW (SIMD_READ | SIMD_WRITE)
#define A16 SIMD_ALIGN16

static const struct simd_op op_fxsave = { 512, RW | A16, simd_fxsave };
static const struct simd_op op_fxrstor = { 512, SIMD_READ | A16, simd_fxrstor };
static const struct simd_op op_ldmxcsr = { 4, SIMD_READ, simd_ldmxcsr };
static const struct simd_op op_stmxcsr = { 4, SIMD_WRITE, simd_stmxcsr };

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
	if (map != 1)
		return NULL;
	if (opcode == 0xae) {
		if (prefix != 0 || is_reg)
			return NULL;  /* fences (mod=3) and the F3 forms are the core's */
		switch (regf) {
		case 0: return &op_fxsave;
		case 1: return &op_fxrstor;
		case 2: return &op_ldmxcsr;
		case 3: return &op_stmxcsr;
		default: return NULL;
		}
	}
	return NULL;
}
