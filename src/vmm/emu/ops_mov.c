/* Data movement: MOV forms, LEA, MOVZX/MOVSX(D), XCHG, PUSH/POP (all forms),
 * PUSHF/POPF, ENTER/LEAVE, XLAT, segment register moves, LDS/LES/LSS/LFS/LGS. */
#include "vmm/emu/ops.h"

void op_mov_rm_r(struct emu_cpu *c, const struct insn *i)
{
	rm_write(c, i, reg_get(c, i->reg, i->osz));
}

void op_mov_r_rm(struct emu_cpu *c, const struct insn *i)
{
	reg_set(c, i->reg, i->osz, rm_read(c, i));
}

/* Specialised forms chosen by the decoder for the most frequent MOVs. */
void op_mov_r_m64(struct emu_cpu *c, const struct insn *i) { c->r[i->reg] = mem_read(c, insn_addr(c, i, 8, ACC_R), 8); }
void op_mov_r_m32(struct emu_cpu *c, const struct insn *i) { c->r[i->reg] = mem_read(c, insn_addr(c, i, 4, ACC_R), 4); }
void op_mov_m_r64(struct emu_cpu *c, const struct insn *i) { mem_write(c, insn_addr(c, i, 8, ACC_W), 8, c->r[i->reg]); }
void op_mov_m_r32(struct emu_cpu *c, const struct insn *i) { mem_write(c, insn_addr(c, i, 4, ACC_W), 4, c->r[i->reg]); }
void op_mov_rr64(struct emu_cpu *c, const struct insn *i) { c->r[i->rm] = c->r[i->reg]; }
void op_mov_rr32(struct emu_cpu *c, const struct insn *i) { c->r[i->rm] = c->r[i->reg] & 0xffffffff; }

void op_mov_r_imm(struct emu_cpu *c, const struct insn *i)
{
	reg_set(c, i->rm, i->osz, i->imm);
}

void op_mov_rm_imm(struct emu_cpu *c, const struct insn *i)
{
	rm_write(c, i, i->imm);
}

void op_mov_moffs(struct emu_cpu *c, const struct insn *i)
{
	uint64_t lin = seg_addr(c, i->seg, i->imm, i->osz, (i->opcode & 2) ? ACC_W : ACC_R);
	if (i->opcode & 2)
		mem_write(c, lin, i->osz, reg_get(c, R_AX, i->osz));
	else
		reg_set(c, R_AX, i->osz, mem_read(c, lin, i->osz));
}

void op_lea(struct emu_cpu *c, const struct insn *i)
{
	if (i->mod == 3)
		emu_ud(c);
	reg_set(c, i->reg, i->osz, insn_ea(c, i));
}

void op_movzx(struct emu_cpu *c, const struct insn *i)
{
	unsigned ssz = i->opcode == 0xb6 ? 1 : 2;
	uint64_t v = i->mod == 3 ? reg_get(c, i->rm, ssz) : mem_read(c, insn_addr(c, i, ssz, ACC_R), ssz);
	reg_set(c, i->reg, i->osz, v);
}

/* 32/64-bit destinations (chosen by the decoder): the zero-extended value
 * fills the whole register either way. */
void op_movzx_r_m8(struct emu_cpu *c, const struct insn *i) { c->r[i->reg] = mem_read(c, insn_addr(c, i, 1, ACC_R), 1); }
void op_movzx_r_m16(struct emu_cpu *c, const struct insn *i) { c->r[i->reg] = mem_read(c, insn_addr(c, i, 2, ACC_R), 2); }
void op_movzx_r_r8(struct emu_cpu *c, const struct insn *i) { c->r[i->reg] = reg_get(c, i->rm, 1); }
void op_movzx_r_r16(struct emu_cpu *c, const struct insn *i) { c->r[i->reg] = reg_get(c, i->rm, 2); }

void op_movsx(struct emu_cpu *c, const struct insn *i)
{
	unsigned ssz = i->opcode == 0xbe ? 1 : 2;
	uint64_t v = i->mod == 3 ? reg_get(c, i->rm, ssz) : mem_read(c, insn_addr(c, i, ssz, ACC_R), ssz);
	reg_set(c, i->reg, i->osz, sext(v, ssz));
}

void op_movsxd(struct emu_cpu *c, const struct insn *i)
{
	uint64_t v = i->mod == 3 ? reg_get(c, i->rm, 4) : mem_read(c, insn_addr(c, i, 4, ACC_R), 4);
	reg_set(c, i->reg, i->osz, sext(v, 4));
}

void op_movnti(struct emu_cpu *c, const struct insn *i)
{
	if (i->mod == 3)
		emu_ud(c);
	mem_write(c, insn_addr(c, i, i->osz, ACC_W), i->osz, reg_get(c, i->reg, i->osz));
}

void op_xchg_rm_r(struct emu_cpu *c, const struct insn *i)
{
	uint64_t b = reg_get(c, i->reg, i->osz);
	if (i->mod == 3) {
		uint64_t a = reg_get(c, i->rm, i->osz);
		reg_set(c, i->rm, i->osz, b);
		reg_set(c, i->reg, i->osz, a);
	} else {
		uint64_t lin = insn_addr(c, i, i->osz, ACC_W);
		uint64_t a = mem_read(c, lin, i->osz);
		mem_write(c, lin, i->osz, b);
		reg_set(c, i->reg, i->osz, a);
	}
}

void op_xchg_ax_r(struct emu_cpu *c, const struct insn *i)
{
	uint64_t a = reg_get(c, R_AX, i->osz), b = reg_get(c, i->rm, i->osz);
	reg_set(c, R_AX, i->osz, b);
	reg_set(c, i->rm, i->osz, a);
}

void op_nop(struct emu_cpu *c, const struct insn *i)
{
}

void op_push_r(struct emu_cpu *c, const struct insn *i)
{
	push(c, i->osz, reg_get(c, i->rm, i->osz));
}

void op_pop_r(struct emu_cpu *c, const struct insn *i)
{
	uint64_t v = pop(c, i->osz);
	reg_set(c, i->rm, i->osz, v);
}

void op_push_imm(struct emu_cpu *c, const struct insn *i)
{
	push(c, i->osz, i->imm);
}

void op_push_rm(struct emu_cpu *c, const struct insn *i)
{
	push(c, i->osz, rm_read(c, i));
}

void op_pop_rm(struct emu_cpu *c, const struct insn *i)
{
	/* the address is computed with the incremented stack pointer */
	uint64_t v = stack_peek(c, 0, i->osz);
	uint64_t old = c->r[R_SP];
	c->r[R_SP] = (old & ~sp_mask(c)) | ((old + i->osz) & sp_mask(c));
	if (i->mod == 3) {
		reg_set(c, i->rm, i->osz, v);
		return;
	}
	uint64_t lin = insn_addr(c, i, i->osz, ACC_W);
	c->r[R_SP] = old;
	mem_write(c, lin, i->osz, v);
	c->r[R_SP] = (old & ~sp_mask(c)) | ((old + i->osz) & sp_mask(c));
}

static unsigned seg_of_opcode(const struct insn *i)
{
	if (i->map == 1)
		return (i->opcode & 0x08) ? S_GS : S_FS;
	return (i->opcode >> 3) & 3;
}

void op_push_seg(struct emu_cpu *c, const struct insn *i)
{
	unsigned s = seg_of_opcode(i);
	/* a 32/64-bit push of a segment register writes only 16 bits on
	 * modern CPUs; writing the zero-extended value is also allowed */
	push(c, i->osz, c->seg[s].selector);
}

void op_pop_seg(struct emu_cpu *c, const struct insn *i)
{
	unsigned s = seg_of_opcode(i);
	uint16_t sel = (uint16_t)stack_peek(c, 0, i->osz);
	seg_load(c, s, sel);
	c->r[R_SP] = (c->r[R_SP] & ~sp_mask(c)) | ((c->r[R_SP] + i->osz) & sp_mask(c));
	if (s == S_SS) {
		c->shadow = 1;  /* no interrupt before the next instruction (the SP load) */
		c->events = 1;
	}
}

void op_mov_rm_seg(struct emu_cpu *c, const struct insn *i)
{
	unsigned s = i->reg & 7;
	if (s > S_GS)
		emu_ud(c);
	uint16_t sel = c->seg[s].selector;
	if (i->mod == 3)
		reg_set(c, i->rm, i->osz == 1 ? 2 : i->osz, sel);
	else
		mem_write(c, insn_addr(c, i, 2, ACC_W), 2, sel);
}

void op_mov_seg_rm(struct emu_cpu *c, const struct insn *i)
{
	unsigned s = i->reg & 7;
	if (s > S_GS || s == S_CS)
		emu_ud(c);
	uint16_t sel = i->mod == 3 ? (uint16_t)c->r[i->rm] : (uint16_t)mem_read(c, insn_addr(c, i, 2, ACC_R), 2);
	seg_load(c, s, sel);
	if (s == S_SS) {
		c->shadow = 1;  /* no interrupt before the next instruction (the SP load) */
		c->events = 1;
	}
}

void op_pushf(struct emu_cpu *c, const struct insn *i)
{
	uint64_t f = flags_get(c) & ~(uint64_t)(F_VM | F_RF);
	if ((c->flags & F_VM) && (c->flags & F_IOPL) != F_IOPL)
		emu_gp(c, 0);  /* IOPL-sensitive in virtual-8086 mode (no VME) */
	push(c, i->osz, f);
}

void op_popf(struct emu_cpu *c, const struct insn *i)
{
	uint64_t nf = stack_peek(c, 0, i->osz);
	uint64_t f = flags_get(c);
	unsigned iopl = (f & F_IOPL) >> 12;
	if ((f & F_VM) && iopl < 3)
		emu_gp(c, 0);  /* IOPL-sensitive in virtual-8086 mode (no VME) */
	uint64_t mask = F_ARITH | F_TF | F_DF | F_NT | F_AC | F_ID;
	if (c->cpl == 0)
		mask |= F_IOPL;
	if (c->cpl <= iopl || c->mode == MODE_REAL)
		mask |= F_IF;
	if (c->mode == MODE_REAL)
		mask |= F_IOPL;
	if (i->osz == 2)
		mask &= 0xffff;
	pop(c, i->osz);
	flags_set(c, (f & ~mask) | (nf & mask));
	c->events = 1;  /* IF may have changed */
}

void op_pusha(struct emu_cpu *c, const struct insn *i)
{
	unsigned sz = i->osz;
	uint64_t v[8];
	for (unsigned k = 0; k < 8; k++)
		v[k] = c->r[k];
	uint64_t sp = c->r[R_SP];
	for (unsigned k = 0; k < 8; k++) {
		uint64_t nsp = (sp - (k + 1) * sz) & sp_mask(c);
		mem_write(c, seg_addr(c, S_SS, nsp, sz, ACC_W), sz, v[k]);
	}
	c->r[R_SP] = (sp & ~sp_mask(c)) | ((sp - 8 * sz) & sp_mask(c));
}

void op_popa(struct emu_cpu *c, const struct insn *i)
{
	unsigned sz = i->osz;
	uint64_t v[8];
	for (unsigned k = 0; k < 8; k++)
		v[7 - k] = stack_peek(c, k * sz, sz);
	for (unsigned k = 0; k < 8; k++)
		if (k != R_SP)
			reg_set(c, k, sz, v[k]);
	c->r[R_SP] = (c->r[R_SP] & ~sp_mask(c)) | ((c->r[R_SP] + 8 * sz) & sp_mask(c));
}

void op_enter(struct emu_cpu *c, const struct insn *i)
{
	unsigned sz = i->osz, level = i->imm2 & 31;
	uint64_t m = sp_mask(c);
	uint64_t sp = c->r[R_SP], bp = c->r[R_BP];
	uint64_t t = (sp - sz) & m;
	mem_write(c, seg_addr(c, S_SS, t, sz, ACC_W), sz, bp);
	uint64_t frame = t;
	for (unsigned k = 1; k < level; k++) {
		bp = (bp - sz) & (c->stack_size == 8 ? ~0ULL : m);
		uint64_t v = mem_read(c, seg_addr(c, S_SS, bp & m, sz, ACC_R), sz);
		t = (t - sz) & m;
		mem_write(c, seg_addr(c, S_SS, t, sz, ACC_W), sz, v);
	}
	if (level) {
		t = (t - sz) & m;
		mem_write(c, seg_addr(c, S_SS, t, sz, ACC_W), sz, frame);
	}
	t = (t - i->imm) & m;
	reg_set(c, R_BP, sz, frame);
	c->r[R_SP] = (c->r[R_SP] & ~m) | t;
}

void op_leave(struct emu_cpu *c, const struct insn *i)
{
	uint64_t m = sp_mask(c);
	uint64_t bp = c->r[R_BP] & m;
	uint64_t v = mem_read(c, seg_addr(c, S_SS, bp, i->osz, ACC_R), i->osz);
	c->r[R_SP] = (c->r[R_SP] & ~m) | ((bp + i->osz) & m);
	reg_set(c, R_BP, i->osz, v);
}

void op_xlat(struct emu_cpu *c, const struct insn *i)
{
	uint64_t ea = c->r[R_BX] + (c->r[R_AX] & 0xff);
	ea &= size_mask(i->asz);
	reg_set(c, R_AX, 1, mem_read(c, seg_addr(c, i->seg, ea, 1, ACC_R), 1));
}

void op_lxs(struct emu_cpu *c, const struct insn *i)
{
	if (i->mod == 3)
		emu_ud(c);
	unsigned s;
	switch (i->opcode) {
	case 0xc4: s = S_ES; break;
	case 0xc5: s = S_DS; break;
	case 0xb2: s = S_SS; break;
	case 0xb4: s = S_FS; break;
	default: s = S_GS; break;
	}
	uint64_t lin = insn_addr(c, i, i->osz + 2, ACC_R);
	uint64_t off = mem_read(c, lin, i->osz);
	uint16_t sel = (uint16_t)mem_read(c, (lin + i->osz) & c->lin_mask, 2);
	seg_load(c, s, sel);
	reg_set(c, i->reg, i->osz, off);
}
