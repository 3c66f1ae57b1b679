/* The boundary to the x87/SSE unit (fpu.h, written by the fpu work). Until
 * that header exists the emulator builds against a stub whose every SIMD
 * and x87 instruction raises #UD. */
#ifndef TANDEM_EMU_FPU_GLUE_H
#define TANDEM_EMU_FPU_GLUE_H

#if __has_include("vmm/emu/fpu.h")
#include "vmm/emu/fpu.h"
#define EMU_HAVE_FPU 1
#else
#include "vmm/cpu_state.h"
#include <stdbool.h>
#include <stdint.h>
#define EMU_HAVE_FPU 0
struct fpu_state {
	struct kvm_fpu k;
};
struct simd_insn {
	uint8_t prefix, map, opcode, reg, rm;
	bool rm_is_reg, rex_w;
	uint8_t imm8;
	uint8_t *mem;
	uint64_t *gpr;
};
struct simd_op {
	uint8_t mem_size;
	uint8_t flags;
	int (*exec)(struct fpu_state *f, struct simd_insn *in);
};
#define SIMD_READ 1
#define SIMD_WRITE 2
#define SIMD_ALIGN16 4
struct x87_insn {
	uint8_t opcode, modrm;
	bool opsize16;
	uint8_t *mem;
	uint16_t *ax;
	uint64_t fip, fdp;
};
struct x87_op {
	uint8_t mem_size;
	uint8_t flags;
	int (*exec)(struct fpu_state *f, struct x87_insn *in);
};
#define X87_READ 1
#define X87_WRITE 2
void fpu_reset(struct fpu_state *f);
void fpu_from_kvm(struct fpu_state *f, const struct kvm_fpu *k);
void fpu_to_kvm(const struct fpu_state *f, struct kvm_fpu *k);
const struct simd_op *simd_lookup(uint8_t prefix, uint8_t map, uint8_t opcode, uint8_t modrm);
const struct x87_op *x87_lookup(uint8_t opcode, uint8_t modrm, bool opsize16);
#endif

#endif
