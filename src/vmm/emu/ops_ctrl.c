/* Control transfer: Jcc/JMP/CALL/RET (near and far), LOOP/JCXZ, INT n,
 * INT3, INTO, IRET. Targets are written to c->next_rip. */
#include "vmm/emu/ops.h"

static inline uint64_t ip_wrap(unsigned osz, uint64_t ip)
{
	return osz == 8 ? ip : ip & size_mask(osz);
}

void op_jcc(struct emu_cpu *c, const struct insn *i)
{
	if (cond_eval(c, i->opcode & 15))
		c->next_rip = cs_target(c, ip_wrap(i->osz, c->next_rip + i->imm));
}

void op_jmp_rel(struct emu_cpu *c, const struct insn *i)
{
	c->next_rip = cs_target(c, ip_wrap(i->osz, c->next_rip + i->imm));
}

void op_call_rel(struct emu_cpu *c, const struct insn *i)
{
	uint64_t t = cs_target(c, ip_wrap(i->osz, c->next_rip + i->imm));
	push(c, i->osz, c->next_rip);
	c->next_rip = t;
}

void op_ret(struct emu_cpu *c, const struct insn *i)
{
	uint64_t ip = cs_target(c, ip_wrap(i->osz, stack_peek(c, 0, i->osz)));
	uint64_t m = sp_mask(c);
	c->r[R_SP] = (c->r[R_SP] & ~m) | ((c->r[R_SP] + i->osz + (i->opcode == 0xc2 ? i->imm : 0)) & m);
	c->next_rip = ip_wrap(i->osz, ip);
}

void op_jmp_rm(struct emu_cpu *c, const struct insn *i)
{
	c->next_rip = cs_target(c, ip_wrap(i->osz, rm_read(c, i)));
}

void op_call_rm(struct emu_cpu *c, const struct insn *i)
{
	uint64_t t = cs_target(c, ip_wrap(i->osz, rm_read(c, i)));
	push(c, i->osz, c->next_rip);
	c->next_rip = t;
}

void op_jmpf_ptr(struct emu_cpu *c, const struct insn *i)
{
	far_jump(c, (uint16_t)i->imm2, i->imm, i->osz);
	c->events = 1;
}

void op_callf_ptr(struct emu_cpu *c, const struct insn *i)
{
	far_call(c, (uint16_t)i->imm2, i->imm, i->osz);
	c->events = 1;
}

static void far_operand(struct emu_cpu *c, const struct insn *i, uint16_t *sel, uint64_t *off)
{
	uint64_t lin = insn_addr(c, i, i->osz + 2, ACC_R);
	*off = mem_read(c, lin, i->osz);
	*sel = (uint16_t)mem_read(c, (lin + i->osz) & c->lin_mask, 2);
}

void op_jmpf_m(struct emu_cpu *c, const struct insn *i)
{
	uint16_t sel;
	uint64_t off;
	far_operand(c, i, &sel, &off);
	far_jump(c, sel, off, i->osz);
	c->events = 1;
}

void op_callf_m(struct emu_cpu *c, const struct insn *i)
{
	uint16_t sel;
	uint64_t off;
	far_operand(c, i, &sel, &off);
	far_call(c, sel, off, i->osz);
	c->events = 1;
}

void op_retf(struct emu_cpu *c, const struct insn *i)
{
	far_ret(c, i->osz, i->opcode == 0xca ? (unsigned)i->imm : 0);
	c->events = 1;
}

void op_iret(struct emu_cpu *c, const struct insn *i)
{
	do_iret(c, i->osz);
	c->events = 1;
}

void op_loop(struct emu_cpu *c, const struct insn *i)
{
	uint64_t m = size_mask(i->asz);
	uint64_t cnt = (c->r[R_CX] - 1) & m;
	bool take = cnt != 0;
	if (i->opcode == 0xe0)
		take = take && !cond_eval(c, 4);
	else if (i->opcode == 0xe1)
		take = take && cond_eval(c, 4);
	uint64_t t = take ? cs_target(c, ip_wrap(i->osz, c->next_rip + i->imm)) : c->next_rip;
	c->r[R_CX] = i->asz == 4 ? cnt : (c->r[R_CX] & ~m) | cnt;
	c->next_rip = t;
}

void op_jcxz(struct emu_cpu *c, const struct insn *i)
{
	if ((c->r[R_CX] & size_mask(i->asz)) == 0)
		c->next_rip = cs_target(c, ip_wrap(i->osz, c->next_rip + i->imm));
}

static void soft_int(struct emu_cpu *c, unsigned vec, bool soft)
{
	if (soft && (c->flags & F_VM) && (c->flags & F_IOPL) != F_IOPL)
		emu_gp(c, 0);  /* IOPL-sensitive in virtual-8086 mode (no VME) */
	c->stats.exceptions++;
	intr_deliver(c, vec, soft, false, 0, c->next_rip);
	c->events = 1;
}

void op_int3(struct emu_cpu *c, const struct insn *i) { soft_int(c, 3, true); }
void op_int(struct emu_cpu *c, const struct insn *i) { soft_int(c, i->imm & 0xff, true); }
void op_int1(struct emu_cpu *c, const struct insn *i) { soft_int(c, 1, false); }

void op_into(struct emu_cpu *c, const struct insn *i)
{
	if (flags_get(c) & F_OF)
		soft_int(c, 4, true);
}
