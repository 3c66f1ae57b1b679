/* Internal: the x87 executor shared by x87_host.c and x87_table.c. */
#ifndef TANDEM_EMU_X87_INT_H
#define TANDEM_EMU_X87_INT_H

#include "vmm/emu/fpu_int.h"

/* Per-encoding properties the executor needs (from x87_table.c). */
#define X87F_NOWAIT 1     /* FNINIT, FNCLEX, FNSTCW, FNSTSW, FNSTENV, FNSAVE: no #MF check */
#define X87F_CONTROL 2    /* does not update FOP/FIP/FDP */
#define X87F_STORE_ENV 4  /* FNSTENV/FNSAVE: patch the pointer fields in memory */
#define X87F_LOAD_ENV 8   /* FLDENV/FRSTOR: take the pointer fields from memory */
#define X87F_INIT 16      /* FNINIT/FNSAVE: clear FOP/FIP/FDP afterwards */
unsigned x87_props(uint8_t opcode, uint8_t modrm);

/* The exec of every x87 op: runs the encoding on the host FPU (x87_host.c). */
int x87_exec(struct fpu_state *f, struct x87_insn *in);

#endif
