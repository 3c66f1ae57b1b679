/* emu FPU/SIMD unit: x87, SSE, SSE2, FXSAVE/FXRSTOR state and semantics.
 *
 * Contract with the emu core:
 *  - The core decodes, computes effective addresses, checks #NM (CR0.TS/EM),
 *    CR4.OSFXSR, alignment (SIMD_ALIGN16) and memory faults. It asks
 *    simd_lookup()/x87_lookup() for the op (NULL = #UD), reads mem_size bytes
 *    into a buffer before exec when flags has *_READ, calls exec, and writes
 *    the buffer back after exec when flags has *_WRITE and exec returned 0.
 *  - exec returns 0, or the vector to raise: 6 #UD, 13 #GP, 16 #MF, 19 #XM.
 *    On a non-zero return nothing architectural was changed except what the
 *    SDM says the faulting instruction changes (MXCSR flags for #XM).
 *  - Results are exact: the arithmetic runs on the host's own units. SSE ops
 *    run under the guest's MXCSR with exceptions masked on the host, then the
 *    guest's masks are applied here. x87 ops load the guest's whole x87
 *    state into the host FPU (FRSTOR), run the guest's encoding once and
 *    save it back (FNSAVE), so everything x87 is the hardware's own
 *    (x87_host.c). x87 stores are READ|WRITE: when an unmasked exception
 *    suppresses a store, the core writes back the bytes it read.
 *
 * x87 unmasked exceptions (#MF) follow hardware: the faulting instruction sets
 * FSW.ES/B and completes (IE/DE/ZE: destination and TOP unchanged; OE/UE/PE:
 * result stored), and #MF (16) is returned by the NEXT waiting x87
 * instruction's exec, before it does anything. FWAIT is the core's: it must
 * raise #MF when fpu_pending_mf() (after its CR0.TS/MP check).
 * CR0.NE=0 (external FERR#/IRQ13) is not modelled: #MF is always vector 16.
 * #XM (19) from a SIMD exec: the core raises #UD instead when CR4.OSXMMEXCPT
 * is clear, as hardware does.
 *
 * Not modelled: MASKMOVDQU (#UD: it writes memory at DS:rDI, which this
 * interface has no buffer for); FSTENV/FSAVE real-mode/VM86 layouts (the
 * protected-mode layouts are always used); FXSAVE/FXRSTOR always move
 * XMM0-15 (outside 64-bit mode hardware moves XMM0-7 only).
 *
 * Interface additions beyond the first published draft (all additive):
 *  - x87_insn.rflags, simd_insn.rflags: FCOMI/FUCOMI(P), FCMOVcc, COMISS/SD
 *    and UCOMISS/SD read or write ZF/PF/CF (and clear OF/SF/AF) through it.
 *  - simd_op.mem_size is uint16_t (FXSAVE/FXRSTOR are 512 bytes).
 *  - SIMD_MEM_W flag: memory operand is 8 bytes (not mem_size) when REX.W
 *    (MOVD/MOVQ 66 0F 6E/7E, CVTSI2SS/SD F3/F2 0F 2A); simd_mem_size()
 *    applies it.
 *  - fpu_pending_mf() for FWAIT; FPU_VEC_* names for the returned vectors.
 */
#ifndef TANDEM_EMU_FPU_H
#define TANDEM_EMU_FPU_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>

struct fpu_state {
	/* Physical x87 registers R0-R7 (ST(i) is R[(TOP + i) & 7]): 80-bit
	 * values in the low 10 bytes of each 16-byte slot, upper 6 bytes 0. */
	uint8_t r[8][16] __attribute__((aligned(16)));
	uint8_t xmm[16][16] __attribute__((aligned(16)));
	uint16_t fcw;
	uint16_t fsw;    /* including TOP in bits 13:11 */
	uint16_t ftw;    /* full tag word, 2 bits per physical register: 0 valid, 1 zero, 2 special, 3 empty */
	uint16_t fop;    /* 11-bit last opcode */
	uint64_t fip;    /* last x87 instruction pointer (offset) */
	uint64_t fdp;    /* last x87 data pointer (offset) */
	uint16_t fcs, fds;
	uint32_t mxcsr;
};

#define FPU_MXCSR_MASK 0xFFFF  /* MXCSR bits we support (DAZ included) */

void fpu_reset(struct fpu_state *f);          /* power-on/INIT: FCW 0x40, MXCSR 0x1F80, all tags empty */
void fpu_from_kvm(struct fpu_state *f, const struct kvm_fpu *k);
void fpu_to_kvm(const struct fpu_state *f, struct kvm_fpu *k);
bool fpu_pending_mf(const struct fpu_state *f);  /* FSW.ES set: FWAIT and waiting x87 insns raise #MF */

/* ---- SSE / SSE2 (and 0F AE /0-/3: FXSAVE, FXRSTOR, LDMXCSR, STMXCSR) ---- */
struct simd_insn {
	uint8_t prefix;   /* mandatory prefix in effect: 0, 0x66, 0xF2 or 0xF3 */
	uint8_t map;      /* 1 = 0F xx, 2 = 0F 38 xx, 3 = 0F 3A xx */
	uint8_t opcode;
	uint8_t reg;      /* ModRM.reg with REX.R (0-15) */
	uint8_t rm;       /* ModRM.rm with REX.B, meaningful when rm_is_reg */
	bool rm_is_reg;
	bool rex_w;
	uint8_t imm8;
	uint8_t *mem;     /* memory operand buffer (mem_size bytes) when !rm_is_reg; core reads before / writes after */
	uint64_t *gpr;    /* the 16 GPRs, for MOVD/MOVQ/CVTSI2SD/CVTTSD2SI/PMOVMSKB/PEXTRW/PINSRW/MOVMSKPx... */
	uint64_t *rflags; /* COMISS/UCOMISS/COMISD/UCOMISD write ZF/PF/CF, clear OF/SF/AF */
};
#define SIMD_READ 1
#define SIMD_WRITE 2
#define SIMD_ALIGN16 4
#define SIMD_MEM_W 8      /* memory operand is 8 bytes instead of mem_size when REX.W */
struct simd_op {
	uint16_t mem_size;  /* uint16_t (not uint8_t) because FXSAVE/FXRSTOR move 512 bytes */
	uint8_t flags;
	int (*exec)(struct fpu_state *f, struct simd_insn *in);
};
/* NULL = #UD. mem_size/flags describe the memory form when modrm.mod != 3. */
const struct simd_op *simd_lookup(uint8_t prefix, uint8_t map, uint8_t opcode, uint8_t modrm);
/* Memory operand size of op for this instruction (applies SIMD_MEM_W). */
unsigned simd_mem_size(const struct simd_op *op, const struct simd_insn *in);

/* ---- x87 (D8-DF) ---- */
struct x87_insn {
	uint8_t opcode;   /* D8-DF */
	uint8_t modrm;
	bool opsize16;    /* FSTENV/FLDENV/FSAVE/FRSTOR 16-bit formats */
	uint8_t *mem;
	uint16_t *ax;     /* FNSTSW AX */
	uint64_t fip, fdp;
	uint64_t *rflags; /* FCOMI/FUCOMI(P) write ZF/PF/CF (clear OF/SF/AF); FCMOVcc read */
};
#define X87_READ 1
#define X87_WRITE 2
struct x87_op {
	uint8_t mem_size;
	uint8_t flags;
	int (*exec)(struct fpu_state *f, struct x87_insn *in);
};
const struct x87_op *x87_lookup(uint8_t opcode, uint8_t modrm, bool opsize16); /* NULL = #UD */

#define FPU_VEC_UD 6
#define FPU_VEC_GP 13
#define FPU_VEC_MF 16
#define FPU_VEC_XM 19

#endif
