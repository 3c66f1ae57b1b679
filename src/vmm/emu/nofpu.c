/* Stand-in for the x87/SSE unit until fpu.h lands: every x87 and SIMD
 * instruction is #UD, FXSAVE state is all zeros. Compiles to nothing once
 * the real unit exists. */
#include "vmm/emu/fpu_glue.h"

#if !EMU_HAVE_FPU
#include <string.h>

void fpu_reset(struct fpu_state *f)
{
	memset(f, 0, sizeof(*f));
	f->k.fcw = 0x37f;
	f->k.mxcsr = 0x1f80;
}

void fpu_from_kvm(struct fpu_state *f, const struct kvm_fpu *k)
{
	f->k = *k;
}

void fpu_to_kvm(const struct fpu_state *f, struct kvm_fpu *k)
{
	*k = f->k;
}

const struct simd_op *simd_lookup(uint8_t prefix, uint8_t map, uint8_t opcode, uint8_t modrm)
{
	(void)prefix; (void)map; (void)opcode; (void)modrm;
	return NULL;
}

const struct x87_op *x87_lookup(uint8_t opcode, uint8_t modrm, bool opsize16)
{
	(void)opcode; (void)modrm; (void)opsize16;
	return NULL;
}
#endif
