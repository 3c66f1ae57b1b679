/* Internal: the SIMD exec functions, grouped by the file that implements them. */
#ifndef TANDEM_EMU_SIMD_INT_H
#define TANDEM_EMU_SIMD_INT_H

#include "vmm/emu/fpu.h"

/* simd_fxsave.c */
int simd_fxsave(struct fpu_state *f, struct simd_insn *in);
int simd_fxrstor(struct fpu_state *f, struct simd_insn *in);
int simd_ldmxcsr(struct fpu_state *f, struct simd_insn *in);
int simd_stmxcsr(struct fpu_state *f, struct simd_insn *in);

#endif
