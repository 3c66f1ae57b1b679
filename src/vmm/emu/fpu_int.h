/* Internal helpers shared by the fpu/x87/simd files (not for the core). */
#ifndef TANDEM_EMU_FPU_INT_H
#define TANDEM_EMU_FPU_INT_H

#include <string.h>

#include "vmm/emu/fpu.h"

#define FSW_IE 0x0001
#define FSW_DE 0x0002
#define FSW_ZE 0x0004
#define FSW_OE 0x0008
#define FSW_UE 0x0010
#define FSW_PE 0x0020
#define FSW_SF 0x0040
#define FSW_ES 0x0080
#define FSW_C0 0x0100
#define FSW_C1 0x0200
#define FSW_C2 0x0400
#define FSW_C3 0x4000
#define FSW_B  0x8000
#define FSW_CC (FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3)
#define FSW_TOP_SHIFT 11
#define FSW_TOP_MASK 0x3800

#define TAG_VALID 0
#define TAG_ZERO 1
#define TAG_SPECIAL 2
#define TAG_EMPTY 3

#define RFLAGS_CF 0x001
#define RFLAGS_PF 0x004
#define RFLAGS_AF 0x010
#define RFLAGS_ZF 0x040
#define RFLAGS_SF 0x080
#define RFLAGS_OF 0x800

static inline unsigned fpu_top(const struct fpu_state *f)
{
	return (f->fsw >> FSW_TOP_SHIFT) & 7;
}

static inline void fpu_set_top(struct fpu_state *f, unsigned top)
{
	f->fsw = (uint16_t)((f->fsw & ~FSW_TOP_MASK) | ((top & 7) << FSW_TOP_SHIFT));
}

/* FCW bit 6 reads as 1, bits 15:13 as 0. */
static inline uint16_t fpu_norm_fcw(uint16_t v)
{
	return (uint16_t)((v & 0x1f3f) | 0x40);
}

/* After FCW or FSW change wholesale: ES (and B, its mirror) say whether any
 * exception flag is unmasked, as the host recomputes them on FXRSTOR. */
static inline void fpu_update_es(struct fpu_state *f)
{
	f->fsw &= (uint16_t)~(FSW_ES | FSW_B);
	if (f->fsw & ~f->fcw & 0x3f)
		f->fsw |= FSW_ES | FSW_B;
}

/* Tag an 80-bit value would get (valid, zero or special). */
unsigned fpu_classify_tag(const uint8_t v[10]);
unsigned fpu_get_tag(const struct fpu_state *f, unsigned phys);
void fpu_set_tag(struct fpu_state *f, unsigned phys, unsigned tag);
uint8_t fpu_abridged_tag(uint16_t ftw);
uint16_t fpu_full_tag(const struct fpu_state *f, uint8_t abridged);
/* Recomputes every non-empty tag from its register's contents. */
void fpu_retag(struct fpu_state *f);

/* FNINIT semantics (also used by FSAVE). */
void fpu_x87_init(struct fpu_state *f);

#endif
