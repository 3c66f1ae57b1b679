/* x87_lookup(): (D8-DF opcode, modrm, operand size) -> op descriptor. */
#include "vmm/emu/fpu_int.h"

const struct x87_op *x87_lookup(uint8_t opcode, uint8_t modrm, bool opsize16)
{
	(void)opcode; (void)modrm; (void)opsize16;
	return NULL;
}
