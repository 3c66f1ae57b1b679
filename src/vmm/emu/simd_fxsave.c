/* FXSAVE/FXRSTOR (0F AE /0 /1) and LDMXCSR/STMXCSR (0F AE /2 /3).
 * Image layout per the SDM "FXSAVE" table: the 64-bit format (REX.W) holds a
 * 64-bit FIP/FDP; the 32-bit format holds 32-bit offsets plus FCS/FDS, which
 * are stored as 0 like CPUs with CPUID.7:EBX[13] "FCS/FDS deprecated" do.
 * Bytes 416-511 are left as the core read them (the op is READ|WRITE); the
 * small reserved fields inside the header are written as 0 (as the host does).
 * XMM0-15 are always transferred (the core does not tell us the CPU mode;
 * outside 64-bit mode only XMM0-7 would be). */
#include "vmm/emu/fpu_int.h"
#include "vmm/emu/simd_ops.h"

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static uint16_t get16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

int simd_fxsave(struct fpu_state *f, struct simd_insn *in)
{
	uint8_t *m = in->mem;
	put16(m + 0, f->fcw);
	put16(m + 2, f->fsw);
	m[4] = fpu_abridged_tag(f->ftw);
	m[5] = 0;
	put16(m + 6, f->fop);
	if (in->rex_w) {
		put64(m + 8, f->fip);
		put64(m + 16, f->fdp);
	} else {
		put32(m + 8, (uint32_t)f->fip);
		put32(m + 12, 0);  /* FCS + reserved: 0 (FCS/FDS deprecated) */
		put32(m + 16, (uint32_t)f->fdp);
		put32(m + 20, 0);
	}
	put32(m + 24, f->mxcsr);
	put32(m + 28, FPU_MXCSR_MASK);
	unsigned top = fpu_top(f);
	for (unsigned i = 0; i < 8; i++) {
		/* bytes 10-15 of each slot are reserved: written as 0 like hardware */
		memset(m + 32 + 16 * i, 0, 16);
		memcpy(m + 32 + 16 * i, f->r[(top + i) & 7], 10);
	}
	memcpy(m + 160, f->xmm, 256);
	return 0;
}

int simd_fxrstor(struct fpu_state *f, struct simd_insn *in)
{
	const uint8_t *m = in->mem;
	uint32_t mxcsr = get32(m + 24);
	if (mxcsr & ~(uint32_t)FPU_MXCSR_MASK)
		return FPU_VEC_GP;
	f->fcw = fpu_norm_fcw(get16(m + 0));
	f->fsw = get16(m + 2);
	fpu_update_es(f);
	f->fop = get16(m + 6) & 0x7ff;
	if (in->rex_w) {
		/* the host keeps FIP as a 57-bit (LA57-canonical) address */
		f->fip = (uint64_t)((int64_t)(get64(m + 8) << 7) >> 7);
		f->fdp = get64(m + 16);
		f->fcs = f->fds = 0;
	} else {
		f->fip = get32(m + 8);
		f->fcs = get16(m + 12);
		f->fdp = get32(m + 16);
		f->fds = get16(m + 20);
	}
	f->mxcsr = mxcsr;
	unsigned top = fpu_top(f);
	for (unsigned i = 0; i < 8; i++) {
		memset(f->r[(top + i) & 7], 0, 16);
		memcpy(f->r[(top + i) & 7], m + 32 + 16 * i, 10);
	}
	memcpy(f->xmm, m + 160, 256);
	f->ftw = fpu_full_tag(f, m[4]);
	return 0;
}

int simd_ldmxcsr(struct fpu_state *f, struct simd_insn *in)
{
	uint32_t v = get32(in->mem);
	if (v & ~(uint32_t)FPU_MXCSR_MASK)
		return FPU_VEC_GP;
	f->mxcsr = v;
	return 0;
}

int simd_stmxcsr(struct fpu_state *f, struct simd_insn *in)
{
	put32(in->mem, f->mxcsr);
	return 0;
}
