/* FPU state: reset, tag word handling, conversion to/from struct kvm_fpu.
 * Registers are kept in physical order (R0-R7); the KVM/FXSAVE images are in
 * stack order (ST0-ST7), so conversions rotate by TOP. */
#include "vmm/emu/fpu_int.h"

unsigned fpu_classify_tag(const uint8_t v[10])
{
	uint64_t mant;
	uint16_t se;
	memcpy(&mant, v, 8);
	memcpy(&se, v + 8, 2);
	unsigned exp = se & 0x7fff;
	if (exp == 0 && mant == 0)
		return TAG_ZERO;
	/* NaN/infinity, denormals, pseudo-denormals and unnormals (J bit clear) */
	if (exp == 0x7fff || exp == 0 || !(mant >> 63))
		return TAG_SPECIAL;
	return TAG_VALID;
}

unsigned fpu_get_tag(const struct fpu_state *f, unsigned phys)
{
	return (f->ftw >> (2 * (phys & 7))) & 3;
}

void fpu_set_tag(struct fpu_state *f, unsigned phys, unsigned tag)
{
	unsigned sh = 2 * (phys & 7);
	f->ftw = (uint16_t)((f->ftw & ~(3u << sh)) | ((tag & 3) << sh));
}

uint8_t fpu_abridged_tag(uint16_t ftw)
{
	uint8_t a = 0;
	for (unsigned i = 0; i < 8; i++)
		if (((ftw >> (2 * i)) & 3) != TAG_EMPTY)
			a |= (uint8_t)(1u << i);
	return a;
}

/* FXRSTOR/KVM give only "empty or not": the full tag comes from the contents. */
uint16_t fpu_full_tag(const struct fpu_state *f, uint8_t abridged)
{
	uint16_t ftw = 0;
	for (unsigned i = 0; i < 8; i++) {
		unsigned t = (abridged >> i) & 1 ? fpu_classify_tag(f->r[i]) : TAG_EMPTY;
		ftw |= (uint16_t)(t << (2 * i));
	}
	return ftw;
}

void fpu_retag(struct fpu_state *f)
{
	f->ftw = fpu_full_tag(f, fpu_abridged_tag(f->ftw));
}

void fpu_x87_init(struct fpu_state *f)
{
	f->fcw = 0x037f;
	f->fsw = 0;
	f->ftw = 0xffff;
	f->fop = 0;
	f->fip = f->fdp = 0;
	f->fcs = f->fds = 0;
}

void fpu_reset(struct fpu_state *f)
{
	memset(f, 0, sizeof(*f));
	fpu_x87_init(f);
	f->fcw = 0x0040;  /* power-on/INIT value (FNINIT gives 0x37F) */
	f->mxcsr = 0x1f80;
}

bool fpu_pending_mf(const struct fpu_state *f)
{
	return (f->fsw & FSW_ES) != 0;
}

void fpu_from_kvm(struct fpu_state *f, const struct kvm_fpu *k)
{
	f->fcw = fpu_norm_fcw(k->fcw);
	f->fsw = k->fsw;
	fpu_update_es(f);
	f->fop = k->last_opcode & 0x7ff;
	f->fip = k->last_ip;
	f->fdp = k->last_dp;
	f->fcs = f->fds = 0;
	f->mxcsr = k->mxcsr & FPU_MXCSR_MASK;
	unsigned top = fpu_top(f);
	for (unsigned i = 0; i < 8; i++) {
		memset(f->r[(top + i) & 7], 0, 16);
		memcpy(f->r[(top + i) & 7], k->fpr[i], 10);
	}
	memcpy(f->xmm, k->xmm, sizeof(f->xmm));
	f->ftw = fpu_full_tag(f, k->ftwx);
}

void fpu_to_kvm(const struct fpu_state *f, struct kvm_fpu *k)
{
	memset(k, 0, sizeof(*k));
	k->fcw = f->fcw;
	k->fsw = f->fsw;
	k->ftwx = fpu_abridged_tag(f->ftw);
	k->last_opcode = f->fop;
	k->last_ip = f->fip;
	k->last_dp = f->fdp;
	k->mxcsr = f->mxcsr;
	unsigned top = fpu_top(f);
	for (unsigned i = 0; i < 8; i++)
		memcpy(k->fpr[i], f->r[(top + i) & 7], 10);
	memcpy(k->xmm, f->xmm, sizeof(k->xmm));
}
